// SPDX-License-Identifier: MIT
// The igb driver on the NIC double, through the link, into the stack
// (reference section 13 checks that involve the driver): ring init with one
// slot empty; every frame delivered; tail written once per >= 16 refills and
// at poll end; vector masked while NAPI is scheduled; IRQs << packets under
// load; a poll using its whole weight stays scheduled with the IRQ masked and
// repolls; EITR changes the IRQ rate as programmed; with MSI-X the dynamic
// ITR is igb_update_ring_itr's (one queue has two q_vectors, rx-0 and tx-0);
// ethtool -C / -G rules; ethtool -S names. One queue (ethtool -L combined 1).
#define BOOST_TEST_MODULE igb_driver
#include "testing/sc_test.hpp"

#include "host/tests/igb_system.hpp"
#include "rxpath/igb_regs.hpp"

using namespace sc_core;
using namespace rxpath;
using namespace rxpath::regs;

namespace {

test::IgbSystem* sys;

// Invariant checker: while NAPI is scheduled, the vector is masked at the NIC.
struct MaskChecker : sc_module {
  uint64_t samples = 0, sched_samples = 0, violations = 0;
  sc_time first_rnbc = SC_ZERO_TIME, first_mpc = SC_ZERO_TIME;  // zero: not seen
  unsigned max_outstanding = 0;                                 // descriptors handed to the NIC and not yet cleaned
  SC_CTOR(MaskChecker) { SC_THREAD(run); }
  void run() {
    for (;;) {
      wait(sc_time(200, SC_NS));
      ++samples;
      const host::igb_ring& r = sys->igb.rx_ring(0);
      max_outstanding = std::max(max_outstanding, (r.next_to_use + r.count - r.next_to_clean) % r.count);
      if (first_rnbc == SC_ZERO_TIME && sys->nic.peek(E1000_RNBC)) first_rnbc = sc_time_stamp();
      if (first_mpc == SC_ZERO_TIME && sys->nic.peek(E1000_MPC)) first_mpc = sc_time_stamp();
      if (sys->igb.q_vector(0).napi.state & stack::NAPI_STATE_SCHED) {
        ++sched_samples;
        if (sys->nic.peek(E1000_EIMS) & sys->igb.q_vector(0).eims_value) ++violations;
      }
    }
  }
};
MaskChecker* checker;

}  // namespace

BOOST_AUTO_TEST_CASE(probe_programs_ring_and_leaves_one_slot_empty) {
  sc_start(sc_time(20, SC_US));
  host::igb_ring& r = sys->igb.rx_ring(0);
  BOOST_CHECK_EQUAL(r.count, host::IGB_DEFAULT_RXD);
  BOOST_CHECK_EQUAL(r.next_to_use, r.count - 1);
  BOOST_CHECK_EQUAL(sys->nic.peek(E1000_RDT(0)), r.count - 1);  // count - 1: one slot empty
  BOOST_CHECK_EQUAL(r.tail_writes, 1u);                         // one RDT write for the fill
  BOOST_CHECK_EQUAL(sys->nic.peek(E1000_RXDCTL(0)), host::IGB_RX_PTHRESH | host::IGB_RX_HTHRESH << 8 |
                                                        host::IGB_RX_WTHRESH << 16 | E1000_RXDCTL_QUEUE_ENABLE);
  BOOST_CHECK_EQUAL(sys->nic.peek(E1000_SRRCTL(0)), 2u | E1000_SRRCTL_DESCTYPE_ADV_ONEBUF);
  BOOST_CHECK_EQUAL(sys->nic.peek(E1000_GPIE),
                    E1000_GPIE_MSIX_MODE | E1000_GPIE_PBA | E1000_GPIE_EIAME | E1000_GPIE_NSICR);
  // igb_configure_msix: other (entry 0) | rx-0 (1) | tx-0 (2)
  BOOST_CHECK_EQUAL(sys->nic.peek(E1000_EIMS), 0x7u);
}

