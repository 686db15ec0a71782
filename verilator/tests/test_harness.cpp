// SPDX-License-Identifier: MIT
// Unit tests of the harness pieces themselves, without any RTL: FCS against
// zlib and a bitwise CRC, XGMII encoder round trip and deficit idle count,
// AXI4 memory slave and protocol checker against a scripted master.
#define BOOST_TEST_MODULE harness
#include <boost/test/unit_test.hpp>

#include <random>

#include "common/eth.hpp"
#include "rxpath/igb_regs.hpp"
#include "verilator/vh/axi.hpp"
#include "verilator/vh/scoreboard.hpp"
#include "verilator/vh/xgmii.hpp"

using namespace rxpath::vh;
using namespace rxpath::eth;
namespace R = rxpath::regs;

static const Mac kSta{0x02, 0, 0, 0, 0, 1};
static const Mac kPeer{0x02, 0, 0, 0, 0, 2};

BOOST_AUTO_TEST_CASE(crc_matches_zlib_and_bitwise) {
  const uint8_t check[] = {'1', '2', '3', '4', '5', '6', '7', '8', '9'};
  BOOST_TEST(eth_fcs(check, 9) == 0xCBF43926u);  // the CRC-32 check value
  BOOST_TEST(crc32_bitwise(check, 9) == 0xCBF43926u);
  std::mt19937 rng(7);
  for (int n = 0; n < 2000; n += 37) {
    Bytes b(n);
    for (auto& x : b) x = uint8_t(rng());
    BOOST_TEST(eth_fcs(b) == crc32_bitwise(b.data(), b.size()));
    // A frame with its FCS appended has the CRC-32 residue 0x2144DF1C.
    Bytes f = with_fcs(b);
    BOOST_TEST(crc32_bitwise(f.data(), f.size()) == 0x2144DF1Cu);
  }
}

BOOST_AUTO_TEST_CASE(checksums_of_builders_verify) {
  Ipv4Opts ip;
  Bytes f = udp_frame(kSta, kPeer, Bytes(100, 0xab), ip);
  BOOST_TEST(csum_fold(csum_add(0, f.data() + 14, 20)) == 0xffff);
  NicConfig c;
  WireFrame w{f};
  Prediction p = predict(w, c);
  BOOST_TEST(int(p.fate) == int(Fate::Deliver));
  BOOST_TEST(p.status ==
             (R::E1000_RXD_STAT_DD | R::E1000_RXD_STAT_EOP | R::E1000_RXD_STAT_IPCS | R::E1000_RXD_STAT_UDPCS));
  BOOST_TEST(p.pkt_info == (R::E1000_RXDADV_PKTTYPE_IPV4 | R::E1000_RXDADV_PKTTYPE_UDP));
  L4Opts bad;
  bad.bad_csum = true;
  p = predict(WireFrame{tcp_frame(kSta, kPeer, Bytes(10, 1), ip, bad)}, c);
  BOOST_TEST(p.status == (R::E1000_RXD_STAT_DD | R::E1000_RXD_STAT_EOP | R::E1000_RXD_STAT_IPCS |
                          R::E1000_RXD_STAT_TCPCS | R::E1000_RXDEXT_STATERR_TCPE));
  Ipv4Opts badip;
  badip.bad_hdr_csum = true;
  p = predict(WireFrame{udp_frame(kSta, kPeer, Bytes(10, 1), badip)}, c);
  BOOST_TEST((p.status & R::E1000_RXDEXT_STATERR_IPE) != 0u);
  L4Opts z;
  z.zero_csum = true;
  p = predict(WireFrame{udp_frame(kSta, kPeer, Bytes(10, 1), ip, z)}, c);
  BOOST_TEST((p.status & (R::E1000_RXD_STAT_UDPCS | R::E1000_RXDEXT_STATERR_TCPE)) == 0u);
  // Fates of the error causes.
  WireFrame e{raw_frame(kSta, kPeer, 100)};
  e.bad_fcs = true;
  BOOST_TEST(int(predict(e, c).fate) == int(Fate::CRCERRS));
  BOOST_TEST(int(predict(WireFrame{raw_frame(kSta, kPeer, 40)}, c).fate) == int(Fate::RUC));
  BOOST_TEST(int(predict(WireFrame{raw_frame(kSta, kPeer, 1515)}, c).fate) == int(Fate::ROC));
  BOOST_TEST(int(predict(WireFrame{raw_frame(kSta, kPeer, 1514)}, c).fate) == int(Fate::Deliver));
  BOOST_TEST(int(predict(WireFrame{raw_frame(kPeer, kSta, 100)}, c).fate) == int(Fate::RXP_AFDC));
  BOOST_TEST(int(predict(WireFrame{raw_frame(kBroadcast, kSta, 100)}, c).fate) == int(Fate::Deliver));
}

