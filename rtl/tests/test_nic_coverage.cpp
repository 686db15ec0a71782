// SPDX-License-Identifier: MIT
// The cases make coverage found no other test reaching (rtl/README.md,
// "Coverage"), each checked against the behaviour rtl/README.md states:
// XGMII corner cases of the MAC (a frame whose /T/ is in its first data
// word, /S/ in lane 4 with a bad preamble in either half, /E/ ending a
// lane-0 or lane-4 frame, a jabber frame past the 16-bit length), bursts
// across two 4 KiB boundaries and a multi-descriptor frame whose first
// buffer crosses one, a queue disabled while its frame waits for a
// descriptor, DROP_EN set while a frame waits (RNBC once, then RQDPC), drops
// queued behind a slow delivery, RDH writes refused, a queue re-enabled
// while busy, a descriptor read cut at 4 KiB, an MSI-X request held by its
// ready, counters read in the clock they count, and the idle-skip against
// clocks evaluated one by one.
#define BOOST_TEST_MODULE nic_coverage
#include "rtl/tests/nic_fixture.hpp"

#include <functional>
#include <map>
#include <string>
#include <vector>

#include "Vnic_top.h"
#include "Vnic_top___024root.h"
#include "verilator/vh/idle_skip.hpp"

using namespace rxt;
using Fix = NicFixture<Vnic_top>;

namespace {

using Chars = std::vector<XgmiiChar>;

// XGMII characters: n idles; data bytes; /S/ with the preamble and SFD
// (bad_at: that preamble byte, 0..5, becomes 0x54); a frame with its FCS.
void add_idles(Chars& c, unsigned n) {
  for (unsigned i = 0; i < n; ++i) c.push_back({XGMII_IDLE, true});
}
void add_bytes(Chars& c, const Bytes& b) {
  for (uint8_t x : b) c.push_back({x, false});
}
void add_start(Chars& c, int bad_at = -1) {
  c.push_back({XGMII_START, true});
  for (int i = 0; i < 6; ++i) c.push_back({uint8_t(i == bad_at ? 0x54 : ETH_PREAMBLE), false});
  c.push_back({ETH_SFD, false});
}
void add_ctrl(Chars& c, uint8_t ch) { c.push_back({ch, true}); }

// Counters a frame may land in (rtl/README.md, "Classes and counters").
const std::vector<std::pair<const char*, uint32_t>> kCounters = {
    {"TPR", R::E1000_TPR},           {"GPRC", R::E1000_GPRC},
    {"RXERRC", R::E1000_RXERRC},     {"RUC", R::E1000_RUC},
    {"RFC", R::E1000_RFC},           {"ROC", R::E1000_ROC},
    {"RJC", R::E1000_RJC},           {"CRCERRS", R::E1000_CRCERRS},
    {"RXP_AFDC", R::E1000_RXP_AFDC}, {"RXP_RXDIS", R::E1000_RXP_RXDIS},
    {"MPC", R::E1000_MPC},           {"RNBC", R::E1000_RNBC},
    {"RQDPC0", R::E1000_RQDPC(0)}};

// Reads (and so clears) every counter; those not in `want` must be 0.
void expect_counts(Fix& f, const std::map<std::string, uint32_t>& want) {
  for (const auto& c : kCounters) {
    const uint32_t v = f.rd(c.second);
    const auto it = want.find(c.first);
    const uint32_t w = it == want.end() ? 0 : it->second;
    BOOST_TEST(v == w, c.first << " = " << v << ", expected " << w);
  }
}
void clear_counts(Fix& f) {
  for (const auto& c : kCounters) f.rd(c.second);
  f.rd(R::E1000_TORL);
  f.rd(R::E1000_TORH);
}

void wire_idle(Fix& f) {
  f.env.sim.run_until([&] { return !f.env.xgmii.enc.busy(); }, 5000000, "wire to drain");
}

// The host's view of a frame on the wire: data, FCS appended.
Bytes fcs_of(const Bytes& b) { return with_fcs(b); }

}  // namespace

