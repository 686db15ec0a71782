// SPDX-License-Identifier: Apache-2.0
// stack/tests/poll_test.cpp: select/poll vs epoll with 1..1024 watched fds of
// which one is busy: work per wakeup (and CPU time charged) grows with N
// for select/poll and stays flat for epoll.
#define BOOST_TEST_MODULE stack_poll
#include "testing/sc_test.hpp"

#include <map>

#include "stack/process.hpp"
#include "stack/tests/testlib.hpp"

using namespace rxpath::stack;
using namespace rxpath::stack::test;

namespace {
constexpr int PACKETS = 20;
constexpr double FIRST = 1e6, SPACING = 300000;  // the reader keeps up even at N = 1024

struct Run {
  Kernel* k;
  FakeNic* nic;
  UserProcess* proc;
  uint64_t delivered = 0;
  sc_core::sc_time user_before;
  const Kernel::PollStats* stats;
};

Run* start(WaitMode mode, int n) {
  auto* r = &rxpath::testing::own(std::make_unique<Run>());
  r->k = &make_kernel();
  Kernel& k = *r->k;
  r->nic = &rxpath::testing::own(std::make_unique<FakeNic>(k));
  int busy = k.udp_socket(0, 5001);
  UserProcessConfig pc;
  pc.mode = mode;
  pc.fds = {busy};
  for (int i = 1; i < n; ++i) pc.idle_fds.push_back(k.udp_socket(0, uint16_t(6000 + i)));
  r->proc = &rxpath::testing::own(std::make_unique<UserProcess>(k, pc, [r](const Delivery&) { ++r->delivered; }));
  std::vector<std::pair<double, std::vector<uint8_t>>> fr;
  for (int i = 0; i < PACKETS; ++i) fr.emplace_back(FIRST + SPACING * i, udp_frame(Flow{}, pattern(100, i)));
  r->nic->inject(fr);
  r->stats = mode == WaitMode::select ? &k.select_stats : mode == WaitMode::poll ? &k.poll_stats : &k.epoll_stats;
  rxpath::testing::spawn([r] {
    sc_core::wait(sc_core::sc_time(FIRST - 1000, sc_core::SC_NS));
    r->user_before = r->k->cpu(0).time_in(Ctx::user);
  });
  return r;
}
}  // namespace

