// SPDX-License-Identifier: MIT
// common/unaligned.hpp against an independent source of the same bytes: the C
// library's htons/htonl (network order) and memcpy of a native value, on a
// host whose byte order the test checks first (little endian, x86-64/arm64).
#define BOOST_TEST_MODULE unaligned
#include <boost/test/unit_test.hpp>

#include <arpa/inet.h>

#include <cstdint>
#include <cstring>

#include "common/unaligned.hpp"

using namespace rxpath;

namespace {

// The native bytes of v, as memcpy lays them out.
template <typename T>
void native(T v, uint8_t* out) {
  std::memcpy(out, &v, sizeof v);
}

bool host_is_little_endian() {
  const uint16_t one = 1;
  uint8_t b[2];
  native(one, b);
  return b[0] == 1;
}

// A buffer with its field at an odd offset: unaligned on purpose.
struct Buf {
  uint8_t bytes[17] = {};
  uint8_t* at() { return bytes + 1; }
};

}  // namespace

BOOST_AUTO_TEST_CASE(host_is_little_endian_so_memcpy_gives_le) { BOOST_REQUIRE(host_is_little_endian()); }

BOOST_AUTO_TEST_CASE(be_matches_htons_htonl) {
  for (uint32_t v : {0x00000000u, 0x12345678u, 0x89abcdefu, 0xffff0001u}) {
    Buf a, b;
    put_unaligned_be16(uint16_t(v), a.at());
    native(htons(uint16_t(v)), b.at());
    BOOST_TEST(std::memcmp(a.bytes, b.bytes, sizeof a.bytes) == 0);
    BOOST_TEST(get_unaligned_be16(b.at()) == uint16_t(v));

    put_unaligned_be32(v, a.at());
    native(htonl(v), b.at());
    BOOST_TEST(std::memcmp(a.bytes, b.bytes, sizeof a.bytes) == 0);
    BOOST_TEST(get_unaligned_be32(b.at()) == v);
  }
  // 64 bits: two htonl halves, the high one first.
  const uint64_t v = 0x0123456789abcdefull;
  Buf a, b;
  put_unaligned_be64(v, a.at());
  native(htonl(uint32_t(v >> 32)), b.at());
  native(htonl(uint32_t(v)), b.at() + 4);
  BOOST_TEST(std::memcmp(a.bytes, b.bytes, sizeof a.bytes) == 0);
  BOOST_TEST(get_unaligned_be64(b.at()) == v);
}

BOOST_AUTO_TEST_CASE(le_matches_memcpy_on_this_host) {
  const uint64_t v = 0xfedcba9876543210ull;
  Buf a, b;
  put_unaligned_le16(uint16_t(v), a.at());
  native(uint16_t(v), b.at());
  BOOST_TEST(std::memcmp(a.bytes, b.bytes, sizeof a.bytes) == 0);
  BOOST_TEST(get_unaligned_le16(b.at()) == uint16_t(v));

  put_unaligned_le32(uint32_t(v), a.at());
  native(uint32_t(v), b.at());
  BOOST_TEST(std::memcmp(a.bytes, b.bytes, sizeof a.bytes) == 0);
  BOOST_TEST(get_unaligned_le32(b.at()) == uint32_t(v));

  put_unaligned_le64(v, a.at());
  native(v, b.at());
  BOOST_TEST(std::memcmp(a.bytes, b.bytes, sizeof a.bytes) == 0);
  BOOST_TEST(get_unaligned_le64(b.at()) == v);
}

BOOST_AUTO_TEST_CASE(explicit_bytes_and_no_spill) {
  // The bytes written out by hand, and nothing written past the field.
  Buf a;
  put_unaligned_be32(0x0a000001u, a.at());  // 10.0.0.1 in an IPv4 header
  const uint8_t be[] = {0, 0x0a, 0x00, 0x00, 0x01, 0};
  BOOST_TEST(std::memcmp(a.bytes, be, sizeof be) == 0);
  Buf b;
  put_unaligned_le16(0x05dc, b.at());  // 1500 in a descriptor's length field
  const uint8_t le[] = {0, 0xdc, 0x05, 0};
  BOOST_TEST(std::memcmp(b.bytes, le, sizeof le) == 0);
}

// Usable in constant expressions.
constexpr uint16_t ethertype() {
  uint8_t b[2] = {};
  put_unaligned_be16(0x0800, b);
  return get_unaligned_be16(b);
}
static_assert(ethertype() == 0x0800);
