// SPDX-License-Identifier: Apache-2.0
// stack/cpu.cpp: CPUs, hard IRQ entry, softirq (kernel/softirq.c), ksoftirqd
// and a minimal scheduler for user tasks (kernel/sched/core.c).
#include "stack/cpu.hpp"

#include "stack/tracing.hpp"

#include <algorithm>
#include <cstdio>
#include <exception>
#include <sstream>
#include <stdexcept>

namespace rxpath::stack {

using sc_core::SC_NS;
using sc_core::sc_time;
using sc_core::SC_ZERO_TIME;

namespace detail {
// The CPU whose code the current SystemC process runs, and that process:
// a thread that is not a CPU's (a traffic source, the platform) sees none.
Cpu* g_current = nullptr;
sc_core::sc_process_b* g_current_proc = nullptr;
}  // namespace detail

namespace {
inline void set_current(Cpu* c) {
  detail::g_current = c;
  detail::g_current_proc = sc_core::sc_get_current_process_b();
}

// ns -> sc_time without the double-to-time conversion of sc_time(double, unit).
sc_time ns_time(double ns) {
  static const double units_per_ns = 1e-9 / sc_core::sc_get_time_resolution().to_seconds();
  return sc_time::from_value(static_cast<sc_dt::uint64>(ns * units_per_ns + 0.5));
}
// Thrown into a task's thread to unwind it (CpuEngine::exit_task); caught
// only by the task's entry function.
struct TaskExit {};

// Ends one process of an owner that is going away, so that it never runs
// again. What SystemC 2.3.4 allows (checked against the library):
// - kill() before the first sc_start (sc_is_running() false) is an error,
//   E572 "a process may not be killed before it is initialized"; disable()
//   then warns (W558, no static sensitivity). suspend() is silent, and a
//   process suspended before it first ran never runs.
// - kill() from another running process unwinds the victim at once (the
//   kernel switches to it and throws sc_unwind_exception in it): the
//   destructors of its frames run now, while the owner still exists.
// - kill() from outside any process, i.e. sc_main between sc_start calls
//   (a test body), crashes in sc_simcontext::preempt_with, which assumes a
//   calling process. There, and after sc_stop (sc_is_running() false again),
//   the process is suspended: it is never scheduled again and its stack is
//   not unwound (its frames leak until the program ends, nothing in them
//   runs). A suspended thread still waits: when the time-out of its wait
//   fires, SystemC takes it off the other events of that wait (trigger_dynamic
//   -> remove_dynamic), so those events must outlive it (CpuEngine parks its
//   Cpu and Task objects, which own them).
// - kill() of the calling process itself would throw sc_unwind_exception out
//   of the owner's destructor (std::terminate); an owner cannot be destroyed
//   from one of its own processes, and this says so.
// - kill() or suspend() of a terminated process is skipped.
// Returns true if the process was suspended rather than killed.
bool end_process(sc_core::sc_process_handle& h) {
  if (!h.valid() || h.terminated()) return false;
  // While running, the handle of the calling process (invalid from sc_main);
  // before the first sc_start, the last process created: not looked at then.
  sc_core::sc_process_handle self = sc_core::sc_get_current_process_handle();
  if (sc_core::sc_is_running() && self.valid()) {
    if (self == h) throw std::logic_error(std::string("cannot end process ") + h.name() + " from itself");
    h.kill();
    return false;
  }
  h.suspend();
  return true;
}

// Cpu and Task objects of destroyed engines whose threads were suspended:
// their events stay valid for those threads' pending waits.
std::vector<std::unique_ptr<Cpu>>& parked_cpus() {
  static std::vector<std::unique_ptr<Cpu>> v;
  return v;
}
std::vector<std::unique_ptr<Task>>& parked_tasks() {
  static std::vector<std::unique_ptr<Task>> v;
  return v;
}

const char* const kSoftirqNames[NR_SOFTIRQS] = {"HI",       "TIMER",   "NET_TX", "NET_RX",  "BLOCK",
                                                "IRQ_POLL", "TASKLET", "SCHED",  "HRTIMER", "RCU"};
}  // namespace

const char* ctx_name(Ctx c) {
  switch (c) {
    case Ctx::idle:
      return "idle";
    case Ctx::user:
      return "process";
    case Ctx::ksoftirqd:
      return "ksoftirqd";
    case Ctx::softirq:
      return "softirq";
    case Ctx::hardirq:
      return "hardirq";
    default:
      return "?";
  }
}

void no_current_cpu() { throw std::logic_error("current_cpu(): no CPU is running modelled code in this process"); }

// ---- wait queues ----------------------------------------------------------
wait_queue_entry::wait_queue_entry(const wait_queue_entry& o) : func(o.func), private_(o.private_) {
  if (o.queued) throw std::logic_error("wait_queue_entry: copy of a queued entry");
}

wait_queue_entry& wait_queue_entry::operator=(const wait_queue_entry& o) {
  if (queued || o.queued) throw std::logic_error("wait_queue_entry: assignment to or from a queued entry");
  func = o.func;
  private_ = o.private_;
  return *this;
}

wait_queue_entry::~wait_queue_entry() {
  if (queued) remove_wait_queue(head, this);
}

// add_wait_queue (kernel/sched/wait.c)
void add_wait_queue(wait_queue_head* wq, wait_queue_entry* e) {
  if (e->queued) throw std::logic_error("add_wait_queue: entry already queued");
  e->prev = wq->last;
  e->next = nullptr;
  if (wq->last)
    wq->last->next = e;
  else
    wq->first = e;
  wq->last = e;
  e->head = wq;
  e->queued = true;
  ++wq->len;
}

// remove_wait_queue (kernel/sched/wait.c)
void remove_wait_queue(wait_queue_head* wq, wait_queue_entry* e) {
  if (!e->queued) return;
  if (e->prev)
    e->prev->next = e->next;
  else
    wq->first = e->next;
  if (e->next)
    e->next->prev = e->prev;
  else
    wq->last = e->prev;
  e->prev = e->next = nullptr;
  e->head = nullptr;
  e->queued = false;
  --wq->len;
}

// __wake_up_common (kernel/sched/wait.c): every entry, in order; an entry
// may remove itself from the queue in its callback.
int __wake_up(wait_queue_head* wq, unsigned mode, int sync, void* key) {
  int woken = 0;
  for (wait_queue_entry* e = wq->first; e;) {
    wait_queue_entry* next = e->next;
    woken += e->func(e, mode, sync, key) ? 1 : 0;
    e = next;
  }
  return woken;
}

// default_wake_function (kernel/sched/core.c)
int default_wake_function(wait_queue_entry* e, unsigned, int, void*) {
  return wake_up_process(static_cast<Task*>(e->private_)) ? 1 : 0;
}

// ---- tasks ----------------------------------------------------------------
// try_to_wake_up (kernel/sched/core.c)
bool wake_up_process(Task* t) {
  if (t->state_ != TaskState::interruptible) return false;
  t->state_ = TaskState::running;
  Cpu& c = *t->cpu_;
  RXS_DBG(sched, "cpu" << c.id() << " wake " << t->name_);
  if (have_current_cpu()) {
    Cpu& self = current_cpu();
    self.defer(c.engine().cost().wakeup);
    // A task on another CPU may run as soon as the waker has paid for the
    // work so far; one on this CPU cannot run before the waker yields, and
    // the waker's next sync covers the time.
    if (&self != &c) self.sync();
  }
  c.enqueue_task(t, /*wakeup=*/true);
  return true;
}

// schedule()'s trace point (TraceHub::suspend / resume): the spans go to
// whatever hub is attached when the task leaves and when it runs again; none
// come back when schedule() is left by an exception (the process killed).
class Task::SpansAway {
 public:
  explicit SpansAway(Task& t) {
    if (t.cpu_->engine_->trace_) suspend(t);
  }
  ~SpansAway() {
    if (t_) resume();
  }
  SpansAway(const SpansAway&) = delete;
  SpansAway& operator=(const SpansAway&) = delete;