static std::vector<DecodedFrame> roundtrip(std::vector<WireFrame>& in, bool lane4, uint64_t& words) {
  XgmiiEncoder enc;
  enc.lane4_start = lane4;
  XgmiiDecoder dec;
  for (auto& f : in) enc.push(f);
  words = 0;
  while (enc.busy()) {
    uint64_t d;
    uint8_t c;
    enc.next_word(d, c);
    dec.word(d, c);
    ++words;
  }
  for (int i = 0; i < 2; ++i) dec.word(0x0707070707070707ull, 0xff);
  BOOST_TEST(dec.error.empty(), dec.error);
  return dec.frames;
}

BOOST_AUTO_TEST_CASE(xgmii_roundtrip_and_deficit_idle_count) {
  std::mt19937 rng(3);
  std::vector<WireFrame> in;
  uint64_t bytes = 0;
  for (int i = 0; i < 2000; ++i) {
    WireFrame f{raw_frame(kSta, kPeer, 60 + rng() % 1455, uint8_t(i))};
    bytes += f.data.size() + 4;
    in.push_back(f);
  }
  uint64_t words = 0;
  auto out = roundtrip(in, true, words);
  BOOST_REQUIRE_EQUAL(out.size(), in.size());
  unsigned lane_seen[8] = {};
  uint64_t gap_sum = 0;
  unsigned gap_min = 100;
  for (size_t i = 0; i < out.size(); ++i) {
    BOOST_TEST(out[i].preamble_ok);
    BOOST_TEST((out[i].data == in[i].wire_bytes()));
    lane_seen[out[i].start_lane]++;
    if (i) {
      gap_sum += out[i].gap_before;
      gap_min = std::min(gap_min, out[i].gap_before);
    }
  }
  BOOST_TEST(lane_seen[0] > 0u);
  BOOST_TEST(lane_seen[4] > 0u);
  double avg = double(gap_sum) / double(out.size() - 1);
  BOOST_TEST_MESSAGE("average IFG " << avg << " bytes, minimum " << gap_min);
  // The deficit idle count owes at most 3 bytes at any moment.
  BOOST_TEST(gap_sum + 3 >= 12 * (out.size() - 1));
  BOOST_TEST(avg < 12.01);
  BOOST_TEST(gap_min >= 9u);
  // Line rate: preamble 8 + frame + IFG 12 per frame fills the words.
  double eff = double(bytes + out.size() * 20) / double(words * 8);
  BOOST_TEST(eff > 0.995);

  // Lane 0 only: never lane 4, gap never below 12.
  out = roundtrip(in, false, words);
  for (size_t i = 0; i < out.size(); ++i) {
    BOOST_TEST(out[i].start_lane == 0u);
    if (i) BOOST_TEST(out[i].gap_before >= 12u);
  }
}

BOOST_AUTO_TEST_CASE(xgmii_error_injection) {
  std::vector<WireFrame> in(4, WireFrame{raw_frame(kSta, kPeer, 80)});
  in[0].error_at = 20;
  in[1].bad_preamble = true;
  in[2].bad_sfd = true;
  in[3].bad_fcs = true;
  uint64_t words;
  auto out = roundtrip(in, true, words);
  BOOST_REQUIRE_EQUAL(out.size(), 4u);
  BOOST_TEST(out[0].error_char);
  BOOST_TEST(!out[1].preamble_ok);
  BOOST_TEST(!out[2].preamble_ok);
  BOOST_TEST(crc32_bitwise(out[3].data.data(), out[3].data.size()) != 0x2144DF1Cu);
}

