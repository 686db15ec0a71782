// SPDX-License-Identifier: MIT
// Register fields the driver relies on: EITR's running counter (82576
// datasheet, EITR: ITR_COUNTER bits 30:16 read the counter and a write
// without CNT_IGNR loads it; igb_write_itr sets CNT_IGNR so its writes leave
// the counter alone) and RDT (bits 15:0 written with their byte enables,
// AXI4 WSTRB; a write while the queue is disabled is ignored, 82575EB SDM
// 14.3.59, the 82576's predecessor with the same receive queues); the
// interrupt registers keep the bytes a write does not strobe (AXI4 A3.4.3).
#define BOOST_TEST_MODULE nic_reg_fields
#include "rtl/tests/nic_fixture.hpp"

#include "Vnic_top.h"

using namespace rxt;
using Fix = NicFixture<Vnic_top>;

namespace {
constexpr double kClocksPerUs = 156.25;  // 6.4 ns clock

uint32_t eitr_counter(uint32_t eitr) { return (eitr & R::E1000_EITR_ITR_COUNTER) >> R::E1000_EITR_ITR_COUNTER_LSB; }

void msix_on(Fix& f) {
  f.env.wr(R::E1000_GPIE, R::E1000_GPIE_MSIX_MODE);
  f.env.wr(R::E1000_EIMC, ~0u);
  f.rd(R::E1000_EICR);
  f.env.msix.msgs.clear();
  f.env.wr(R::E1000_EIMS, 1);
}
}  // namespace

BOOST_AUTO_TEST_CASE(eitr_counter_reads_the_running_counter) {
  Fix f;
  msix_on(f);
  // igb_write_itr's form: interval 100 us with CNT_IGNR.
  f.env.wr(R::E1000_EITR(0), (100u << R::E1000_EITR_INTERVAL_LSB) | R::E1000_EITR_CNT_IGNR);
  f.env.wr(R::E1000_EICS, 1);
  f.env.run(50);
  BOOST_REQUIRE_EQUAL(f.env.msix.msgs.size(), 1u);  // counter was 0: fires at once, reloads 100
  f.env.run(uint64_t(10 * kClocksPerUs));
  const uint32_t v = f.rd(R::E1000_EITR(0));
  BOOST_TEST((v & R::E1000_EITR_INTERVAL) == (100u << R::E1000_EITR_INTERVAL_LSB));
  const uint32_t c = eitr_counter(v);
  BOOST_TEST((c >= 88u && c <= 90u), "ITR_COUNTER reads " << c << ", about 89 us left expected");
  f.env.run(uint64_t(95 * kClocksPerUs));
  BOOST_TEST(eitr_counter(f.rd(R::E1000_EITR(0))) == 0u, "counter expired");
}

BOOST_AUTO_TEST_CASE(eitr_write_without_cnt_ignr_loads_the_counter) {
  Fix f;
  msix_on(f);
  // Counter 50 us, interval 0: the cause waits for the counter.
  const uint64_t t0 = f.env.sim.cycle();
  f.env.wr(R::E1000_EITR(0), 50u << R::E1000_EITR_ITR_COUNTER_LSB);
  const uint32_t c = eitr_counter(f.rd(R::E1000_EITR(0)));
  BOOST_TEST((c >= 49u && c <= 50u), "ITR_COUNTER reads " << c << " just after loading 50");
  f.env.wr(R::E1000_EICS, 1);
  f.env.run(uint64_t(40 * kClocksPerUs));
  BOOST_TEST(f.env.msix.msgs.empty(), "fired before the loaded counter ran out");
  f.env.run(uint64_t(12 * kClocksPerUs));
  BOOST_REQUIRE_EQUAL(f.env.msix.msgs.size(), 1u);
  const double us = double(f.env.msix.msgs[0].cycle - t0) / kClocksPerUs;
  BOOST_TEST((us >= 49.0 && us <= 51.0), "fired " << us << " us after the write");
  // Interval 0: the counter is not reloaded, the next cause fires at once.
  f.env.msix.msgs.clear();
  f.env.wr(R::E1000_EICS, 1);  // EIMS still set (no EIAM)
  f.env.run(50);
  BOOST_TEST(f.env.msix.msgs.size() == 1u);
}

BOOST_AUTO_TEST_CASE(rdt_write_honours_wstrb) {
  Fix f;
  f.setup(Setup{});  // 64 descriptors, RDT = 63
  BOOST_REQUIRE_EQUAL(f.rd(R::E1000_RDT(0)), 63u);
  f.rd(R::E1000_RXP_PERR);
  auto wr_strb = [&](uint32_t off, uint32_t v, uint8_t strb) {
    f.env.axil.start_write(off, v, strb);
    f.env.sim.run_until([&] { return !f.env.axil.busy(); }, 1000, "RDT write");
  };
  // Byte 0 only: byte 1 (0x01) is not written, RDT = 0x0005.
  wr_strb(R::E1000_RDT(0), 0x00000105, 0x1);
  BOOST_TEST(f.rd(R::E1000_RDT(0)) == 5u);
  BOOST_TEST(f.rd(R::E1000_RXP_PERR) == 0u, "a value in range was refused");
  // No byte enabled: nothing written.
  wr_strb(R::E1000_RDT(0), 0x00000000, 0x0);
  BOOST_TEST(f.rd(R::E1000_RDT(0)) == 5u);
  // Byte 1 only: RDT = 0x2A05, beyond the ring: refused and latched.
  wr_strb(R::E1000_RDT(0), 0x00002A00, 0x2);
  BOOST_TEST(f.rd(R::E1000_RDT(0)) == 5u);
  BOOST_TEST((f.rd(R::E1000_RXP_PERR) & R::E1000_RXP_PERR_RDT) != 0u);
}

