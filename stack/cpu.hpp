// SPDX-License-Identifier: Apache-2.0
// stack/cpu.hpp: the CPU engine (kernel/softirq.c, kernel/irq/, kernel/sched/).
//
// N CPUs. Whatever runs on a CPU (idle loop, ksoftirqd, a user task, and the
// hard IRQ / softirq code that interrupts them) advances simulated time by
// charging costs with SystemC waits. A hard IRQ raised by the platform with
// raise_irq() is taken at its exact arrival time, in the middle of a charge
// if need be: the remaining cost resumes after the ISR and the softirqs run on
// irq_exit. Hard IRQ code itself is not preemptible.
//
// Costs: charge(ns) waits now (preemptible); defer(ns) only accumulates a debt
// that the next charge()/sync() waits. The stack defers per tiny step and
// syncs before any effect another thread can observe (socket enqueue, wakeup,
// transmit), so effects keep their order while waits stay few.
//
// Sync hooks: every time a thread resumes on a CPU after time advanced, the
// hooks run with the current time, before any modelled code (the platform
// applies DMA writes that arrived by then). Host code that reads DMA-written
// memory must call sync() first if it deferred costs.
#pragma once

#include <systemc>

#include <array>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "stack/cost.hpp"
#include "stack/debug.hpp"

namespace rxpath::stack {

class Cpu;
class CpuEngine;
class Task;
class TraceHub;

// kernel/softirq.c softirq_to_name order.
enum softirq_nr : int {
  HI_SOFTIRQ = 0,
  TIMER_SOFTIRQ,
  NET_TX_SOFTIRQ,
  NET_RX_SOFTIRQ,
  BLOCK_SOFTIRQ,
  IRQ_POLL_SOFTIRQ,
  TASKLET_SOFTIRQ,
  SCHED_SOFTIRQ,
  HRTIMER_SOFTIRQ,
  RCU_SOFTIRQ,
  NR_SOFTIRQS
};

// What a CPU is doing, for per-context time accounting.
enum class Ctx : uint8_t { idle, user, ksoftirqd, softirq, hardirq, count };
const char* ctx_name(Ctx c);

// Hard IRQ handler: runs in hardirq context on `cpu` (request_irq's handler).
using irq_handler_t = std::function<void(Cpu& cpu, int irq)>;
using softirq_action_t = std::function<void(Cpu& cpu)>;

// ---- wait queues (include/linux/wait.h, kernel/sched/wait.c) -------------
struct wait_queue_entry;
// Returns nonzero if the entry woke something (kernel: wait_queue_func_t).
using wait_queue_func_t = int (*)(wait_queue_entry* wq_entry, unsigned mode, int sync, void* key);

struct wait_queue_head;

// An entry takes itself off its queue when it goes away while still queued:
// a sleeper's entry lives in its stack frame, and a killed task unwinds that
// frame without reaching its remove_wait_queue (finish_wait).
struct wait_queue_entry {
  wait_queue_func_t func = nullptr;
  void* private_ = nullptr;  // usually the Task*
  wait_queue_entry* prev = nullptr;
  wait_queue_entry* next = nullptr;
  wait_queue_head* head = nullptr;  // the queue it is on
  bool queued = false;

  wait_queue_entry() = default;
  // A copy is a fresh, unqueued entry; copying a queued one is a bug.
  wait_queue_entry(const wait_queue_entry& o);
  wait_queue_entry& operator=(const wait_queue_entry& o);
  ~wait_queue_entry();
};

struct wait_queue_head {
  wait_queue_entry* first = nullptr;
  wait_queue_entry* last = nullptr;
  std::size_t len = 0;
  bool active() const { return first != nullptr; }  // wq_has_sleeper
};

void add_wait_queue(wait_queue_head* wq, wait_queue_entry* e);     // kernel/sched/wait.c
void remove_wait_queue(wait_queue_head* wq, wait_queue_entry* e);  // kernel/sched/wait.c
// __wake_up: calls every entry's func with `key` (poll mask); returns woken count.
int __wake_up(wait_queue_head* wq, unsigned mode, int sync, void* key);
// default_wake_function: wakes the Task in private_.
int default_wake_function(wait_queue_entry* e, unsigned mode, int sync, void* key);

// ---- tasks (user processes, include/linux/sched.h) ------------------------
enum class TaskState : uint8_t { running, interruptible, dead };

class Task {
 public:
  const std::string& name() const { return name_; }
  Cpu& cpu() const { return *cpu_; }
  TaskState state() const { return state_; }
  // set_current_state(TASK_INTERRUPTIBLE) before checking a condition.
  void set_state(TaskState s) { state_ = s; }
  // schedule(): gives the CPU away; returns when running again on the CPU.
  // If the state is interruptible the task sleeps until wake_up_process();
  // with timeout_ns >= 0 it also wakes after that long (schedule_timeout).
  // Returns false if it timed out.
  // A task being exited (CpuEngine::exit_task) does not return from it:
  // its thread unwinds to the end of the task.
  bool schedule(double timeout_ns = -1);
  uint64_t nvcsw() const { return nvcsw_; }    // voluntary switches
  uint64_t nivcsw() const { return nivcsw_; }  // involuntary (preempted)

