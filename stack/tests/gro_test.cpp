// SPDX-License-Identifier: Apache-2.0
// stack/tests/gro_test.cpp: GRO merges what Linux would and no more.
// All frames of a case arrive together, so one NAPI poll sees them.
#define BOOST_TEST_MODULE stack_gro
#include "testing/sc_test.hpp"

#include "stack/tests/testlib.hpp"

using namespace rxpath::stack;
using namespace rxpath::stack::test;

namespace {
constexpr uint32_t ISN = 5000;

struct Seg {
  uint32_t off;
  uint32_t len;
  uint8_t flags = 0x10;
  uint16_t sport = 40000;
  uint16_t win = 0xffff;  // TCP window field
  size_t pad = 0;         // Ethernet padding bytes after the IP packet
};

struct Result {
  std::vector<uint32_t> segs_per_skb;  // gso_segs (1 if not merged) of each skb queued, in order
  uint64_t in_segs = 0, processed = 0, no_ect = 0, ofo_queue = 0;
  bool bytes_ok = true;
};

// Sends the segments at once (one poll) to an established socket and
// reports how they were grouped when they reached TCP.
Result run_case(const std::vector<Seg>& segs, uint32_t weight = 64, double per_packet_ns = 150) {
  Kernel& k = make_kernel();
  FakeNic nic(k);
  nic.napi.weight = static_cast<int>(weight);
  nic.per_packet_ns = per_packet_ns;
  std::map<uint16_t, int> fds;
  for (auto& s : segs)
    if (!fds.count(s.sport)) fds[s.sport] = k.tcp_established(HOST_IP, 5001, PEER_IP, s.sport, ISN, 1, 1 << 24);
  auto data = pattern(200000, 11);
  std::vector<std::pair<double, std::vector<uint8_t>>> fr;
  std::map<uint16_t, uint16_t> ids;  // IP ID increments per flow
  for (auto& s : segs) {
    Flow f;
    f.sport = s.sport;
    auto frame = tcp_frame(f, ISN + 1 + s.off, 1, s.flags,
                           std::vector<uint8_t>(data.begin() + s.off, data.begin() + s.off + s.len), ++ids[s.sport]);
    if (s.win != 0xffff) {  // rewrite the window, checksum adjusted as in RFC 1624
      uint8_t* th = frame.data() + 34;
      uint32_t sum = uint16_t(~(th[16] << 8 | th[17])) + uint16_t(~0xffff) + s.win;
      while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
      th[14] = uint8_t(s.win >> 8);
      th[15] = uint8_t(s.win);
      th[16] = uint8_t(~sum >> 8);
      th[17] = uint8_t(~sum);
    }
    frame.resize(frame.size() + s.pad, 0);
    fr.emplace_back(10, std::move(frame));
  }
  nic.inject(fr);
  run_for(2e6 + 2 * per_packet_ns * segs.size());
  Result r;
  for (auto& kv : fds) {
    sock* sk = k.sock_of(kv.second);
    std::vector<uint8_t> q;
    for (sk_buff* s = sk->sk_receive_queue.first; s; s = s->next) {
      r.segs_per_skb.push_back(s->shinfo.gso_segs ? s->shinfo.gso_segs : 1);
      auto b = skb_linearize_copy(s);
      uint32_t skip = uint32_t(ISN + 1 + q.size()) - s->cb.seq;
      if (skip < b.size()) q.insert(q.end(), b.begin() + skip, b.end());
    }
    r.bytes_ok = r.bytes_ok && q == std::vector<uint8_t>(data.begin(), data.begin() + q.size());
  }
  r.in_segs = k.tcp.InSegs;
  r.processed = k.softnet(0).processed;
  r.no_ect = k.ipext.InNoECTPkts;
  r.ofo_queue = k.tcpext.TCPOFOQueue;
  BOOST_TEST(k.frame_account().balanced(), k.frame_account_report());
  std::ostringstream os;
  for (auto x : r.segs_per_skb) os << x << ' ';
  BOOST_TEST_MESSAGE("segs per skb: " << os.str());
  return r;
}

std::vector<Seg> stream(int n, uint32_t len, uint32_t start = 0) {
  std::vector<Seg> v;
  for (int i = 0; i < n; ++i) v.push_back({start + i * len, len});
  return v;
}
using V = std::vector<uint32_t>;
}  // namespace

