// SPDX-License-Identifier: MIT
// AXI4-Lite reads and writes accepted in the same clock. The AXI4-Lite read
// and write channels are independent (AMBA AXI and ACE specification, A3.3:
// "there is no ordering relationship between the read and write channels"),
// so a read issued with a write must decode its own address and see the
// registers as before the write; clear-on-read (EICR and the statistics,
// 82576 datasheet 8.8.1 and 8.19) must act on the register read, and
// write-1-to-clear EICR on the bits written, in the same clock as the other.
#define BOOST_TEST_MODULE nic_axil_concurrent
#include "rtl/tests/nic_fixture.hpp"

#include <random>

#include "Vnic_top.h"

using namespace rxt;
using Fix = NicFixture<Vnic_top>;

namespace {
// A write and a read presented together; returns the read data and checks
// that the NIC accepted both in the same clock (else the test proves nothing).
uint32_t pair(Fix& f, uint32_t waddr, uint32_t wdata, uint32_t raddr) {
  auto& m = f.env.axil;
  m.start_pair(waddr, wdata, raddr);
  f.env.sim.run_until([&] { return !m.busy(); }, 1000, "AXI-Lite write and read");
  BOOST_TEST(m.aw_cycle() == m.ar_cycle(), "write accepted at " << m.aw_cycle() << ", read at " << m.ar_cycle());
  BOOST_TEST(m.last_bresp() == 0u);
  BOOST_TEST(m.last_rresp() == 0u);
  return m.last_rdata();
}

constexpr uint32_t kVecMask = (1u << R::kMsixVectors) - 1;
}  // namespace

BOOST_AUTO_TEST_CASE(read_eicr_while_writing_eiac) {
  Fix f;
  f.env.wr(R::E1000_EICS, 0x1);  // GPIE.MSIX_MODE clear: nothing fires, EICR keeps it
  BOOST_TEST(pair(f, R::E1000_EIAC, 0x1, R::E1000_EICR) == 0x1u);
  BOOST_TEST(f.rd(R::E1000_EICR) == 0u, "the EICR read did not clear it");
  BOOST_TEST(f.rd(R::E1000_EIAC) == 0x1u);
}

BOOST_AUTO_TEST_CASE(write_eicr_while_reading_status) {
  Fix f;
  f.env.wr(R::E1000_EICS, 0x7);
  BOOST_TEST(pair(f, R::E1000_EICR, 0x2, R::E1000_STATUS) == R::E1000_STATUS_RESET);
  BOOST_TEST(f.rd(R::E1000_EICR) == 0x5u, "writing 1 to EICR bit 1 cleared other causes");
}

BOOST_AUTO_TEST_CASE(read_tpr_while_writing_rctl) {
  Fix f;
  for (int i = 0; i < 3; ++i) f.env.xgmii.send(WireFrame{raw_frame(kStation, kPeer, 100, uint8_t(i))});
  f.env.run(2000);
  BOOST_TEST(pair(f, R::E1000_RCTL, R::E1000_RCTL_BAM, R::E1000_TPR) == 3u);
  BOOST_TEST(f.rd(R::E1000_TPR) == 0u, "TPR not cleared by its read");
  BOOST_TEST(f.rd(R::E1000_RCTL) == R::E1000_RCTL_BAM);
}

