// SPDX-License-Identifier: Apache-2.0
// stack/tests/cpu_test.cpp: the CPU engine: hard IRQ preemption at the exact
// arrival time, non-preemptible hardirq, softirq on irq exit with the
// restart and 2 ms rules, ksoftirqd hand-off, per-context time, /proc files.
#define BOOST_TEST_MODULE stack_cpu
#include "testing/sc_test.hpp"

#include "stack/tests/testlib.hpp"

using namespace rxpath::stack;
using namespace rxpath::stack::test;

namespace {
void at(double offset_ns, std::function<void()> fn) {
  rxpath::testing::spawn([offset_ns, fn] {
    sc_core::wait(sc_core::sc_time(offset_ns, sc_core::SC_NS));
    fn();
  });
}
double us(sc_core::sc_time t) { return t.to_seconds() * 1e6; }
}  // namespace

BOOST_AUTO_TEST_CASE(hard_irq_preempts_a_charge_at_its_exact_time) {
  Kernel& k = make_kernel();
  const double entry = k.cost().hardirq_entry;
  std::vector<double> irq_at;
  k.cpus().request_irq(
      50,
      [&](Cpu& c, int) {
        irq_at.push_back(now_ns());
        BOOST_TEST(int(c.context()) == int(Ctx::hardirq));
        c.charge(1000);
      },
      "test-a");
  k.cpus().request_irq(
      51, [&](Cpu& c, int) { irq_at.push_back(now_ns()); }, "test-b");
  double t0 = now_ns(), start = -1, end = -1;
  k.cpus().create_task("worker", 0, [&](Task& t) {
    start = now_ns();
    t.cpu().charge(10000);
    end = now_ns();
  });
  at(3000, [&] { k.cpus().raise_irq(0, 50); });
  at(3200, [&] { k.cpus().raise_irq(0, 51); });  // arrives inside the first ISR
  run_for(50000);
  BOOST_TEST(start == t0);
  BOOST_REQUIRE(irq_at.size() == 2u);
  BOOST_TEST(irq_at[0] == t0 + 3000);                 // exact arrival
  BOOST_TEST(irq_at[1] == t0 + 3000 + entry + 1000);  // hardirq is not preemptible
  BOOST_TEST(end == t0 + 10000 + 2 * entry + 1000);   // the rest of the charge resumes after
  Cpu& c = k.cpu(0);
  BOOST_TEST(c.irq_count(50) == 1u);
  BOOST_TEST(c.irq_count(51) == 1u);
  BOOST_TEST(us(c.time_in(Ctx::hardirq)) * 1000 == 2 * entry + 1000, boost::test_tools::tolerance(1e-6));
  BOOST_TEST(us(c.time_in(Ctx::user)) == 10.0, boost::test_tools::tolerance(1e-6));
  BOOST_TEST(c.hardirq_preemptions() >= 1u);
  std::string pi = k.proc_interrupts();
  BOOST_TEST(pi.find("test-a") != std::string::npos, pi);
  BOOST_TEST(pi.find(" 50:          1") != std::string::npos, pi);
}

BOOST_AUTO_TEST_CASE(softirq_restart_limit_hands_off_to_ksoftirqd) {
  Kernel& k = make_kernel();
  int runs = 0, in_softirq = 0, in_ksoftirqd = 0;
  k.cpus().open_softirq(TASKLET_SOFTIRQ, [&](Cpu& c) {
    ++runs;
    (c.context() == Ctx::softirq ? in_softirq : in_ksoftirqd)++;
    c.charge(10000);
    if (runs < 25) c.raise_softirq_irqoff(TASKLET_SOFTIRQ);
  });
  k.cpus().request_irq(
      60, [&](Cpu& c, int) { c.raise_softirq_irqoff(TASKLET_SOFTIRQ); }, "kick");
  at(1000, [&] { k.cpus().raise_irq(0, 60); });
  run_for(2e6);
  BOOST_TEST(runs == 25);
  BOOST_TEST(in_softirq == 10);  // MAX_SOFTIRQ_RESTART
  BOOST_TEST(in_ksoftirqd == 15);
  BOOST_TEST(k.cpu(0).ksoftirqd_wakeups() >= 1u);
  BOOST_TEST(k.cpu(0).softirq_count(TASKLET_SOFTIRQ) == 25u);
  BOOST_TEST(us(k.cpu(0).time_in(Ctx::ksoftirqd)) > 150.0);
  std::string ps = k.proc_softirqs();
  BOOST_TEST(ps.find("     TASKLET:         25") != std::string::npos, ps);
}