// Each sequence starts at lane 0 of a word on an idle line and is followed
// by a good frame, which must be delivered: the MAC is back in step.
BOOST_AUTO_TEST_CASE(mac_lane_and_framing_corner_cases) {
  Fix f;
  f.setup(Setup{});
  const Bytes frame64 = raw_frame(kStation, kPeer, 64, 7);  // 68 bytes with the FCS
  struct Case {
    const char* what;
    Chars chars;
    std::map<std::string, uint32_t> want;
    std::vector<Bytes> good;  // frames inside `chars` that must be delivered
    uint32_t tor = ~0u;       // TORL expected, when checked
  };
  std::vector<Case> cases;
  {
    // /T/ in the first data word (no word pending): a 5-byte frame, one byte
    // and its FCS: length < 64 with a good FCS is RUC; TOR adds 5.
    Case c{"5-byte frame ending in its first data word", {}, {{"TPR", 1}, {"RUC", 1}}, {}, 5};
    add_start(c.chars);
    add_bytes(c.chars, fcs_of(Bytes{0x42}));
    add_ctrl(c.chars, XGMII_TERM);
    add_idles(c.chars, 18);
    cases.push_back(c);
  }
  {
    // SFD, then /T/: a frame with no byte before /T/ counts TPR + RXERRC,
    // TOR not incremented.
    Case c{"/T/ right after the SFD", {}, {{"TPR", 1}, {"RXERRC", 1}}, {}, 0};
    add_start(c.chars);
    add_ctrl(c.chars, XGMII_TERM);
    add_idles(c.chars, 15);
    cases.push_back(c);
  }
  {
    // /S/ in lane 4, the first half of the preamble (lanes 5-7) wrong.
    Case c{"/S/ in lane 4, bad preamble in lane 5", {}, {{"TPR", 1}, {"RXERRC", 1}}, {}, 0};
    add_idles(c.chars, 4);
    add_start(c.chars, 0);
    add_bytes(c.chars, fcs_of(frame64));
    add_ctrl(c.chars, XGMII_TERM);
    add_idles(c.chars, 15);
    cases.push_back(c);
  }
  {
    // /S/ in lane 4, the next word ends (/T/) before the SFD.
    Case c{"/S/ in lane 4, /T/ inside the preamble", {}, {{"TPR", 1}, {"RXERRC", 1}}, {}, 0};
    add_idles(c.chars, 4);
    c.chars.push_back({XGMII_START, true});
    add_bytes(c.chars, {0x55, 0x55, 0x55, 0x55, 0x55});
    add_ctrl(c.chars, XGMII_TERM);
    add_idles(c.chars, 13);
    cases.push_back(c);
  }
  {
    // A lane-0 frame cut by /E/ with idles after it in the same word: a
    // framing error (RXERRC).
    Case c{"lane-0 frame ended by /E/ and idles", {}, {{"TPR", 1}, {"RXERRC", 1}}, {}};
    add_start(c.chars);
    add_bytes(c.chars, frame64);  // 8 + 64: /E/ in lane 0
    add_ctrl(c.chars, XGMII_ERROR);
    add_idles(c.chars, 15);
    cases.push_back(c);
  }
  {
    // The same for a frame started in lane 4.
    Case c{"lane-4 frame ended by /E/ and idles", {}, {{"TPR", 1}, {"RXERRC", 1}}, {}};
    add_idles(c.chars, 4);
    add_start(c.chars);
    add_bytes(c.chars, fcs_of(frame64));  // 12 + 68: /E/ in lane 0
    add_ctrl(c.chars, XGMII_ERROR);
    add_idles(c.chars, 15);
    cases.push_back(c);
  }
  {
    // A lane-4 frame cut by /E/ and an idle, /S/ in lane 4 of the same
    // word: the first frame is a framing error, the second is received.
    const Bytes second = udp_frame_len(kStation, kPeer, 120, 3);
    Case c{"lane-4 frame ended by /E/, /S/ in lane 4 of the same word",
           {},
           {{"TPR", 2}, {"RXERRC", 1}, {"GPRC", 1}},
           {second}};
    add_idles(c.chars, 4);
    add_start(c.chars);
    add_bytes(c.chars, fcs_of(frame64));
    add_ctrl(c.chars, XGMII_ERROR);
    add_idles(c.chars, 3);
    add_start(c.chars);
    add_bytes(c.chars, fcs_of(second));
    add_ctrl(c.chars, XGMII_TERM);
    add_idles(c.chars, 15);
    cases.push_back(c);
  }
  {
    // A lane-4 frame with /E/ inside it: RXERRC once; the rest of the frame
    // up to its /T/ is discarded.
    Case c{"lane-4 frame with /E/ inside", {}, {{"TPR", 1}, {"RXERRC", 1}}, {}};
    add_idles(c.chars, 4);
    add_start(c.chars);
    Chars body;
    add_bytes(body, fcs_of(frame64));
    body[20] = {XGMII_ERROR, true};
    c.chars.insert(c.chars.end(), body.begin(), body.end());
    add_ctrl(c.chars, XGMII_TERM);
    add_idles(c.chars, 15);
    cases.push_back(c);
  }
  {
    // A good frame whose /T/ is in lane 4 of a word after full ones (its
    // tail goes out in the next clock), then, in the next word, /S/ in lane
    // 0 with a bad preamble: both frames count TPR although their events
    // meet in one clock; the first is received.
    const Bytes first = raw_frame(kStation, kPeer, 96, 5);  // 8 + 100: /T/ in lane 4
    Case c{"frame end and a bad preamble in one clock", {}, {{"TPR", 2}, {"RXERRC", 1}, {"GPRC", 1}}, {first}};
    add_start(c.chars);
    add_bytes(c.chars, fcs_of(first));
    add_ctrl(c.chars, XGMII_TERM);
    add_idles(c.chars, 3);
    add_start(c.chars, 2);
    add_bytes(c.chars, fcs_of(frame64));
    add_ctrl(c.chars, XGMII_TERM);
    add_idles(c.chars, 15);
    cases.push_back(c);
  }
  for (const Case& c : cases) {
    BOOST_TEST_CONTEXT(c.what) {
      wire_idle(f);
      f.env.run(8);
      clear_counts(f);
      const uint64_t before = f.sb.delivered;
      for (const Bytes& g : c.good) f.sb.sent(WireFrame{g});
      f.env.xgmii.enc.push_raw(c.chars);
      f.drain();
      BOOST_TEST(f.sb.delivered - before == c.good.size());
      if (c.tor != ~0u) {
        BOOST_TEST(f.rd(R::E1000_TORL) == c.tor);
        BOOST_TEST(f.rd(R::E1000_TORH) == 0u);
      }
      expect_counts(f, c.want);
      // The MAC is in step again: a good frame after it is received.
      f.send(WireFrame{udp_frame_len(kStation, kPeer, 200, 9)});
      f.drain();
      BOOST_TEST(f.sb.delivered - before == c.good.size() + 1);
      f.check_scoreboard();
    }
  }
}