 private:
  RXPATH_TRACE_COLD void suspend(Task& t);
  RXPATH_TRACE_COLD void resume();
  Task* t_ = nullptr;  // set when its spans left with it
  int exceptions_;     // std::uncaught_exceptions() when it left
};

void Task::SpansAway::suspend(Task& t) {
  t_ = &t;
  exceptions_ = std::uncaught_exceptions();
  t.cpu_->engine_->trace_->suspend(t.cpu_->id_, t.cpu_->effective_time(), t.trace_spans_);
}

void Task::SpansAway::resume() {
  if (std::uncaught_exceptions() > exceptions_) return;  // left by an exception
  if (TraceHub* th = t_->cpu_->engine_->trace_) th->resume(t_->cpu_->id_, t_->cpu_->effective_time(), t_->trace_spans_);
}

// schedule (kernel/sched/core.c): gives the CPU away until runnable again.
// With a tracer, the task's open spans (a syscall it sleeps in) leave the CPU
// with it and come back when it runs again.
bool Task::schedule(double timeout_ns) {
  SpansAway away(*this);
  Cpu& c = *cpu_;
  if (c.cur_task_ != this) throw std::logic_error("schedule(): task " + name_ + " is not running on its CPU");
  c.sync();
  timed_out_ = false;
  if (state_ == TaskState::interruptible) {
    ++nvcsw_;
    if (c.eevdf()) {  // dequeue_entity: keep the lag for the wakeup
      c.settle();
      lag_ = c.lag_of(vruntime_);
    }
    // While nothing else wants the CPU, the sleeping task's thread runs the
    // CPU's idle loop itself (taking IRQs and softirqs), so a sleep/wakeup
    // on an otherwise idle CPU costs one thread switch, not three.
    const bool timed = timeout_ns >= 0;
    const sc_time deadline = timed ? sc_core::sc_time_stamp() + ns_time(timeout_ns) : SC_ZERO_TIME;
    c.set_ctx(Ctx::idle);
    for (;;) {
      if (state_ == TaskState::running) {  // woken: take ourselves off the run queue
        if (on_rq_) {
          for (auto it = c.runq_.begin(); it != c.runq_.end(); ++it)
            if (*it == this) {
              c.runq_.erase(it);
              break;
            }
          on_rq_ = false;
        }
        if (c.runq_.empty() && !c.ksoftirqd_runnable_) {
          ++c.fast_wakeups_;
          c.set_ctx(Ctx::user);
          c.need_resched_ = false;
          c.turn_start_ = c.time_in(Ctx::user);  // set_next_entity: a new slice
          c.defer(c.engine().cost().context_switch);
          if (exiting_) throw TaskExit{};
          return !timed_out_;
        }
        // Others are waiting: back on the run queue, in the order of its
        // wakeup (when it went on the queue first).
        const uint64_t order = enqueued_;
        c.enqueue_task(this);
        enqueued_ = order;
        break;
      }
      if (!c.runq_.empty() || c.ksoftirqd_runnable_) break;  // let the dispatcher choose
      sc_time now = sc_core::sc_time_stamp();
      if (timed && now >= deadline) {  // schedule_timeout expired
        timed_out_ = true;
        state_ = TaskState::running;
        continue;
      }
      c.idle_since_ = now;
      c.idle_waiting_ = true;
      ++c.waits_;
      if (timed)
        sc_core::wait(deadline - now, c.irq_ev_ | c.sched_ev_);
      else
        sc_core::wait(c.irq_ev_ | c.sched_ev_);
      c.idle_waiting_ = false;
      c.account(now);
      c.resumed();  // IRQs and the softirqs on their exit run here, in idle context
    }
    // Hand the CPU to the dispatcher and wait to be dispatched.
    c.release_cpu();
    ++c.waits_;
    if (state_ == TaskState::interruptible && timed)
      sc_core::wait(deadline - sc_core::sc_time_stamp(), run_ev_);
    else
      sc_core::wait(run_ev_);
    while (c.cur_task_ != this) {                // not dispatched yet
      if (state_ == TaskState::interruptible) {  // schedule_timeout expired
        timed_out_ = true;
        state_ = TaskState::running;
        c.enqueue_task(this, /*wakeup=*/true);
      }
      sc_core::wait(run_ev_);
    }
    c.resumed();
    c.defer(c.engine().cost().context_switch);
    if (exiting_) throw TaskExit{};
    return !timed_out_;
  } else {
    ++nivcsw_;
    if (!on_rq_) c.enqueue_task(this);
    c.release_cpu();
  }
  ++c.waits_;
  sc_core::wait(run_ev_);
  c.resumed();
  c.defer(c.engine().cost().context_switch);
  if (exiting_) throw TaskExit{};
  return !timed_out_;
}

// ---- CPU ------------------------------------------------------------------
void Cpu::enqueue_task(Task* t, bool wakeup) {
  if (t->on_rq_) return;
  t->on_rq_ = true;
  t->enqueued_ = ++enqueue_seq_;
  if (wakeup && eevdf()) {  // enqueue_entity(ENQUEUE_WAKEUP) + wakeup_preempt
    settle();
    remember_v();
    t->vruntime_ = place(t->lag_);
    check_preempt_wakeup(t->vruntime_, t);
  }
  runq_.push_back(t);
  sched_ev_.notify(SC_ZERO_TIME);
}

// ---- Scheduler: the fair share between ksoftirqd and the tasks -------------
// The simplest rule that gives ksoftirqd and a reader on one CPU what
// v6.8's EEVDF (kernel/sched/fair.c) gives them, all entities at nice 0
// (equal weights, so virtual time is run time and every slice is the same):
//  - vruntime = the entity's own run time (user time for a task, ksoftirqd
//    time for ksoftirqd; hard IRQs and softirqs on IRQ exit are charged to
//    no one, as with IRQ_TIME_ACCOUNTING);
//  - pick: the runnable entity with the least vruntime. With equal slices
//    the earliest virtual deadline (vruntime + slice) of an eligible entity
//    is the least vruntime. Ties: the first enqueued;
//  - a sleeper keeps its lag behind V, the average vruntime, bounded by
//    max(2 slices, a jiffy), and wakes at that lag behind the V of the
//    entities there then (update_entity_lag, place_entity with PLACE_LAG);
//  - wakeup preemption (wakeup_preempt_fair): the idle CPU always; else the
//    running entity once it has used its slice (RUN_TO_PARITY) and only for
//    an entity behind it. need_resched ends __do_softirq's restarts, ends a
//    ksoftirqd turn (cond_resched) and preempts a task at its next charge;
//  - tick (update_deadline: a used slice reschedules when others are
//    runnable), evaluated at the charge points and softirq restarts instead
//    of once a jiffy.
// Under overload ksoftirqd and a reader on the same CPU therefore take
// turns of one slice each: receive livelock (the reader's share is not
// enough to empty its socket) and its mitigations (the reader on another
// CPU, RSS, RPS) come out of that, not out of a rule that favours either.
double Cpu::sched_factor() const {
  int n = std::min(engine_->num_cpus(), 8), l = 0;
  while (n >>= 1) ++l;
  return 1 + l;
}

bool Cpu::eevdf() const { return engine_->config().sched == CpuConfig::Sched::eevdf; }

double Cpu::sched_slice() const { return engine_->config().sched_base_slice_ns * sched_factor(); }

void Cpu::settle() {
  if (!eevdf()) return;
  if (ksoftirqd_running_) {
    const sc_time now = time_in(Ctx::ksoftirqd);
    ksoftirqd_vruntime_ += (now - exec_mark_).to_seconds() * 1e9;
    exec_mark_ = now;
  } else if (cur_task_) {
    const sc_time now = time_in(Ctx::user);
    cur_task_->vruntime_ += (now - exec_mark_).to_seconds() * 1e9;
    exec_mark_ = now;
  }
}

double Cpu::curr_vruntime() const {
  if (ksoftirqd_running_) return ksoftirqd_vruntime_;
  if (cur_task_ && cur_task_->state_ == TaskState::running && ctx_ != Ctx::idle) return cur_task_->vruntime_;
  return -1;  // idle (a task asleep in its own idle loop counts as idle)
}

Task* Cpu::pick_task() const {
  Task* best = nullptr;
  for (Task* t : runq_)
    if (!best || t->vruntime_ < best->vruntime_ || (t->vruntime_ == best->vruntime_ && t->enqueued_ < best->enqueued_))
      best = t;
  return best;
}

// avg_vruntime: V, the mean vruntime of the running and the runnable
// entities (equal weights), `extra` (a waking entity's, if >= 0) included.
// With none, the last V remembered (remember_v).
double Cpu::avg_vruntime(double extra) const {
  double sum = 0;
  int n = 0;
  auto add = [&](double v) { sum += v, ++n; };
  if (curr_vruntime() >= 0) add(curr_vruntime());
  if (ksoftirqd_runnable_ && !ksoftirqd_running_) add(ksoftirqd_vruntime_);
  for (const Task* t : runq_) add(t->vruntime_);
  if (extra >= 0) add(extra);
  return n ? sum / n : last_v_;
}

void Cpu::remember_v() {
  if (eevdf()) last_v_ = avg_vruntime(-1);
}

// update_entity_lag at dequeue: how far the sleeper is behind V (positive:
// it got less than its share), bounded by max(2 slices, a jiffy) as v6.8
// bounds it. `v` is the sleeper's vruntime, counted in V.
double Cpu::lag_of(double v) const {
  const double limit = std::max(2 * sched_slice(), engine_->jiffy_ns());
  return std::clamp(avg_vruntime(v) - v, -limit, limit);
}

// place_entity with PLACE_LAG: a waking entity goes back to its lag behind
// the V of the entities there now.
double Cpu::place(double lag) const { return avg_vruntime(-1) - lag; }

// The running entity's run time in its current turn (set_next_entity).
double Cpu::turn_ns() const {
  return (time_in(ksoftirqd_running_ ? Ctx::ksoftirqd : Ctx::user) - turn_start_).to_seconds() * 1e9;
}

// wakeup_preempt_fair: the woken entity runs now when pick_eevdf would
// take it: the running one is no longer eligible (ahead of V) and the woken
// one is, or the running one has used its slice (RUN_TO_PARITY keeps it
// only until then) and the woken one is behind it. The idle CPU always.
void Cpu::check_preempt_wakeup(double woken, const Task* t) {
  const double curr = (t && t == cur_task_) ? -1 : curr_vruntime();
  bool preempt = curr < 0;
  if (!preempt) {
    const double V = avg_vruntime(woken);
    preempt = (curr > V && woken <= V) || (turn_ns() >= sched_slice() && woken < curr);
  }
  if (preempt) {
    if (!need_resched_)
      RXS_DBG(sched, "cpu" << id_ << " wakeup preempts " << (curr < 0 ? "idle" : "the running entity"));
    need_resched_ = true;
  }
}

void Cpu::check_preempt_tick() {
  if (!eevdf() || need_resched_ || curr_vruntime() < 0) return;
  if (runq_.empty() && !(ksoftirqd_runnable_ && !ksoftirqd_running_)) return;
  settle();
  const double ran = turn_ns();
  if (ran >= sched_slice()) {
    RXS_DBG(sched, "cpu" << id_ << " tick: " << (ksoftirqd_running_ ? std::string("ksoftirqd") : cur_task_->name_)
                         << " used its slice (" << ran / 1e3 << " us)");
    need_resched_ = true;
  }
}

void Cpu::check_exit() {
  if (ctx_ == Ctx::user && cur_task_ && cur_task_->exiting_) throw TaskExit{};
}

void Cpu::release_cpu() {
  settle();
  cur_task_ = nullptr;
  set_ctx(Ctx::idle);
  released_ev_.notify(SC_ZERO_TIME);
}

uint64_t Cpu::irq_count(int irq) const {
  return irq >= 0 && static_cast<size_t>(irq) < irq_counts_.size() ? irq_counts_[irq] : 0;
}

sc_time Cpu::time_in(Ctx c) const {
  sc_time t = time_in_[static_cast<int>(c)];
  if (c == Ctx::idle && idle_waiting_) t += sc_core::sc_time_stamp() - idle_since_;  // ongoing idle period
  return t;
}

sc_time Cpu::effective_time() const { return sc_core::sc_time_stamp() + ns_time(debt_ns_); }

// Names of the contexts in the host.cpu<N>.context signal.
static const char* const kCtxTraceNames[] = {"idle", "user", "ksoftirqd", "softirq", "hardirq"};
static_assert(sizeof(kCtxTraceNames) / sizeof(kCtxTraceNames[0]) == static_cast<size_t>(Ctx::count));

void Cpu::trace_ctx() {
  TraceHub* th = engine_->trace_;
  sc_time t = effective_time();
  th->set_str(th->cpu[id_].context, kCtxTraceNames[static_cast<int>(ctx_)], t);
  th->set(th->cpu[id_].ctx, static_cast<uint64_t>(ctx_), t);
}

void Cpu::trace_ksoftirqd() {
  TraceHub* th = engine_->trace_;
  th->set(th->cpu[id_].ksoftirqd, ksoftirqd_runnable_ ? 1 : 0, effective_time());
}

void Cpu::account(sc_time from) { time_in_[static_cast<int>(ctx_)] += sc_core::sc_time_stamp() - from; }

void Cpu::resumed() {
  set_current(this);
  if (!engine_->sync_hooks_.empty()) engine_->run_sync_hooks(sc_core::sc_time_stamp());
  if (!pending_irqs_.empty() && ctx_ != Ctx::hardirq) handle_pending_irqs();
  set_current(this);
}

void Cpu::sync() {
  if (debt_ns_ <= 0) {
    debt_ns_ = 0;
    return;
  }
  sc_time t = ns_time(debt_ns_);
  debt_ns_ = 0;
  wait_preemptible(t);
}

void Cpu::charge(double ns) {
  debt_ns_ += ns;
  sync();
}

void Cpu::stall(double ns) {
  sync();
  sc_time start = sc_core::sc_time_stamp();
  ++waits_;
  sc_core::wait(ns_time(ns));
  account(start);
  resumed();
}

// A charge: waits t, taking hard IRQs at their exact arrival time unless in
// hardirq context; the remaining time resumes after them.
void Cpu::wait_preemptible(sc_time t) {
  sc_time remaining = t;
  if (ctx_ == Ctx::user && cur_task_ && cur_task_->state() == TaskState::running) check_preempt_tick();
  if (ctx_ == Ctx::user && need_resched_ && cur_task_ && cur_task_->state() == TaskState::running) {
    need_resched_ = false;  // preempted at this charge point (e.g. ksoftirqd woke)
    Task* tk = cur_task_;
    tk->schedule();
  }
  while (remaining > SC_ZERO_TIME) {
    sc_time start = sc_core::sc_time_stamp();
    if (ctx_ == Ctx::hardirq) {
      ++waits_;
      sc_core::wait(remaining);
      account(start);
      set_current(this);
      if (!engine_->sync_hooks_.empty()) engine_->run_sync_hooks(sc_core::sc_time_stamp());
      return;
    }
    ++waits_;
    sc_core::wait(remaining, irq_ev_);
    sc_time el = sc_core::sc_time_stamp() - start;
    account(start);
    remaining = el >= remaining ? SC_ZERO_TIME : remaining - el;
    if (remaining > SC_ZERO_TIME && !pending_irqs_.empty()) ++preemptions_;
    resumed();
    check_exit();  // back in a task being exited: it goes no further
    // Preemption of a user task on return from interrupt (need_resched).
    if (ctx_ == Ctx::user && need_resched_ && cur_task_ && cur_task_->state() == TaskState::running) {
      need_resched_ = false;
      Task* t = cur_task_;
      sc_time rest = remaining;
      remaining = SC_ZERO_TIME;
      double save = debt_ns_;
      debt_ns_ = 0;
      t->schedule();
      debt_ns_ = save;
      if (rest > SC_ZERO_TIME) wait_preemptible(rest);
    }
  }
}

void Cpu::handle_pending_irqs() {
  Ctx prev = ctx_;
  double saved_debt = debt_ns_;
  debt_ns_ = 0;
  while (!pending_irqs_.empty()) {
    int irq = pending_irqs_.front();
    pending_irqs_.pop_front();
    do_irq(irq);
  }
  set_ctx(prev);
  irq_exit();
  debt_ns_ = saved_debt;
}

// handle_irq_event (kernel/irq/handle.c) in hardirq context.
void Cpu::do_irq(int irq) {
  Ctx prev = ctx_;
  set_ctx(Ctx::hardirq);
  const auto& desc = engine_->irqs_.at(irq);
  if (static_cast<size_t>(irq) >= irq_counts_.size()) irq_counts_.resize(irq + 1, 0);
  ++irq_counts_[irq];
  RXS_DBG(irq, "cpu" << id_ << " hardirq " << irq << " " << desc.name);
  defer(engine_->cost().hardirq_entry);
  if (desc.handler) desc.handler(*this, irq);
  sync();
  set_ctx(prev);
}

// irq_exit -> invoke_softirq (kernel/softirq.c): v6.8 runs __do_softirq on
// irq exit whenever softirqs are pending and we did not interrupt one.
void Cpu::irq_exit() {
  if (!in_interrupt() && softirq_pending_) do_softirq_loop(Ctx::softirq);
}

// __do_softirq (kernel/softirq.c) with MAX_SOFTIRQ_TIME / MAX_SOFTIRQ_RESTART.
// The time limit is in jiffies: end = jiffies + msecs_to_jiffies(2), and a
// restart needs time_before(jiffies, end). So at HZ=1000 the softirq keeps
// restarting for 1 to 2 ms, depending on where in its jiffy it began, and at
// HZ=100 or 250 (2 ms rounds up to one jiffy) until the next tick.
void Cpu::do_softirq_loop(Ctx as) {
  Ctx prev = ctx_;
  set_ctx(as);
  const auto& cfg = engine_->config();
  const uint64_t msecs_to_jiffies = (static_cast<uint64_t>(cfg.max_softirq_time_ms) * cfg.hz + 999) / 1000;
  const uint64_t end = engine_->jiffies_at(sc_core::sc_time_stamp()) + msecs_to_jiffies;
  int max_restart = cfg.max_softirq_restart;
  for (;;) {
    uint32_t pending = softirq_pending_;
    softirq_pending_ = 0;
    defer(engine_->cost().softirq_entry);
    for (int nr = 0; nr < NR_SOFTIRQS; ++nr) {
      if (!(pending & (1u << nr))) continue;
      ++softirq_count_[nr];
      RXS_DBG(softirq, "cpu" << id_ << " " << kSoftirqNames[nr] << " in " << ctx_name(ctx_));
      if (engine_->softirq_vec_[nr]) engine_->softirq_vec_[nr](*this);
    }
    sync();
    if (!softirq_pending_) break;
    check_preempt_tick();  // (the tick that would have come meanwhile)
    if (engine_->jiffies_at(sc_core::sc_time_stamp()) < end && !need_resched_ && --max_restart) {
      ++softirq_restarts_;
      continue;
    }
    wakeup_softirqd();
    break;
  }
  set_ctx(prev);
}

// raise_softirq (kernel/softirq.c)
void Cpu::raise_softirq(int nr) {
  softirq_pending_ |= 1u << nr;
  if (!in_interrupt()) wakeup_softirqd();
}

// wakeup_softirqd (kernel/softirq.c)
void Cpu::wakeup_softirqd() {
  if (ksoftirqd_runnable_) return;
  if (ctx_ == Ctx::ksoftirqd) {  // already running: it just loops again
    set_ksoftirqd_runnable(true);
    return;
  }
  ++ksoftirqd_wakeups_;
  RXS_DBG(softirq, "cpu" << id_ << " wakeup ksoftirqd");
  if (!eevdf()) {  // alternate: a running task gives way at its next charge
    set_ksoftirqd_runnable(true);
    if (cur_task_) need_resched_ = true;
    sched_ev_.notify(SC_ZERO_TIME);
    return;
  }
  settle();
  remember_v();
  ksoftirqd_vruntime_ = place(ksoftirqd_lag_);
  check_preempt_wakeup(ksoftirqd_vruntime_, nullptr);
  set_ksoftirqd_runnable(true);
  ksoftirqd_enqueued_ = ++enqueue_seq_;
  sched_ev_.notify(SC_ZERO_TIME);
}

// The per-CPU loop: idle, ksoftirqd (smpboot_thread_fn + run_ksoftirqd,
// kernel/softirq.c) and dispatch of user tasks: the runnable entity with
// the least vruntime runs (see "Scheduler" above).
void Cpu::idle_loop() {
  set_current(this);
  bool ksoftirqd_last = false;  // alternate: whose turn it is
  for (;;) {
    resumed();
    Task* next = runq_.empty() ? nullptr : eevdf() ? pick_task() : runq_.front();
    bool run_ksoftirqd = ksoftirqd_runnable_;
    if (run_ksoftirqd && next)
      run_ksoftirqd = eevdf() ? ksoftirqd_vruntime_ < next->vruntime_ ||
                                    (ksoftirqd_vruntime_ == next->vruntime_ && ksoftirqd_enqueued_ < next->enqueued_)
                              : !ksoftirqd_last;  // alternate: turns
    if (run_ksoftirqd) {
      remember_v();
      set_ksoftirqd_runnable(false);
      need_resched_ = false;
      set_ctx(Ctx::ksoftirqd);
      ksoftirqd_running_ = true;
      exec_mark_ = turn_start_ = time_in(Ctx::ksoftirqd);
      RXS_DBG(sched, "cpu" << id_ << " run ksoftirqd");
      if (engine_->trace_) engine_->trace_->begin(id_, "run_ksoftirqd", effective_time());
      charge(engine_->cost().context_switch);
      // One __do_softirq after another while softirqs are pending;
      // cond_resched() between them gives the CPU away on need_resched.
      while (softirq_pending_) {
        set_ksoftirqd_runnable(false);
        do_softirq_loop(Ctx::ksoftirqd);
        if (!eevdf()) break;  // alternate: one __do_softirq a turn
        if (!need_resched_) check_preempt_tick();
        if (need_resched_) break;
      }
      if (TraceHub* th = engine_->trace_) th->end(id_, "run_ksoftirqd", effective_time());
      settle();
      ksoftirqd_running_ = false;
      if (!softirq_pending_ && eevdf()) ksoftirqd_lag_ = lag_of(ksoftirqd_vruntime_);  // goes to sleep
      set_ctx(Ctx::idle);
      set_ksoftirqd_runnable(softirq_pending_ != 0);  // preempted: still runnable
      if (softirq_pending_) ksoftirqd_enqueued_ = ++enqueue_seq_;
      ksoftirqd_last = true;
      continue;
    }
    ksoftirqd_last = false;
    if (next) {
      runq_.erase(std::find(runq_.begin(), runq_.end(), next));
      Task* t = next;
      remember_v();
      t->on_rq_ = false;
      cur_task_ = t;
      set_ctx(Ctx::user);
      need_resched_ = false;
      exec_mark_ = turn_start_ = time_in(Ctx::user);
      RXS_DBG(sched, "cpu" << id_ << " run " << t->name_);
      t->run_ev_.notify(SC_ZERO_TIME);
      ++waits_;
      sc_core::wait(released_ev_);
      continue;
    }
    set_ctx(Ctx::idle);
    if (!pending_irqs_.empty()) continue;
    sc_time start = sc_core::sc_time_stamp();
    idle_since_ = start;
    idle_waiting_ = true;
    ++waits_;
    sc_core::wait(irq_ev_ | sched_ev_);
    idle_waiting_ = false;
    account(start);
  }
}

// ---- engine ---------------------------------------------------------------
CpuEngine::CpuEngine(const std::string& name, const CpuConfig& cfg, const CostTable& cost)
    : name_(name), cfg_(cfg), cost_(cost) {
  if (cfg.num_cpus < 1 || cfg.num_cpus > 256) throw std::invalid_argument("cpu: num_cpus must be 1..256");
  if (cfg.hz < 100 || cfg.hz > 10000) throw std::invalid_argument("cpu: hz must be 100..10000");
  if (cfg.max_softirq_restart < 1) throw std::invalid_argument("cpu: max_softirq_restart must be >= 1");
  for (int i = 0; i < cfg.num_cpus; ++i) {
    auto c = std::make_unique<Cpu>();
    c->id_ = i;
    c->engine_ = this;
    Cpu* cp = c.get();
    cpus_.push_back(std::move(c));
    sc_core::sc_spawn_options opt;
    cp->thread_ = sc_core::sc_spawn([cp] { cp->idle_loop(); }, (name_ + "_cpu" + std::to_string(i)).c_str(), &opt);
  }
}

CpuEngine::~CpuEngine() {
  end_processes();
  if (!parked_) return;
  for (auto& c : cpus_) parked_cpus().push_back(std::move(c));
  for (auto& t : tasks_) parked_tasks().push_back(std::move(t));
}

void CpuEngine::end_processes() {
  for (auto& t : tasks_) parked_ |= end_process(t->thread_);
  for (auto& c : cpus_) parked_ |= end_process(c->thread_);
  // No CPU of this engine is current any more (a later process may get the
  // address of an ended one).
  for (auto& c : cpus_)
    if (detail::g_current == c.get()) {
      detail::g_current = nullptr;
      detail::g_current_proc = nullptr;
    }
}

void CpuEngine::exit_task(Task& t) {
  if (t.state_ == TaskState::dead || t.exiting_) return;
  // (Before the first sc_start the "current" process handle is the last one
  // created, so the test needs a running simulation.)
  if (sc_core::sc_is_running() && t.thread_.valid() && sc_core::sc_get_current_process_handle() == t.thread_)
    throw std::logic_error("exit_task: task " + t.name_ + " cannot exit itself");
  t.exiting_ = true;
  if (t.state_ == TaskState::interruptible) {  // signal_wake_up: a fatal signal ends the sleep
    t.state_ = TaskState::running;
    t.cpu_->enqueue_task(&t);
  }
}

Cpu& CpuEngine::cpu(int i) {
  if (i < 0 || i >= num_cpus()) throw std::out_of_range("cpu: no CPU " + std::to_string(i));
  return *cpus_[i];
}

void CpuEngine::request_irq(int irq, irq_handler_t handler, const std::string& name) {
  if (irq < 0 || irq > 4095) throw std::invalid_argument("request_irq: irq out of range: " + std::to_string(irq));
  if (static_cast<size_t>(irq) >= irqs_.size()) irqs_.resize(irq + 1);
  if (irqs_[irq].handler) throw std::invalid_argument("request_irq: irq " + std::to_string(irq) + " busy");
  irqs_[irq] = IrqDesc{std::move(handler), name};
}

void CpuEngine::raise_irq(int cpu_id, int irq) {
  if (irq < 0 || static_cast<size_t>(irq) >= irqs_.size() || !irqs_[irq].handler)
    throw std::invalid_argument("raise_irq: no handler for irq " + std::to_string(irq));
  Cpu& c = cpu(cpu_id);
  c.pending_irqs_.push_back(irq);
  c.irq_ev_.notify(SC_ZERO_TIME);
}

void CpuEngine::open_softirq(int nr, softirq_action_t action) {
  if (nr < 0 || nr >= NR_SOFTIRQS) throw std::invalid_argument("open_softirq: bad nr");
  softirq_vec_[nr] = std::move(action);
}

void CpuEngine::set_trace(TraceHub* th) {
  trace_ = th;
  if (!th) return;
  for (auto& c : cpus_) {
    th->declare(th->cpu[c->id_].context, "host.cpu" + std::to_string(c->id_) + ".context", 0);
    th->declare(th->cpu[c->id_].ctx, "host.cpu" + std::to_string(c->id_) + ".ctx", 3);
    th->declare(th->cpu[c->id_].ksoftirqd, "host.cpu" + std::to_string(c->id_) + ".ksoftirqd", 1);
    c->set_ctx(c->ctx_);
    c->trace_ksoftirqd();
  }
}

void CpuEngine::add_sync_hook(std::function<void(sc_time)> hook) { sync_hooks_.push_back(std::move(hook)); }

void CpuEngine::run_sync_hooks(sc_time now) {
  if (sync_hooks_.empty() || now == last_hook_time_) return;
  last_hook_time_ = now;
  for (auto& h : sync_hooks_) h(now);
}

uint64_t CpuEngine::jiffies() const { return jiffies_at(sc_core::sc_time_stamp()); }

uint64_t CpuEngine::jiffies_at(sc_time t) const { return static_cast<uint64_t>(t.to_seconds() * cfg_.hz + 1e-9); }

Task& CpuEngine::create_task(const std::string& name, int cpu_id, std::function<void(Task&)> body) {
  Cpu& c = cpu(cpu_id);
  auto t = std::make_unique<Task>();
  t->name_ = name;
  t->cpu_ = &c;
  t->body_ = std::move(body);
  Task* tp = t.get();
  tasks_.push_back(std::move(t));
  sc_core::sc_spawn_options opt;
  tp->thread_ = sc_core::sc_spawn(
      [tp] {
        Cpu& cc = *tp->cpu_;
        try {
          sc_core::wait(tp->run_ev_);
          cc.resumed();
          if (!tp->exiting_) tp->body_(*tp);
          cc.sync();
        } catch (const TaskExit&) {  // exit_task: the body is gone; the CPU is ours
          cc.debt_ns_ = 0;
        }
        tp->state_ = TaskState::dead;
        cc.release_cpu();
      },
      (name_ + "_" + name).c_str(), &opt);
  c.enqueue_task(tp);
  return *tp;
}

std::string CpuEngine::proc_interrupts() const {
  std::ostringstream os;
  char b[64];
  os << "    ";
  for (int c = 0; c < num_cpus(); ++c) {
    std::snprintf(b, sizeof b, "       CPU%-3d", c);
    os << b;
  }
  os << '\n';
  for (size_t irq = 0; irq < irqs_.size(); ++irq) {
    if (!irqs_[irq].handler) continue;
    std::snprintf(b, sizeof b, "%3zu:", irq);
    os << b;
    for (int c = 0; c < num_cpus(); ++c) {
      std::snprintf(b, sizeof b, " %10llu", static_cast<unsigned long long>(cpus_[c]->irq_count(irq)));
      os << b;
    }
    os << "  rxpath-msi  " << irqs_[irq].name << '\n';
  }
  return os.str();
}

std::string CpuEngine::proc_softirqs() const {
  std::ostringstream os;
  char b[64];
  os << "                ";
  for (int c = 0; c < num_cpus(); ++c) {
    std::snprintf(b, sizeof b, "    CPU%-4d", c);
    os << b;
  }
  os << '\n';
  for (int nr = 0; nr < NR_SOFTIRQS; ++nr) {
    std::snprintf(b, sizeof b, "%12s:", kSoftirqNames[nr]);
    os << b;
    for (int c = 0; c < num_cpus(); ++c) {
      std::snprintf(b, sizeof b, " %10llu", static_cast<unsigned long long>(cpus_[c]->softirq_count(nr)));
      os << b;
    }
    os << '\n';
  }
  return os.str();
}

std::string CpuEngine::cpu_time_report() const {
  std::ostringstream os;
  for (int c = 0; c < num_cpus(); ++c) {
    os << "cpu" << c;
    for (int x = 0; x < static_cast<int>(Ctx::count); ++x)
      os << ' ' << ctx_name(static_cast<Ctx>(x)) << '=' << cpus_[c]->time_in(static_cast<Ctx>(x)).to_seconds() * 1e6
         << "us";
    os << '\n';
  }
  return os.str();
}

}  // namespace rxpath::stack