BOOST_AUTO_TEST_CASE(in_order_segments_merge_and_flush_on_complete) {
  Result r = run_case(stream(10, 1448));
  BOOST_TEST(r.segs_per_skb == V({10}), boost::test_tools::per_element());
  BOOST_TEST(r.in_segs == 1u);    // TCP sees one skb
  BOOST_TEST(r.processed == 1u);  // softnet processed counts post-GRO skbs
  BOOST_TEST(r.no_ect == 10u);    // IpExt InNoECTPkts counts wire segments
  BOOST_TEST(r.bytes_ok);
}

BOOST_AUTO_TEST_CASE(psh_flushes_after_merging) {
  auto s = stream(10, 1448);
  s[4].flags = 0x18;  // PSH on the 5th
  Result r = run_case(s);
  BOOST_TEST(r.segs_per_skb == V({5, 5}), boost::test_tools::per_element());
  BOOST_TEST(r.bytes_ok);
}

BOOST_AUTO_TEST_CASE(fin_flushes_and_flag_mismatch_does_not_merge) {
  auto s = stream(6, 1000);
  s[2].flags = 0x11;  // FIN: merged, then flushed
  s[4].flags = 0x50;  // ECE differs: no merge with the held packet
  Result r = run_case(s);
  BOOST_TEST(r.segs_per_skb == V({3, 1, 1, 1}), boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(out_of_order_seq_is_not_merged) {
  std::vector<Seg> s = {{0, 1000}, {1000, 1000}, {3000, 1000}, {2000, 1000}, {4000, 1000}};
  Result r = run_case(s);
  // 0+1 merge; 3 starts a new held skb; 2 does not continue 3; 4 does not continue 2
  BOOST_TEST(r.segs_per_skb.size() == 4u);
  uint32_t total = 0;
  for (auto x : r.segs_per_skb) total += x;
  BOOST_TEST(total == 5u);
  BOOST_TEST(r.segs_per_skb[0] == 2u);
  BOOST_TEST(r.bytes_ok);
}

BOOST_AUTO_TEST_CASE(limit_64k) {
  // 40 + 45*1448 = 65200 < 65536; a 46th segment would pass 64 KB.
  Result r = run_case(stream(50, 1448));
  BOOST_TEST(r.segs_per_skb == V({45, 5}), boost::test_tools::per_element());
  BOOST_TEST(r.bytes_ok);
}

BOOST_AUTO_TEST_CASE(past_max_skb_frags_segments_chain_on_frag_list) {
  // Each merged segment adds one frag; after 17 the rest chain on frag_list
  // (skb_gro_receive's merge: path), so the 64 KB limit still rules.
  Result r = run_case(stream(30, 100));
  BOOST_TEST(r.segs_per_skb == V({30}), boost::test_tools::per_element());
  BOOST_TEST(r.bytes_ok);
}

BOOST_AUTO_TEST_CASE(short_segment_ends_the_merge) {
  auto s = stream(4, 1000);
  s.push_back({4000, 500});   // smaller than mss: merged, then flushed
  s.push_back({4500, 1000});  // new flow head
  Result r = run_case(s);
  BOOST_TEST(r.segs_per_skb == V({5, 1}), boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(flows_kept_apart) {
  std::vector<Seg> s;
  for (int i = 0; i < 6; ++i) {
    s.push_back({uint32_t(i * 1000), 1000, 0x10, 40000});
    s.push_back({uint32_t(i * 1000), 1000, 0x10, 40001});
  }
  Result r = run_case(s);
  BOOST_TEST(r.segs_per_skb == V({6, 6}), boost::test_tools::per_element());
  BOOST_TEST(r.bytes_ok);
}

BOOST_AUTO_TEST_CASE(udp_is_not_aggregated) {
  Kernel& k = make_kernel();
  FakeNic nic(k);
  int fd = k.udp_socket(0, 5001);
  std::vector<std::pair<double, std::vector<uint8_t>>> fr;
  for (int i = 0; i < 10; ++i) fr.emplace_back(10, udp_frame(Flow{}, pattern(1000, i), uint16_t(i)));
  nic.inject(fr);
  run_for(1e6);
  BOOST_TEST(k.sock_of(fd)->enqueued == 10u);
  BOOST_TEST(k.softnet(0).processed == 10u);
}

BOOST_AUTO_TEST_CASE(weight_exhausted_poll_keeps_young_packets) {
  // 100 segments at once with weight 64: the first poll uses its weight and
  // flushes only GRO packets older than the current jiffy (none), so the
  // flow held across the repoll keeps merging: 45 + 45 + 10 as one stream.
  Result r = run_case(stream(100, 1448));
  BOOST_TEST(r.segs_per_skb == V({45, 45, 10}), boost::test_tools::per_element());
  BOOST_TEST(r.bytes_ok);
}

BOOST_AUTO_TEST_CASE(window_change_blocks_the_merge) {
  // tcp_gro_receive compares tcp_flag_word (doff, flags and window): a
  // segment announcing another window is not merged into the held packet.
  auto s = stream(6, 1000);
  s[3].win = 0x8000;
  s[4].win = 0x8000;
  s[5].win = 0x8000;
  Result r = run_case(s);
  BOOST_TEST(r.segs_per_skb == V({3, 3}), boost::test_tools::per_element());
  BOOST_TEST(r.bytes_ok);
}

BOOST_AUTO_TEST_CASE(padded_segment_does_not_overtake_held_data) {
  // A 4-byte segment fills a 58-byte frame; the NIC delivers it padded to
  // 60 bytes, so tot_len != skb->len and inet_gro_receive flushes: the held
  // packet of the same flow goes up first, the padded one after it.
  std::vector<Seg> s = {{0, 1000}, {1000, 1000}, {2000, 4}};
  s[2].pad = 2;
  Result r = run_case(s);
  BOOST_TEST(r.segs_per_skb == V({2, 1}), boost::test_tools::per_element());
  BOOST_TEST(r.ofo_queue == 0u);  // nothing arrived at TCP out of order
  BOOST_TEST(r.in_segs == 2u);
  BOOST_TEST(r.bytes_ok);
}

BOOST_AUTO_TEST_CASE(gro_age_uses_the_cpu_true_time) {
  // A slow driver (25 us per frame, deferred within the poll): flow A's 40
  // frames are held from jiffy 0, flow B's first frame (the 41st, ~1.03 ms)
  // from jiffy 1 by the CPU's true time, the clock net_rx_action uses. The
  // weight-exhausted flush at ~1.6 ms (jiffy 1) completes A and keeps B,
  // which goes on merging in the next poll.
  std::vector<Seg> s;
  for (uint32_t i = 0; i < 40; ++i) s.push_back({i * 1448, 1448, 0x10, 40000});
  for (uint32_t i = 0; i < 24; ++i) s.push_back({i * 1448, 1448, 0x10, 40001});
  for (uint32_t i = 40; i < 45; ++i) s.push_back({i * 1448, 1448, 0x10, 40000});
  for (uint32_t i = 24; i < 29; ++i) s.push_back({i * 1448, 1448, 0x10, 40001});
  Result r = run_case(s, 64, 25000);
  BOOST_TEST(r.segs_per_skb == V({40, 5, 29}), boost::test_tools::per_element());
  BOOST_TEST(r.bytes_ok);
}
