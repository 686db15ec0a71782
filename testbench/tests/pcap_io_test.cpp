// SPDX-License-Identifier: MIT
// pcap/pcapng reading and atomic pcap writing, including the errors a user
// sees for bad captures.
#define BOOST_TEST_MODULE pcap_io
#include <boost/test/unit_test.hpp>

#include <unistd.h>
#include <cstdio>
#include <fstream>
#include <iterator>

#include "common/unaligned.hpp"
#include "testbench/pcap_io.hpp"

using namespace rxpath::tb;

namespace {
std::string tmpname(const std::string& base) {
  return "/tmp/rxpath_pcap_test_" + std::to_string(::getpid()) + "_" + base;
}
bool exists(const std::string& p) { return std::ifstream(p).good(); }
std::vector<uint8_t> slurp(const std::string& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), {}};
}
void spit(const std::string& p, const std::vector<uint8_t>& b) {
  std::ofstream(p, std::ios::binary).write(reinterpret_cast<const char*>(b.data()), b.size());
}
std::vector<uint8_t> frame(size_t n, uint8_t seed) {
  std::vector<uint8_t> f(n);
  for (size_t i = 0; i < n; ++i) f[i] = static_cast<uint8_t>(seed + i);
  return f;
}
// Appends v in the file's byte order (little endian, as this host writes it).
void append_le32(std::vector<uint8_t>& b, uint32_t v) {
  b.resize(b.size() + 4);
  rxpath::put_unaligned_le32(v, &b[b.size() - 4]);
}
void append_le16(std::vector<uint8_t>& b, uint16_t v) {
  b.resize(b.size() + 2);
  rxpath::put_unaligned_le16(v, &b[b.size() - 2]);
}
std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const PcapError& e) {
    return e.what();
  }
  return "";
}
}  // namespace

