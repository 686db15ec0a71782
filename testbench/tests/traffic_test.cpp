// SPDX-License-Identifier: MIT
// Traffic sources: pacing, sizes, flows, checksums, faults and pcap replay.
#define BOOST_TEST_MODULE traffic
#include <boost/test/unit_test.hpp>

#include <unistd.h>
#include <cstdio>
#include <map>

#include "common/eth.hpp"
#include "common/unaligned.hpp"
#include "testbench/traffic.hpp"

using namespace rxpath::tb;

namespace {
const MacAddr kHostMac = {0x02, 0, 0, 0, 0, 0x10};
const uint32_t kHostIp = 0x0a000102;

// Checks the IPv4 header checksum and the UDP/TCP checksum of a frame.
bool checksums_ok(const std::vector<uint8_t>& f) {
  using namespace rxpath::eth;
  const size_t ihl = (f[14] & 15) * 4;
  if (csum_fold(csum_add(0, f.data() + 14, ihl)) != 0xffff) return false;
  const size_t tot = rxpath::get_unaligned_be16(&f[16]);
  const size_t l4len = tot - ihl;
  uint32_t s = csum_add(0, f.data() + 26, 8);  // saddr, daddr
  s += f[23];
  s += uint32_t(l4len);
  return csum_fold(csum_add(s, f.data() + 14 + ihl, l4len)) == 0xffff;
}
}  // namespace

BOOST_AUTO_TEST_CASE(constant_line_rate_64_byte_frames) {
  TrafficConfig c;
  TrafficGen g(c, kHostMac, kHostIp);
  GenFrame f;
  uint64_t prev = 0;
  for (int i = 0; i < 1000; ++i) {
    BOOST_REQUIRE(g.next(f));
    BOOST_TEST(f.wire_bytes() == 64u);
    BOOST_TEST(f.kind == FrameKind::udp);
    if (i > 0) BOOST_TEST(f.t_ps - prev == 67200u);  // 84 bytes at 10 Gb/s = 67.2 ns
    prev = f.t_ps;
    BOOST_TEST(checksums_ok(f.data));
    BOOST_TEST(rxpath::get_unaligned_be16(&f.data[36]) == 9000 + i % 4);  // round robin over 4 flows
  }
}

BOOST_AUTO_TEST_CASE(imix_and_uniform_sizes) {
  TrafficConfig c;
  c.size = "imix";
  TrafficGen g(c, kHostMac, kHostIp);
  std::map<size_t, int> n;
  GenFrame f;
  for (int i = 0; i < 12000; ++i) {
    g.next(f);
    ++n[f.wire_bytes()];
  }
  BOOST_TEST(n.size() == 3u);
  BOOST_TEST(std::abs(n[64] - 7000) < 400);
  BOOST_TEST(std::abs(n[594] - 4000) < 400);
  BOOST_TEST(std::abs(n[1518] - 1000) < 200);
  c.size = "uniform:100:200";
  TrafficGen u(c, kHostMac, kHostIp);
  for (int i = 0; i < 1000; ++i) {
    u.next(f);
    BOOST_TEST((f.wire_bytes() >= 100 && f.wire_bytes() <= 200));
    BOOST_TEST(checksums_ok(f.data));
  }
}