 private:
  // schedule()'s trace point: with a tracer, the task's open spans leave
  // the CPU with it and come back when it runs again (cpu.cpp).
  class SpansAway;
  friend class Cpu;
  friend class CpuEngine;
  friend bool wake_up_process(Task* t);
  std::string name_;
  Cpu* cpu_ = nullptr;
  TaskState state_ = TaskState::running;
  bool on_rq_ = false;
  double vruntime_ = 0;    // ns of run time, the scheduler's vruntime (nice 0: weight 1)
  double lag_ = 0;         // V - vruntime when it last went to sleep (update_entity_lag)
  uint64_t enqueued_ = 0;  // order of the last enqueue (ties between equal vruntimes)
  bool timed_out_ = false;
  bool exiting_ = false;  // CpuEngine::exit_task: unwind at the next return to the task
  sc_core::sc_event run_ev_;
  uint64_t nvcsw_ = 0, nivcsw_ = 0;
  std::function<void(Task&)> body_;
  sc_core::sc_process_handle thread_;     // the task's SystemC thread
  std::vector<const char*> trace_spans_;  // spans taken off the CPU while not running (TraceHub::suspend)
};

// try_to_wake_up (kernel/sched/core.c): makes t runnable; false if already.
bool wake_up_process(Task* t);

// ---- one CPU ---------------------------------------------------------------
class Cpu {
 public:
  int id() const { return id_; }
  CpuEngine& engine() const { return *engine_; }

  // Charges ns now: waits debt + ns, preemptible by hard IRQs (not in hardirq).
  void charge(double ns);
  // Adds ns to the debt without waiting.
  void defer(double ns) { debt_ns_ += ns; }
  // Waits the accumulated debt (preemptible unless in hardirq).
  void sync();
  // Non-preemptible stall (MMIO read completion); waits the debt first.
  void stall(double ns);
  // A non-preemptible wait the caller did itself since `from` (the platform
  // waiting for an MMIO read's completion event): accounted to the context
  // that issued it.
  void account_stall(sc_core::sc_time from) { account(from); }
  double debt_ns() const { return debt_ns_; }
  // Time at which the work charged so far ends (now + debt): the time of
  // effects produced before the next sync (e.g. a recv() completing).
  sc_core::sc_time effective_time() const;

  Ctx context() const { return ctx_; }
  bool in_hardirq() const { return ctx_ == Ctx::hardirq; }
  bool in_softirq() const { return ctx_ == Ctx::softirq || ctx_ == Ctx::ksoftirqd; }
  bool in_interrupt() const { return in_hardirq() || in_softirq(); }
  Task* current_task() const { return cur_task_; }

  // raise_softirq (kernel/softirq.c): marks pending; outside interrupt
  // context it wakes ksoftirqd.
  void raise_softirq(int nr);
  // raise_softirq_irqoff from hard IRQ / softirq: marks pending only.
  void raise_softirq_irqoff(int nr) { softirq_pending_ |= 1u << nr; }
  uint32_t softirq_pending() const { return softirq_pending_; }
  bool need_resched() const { return need_resched_; }
  void set_need_resched() { need_resched_ = true; }

  // Counters.
  uint64_t irq_count(int irq) const;
  uint64_t softirq_count(int nr) const { return softirq_count_[nr]; }
  sc_core::sc_time time_in(Ctx c) const;
  uint64_t ksoftirqd_wakeups() const { return ksoftirqd_wakeups_; }
  uint64_t softirq_restarts() const { return softirq_restarts_; }
  uint64_t hardirq_preemptions() const { return preemptions_; }
  uint64_t sc_waits() const { return waits_; }             // SystemC waits done for this CPU (speed figure)
  uint64_t fast_wakeups() const { return fast_wakeups_; }  // sleeps ended without the dispatcher