BOOST_AUTO_TEST_CASE(softirq_2ms_limit_hands_off_to_ksoftirqd) {
  Kernel& k = make_kernel();
  int runs = 0, in_softirq = 0;
  k.cpus().open_softirq(TASKLET_SOFTIRQ, [&](Cpu& c) {
    ++runs;
    if (c.context() == Ctx::softirq) ++in_softirq;
    c.charge(500000);
    if (runs < 10) c.raise_softirq_irqoff(TASKLET_SOFTIRQ);
  });
  k.cpus().request_irq(
      60, [&](Cpu& c, int) { c.raise_softirq_irqoff(TASKLET_SOFTIRQ); }, "kick");
  at(1000, [&] { k.cpus().raise_irq(0, 60); });
  run_for(10e6);
  BOOST_TEST(runs == 10);
  BOOST_TEST(in_softirq == 4);  // 4 x 0.5 ms reaches MAX_SOFTIRQ_TIME
  BOOST_TEST(k.cpu(0).ksoftirqd_wakeups() == 1u);
}

// A task raises a softirq in process context and charges 5 us: what ran
// where and when (raise_softirq_wakes_ksoftirqd below).
struct Raised {
  Ctx ran_in = Ctx::idle;
  double t0 = 0, ran_at = -1, task_done = -1;
  bool need_resched = false;  // right after raise_softirq
};
Raised raise_softirq_from_a_task(Kernel& k) {
  Raised r;
  r.t0 = now_ns();
  k.cpus().open_softirq(TASKLET_SOFTIRQ, [&r](Cpu& c) {
    r.ran_in = c.context();
    r.ran_at = now_ns();
  });
  k.cpus().create_task("raiser", 0, [&r](Task& t) {
    t.cpu().raise_softirq(TASKLET_SOFTIRQ);
    r.need_resched = t.cpu().need_resched();
    t.cpu().charge(5000);
    r.task_done = now_ns();
  });
  run_for(100000);
  BOOST_TEST(int(r.ran_in) == int(Ctx::ksoftirqd));
  BOOST_TEST(k.cpu(0).ksoftirqd_wakeups() == 1u);
  BOOST_TEST(k.cpus().jiffies() == uint64_t(now_ns() / 1e6));
  return r;
}

// raise_softirq in process context wakes ksoftirqd (kernel/softirq.c). With
// kernel.scheduler = alternate (the default) ksoftirqd preempts the raiser
// at its next charge.
BOOST_AUTO_TEST_CASE(raise_softirq_in_process_context_wakes_ksoftirqd) {
  Kernel& k = make_kernel();
  const Raised r = raise_softirq_from_a_task(k);
  BOOST_TEST(r.need_resched);
  BOOST_TEST(r.ran_at >= r.t0);
  BOOST_TEST(r.ran_at < r.task_done);  // preempted in its charge: ksoftirqd ran first
}

// The tests below run kernel.scheduler = eevdf (stack/cpu.cpp, "Scheduler").
KernelConfig eevdf_config() {
  KernelConfig cfg;
  cfg.cpu.sched = CpuConfig::Sched::eevdf;
  return cfg;
}