// A stand-in for the Verilated model's AXI4 master ports (128-bit data).
struct FakeMaster {
  uint8_t m_axi_awid = 0;
  uint64_t m_axi_awaddr = 0;
  uint8_t m_axi_awlen = 0, m_axi_awsize = 4, m_axi_awburst = 1;
  uint8_t m_axi_awvalid = 0, m_axi_awready = 0;
  uint32_t m_axi_wdata[4] = {};
  uint16_t m_axi_wstrb = 0;
  uint8_t m_axi_wlast = 0, m_axi_wvalid = 0, m_axi_wready = 0;
  uint8_t m_axi_bid = 0, m_axi_bresp = 0, m_axi_bvalid = 0, m_axi_bready = 1;
  uint8_t m_axi_arid = 0;
  uint64_t m_axi_araddr = 0;
  uint8_t m_axi_arlen = 0, m_axi_arsize = 4, m_axi_arburst = 1;
  uint8_t m_axi_arvalid = 0, m_axi_arready = 0;
  uint8_t m_axi_rid = 0;
  uint32_t m_axi_rdata[4] = {};
  uint8_t m_axi_rresp = 0, m_axi_rlast = 0, m_axi_rvalid = 0;
  uint8_t m_axi_rready = 1;
  uint8_t rst_ni = 1;  // out of reset
};

struct MemBench {
  FakeMaster m;
  AxiBus bus{};
  SparseMem mem;
  std::unique_ptr<AxiMem> slave;
  std::unique_ptr<AxiChecker> chk;
  uint64_t cycle = 0;
  explicit MemBench(AxiMemConfig c) {
    bus.connect(m);
    slave.reset(new AxiMem(bus, mem, c));
    chk.reset(new AxiChecker(bus));
    slave->drive(0);
  }
  void step() {
    chk->sample(cycle);
    slave->sample(cycle);
    ++cycle;
    slave->drive(cycle);
  }
};

BOOST_AUTO_TEST_CASE(axi_memory_latency_backpressure_and_ids) {
  AxiMemConfig c;
  c.rd_latency = 10;
  c.aw_ready_p = c.w_ready_p = c.ar_ready_p = 0.5;
  c.r_valid_p = 0.7;
  c.ooo_ids = true;
  MemBench b(c);
  // Write 3 bursts of 4 beats with partial strobes on the first beat.
  for (unsigned k = 0; k < 3; ++k) {
    b.m.m_axi_awaddr = 0x1000 + 0x40 * k + 4;  // unaligned start
    b.m.m_axi_awlen = 3;
    b.m.m_axi_awid = uint8_t(k);
    b.m.m_axi_awvalid = 1;
    while (true) {
      bool f = b.m.m_axi_awready;
      b.step();
      if (f) break;
    }
    b.m.m_axi_awvalid = 0;
    for (unsigned beat = 0; beat < 4; ++beat) {
      for (unsigned w = 0; w < 4; ++w) b.m.m_axi_wdata[w] = (k << 24) | (beat << 8) | w;
      b.m.m_axi_wstrb = beat == 0 ? 0xfff0 : 0xffff;
      b.m.m_axi_wlast = beat == 3;
      b.m.m_axi_wvalid = 1;
      while (true) {
        bool f = b.m.m_axi_wready;
        b.step();
        if (f) break;
      }
      b.m.m_axi_wvalid = 0;
    }
  }
  for (int i = 0; i < 50; ++i) b.step();
  BOOST_TEST(b.slave->writes == 3u);
  BOOST_TEST(b.mem.rd32(0x1000) == 0u);  // strobe off
  BOOST_TEST(b.mem.rd32(0x1004) == 1u);
  BOOST_TEST(b.mem.rd32(0x1040 + 0x10) == ((1u << 24) | (1u << 8)));
  // Issue 3 reads on IDs 0,1,0 and collect R beats.
  uint64_t addrs[3] = {0x1000, 0x1040, 0x1080};
  uint8_t ids[3] = {0, 1, 0};
  std::vector<std::pair<unsigned, uint32_t>> got;
  unsigned issued = 0;
  uint64_t start = b.cycle;
  while (got.size() < 12 && b.cycle - start < 1000) {
    if (issued < 3) {
      b.m.m_axi_araddr = addrs[issued];
      b.m.m_axi_arid = ids[issued];
      b.m.m_axi_arlen = 3;
      b.m.m_axi_arvalid = 1;
    }
    bool ar_fire = b.m.m_axi_arvalid && b.m.m_axi_arready;
    if (b.m.m_axi_rvalid) got.push_back({b.m.m_axi_rid, b.m.m_axi_rdata[1]});
    b.step();
    if (ar_fire) {
      ++issued;
      b.m.m_axi_arvalid = 0;
    }
  }
  BOOST_REQUIRE_EQUAL(got.size(), 12u);
  // Per ID in order: ID 0 sees burst 0 then burst 2.
  std::vector<uint32_t> id0;
  for (auto& g : got)
    if (g.first == 0) id0.push_back(g.second >> 24);
  BOOST_REQUIRE_EQUAL(id0.size(), 8u);
  for (int i = 0; i < 4; ++i) BOOST_TEST(id0[i] == 0u);
  for (int i = 4; i < 8; ++i) BOOST_TEST(id0[i] == 2u);
  BOOST_TEST(b.chk->ok(), (b.chk->ok() ? "" : b.chk->violations().front()));
}