BOOST_AUTO_TEST_CASE(tcp_flows_are_in_order_and_carry_the_frame_number) {
  TrafficConfig c;
  c.udp_flows = 0;
  c.tcp_flows = 3;
  c.size = "1518";
  TrafficGen g(c, kHostMac, kHostIp);
  std::vector<uint32_t> next(3, c.tcp_isn + 1);
  GenFrame f;
  for (int i = 0; i < 300; ++i) {
    g.next(f);
    BOOST_REQUIRE(f.kind == FrameKind::tcp);
    BOOST_TEST(checksums_ok(f.data));
    BOOST_TEST(rxpath::get_unaligned_be32(&f.data[38]) == next[f.flow]);
    BOOST_TEST(f.payload_len == 1518u - 4 - 54);
    next[f.flow] += f.payload_len;
    for (size_t k = 0; k < f.payload_len; k += 97)
      BOOST_TEST(f.data[f.payload_offset + k] == TrafficGen::payload_byte(f.id, k));
    BOOST_TEST(rxpath::get_unaligned_be32(&f.data[54]) >> 0 == uint32_t(f.id >> 32));
    // IP ID: +1 per segment of the flow (GRO flushes on anything else with DF)
    BOOST_TEST(rxpath::get_unaligned_be16(&f.data[18]) ==
               uint16_t(1 + (next[f.flow] - c.tcp_isn - 1) / f.payload_len - 1));
  }
}

BOOST_AUTO_TEST_CASE(faults_at_their_rates_and_same_seed_same_stream) {
  TrafficConfig c;
  c.bad_fcs_ppm = 50000;
  c.runt_ppm = 50000;
  c.oversize_ppm = 50000;
  c.bad_ip_csum_ppm = 50000;
  c.closed_udp_ppm = 50000;
  c.other_host_ppm = 50000;
  TrafficGen a(c, kHostMac, kHostIp), b(c, kHostMac, kHostIp);
  std::map<FrameKind, int> n;
  GenFrame f, g;
  for (int i = 0; i < 20000; ++i) {
    a.next(f);
    b.next(g);
    BOOST_REQUIRE(f.data == g.data);
    BOOST_REQUIRE(f.t_ps == g.t_ps);
    ++n[f.kind];
    if (f.kind == FrameKind::runt) BOOST_TEST(f.wire_bytes() == 60u);
    if (f.kind == FrameKind::oversize) BOOST_TEST(f.wire_bytes() == 1600u);
    if (f.kind == FrameKind::bad_ip_csum) BOOST_TEST(!checksums_ok(f.data));
    if (f.kind == FrameKind::other_host) BOOST_TEST(f.data[5] != kHostMac[5]);
    if (f.kind == FrameKind::bad_fcs) BOOST_TEST(f.bad_fcs);
  }
  for (FrameKind k : {FrameKind::bad_fcs, FrameKind::runt, FrameKind::oversize, FrameKind::bad_ip_csum,
                      FrameKind::closed_udp_port, FrameKind::other_host})
    BOOST_TEST(std::abs(n[k] - 1000) < 150, frame_kind_name(k) << " " << n[k]);
  BOOST_TEST(std::abs(n[FrameKind::udp] - 14000) < 400);
}

BOOST_AUTO_TEST_CASE(onoff_is_silent_during_off) {
  TrafficConfig c;
  c.pattern = "onoff";
  c.on_us = 10;
  c.off_us = 30;
  TrafficGen g(c, kHostMac, kHostIp);
  GenFrame f;
  for (int i = 0; i < 2000; ++i) {
    g.next(f);
    BOOST_TEST(f.t_ps % 40'000'000 < 10'000'000u);
  }
}

