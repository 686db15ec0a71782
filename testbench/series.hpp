// SPDX-License-Identifier: MIT
// The run seen at fixed simulated times: a snapshot of counters and queue
// levels every run.sample_us on a grid anchored at the start of the
// measurement window (traffic start + run.warmup_us), from the first grid
// time after 0 to the end of traffic, plus one at the end of traffic. From
// them:
//   - series.csv, one row per interval (the first starts at 0, the last
//     ends with traffic), counters as per-interval deltas, levels as sampled;
//   - the measured section of the report: counter deltas over the window.
// Snapshots are taken at fixed simulated times (the NIC's part at its own
// clock's time, nic::NicModel::probe_at), so they do not depend on the NIC's
// run-ahead quantum. Offered frames are counted by their wire time and
// deliveries by their recv() time, not by when the testbench learnt of them.
#pragma once

#include <cstdint>
#include <map>
#include <queue>
#include <string>
#include <utility>
#include <vector>

#include "nic/nic_model.hpp"
#include "testbench/report.hpp"

namespace rxpath::tb {

// The times of one run, µs.
struct SampleWindow {
  double traffic_start_us = 0, traffic_stop_us = 0;  // run.start_us, run.duration_us
  double warmup_us = 0;                              // run.warmup_us
  double sample_us = 0;                              // run.sample_us (0: automatic)
  double start_us() const { return traffic_start_us + warmup_us; }
  double length_us() const { return traffic_stop_us - start_us(); }
};

// The fewest grid intervals the measurement window must hold (the
// steady-state rule splits its last half into quarters).
constexpr double kMinWindowSamples = 8;

// run.sample_us = 0 resolved: a hundredth of the window rounded down to 1, 2
// or 5 times a power of ten µs (at least 0.1 µs); 0 when the run offers no
// traffic (run.duration_us <= run.start_us) and has no warm-up. Throws
// std::invalid_argument naming the knob when run.warmup_us leaves no window
// or run.sample_us leaves fewer than kMinWindowSamples intervals in it.
double resolve_sample_us(const SampleWindow& w);

// Counters (cumulative since time 0) and levels at one time.
struct Snapshot {
  uint64_t t_ps = 0;
  uint64_t offered = 0, offered_bytes = 0;  // frames whose wire time is before t (bytes with FCS)
  uint64_t delivered = 0, delivered_bytes = 0;
  std::map<std::string, uint64_t> drops;  // the report's drop names ("nic.MPC", "stack.UDP_RCVBUFERRORS", ...)
  uint64_t nic_held = 0;                  // descriptors owned by the NIC
  uint64_t done_not_cleaned = 0;          // written back, not cleaned by the driver
  uint64_t pktbuf_bytes = 0;              // NIC packet buffer fill
  uint64_t sock_rx_bytes = 0;             // sum over sockets of the receive queue (sk_rmem_alloc)
  std::map<std::string, double> cpu_ns;   // "cpu0.softirq" -> ns
  uint64_t msix = 0, polls = 0, time_squeeze = 0;
  // select/poll/epoll counters (stack::Kernel::wait_counters; the measured
  // section's deltas, not in series.csv)
  std::vector<std::pair<std::string, uint64_t>> counters;
};

class Series {
 public:
  explicit Series(const SampleWindow& w);  // w.sample_us resolved (> 0)

  const SampleWindow& window() const { return w_; }
  // Every snapshot time, increasing: the grid (the window start on it) and the end of traffic.
  const std::vector<uint64_t>& times_ps() const { return times_; }

  // A frame whose first bit is on the wire at t_ps (any order).
  void offered(uint64_t t_ps, uint64_t bytes);
  // `frames` frames of `bytes` bytes returned by recv() at t_ps (any order).
  void delivered(uint64_t t_ps, uint64_t frames, uint64_t bytes);
  // The host's part of the snapshot at times_ps()[i], taken at that time
  // (its offered and delivered counts are filled in here).
  void host(size_t i, Snapshot s);
  // The NIC's part at t_ps.
  void nic(uint64_t t_ps, const nic::NicModel::Probe& p);
  // Whether every snapshot has been taken (the run got to the end of traffic).
  bool complete() const { return host_done_ == times_.size(); }

  // The snapshot at `t_ps` (one of times_ps()).
  const Snapshot& at(uint64_t t_ps) const;
  // The rows of series.csv: every snapshot, in order (the first interval
  // starts at time 0, when every counter is zero).
  std::vector<const Snapshot*> rows() const;
  // series.csv; `drops` = the drop columns (the report's drop counters).
  std::string csv(const std::vector<std::string>& drops) const;
  // The measured section: deltas between the window's start and end.
  // `latency_ns`/`start_ps`: every delivered frame's latency and its wire start.
  Measured measured(const std::vector<std::string>& drops, unsigned num_cpus, const std::vector<double>& latency_ns,
                    const std::vector<uint64_t>& start_ps) const;

 private:
  struct Event {
    uint64_t t_ps, frames, bytes;
    bool operator>(const Event& o) const { return t_ps > o.t_ps; }
  };
  using EventQueue = std::priority_queue<Event, std::vector<Event>, std::greater<Event>>;
  static void drain(EventQueue& q, uint64_t t_ps, uint64_t& frames, uint64_t& bytes);

  SampleWindow w_;
  std::vector<uint64_t> times_;
  std::vector<Snapshot> snaps_;
  size_t host_done_ = 0;
  EventQueue offered_q_, delivered_q_;
  uint64_t offered_ = 0, offered_bytes_ = 0, delivered_ = 0, delivered_bytes_ = 0;
};

}  // namespace rxpath::tb
