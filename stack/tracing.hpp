// SPDX-License-Identifier: Apache-2.0
// stack/tracing.hpp: the model's side of stack::Tracer (trace.hpp). A
// TraceHub exists only while a tracer is attached (Kernel::set_tracer), so
// every trace point in the model is one pointer test when tracing is off:
//
//   if (TraceHub* th = k.trace_hub()) th->set(sig, value, cpu.effective_time());
//
// The hub keeps what the Tracer contract asks of the model:
// - per signal, times never go back and unchanged values are not repeated;
// - per CPU, spans are properly nested and their times never go back.
// Why times can go back at all: a CPU's true time is now + its deferred
// debt (Cpu::effective_time). Code that deferred cost reports at now + debt;
// a hard IRQ that arrives while that debt is being waited runs at its exact
// arrival, which can be earlier. The hub then reports the IRQ at the last
// time already reported on that CPU (or for that signal): the order of
// events is kept, and the error is at most the debt batch (max_defer_ns).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "stack/skbuff.hpp"
#include "stack/trace.hpp"

// Trace code paths: out of line and cold, so that the hot function holding
// the trace point keeps its size, inlining and register use when tracing is
// off (measured: ~170 instructions per packet otherwise, see stack/README.md).
#define RXPATH_TRACE_COLD __attribute__((cold, noinline))

namespace rxpath::stack {

class Cpu;

// A declared signal: the tracer's handle plus what was last reported.
struct TraceSig {
  int h = -1;  // -1: not declared (set() ignores it)
  uint64_t v = 0;
  bool has = false;
  sc_core::sc_time last{sc_core::SC_ZERO_TIME};
};

class TraceHub {
 public:
  TraceHub(Tracer& t, int num_cpus);
  Tracer& tracer() { return t_; }
  // Distinct for every hub ever made: objects that declare their signals
  // lazily (the driver) compare it to know whether they did for this one.
  uint64_t serial() const { return serial_; }

  // ---- signals ----
  void declare(TraceSig& s, const std::string& path, unsigned bits);
  void set(TraceSig& s, uint64_t v, sc_core::sc_time t);
  // String signal: `v` must be a string literal / static (compared by pointer).
  void set_str(TraceSig& s, const char* v, sc_core::sc_time t);

  // ---- spans per CPU ----
  void begin(int cpu, const char* func, sc_core::sc_time t);
  // Ends `func`: spans opened inside it and still open end first; a span
  // that is not open (begun before the tracer was attached) is ignored.
  void end(int cpu, const char* func, sc_core::sc_time t);
  // A task leaving its CPU (schedule) takes its open spans with it: they end
  // now and are begun again by resume() when it runs again, so spans stay
  // nested per CPU whatever runs in between.
  void suspend(int cpu, sc_core::sc_time t, std::vector<const char*>& saved);
  void resume(int cpu, sc_core::sc_time t, std::vector<const char*>& saved);
  size_t open_spans(int cpu) const { return cpus_.at(cpu).open.size(); }

  // ---- packet stages ----
  // True when stages of this skb are kept (it has a packet id the tracer wants).
  bool wants(const sk_buff* skb) const { return skb && skb->trace_id && t_.wants(skb->trace_id); }
  bool wants_id(uint64_t id) const { return id && t_.wants(id); }
  // A copy of `s` that lives until the program ends (Stage::drop is a
  // pointer; a recorder may keep stages after the tracer is detached). The
  // set of such strings is small (drop reason x counter).
  static const char* intern(const std::string& s);
  // Emits a stage of `id` (skb may be null: no view); `drop` must live on
  // (a literal or intern()).
  void stage(uint64_t id, const char* name, int cpu, sc_core::sc_time t, const sk_buff* skb, std::string detail = {},
             const char* drop = nullptr, std::vector<StageField> fields = {});

  // Per CPU: the packet whose socket enqueue is waking readers right now
  // (sock_def_readable -> ep_poll_callback / pollwake), 0 if none/unwanted.
  std::vector<uint64_t> wake_id;

  // Per-CPU signals the CPU engine and net_rx_action set.
  struct CpuSigs {
    TraceSig context, ctx;                      // host.cpu<N>.context / .ctx
    TraceSig time_squeeze, processed, dropped;  // host.softnet.cpu<N>.*
    TraceSig backlog;                           // host.softnet.cpu<N>.backlog: input_pkt_queue length (RPS)
    TraceSig ksoftirqd;                         // host.cpu<N>.ksoftirqd: woken, not yet running
  };
  std::vector<CpuSigs> cpu;

 private:
  struct CpuSpans {
    std::vector<const char*> open;
    sc_core::sc_time last{sc_core::SC_ZERO_TIME};
  };
  sc_core::sc_time clamp(int cpu, sc_core::sc_time t);
  Tracer& t_;
  uint64_t serial_;
  std::vector<CpuSpans> cpus_;
};

// A function's span on a CPU in one line, the shape of a kernel tracepoint:
//
//   TraceSpan span(th_, c, "net_rx_action");
//
// at the top of the function; the span ends when the function returns. With
// no hub attached the constructor is one pointer test and the destructor one
// flag test; the recording is out of line and cold. Begin and end are at the
// CPU's true time (Cpu::effective_time). `hub` is the owner's hub pointer
// itself (Kernel::th_), looked at again at the end: a tracer detached
// meanwhile gets no end, one attached meanwhile never saw the span begin and
// ignores its end. A function left by an exception (a SystemC process killed
// while it waits, too) records no end. Without a Cpu, the span is on
// current_cpu(), looked up only when tracing.
class TraceSpan {
 public:
  TraceSpan(TraceHub* const& hub, Cpu& cpu, const char* func) {
    if (hub) begin(&hub, &cpu, func);
  }
  TraceSpan(TraceHub* const& hub, const char* func) {
    if (hub) begin(&hub, nullptr, func);
  }
  ~TraceSpan() {
    if (cpu_) end();
  }
  TraceSpan(const TraceSpan&) = delete;
  TraceSpan& operator=(const TraceSpan&) = delete;

 protected:
  // True when this guard began a span: its end is due.
  bool active() const { return cpu_ != nullptr; }
  // The hub attached now, or nullptr when there is none or the function is
  // being left by an exception.
  TraceHub* hub_now() const;
  const char* func() const { return func_; }

 private:
  RXPATH_TRACE_COLD void begin(TraceHub* const* hub, Cpu* cpu, const char* func);
  RXPATH_TRACE_COLD void end();
  // Untraced, the hot path stores cpu_ only; begin() sets the rest.
  Cpu* cpu_ = nullptr;
  TraceHub* const* hub_;
  const char* func_;
  int exceptions_;  // std::uncaught_exceptions() at the begin
};

}  // namespace rxpath::stack