// The same with eevdf: v6.8's wakeup_preempt_fair does not preempt the
// raiser: ksoftirqd wakes with no lag, at the raiser's vruntime, so the
// raiser, picked first, keeps the CPU for its slice (RUN_TO_PARITY);
// ksoftirqd runs when it is done.
BOOST_AUTO_TEST_CASE(eevdf_ksoftirqd_woken_by_a_task_waits_for_its_slice) {
  Kernel& k = make_kernel(eevdf_config());
  const Raised r = raise_softirq_from_a_task(k);
  BOOST_TEST(!r.need_resched);
  BOOST_TEST(r.task_done == r.t0 + 5000, boost::test_tools::tolerance(1e-12));  // not preempted
  BOOST_TEST(r.ran_at >= r.task_done);
}

// The issue-13 case: a reader asleep on the softirq's CPU is woken by the
// first round's work (with alternate, the first of ten rounds).
// try_to_wake_up -> wakeup_preempt on the idle task sets need_resched, and __do_softirq (kernel/softirq.c) restarts
// only `if (time_before(jiffies, end) && !need_resched() && --max_restart)`, so the rest goes to ksoftirqd and the
// reader runs right after that round, ahead of ksoftirqd (both come back with no lag; the reader was queued first).
// Before: ten rounds on IRQ exit, then a ksoftirqd turn, then the reader.
BOOST_AUTO_TEST_CASE(eevdf_a_task_woken_by_a_softirq_on_its_idle_cpu_runs_after_that_round) {
  Kernel& k = make_kernel(eevdf_config());
  auto* wq = &rxpath::testing::own(std::make_unique<wait_queue_head>());
  int rounds = 0, rounds_before_reader = -1, on_irq_exit = 0;
  bool data = false;
  k.cpus().open_softirq(TASKLET_SOFTIRQ, [&](Cpu& c) {
    ++rounds;
    if (c.context() == Ctx::softirq) ++on_irq_exit;
    c.charge(50000);  // 50 us a round, always more to do
    if (rounds == 1) {
      data = true;
      __wake_up(wq, 1, 0, nullptr);
    }
    if (rounds < 40) c.raise_softirq_irqoff(TASKLET_SOFTIRQ);
  });
  k.cpus().request_irq(
      60, [&](Cpu& c, int) { c.raise_softirq_irqoff(TASKLET_SOFTIRQ); }, "kick");
  double woke_ran = -1;
  const double t0 = now_ns();
  k.cpus().create_task("reader", 0, [&](Task& t) {
    wait_queue_entry e;
    e.func = default_wake_function;
    e.private_ = &t;
    add_wait_queue(wq, &e);
    t.set_state(TaskState::interruptible);
    if (!data) t.schedule();
    t.set_state(TaskState::running);
    remove_wait_queue(wq, &e);
    woke_ran = now_ns();
    rounds_before_reader = rounds;
  });
  at(1000, [&] { k.cpus().raise_irq(0, 60); });
  run_for(5e6);
  BOOST_TEST(rounds == 40);
  BOOST_TEST(rounds_before_reader == 1);
  BOOST_TEST(woke_ran < t0 + 1000 + 2 * 50000);  // after the first round, not after ten
  BOOST_TEST(on_irq_exit == 1);                  // need_resched: no restart on IRQ exit
  BOOST_TEST(k.cpu(0).ksoftirqd_wakeups() == 1u);
}