 private:
  friend class CpuEngine;
  friend class Task;
  friend bool wake_up_process(Task* t);
  void idle_loop();  // per-CPU SC_THREAD: idle + ksoftirqd + dispatch
  void wait_preemptible(sc_core::sc_time t);
  void resumed();              // after any wait: current cpu, hooks, IRQs
  void handle_pending_irqs();  // do_IRQ for every pending vector
  void do_irq(int irq);
  void irq_exit();
  void do_softirq_loop(Ctx as);  // __do_softirq
  void wakeup_softirqd();
  void account(sc_core::sc_time from);
  void set_ctx(Ctx c) {  // ctx_ = c, reported to an attached tracer
    ctx_ = c;
    if (engine_trace()) trace_ctx();
  }
  void set_ksoftirqd_runnable(bool on) {  // host.cpu<N>.ksoftirqd
    ksoftirqd_runnable_ = on;
    if (engine_trace()) trace_ksoftirqd();
  }
  bool engine_trace() const;
  __attribute__((cold, noinline)) void trace_ctx();
  __attribute__((cold, noinline)) void trace_ksoftirqd();
  // wakeup: place the task's vruntime (a sleeper) and check wakeup preemption.
  void enqueue_task(Task* t, bool wakeup = false);
  void release_cpu();  // the running task gives the CPU back
  // Scheduler (cpu.cpp): the fair share between ksoftirqd and the tasks.
  bool eevdf() const;  // CpuConfig::sched is eevdf
  double sched_factor() const;
  double sched_slice() const;    // the base slice, scaled
  double turn_ns() const;        // the running entity's run time in this turn
  void settle();                 // charge the running entity its run time so far
  double curr_vruntime() const;  // after settle(): the running entity's, or -1 when idle
  void remember_v();             // last_v_ = V now (avg_vruntime's answer when idle)
  double avg_vruntime(double extra) const;
  double lag_of(double v) const;   // update_entity_lag: V - v, bounded (v: the sleeper's, included in V)
  double place(double lag) const;  // place_entity: a waking sleeper's vruntime from its lag
  void check_preempt_wakeup(double woken, const Task* t);  // t: the woken task (nullptr: ksoftirqd)
  void check_preempt_tick();
  Task* pick_task() const;  // the runnable task with the least vruntime
  void check_exit();        // unwinds the current task if it is being exited

  int id_ = 0;
  sc_core::sc_process_handle thread_;  // idle_loop's thread
  CpuEngine* engine_ = nullptr;
  Ctx ctx_ = Ctx::idle;
  double debt_ns_ = 0;
  uint32_t softirq_pending_ = 0;
  bool need_resched_ = false;
  bool ksoftirqd_runnable_ = false;
  bool ksoftirqd_running_ = false;  // a ksoftirqd turn is on (ctx ksoftirqd)
  double ksoftirqd_vruntime_ = 0, ksoftirqd_lag_ = 0;
  uint64_t ksoftirqd_enqueued_ = 0;  // order of its last wakeup (see Task::enqueued_)
  uint64_t enqueue_seq_ = 0;
  double last_v_ = 0;
  // Run time already charged to the running entity: the context's time at
  // the last settle(); and at the start of its turn (the tick's slice).
  sc_core::sc_time exec_mark_{sc_core::SC_ZERO_TIME}, turn_start_{sc_core::SC_ZERO_TIME};
  Task* cur_task_ = nullptr;
  std::deque<Task*> runq_;
  std::deque<int> pending_irqs_;
  std::vector<uint64_t> irq_counts_;  // indexed by irq
  std::array<uint64_t, NR_SOFTIRQS> softirq_count_{};
  std::array<sc_core::sc_time, static_cast<int>(Ctx::count)> time_in_{};
  sc_core::sc_time idle_since_{sc_core::SC_ZERO_TIME};
  bool idle_waiting_ = false;
  sc_core::sc_event irq_ev_;
  sc_core::sc_event sched_ev_;     // something runnable for the idle loop
  sc_core::sc_event released_ev_;  // running task gave the CPU back
  uint64_t ksoftirqd_wakeups_ = 0, softirq_restarts_ = 0, preemptions_ = 0, waits_ = 0, fast_wakeups_ = 0;
};

namespace detail {
extern Cpu* g_current;
extern sc_core::sc_process_b* g_current_proc;
}  // namespace detail
// True if the calling SystemC process is running modelled code on a CPU.
inline bool have_current_cpu() {
  return detail::g_current && sc_core::sc_get_current_process_b() == detail::g_current_proc;
}
[[noreturn]] void no_current_cpu();
// The CPU currently executing modelled code (kernel: smp_processor_id()).
// std::logic_error if the calling process is not running on a CPU.
inline Cpu& current_cpu() {
  if (!have_current_cpu()) no_current_cpu();
  return *detail::g_current;
}

struct CpuConfig {
  int num_cpus = 1;
  int hz = 1000;                 // CONFIG_HZ
  int max_softirq_time_ms = 2;   // MAX_SOFTIRQ_TIME = msecs_to_jiffies(2): whole jiffies
  int max_softirq_restart = 10;  // MAX_SOFTIRQ_RESTART
  // How ksoftirqd and the tasks of a CPU share it (cpu.cpp, "Scheduler"):
  //   alternate  ksoftirqd and the run queue take turns (one __do_softirq a
  //              ksoftirqd turn); waking ksoftirqd preempts a running task;
  //              a task's wakeup preempts nothing (the model until issue 13)
  //   eevdf      v6.8's fair share, simplified: vruntime, lag, slices,
  //              wakeup and tick preemption
  enum class Sched : uint8_t { alternate, eevdf };
  Sched sched = Sched::alternate;
  // eevdf: v6.8's slice (kernel/sched/fair.c sysctl_sched_base_slice),
  // scaled by 1 + ilog2(min(CPUs, 8)) as SCHED_TUNABLESCALING_LOG does.
  double sched_base_slice_ns = 0.75e6;
};

// Not an sc_module: it only spawns processes and events, so a Kernel can be
// built at any time (also after sc_start, e.g. one per test case). It keeps
// the handle of every process it spawns and ends them when destroyed
// (end_processes), so none of them runs on into freed memory.
class CpuEngine {
 public:
  CpuEngine(const std::string& name, const CpuConfig& cfg, const CostTable& cost);
  ~CpuEngine();
  CpuEngine(const CpuEngine&) = delete;
  CpuEngine& operator=(const CpuEngine&) = delete;
  const std::string& name() const { return name_; }

