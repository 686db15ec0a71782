// SPDX-License-Identifier: MIT
// Ring behaviour: empty ring (RNBC, delivery after the tail moves), packet
// buffer overflow (MPC = frames that could not fit), ring wrap, DROP_EN ->
// RQDPC, misprogramming latched in RXP_PERR without a hang, DMA errors.
#define BOOST_TEST_MODULE nic_ring
#include "rtl/tests/nic_fixture.hpp"

#include <algorithm>

#include "Vnic_top.h"

using namespace rxt;
using Fix = NicFixture<Vnic_top>;

namespace {
void run_wire_empty(Fix& f) {
  f.env.sim.run_until([&] { return !f.env.xgmii.enc.busy(); }, 5000000, "wire to drain");
  f.env.run(2000);
}
}  // namespace

BOOST_AUTO_TEST_CASE(empty_ring_counts_rnbc_then_delivers_after_tail_moves) {
  Fix f;
  Setup s;
  s.fill = 0;  // RDT = 0: no descriptor for the NIC
  f.setup(s);
  for (int i = 0; i < 3; ++i) f.send(WireFrame{udp_frame_len(kStation, kPeer, 300, uint8_t(i))});
  f.env.run(20000);
  f.poll(false);
  BOOST_TEST(f.sb.delivered == 0u);
  BOOST_TEST(f.writes.empty(), "DMA wrote with no descriptor available");
  // RNBC counts once per frame that reached the head of the packet buffer
  // and found no descriptor (rtl/rxp_rx_dma.sv): the first frame here; the
  // two behind it find descriptors after the refill.
  BOOST_TEST(f.rd(R::E1000_RNBC) == 1u);
  BOOST_TEST(f.rd(R::E1000_MPC) == 0u);
  f.drv.igb_alloc_rx_buffers(f.rings[0], f.rings[0].count - 1);
  f.drain();
  f.check_scoreboard();
  BOOST_TEST(f.sb.delivered == 3u);
  BOOST_TEST(f.sb.missing == 0u);
  BOOST_TEST(f.rd(R::E1000_RNBC) == 0u);  // cleared by the read above
}

BOOST_AUTO_TEST_CASE(packet_buffer_overflow_counts_exactly_the_frames_that_did_not_fit) {
  Fix f;
  Setup s;
  s.fill = 0;
  s.count = 128;
  f.setup(s);
  // 80 good frames of 1518 bytes = 121 KB > 64 KiB packet buffer; every
  // tenth is broadcast. Between them, frames the classifier drops (bad FCS,
  // foreign unicast): they never enter the buffer and never count in MPC.
  const unsigned n = 80;
  unsigned errors = 0;
  std::vector<bool> bcast;
  for (unsigned i = 0; i < n; ++i) {
    bcast.push_back(i % 10 == 3);
    f.send(WireFrame{raw_frame(bcast.back() ? kBroadcast : kStation, kPeer, 1514, uint8_t(i))});
    if (i % 16 == 5) {
      WireFrame bad{raw_frame(kStation, kPeer, 1514, uint8_t(i))};
      bad.bad_fcs = true;
      f.send(bad);
      f.send(WireFrame{raw_frame(kOther, kPeer, 1514, uint8_t(i))});
      errors += 2;
    }
  }
  run_wire_empty(f);
  const uint32_t mpc = f.rd(R::E1000_MPC);
  BOOST_TEST_MESSAGE("packet buffer held " << (n - mpc) << " frames of 1518 bytes, MPC " << mpc);
  // rtl/README.md: PKTBUF_BYTES (64 KiB) of 16-byte lines, each frame from a
  // new line, ceil(1518 / 16) = 95 lines: 4096 / 95 = 43 frames fit.
  const unsigned fit = (65536u / 16u) / ((1518u + 15u) / 16u);
  BOOST_TEST(n - mpc == fit);
  // Good-frame counters count only the frames the buffer stored (the first
  // `fit`: nothing is freed while the ring is empty); a frame in MPC is in
  // no good-frame counter (82575/82598: MPC packets are not in GPRC).
  const uint32_t gprc = f.rd(R::E1000_GPRC), bprc = f.rd(R::E1000_BPRC);
  const uint64_t gorc = f.rd(R::E1000_GORCL) | uint64_t(f.rd(R::E1000_GORCH)) << 32;
  BOOST_TEST(gprc == fit);
  BOOST_TEST(gprc == f.sb.expected_gprc(mpc));
  BOOST_TEST(gorc == uint64_t(fit) * 1518u);
  BOOST_TEST(bprc == unsigned(std::count(bcast.begin(), bcast.begin() + fit, true)));
  BOOST_TEST(f.rd(R::E1000_MPRC) == 0u);
  BOOST_TEST(f.rd(R::E1000_CRCERRS) + f.rd(R::E1000_RXP_AFDC) == errors);
  // Every frame in exactly one of: good (stored), MPC, its drop counter.
  BOOST_TEST(f.rd(R::E1000_TPR) == gprc + mpc + errors);
  f.drv.igb_alloc_rx_buffers(f.rings[0], f.rings[0].count - 1);
  f.drain();
  f.check_scoreboard();
  // The stored frames are delivered in order; the lost ones are exactly the last.
  BOOST_TEST(f.sb.delivered == gprc);
  BOOST_TEST(f.sb.missing == 0u);
  BOOST_TEST(f.sb.expected.size() == mpc);
  BOOST_TEST(f.rd(R::E1000_GPRC) == 0u);  // cleared by the read above, nothing new
  BOOST_TEST(f.rd(R::E1000_TPR) == 0u);
}

