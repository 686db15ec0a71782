// SPDX-License-Identifier: MIT
// DMA faults and queue disable: a descriptor read answered SLVERR or DECERR
// never produces a write and every frame stays counted; writebacks pending
// when RXDCTL.ENABLE is cleared finish before RXDCTL reads 0, and nothing is
// written after; the packet type of IPv4 with options.
#define BOOST_TEST_MODULE nic_dma_faults
#include "rtl/tests/nic_fixture.hpp"

#include "Vnic_top.h"

using namespace rxt;
using Fix = NicFixture<Vnic_top>;

namespace {

// True when [a, a + n) lies in a buffer or the ring the driver gave queue 0.
bool driver_gave(const Fix& f, uint64_t a, size_t n) {
  const IgbRing& r = f.rings[0];
  const uint64_t ring_end = r.desc_base + uint64_t(r.count) * R::RX_DESC_BYTES;
  if (a >= r.desc_base && a + n <= ring_end) return true;
  for (unsigned s = 0; s < r.count; ++s) {
    const uint64_t b = r.buf_addr(s);
    if (a >= b && a + n <= b + r.buf_size) return true;
  }
  return false;
}

void check_writes_given(const Fix& f, size_t from = 0) {
  for (size_t i = from; i < f.writes.size(); ++i) {
    const auto& w = f.writes[i];
    BOOST_TEST(driver_gave(f, w.addr, w.n), "write of " << w.n << " bytes at 0x" << std::hex << w.addr << std::dec
                                                        << " (cycle " << w.cycle
                                                        << "): not an address the driver gave");
  }
}

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
    check_writes_given(f);
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
  check_writes_given(f);
  for (auto& e : f.order_errors) BOOST_ERROR("DMA order: " << e);
  for (auto& e : f.sb.errors) BOOST_ERROR("scoreboard: " << e);
  f.sb.errors.clear();

  // Recovery: the memory answers again, the driver restarts the ring.
  f.env.mem_agent.set_error_range(0, 0);
  f.sb.expected.clear();
  f.drv.igb_configure_rx_ring(f.rings[0]);
  const uint64_t before = f.sb.delivered;
  for (unsigned i = 0; i < 10; ++i) f.send(WireFrame{frame(200 + i)});
  f.drain();
  BOOST_TEST(f.sb.delivered - before == 10u);
  BOOST_TEST(f.rd(R::E1000_RXP_RXDIS) == 0u);
  check_writes_given(f);
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
  check_writes_given(f);
}
