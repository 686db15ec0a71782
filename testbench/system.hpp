// SPDX-License-Identifier: MIT
// The system top: traffic -> NIC (Verilated RTL, or the behavioural double)
// -> PCIe-like link -> host (igb driver, kernel stack, user process), built
// from one scenario, run, and summed up in a report whose frame accounting
// must balance.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "host/igb.hpp"
#include "host/igb_cost.hpp"
#include "knobs.hpp"
#include "nic/double/nic_double.hpp"
#include "stack/cost.hpp"
#include "stack/kernel.hpp"
#include "traffic.hpp"

namespace rxpath::waves {
class Recorder;
}

namespace rxpath::tb {

struct SystemConfig {
  // run
  double start_us = 10;             // traffic starts here (the driver brings the NIC up at 0)
  double duration_us = 1000;        // traffic is offered until this time
  double drain_us = 2000;           // then at most this long for the host to finish
  double quantum_ns = 0;            // NIC run-ahead; 0 = the link latency
  std::string nic_model = "rtl";    // rtl | double
  nic::NicDoubleConfig nic_double;  // the behavioural NIC's sizes (the RTL's are build parameters)
  double link_latency_ns = 500;
  // host
  std::string host_mac = "02:00:00:00:00:10";
  std::string host_ip = "10.0.1.2";
  // application
  std::string app_mode = "epoll";   // epoll | epoll-et | select | poll | recv
  int64_t app_cpu = 1;
  int64_t app_idle_fds = 0;         // extra sockets watched but never ready
  int64_t app_idle_port = 20000;    // port of the first idle socket
  int64_t app_recv_size = 65536;
  // the rest
  stack::KernelConfig kernel;
  stack::CostTable stack_cost;
  host::IgbConfig igb;
  host::IgbCost igb_cost;
  TrafficConfig traffic;
  // tracing: the window of --trace/--journey/--timeline, or a trigger that places it
  struct Trace {
    double start_us = 0;            // window start
    double stop_us = 0;             // window end (0: the end of the run)
    std::string trigger;            // "" | mpc | rnbc | time_squeeze | packet:N | NAME>=X
    double before_us = 20;          // with a trigger: span kept before it
    double after_us = 20;           // with a trigger: span kept after it
  } trace;

  SystemConfig();
  // Registers every knob of the scenario.
  void add_knobs(Knobs& k);
  // Checks the knobs against each other and fills derived values (the
  // quantum); throws std::invalid_argument naming the knob at fault.
  void finish();
};

// Per-stage accounting of every frame offered on the wire.
struct Accounting {
  uint64_t offered = 0;                        // frames the traffic source put on the wire
  uint64_t delivered = 0;                      // frames whose data a recv() returned
  std::map<std::string, uint64_t> drops;       // counter name -> frames ("nic.MPC", "udp.RcvbufErrors", ...)
  uint64_t consumed = 0;                       // used by the stack without user data (ARP, ...)
  uint64_t in_flight = 0;                      // still inside at the end (should be 0 after the drain)
  uint64_t in_flight_nic = 0;                  // of which still in the NIC (packet buffer or ring)
  uint64_t dropped() const;
  bool balanced() const { return offered == delivered + dropped() + consumed + in_flight; }
};

struct LatencyStats {
  uint64_t samples = 0;
  double p50_ns = 0, p90_ns = 0, p99_ns = 0, p999_ns = 0, max_ns = 0, mean_ns = 0;
};

struct Report {
  std::string scenario_toml;                   // the effective scenario
  uint64_t seed = 0;
  double sim_us = 0, wall_s = 0;
  double traffic_us = 0;                       // how long traffic was offered
  uint64_t nic_cycles = 0;
  uint64_t offered_frames = 0, offered_bytes = 0;
  uint64_t delivered_msgs = 0, delivered_bytes = 0, delivered_frames = 0;
  uint64_t delivery_errors = 0;                // bytes that differ from what was sent
  Accounting acct;
  uint64_t irqs = 0, napi_polls = 0, napi_polls_full = 0, time_squeeze = 0, rnbc = 0;
  uint64_t net_rx_action = 0, budget_exhausted = 0;  // softirq rounds, rounds that used the whole budget
  LatencyStats latency;
  std::map<std::string, double> cpu_ns;        // "cpu0.softirq" -> ns
  std::map<std::string, uint64_t> offered_by_kind;  // traffic kind -> frames ("udp", "bad_fcs", ...)
  std::map<std::string, uint64_t> mib;          // selected kernel counters ("Udp.NoPorts", "Tcp.OutRsts", ...)
  std::map<std::string, std::string> counters; // "/proc/net/snmp" -> text
  bool stopped = false;                        // stop_when() ended the run early (no accounting)
  std::string trace_path;                      // the FST written (--trace), if any
  uint64_t trace_host_changes = 0;             // host signal changes written into it
  uint64_t trace_host_late = 0;                // of those, written after their time (0 expected)
  std::string journey_json;                    // --journey with --json: the journey, in the JSON report
  std::string text() const;
  std::string json() const;
};

class System {
 public:
  explicit System(const SystemConfig& cfg, const std::string& scenario_toml = "");
  ~System();
  // Runs traffic for duration_us, then drains; fills the report.
  Report run(bool progress = false);
  // Where to write captures (empty: none). Call before run().
  void capture_wire(const std::string& path);
  void capture_sockets(const std::string& dir);
  // Attaches `rec` to the host (Kernel::set_tracer), the NIC
  // (NicSc::on_event, only when rec.wants_nic()) and the driver
  // (IgbAdapter::trace_id_of, from the traffic's frame numbers). Configure
  // `rec` first; call before run(); `rec` outlives the run.
  void attach(waves::Recorder& rec);
  // One FST of the RTL and the host (needs attach()): the NIC writes its FST
  // inside the recorder's window to a temporary file during the run; run()
  // merges it with the recorder's host signals into `path` (whole or not at
  // all). Throws std::invalid_argument for the behavioural NIC.
  void trace_fst(const std::string& path);
  // run() ends early, without the accounting, once `f` returns true (asked
  // every 10 µs of simulated time at most); the report says stopped.
  void stop_when(std::function<bool()> f);
  // Debug output by category (comma list, or "all") of every layer, from the
  // one registry (common/debug.hpp; `rxpath --debug help` lists it). Throws
  // std::invalid_argument naming an unknown category and the known ones.
  void debug(const std::string& list);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace rxpath::tb
