// SPDX-License-Identifier: Apache-2.0
// stack/tests/hash_test.cpp: jhash / jhash2 / jhash_3words, SipHash-2-4 and
// reciprocal_scale (stack/hash.hpp) against published test values.
#define BOOST_TEST_MODULE stack_hash
#include "testing/sc_test.hpp"

#include <cstring>

#include "stack/hash.hpp"

using namespace rxpath::stack;

// Oracle: the self-test of Bob Jenkins' lookup3.c (driver5), whose
// hashlittle is the kernel's jhash on a little-endian machine:
//   hashlittle("", 0, 0) = 0xdeadbeef, hashlittle("", 0, 0xdeadbeef) = 0xbd5b7dde,
//   hashlittle("Four score and seven years ago", 30, 0) = 0x17770551, (..., 1) = 0xcd628161.
BOOST_AUTO_TEST_CASE(jhash_matches_lookup3_published_values) {
  const char* s = "Four score and seven years ago";
  BOOST_TEST(jhash("", 0, 0) == 0xdeadbeefu);
  BOOST_TEST(jhash("", 0, 0xdeadbeef) == 0xbd5b7ddeu);
  BOOST_TEST(jhash(s, 30, 0) == 0x17770551u);
  BOOST_TEST(jhash(s, 30, 1) == 0xcd628161u);
}

// Oracle: lookup3's hashword and hashlittle agree on the same words read
// little-endian (its own comment), and include/linux/jhash.h defines
// jhash_3words(a, b, c, iv) as __jhash_nwords(a, b, c, iv + JHASH_INITVAL + 12)
// = jhash2({a, b, c}, 3, iv). So all three agree for any 12 bytes.
BOOST_AUTO_TEST_CASE(jhash_3words_equals_jhash2_and_jhash_of_the_same_bytes) {
  const uint32_t words[][4] = {{0x0a000001, 0x0a000002, 0x13899c40, 0x2b7e1516},
                               {0xffffffff, 0, 0x80000000, 1},
                               {0x01000a0a, 0xdeadbeef, 0x12345678, 0}};
  for (const auto& w : words) {
    uint8_t b[12];
    for (int i = 0; i < 3; ++i)
      for (int j = 0; j < 4; ++j) b[4 * i + j] = static_cast<uint8_t>(w[i] >> (8 * j));
    const uint32_t h = jhash_3words(w[0], w[1], w[2], w[3]);
    BOOST_TEST(h == jhash2(w, 3, w[3]));
    BOOST_TEST(h == jhash(b, 12, w[3]));
  }
}

// Oracle: the reference SipHash-2-4 test vectors (Aumasson & Bernstein,
// vectors.h / the paper's appendix): key 00 01 .. 0f, message 00 01 .. (n-1):
// n = 0 -> 0x726fdb47dd0e0e31, n = 15 -> 0xa129ca6149be45e5 (the paper's example).
BOOST_AUTO_TEST_CASE(siphash_matches_reference_vectors) {
  uint8_t m[16];
  for (int i = 0; i < 16; ++i) m[i] = static_cast<uint8_t>(i);
  const uint64_t k0 = 0x0706050403020100ull, k1 = 0x0f0e0d0c0b0a0908ull;
  BOOST_TEST(siphash(m, 0, k0, k1) == 0x726fdb47dd0e0e31ull);
  BOOST_TEST(siphash(m, 15, k0, k1) == 0xa129ca6149be45e5ull);
}

// Oracle: include/linux/kernel.h: reciprocal_scale(val, ep_ro) = (u32)(((u64)val * ep_ro) >> 32).
BOOST_AUTO_TEST_CASE(reciprocal_scale_is_the_high_word_of_the_product) {
  BOOST_TEST(reciprocal_scale(0, 3) == 0u);
  BOOST_TEST(reciprocal_scale(0xffffffffu, 3) == 2u);
  BOOST_TEST(reciprocal_scale(0x55555556u, 3) == 1u);  // 3 * 0x55555556 = 0x1_0000_0002
  BOOST_TEST(reciprocal_scale(0x55555555u, 3) == 0u);
  BOOST_TEST(reciprocal_scale(0x80000000u, 4) == 2u);
}