BOOST_AUTO_TEST_CASE(ring_wraps_many_times) {
  Fix f;
  Setup s;
  s.count = 64;
  f.setup(s);
  for (unsigned i = 0; i < 400; ++i) {
    WireFrame w{udp_frame_len(kStation, kPeer, 64 + (i * 29) % 1400, uint8_t(i))};
    w.ifg = 200;  // leave the host time to refill at each poll
    f.send(w);
  }
  f.drain();
  f.check_scoreboard();
  BOOST_TEST(f.sb.delivered == 400u);
  BOOST_TEST(f.sb.missing == 0u);
  BOOST_TEST(f.rd(R::E1000_RDH(0)) == f.rings[0].next_to_clean);
  BOOST_TEST(f.rd(R::E1000_RDT(0)) == f.rings[0].next_to_use);
}

BOOST_AUTO_TEST_CASE(drop_en_drops_into_rqdpc) {
  Fix f;
  Setup s;
  s.fill = 0;
  s.drop_en = true;
  f.setup(s);
  for (int i = 0; i < 5; ++i) f.send(WireFrame{udp_frame_len(kStation, kPeer, 500, uint8_t(i))});
  run_wire_empty(f);
  BOOST_TEST(f.rd(R::E1000_RQDPC(0)) == 5u);
  BOOST_TEST(f.rd(R::E1000_MPC) == 0u);
  BOOST_TEST(f.writes.empty());
  // Those five are gone; new frames flow once descriptors exist.
  f.sb.expected.clear();
  f.drv.igb_alloc_rx_buffers(f.rings[0], f.rings[0].count - 1);
  f.env.run(2000);
  for (int i = 0; i < 2; ++i) f.send(WireFrame{udp_frame_len(kStation, kPeer, 500, uint8_t(10 + i))});
  f.drain();
  f.check_scoreboard();
  BOOST_TEST(f.sb.delivered == 2u);
  BOOST_TEST(f.rd(R::E1000_RQDPC(0)) == 0u);
}

BOOST_AUTO_TEST_CASE(misprogramming_latches_perr_and_never_hangs) {
  Fix f;
  f.setup(Setup{});
  const uint32_t en = (8u << R::E1000_RXDCTL_PTHRESH_LSB) | R::E1000_RXDCTL_QUEUE_ENABLE;
  const uint32_t srrctl_ok = (2048u >> R::E1000_SRRCTL_BSIZEPKT_SHIFT) | R::E1000_SRRCTL_DESCTYPE_ADV_ONEBUF;
  f.rd(R::E1000_RXP_PERR);
  f.rd(R::E1000_RXP_RXDIS);
  struct Case {
    const char* what;
    uint32_t rdlen, srrctl, bit;
  };
  const Case cases[] = {
      {"RDLEN zero", 0, srrctl_ok, R::E1000_RXP_PERR_RDLEN},
      {"RDLEN not a multiple of 128", 100, srrctl_ok, R::E1000_RXP_PERR_RDLEN},
      {"descriptor type legacy", 1024, 2048u >> R::E1000_SRRCTL_BSIZEPKT_SHIFT, R::E1000_RXP_PERR_DESCTYPE},
      {"buffer size zero", 1024, R::E1000_SRRCTL_DESCTYPE_ADV_ONEBUF, R::E1000_RXP_PERR_BSIZE},
  };
  for (const Case& c : cases) {
    BOOST_TEST_CONTEXT(c.what) {
      f.env.wr(R::E1000_RXDCTL(0), 0);
      f.env.wr(R::E1000_RDLEN(0), c.rdlen);
      f.env.wr(R::E1000_SRRCTL(0), c.srrctl);
      f.env.wr(R::E1000_RDH(0), 0);
      f.env.wr(R::E1000_RXDCTL(0), en);
      f.env.wr(R::E1000_RDT(0), 8);
      f.send(WireFrame{raw_frame(kStation, kPeer, 100)});
      f.env.run(3000);
      uint32_t perr = f.rd(R::E1000_RXP_PERR);
      BOOST_TEST((perr & c.bit) != 0u, "RXP_PERR = 0x" << std::hex << perr);
      BOOST_TEST(f.writes.empty(), "DMA from a misprogrammed queue");
      // Latched when the condition appears, cleared by the read (rtl/README.md).
      BOOST_TEST(f.rd(R::E1000_RXP_PERR) == 0u);
      BOOST_TEST(f.rd(R::E1000_RXP_RXDIS) == 1u);  // the frame for the broken queue
      f.sb.expected.clear();
    }
  }
  // RDT beyond the ring.
  f.env.wr(R::E1000_RXDCTL(0), 0);
  f.drv.igb_configure_rx_ring(f.rings[0]);
  const uint32_t rdt = f.rd(R::E1000_RDT(0));
  f.env.wr(R::E1000_RDT(0), f.rings[0].count + 5);
  f.env.run(100);
  BOOST_TEST((f.rd(R::E1000_RXP_PERR) & R::E1000_RXP_PERR_RDT) != 0u);
  BOOST_TEST(f.rd(R::E1000_RDT(0)) == rdt);  // refused: RDT keeps its value
  // Programmed properly again, frames flow: nothing hung.
  f.writes.clear();
  f.env.wr(R::E1000_RXDCTL(0), 0);
  f.drv.igb_configure_rx_ring(f.rings[0]);
  f.send(WireFrame{raw_frame(kStation, kPeer, 100, 9)});
  f.drain();
  f.check_scoreboard();
  BOOST_TEST(f.sb.delivered == 1u);
}