// A frame longer than the 16-bit length field (a jabber): it is oversize
// (ROC with a good FCS), and its length, which saturates at 65535
// (rtl/README.md, MAC), is what TOR adds. Nothing reaches host memory.
BOOST_AUTO_TEST_CASE(jabber_frame_past_the_length_field_is_oversize) {
  Fix f;
  f.setup(Setup{});
  clear_counts(f);
  f.env.xgmii.send(WireFrame{raw_frame(kStation, kPeer, 70000, 1)});
  f.drain();
  BOOST_TEST(f.rd(R::E1000_TORL) == 65535u);
  BOOST_TEST(f.rd(R::E1000_TORH) == 0u);
  expect_counts(f, {{"TPR", 1}, {"ROC", 1}});
  BOOST_TEST(f.writes.empty());
  f.send(WireFrame{udp_frame_len(kStation, kPeer, 300, 2)});
  f.drain();
  f.check_scoreboard();
  BOOST_TEST(f.sb.delivered == 1u);
}

namespace {
// Data bursts (AW of a buffer, not a writeback) of the frames delivered,
// recorded beside the fixture's own ordering checks.
struct AwLog {
  std::vector<AxiEvent> aws;
  void attach(Fix& f) {
    auto prev = f.env.mem_agent.on_event;
    f.env.mem_agent.on_event = [this, prev, &f](const AxiEvent& e) {
      prev(e);
      unsigned q, slot;
      if (e.kind == AxiEvent::AW && !f.in_ring(e.addr, q, slot)) aws.push_back(e);
    };
  }
};
}  // namespace

// 16 KiB buffers starting 0xF05 into a 4 KiB page: a 9000-byte frame spans
// two page boundaries, so it goes out in four bursts (to the first
// boundary, a full page of 256 beats, another, the rest), none across a
// boundary (rtl/README.md, "Data bursts": <= 256 beats, never across 4 KiB).
BOOST_AUTO_TEST_CASE(jumbo_frame_in_bursts_across_two_4k_boundaries) {
  Fix f;
  Setup s;
  s.buf_size = 16384;
  s.count = 64;
  s.rctl_extra = R::E1000_RCTL_LPE;
  s.rlpml = 9018;
  f.setup(s);
  f.env.wr(R::E1000_RXDCTL(0), 0);
  f.rings[0].buf_base = 0x100200000ull + 0xf05;
  f.rings[0].buf_stride = 0x4000;
  f.drv.igb_configure_rx_ring(f.rings[0]);
  AwLog log;
  log.attach(f);
  const unsigned n = 3, len = 9000;
  for (unsigned i = 0; i < n; ++i) f.send(WireFrame{udp_frame_len(kStation, kPeer, len, uint8_t(i))});
  f.drain();
  f.check_scoreboard();
  BOOST_TEST(f.sb.delivered == n);
  BOOST_TEST(f.descs == n);  // one buffer per frame
  BOOST_TEST_REQUIRE(log.aws.size() == 4 * n);
  const uint32_t expect[4] = {0x1000 - 0xf00, 0x1000, 0x1000, 0};
  for (unsigned i = 0; i < log.aws.size(); ++i) {
    const AxiEvent& e = log.aws[i];
    BOOST_TEST((e.addr >> 12) == ((e.addr + e.bytes - 1) >> 12),
               "burst at 0x" << std::hex << e.addr << " crosses 4 KiB");
    BOOST_TEST(e.bytes <= 4096u);
    if (i % 4 < 3) BOOST_TEST(e.bytes == expect[i % 4], "burst " << i % 4 << " of a frame: " << e.bytes << " bytes");
  }
}

