// SPDX-License-Identifier: MIT
// Scenario: every knob of one run (run length, NIC model, link, host, reader,
// kernel, driver, costs, traffic, trace window), registered with the knob
// table that reads scenario files and --set, checked against each other
// before anything is built.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "host/igb.hpp"
#include "host/igb_cost.hpp"
#include "nic/double/nic_double.hpp"
#include "stack/cost.hpp"
#include "stack/kernel.hpp"
#include "testbench/knobs.hpp"
#include "testbench/traffic.hpp"

namespace rxpath::tb {

struct Scenario {
  // run
  double start_us = 10;             // traffic starts here (the driver brings the NIC up at 0)
  double duration_us = 1000;        // traffic is offered until this time
  double drain_us = 2000;           // then at most this long for the host to finish
  double quantum_ns = 0;            // NIC run-ahead; 0 = the link latency
  bool idle_skip = true;            // the Verilated NIC skips idle clocks (bridge::NicSc::idle_skip)
  double warmup_us = 0;             // the measurement window starts this long after traffic starts
  double sample_us = 0;             // time-series interval; 0 = automatic (finish() resolves it)
  std::string nic_model = "rtl";    // rtl | double
  nic::NicDoubleConfig nic_double;  // the behavioural NIC's sizes (the RTL's are build parameters)
  double link_latency_ns = 500;
  // host
  std::string host_mac = "02:00:00:00:00:10";
  std::string host_ip = "10.0.1.2";
  // application
  std::string app_mode = "epoll";  // epoll | epoll-et | select | poll | recv
  int64_t app_cpu = 1;
  int64_t app_idle_fds = 0;       // extra sockets watched but never ready
  int64_t app_idle_port = 20000;  // port of the first idle socket
  int64_t app_recv_size = 65536;
  int64_t app_readers = 1;              // reader processes
  std::string app_reader_cpus;          // their CPUs, "1,2,3" (empty: every reader on app.cpu)
  bool app_reuseport = false;           // each reader opens its own SO_REUSEPORT socket on every UDP port
  std::vector<int> reader_cpus;         // derived by finish(): one CPU per reader
  std::string rps_cpus;                 // kernel.rps_cpus as written; finish() fills kernel.rps_cpus
  std::string scheduler = "alternate";  // kernel.scheduler; finish() sets kernel.cpu.sched
  // the rest
  stack::KernelConfig kernel;
  stack::CostTable stack_cost;
  host::IgbConfig igb;
  host::IgbCost igb_cost;
  // igb.* knobs given as text, parsed by finish() into `igb`
  std::string igb_irq_affinity;              // "0 1 0 1": CPU of q_vector i
  std::string igb_rss_key;                   // 80 hex digits
  std::string igb_rxfh_indir = "default";    // ethtool -X: default | equal N | weight W0 W1 ..
  std::string igb_rx_flow_hash_udp4 = "sd";  // ethtool -N rx-flow-hash udp4: sd | sdfn
  TrafficConfig traffic;
  // tracing: the window of --trace/--journey/--timeline, or a trigger that places it
  struct Trace {
    double start_us = 0;    // window start
    double stop_us = 0;     // window end (0: the end of the run)
    std::string trigger;    // "" | mpc | rnbc | time_squeeze | packet:N | NAME>=X
    double before_us = 20;  // with a trigger: span kept before it
    double after_us = 20;   // with a trigger: span kept after it
  } trace;

  Scenario();
  // Registers every knob of the scenario.
  void add_knobs(Knobs& k);
  // Checks the knobs against each other and fills derived values (the
  // quantum); throws std::invalid_argument naming the knob at fault. Knobs
  // that are set but take no effect in this scenario are named in warnings.
  // With `knobs` (the table the scenario was read with), errors between knobs
  // say where each was set, and a replay whose run.duration_us was not set
  // ends just after the capture's last record.
  void finish(const Knobs* knobs = nullptr);
  void finish_igb(const Knobs* knobs);
  std::vector<std::string> warnings;
};

}  // namespace rxpath::tb