// ksoftirqd with softirqs always pending and a task that never sleeps share
// the CPU as EEVDF shares it between two nice-0 entities: equal run time,
// in turns of one slice (sysctl_sched_base_slice, 0.75 ms x (1 + ilog2(1))
// on one CPU), each turn ended by the tick's update_deadline.
BOOST_AUTO_TEST_CASE(eevdf_ksoftirqd_and_a_busy_task_share_the_cpu_in_slices) {
  Kernel& k = make_kernel(eevdf_config());
  k.cpus().open_softirq(TASKLET_SOFTIRQ, [&](Cpu& c) {
    c.charge(20000);  // a round of 20 us, always more to do
    c.raise_softirq_irqoff(TASKLET_SOFTIRQ);
  });
  k.cpus().request_irq(
      60, [&](Cpu& c, int) { c.raise_softirq_irqoff(TASKLET_SOFTIRQ); }, "kick");
  Task& busy = k.cpus().create_task("busy", 0, [&](Task& t) {
    for (;;) t.cpu().charge(5000);
  });
  at(1000, [&] { k.cpus().raise_irq(0, 60); });
  run_for(30e6);
  const Cpu& c = k.cpu(0);
  const double user = us(c.time_in(Ctx::user)), ks = us(c.time_in(Ctx::ksoftirqd));
  BOOST_TEST(user + ks > 29000.0);
  BOOST_TEST(user / (user + ks) == 0.5, boost::test_tools::tolerance(0.05));
  // Turns of about one slice each: the task preempted ~20 times in 30 ms.
  BOOST_TEST(busy.nivcsw() >= 15u);
  BOOST_TEST(busy.nivcsw() <= 25u);
}

BOOST_AUTO_TEST_CASE(wait_queue_sleep_and_wake_across_cpus) {
  KernelConfig cfg;
  cfg.cpu.num_cpus = 2;
  Kernel& k = make_kernel(cfg);
  auto* wq = &rxpath::testing::own(std::make_unique<wait_queue_head>());
  bool cond = false;
  double woke = -1, t0 = now_ns();
  k.cpus().create_task("sleeper", 1, [&](Task& t) {
    wait_queue_entry e;
    e.func = default_wake_function;
    e.private_ = &t;
    add_wait_queue(wq, &e);
    while (!cond) {
      t.set_state(TaskState::interruptible);
      if (!cond) t.schedule();
    }
    remove_wait_queue(wq, &e);
    woke = now_ns();
  });
  k.cpus().request_irq(
      70,
      [&](Cpu& c, int) {
        cond = true;
        c.defer(100);
        __wake_up(wq, 1, 0, nullptr);
      },
      "waker");
  at(20000, [&] { k.cpus().raise_irq(0, 70); });
  run_for(100000);
  BOOST_TEST(cond);
  const CostTable& ct = k.cost();
  // woken after the ISR's work before __wake_up (entry + 100) and try_to_wake_up
  BOOST_TEST(woke == t0 + 20000 + ct.hardirq_entry + 100 + ct.wakeup, boost::test_tools::tolerance(1e-9));
  BOOST_TEST(wq->len == 0u);
  BOOST_TEST(us(k.cpu(1).time_in(Ctx::idle)) > 19.0);
}

BOOST_AUTO_TEST_CASE(bad_input_is_a_clear_error) {
  Kernel& k = make_kernel();
  BOOST_CHECK_THROW(k.cpus().raise_irq(0, 999), std::invalid_argument);
  BOOST_CHECK_THROW(k.cpus().raise_irq(5, 50), std::exception);
  BOOST_CHECK_THROW(k.cpus().request_irq(-1, {}, "x"), std::invalid_argument);
  KernelConfig bad;
  bad.cpu.num_cpus = 0;
  BOOST_CHECK_THROW(Kernel("bad", bad), std::invalid_argument);
  KernelConfig bad2;
  bad2.ehash_buckets = 1000;
  BOOST_CHECK_THROW(Kernel("bad2", bad2), std::invalid_argument);
}

