// SPDX-License-Identifier: MIT
// DMA faults and queue disable: a descriptor read answered SLVERR or DECERR
// never produces a write and every frame stays counted; a data or writeback
// write answered with an error latches RXP_PERR.DMA and the NIC goes on
// (rtl/README.md, DMA errors); writebacks pending
// when RXDCTL.ENABLE is cleared finish before RXDCTL reads 0, and nothing is
// written after; the packet type of IPv4 with options.
#define BOOST_TEST_MODULE nic_dma_faults
#include "rtl/tests/nic_fixture.hpp"

#include "Vnic_top.h"

using namespace rxt;
using Fix = NicFixture<Vnic_top>;

namespace {

Bytes frame(unsigned i) {
  Ipv4Opts ip;
  ip.id = uint16_t(i);
  return udp_frame(kStation, kPeer, Bytes(200, uint8_t(i)), ip);
}

}  // namespace

// 82576 datasheet, advanced receive descriptor writeback, Packet Type field:
// bit 4 IPV4 (IPv4 header present, no options), bit 5 IPV4E (IPv4 header with
// options). The igb driver's igb_process_skb_fields switches on
// pkt_info & E1000_RXDADV_PKTTYPE_ILMASK with one case for PKTTYPE_IPV4 and
// one for PKTTYPE_IPV4_EX: 0x30 matches neither. IPv4 with options is IPV4_EX
// alone (plus the L4 type).
BOOST_AUTO_TEST_CASE(ipv4_options_is_ipv4_ex_alone) {
  Fix f;
  f.setup(Setup{});
  Ipv4Opts ip;
  ip.opt_words = 3;
  f.send(WireFrame{udp_frame(kStation, kPeer, Bytes(64, 0x11), ip)});
  f.env.run(3000);
  auto d = f.drv.igb_clean_rx_irq(f.rings[0]);
  BOOST_REQUIRE_EQUAL(d.size(), 1u);
  BOOST_TEST(d[0].wb.pkt_info == (R::E1000_RXDADV_PKTTYPE_IPV4_EX | R::E1000_RXDADV_PKTTYPE_UDP));
  BOOST_TEST((d[0].wb.pkt_info & R::E1000_RXDADV_PKTTYPE_ILMASK) == R::E1000_RXDADV_PKTTYPE_IPV4_EX);
  f.sb.received(d);
  f.check_scoreboard();
}

// A descriptor read answered with an error (AXI spec: SLVERR 0b10, DECERR
// 0b11 in RRESP; the data of such a beat is not valid) must never produce a
// write: the whole ring answers with an error, so no frame has a descriptor.
// The error latches in RXP_PERR.DMA; the queue stops and every frame for it is
// counted in RXP_RXDIS (rtl/README.md, "DMA errors").
void whole_ring_error(uint8_t resp, const char* what) {
  BOOST_TEST_CONTEXT(what) {
    Fix f;
    const IgbRing probe = [] {
      IgbRing r;
      r.desc_base = 0x100000000ull;  // Fixture::setup, queue 0
      return r;
    }();
    f.env.mem_agent.set_error_range(probe.desc_base, probe.desc_base + 0x100000, resp);
    f.setup(Setup{});
    const unsigned n = 12;
    for (unsigned i = 0; i < n; ++i) f.send(WireFrame{frame(i)});
    f.drain();
    BOOST_TEST(f.writes.empty(), f.writes.size() << " bytes ranges written after descriptor reads answered " << what);
    f.check_scoreboard();  // the fixture checks every write against what the driver gave
    BOOST_TEST(f.descs == 0u);
    BOOST_TEST(f.rd(R::E1000_TPR) == n);
    BOOST_TEST(f.rd(R::E1000_RXP_RXDIS) == n);
    BOOST_TEST(f.rd(R::E1000_MPC) == 0u);
    BOOST_TEST((f.rd(R::E1000_RXP_PERR) & R::E1000_RXP_PERR_DMA) != 0u);
    BOOST_TEST(f.order_errors.empty());
    for (auto& e : f.order_errors) BOOST_ERROR(e);
  }
}

BOOST_AUTO_TEST_CASE(descriptor_read_slverr_never_writes) { whole_ring_error(AxiMem::RESP_SLVERR, "SLVERR"); }
BOOST_AUTO_TEST_CASE(descriptor_read_decerr_never_writes) { whole_ring_error(AxiMem::RESP_DECERR, "DECERR"); }