// A register model predicts every read of a random mix of lone writes, lone
// reads and write+read pairs over interrupt, ring, filter and statistics
// registers. Statistics come from frames sent before the mix (RCTL.EN is
// clear, so good frames count RXP_RXDIS; 82576 datasheet statistics: TPR
// counts every frame, CRCERRS bad FCS, RUC runts).
BOOST_AUTO_TEST_CASE(random_mix_against_a_register_model) {
  Fix f;
  for (int i = 0; i < 3; ++i) f.env.xgmii.send(WireFrame{raw_frame(kStation, kPeer, 100, uint8_t(i))});
  for (int i = 0; i < 2; ++i) {
    WireFrame w{raw_frame(kStation, kPeer, 80, uint8_t(10 + i))};
    w.bad_fcs = true;
    f.env.xgmii.send(w);
  }
  f.env.xgmii.send(WireFrame{raw_frame(kStation, kPeer, 40)});  // 44 bytes with FCS: runt
  f.env.run(3000);

  std::map<uint32_t, uint32_t> model = {
      {R::E1000_EICR, 0},
      {R::E1000_EIMS, 0},
      {R::E1000_EIAC, 0},
      {R::E1000_EIAM, 0},
      {R::E1000_EITR(0), 0},
      {R::E1000_EITR(3), 0},
      {R::E1000_IVAR0(0), 0},
      {R::E1000_IVAR0(1), 0},
      {R::E1000_RCTL, R::E1000_RCTL_RESET},
      {R::E1000_RXCSUM, R::E1000_RXCSUM_RESET},
      {R::E1000_RDBAL(0), 0},
      {R::E1000_RDBAH(0), 0},
      {R::E1000_RAL(1), 0},
      {R::E1000_TPR, 6},
      {R::E1000_RXP_RXDIS, 3},
      {R::E1000_CRCERRS, 2},
      {R::E1000_RUC, 1},
      {R::E1000_GPRC, 0},
  };
  const std::vector<uint32_t> writable = {R::E1000_EICS,     R::E1000_EICR,     R::E1000_EIMS,    R::E1000_EIMC,
                                          R::E1000_EIAC,     R::E1000_EIAM,     R::E1000_EITR(0), R::E1000_EITR(3),
                                          R::E1000_IVAR0(0), R::E1000_IVAR0(1), R::E1000_RXCSUM,  R::E1000_RDBAL(0),
                                          R::E1000_RDBAH(0), R::E1000_RAL(1),   R::E1000_RCTL};
  std::vector<uint32_t> readable = {R::E1000_STATUS};
  for (const auto& [a, v] : model) readable.push_back(a);

  auto do_read = [&](uint32_t a) -> uint32_t {  // value the model predicts, with the read's side effect
    if (a == R::E1000_STATUS) return R::E1000_STATUS_RESET;
    uint32_t v = model.at(a);
    if (a == R::E1000_RDBAL(0)) v &= ~0xfu;
    const bool clear_on_read = a == R::E1000_EICR || a == R::E1000_TPR || a == R::E1000_RXP_RXDIS ||
                               a == R::E1000_CRCERRS || a == R::E1000_RUC || a == R::E1000_GPRC;
    if (clear_on_read) model[a] = 0;
    return v;
  };
  auto do_write = [&](uint32_t a, uint32_t v) {
    if (a == R::E1000_EICS)
      model[R::E1000_EICR] |= v & kVecMask;
    else if (a == R::E1000_EICR)
      model[a] &= ~v;
    else if (a == R::E1000_EIMS)
      model[a] |= v & kVecMask;
    else if (a == R::E1000_EIMC)
      model[R::E1000_EIMS] &= ~v;
    else if (a == R::E1000_EIAC || a == R::E1000_EIAM)
      model[a] = v & kVecMask;
    else if (a == R::E1000_EITR(0) || a == R::E1000_EITR(3))
      model[a] = v & R::E1000_EITR_INTERVAL;  // written without CNT_IGNR and a zero counter: reads back as written
    else
      model[a] = v;
  };

  std::mt19937 rng(12);
  unsigned pairs = 0, mismatches = 0;
  for (int step = 0; step < 600; ++step) {
    const unsigned kind = rng() % 3;  // 0 pair, 1 lone write, 2 lone read
    const uint32_t wa = writable[rng() % writable.size()];
    uint32_t wv = rng();
    if (wa == R::E1000_EITR(0) || wa == R::E1000_EITR(3)) wv &= R::E1000_EITR_INTERVAL;
    if (wa == R::E1000_RCTL) wv &= ~R::E1000_RCTL_EN;  // no frames are sent during the mix anyway
    const uint32_t ra = readable[rng() % readable.size()];
    if (kind == 0) {
      const uint32_t want = do_read(ra);
      do_write(wa, wv);
      const uint32_t got = pair(f, wa, wv, ra);
      ++pairs;
      if (got != want) {
        ++mismatches;
        BOOST_ERROR("step " << step << ": read 0x" << std::hex << ra << " with write 0x" << wa << " <= 0x" << wv
                            << ": got 0x" << got << ", model 0x" << want);
      }
    } else if (kind == 1) {
      do_write(wa, wv);
      f.env.wr(wa, wv);
    } else {
      const uint32_t want = do_read(ra);
      const uint32_t got = f.rd(ra);
      if (got != want) {
        ++mismatches;
        BOOST_ERROR("step " << step << ": read 0x" << std::hex << ra << ": got 0x" << got << ", model 0x" << want);
      }
    }
    if (mismatches > 10) break;
  }
  BOOST_TEST(pairs > 150u);
  BOOST_TEST(f.env.axil.violations().empty());
}

// RXP_PERR is clear on read too: a bit latched in the clock of the read (here
// a refused RDT write issued with it) stays for the next read, and the bits
// the read returned are gone.
BOOST_AUTO_TEST_CASE(rxp_perr_read_with_a_refused_rdt_write) {
  Fix f;
  // Queue enabled with RDLEN 0 and the legacy descriptor type of SRRCTL's
  // reset value: RDLEN and DESCTYPE latch.
  f.env.wr(R::E1000_RXDCTL(0), R::E1000_RXDCTL_QUEUE_ENABLE);
  f.env.run(10);
  const uint32_t before = R::E1000_RXP_PERR_RDLEN | R::E1000_RXP_PERR_DESCTYPE;
  // RDT 5 on a ring of 0 descriptors is refused: RXP_PERR.RDT latches.
  BOOST_TEST(pair(f, R::E1000_RDT(0), 5, R::E1000_RXP_PERR) == before);
  BOOST_TEST(f.rd(R::E1000_RXP_PERR) == R::E1000_RXP_PERR_RDT);
  BOOST_TEST(f.rd(R::E1000_RXP_PERR) == 0u);
}
