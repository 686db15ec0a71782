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

// ---- the report's counters (Kernel::wait_counters), exact ----------------
// Expected values follow from the loops of fs/select.c and fs/eventpoll.c:
//   do_select / do_poll: every pass calls each descriptor's ->poll
//     (vfs_poll), the pass after a wakeup too; while the poll_table is
//     armed (_qproc set, first pass only) ->poll also adds an entry
//     (__pollwait); the first ready descriptor clears _qproc, so the
//     descriptors after it in that pass add none; a pass with nothing ready
//     calls poll_schedule_timeout; pollwake runs for each entry on a woken
//     wait queue (here: the one on the busy socket, once per datagram).
//   ep_insert (EPOLL_CTL_ADD) hangs one entry per descriptor, once; each
//     datagram's sock_def_readable runs ep_poll_callback once; ep_send_events
//     polls each ready-list item (ep_item_poll) and puts a level-triggered
//     item it returned back on the list, so the next epoll_wait polls it
//     again (and drops it when it is no longer ready); an edge-triggered
//     item is not put back.
namespace {
std::map<std::string, uint64_t> counters(const Kernel& k) {
  std::map<std::string, uint64_t> m;
  for (const auto& [name, n] : k.wait_counters()) m[name] = n;
  return m;
}

void drain_fd(Kernel& k, int fd) {
  std::vector<uint8_t> buf;
  while (k.sys_recvmsg(fd, buf, 2048, true) >= 0) {
  }
}
}  // namespace

// select and poll over N descriptors, the busy one first:
//   call 1 sleeps, a datagram wakes it:  2 passes -> vfs_poll 2N, __pollwait N,
//                                         pollwake 1, poll_schedule_timeout 1
//   call 2, data still queued:           1 pass   -> vfs_poll N, __pollwait 1
//                                         (the busy fd's, then _qproc is cleared)
//   drain, call 3 sleeps, datagram 2:    as call 1
// Totals: calls 3, vfs_poll 5N, __pollwait 2N + 1, pollwake 2, poll_schedule_timeout 2.
BOOST_AUTO_TEST_CASE(select_poll_counters_follow_fs_select_c) {
  for (const bool sel : {true, false}) {
    for (const uint64_t n : {1u, 8u, 64u}) {
      BOOST_TEST_CONTEXT((sel ? "select" : "poll") << " N " << n) {
        Kernel& k = make_kernel();
        FakeNic nic(k);
        std::vector<int> fds = {k.udp_socket(0, 5001)};
        for (uint64_t i = 1; i < n; ++i) fds.push_back(k.udp_socket(0, uint16_t(6000 + i)));
        std::vector<size_t> ready;
        std::map<std::string, uint64_t> after_first;
        k.cpus().create_task("r", 0, [&](Task&) {
          auto wait = [&] { return sel ? k.sys_select(fds) : k.sys_poll(fds); };
          ready.push_back(wait().size());
          after_first = counters(k);
          ready.push_back(wait().size());
          drain_fd(k, fds[0]);
          ready.push_back(wait().size());
        });
        nic.inject({{100000, udp_frame(Flow{}, pattern(10, 1))}, {200000, udp_frame(Flow{}, pattern(10, 2))}});
        run_for(300000);
        BOOST_TEST(ready == std::vector<size_t>({1, 1, 1}), boost::test_tools::per_element());
        const std::string m = sel ? "select." : "poll.";
        auto c = counters(k);
        BOOST_TEST(after_first[m + (sel ? "do_select" : "do_sys_poll")] == 1u);
        BOOST_TEST(after_first[m + "vfs_poll"] == 2 * n);
        BOOST_TEST(after_first[m + "__pollwait"] == n);
        BOOST_TEST(after_first[m + "pollwake"] == 1u);
        BOOST_TEST(after_first[m + "poll_schedule_timeout"] == 1u);
        BOOST_TEST(c[m + (sel ? "do_select" : "do_sys_poll")] == 3u);
        BOOST_TEST(c[m + "vfs_poll"] == 5 * n);
        BOOST_TEST(c[m + "__pollwait"] == 2 * n + 1);
        BOOST_TEST(c[m + "pollwake"] == 2u);
        BOOST_TEST(c[m + "poll_schedule_timeout"] == 2u);
        for (const auto& [name, v] : c)  // the other mechanisms did nothing
          if (name.rfind(m, 0) != 0) BOOST_TEST(v == 0u, name);
      }
    }
  }
}