// Errors in the middle of traffic: frames flow, then the ring answers DECERR
// from the next fetch on (a burst may be partly OKAY, partly DECERR). Every
// frame sent is delivered or counted in RXP_RXDIS; every write goes to a
// buffer or ring slot the driver gave; RXP_PERR.DMA latches. Software then
// restarts the queue (igb_configure_rx_ring: RXDCTL 0, ring registers,
// RXDCTL.ENABLE) and frames are delivered again.
BOOST_AUTO_TEST_CASE(descriptor_read_error_mid_traffic_every_frame_counted) {
  Fix f;
  Setup s;
  s.count = 64;
  f.setup(s);
  const IgbRing& r = f.rings[0];
  unsigned sent = 0;
  for (; sent < 20; ++sent) f.send(WireFrame{frame(sent)});
  f.drain();
  BOOST_TEST(f.sb.delivered == 20u);
  // Slots from 40 on answer DECERR: the fetch that reaches them fails partway.
  f.env.mem_agent.set_error_range(r.desc_base + 40 * R::RX_DESC_BYTES, r.desc_base + r.count * R::RX_DESC_BYTES,
                                  AxiMem::RESP_DECERR);
  for (; sent < 120; ++sent) {
    f.send(WireFrame{frame(sent)});
    f.env.run(200);
    f.poll();
  }
  f.drain();
  const uint32_t rxdis = f.rd(R::E1000_RXP_RXDIS);
  BOOST_TEST(f.rd(R::E1000_TPR) == 120u);
  BOOST_TEST(f.rd(R::E1000_MPC) == 0u);
  BOOST_TEST(f.rd(R::E1000_RQDPC(0)) == 0u);
  BOOST_TEST((f.rd(R::E1000_RXP_PERR) & R::E1000_RXP_PERR_DMA) != 0u);
  BOOST_TEST(rxdis > 0u);
  BOOST_TEST(f.sb.delivered + rxdis == 120u, "delivered " << f.sb.delivered << " + RXP_RXDIS " << rxdis);
  f.check_scoreboard();  // the fixture checks every write against what the driver gave

  // Recovery: the memory answers again, the driver restarts the ring.
  f.env.mem_agent.set_error_range(0, 0);
  f.sb.expected.clear();
  f.drv.igb_configure_rx_ring(f.rings[0]);
  const uint64_t before = f.sb.delivered;
  for (unsigned i = 0; i < 10; ++i) f.send(WireFrame{frame(200 + i)});
  f.drain();
  BOOST_TEST(f.sb.delivered - before == 10u);
  BOOST_TEST(f.rd(R::E1000_RXP_RXDIS) == 0u);
  f.check_scoreboard();  // the fixture checks every write against what the driver gave
  f.check_scoreboard();
}

// Queue disable (82576 datasheet, receive queue enable/disable: software
// clears RXDCTL.ENABLE and polls until it reads 0, as e1000_rx_fifo_flush_82575
// does): descriptors the NIC already took are finished (data, then the
// writeback with DD, then RDH) before RXDCTL.ENABLE reads 0; after it reads 0
// the queue writes nothing and RDH stays.
BOOST_AUTO_TEST_CASE(rxdctl_disable_finishes_writebacks_before_reading_0) {
  AxiMemConfig mc;
  mc.wr_latency = 400;  // data write responses are slow: writebacks wait
  Fix f(mc);
  f.setup(Setup{});
  for (unsigned i = 0; i < 4; ++i) f.send(WireFrame{frame(i)});
  f.env.sim.run_until([&] { return !f.writes.empty(); }, 20000, "first data write");
  f.env.wr(R::E1000_RXDCTL(0), 0);
  uint64_t off_cycle = 0;
  for (int i = 0; i < 4000; ++i) {
    if (!(f.rd(R::E1000_RXDCTL(0)) & R::E1000_RXDCTL_QUEUE_ENABLE)) {
      off_cycle = f.env.sim.cycle();
      break;
    }
  }
  BOOST_REQUIRE(off_cycle != 0);
  const uint32_t rdh = f.rd(R::E1000_RDH(0));
  const size_t nw = f.writes.size();
  f.env.run(5000);
  for (size_t i = nw; i < f.writes.size(); ++i)
    BOOST_ERROR("write at 0x" << std::hex << f.writes[i].addr << std::dec << " (cycle " << f.writes[i].cycle
                              << ") after RXDCTL.ENABLE read 0 at cycle " << off_cycle);
  BOOST_TEST(f.rd(R::E1000_RDH(0)) == rdh);
  // What was taken was written back whole: each descriptor up to RDH has DD.
  BOOST_TEST(rdh >= 1u);
  for (unsigned s = 0; s < rdh; ++s) {
    RxWriteback w = f.drv.read_wb(f.rings[0], s);
    BOOST_TEST((w.status_error & R::E1000_RXD_STAT_DD) != 0u, "slot " << s);
  }
  f.check_scoreboard();  // the fixture checks every write against what the driver gave
}