BOOST_AUTO_TEST_CASE(sparse_traffic_every_frame_delivered_one_irq_each) {
  const uint64_t irq0 = sys->igb.q_vector(0).irqs;
  sys->traffic.start(200, 2000, 100);  // 2000/s: 500 us apart, longer than any ITR
  sys->run_until_idle();
  BOOST_CHECK_EQUAL(sys->reader->messages(), 200u);
  BOOST_CHECK_EQUAL(sys->igb.q_vector(0).irqs - irq0, 200u);
  BOOST_CHECK_EQUAL(sys->igb.rx_ring(0).rx_stats.packets, 200u);
  BOOST_CHECK_EQUAL(sys->kernel.udp.RcvbufErrors, 0u);
  BOOST_CHECK(sys->kernel.frame_account().balanced());
  // the MSI-X became the hard IRQ of the vector on its affine CPU (CPU 0)
  const host::igb_q_vector& qv = sys->igb.q_vector(0);
  BOOST_CHECK_EQUAL(sys->kernel.cpu(0).irq_count(qv.irq), qv.irqs);
  BOOST_CHECK_EQUAL(sys->kernel.cpu(1).irq_count(qv.irq), 0u);
  BOOST_CHECK_EQUAL(sys->nic.stats().msix_sent, qv.irqs);
  BOOST_CHECK(sys->kernel.proc_interrupts().find("eth0-rx-0") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(load_napi_batches_tail_batched_vector_masked) {
  host::igb_ring& r = sys->igb.rx_ring(0);
  host::igb_q_vector& qv = sys->igb.q_vector(0);
  r.record_tail_writes = true;
  r.tail_write_sizes.clear();
  const uint64_t irq0 = qv.irqs, polls0 = qv.polls, full0 = qv.polls_full, msgs0 = sys->reader->messages();
  const uint64_t tw0 = r.tail_writes;
  const uint64_t n = 20000;
  sys->traffic.start(n, 2.0e6, 60);  // 2 Mpps of minimum frames
  sys->run_until_idle();
  const uint64_t irqs = qv.irqs - irq0, polls = qv.polls - polls0, full = qv.polls_full - full0;
  BOOST_TEST_MESSAGE("irqs " << irqs << " polls " << polls << " full " << full << " tail writes " << r.tail_writes - tw0
                             << " delivered " << sys->reader->messages() - msgs0);
  BOOST_CHECK_LT(irqs * 20, n);            // IRQs << packets
  BOOST_CHECK_GT(full, 0u);                // some polls used their whole weight ...
  BOOST_CHECK_GT(polls, irqs + full / 2);  // ... and were repolled without an IRQ
  BOOST_CHECK_EQUAL(checker->violations, 0u);
  BOOST_CHECK_GT(checker->sched_samples, 0u);
  BOOST_CHECK_EQUAL(qv.napi.missed, 0u);  // never an IRQ while scheduled
  // Tail: writes inside the clean loop hand over >= 16 slots; smaller ones
  // happen only at poll end, so there are at most polls of them.
  uint64_t small = 0, slots = 0;
  for (unsigned s : r.tail_write_sizes) {
    slots += s;
    if (s < host::IGB_RX_BUFFER_WRITE) ++small;
  }
  BOOST_CHECK_LE(small, polls);
  BOOST_CHECK_LE(r.tail_write_sizes.size(), slots / host::IGB_RX_BUFFER_WRITE + polls);
  // one slot always empty: under load the ring was full, i.e. count - 1
  // descriptors outstanding, never count (which would read as empty)
  BOOST_CHECK_EQUAL(checker->max_outstanding, r.count - 1);
  // every frame: delivered to the socket or counted in one drop counter
  sys->update_stats();
  BOOST_REQUIRE(sys->stats_done);
  const auto& hw = sys->igb.hw_stats();
  const uint64_t delivered = sys->reader->messages() - msgs0;
  const uint64_t stack_drops = sys->kernel.frame_account().dropped;
  BOOST_TEST_MESSAGE("mpc " << hw.mpc << " rqdpc " << sys->igb.rqdpc_total() << " stack drops " << stack_drops);
  BOOST_CHECK_EQUAL(delivered + hw.mpc + sys->igb.rqdpc_total() + stack_drops, n);
  // the ring filled first (RNBC: frames wait in the FIFO), MPC only when the FIFO overflowed
  BOOST_CHECK_GT(hw.rnbc, 0u);
  BOOST_CHECK_GT(hw.mpc, 0u);
  BOOST_CHECK(checker->first_rnbc != SC_ZERO_TIME);
  BOOST_CHECK(checker->first_rnbc < checker->first_mpc);
  BOOST_CHECK(sys->kernel.frame_account().balanced());
  r.record_tail_writes = false;
}

BOOST_AUTO_TEST_CASE(eitr_sets_the_irq_rate) {
  BOOST_CHECK_EQUAL(sys->igb.igb_set_coalesce(100), 0);  // 100 us fixed
  host::igb_q_vector& qv = sys->igb.q_vector(0);
  sys->traffic.start(10, 1000, 100);  // first IRQ writes the new EITR
  sys->run_until_idle();
  BOOST_CHECK_EQUAL(sys->nic.peek(E1000_EITR(1)), 400u);  // rx-0 is MSI-X entry 1; 100 us << 2
  const uint64_t irq0 = qv.irqs;
  sys->traffic.start(4000, 200000, 100);  // 20 ms at 200 kpps
  sys->run_until_idle();
  const uint64_t irqs = qv.irqs - irq0;
  BOOST_TEST_MESSAGE("irqs at 100 us EITR over 20 ms: " << irqs);
  BOOST_CHECK_LE(irqs, 20000 / 100 + 2);
  BOOST_CHECK_GE(irqs, 20000 / 100 / 2);
  BOOST_CHECK_EQUAL(sys->igb.igb_set_coalesce(10), 0);  // 10 us: more IRQs
  sys->traffic.start(10, 1000, 100);
  sys->run_until_idle();
  const uint64_t irq1 = qv.irqs;
  sys->traffic.start(4000, 200000, 100);
  sys->run_until_idle();
  BOOST_TEST_MESSAGE("irqs at 10 us EITR over 20 ms: " << qv.irqs - irq1);
  BOOST_CHECK_GT(qv.irqs - irq1, 3 * irqs);
}

// igb_ring_irq_enable: igb_set_itr only when adapter->num_q_vectors == 1,
// which with MSI-X never holds on an 82576 (igb_set_interrupt_capability:
// rx-0 and tx-0 for one queue); so igb_update_ring_itr: the average wire
// size plus 24, halved above 1200 bytes, no conservative floor in mode 1.
// (igb_set_itr would have reached bulk_latency, IGB_4K_ITR = 980.)
BOOST_AUTO_TEST_CASE(dynamic_itr_is_igb_update_ring_itr_with_msix) {
  BOOST_CHECK_EQUAL(sys->igb.num_q_vectors(), 2u);
  BOOST_CHECK_EQUAL(sys->igb.igb_set_coalesce(1), 0);  // dynamic
  host::igb_q_vector& qv = sys->igb.q_vector(0);
  sys->traffic.start(3000, 300000, 1500);  // bulk: full-size frames
  uint32_t max_eitr = 0;
  while (sys->traffic.busy) {
    sc_start(sc_time(20, SC_US));
    max_eitr = std::max(max_eitr, sys->nic.peek(E1000_EITR(1)));
  }
  sc_start(sc_time(2, SC_MS));
  BOOST_TEST_MESSAGE("during bulk: max EITR " << max_eitr << "; after: itr_val " << qv.itr_val);
  BOOST_CHECK_EQUAL(qv.itr_val, (1500u + 24) / 2);                        // 762
  BOOST_CHECK_EQUAL(max_eitr, ((1500u + 24) / 2) & E1000_EITR_INTERVAL);  // written as 760 (bits 14:2)
  sys->traffic.start(50, 2000, 64);                                       // sparse small frames
  sys->run_until_idle();
  BOOST_TEST_MESSAGE("after sparse: itr_val " << qv.itr_val);
  BOOST_CHECK_EQUAL(qv.itr_val, (64u + 24) / 2);  // 44: below IGB_20K_ITR, kept (rx-usecs 1, not 3)
}

BOOST_AUTO_TEST_CASE(ethtool_rules_and_stats_text) {
  std::string err;
  BOOST_CHECK_EQUAL(sys->igb.igb_set_coalesce(2, &err), -22);
  BOOST_CHECK(err.find("rx-usecs") != std::string::npos);
  BOOST_CHECK_EQUAL(sys->igb.igb_set_coalesce(5), -22);
  BOOST_CHECK_EQUAL(sys->igb.igb_set_coalesce(10001), -22);
  BOOST_CHECK_EQUAL(sys->igb.igb_set_coalesce(3), 0);
  BOOST_CHECK_EQUAL(sys->igb.igb_set_ringparam(10), 64u);
  BOOST_CHECK_EQUAL(sys->igb.igb_set_ringparam(100), 104u);
  BOOST_CHECK_EQUAL(sys->igb.igb_set_ringparam(5000), 4096u);
  // ethtool -G on the running device: rings re-created with the new size
  BOOST_CHECK_EQUAL(sys->igb.igb_set_ringparam(100), 104u);
  sys->igb.igb_probe();
  sc_start(sc_time(20, SC_US));
  BOOST_CHECK_EQUAL(sys->igb.rx_ring(0).count, 104u);
  BOOST_CHECK_EQUAL(sys->nic.peek(E1000_RDLEN(0)), 104u * 16);
  BOOST_CHECK_EQUAL(sys->nic.peek(E1000_RDT(0)), 103u);
  const uint64_t m0 = sys->reader->messages();
  sys->traffic.start(500, 100000, 100);
  sys->run_until_idle();
  BOOST_CHECK_EQUAL(sys->reader->messages() - m0, 500u);
  sys->update_stats();
  const std::string s = sys->igb.ethtool_S();
  for (const char* name : {"rx_packets:", "rx_no_buffer_count:", "rx_missed_errors:", "rx_fifo_errors:",
                           "rx_queue_0_packets:", "rx_queue_0_drops:", "rx_queue_0_alloc_failed:"})
    BOOST_CHECK_MESSAGE(s.find(name) != std::string::npos, "ethtool -S lacks " << name);
  // rx_packets of ethtool is the hardware GPRC: every good frame so far
  BOOST_CHECK(s.find("rx_packets: " + std::to_string(sys->igb.hw_stats().gprc)) != std::string::npos);
}

BOOST_AUTO_TEST_CASE(mmio_read_stall_is_accounted_to_the_reading_context) {
  // igb_update_stats runs in the ethtool task (user context, CPU 1); every
  // register read stalls that CPU for the round trip (2L), and the stalled
  // time counts in the context that issued the read.
  stack::Cpu& cpu = sys->kernel.cpus().cpu(1);
  sc_start(sc_time(1, SC_MS));  // quiet: no traffic, the reader sleeps
  const uint64_t r0 = sys->plat.link().stats().mmio_reads;
  const sc_time u0 = cpu.time_in(stack::Ctx::user);
  sys->update_stats();
  const uint64_t reads = sys->plat.link().stats().mmio_reads - r0;
  const sc_time du = cpu.time_in(stack::Ctx::user) - u0;
  BOOST_TEST_REQUIRE(reads >= 10u);
  BOOST_TEST(du >= sys->plat.link().latency() * double(2 * reads), "user time " << du << " for " << reads << " reads");
}

BOOST_AUTO_TEST_CASE(bad_udp_checksum_counted_by_driver_and_stack) {
  host::igb_ring& r = sys->igb.rx_ring(0);
  const uint64_t csum0 = r.rx_stats.csum_err, incsum0 = sys->kernel.udp.InCsumErrors;
  const uint64_t m0 = sys->reader->messages();
  sys->traffic.bad_udp_csum = true;
  sys->traffic.start(40, 10000, 100);
  sys->run_until_idle();
  sys->traffic.bad_udp_csum = false;
  BOOST_CHECK_EQUAL(r.rx_stats.csum_err - csum0, 40u);             // igb_rx_checksum: TCPE
  BOOST_CHECK_EQUAL(sys->kernel.udp.InCsumErrors - incsum0, 40u);  // software check failed too
  BOOST_CHECK_EQUAL(sys->reader->messages(), m0);                  // nothing delivered
  BOOST_CHECK(sys->kernel.frame_account().balanced());
}

// One simulated system for the executable, built before the first test case.
struct Elaborate {
  static host::IgbConfig one_queue() {
    host::IgbConfig c;
    c.rss_queues = 1;
    return c;
  }
  std::unique_ptr<test::IgbSystem> s = std::make_unique<test::IgbSystem>(one_queue());
  MaskChecker c{"mask_checker"};
  Elaborate() {
    sys = s.get();
    checker = &c;
  }
  // The system ends inside a process, so its threads are unwound (testing/sc_test.hpp).
  ~Elaborate() {
    rxpath::testing::end_in_process([this] { s.reset(); });
  }
};
BOOST_TEST_GLOBAL_FIXTURE(Elaborate);