BOOST_AUTO_TEST_CASE(select_poll_scale_with_n_epoll_does_not) {
  const std::vector<int> Ns = {1, 16, 256, 1024};
  const std::vector<WaitMode> modes = {WaitMode::select, WaitMode::poll, WaitMode::epoll};
  std::map<std::pair<int, int>, Run*> runs;
  for (WaitMode m : modes)
    for (int n : Ns) runs[{int(m), n}] = start(m, n);
  run_for(FIRST + SPACING * PACKETS + 200000);

  std::map<std::pair<int, int>, double> cpu_ns, work_per_call;
  for (auto& kv : runs) {
    Run* r = kv.second;
    int n = kv.first.second;
    const auto& S = *r->stats;
    BOOST_TEST_CONTEXT("mode " << kv.first.first << " N " << n) {
      BOOST_TEST(r->delivered == uint64_t(PACKETS));
      BOOST_TEST(r->k->frame_account().balanced());
      cpu_ns[kv.first] = (r->k->cpu(0).time_in(Ctx::user) - r->user_before).to_seconds() * 1e9;
      if (kv.first.first == int(WaitMode::epoll)) {
        BOOST_TEST(S.callbacks == uint64_t(PACKETS));             // one ep_poll_callback per packet
        BOOST_TEST(S.items_polled <= uint64_t(2 * PACKETS + 2));  // ready item + its LT re-check
        BOOST_TEST(S.waitq_add == uint64_t(n));                   // once, at EPOLL_CTL_ADD
        work_per_call[kv.first] = double(S.items_polled) / S.calls;
      } else {
        // each sleeping call: N polled, N entries added, sleep, N polled again, N removed
        BOOST_TEST(S.fds_polled >= uint64_t(2 * n * PACKETS));
        BOOST_TEST(S.fds_polled <= uint64_t(2 * n * (PACKETS + 1)));
        BOOST_TEST(S.waitq_add == uint64_t(n) * S.calls);
        BOOST_TEST(S.waitq_remove == uint64_t(n) * (S.calls - 1));  // the last call still sleeps
        BOOST_TEST(S.rescans >= uint64_t(PACKETS));
        work_per_call[kv.first] = double(S.fds_polled) / S.calls;
      }
      BOOST_TEST_MESSAGE("mode " << kv.first.first << " N " << n << " work/call " << work_per_call[kv.first]
                                 << " process cpu ns " << cpu_ns[kv.first] << " charged ns/call "
                                 << double(S.ns_charged) / S.calls);
    }
  }
  auto W = [&](WaitMode m, int n) { return work_per_call[std::make_pair(int(m), n)]; };
  auto C = [&](WaitMode m, int n) { return cpu_ns[std::make_pair(int(m), n)]; };
  for (WaitMode m : {WaitMode::select, WaitMode::poll}) {
    BOOST_TEST(W(m, 1024) > 500 * W(m, 1));
    BOOST_TEST(C(m, 1024) > 10 * C(m, 1));
    BOOST_TEST(C(m, 256) > 2 * C(m, 16));
  }
  BOOST_TEST(W(WaitMode::epoll, 1024) == W(WaitMode::epoll, 1));
  BOOST_TEST(C(WaitMode::epoll, 1024) == C(WaitMode::epoll, 1), boost::test_tools::tolerance(0.05));
  BOOST_TEST(C(WaitMode::select, 1024) > 20 * C(WaitMode::epoll, 1024));
}

BOOST_AUTO_TEST_CASE(epoll_edge_triggered_and_oneshot) {
  Kernel& k = make_kernel();
  FakeNic nic(k);
  int fd = k.udp_socket(0, 5001);
  std::vector<std::vector<std::pair<int, unsigned>>> calls;
  k.cpus().create_task("ep", 0, [&](Task&) {
    int ep = k.sys_epoll_create();
    k.sys_epoll_ctl_add(ep, fd, EPOLLIN | EPOLLET);
    calls.push_back(k.sys_epoll_wait(ep, 8));             // wakes on packet 1
    calls.push_back(k.sys_epoll_wait(ep, 8, 20000));      // ET: no new event, data still queued -> timeout
    k.sys_epoll_ctl_mod(ep, fd, EPOLLIN | EPOLLONESHOT);  // MOD re-checks readiness: ready now
    calls.push_back(k.sys_epoll_wait(ep, 8, 0));
    calls.push_back(k.sys_epoll_wait(ep, 8, 100000));  // oneshot disarmed: packet 2 gives nothing
  });
  nic.inject({{10000, udp_frame(Flow{}, pattern(10, 1))}, {60000, udp_frame(Flow{}, pattern(10, 2))}});
  run_for(300000);
  BOOST_REQUIRE(calls.size() == 4u);
  BOOST_TEST(calls[0].size() == 1u);
  BOOST_TEST(calls[1].empty());
  BOOST_TEST(calls[2].size() == 1u);
  BOOST_TEST(calls[3].empty());
  BOOST_TEST(k.epoll_stats.callbacks == 2u);
}

BOOST_AUTO_TEST_CASE(select_rejects_fd_beyond_fd_setsize) {
  Kernel& k = make_kernel();
  bool threw = false;
  for (int i = 0; i < 1030; ++i) k.udp_socket(0, uint16_t(7000 + i));
  k.cpus().create_task("sel", 0, [&](Task&) {
    try {
      k.sys_select({1029});
    } catch (const std::invalid_argument& e) {
      threw = std::string(e.what()).find("FD_SETSIZE") != std::string::npos;
    }
  });
  run_for(10000);
  BOOST_TEST(threw);
}
