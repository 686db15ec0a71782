// SPDX-License-Identifier: MIT
// Interrupts: EITR interval to the cycle on the 156.25-cycle microsecond base,
// auto-mask (EIAM) and re-enable via EIMS, auto-clear (EIAC), EICS, IVAR
// mapping, and MSI-X only after the writeback's write response.
#define BOOST_TEST_MODULE nic_irq
#include "rtl/tests/nic_fixture.hpp"

#include "Vnic_top.h"

using namespace rxt;
using Fix = NicFixture<Vnic_top>;

namespace {
// Cycle of microsecond tick k when the accumulator (step 4, wrap 625) starts at a0.
uint64_t tick_cycle(uint64_t k, unsigned a0) { return (625 * k - a0 + 3) / 4; }

// True when the gaps between messages are exactly N ticks apart for some
// accumulator phase: predicts every gap to the cycle.
bool gaps_match_eitr(const std::vector<uint64_t>& gaps, unsigned n_us, std::string& why) {
  for (unsigned a0 = 0; a0 < 625; a0 += 4) {
    for (unsigned k0 = 1; k0 <= 4; ++k0) {
      bool ok = true;
      for (size_t i = 0; i < gaps.size() && ok; ++i) {
        uint64_t k = k0 + i * n_us;
        ok = gaps[i] == tick_cycle(k + n_us, a0) - tick_cycle(k, a0);
      }
      if (ok) return true;
    }
  }
  why = "gaps:";
  for (auto g : gaps) why += " " + std::to_string(g);
  why += " (expected each " + std::to_string(156.25 * n_us) + " +-1 in the 156/157 pattern)";
  return false;
}

void irq_setup(Fix& f, uint32_t eiac, uint32_t eiam, uint32_t eitr_us) {
  f.env.wr(R::E1000_EIMC, ~0u);
  f.env.wr(R::E1000_EIAC, eiac);
  f.env.wr(R::E1000_EIAM, eiam);
  f.env.wr(R::E1000_EITR(0), eitr_us << R::E1000_EITR_INTERVAL_LSB);
  f.rd(R::E1000_EICR);
  f.env.msix.msgs.clear();
  f.env.wr(R::E1000_EIMS, 1);
}
}  // namespace

BOOST_AUTO_TEST_CASE(eitr_interval_matches_to_the_cycle) {
  for (unsigned n_us : {4u, 5u, 10u}) {
    BOOST_TEST_CONTEXT("EITR " << n_us << " us") {
      Fix f;
      f.setup(Setup{});
      irq_setup(f, 1, 0, n_us);
      // Keep the cause pending all the time.
      uint64_t start = f.env.sim.cycle();
      while (f.env.msix.msgs.size() < 10 && f.env.sim.cycle() - start < 20000 * n_us) f.env.wr(R::E1000_EICS, 1);
      const auto& m = f.env.msix.msgs;
      BOOST_REQUIRE_GE(m.size(), 10u);
      for (auto& x : m) BOOST_TEST(x.vector == 0u);
      std::vector<uint64_t> gaps;
      for (size_t i = 2; i < m.size(); ++i) gaps.push_back(m[i].cycle - m[i - 1].cycle);
      std::string why;
      BOOST_TEST(gaps_match_eitr(gaps, n_us, why), why);
    }
  }
}

BOOST_AUTO_TEST_CASE(eitr_expired_fires_at_once) {
  Fix f;
  f.setup(Setup{});
  irq_setup(f, 1, 0, 2);
  f.env.run(2000);  // interval long past
  f.env.msix.msgs.clear();
  uint64_t t = f.env.sim.cycle();
  f.env.wr(R::E1000_EICS, 1);
  f.env.run(50);
  BOOST_REQUIRE_EQUAL(f.env.msix.msgs.size(), 1u);
  BOOST_TEST(f.env.msix.msgs[0].cycle - t < 30u);
}

BOOST_AUTO_TEST_CASE(eiam_auto_masks_and_eims_reenables) {
  Fix f;
  f.setup(Setup{});  // GPIE.EIAME set by the driver double
  irq_setup(f, 1, 1, 0);
  f.env.wr(R::E1000_EICS, 1);
  f.env.run(100);
  BOOST_TEST(f.env.msix.msgs.size() == 1u);
  BOOST_TEST((f.rd(R::E1000_EIMS) & 1u) == 0u);  // masked by hardware
  f.env.wr(R::E1000_EICS, 1);
  f.env.run(500);
  BOOST_TEST(f.env.msix.msgs.size() == 1u);  // held while masked
  f.env.wr(R::E1000_EIMS, 1);
  f.env.run(100);
  BOOST_TEST(f.env.msix.msgs.size() == 2u);  // fires on re-enable
}

