// SPDX-License-Identifier: MIT
// The system top: traffic -> NIC (Verilated RTL, or the behavioural double,
// both behind nic::NicModel) -> PCIe-like link -> host (igb driver, kernel
// stack, user process), built from one scenario, run, and summed up in a
// report whose frame accounting must balance.
//
// The jobs around it have their own units: the scenario's knobs and checks
// (scenario.hpp), the byte check of every delivery and the latency
// (scoreboard.hpp), pcaps of the wire and the sockets (capture.hpp), and the
// report built from counters read by queue, vector and CPU (report.hpp,
// igb_counters.hpp). System owns construction and the run loop.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "testbench/report.hpp"
#include "testbench/scenario.hpp"

namespace rxpath::waves {
class Recorder;
}

namespace rxpath::tb {

class System {
 public:
  explicit System(const Scenario& cfg, const std::string& scenario_toml = "");
  ~System();
  // Runs traffic for duration_us, then drains; fills the report.
  Report run(bool progress = false);
  // Where to write captures (empty: none). Call before run().
  void capture_wire(const std::string& path);
  // In `dir`: socket-<proto>-<port>.pcap per socket (what recv() returned)
  // and tx.pcap (what the host sent, at its send times).
  void capture_sockets(const std::string& dir);
  // Attaches `rec` to the host (Kernel::set_tracer), the NIC
  // (NicSc::on_event, only when rec.wants_nic()) and the driver
  // (IgbAdapter::trace_id_of, from the traffic's frame numbers). Configure
  // `rec` first; call before run(); `rec` outlives the run.
  void attach(waves::Recorder& rec);
  // One FST of the RTL and the host (needs attach()): the NIC writes its FST
  // inside the recorder's window to a temporary file during the run, with the
  // recorder's host signals written into it as the run goes; run() commits
  // it as `path` (whole or not at all). Throws std::invalid_argument for the
  // behavioural NIC.
  void trace_fst(const std::string& path);
  // run() ends early, without the accounting, once `f` returns true (asked
  // every 10 µs of simulated time at most); the report says stopped.
  void stop_when(std::function<bool()> f);
  // Debug output by category (comma list, or "all") of every layer, from the
  // one registry (common/debug.hpp; `rxpath --debug help` lists it). Throws
  // std::invalid_argument naming an unknown category and the known ones.
  void debug(const std::string& list);

 private:
  // Kills every SystemC thread still alive (their frames unwind) before the
  // parts are destroyed; ~System calls it.
  void end_threads();

  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace rxpath::tb