// 2 KiB buffers starting 0xC03 into a page: a 3000-byte frame (LPE) takes two
// descriptors, the first of which crosses a 4 KiB boundary (two bursts),
// then the second buffer gets the rest; non-EOP descriptors are full.
BOOST_AUTO_TEST_CASE(multi_descriptor_frame_whose_first_buffer_crosses_4k) {
  Fix f;
  Setup s;
  s.count = 64;
  s.rctl_extra = R::E1000_RCTL_LPE;  // 3000 bytes: a long frame
  s.rlpml = 3018;
  f.setup(s);
  f.env.wr(R::E1000_RXDCTL(0), 0);
  f.rings[0].buf_base = 0x100200000ull + 0xc03;
  f.rings[0].buf_stride = 0x1000;
  f.drv.igb_configure_rx_ring(f.rings[0]);
  AwLog log;
  log.attach(f);
  for (unsigned i = 0; i < 4; ++i) f.send(WireFrame{udp_frame_len(kStation, kPeer, 3000, uint8_t(i))});
  f.drain();
  f.check_scoreboard();
  BOOST_TEST(f.sb.delivered == 4u);
  BOOST_TEST(f.descs == 8u);
  // Per frame: the first buffer in two bursts (to the boundary, then the
  // rest of 2048 bytes), the second buffer (952 bytes, no boundary) in one.
  BOOST_TEST_REQUIRE(log.aws.size() == 12u);
  for (const AxiEvent& e : log.aws)
    BOOST_TEST((e.addr >> 12) == ((e.addr + e.bytes - 1) >> 12),
               "burst at 0x" << std::hex << e.addr << " crosses 4 KiB");
}

// A frame taken by the DMA engine waits for its first descriptor (the
// descriptor read takes long); the queue is disabled meanwhile: the frame
// is dropped and counted in RXP_RXDIS (late: it is also in GPRC), nothing
// is written, and the queue works again once re-enabled (rtl/README.md,
// "Descriptors, RDH, RNBC, RQDPC").
BOOST_AUTO_TEST_CASE(queue_disabled_while_its_frame_waits_for_a_descriptor) {
  AxiMemConfig mc;
  mc.rd_latency = 3000;
  Fix f(mc);
  f.setup(Setup{});
  clear_counts(f);
  f.send(WireFrame{udp_frame_len(kStation, kPeer, 500, 1)});
  f.env.sim.run_until([&] { return f.env.sim.top().obs_take_o != 0; }, 20000, "the DMA engine to take the frame");
  f.env.wr(R::E1000_RXDCTL(0), 0);
  f.env.run(8000);  // the descriptor read's data arrives for the stopped queue
  BOOST_TEST(f.writes.empty(), "the disabled queue's frame was written");
  BOOST_TEST((f.rd(R::E1000_RXDCTL(0)) & R::E1000_RXDCTL_QUEUE_ENABLE) == 0u);
  expect_counts(f, {{"TPR", 1}, {"GPRC", 1}, {"RXP_RXDIS", 1}});
  f.sb.expected.clear();
  f.drv.igb_configure_rx_ring(f.rings[0]);
  f.send(WireFrame{udp_frame_len(kStation, kPeer, 500, 2)});
  f.drain();
  f.check_scoreboard();
  BOOST_TEST(f.sb.delivered == 1u);
}

// Without DROP_EN the head frame waits (RNBC once); setting DROP_EN while
// it waits drops it into RQDPC, without a second RNBC (rtl/README.md: "RNBC
// counts once for that frame").
BOOST_AUTO_TEST_CASE(drop_en_set_while_a_frame_waits) {
  Fix f;
  Setup s;
  s.fill = 0;
  f.setup(s);
  clear_counts(f);
  f.send(WireFrame{udp_frame_len(kStation, kPeer, 300, 1)});
  wire_idle(f);
  f.env.run(2000);
  expect_counts(f, {{"TPR", 1}, {"GPRC", 1}, {"RNBC", 1}});
  f.env.wr(R::E1000_SRRCTL(0), (s.buf_size >> R::E1000_SRRCTL_BSIZEPKT_SHIFT) | R::E1000_SRRCTL_DESCTYPE_ADV_ONEBUF |
                                   R::E1000_SRRCTL_DROP_EN);
  f.env.run(200);
  expect_counts(f, {{"RQDPC0", 1}});
  BOOST_TEST(f.writes.empty());
  f.sb.expected.clear();
  f.drv.igb_alloc_rx_buffers(f.rings[0], 8);
  f.send(WireFrame{udp_frame_len(kStation, kPeer, 300, 2)});
  f.drain();
  f.check_scoreboard();
  BOOST_TEST(f.sb.delivered == 1u);
}