BOOST_AUTO_TEST_CASE(dma_error_response_latches_perr_dma) {
  Fix f;
  f.setup(Setup{});
  // Descriptor reads of this ring answer SLVERR.
  f.env.mem_agent.set_error_range(f.rings[0].desc_base, f.rings[0].desc_base + 0x10000);
  f.env.wr(R::E1000_RXDCTL(0), 0);
  f.drv.igb_configure_rx_ring(f.rings[0]);
  f.send(WireFrame{raw_frame(kStation, kPeer, 100)});
  f.env.run(5000);
  BOOST_TEST((f.rd(R::E1000_RXP_PERR) & R::E1000_RXP_PERR_DMA) != 0u);
  f.env.mem_agent.set_error_range(0, 0);
}

BOOST_AUTO_TEST_CASE(queue_disabled_while_frames_wait_counts_rxdis) {
  Fix f;
  Setup s;
  s.fill = 0;
  f.setup(s);
  for (int i = 0; i < 4; ++i) f.send(WireFrame{udp_frame_len(kStation, kPeer, 400, uint8_t(i))});
  run_wire_empty(f);
  BOOST_TEST(f.rd(R::E1000_GPRC) == 4u);
  f.env.wr(R::E1000_RXDCTL(0), 0);  // the waiting frames' queue goes away
  f.env.run(5000);
  BOOST_TEST(f.rd(R::E1000_RXP_RXDIS) == 4u);  // counted late, once each
  BOOST_TEST(f.writes.empty());
  // The queue comes back and works.
  f.sb.expected.clear();
  f.drv.igb_configure_rx_ring(f.rings[0]);
  f.send(WireFrame{udp_frame_len(kStation, kPeer, 400, 9)});
  f.drain();
  f.check_scoreboard();
  BOOST_TEST(f.sb.delivered == 1u);
}

BOOST_AUTO_TEST_CASE(ctrl_rst_during_traffic_recovers) {
  AxiMemConfig mc;
  mc.rd_latency = 50;
  mc.wr_latency = 30;
  Fix f(mc);
  Setup s;
  f.setup(s);
  for (int i = 0; i < 40; ++i) f.send(WireFrame{udp_frame_len(kStation, kPeer, 1000, uint8_t(i))});
  f.env.run(1500);  // frames and DMA in flight
  f.env.wr(R::E1000_CTRL, R::E1000_CTRL_RST);
  f.env.sim.run_until([&] { return !f.env.xgmii.enc.busy(); }, 1000000, "wire to drain");
  f.env.run(3000);
  BOOST_TEST(f.rd(R::E1000_RCTL) == R::E1000_RCTL_RESET);
  // Program from scratch, as igb does after a reset: everything works again.
  f.sb = Scoreboard(f.sb.cfg);
  f.setup(s);
  size_t before = f.sb.delivered;
  for (int i = 0; i < 10; ++i) f.send(WireFrame{udp_frame_len(kStation, kPeer, 700, uint8_t(100 + i))});
  f.drain();
  f.check_scoreboard();
  BOOST_TEST(f.sb.delivered - before == 10u);
  BOOST_TEST(f.sb.missing == 0u);
}

BOOST_AUTO_TEST_CASE(data_write_error_latches_perr_dma) {
  Fix f;
  f.setup(Setup{});
  f.env.mem_agent.set_error_range(f.rings[0].buf_base, f.rings[0].buf_base + 0x1000000);
  f.send(WireFrame{raw_frame(kStation, kPeer, 100)});
  f.env.run(5000);
  BOOST_TEST((f.rd(R::E1000_RXP_PERR) & R::E1000_RXP_PERR_DMA) != 0u);
}