BOOST_AUTO_TEST_CASE(pcap_replay_at_capture_timing_and_at_a_rate) {
  const std::string p = "/tmp/rxpath_traffic_test_" + std::to_string(::getpid()) + ".pcap";
  {
    PcapWriter w(p);
    std::vector<uint8_t> fr(100, 0xab);
    w.write(5'000'000'000ull, fr);
    w.write(5'000'001'000ull, fr);
    w.write(5'000'003'500ull, fr);
    w.close();
  }
  TrafficConfig c;
  c.pattern = "pcap";
  c.pcap = p;
  TrafficGen g(c, kHostMac, kHostIp);
  GenFrame f;
  std::vector<uint64_t> t;
  while (g.next(f)) t.push_back(f.t_ps);
  BOOST_TEST(t == std::vector<uint64_t>({0, 1'000'000, 3'500'000}));
  c.pcap_rate_gbps = 10;
  TrafficGen r(c, kHostMac, kHostIp);
  t.clear();
  while (r.next(f)) t.push_back(f.t_ps);
  BOOST_TEST(t == std::vector<uint64_t>({0, 99'200, 198'400}));  // (100+4+20)*0.8 ns
  std::remove(p.c_str());
}

// At capture timing a frame's time is picoseconds since the first record in
// 64 bits: 18446744073709552 ns after it is 2^64 + 384 ps, which wrapped to
// 384 ps and put the frame first, before its predecessor. It goes after the
// end of any run instead (run.duration_us <= 1e9 us = 1e15 ps), in time order
// (found by fuzz/fuzz_pcap, input fuzz/corpus/pcap/crash-span-past-64-bit-ps).
BOOST_AUTO_TEST_CASE(pcap_replay_of_a_capture_longer_than_64_bit_picoseconds) {
  const std::string p = "/tmp/rxpath_traffic_test_span_" + std::to_string(::getpid()) + ".pcap";
  {
    PcapWriter w(p);
    std::vector<uint8_t> fr(100, 0xab);
    w.write(1'000'000'000ull, fr);
    w.write(2'000'000'000ull, fr);
    w.write(1'000'000'000ull + 18'446'744'073'709'552ull, fr);
    w.close();
  }
  TrafficConfig c;
  c.pattern = "pcap";
  c.pcap = p;
  TrafficGen g(c, kHostMac, kHostIp);
  GenFrame f;
  std::vector<uint64_t> t;
  while (g.next(f)) t.push_back(f.t_ps);
  BOOST_REQUIRE(t.size() == 3u);
  BOOST_TEST(t[1] == 1'000'000'000'000ull);
  BOOST_TEST(t[2] > 1'000'000'000'000'000ull);
  std::remove(p.c_str());
}

BOOST_AUTO_TEST_CASE(impossible_parameters_are_named) {
  TrafficConfig c;
  c.size = "12";
  BOOST_CHECK_EXCEPTION(TrafficGen(c, kHostMac, kHostIp), std::invalid_argument, [](const std::exception& e) {
    return std::string(e.what()).find("traffic.size") != std::string::npos;
  });
  c.size = "64";
  c.src_ip = "10.0.0";
  BOOST_CHECK_THROW(TrafficGen(c, kHostMac, kHostIp), std::invalid_argument);
  c.src_ip = "10.0.0.1";
  c.pattern = "pcap";
  BOOST_CHECK_THROW(TrafficGen(c, kHostMac, kHostIp), std::invalid_argument);
  c.pcap = "/nonexistent.pcap";
  BOOST_CHECK_THROW(TrafficGen(c, kHostMac, kHostIp), PcapError);
}

// The journey names a packet by the number it carries: frame_id_of reads it
// back from the bytes (UDP and TCP); anything else, or too short a payload, is 0.
BOOST_AUTO_TEST_CASE(frame_id_of_reads_the_number_back) {
  TrafficConfig c;
  c.udp_flows = 2;
  c.tcp_flows = 2;
  c.size = "imix";
  TrafficGen g(c, kHostMac, kHostIp);
  GenFrame f;
  int udp = 0, tcp = 0;
  for (int i = 0; i < 400; ++i) {
    g.next(f);
    const uint64_t got = TrafficGen::frame_id_of(f.data.data(), f.data.size());
    if (f.payload_len >= 8) {
      BOOST_TEST(got == f.id);
      (f.kind == FrameKind::tcp ? tcp : udp)++;
    } else {
      BOOST_TEST(got == 0u);
    }
  }
  BOOST_TEST(udp > 50);
  BOOST_TEST(tcp > 50);
  std::vector<uint8_t> arp(60, 0);
  arp[12] = 0x08, arp[13] = 0x06;
  BOOST_TEST(TrafficGen::frame_id_of(arp.data(), arp.size()) == 0u);
  BOOST_TEST(TrafficGen::frame_id_of(f.data.data(), 20) == 0u);
}