// RDH belongs to the NIC while the queue is enabled, and after
// QUEUE_ENABLE is cleared until the last writeback of what it took is
// answered (RXDCTL reads 1 until then): writes are ignored in both; once
// RXDCTL reads 0, a write is taken (rtl/README.md).
BOOST_AUTO_TEST_CASE(rdh_writes_refused_while_enabled_or_busy) {
  AxiMemConfig mc;
  mc.wr_latency = 3000;  // write responses come late: the writeback stays pending
  Fix f(mc);
  f.setup(Setup{});
  BOOST_TEST(f.rd(R::E1000_RDH(0)) == 0u);
  f.env.wr(R::E1000_RDH(0), 5);
  BOOST_TEST(f.rd(R::E1000_RDH(0)) == 0u, "RDH written while the queue is enabled");
  f.send(WireFrame{udp_frame_len(kStation, kPeer, 200, 1)});
  f.env.sim.run_until([&] { return f.env.sim.top().obs_desc_o != 0; }, 20000, "a descriptor taken");
  f.env.wr(R::E1000_RXDCTL(0), 0);
  BOOST_TEST((f.rd(R::E1000_RXDCTL(0)) & R::E1000_RXDCTL_QUEUE_ENABLE) != 0u, "RXDCTL reads 0 with a writeback due");
  f.env.wr(R::E1000_RDH(0), 9);
  f.env.sim.run_until([&] { return (f.rd(R::E1000_RXDCTL(0)) & R::E1000_RXDCTL_QUEUE_ENABLE) == 0; }, 40000,
                      "RXDCTL.QUEUE_ENABLE to read 0");
  BOOST_TEST(f.rd(R::E1000_RDH(0)) == 1u, "RDH: the writeback's move, not the write");
  f.poll(false);
  BOOST_TEST(f.sb.delivered == 1u);
  f.env.wr(R::E1000_RDH(0), 0);
  BOOST_TEST(f.rd(R::E1000_RDH(0)) == 0u, "RDH write not taken on a disabled, idle queue");
  f.check_scoreboard();
}

// Frames dropped at the head (DROP_EN with no descriptor left, or their
// queue disabled) while the frame before them is still being written, its
// W beats slowed to a trickle: the drops queue up behind it (each frees
// its lines through the line reader, busy with that frame) and every one
// is counted once, in RQDPC and RNBC, or in RXP_RXDIS; the frame being
// written is delivered whole (rtl/README.md, "Descriptors, RDH, RNBC,
// RQDPC").
BOOST_AUTO_TEST_CASE(drops_queue_behind_a_slow_delivery) {
  const unsigned n = 12;
  for (bool disable : {false, true}) {
    BOOST_TEST_CONTEXT((disable ? "queue disabled" : "DROP_EN")) {
      AxiMemConfig mc;
      mc.w_ready_p = 0.02;
      Fix f(mc);
      Setup s;
      s.fill = 1;  // one descriptor: for the first frame
      s.drop_en = !disable;
      f.setup(s);
      clear_counts(f);
      f.send(WireFrame{udp_frame_len(kStation, kPeer, 1500, 1)});
      for (unsigned i = 0; i < n; ++i) f.env.xgmii.send(WireFrame{udp_frame_len(kStation, kPeer, 60, uint8_t(10 + i))});
      wire_idle(f);
      if (disable) {
        f.env.run(200);
        f.env.wr(R::E1000_RXDCTL(0), 0);
      }
      f.env.run(30000);
      f.poll(false);
      BOOST_TEST(f.sb.delivered == 1u);
      if (disable)
        expect_counts(f, {{"TPR", n + 1}, {"GPRC", n + 1}, {"RNBC", 1}, {"RXP_RXDIS", n}});
      else
        expect_counts(f, {{"TPR", n + 1}, {"GPRC", n + 1}, {"RNBC", n}, {"RQDPC0", n}});
      f.check_scoreboard();
    }
  }
}