BOOST_AUTO_TEST_CASE(write_then_read_back_with_nanoseconds) {
  const std::string p = tmpname("rt.pcap");
  {
    PcapWriter w(p);
    w.write(1'000'000'123ull, frame(60, 1));
    w.write(2'500'000'007ull, frame(1514, 9));
    BOOST_TEST(!exists(p));  // nothing visible before close()
    w.close();
  }
  BOOST_REQUIRE(exists(p));
  auto frames = read_capture(p);
  BOOST_REQUIRE(frames.size() == 2u);
  BOOST_TEST(frames[0].ts_ns == 1'000'000'123ull);
  BOOST_TEST(frames[1].ts_ns == 2'500'000'007ull);
  BOOST_TEST(frames[0].data == frame(60, 1));
  BOOST_TEST(frames[1].data == frame(1514, 9));
  BOOST_TEST(frames[1].orig_len == 1514u);
  std::remove(p.c_str());
}

BOOST_AUTO_TEST_CASE(abandoned_writer_leaves_no_file) {
  const std::string p = tmpname("abandoned.pcap");
  {
    PcapWriter w(p);
    w.write(1, frame(60, 0));
  }
  BOOST_TEST(!exists(p));
  BOOST_TEST(!exists(p + ".part." + std::to_string(::getpid())));
}

BOOST_AUTO_TEST_CASE(truncated_record_is_named) {
  const std::string p = tmpname("trunc.pcap");
  {
    PcapWriter w(p);
    w.write(1, frame(100, 0));
    w.write(2, frame(100, 1));
    w.close();
  }
  auto b = slurp(p);
  b.resize(b.size() - 30);  // cut into the second record's data
  spit(p, b);
  const std::string e = error_of([&] { read_capture(p); });
  BOOST_TEST(e.find(p + ": record 2:") == 0u, e);
  std::remove(p.c_str());
}

// A record whose captured length exceeds the frame's length on the wire
// (pcap-savefile(5): caplen is the part of len saved, so caplen <= len) is
// corrupt, and refused by its number: libpcap hands it on as it is (found by
// fuzz/fuzz_pcap, input fuzz/corpus/pcap/crash-caplen-over-len).
BOOST_AUTO_TEST_CASE(record_longer_than_its_frame_is_refused) {
  const std::string p = tmpname("caplen.pcap");
  {
    PcapWriter w(p);
    w.write(1, frame(100, 0));
    w.write(2, frame(100, 1));
    w.close();
  }
  auto b = slurp(p);
  // The second record's header: after the 24-byte file header and the first
  // record (16-byte header + 100 bytes); its len field is at +12.
  const size_t len_at = 24 + 16 + 100 + 12;
  BOOST_REQUIRE(rxpath::get_unaligned_le32(&b[len_at]) == 100u);
  rxpath::put_unaligned_le32(90, &b[len_at]);
  spit(p, b);
  const std::string e = error_of([&] { read_capture(p); });
  BOOST_TEST(e.find(p + ": record 2: captured 100 bytes of a 90-byte frame") == 0u, e);
  std::remove(p.c_str());
}

BOOST_AUTO_TEST_CASE(not_a_capture_and_missing_file) {
  const std::string p = tmpname("garbage.pcap");
  spit(p, {'h', 'e', 'l', 'l', 'o', ' ', 'w', 'o', 'r', 'l', 'd', '!', 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0});
  BOOST_TEST(error_of([&] { read_capture(p); }).find(p + ": ") == 0u);
  BOOST_TEST(error_of([&] { read_capture("/nonexistent/x.pcap"); }).find("/nonexistent/x.pcap: ") == 0u);
  std::remove(p.c_str());
}

// A pcapng file assembled byte by byte here (not by libpcap): section header,
// one Ethernet interface with nanosecond resolution, two enhanced packet blocks.
BOOST_AUTO_TEST_CASE(reads_pcapng_built_by_hand) {
  std::vector<uint8_t> b;
  // Section Header Block
  append_le32(b, 0x0A0D0D0A);
  append_le32(b, 28);
  append_le32(b, 0x1A2B3C4D);
  append_le16(b, 1);
  append_le16(b, 0);
  append_le32(b, 0xFFFFFFFF);
  append_le32(b, 0xFFFFFFFF);
  append_le32(b, 28);
  // Interface Description Block: LINKTYPE_ETHERNET, if_tsresol = 9 (ns)
  append_le32(b, 1);
  append_le32(b, 32);
  append_le16(b, 1);
  append_le16(b, 0);
  append_le32(b, 0);
  append_le16(b, 9);
  append_le16(b, 1);
  b.push_back(9);
  b.push_back(0);
  b.push_back(0);
  b.push_back(0);
  append_le16(b, 0);
  append_le16(b, 0);  // opt_endofopt
  append_le32(b, 32);
  auto epb = [&](uint64_t ts, const std::vector<uint8_t>& d) {
    const uint32_t pad = (4 - d.size() % 4) % 4;
    const uint32_t len = 32 + static_cast<uint32_t>(d.size()) + pad;
    append_le32(b, 6);
    append_le32(b, len);
    append_le32(b, 0);
    append_le32(b, static_cast<uint32_t>(ts >> 32));
    append_le32(b, static_cast<uint32_t>(ts));
    append_le32(b, static_cast<uint32_t>(d.size()));
    append_le32(b, static_cast<uint32_t>(d.size()));
    b.insert(b.end(), d.begin(), d.end());
    b.insert(b.end(), pad, 0);
    append_le32(b, len);
  };
  epb(5'000'000'001ull, frame(64, 3));
  epb(5'000'000'901ull, frame(67, 4));
  const std::string p = tmpname("hand.pcapng");
  spit(p, b);
  auto frames = read_capture(p);
  BOOST_REQUIRE(frames.size() == 2u);
  BOOST_TEST(frames[0].ts_ns == 5'000'000'001ull);
  BOOST_TEST(frames[1].ts_ns == 5'000'000'901ull);
  BOOST_TEST(frames[1].data == frame(67, 4));
  std::remove(p.c_str());
}
