// SPDX-License-Identifier: MIT
// HostFst: writes the host's signals into the RTL's FST while the run goes,
// so one file holds both without a second pass over it.
//
// NicSc calls on_dump() with its FST writer (an FstSink) just before each
// dump of the RTL (NicSc::trace_sidecar). With a sidecar the NIC steps one clock per
// SystemC wait inside the window and dumps once per clock, after the rising
// edge at t = n * 6400 ps, at SystemC time t. A host change at time h is made
// at SystemC time <= h (a CPU's true time is now + debt, never behind now),
// so when the dump at t is written every change with h < t is known: it is
// written at exactly h, between the RTL's samples. A change at h == t made
// after the NIC ran goes out before the next dump, still at time t (the
// FST's current time). Nothing is moved in time; see docs/theory/bridge.md.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/fst_sink.hpp"
#include "waves/host_signals.hpp"

namespace rxpath::waves {

class HostFst {
 public:
  explicit HostFst(HostSignals& signals) : sig_(signals) {}

  // Before the RTL's dump at t_ps (first == false): writes the changes with
  // time < t_ps. After the window's first dump (first == true): declares the
  // host scopes and writes the values the signals had when the window opened.
  // At the end NicSc calls it with t_ps = UINT64_MAX.
  void on_dump(common::FstSink& fst, uint64_t t_ps, bool first);

  uint64_t vars() const { return handle_.size(); }
  uint64_t changes() const { return changes_; }
  // Changes that came after the FST had passed their time (written at the
  // FST's time instead). Zero when the NIC steps one clock per wait.
  uint64_t late() const { return late_; }

 private:
  void declare_new(common::FstSink& fst);  // FST variables for signals declared since the last call
  void emit(common::FstSink& fst, uint32_t sig, uint64_t value, uint64_t t_ps);

  HostSignals& sig_;
  std::vector<uint32_t> handle_;  // host signal -> fstHandle
  uint64_t now_ = 0;              // the FST's current time
  bool open_ = false;
  uint64_t changes_ = 0;
  uint64_t late_ = 0;
};

}  // namespace rxpath::waves