// The same with a frame of two descriptors behind the drops: its second
// descriptor waits for room among the read jobs, the queue is disabled
// then, so the frame keeps its first descriptor, written back with DD and
// without EOP, and counts in RXP_RXDIS (rtl/README.md, "Known
// simplifications": a queue disabled in the middle of a multi-descriptor
// frame leaves the written descriptors without EOP; the rest is counted in
// RXP_RXDIS).
BOOST_AUTO_TEST_CASE(queue_disabled_while_a_split_frame_waits_behind_drops) {
  AxiMemConfig mc;
  mc.w_ready_p = 0.005;
  Fix f(mc);
  Setup s;
  s.buf_size = 1024;
  s.fill = 3;  // one descriptor for the first frame, two for the last
  s.drop_en = true;
  s.rctl_extra = R::E1000_RCTL_LPE;
  s.rlpml = 3100;
  f.setup(s);
  clear_counts(f);
  unsigned taken = 0;
  f.env.sim.on_cycle.push_back([&](uint64_t) { taken += f.env.sim.top().obs_desc_o; });
  const unsigned drops = 8;
  f.send(WireFrame{udp_frame_len(kStation, kPeer, 1000, 1)});
  for (unsigned i = 0; i < drops; ++i)  // three descriptors each, two left: RQDPC
    f.env.xgmii.send(WireFrame{udp_frame_len(kStation, kPeer, 3000, uint8_t(10 + i))});
  f.env.xgmii.send(WireFrame{udp_frame_len(kStation, kPeer, 2000, 2)});  // two descriptors
  f.env.sim.run_until([&] { return taken == 2; }, 200000, "the split frame's first descriptor");
  f.env.wr(R::E1000_RXDCTL(0), 0);
  f.env.run(80000);
  BOOST_TEST(taken == 2u);
  const RxWriteback wb = f.drv.read_wb(f.rings[0], 1);
  BOOST_TEST((wb.status_error & R::E1000_RXD_STAT_DD) != 0u);
  BOOST_TEST((wb.status_error & R::E1000_RXD_STAT_EOP) == 0u);
  BOOST_TEST(wb.length == 1024u);
  BOOST_TEST(f.drv.read_wb(f.rings[0], 2).length == 0u, "the split frame's second descriptor was used");
  expect_counts(f, {{"TPR", drops + 2}, {"GPRC", drops + 2}, {"RNBC", drops}, {"RQDPC0", drops}, {"RXP_RXDIS", 1}});
  BOOST_TEST((f.rd(R::E1000_RXDCTL(0)) & R::E1000_RXDCTL_QUEUE_ENABLE) == 0u);
  // The first frame is delivered whole.
  const auto d = f.drv.igb_clean_rx_irq(f.rings[0], 1, false);
  f.sb.received(d, 0);
  BOOST_TEST(f.sb.delivered == 1u);
  f.sb.expected.clear();
  f.check_scoreboard();
}

// A queue disabled and enabled again while the writeback of the frame it
// took is still unanswered restarts only after that writeback, from the
// final RDH: the next frame waits, then lands in the next slot (rtl/README.md:
// "re-enabling before then restarts the queue only after it (from the final
// RDH)").
BOOST_AUTO_TEST_CASE(queue_reenabled_while_busy_restarts_from_the_final_rdh) {
  AxiMemConfig mc;
  mc.wr_latency = 3000;
  Fix f(mc);
  f.setup(Setup{});
  const uint32_t en = f.rd(R::E1000_RXDCTL(0));
  // Written into a buffer of slot `slot` so far.
  auto wrote_buf = [&f](unsigned slot) {
    for (const auto& w : f.writes) {
      unsigned q = 0, k = 0;
      if (f.in_buf(w.addr, q, k) && k == slot) return true;
    }
    return false;
  };
  auto wrote_ring = [&f] {
    for (const auto& w : f.writes) {
      unsigned q = 0, k = 0;
      if (f.in_ring(w.addr, q, k)) return true;
    }
    return false;
  };
  f.send(WireFrame{udp_frame_len(kStation, kPeer, 200, 1)});
  // Its data and writeback written, the writeback's response 3000 clocks away.
  f.env.sim.run_until(wrote_ring, 20000, "the first frame's writeback");
  f.env.wr(R::E1000_RXDCTL(0), 0);
  f.env.wr(R::E1000_RXDCTL(0), en);
  f.env.wr(R::E1000_RDT(0), f.rings[0].next_to_use);  // the tail after enabling, as igb does
  f.send(WireFrame{udp_frame_len(kStation, kPeer, 300, 2)});
  wire_idle(f);
  f.env.run(1000);
  BOOST_TEST(f.rd(R::E1000_RDH(0)) == 0u, "the first writeback is still unanswered");
  BOOST_TEST(!wrote_buf(1), "the second frame was written before the queue restarted");
  f.drain();
  f.check_scoreboard();
  BOOST_TEST(f.sb.delivered == 2u);
  BOOST_TEST(f.rd(R::E1000_RDH(0)) == 2u);
}

