// SPDX-License-Identifier: MIT
// Device reset and master disable in the middle of DMA.
//
// Oracles:
//  - AMBA AXI spec (A3.2.1, A3.3): a VALID stays up until its READY; a write
//    burst sends all AWLEN+1 beats to WLAST; a read burst returns all beats
//    to RLAST. The AXI4 protocol checker of the harness throws on the first
//    violation, and a reset must leave the memory with nothing outstanding.
//  - Linux igb igb_disable_pcie_master (e1000_mac.c), called by
//    igb_reset_hw_82575 before CTRL.RST: set CTRL.GIO_MASTER_DISABLE, then
//    poll STATUS.GIO_MASTER_ENABLE until it reads 0 (MASTER_DISABLE_TIMEOUT
//    polls); from then on the device starts no master request.
//  - After the reset the driver programs the device from scratch
//    (igb_configure_rx_ring, igb_setup_rctl) and frames are delivered and
//    counted (GPRC) again.
#define BOOST_TEST_MODULE nic_reset
#include "rtl/tests/nic_fixture.hpp"

#include "Vnic_top.h"

using namespace rxt;
using Fix = NicFixture<Vnic_top>;

namespace {

// Transactions the memory has accepted and not finished (AW to B, AR to
// last R), from the memory agent's events; chained after the fixture's own
// ordering checks.
struct Outstanding {
  int64_t wr = 0, rd = 0;
  uint64_t aw = 0, ar = 0;
  void attach(Fix& f) {
    auto prev = f.env.mem_agent.on_event;
    f.env.mem_agent.on_event = [this, prev](const AxiEvent& e) {
      if (prev) prev(e);
      switch (e.kind) {
        case AxiEvent::AW:
          ++wr, ++aw;
          break;
        case AxiEvent::B:
          --wr;
          break;
        case AxiEvent::AR:
          ++rd, ++ar;
          break;
        case AxiEvent::RDONE:
          --rd;
          break;
        default:
          break;
      }
    };
  }
};

// Whenever the device reset is in effect (after power-on), nothing may be
// offered or outstanding on the AXI master: every burst finished first.
struct ResetWatch {
  uint64_t resets = 0;
  std::vector<std::string> errors;
  void attach(Fix& f) {
    f.env.sim.on_cycle.push_back([this, &f](uint64_t c) {
      auto& t = f.env.sim.top();
      if (!t.obs_dev_rst_o || c < 20) return;
      ++resets;
      if (!f.env.mem_agent.idle() || t.m_axi_awvalid || t.m_axi_wvalid || t.m_axi_arvalid)
        errors.push_back("device reset at cycle " + std::to_string(c) + " with AXI transactions outstanding");
    });
  }
};

std::vector<WireFrame> burst(uint8_t seed) {
  // Small and large frames: the large ones take several data bursts, the
  // small ones many descriptors (so the cache refills mid-traffic).
  std::vector<WireFrame> v;
  const size_t lens[] = {1514, 64, 900, 60, 1200, 128, 60, 1514, 300, 60, 60, 700};
  for (int r = 0; r < 2; ++r)
    for (size_t l : lens) v.push_back(WireFrame{udp_frame_len(kStation, kPeer, l, uint8_t(seed + v.size()))});
  return v;
}

Setup reset_setup() {
  Setup s;
  s.count = 64;
  s.fill = 20;  // small first fill: the driver refills while traffic runs
  return s;
}

// The cycle span, from the first frame sent, during which the NIC has DMA
// in flight for the burst (no reset): the sweep spreads its points over it.
std::pair<uint64_t, uint64_t> dma_span(const AxiMemConfig& mc) {
  Fix f(mc);
  Outstanding o;
  o.attach(f);
  f.setup(reset_setup());
  const uint64_t t0 = f.env.sim.cycle();
  uint64_t first = 0, last = 0;
  f.env.sim.on_cycle.push_back([&](uint64_t c) {
    if (o.wr + o.rd > 0 || f.env.sim.top().m_axi_awvalid || f.env.sim.top().m_axi_arvalid) {
      if (!first) first = c - t0;
      last = c - t0;
    }
  });
  for (auto& w : burst(0)) f.send(w);
  f.drain();
  f.check_scoreboard();
  BOOST_REQUIRE(f.sb.delivered == 24u);
  return {first, last};
}

struct SweepResult {
  unsigned points = 0, with_writes = 0, with_reads = 0;
};

// One reset point: traffic, CTRL.RST `at` cycles after the first frame, then
// igb's reprogramming and ten frames that must be delivered and counted.
void reset_at(const AxiMemConfig& mc, uint64_t at, SweepResult& res) {
  Fix f(mc);
  Setup s = reset_setup();
  Outstanding o;
  o.attach(f);
  f.setup(s);
  ResetWatch w;
  w.attach(f);
  for (auto& fr : burst(uint8_t(at))) f.send(fr);
  // The driver keeps refilling while the frames come (igb_clean_rx_irq).
  for (uint64_t t = 0; t < at; t += 64) {
    f.env.run(std::min<uint64_t>(64, at - t));
    f.poll();
  }
  const bool wr_out = o.wr > 0 || f.env.sim.top().m_axi_awvalid;
  const bool rd_out = o.rd > 0 || f.env.sim.top().m_axi_arvalid;
  res.with_writes += wr_out;
  res.with_reads += rd_out;
  ++res.points;
  f.env.wr(R::E1000_CTRL, f.rd(R::E1000_CTRL) | R::E1000_CTRL_RST);
  // igb_reset_hw_82575 waits before touching the device again; here the bit
  // is polled (bounded) until the reset has happened.
  unsigned polls = 0;
  while (f.rd(R::E1000_CTRL) & R::E1000_CTRL_RST) {
    BOOST_REQUIRE_MESSAGE(++polls < 200, "CTRL.RST still pending, point " << at);
    f.env.run(32);
  }
  BOOST_TEST(w.resets > 0u, "no device reset at point " << at);
  for (auto& e : w.errors) BOOST_ERROR(e << " (point " << at << ")");
  BOOST_TEST(o.wr == 0);
  BOOST_TEST(o.rd == 0);
  f.env.sim.run_until([&] { return !f.env.xgmii.enc.busy(); }, 1000000, "wire to drain");
  f.env.run(500);
  BOOST_TEST(f.rd(R::E1000_RCTL) == R::E1000_RCTL_RESET);
  BOOST_TEST(f.rd(R::E1000_RDH(0)) == 0u);
  // igb_configure_rx_ring and the rest of igb_configure, from scratch.
  f.sb = Scoreboard(f.sb.cfg);
  f.setup(s);
  const uint64_t aw_before = o.aw;
  for (int i = 0; i < 10; ++i) f.send(WireFrame{udp_frame_len(kStation, kPeer, 200 + 100 * i, uint8_t(200 + i))});
  f.drain();
  f.check_scoreboard();
  BOOST_TEST(f.sb.delivered == 10u, "point " << at << ": " << f.sb.delivered << " frames after the reset");
  BOOST_TEST(f.sb.missing == 0u);
  BOOST_TEST(f.rd(R::E1000_GPRC) == 10u, "point " << at);
  BOOST_TEST(o.aw - aw_before >= 20u);  // a data burst and a writeback per frame at least
}

// One queue restart point: RXDCTL.QUEUE_ENABLE cleared `at` cycles after the
// first frame and polled until it reads 0 (e1000_rx_fifo_flush_82575), then
// igb_configure_rx_ring; ten frames after it must be delivered and counted.
void rxdctl_at(const AxiMemConfig& mc, uint64_t at, SweepResult& res) {
  Fix f(mc);
  Setup s = reset_setup();
  Outstanding o;
  o.attach(f);
  f.setup(s);
  for (auto& fr : burst(uint8_t(at))) f.send(fr);
  for (uint64_t t = 0; t < at; t += 64) {
    f.env.run(std::min<uint64_t>(64, at - t));
    f.poll();
  }
  res.with_writes += o.wr > 0 || f.env.sim.top().m_axi_awvalid;
  res.with_reads += o.rd > 0 || f.env.sim.top().m_axi_arvalid;
  ++res.points;
  f.env.wr(R::E1000_RXDCTL(0), 0);
  unsigned polls = 0;
  while (f.rd(R::E1000_RXDCTL(0)) & R::E1000_RXDCTL_QUEUE_ENABLE) {
    BOOST_REQUIRE_MESSAGE(++polls < 200, "RXDCTL.QUEUE_ENABLE still 1, point " << at);
    f.env.run(32);
  }
  f.env.sim.run_until([&] { return !f.env.xgmii.enc.busy(); }, 1000000, "wire to drain");
  f.env.run(500);
  f.rd(R::E1000_GPRC);  // clear on read: count only what follows
  f.sb = Scoreboard(f.sb.cfg);
  f.drv.igb_configure_rx_ring(f.rings[0], s.fill);
  for (int i = 0; i < 10; ++i) f.send(WireFrame{udp_frame_len(kStation, kPeer, 200 + 100 * i, uint8_t(200 + i))});
  f.drain();
  f.check_scoreboard();
  BOOST_TEST(f.sb.delivered == 10u, "point " << at << ": " << f.sb.delivered << " frames after the restart");
  BOOST_TEST(f.sb.missing == 0u);
  BOOST_TEST(f.rd(R::E1000_GPRC) == 10u, "point " << at);
}

using PointFn = void (*)(const AxiMemConfig&, uint64_t, SweepResult&);

void sweep(const AxiMemConfig& mc, unsigned n, PointFn point = reset_at) {
  auto [first, last] = dma_span(mc);
  BOOST_TEST_MESSAGE("DMA in flight from cycle " << first << " to " << last);
  BOOST_REQUIRE(last > first);
  SweepResult res;
  for (unsigned i = 0; i < n; ++i) point(mc, first + (last - first) * i / (n - 1), res);
  BOOST_TEST_MESSAGE(res.points << " points, " << res.with_writes << " with writes and " << res.with_reads
                                << " with reads outstanding");
  BOOST_TEST(res.points == n);
  // The sweep really hits DMA in the middle: many points have writes in
  // flight, and some catch a descriptor read.
  BOOST_TEST(res.with_writes >= n / 3);
  BOOST_TEST(res.with_reads >= 1u);
}

AxiMemConfig backpressure(uint64_t seed) {
  AxiMemConfig mc;
  mc.rd_latency = 40;
  mc.wr_latency = 24;
  mc.aw_ready_p = 0.4;
  mc.w_ready_p = 0.5;
  mc.ar_ready_p = 0.4;
  mc.r_valid_p = 0.5;
  mc.b_valid_p = 0.3;
  mc.seed = seed;
  return mc;
}

}  // namespace