// epoll over N descriptors (the busy one and N - 1 idle), P datagrams, the
// reader draining each before the next, then one more call that times
// out: ep_insert N; do_epoll_wait P + 1; ep_poll_callback P and
// ep_send_events P whatever N; ep_item_poll 2P level-triggered (each returned
// item is polled again by the next call), P edge-triggered;
// schedule_hrtimeout_range P + 1 (every call waited once).
BOOST_AUTO_TEST_CASE(epoll_counters_follow_fs_eventpoll_c) {
  constexpr uint64_t P = 3;
  for (const bool et : {false, true}) {
    for (const uint64_t n : {1u, 64u}) {
      BOOST_TEST_CONTEXT((et ? "edge" : "level") << " N " << n) {
        Kernel& k = make_kernel();
        FakeNic nic(k);
        std::vector<int> fds = {k.udp_socket(0, 5001)};
        for (uint64_t i = 1; i < n; ++i) fds.push_back(k.udp_socket(0, uint16_t(6000 + i)));
        std::vector<size_t> events;
        k.cpus().create_task("r", 0, [&](Task&) {
          const int ep = k.sys_epoll_create();
          for (int fd : fds) k.sys_epoll_ctl_add(ep, fd, EPOLLIN | (et ? EPOLLET : 0u));
          for (uint64_t i = 0; i < P; ++i) {
            events.push_back(k.sys_epoll_wait(ep, 8).size());
            drain_fd(k, fds[0]);
          }
          events.push_back(k.sys_epoll_wait(ep, 8, 50000).size());  // nothing more: times out
        });
        std::vector<std::pair<double, std::vector<uint8_t>>> fr;
        for (uint64_t i = 0; i < P; ++i) fr.emplace_back(100000.0 * (i + 1), udp_frame(Flow{}, pattern(10, i)));
        nic.inject(fr);
        run_for(100000.0 * (P + 2));
        std::vector<size_t> want(P, 1);
        want.push_back(0);
        BOOST_TEST(events == want, boost::test_tools::per_element());
        auto c = counters(k);
        BOOST_TEST(c["epoll.ep_insert"] == n);
        BOOST_TEST(c["epoll.do_epoll_wait"] == P + 1);
        BOOST_TEST(c["epoll.ep_poll_callback"] == P);
        BOOST_TEST(c["epoll.ep_send_events"] == P);
        BOOST_TEST(c["epoll.ep_item_poll"] == (et ? P : 2 * P));
        BOOST_TEST(c["epoll.schedule_hrtimeout_range"] == P + 1);
        for (const auto& [name, v] : c)
          if (name.rfind("epoll.", 0) != 0) BOOST_TEST(v == 0u, name);
      }
    }
  }
}

// Edge-triggered: one event per arrival of new data, not per datagram
// queued. Two datagrams arrive together; the reader takes one and waits
// again: level-triggered reports the fd again at once (the item went back
// on the ready list), edge-triggered only when a third datagram arrives.
BOOST_AUTO_TEST_CASE(epoll_edge_triggered_reports_new_data_once) {
  for (const bool et : {false, true}) {
    BOOST_TEST_CONTEXT((et ? "edge" : "level")) {
      Kernel& k = make_kernel();
      FakeNic nic(k);
      const int fd = k.udp_socket(0, 5001);
      std::vector<size_t> events;
      const double t0 = now_ns();
      double second_ns = 0;
      k.cpus().create_task("r", 0, [&](Task&) {
        const int ep = k.sys_epoll_create();
        k.sys_epoll_ctl_add(ep, fd, EPOLLIN | (et ? EPOLLET : 0u));
        events.push_back(k.sys_epoll_wait(ep, 8).size());
        std::vector<uint8_t> buf;
        BOOST_TEST(k.sys_recvmsg(fd, buf, 2048, true) > 0);  // one of the two
        events.push_back(k.sys_epoll_wait(ep, 8).size());
        second_ns = now_ns() - t0;
      });
      nic.inject({{100000, udp_frame(Flow{}, pattern(10, 1))},
                  {100000, udp_frame(Flow{}, pattern(10, 2))},
                  {300000, udp_frame(Flow{}, pattern(10, 3))}});
      run_for(500000);
      BOOST_TEST(events == std::vector<size_t>({1, 1}), boost::test_tools::per_element());
      if (et)
        BOOST_TEST(second_ns > 300000);
      else
        BOOST_TEST(second_ns < 200000);
      const auto c = counters(k);
      BOOST_TEST(c.at("epoll.ep_poll_callback") == 3u);  // one per datagram, read or not
      BOOST_TEST(c.at("epoll.schedule_hrtimeout_range") == (et ? 2u : 1u));
    }
  }
}