// Write errors (AMBA AXI A3.4.4: BRESP SLVERR or DECERR; the slave wrote
// nothing). rtl/README.md: a data or writeback write answered with an error
// latches RXP_PERR.DMA and nothing else; the NIC does not retry and goes on,
// RDH moving on the writeback's response whatever BRESP says. The memory's B
// channel stalls at random, so responses and errors come late.
namespace {
AxiMemConfig slow_b() {
  AxiMemConfig mc;
  mc.wr_latency = 20;
  mc.b_valid_p = 0.3;
  mc.w_ready_p = 0.7;
  mc.seed = 9;
  return mc;
}
}  // namespace

BOOST_AUTO_TEST_CASE(writeback_write_error_latches_perr_and_the_nic_goes_on) {
  for (uint8_t resp : {AxiMem::RESP_SLVERR, AxiMem::RESP_DECERR}) {
    BOOST_TEST_CONTEXT("BRESP " << unsigned(resp)) {
      Fix f(slow_b());
      f.setup(Setup{});
      const IgbRing& r = f.rings[0];
      // Slot 3's writeback answers the error: its descriptor keeps the
      // read format the driver wrote (buffer address, no DD).
      const uint64_t d3 = r.desc_base + 3 * R::RX_DESC_BYTES;
      f.env.mem_agent.set_error_range(d3, d3 + R::RX_DESC_BYTES, resp);
      f.rd(R::E1000_RXP_PERR);
      for (unsigned i = 0; i < 8; ++i) f.send(WireFrame{frame(i)});
      f.env.sim.run_until([&] { return f.rd(R::E1000_RDH(0)) == 8u; }, 200000, "RDH to move past all 8 frames");
      BOOST_TEST(f.rd(R::E1000_RXP_PERR) == R::E1000_RXP_PERR_DMA);
      BOOST_TEST(f.rd(R::E1000_RXP_PERR) == 0u, "RXP_PERR is clear on read");
      BOOST_TEST(f.env.mem.rd64(d3) == r.buf_addr(3), "slot 3 was written although its write failed");
      BOOST_TEST((f.drv.read_wb(r, 3).status_error & R::E1000_RXD_STAT_DD) == 0u);
      // The driver stops at the slot without DD (igb_clean_rx_irq); the
      // frames after it are written back whole.
      f.poll(false);
      BOOST_TEST(f.sb.delivered == 3u);
      for (unsigned s = 4; s < 8; ++s) {
        const RxWriteback w = f.drv.read_wb(r, s);
        BOOST_TEST((w.status_error & R::E1000_RXD_STAT_DD) != 0u, "slot " << s);
        BOOST_TEST(w.length == frame(s).size(), "slot " << s);
        BOOST_TEST((f.env.mem.read(r.buf_addr(s), w.length) == frame(s)), "slot " << s << " data");
      }
      BOOST_TEST(f.rd(R::E1000_GPRC) == 8u);
      f.sb.expected.clear();  // the five behind slot 3 were checked by hand
      f.check_scoreboard();
    }
  }
}

BOOST_AUTO_TEST_CASE(data_write_error_latches_perr_and_the_next_frames_are_whole) {
  for (uint8_t resp : {AxiMem::RESP_SLVERR, AxiMem::RESP_DECERR}) {
    BOOST_TEST_CONTEXT("BRESP " << unsigned(resp)) {
      Fix f(slow_b());
      f.setup(Setup{});
      const IgbRing& r = f.rings[0];
      // Slot 2's buffer answers the error: the frame's data is not in
      // memory, its descriptor is written back all the same.
      f.env.mem_agent.set_error_range(r.buf_addr(2), r.buf_addr(2) + r.buf_size, resp);
      f.rd(R::E1000_RXP_PERR);
      for (unsigned i = 0; i < 6; ++i) f.send(WireFrame{frame(i)});
      f.env.sim.run_until([&] { return f.rd(R::E1000_RDH(0)) == 6u; }, 200000, "RDH to move past all 6 frames");
      BOOST_TEST(f.rd(R::E1000_RXP_PERR) == R::E1000_RXP_PERR_DMA);
      const RxWriteback w2 = f.drv.read_wb(r, 2);
      BOOST_TEST((w2.status_error & R::E1000_RXD_STAT_DD) != 0u);
      BOOST_TEST((f.env.mem.read(r.buf_addr(2), 16) == Bytes(16, 0)), "the failed write left data in memory");
      f.poll(false);
      // The scoreboard sees slot 2's frame with the wrong bytes: that error,
      // and only it.
      BOOST_TEST(f.sb.delivered + f.sb.errors.size() == 6u);
      BOOST_TEST(f.sb.errors.size() == 1u);
      f.sb.errors.clear();
      f.check_scoreboard();
    }
  }
}