// A ring whose base is 0x810 into a 4 KiB page: the descriptor read that
// reaches the page's end (at 0xF10) takes the 15 descriptors up to the
// boundary, not 16 (rtl/README.md, "Prefetch": min(16, free places,
// available, up to the ring end, up to the next 4 KiB boundary)).
BOOST_AUTO_TEST_CASE(descriptor_read_cut_at_the_4k_boundary) {
  Fix f;
  Setup s;
  s.count = 512;
  f.setup(s);
  f.env.wr(R::E1000_RXDCTL(0), 0);
  f.rings[0].desc_base += 0x810;
  f.drv.igb_configure_rx_ring(f.rings[0]);
  std::vector<AxiEvent> ars;
  auto prev = f.env.mem_agent.on_event;
  f.env.mem_agent.on_event = [&ars, prev](const AxiEvent& e) {
    prev(e);
    if (e.kind == AxiEvent::AR) ars.push_back(e);
  };
  for (unsigned i = 0; i < 200; ++i) f.send(WireFrame{udp_frame_len(kStation, kPeer, 60, uint8_t(i))});
  f.drain();
  f.check_scoreboard();
  BOOST_TEST(f.sb.delivered == 200u);
  bool cut = false;
  for (const AxiEvent& e : ars) {
    BOOST_TEST((e.addr >> 12) == ((e.addr + e.bytes - 1) >> 12),
               "read at 0x" << std::hex << e.addr << " crosses 4 KiB");
    if ((e.addr & 0xfff) == 0xf10) {
      BOOST_TEST(e.bytes == 15u * R::RX_DESC_BYTES);
      cut = true;
    }
  }
  BOOST_TEST(cut, "no descriptor read reached the 4 KiB boundary");
}

// The MSI-X request stays up with its vector until msix_ready_i, and one
// message goes (rtl/README.md, Interrupts).
BOOST_AUTO_TEST_CASE(msix_request_held_until_ready) {
  Fix f;
  f.setup(Setup{});
  f.env.msix.ready = false;
  f.env.wr(R::E1000_EICS, 1);
  f.env.sim.run_until([&] { return f.env.sim.top().msix_valid_o != 0; }, 100, "the MSI-X request");
  for (int i = 0; i < 50; ++i) {
    f.env.run(1);
    BOOST_TEST(f.env.sim.top().msix_valid_o == 1u);
    BOOST_TEST(f.env.sim.top().msix_vector_o == 0u);
  }
  BOOST_TEST(f.env.msix.msgs.empty());
  f.env.msix.ready = true;
  f.env.run(20);
  BOOST_TEST_REQUIRE(f.env.msix.msgs.size() == 1u);
  BOOST_TEST(f.env.msix.msgs[0].vector == 0u);
  BOOST_TEST(f.env.sim.top().msix_valid_o == 0u);
}

// IVAR_MISC reads back what was written (no other causes in the model).
BOOST_AUTO_TEST_CASE(ivar_misc_reads_back) {
  Fix f;
  BOOST_TEST(f.rd(R::E1000_IVAR_MISC) == R::E1000_IVAR_MISC_RESET);
  f.env.wr(R::E1000_IVAR_MISC, 0x81u);
  BOOST_TEST(f.rd(R::E1000_IVAR_MISC) == 0x81u);
}

// Clear on read keeps an increment of the same clock for the next read
// (rtl/README.md, "Classes and counters"): reads back to back at every
// phase against the frames' events, the sum of what they return is every
// frame, for TPR (frames for another station, dropped at the filter) and
// for RQDPC and RNBC (frames dropped at the head for want of descriptors).
BOOST_AUTO_TEST_CASE(counters_read_in_the_clock_they_count) {
  {
    Fix f;
    f.setup(Setup{});
    clear_counts(f);
    uint64_t sum = 0;
    const unsigned n = 16;
    for (unsigned phase = 0; phase < n; ++phase) {
      f.env.xgmii.send(WireFrame{raw_frame(kOther, kPeer, 60, uint8_t(phase))});
      f.env.run(phase);
      for (int i = 0; i < 40; ++i) sum += f.rd(R::E1000_TPR);
    }
    wire_idle(f);
    f.env.run(100);
    sum += f.rd(R::E1000_TPR);
    BOOST_TEST(sum == n);
    BOOST_TEST(f.rd(R::E1000_RXP_AFDC) == n);
  }
  {
    Fix f;
    Setup s;
    s.fill = 0;
    s.drop_en = true;
    f.setup(s);
    clear_counts(f);
    uint64_t rqdpc = 0, rnbc = 0;
    const unsigned n = 16;
    for (unsigned phase = 0; phase < n; ++phase) {
      f.env.xgmii.send(WireFrame{udp_frame_len(kStation, kPeer, 60, uint8_t(phase))});
      f.env.run(phase);
      for (int i = 0; i < 30; ++i) {
        rqdpc += f.rd(R::E1000_RQDPC(0));
        rnbc += f.rd(R::E1000_RNBC);
      }
    }
    wire_idle(f);
    f.env.run(500);
    rqdpc += f.rd(R::E1000_RQDPC(0));
    rnbc += f.rd(R::E1000_RNBC);
    BOOST_TEST(rqdpc == n);
    BOOST_TEST(rnbc == n);
    BOOST_TEST(f.writes.empty());
  }
}