BOOST_AUTO_TEST_CASE(hard_irq_preempts_softirq_without_nesting_softirqs) {
  Kernel& k = make_kernel();
  const double entry = k.cost().hardirq_entry;
  std::vector<std::pair<double, Ctx>> log;  // (time, context) of each softirq run
  double irq2_at = -1;
  k.cpus().open_softirq(TASKLET_SOFTIRQ, [&](Cpu& c) {
    log.emplace_back(now_ns(), c.context());
    if (log.size() == 1) c.charge(10000);  // the first run is interrupted
  });
  k.cpus().request_irq(
      60, [&](Cpu& c, int) { c.raise_softirq_irqoff(TASKLET_SOFTIRQ); }, "kick");
  k.cpus().request_irq(
      61,
      [&](Cpu& c, int) {
        irq2_at = now_ns();
        c.raise_softirq_irqoff(TASKLET_SOFTIRQ);  // pending: runs after the current round, not nested
      },
      "kick2");
  double t0 = now_ns();
  at(1000, [&] { k.cpus().raise_irq(0, 60); });
  at(5000, [&] { k.cpus().raise_irq(0, 61); });
  run_for(100000);
  BOOST_TEST(irq2_at == t0 + 5000, boost::test_tools::tolerance(1e-12));  // exact arrival inside the softirq's charge
  BOOST_REQUIRE(log.size() == 2u);
  BOOST_TEST(int(log[0].second) == int(Ctx::softirq));
  BOOST_TEST(int(log[1].second) == int(Ctx::softirq));  // the restart loop, not a nested run
  // second run starts after the first one's 10 us resumed past the second ISR
  BOOST_TEST(log[1].first == t0 + 1000 + entry + k.cost().softirq_entry + 10000 + entry,
             boost::test_tools::tolerance(1e-9));
  BOOST_TEST(k.cpu(0).softirq_restarts() == 1u);
}

// __do_softirq (kernel/softirq.c, v6.8): end = jiffies + MAX_SOFTIRQ_TIME,
// MAX_SOFTIRQ_TIME = msecs_to_jiffies(2), and a restart needs
// time_before(jiffies, end) (and --max_restart, MAX_SOFTIRQ_RESTART = 10).
// Rounds of 0.5 ms that re-raise themselves, the first at 0.9 ms (jiffy 0 at
// every HZ below), counted in softirq context before ksoftirqd takes over:
//   HZ=1000: end = jiffy 2 = 2.0 ms; a round ends at 0.9 + 0.5 k ms, so
//            rounds 1..3 (the third ends at 2.4 ms, past jiffy 2): 3, where a
//            2 ms stopwatch from the start would allow 4;
//   HZ=250:  msecs_to_jiffies(2) = 1, end = 4 ms: rounds end at 1.4, ..., 3.9,
//            4.4: 7;
//   HZ=100:  end = 10 ms: the restart limit comes first: 10.
// Last in the file: it moves simulated time on by 90 ms.
BOOST_AUTO_TEST_CASE(softirq_time_limit_is_in_whole_jiffies) {
  for (const auto& [hz, expect] : {std::pair<int, int>{1000, 3}, {250, 7}, {100, 10}}) {
    BOOST_TEST_CONTEXT("HZ=" << hz) {
      KernelConfig cfg;
      cfg.cpu.hz = hz;
      Kernel& k = make_kernel(cfg);
      int runs = 0, in_softirq = 0;
      k.cpus().open_softirq(TASKLET_SOFTIRQ, [&](Cpu& c) {
        ++runs;
        if (c.context() == Ctx::softirq) ++in_softirq;
        c.charge(500000);
        if (runs < 20) c.raise_softirq_irqoff(TASKLET_SOFTIRQ);
      });
      k.cpus().request_irq(
          60, [&](Cpu& c, int) { c.raise_softirq_irqoff(TASKLET_SOFTIRQ); }, "kick");
      const double t0 = sc_core::sc_time_stamp().to_seconds() * 1e9;
      // Start at 0.9 ms past this test's own jiffy boundary.
      const double jiffy_ns = 1e9 / hz, first = std::ceil(t0 / jiffy_ns) * jiffy_ns + 900000 - t0;
      at(first, [&] { k.cpus().raise_irq(0, 60); });
      run_for(first + 30e6);
      BOOST_TEST(runs == 20);
      BOOST_TEST(in_softirq == expect);
    }
  }
}