BOOST_AUTO_TEST_CASE(eiac_auto_clears_eicr_and_read_clears_it_otherwise) {
  Fix f;
  f.setup(Setup{});
  irq_setup(f, 0, 0, 0);
  f.env.wr(R::E1000_EICS, 1);
  f.env.run(100);
  BOOST_TEST(f.env.msix.msgs.size() == 1u);
  BOOST_TEST((f.rd(R::E1000_EICR) & 1u) == 1u);  // no auto-clear
  BOOST_TEST((f.rd(R::E1000_EICR) & 1u) == 0u);  // read cleared it
  irq_setup(f, 1, 0, 0);
  f.env.wr(R::E1000_EICS, 1);
  f.env.run(100);
  BOOST_TEST(f.env.msix.msgs.size() == 1u);
  BOOST_TEST((f.rd(R::E1000_EICR) & 1u) == 0u);  // auto-cleared on the message
}

BOOST_AUTO_TEST_CASE(eics_with_vector_masked_fires_on_eims) {
  Fix f;
  f.setup(Setup{});
  irq_setup(f, 1, 0, 0);
  f.env.wr(R::E1000_EIMC, 1);
  f.env.wr(R::E1000_EICS, 1);
  f.env.run(300);
  BOOST_TEST(f.env.msix.msgs.size() == 0u);
  f.env.wr(R::E1000_EIMS, 1);
  f.env.run(100);
  BOOST_TEST(f.env.msix.msgs.size() == 1u);
}

BOOST_AUTO_TEST_CASE(traffic_interrupt_uses_ivar_vector_after_writeback) {
  Fix f;
  f.setup(Setup{});
  const unsigned vec = 3;
  f.env.wr(R::E1000_IVAR0(0), (vec << R::E1000_IVAR0_RX_VECTOR_LSB) | R::E1000_IVAR0_RX_VALID);
  f.env.wr(R::E1000_EIAC, 1u << vec);
  f.env.wr(R::E1000_EIAM, 1u << vec);
  f.env.wr(R::E1000_EITR(vec), 0);
  f.env.wr(R::E1000_EIMS, 1u << vec);
  f.env.msix.msgs.clear();
  f.send(WireFrame{udp_frame_len(kStation, kPeer, 200)});
  f.drain();
  f.check_scoreboard();
  BOOST_TEST(f.sb.delivered == 1u);
  BOOST_REQUIRE_EQUAL(f.env.msix.msgs.size(), 1u);
  BOOST_TEST(f.env.msix.msgs[0].vector == vec);
  BOOST_REQUIRE_EQUAL(f.wb_b_cycles.size(), 1u);
  BOOST_TEST(f.env.msix.msgs[0].cycle > f.wb_b_cycles[0]);
  // Auto-masked: a second frame writes back but raises nothing until EIMS.
  f.send(WireFrame{udp_frame_len(kStation, kPeer, 200, 7)});
  f.drain();
  BOOST_TEST(f.env.msix.msgs.size() == 1u);
  f.env.wr(R::E1000_EIMS, 1u << vec);
  f.env.run(200);
  BOOST_TEST(f.env.msix.msgs.size() == 2u);
}

BOOST_AUTO_TEST_CASE(eitr_write_without_cnt_ignr_expires_the_counter) {
  Fix f;
  f.setup(Setup{});
  irq_setup(f, 1, 0, 100);  // 100 us
  f.env.wr(R::E1000_EICS, 1);
  f.env.run(100);
  BOOST_REQUIRE_EQUAL(f.env.msix.msgs.size(), 1u);  // counter was 0: at once
  f.env.wr(R::E1000_EICS, 1);
  f.env.run(2000);
  BOOST_TEST(f.env.msix.msgs.size() == 1u);  // held: 100 us not over
  // Rewriting EITR with CNT_IGNR keeps the counter running: still held.
  f.env.wr(R::E1000_EITR(0), (100u << R::E1000_EITR_INTERVAL_LSB) | R::E1000_EITR_CNT_IGNR);
  f.env.run(2000);
  BOOST_TEST(f.env.msix.msgs.size() == 1u);
  // Without CNT_IGNR the counter is cleared: the pending cause fires.
  f.env.wr(R::E1000_EITR(0), 100u << R::E1000_EITR_INTERVAL_LSB);
  f.env.run(100);
  BOOST_TEST(f.env.msix.msgs.size() == 2u);
}