BOOST_AUTO_TEST_CASE(ctrl_rst_swept_over_traffic_keeps_axi_and_recovers) {
  AxiMemConfig mc;
  mc.rd_latency = 20;
  mc.wr_latency = 8;
  sweep(mc, 48);
}

BOOST_AUTO_TEST_CASE(ctrl_rst_swept_with_backpressure_on_every_channel) { sweep(backpressure(7), 48); }

BOOST_AUTO_TEST_CASE(rxdctl_disable_swept_over_traffic) {
  AxiMemConfig mc;
  mc.rd_latency = 20;
  mc.wr_latency = 8;
  sweep(mc, 32, rxdctl_at);
}

BOOST_AUTO_TEST_CASE(rxdctl_disable_swept_with_backpressure_on_every_channel) { sweep(backpressure(5), 32, rxdctl_at); }

// igb_disable_pcie_master: set the bit, poll STATUS until the master is idle;
// nothing new starts while it is set; clearing it resumes the DMA and every
// frame held in the packet buffer is delivered.
BOOST_AUTO_TEST_CASE(gio_master_disable_handshake_blocks_new_dma) {
  AxiMemConfig mc = backpressure(3);
  mc.wr_latency = 300;  // a write response still to come when the bit is set
  Fix f(mc);
  Setup s;
  Outstanding o;
  o.attach(f);
  f.setup(s);
  BOOST_TEST((f.rd(R::E1000_STATUS) & R::E1000_STATUS_GIO_MASTER_ENABLE) != 0u);  // enabled at reset
  std::vector<WireFrame> frames = burst(50);
  for (auto& w : frames) f.send(w);
  f.env.sim.run_until([&] { return o.wr > 0; }, 100000, "a write burst in flight");
  f.env.wr(R::E1000_CTRL, f.rd(R::E1000_CTRL) | R::E1000_CTRL_GIO_MASTER_DISABLE);
  // A write response is still outstanding: the master is not idle yet.
  BOOST_TEST(o.wr > 0);
  BOOST_TEST((f.rd(R::E1000_STATUS) & R::E1000_STATUS_GIO_MASTER_ENABLE) != 0u);
  unsigned polls = 0;
  while (f.rd(R::E1000_STATUS) & R::E1000_STATUS_GIO_MASTER_ENABLE) {
    BOOST_REQUIRE_MESSAGE(++polls < 800, "STATUS.GIO_MASTER_ENABLE never cleared");  // MASTER_DISABLE_TIMEOUT
    f.env.run(16);
  }
  BOOST_TEST(o.wr == 0);
  BOOST_TEST(o.rd == 0);
  // While disabled: no AW, AR or MSI-X starts, though frames keep arriving.
  const uint64_t aw = o.aw, ar = o.ar;
  const size_t msix = f.env.msix.msgs.size();
  bool started = false;
  uint64_t cyc = 0;
  while (cyc < 20000) {
    f.env.run(1);
    ++cyc;
    auto& t = f.env.sim.top();
    started |= t.m_axi_awvalid || t.m_axi_arvalid || t.m_axi_wvalid || t.msix_valid_o;
    if (cyc % 1000 == 0) BOOST_TEST((f.rd(R::E1000_STATUS) & R::E1000_STATUS_GIO_MASTER_ENABLE) == 0u);
  }
  BOOST_TEST(!started, "a DMA transaction or MSI-X message started while GIO_MASTER_DISABLE was set");
  BOOST_TEST(o.aw == aw);
  BOOST_TEST(o.ar == ar);
  BOOST_TEST(f.env.msix.msgs.size() == msix);
  BOOST_TEST(!f.env.xgmii.enc.busy());  // every frame has arrived meanwhile
  // Enable again: the frames held in the packet buffer go to memory.
  f.env.wr(R::E1000_CTRL, f.rd(R::E1000_CTRL) & ~R::E1000_CTRL_GIO_MASTER_DISABLE);
  BOOST_TEST((f.rd(R::E1000_STATUS) & R::E1000_STATUS_GIO_MASTER_ENABLE) != 0u);
  f.drain();
  f.check_scoreboard();
  BOOST_TEST(f.sb.delivered == frames.size());
  BOOST_TEST(f.sb.missing == 0u);
  BOOST_TEST(f.rd(R::E1000_GPRC) == frames.size());
}