BOOST_AUTO_TEST_CASE(axi_checker_fires_on_violations) {
  AxiMemConfig c;
  c.aw_ready_p = 0.0001;  // AW waits: payload must stay
  MemBench b(c);
  b.m.m_axi_awaddr = 0x1ff0;  // 2 beats from 0x1ff0 cross 4 KiB
  b.m.m_axi_awlen = 1;
  b.m.m_axi_awsize = 3;  // not the full width
  b.m.m_axi_awvalid = 1;
  b.step();
  b.m.m_axi_awaddr = 0x2000;  // changed while waiting
  b.step();
  b.m.m_axi_awvalid = 0;  // dropped before ready
  b.step();
  BOOST_TEST(b.chk->violations().size() >= 2u);
  c.aw_ready_p = 1;
  MemBench b2(c);
  b2.m.m_axi_awaddr = 0x1ff0;
  b2.m.m_axi_awlen = 1;
  b2.m.m_axi_awsize = 3;
  b2.m.m_axi_awvalid = 1;
  b2.step();
  b2.m.m_axi_awvalid = 0;
  b2.m.m_axi_wvalid = 1;
  b2.m.m_axi_wlast = 1;  // WLAST on beat 1 of 2
  b2.m.m_axi_wstrb = 0xffff;
  for (int i = 0; i < 3; ++i) b2.step();
  bool saw_4k = false, saw_size = false, saw_last = false;
  for (auto& v : b2.chk->violations()) {
    saw_4k |= v.find("4 KiB") != std::string::npos;
    saw_size |= v.find("SIZE") != std::string::npos;
    saw_last |= v.find("WLAST") != std::string::npos;
  }
  BOOST_TEST(saw_4k);
  BOOST_TEST(saw_size);
  BOOST_TEST(saw_last);
}

// AMBA AXI A3.1.2: while the master is in reset its VALIDs mean nothing (a
// Verilated model's outputs start as anything before the first reset
// clock), and a reset ends every transaction. The memory takes nothing and
// answers nothing then; the checker checks nothing but VALID low after the
// first reset clock.
BOOST_AUTO_TEST_CASE(axi_memory_and_checker_ignore_what_a_master_in_reset_offers) {
  MemBench b(AxiMemConfig{});
  b.m.rst_ni = 0;
  b.m.m_axi_awvalid = 1;  // as a model may start: VALID high before its first reset clock
  b.m.m_axi_awaddr = 0x2000;
  b.m.m_axi_arvalid = 1;
  b.m.m_axi_araddr = 0x3000;
  b.step();
  BOOST_TEST(b.chk->ok(), "the checker judged the clock before the first reset edge");
  BOOST_TEST(!b.m.m_axi_awready);
  BOOST_TEST(!b.m.m_axi_arready);
  b.step();  // still offered after a reset clock: a protocol error
  BOOST_TEST(!b.chk->ok());
  b.m.m_axi_awvalid = b.m.m_axi_arvalid = 0;
  b.m.rst_ni = 1;
  for (int i = 0; i < 100; ++i) b.step();
  BOOST_TEST(!b.m.m_axi_bvalid, "a B for a write offered during reset");
  BOOST_TEST(!b.m.m_axi_rvalid, "an R for a read offered during reset");
  BOOST_TEST(b.slave->writes == 0u);
  BOOST_TEST(b.slave->reads == 0u);
}