BOOST_AUTO_TEST_CASE(rdt_write_while_the_queue_is_disabled_is_ignored) {
  Fix f;
  Setup s;
  s.fill = 0;  // the ring starts empty: RDT = RDH = 0
  f.setup(s);
  f.env.wr(R::E1000_RXDCTL(0), 0);
  f.env.wr(R::E1000_RDT(0), 10);
  BOOST_TEST(f.rd(R::E1000_RDT(0)) == 0u, "RDT written while the queue is disabled");
  // Enabled again, the NIC owns nothing: the frame waits for descriptors
  // (RNBC) and nothing is written to the ring's stale slots.
  f.env.wr(R::E1000_RXDCTL(0), R::E1000_RXDCTL_QUEUE_ENABLE);
  f.rd(R::E1000_RNBC);
  f.env.xgmii.send(WireFrame{udp_frame_len(kStation, kPeer, 200, 3)});
  f.env.run(5000);
  BOOST_TEST(f.writes.empty(), "DMA into descriptors software never gave");
  BOOST_TEST(f.rd(R::E1000_RNBC) == 1u);
}

// EITR written 16 bits at a time (AXI4 WSTRB): the low half sets the
// interval and leaves the running counter alone; the high half without
// CNT_IGNR loads the counter and keeps the interval.
BOOST_AUTO_TEST_CASE(eitr_halves_written_with_wstrb) {
  Fix f;
  msix_on(f);
  auto wr_strb = [&](uint32_t off, uint32_t v, uint8_t strb) {
    f.env.axil.start_write(off, v, strb);
    f.env.sim.run_until([&] { return !f.env.axil.busy(); }, 1000, "EITR write");
  };
  f.env.wr(R::E1000_EITR(0), 40u << R::E1000_EITR_ITR_COUNTER_LSB);  // counter 40 us, interval 0
  // Interval 60 us in the low half; the high half's bytes (a counter of 0
  // without CNT_IGNR) are not strobed, so the counter keeps running.
  wr_strb(R::E1000_EITR(0), 60u << R::E1000_EITR_INTERVAL_LSB, 0x3);
  uint32_t v = f.rd(R::E1000_EITR(0));
  BOOST_TEST((v & R::E1000_EITR_INTERVAL) == (60u << R::E1000_EITR_INTERVAL_LSB));
  BOOST_TEST((eitr_counter(v) >= 38u && eitr_counter(v) <= 40u), "ITR_COUNTER reads " << eitr_counter(v));
  // Counter 5 us in the high half, without CNT_IGNR: loaded; the interval
  // in the unstrobed low half stays 60.
  wr_strb(R::E1000_EITR(0), 5u << R::E1000_EITR_ITR_COUNTER_LSB, 0xc);
  v = f.rd(R::E1000_EITR(0));
  BOOST_TEST((v & R::E1000_EITR_INTERVAL) == (60u << R::E1000_EITR_INTERVAL_LSB));
  BOOST_TEST(eitr_counter(v) <= 5u);
}

// The other read/write interrupt registers keep the bytes a write does not
// strobe: IVAR0 (a queue's vector entry in byte 0, queue n+8's in byte 2),
// EIAC, EIAM, GPIE.
BOOST_AUTO_TEST_CASE(interrupt_registers_honour_wstrb) {
  Fix f;
  auto wr_strb = [&](uint32_t off, uint32_t v, uint8_t strb) {
    f.env.axil.start_write(off, v, strb);
    f.env.sim.run_until([&] { return !f.env.axil.busy(); }, 1000, "register write");
  };
  const uint32_t vec1 = R::E1000_IVAR0_RX_VALID | (1u << R::E1000_IVAR0_RX_VECTOR_LSB);
  f.env.wr(R::E1000_IVAR0(0), vec1);
  wr_strb(R::E1000_IVAR0(0), 0x00830000, 0x4);  // queue 8's entry only
  BOOST_TEST(f.rd(R::E1000_IVAR0(0)) == (0x00830000u | vec1), "queue 0's entry lost");
  for (uint32_t reg : {R::E1000_EIAC, R::E1000_EIAM}) {
    f.env.wr(reg, 0x5);
    wr_strb(reg, 0x00010000, 0x4);
    BOOST_TEST(f.rd(reg) == 0x10005u);
  }
  f.env.wr(R::E1000_GPIE, R::E1000_GPIE_MSIX_MODE);
  wr_strb(R::E1000_GPIE, R::E1000_GPIE_EIAME, 0x8);
  BOOST_TEST(f.rd(R::E1000_GPIE) == (R::E1000_GPIE_MSIX_MODE | R::E1000_GPIE_EIAME));
}