// igb_reset_hw_82575: master disable first, then CTRL.RST on an idle master;
// the reset takes effect at once and traffic works after reprogramming.
BOOST_AUTO_TEST_CASE(reset_after_master_disable_as_igb_does) {
  Fix f(backpressure(11));
  Setup s;
  f.setup(s);
  ResetWatch w;
  w.attach(f);
  for (auto& fr : burst(90)) f.send(fr);
  f.env.run(700);
  f.env.wr(R::E1000_CTRL, f.rd(R::E1000_CTRL) | R::E1000_CTRL_GIO_MASTER_DISABLE);
  unsigned polls = 0;
  while (f.rd(R::E1000_STATUS) & R::E1000_STATUS_GIO_MASTER_ENABLE) {
    BOOST_REQUIRE(++polls < 800);
    f.env.run(16);
  }
  f.env.wr(R::E1000_CTRL, f.rd(R::E1000_CTRL) | R::E1000_CTRL_RST);
  f.env.run(8);
  BOOST_TEST(w.resets > 0u);
  BOOST_TEST(w.errors.empty());
  // The reset clears GIO_MASTER_DISABLE (CTRL reset value): the master is enabled.
  BOOST_TEST(f.rd(R::E1000_CTRL) == R::E1000_CTRL_RESET);
  BOOST_TEST((f.rd(R::E1000_STATUS) & R::E1000_STATUS_GIO_MASTER_ENABLE) != 0u);
  f.env.sim.run_until([&] { return !f.env.xgmii.enc.busy(); }, 1000000, "wire to drain");
  f.env.run(500);
  f.sb = Scoreboard(f.sb.cfg);
  f.setup(s);
  for (int i = 0; i < 10; ++i) f.send(WireFrame{udp_frame_len(kStation, kPeer, 400, uint8_t(i))});
  f.drain();
  f.check_scoreboard();
  BOOST_TEST(f.sb.delivered == 10u);
  BOOST_TEST(f.rd(R::E1000_GPRC) == 10u);
}