namespace {
// One idle-skip as the SystemC bridge makes it (verilator/sc/nic_sc.cpp,
// try_skip): n clocks taken as evaluated, then one clock evaluated with
// skip_cycles_i = n. Only while quiescent_o is high and nothing is due.
void skip(Fix& f, uint64_t n) {
  BOOST_REQUIRE(f.env.sim.top().quiescent_o);
  f.env.sim.skip(n);
  f.env.xgmii.enc.skip_idle(n);
  f.env.sim.top().skip_cycles_i = static_cast<uint16_t>(n);
  f.env.sim.step();
}
void run_to_quiescent(Fix& f) {
  f.env.sim.run_until([&] { return f.env.sim.top().quiescent_o != 0; }, 100000, "quiescent_o");
}

// What one run shows: the cycle it became quiescent, the EITR counter
// after 40001 clocks, the cycle it became quiescent again with a cause
// waiting for the interval, the cycle and vector of the message.
struct EitrRun {
  uint64_t quiet1 = 0, quiet2 = 0, msg = 0;
  uint32_t counter = 0;
  unsigned vector = 99;
};
constexpr uint64_t kSkipClocks = 40000;

// skipping: the 40001 clocks as one skip, and the wait for the interval's
// end skipped as far as vh::skip_limit_eitr allows; else every clock
// evaluated. (One fixture at a time: Verilator 5.006 hangs destroying a
// model while another context is alive in the thread.)
EitrRun eitr_run(bool skipping) {
  EitrRun r;
  Fix f;
  f.setup(Setup{});
  f.env.wr(R::E1000_EITR(0), 1000u << R::E1000_EITR_ITR_COUNTER_LSB);  // counter loaded: 1000 us
  run_to_quiescent(f);
  r.quiet1 = f.env.sim.cycle();
  if (skipping)
    skip(f, kSkipClocks);
  else
    f.env.run(kSkipClocks + 1);
  r.counter = (f.rd(R::E1000_EITR(0)) & R::E1000_EITR_ITR_COUNTER) >> R::E1000_EITR_ITR_COUNTER_LSB;
  f.env.msix.msgs.clear();
  f.env.wr(R::E1000_EITR(0), 30u << R::E1000_EITR_ITR_COUNTER_LSB);
  f.env.wr(R::E1000_EICS, 1);
  run_to_quiescent(f);
  r.quiet2 = f.env.sim.cycle();
  if (skipping) {
    const uint64_t lim = rxpath::vh::skip_limit_eitr(*f.env.sim.top().rootp);
    BOOST_TEST_REQUIRE(lim != UINT64_MAX, "no vector waits on its interval");
    BOOST_TEST_REQUIRE(lim > 2u);
    skip(f, lim - 1);
  }
  f.env.sim.run_until([&] { return !f.env.msix.msgs.empty(); }, 20000, "the MSI-X message after the interval");
  r.msg = f.env.msix.msgs[0].cycle;
  r.vector = f.env.msix.msgs[0].vector;
  return r;
}
}  // namespace

// The idle-skip moves the microsecond time base as the skipped clocks
// would have (rtl/README.md, "Quiescence and the idle-skip"): a running
// EITR counter reads the same after a skip of n clocks as after n + 1
// clocks evaluated one by one, and a vector waiting on its interval, with
// a skip up to vh::skip_limit_eitr, sends its message at the same clock.
BOOST_AUTO_TEST_CASE(idle_skip_keeps_the_eitr_time_base) {
  const EitrRun a = eitr_run(true), b = eitr_run(false);
  BOOST_TEST_REQUIRE(a.quiet1 == b.quiet1);
  BOOST_TEST(a.counter == b.counter);
  // 40001 clocks of 6.4 ns are 256 us: the counter ran down by 256 (+-1 for
  // the phase of the microsecond tick).
  BOOST_TEST(a.counter <= 1000u - 255u);
  BOOST_TEST(a.counter >= 1000u - 257u);
  BOOST_TEST_REQUIRE(a.quiet2 == b.quiet2);
  BOOST_TEST(a.msg == b.msg);
  BOOST_TEST(a.vector == 0u);
  // The interval was 30 us after the EITR write: the message cannot come
  // before 30 us (4687 clocks) from it.
  BOOST_TEST(a.msg > a.quiet2);
}
