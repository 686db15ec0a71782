// SPDX-License-Identifier: MIT
// Every frame the NIC double receives is delivered to the socket or counted in
// exactly one drop counter, with DROP_EN set (RQDPC instead of waiting), a
// small socket buffer and a slow reader (RcvbufErrors), read back through the
// driver's igb_update_stats (MMIO) and the stack's counters; /proc/net/dev and
// ethtool -S agree with them.
#define BOOST_TEST_MODULE igb_accounting
#include "testing/sc_test.hpp"

#include <memory>

#include "host/tests/igb_system.hpp"

using namespace sc_core;
using namespace rxpath;

namespace {
test::IgbSystem* sys;
}

BOOST_AUTO_TEST_CASE(every_frame_delivered_or_dropped_once) {
  sys->kernel.cost().user_per_packet = 3000;  // a slow application: 3 us per message
  const uint64_t n = 30000;
  sys->traffic.start(n, 1.5e6, 200);
  sys->run_until_idle();
  sc_start(sc_time(50, SC_MS));  // let the reader drain its socket
  sys->update_stats();
  BOOST_REQUIRE(sys->stats_done);
  const auto& hw = sys->igb.hw_stats();
  const uint64_t delivered = sys->reader->messages();
  const uint64_t rqdpc = sys->igb.rqdpc_total();
  const uint64_t rcvbuf = sys->kernel.udp.RcvbufErrors;
  const auto acct = sys->kernel.frame_account();
  BOOST_TEST_MESSAGE("delivered " << delivered << " mpc " << hw.mpc << " rqdpc " << rqdpc << " rnbc " << hw.rnbc
                                  << " RcvbufErrors " << rcvbuf << " stack dropped " << acct.dropped);
  BOOST_CHECK_EQUAL(sys->nic.stats().frames_in, n);
  BOOST_CHECK_GT(rqdpc, 0u);                // the ring ran dry: DROP_EN dropped at the queue
  BOOST_CHECK_EQUAL(hw.rnbc, rqdpc);        // ... each dropped frame counted once in RNBC too (rtl/README.md)
  BOOST_CHECK_GT(rcvbuf, 0u);               // the socket overflowed
  BOOST_CHECK_EQUAL(acct.dropped, rcvbuf);  // the only stack drop here
  BOOST_CHECK_EQUAL(delivered + hw.mpc + rqdpc + acct.dropped, n);
  BOOST_CHECK(acct.balanced());
  BOOST_CHECK_EQUAL(hw.gprc, n - hw.mpc);  // GPRC counts frames that entered the FIFO
  // the driver's view: ring packets = frames handed to the stack
  BOOST_CHECK_EQUAL(sys->igb.rx_ring(0).rx_stats.packets, acct.offered);
  BOOST_CHECK_EQUAL(sys->igb.rx_ring(0).rx_stats.drops, rqdpc);
  const std::string s = sys->igb.ethtool_S();
  BOOST_CHECK(s.find("rx_queue_0_drops: " + std::to_string(rqdpc)) != std::string::npos);
  BOOST_CHECK(s.find("rx_fifo_errors: " + std::to_string(rqdpc + hw.mpc)) != std::string::npos);
  const std::string dev = sys->kernel.proc_net_dev();
  BOOST_TEST_MESSAGE(dev);
  BOOST_CHECK(dev.find("eth0") != std::string::npos);
}

// One simulated system for the executable, built before the first test case.
struct Elaborate {
  std::unique_ptr<test::IgbSystem> s;
  Elaborate() {
    host::IgbConfig ic;
    ic.drop_en = true;
    s = std::make_unique<test::IgbSystem>(ic, nic::NicDoubleConfig{}, 16384);  // 16 KiB socket buffer
    sys = s.get();
  }
  // The system ends inside a process, so its threads are unwound (testing/sc_test.hpp).
  ~Elaborate() {
    rxpath::testing::end_in_process([this] { s.reset(); });
  }
};
BOOST_TEST_GLOBAL_FIXTURE(Elaborate);
