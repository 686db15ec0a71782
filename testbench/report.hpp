// SPDX-License-Identifier: MIT
// The report of one run: where every frame went (the accounting must
// balance), interrupts and NAPI, latency, CPU time, the Linux counters; as
// text and as JSON. It is built from RunCounters, which reads the host and
// the NIC by queue, interrupt vector and CPU, and from the scoreboard's
// figures of what was offered and delivered.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

namespace rxpath::tb {

// Per-stage accounting of every frame offered on the wire.
struct Accounting {
  uint64_t offered = 0;                   // frames the traffic source put on the wire
  uint64_t delivered = 0;                 // frames whose data a recv() returned
  std::map<std::string, uint64_t> drops;  // counter name -> frames ("nic.MPC", "udp.RcvbufErrors", ...)
  uint64_t consumed = 0;                  // used by the stack without user data (ARP, ...)
  uint64_t in_flight = 0;                 // still inside at the end (should be 0 after the drain)
  uint64_t in_flight_nic = 0;             // of which still in the NIC (packet buffer or ring)
  uint64_t in_reassembly = 0;             // of which IP fragments waiting for the rest of their datagram
  uint64_t dropped() const;
  bool balanced() const { return offered == delivered + dropped() + consumed + in_flight; }
};

struct LatencyStats {
  uint64_t samples = 0;
  double p50_ns = 0, p90_ns = 0, p99_ns = 0, p999_ns = 0, max_ns = 0, mean_ns = 0;
  // Nearest-rank percentiles of `ns` (any order).
  static LatencyStats of(std::vector<double> ns);
};

// Statistics over the measurement window [traffic start + run.warmup_us,
// end of traffic] (testbench/series.hpp): counter deltas, rates, CPU shares,
// the latency of frames offered inside it.
struct Measured {
  bool valid = false;  // false: the run did not sample (stopped early)
  double warmup_us = 0, start_us = 0, stop_us = 0, length_us = 0, sample_us = 0;
  uint64_t offered_frames = 0, offered_bytes = 0;
  double offered_pps = 0, offered_gbps = 0;  // gbps on the wire: preamble and gap included
  uint64_t delivered_frames = 0, delivered_bytes = 0, dropped_frames = 0;
  double loss_ratio = 0;                  // dropped / offered
  std::map<std::string, uint64_t> drops;  // every drop counter of the report
  uint64_t msix = 0, napi_polls = 0, time_squeeze = 0;
  double msix_per_s = 0, polls_per_s = 0;
  std::map<std::string, double> cpu_ns;     // "cpu0.softirq" -> ns inside the window
  std::map<std::string, double> cpu_share;  // context -> fraction of (length x CPUs)
  LatencyStats latency;                     // frames offered inside the window
  // deltas of the select/poll/epoll counters (Report::wait's names; a results.csv column each)
  std::vector<std::pair<std::string, uint64_t>> counters;
};

// The steady-state verdict on the measured window (testbench/steady.hpp).
struct Steady {
  bool valid = false;
  bool steady = true;
  std::vector<std::string> reasons;                     // empty when steady
  std::string suggestion;                               // empty when steady
  std::vector<std::pair<std::string, double>> figures;  // what the rule computed
};

struct Report {
  std::string scenario_toml;    // the effective scenario
  std::string scenario_json;    // the same as a flat JSON object of knobs (Knobs::dump_json)
  std::string version, commit;  // of the rxpath that ran (rxpath/version.hpp)
  uint64_t seed = 0;
  double sim_us = 0, wall_s = 0;
  double traffic_us = 0;  // how long traffic was offered
  uint64_t nic_cycles = 0;
  uint64_t offered_frames = 0, offered_bytes = 0;
  uint64_t delivered_msgs = 0, delivered_bytes = 0, delivered_frames = 0;
  uint64_t delivery_errors = 0;  // bytes that differ from what was sent
  Accounting acct;
  uint64_t irqs = 0, napi_polls = 0, napi_polls_full = 0, time_squeeze = 0, rnbc = 0;
  uint64_t net_rx_action = 0, budget_exhausted = 0;  // softirq rounds, rounds that used the whole budget
  // per RX queue and per queue vector (igb.queues; names as /proc/interrupts)
  struct Queue {
    uint64_t rx_packets = 0, rqdpc = 0;
  };
  struct Vector {
    std::string name;
    int cpu = 0;
    uint64_t irqs = 0, polls = 0, polls_full = 0;
  };
  std::vector<Queue> queues;
  std::vector<Vector> vectors;
  LatencyStats latency;
  std::map<std::string, double> cpu_ns;  // "cpu0.softirq" -> ns
  // Per CPU: softnet_data as /proc/net/softnet_stat shows it (RPS figures included).
  struct Softnet {
    uint64_t processed = 0, dropped = 0, time_squeeze = 0, received_rps = 0, ipis_sent = 0;
  };
  std::vector<Softnet> softnet;
  // Per reader process: what its recv() calls returned.
  struct Reader {
    std::string name;
    int cpu = 0;
    uint64_t messages = 0, bytes = 0;
  };
  std::vector<Reader> readers;
  std::map<std::string, uint64_t> offered_by_kind;  // traffic kind -> frames ("udp", "bad_fcs", ...)
  std::map<std::string, uint64_t> mib;              // selected kernel counters ("Udp.NoPorts", "Tcp.OutRsts", ...)
  std::map<std::string, std::string> counters;      // "/proc/net/snmp" -> text
  bool stopped = false;                             // stop_when() ended the run early (no accounting)
  std::string trace_path;                           // the FST written (--trace), if any
  uint64_t trace_host_changes = 0;                  // host signal changes written into it
  uint64_t trace_host_late = 0;                     // of those, written after their time (0 expected)
  std::string journey_json;                         // --journey with --json: the journey, in the JSON report
  Measured measured;                                // over the measurement window
  Steady steady;                                    // the steady-state verdict
  std::string series_csv;                           // series.csv (written with --out)
  // select/poll/epoll counters over the whole run, in StackCounters::wait's
  // order (also in `mib`, the JSON "counters"); set-up (__pollwait,
  // ep_insert) counted apart from the wakeups
  std::vector<std::pair<std::string, uint64_t>> wait;
  // softirq and NAPI counters over the whole run (StackCounters::softirq;
  // also in `mib`): restarts, ksoftirqd wakeups, completes against repolls,
  // the work-per-poll histogram
  std::vector<std::pair<std::string, uint64_t>> softirq;
  // Replay (traffic.pattern = pcap): capture records offered, records not
  // offered (after run.duration_us), records sent without waiting because
  // they were stamped before an earlier one, short frames padded.
  struct Replay {
    bool valid = false;
    uint64_t offered = 0, not_offered = 0, backwards = 0, padded = 0;
  } replay;
  std::string text() const;
  std::string json() const;
};

// A packet rate for people: "1.5 Mpps", or below 0.1 Mpps "45.0 kpps"
// (`decimals` after the point either way).
std::string rate_text(double pps, int decimals);

// ---- what the report reads, by queue, interrupt vector and CPU

struct QueueCounters {
  uint64_t rx_packets = 0;  // frames the driver handed up from this ring (igb_ring rx_stats.packets)
  uint64_t rqdpc = 0;       // RQDPC(n): frames dropped for want of a descriptor with DROP_EN
};

struct VectorCounters {
  std::string name;         // "eth0-rx-0", "eth0-TxRx-0", ... (igb_request_msix)
  int cpu = 0;              // where its hard IRQ runs (smp_affinity)
  uint64_t irqs = 0;        // MSI-X interrupts taken
  uint64_t polls = 0;       // NAPI polls
  uint64_t polls_full = 0;  // of which used the whole weight
};

struct CpuCounters {
  uint64_t net_rx_action = 0, budget_exhausted = 0, time_squeeze = 0, processed = 0;  // softnet_data
  uint64_t dropped = 0, received_rps = 0, ipis_sent = 0;      // softnet_data: RPS backlog drops, IPIs taken / sent
  std::vector<std::pair<std::string, double>> ns_by_context;  // every context ("softirq", ...) -> CPU ns
};

// The NIC's statistics registers as the driver accumulated them (igb_update_stats).
struct NicCounters {
  uint64_t crcerrs = 0, rxerrc = 0, ruc = 0, rfc = 0, roc = 0, rjc = 0, mpc = 0, rnbc = 0;
  uint64_t tpr = 0, gprc = 0;
  uint64_t afdc = 0, rxdis = 0;  // rxpath's own: address-filter drops, frames while receive was disabled
};

// The NIC's drop counters under their report names ("nic.MPC", ...): one
// list for the whole-run accounting, the measured window and the series.
// `c` is any struct with igb_update_stats' fields (NicCounters, or
// nic::NicModel::Probe); RQDPC is summed over the queues by the caller.
template <typename C>
void put_nic_drops(std::map<std::string, uint64_t>& drops, const C& c, uint64_t rqdpc) {
  drops["nic.CRCERRS"] = c.crcerrs;
  drops["nic.RXERRC"] = c.rxerrc;
  drops["nic.RUC"] = c.ruc;
  drops["nic.RFC"] = c.rfc;
  drops["nic.ROC"] = c.roc;
  drops["nic.RJC"] = c.rjc;
  drops["nic.MPC"] = c.mpc;
  drops["nic.RQDPC"] = rqdpc;
  drops["nic.RXP_AFDC"] = c.afdc;
  drops["nic.RXP_RXDIS"] = c.rxdis;
}

struct StackCounters {
  uint64_t delivered = 0, consumed = 0, in_flight = 0;           // stack::FrameAccount
  uint64_t in_reassembly = 0;                                    // of in_flight: IP fragment queues
  std::vector<std::pair<std::string, uint64_t>> drops;           // each nonzero drop reason ("ip.InHdrErrors", ...)
  std::vector<std::pair<std::string, uint64_t>> mib;             // kernel counters the report shows
  std::vector<std::pair<std::string, std::string>> linux_files;  // "/proc/net/snmp" -> text
  // select/poll/epoll work counters named after their kernel functions
  // ("select.vfs_poll", "epoll.ep_poll_callback", ...: stack::Kernel::wait_counters)
  std::vector<std::pair<std::string, uint64_t>> wait;
  // softirq and NAPI counters ("softirq.restarts", "napi.repoll", "napi.work_64", ...:
  // stack::Kernel::softirq_counters)
  std::vector<std::pair<std::string, uint64_t>> softirq;
};

class RunCounters {
 public:
  virtual ~RunCounters() = default;
  virtual unsigned num_queues() const = 0;
  virtual unsigned num_vectors() const = 0;
  virtual unsigned num_cpus() const = 0;
  virtual QueueCounters queue(unsigned q) const = 0;
  virtual VectorCounters vector(unsigned v) const = 0;
  virtual CpuCounters cpu(unsigned c) const = 0;
  virtual NicCounters nic() const = 0;
  virtual StackCounters stack() const = 0;
};

// What the traffic side saw: offered on the wire, delivered to recv().
struct TrafficFigures {
  uint64_t offered_frames = 0, offered_bytes = 0;
  std::map<std::string, uint64_t> offered_by_kind;
  uint64_t delivered_msgs = 0, delivered_bytes = 0, delivered_frames = 0, delivery_errors = 0;
  std::vector<double> latency_ns;          // first bit on the wire to recv() return, one per delivered frame
  std::vector<uint64_t> latency_start_ps;  // the same frames' first bit on the wire, ps
};

// Fills the counter-based parts of `r` (accounting, interrupts, CPU, MIB,
// Linux files) and the traffic figures.
void fill_report(Report& r, const RunCounters& c, const TrafficFigures& t);

}  // namespace rxpath::tb
