// SPDX-License-Identifier: MIT
// Two queues on two CPUs, MTU 9000: probe programs both rings and the IVAR
// entries of rx-0, rx-1, tx-0, tx-1 (MSI-X entries 1..4, igb_assign_vector),
// the rx vectors are routed to CPUs 0 and 1, the dynamic ITR follows
// igb_update_ring_itr (average wire size), and
// jumbo frames span several 3 KiB buffers (build_skb + skb_add_rx_frag).
// The NIC double steers every frame to queue 0.
#define BOOST_TEST_MODULE igb_multiqueue
#include "testing/sc_test.hpp"

#include <memory>

#include "host/tests/igb_system.hpp"
#include "rxpath/igb_regs.hpp"

using namespace sc_core;
using namespace rxpath;
using namespace rxpath::regs;

namespace {
test::IgbSystem* sys;
}

BOOST_AUTO_TEST_CASE(probe_programs_every_queue_and_vector) {
  sc_start(sc_time(20, SC_US));
  for (unsigned q = 0; q < 2; ++q) {
    BOOST_CHECK_EQUAL(sys->nic.peek(E1000_RDT(q)), sys->igb.rx_ring(q).count - 1);
    // RX lane: rx-q is entry q + 1; TX lane (bits 15:8): tx-q is entry q + 3; 0x80 valid
    BOOST_CHECK_EQUAL(sys->nic.peek(E1000_IVAR0(q)), (0x81u + q) | (0x83u + q) << 8);
    BOOST_CHECK_EQUAL(sys->igb.q_vector(q).cpu, int(q));
  }
  BOOST_CHECK_EQUAL(sys->nic.peek(E1000_EIMS), 0x1fu);  // other + 4 queue vectors
  BOOST_CHECK_EQUAL(sys->nic.peek(E1000_EIAM), 0x1fu);
  BOOST_CHECK_EQUAL(sys->nic.peek(E1000_EIAC), 0x1fu);
  BOOST_CHECK(sys->igb.rx_ring(0).dma != sys->igb.rx_ring(1).dma);
  BOOST_CHECK_EQUAL(sys->nic.peek(E1000_SRRCTL(0)) & E1000_SRRCTL_BSIZEPKT, 3u);  // 3 KiB
  BOOST_CHECK(sys->nic.peek(E1000_RCTL) & E1000_RCTL_LPE);
  BOOST_CHECK_EQUAL(sys->nic.peek(E1000_RLPML), 9018u);
}

BOOST_AUTO_TEST_CASE(update_ring_itr_from_average_wire_size) {
  host::igb_q_vector& qv = sys->igb.q_vector(0);
  BOOST_CHECK_EQUAL(qv.itr_val, host::IGB_START_ITR);
  sys->traffic.start(20, 20000, 1000);  // 1000-byte frames, one per IRQ
  sys->run_until_idle();
  // avg = 1000 + 24 = 1024, in (300, 1200): itr = avg / 3 = 341
  BOOST_CHECK_EQUAL(qv.itr_val, 1024u / 3);
  sys->traffic.start(20, 20000, 100);  // small frames: avg/2 = 62, conservative floor 196
  sys->run_until_idle();
  BOOST_CHECK_EQUAL(qv.itr_val, host::IGB_20K_ITR);
  BOOST_CHECK_EQUAL(sys->kernel.cpu(0).irq_count(qv.irq), qv.irqs);
  BOOST_CHECK_EQUAL(sys->igb.q_vector(1).irqs, 0u);  // queue 1 saw no traffic
  BOOST_CHECK_EQUAL(sys->reader->messages(), 40u);
}

BOOST_AUTO_TEST_CASE(jumbo_frames_span_buffers) {
  const uint64_t m0 = sys->reader->messages(), b0 = sys->reader->bytes();
  const uint64_t d0 = sys->nic.stats().frames_to_host;
  sys->traffic.start(30, 50000, 9014);  // 3 buffers each: 3072 + 3072 + 2870
  sys->run_until_idle();
  BOOST_CHECK_EQUAL(sys->nic.stats().frames_to_host - d0, 30u);
  BOOST_CHECK_EQUAL(sys->reader->messages() - m0, 30u);
  BOOST_CHECK_EQUAL(sys->reader->bytes() - b0, 30u * (9014 - 42));  // UDP payload bytes
  BOOST_CHECK(sys->igb.rx_ring(0).skb == nullptr);                  // no frame left half-built
  BOOST_CHECK(sys->kernel.frame_account().balanced());
}

// One simulated system for the executable, built before the first test case.
struct Elaborate {
  std::unique_ptr<test::IgbSystem> s;
  Elaborate() {
    host::IgbConfig ic;
    ic.rss_queues = 2;
    s = std::make_unique<test::IgbSystem>(ic, nic::NicDoubleConfig{}, 1 << 20, 9000);
    sys = s.get();
  }
  // The system ends inside a process, so its threads are unwound (testing/sc_test.hpp).
  ~Elaborate() {
    rxpath::testing::end_in_process([this] { s.reset(); });
  }
};
BOOST_TEST_GLOBAL_FIXTURE(Elaborate);
