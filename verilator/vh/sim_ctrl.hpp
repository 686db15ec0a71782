// SPDX-License-Identifier: MIT
// Simulation controller: owns the Verilated model's clock, reset, eval order,
// cycle counter, time-outs and (on request) FST tracing. Everything else
// plugs in as an Agent.
#pragma once
#include <cstdint>
#include <cstdlib>
#include <functional>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include <verilated.h>
#if defined(VM_COVERAGE) && VM_COVERAGE
#include <unistd.h>

#include <atomic>
#include <cstdlib>

#include <verilated_cov.h>
#endif

#include "verilator/vh/agent.hpp"
#include "verilator/vh/debug.hpp"

namespace rxpath::vh {

inline constexpr double kClockMhz = 156.25;  // XGMII clock, 6.4 ns
inline constexpr uint64_t kPsPerCycle = 6400;

template <class M>
class SimCtrl {
 public:
  explicit SimCtrl(const char* name = "nic") : ctx_(make_context()), top_(new M(ctx_.get(), name)) {
    common::debug::enable_from_env();
    ctx_->fatalOnError(false);  // an assertion becomes a test failure, not abort()
    top_->clk_i = 0;
    top_->rst_ni = 0;
    top_->skip_cycles_i = 0;
    top_->eval();
  }
  ~SimCtrl() {
    if (trace_close) trace_close();
    top_->final();
    write_coverage(*ctx_);
  }
  // Coverage of a model built with --coverage (make coverage: the CMake
  // option RXPATH_RTL_COVERAGE gives the model's users VM_COVERAGE=1): each
  // context's counts go to a file of their own in $RXPATH_COVERAGE_DIR when
  // it is set (rtl/coverage/report.py merges them). A process may build
  // several models one after the other (one per test case), hence the pid
  // and a counter in the name. Without coverage this is nothing.
  static void write_coverage([[maybe_unused]] VerilatedContext& ctx) {
#if defined(VM_COVERAGE) && VM_COVERAGE
    const char* dir = std::getenv("RXPATH_COVERAGE_DIR");
    if (!dir || !*dir) return;
    static std::atomic<unsigned> seq{0};
    const std::string path =
        std::string(dir) + "/cov-" + std::to_string(::getpid()) + "-" + std::to_string(seq.fetch_add(1)) + ".dat";
    ctx.coveragep()->write(path.c_str());
#endif
  }
  SimCtrl(const SimCtrl&) = delete;
  SimCtrl& operator=(const SimCtrl&) = delete;

  M& top() { return *top_; }
  VerilatedContext& ctx() { return *ctx_; }
  uint64_t cycle() const { return cycle_; }
  void add(Agent& a) { agents_.push_back(&a); }
  // Called after every cycle's drive phase (checkers, scoreboards).
  std::vector<std::function<void(uint64_t)>> on_cycle;
  // Called at the start of every step, before the edge: a timed bridge hands
  // its agents what has arrived by now; they drive it after this edge.
  std::vector<std::function<void(uint64_t)>> before_cycle;

  // Active-low synchronous reset held for n cycles.
  void reset(unsigned n = 8) {
    top_->rst_ni = 0;
    run(n);
    top_->rst_ni = 1;
  }

  // One clock, two evaluations: agents sample the settled pre-edge values,
  // the rising edge is evaluated, then with the clock low the agents drive
  // the next inputs and the model settles again. Inputs therefore change at
  // the falling edge, away from the active one, and nothing changes between
  // that settle and the next sample. (Verilated models run their input
  // combinational logic on every eval(), so a third eval would cost ~7%.)
  void step() {
    // The SystemC bridge (verilator/sc/nic_sc.cpp) hands its agents what
    // has arrived by the coming edge here; they drive it after the edge.
    for (auto& f : before_cycle) f(cycle_);
    for (Agent* a : agents_) a->sample(cycle_);
    top_->clk_i = 1;
    top_->eval();
    top_->skip_cycles_i = 0;  // a skip (skip()) is seen by this one rising edge only
    ctx_->timeInc(kPsPerCycle / 2);
    if (trace_dump) trace_dump(ctx_->time());
    ++cycle_;
    if (ctx_->gotError() || ctx_->gotFinish())
      throw std::runtime_error("RTL stopped ($stop/$fatal/assertion) at cycle " + std::to_string(cycle_));
    top_->clk_i = 0;
    for (Agent* a : agents_) a->drive(cycle_);
    top_->eval();
    ctx_->timeInc(kPsPerCycle / 2);
    if (trace_dump) trace_dump(ctx_->time());
    for (auto& f : on_cycle) f(cycle_);
  }
  // Idle-skip: the next n clocks are taken as evaluated without evaluating
  // them (the cycle count and the model's time move on). Only for a model
  // whose quiescent_o is high and whose inputs stay as they are: the caller
  // sets skip_cycles_i = n for the next step() (see verilator/sc/nic_sc.cpp).
  void skip(uint64_t n) {
    cycle_ += n;
    ctx_->timeInc(n * kPsPerCycle);
  }
  // Re-evaluates after inputs were set outside step() (initial values).
  void settle() { top_->eval(); }
  void run(uint64_t n) {
    for (uint64_t i = 0; i < n; ++i) step();
  }
  // Steps until pred() is true; throws after `timeout` cycles naming `what`.
  template <class P>
  uint64_t run_until(P pred, uint64_t timeout, const std::string& what) {
    uint64_t start = cycle_;
    while (!pred()) {
      if (cycle_ - start >= timeout)
        throw std::runtime_error("timeout after " + std::to_string(timeout) + " cycles waiting for " + what);
      step();
    }
    return cycle_ - start;
  }

  std::function<void(uint64_t)> trace_dump;  // set by enable_fst()
  std::function<void()> trace_close;

 private:
  // RXPATH_X_SEED=n: initial values drawn at random from seed n (0: all
  // zeros). Only a model built with --x-initial unique (rxpath_vnic_model
  // XRANDOM: the rtl_matrix_*_x tests) draws them; the others start from
  // zeros whatever it says.
  static VerilatedContext* make_context() {
    auto* c = new VerilatedContext;
    if (const char* s = std::getenv("RXPATH_X_SEED")) {
      const long seed = std::strtol(s, nullptr, 0);
      c->randReset(seed ? 2 : 0);
      c->randSeed(int(seed));
    }
    return c;
  }
  std::unique_ptr<VerilatedContext> ctx_;
  std::unique_ptr<M> top_;
  std::vector<Agent*> agents_;
  uint64_t cycle_ = 0;
};

}  // namespace rxpath::vh