  int num_cpus() const { return static_cast<int>(cpus_.size()); }
  Cpu& cpu(int i);
  const CpuConfig& config() const { return cfg_; }
  const CostTable& cost() const { return cost_; }

  // request_irq (kernel/irq/manage.c): handler for `irq`, `name` in /proc/interrupts.
  void request_irq(int irq, irq_handler_t handler, const std::string& name);
  // Platform entry: hard IRQ `irq` arrives on `cpu` now (exact SystemC time).
  void raise_irq(int cpu, int irq);
  // open_softirq (kernel/softirq.c).
  void open_softirq(int nr, softirq_action_t action);
  // Called whenever a thread resumes on a CPU after time advanced.
  void add_sync_hook(std::function<void(sc_core::sc_time now)> hook);

  // jiffies at the current SystemC time (starts at 0, no tick cost modelled).
  uint64_t jiffies() const;
  uint64_t jiffies_at(sc_core::sc_time t) const;
  double jiffy_ns() const { return 1e9 / cfg_.hz; }

  // Creates a user task bound to `cpu`; `body` runs on it once simulation starts.
  Task& create_task(const std::string& name, int cpu, std::function<void(Task&)> body);
  // do_exit for a task whose owner goes away: its body never runs again.
  // A sleeping task is woken; the task's thread unwinds (taking its wait
  // queue entries off their queues) the next time it would return to the
  // task: at once when it sleeps or waits for the CPU, after the interrupt
  // work it is doing otherwise; what a syscall it was in held at that point
  // (an skb being copied) is dropped unaccounted (today only tests destroy
  // a process in mid-run). The Task object stays (the engine owns it).
  // Call it from outside the task itself (a task cannot exit itself here).
  void exit_task(Task& t);
  // Ends every process of the engine now (CPU threads and tasks): killed
  // (unwound) when called from another SystemC process, otherwise suspended
  // for good; see end_process in cpu.cpp. The Kernel calls it first thing in
  // its destructor, while the queues the threads sleep on still exist.
  void end_processes();

  std::string proc_interrupts() const;  // /proc/interrupts
  std::string proc_softirqs() const;    // /proc/softirqs
  std::string cpu_time_report() const;  // per-CPU time by context

  // Tracing (stack/tracing.hpp): set by Kernel::set_tracer; nullptr = off.
  // Attaching declares host.cpu<N>.context/.ctx and reports the current contexts.
  void set_trace(TraceHub* th);
  TraceHub* trace() const { return trace_; }

 private:
  friend class Cpu;
  friend class Task;
  struct IrqDesc {
    irq_handler_t handler;
    std::string name;
  };
  void run_sync_hooks(sc_core::sc_time now);

  std::string name_;
  CpuConfig cfg_;
  const CostTable& cost_;
  std::vector<std::unique_ptr<Cpu>> cpus_;
  std::vector<IrqDesc> irqs_;
  std::array<softirq_action_t, NR_SOFTIRQS> softirq_vec_{};
  std::vector<std::function<void(sc_core::sc_time)>> sync_hooks_;
  sc_core::sc_time last_hook_time_{sc_core::SC_ZERO_TIME};
  std::vector<std::unique_ptr<Task>> tasks_;
  TraceHub* trace_ = nullptr;
  bool parked_ = false;  // a thread was suspended, not killed: keep cpus_ and tasks_ (cpu.cpp)
};

inline bool Cpu::engine_trace() const { return engine_->trace() != nullptr; }

}  // namespace rxpath::stack
