// SPDX-License-Identifier: MIT
#include "testbench/series.hpp"

#include <algorithm>
#include <cmath>
#include <set>
#include <sstream>
#include <stdexcept>

namespace rxpath::tb {

namespace {
constexpr double kPsPerUs = 1e6;
constexpr uint64_t kPreambleAndGap = 20;  // 8 bytes preamble/SFD + 12 bytes inter-frame gap
constexpr size_t kMaxSamples = 1000000;

uint64_t ps_of_us(double us) { return static_cast<uint64_t>(std::llround(us * kPsPerUs)); }

std::string num(double v) {
  std::ostringstream os;
  os << v;
  return os.str();
}

const char* const kContexts[] = {"softirq", "hardirq", "ksoftirqd", "process", "idle"};
}  // namespace

double resolve_sample_us(const SampleWindow& w) {
  const double traffic = w.traffic_stop_us - w.traffic_start_us;
  if (traffic <= 0 && w.warmup_us == 0) return 0;  // no traffic: nothing to measure (a run that only brings the NIC up)
  if (w.warmup_us < 0) throw std::invalid_argument("run.warmup_us: must be >= 0");
  if (w.warmup_us >= traffic)
    throw std::invalid_argument("run.warmup_us: " + num(w.warmup_us) +
                                " us leaves no measurement window: it must be less than the traffic time "
                                "(run.duration_us - run.start_us = " +
                                num(traffic) + " us)");
  const double len = w.length_us();
  double s = w.sample_us;
  if (s == 0) {
    // A hundredth of the window, rounded down to 1, 2 or 5 x 10^k.
    const double target = std::max(0.1, len / 100);
    const double p = std::pow(10.0, std::floor(std::log10(target) + 1e-9));
    s = target >= 5 * p ? 5 * p : target >= 2 * p ? 2 * p : p;
  }
  if (s <= 0) throw std::invalid_argument("run.sample_us: must be > 0 (0 = automatic)");
  if (len / s < kMinWindowSamples - 1e-9)
    throw std::invalid_argument("run.sample_us: " + num(s) + " us leaves fewer than " + num(kMinWindowSamples) +
                                " samples in the measurement window of " + num(len) +
                                " us (the steady-state rule needs them); make it at most " +
                                num(len / kMinWindowSamples) + " us");
  if (w.traffic_stop_us / s > kMaxSamples)
    throw std::invalid_argument("run.sample_us: " + num(s) + " us gives more than " + std::to_string(kMaxSamples) +
                                " samples over run.duration_us");
  return s;
}

Series::Series(const SampleWindow& w) : w_(w) {
  if (!(w_.sample_us > 0)) throw std::logic_error("Series: sample_us must be resolved");
  const uint64_t step = ps_of_us(w_.sample_us), stop = ps_of_us(w_.traffic_stop_us);
  const uint64_t start = ps_of_us(w_.start_us());
  std::set<uint64_t> t;
  // The grid is anchored at the window start, so the window's rows are whole
  // intervals (but the last, which ends with traffic).
  const uint64_t first = start % step ? start % step : step;
  for (uint64_t x = first; x < stop; x += step) t.insert(x);
  t.insert(stop);
  t.insert(start);
  times_.assign(t.begin(), t.end());
  snaps_.resize(times_.size());
  for (size_t i = 0; i < times_.size(); ++i) snaps_[i].t_ps = times_[i];
}

void Series::offered(uint64_t t_ps, uint64_t bytes) { offered_q_.push({t_ps, 1, bytes}); }

void Series::delivered(uint64_t t_ps, uint64_t frames, uint64_t bytes) { delivered_q_.push({t_ps, frames, bytes}); }

void Series::drain(EventQueue& q, uint64_t t_ps, uint64_t& frames, uint64_t& bytes) {
  while (!q.empty() && q.top().t_ps < t_ps) {
    frames += q.top().frames;
    bytes += q.top().bytes;
    q.pop();
  }
}

void Series::host(size_t i, Snapshot s) {
  Snapshot& d = snaps_.at(i);
  drain(offered_q_, times_[i], offered_, offered_bytes_);
  drain(delivered_q_, times_[i], delivered_, delivered_bytes_);
  s.t_ps = times_[i];
  s.offered = offered_;
  s.offered_bytes = offered_bytes_;
  s.delivered = delivered_;
  s.delivered_bytes = delivered_bytes_;
  // The NIC's part may have come first (it runs ahead).
  for (const auto& [k, v] : d.drops) s.drops[k] = v;
  s.pktbuf_bytes = d.pktbuf_bytes;
  d = std::move(s);
  host_done_ = std::max(host_done_, i + 1);
}

void Series::nic(uint64_t t_ps, const nic::NicModel::Probe& p) {
  auto it = std::lower_bound(times_.begin(), times_.end(), t_ps);
  if (it == times_.end() || *it != t_ps) return;
  Snapshot& d = snaps_[static_cast<size_t>(it - times_.begin())];
  d.pktbuf_bytes = p.pktbuf_bytes;
  put_nic_drops(d.drops, p, p.rqdpc);
}

const Snapshot& Series::at(uint64_t t_ps) const {
  auto it = std::lower_bound(times_.begin(), times_.end(), t_ps);
  if (it == times_.end() || *it != t_ps) throw std::logic_error("Series::at: no snapshot at that time");
  return snaps_[static_cast<size_t>(it - times_.begin())];
}

std::vector<const Snapshot*> Series::rows() const {
  std::vector<const Snapshot*> r;
  for (const Snapshot& s : snaps_) r.push_back(&s);
  return r;
}

namespace {
uint64_t get(const std::map<std::string, uint64_t>& m, const std::string& k) {
  auto it = m.find(k);
  return it == m.end() ? 0 : it->second;
}
double getd(const std::map<std::string, double>& m, const std::string& k) {
  auto it = m.find(k);
  return it == m.end() ? 0 : it->second;
}
uint64_t delta(uint64_t a, uint64_t b) { return b >= a ? b - a : 0; }
}  // namespace

std::string Series::csv(const std::vector<std::string>& drops) const {
  std::ostringstream os;
  const std::vector<const Snapshot*> r = rows();
  std::vector<std::string> cpu;
  if (!r.empty())
    for (const auto& [k, _] : r.back()->cpu_ns) cpu.push_back(k);
  os << "t_us,offered,delivered";
  for (const auto& d : drops) os << ",drop." << d;
  os << ",nic_held,done_not_cleaned,pktbuf_bytes,sock_rx_bytes";
  for (const auto& c : cpu) os << "," << c << "_ns";
  os << ",msix,polls,time_squeeze\n";
  const Snapshot zero;
  const Snapshot* prev = &zero;
  for (const Snapshot* s : r) {
    os << num(static_cast<double>(s->t_ps) / kPsPerUs) << "," << delta(prev->offered, s->offered) << ","
       << delta(prev->delivered, s->delivered);
    for (const auto& d : drops) os << "," << delta(get(prev->drops, d), get(s->drops, d));
    os << "," << s->nic_held << "," << s->done_not_cleaned << "," << s->pktbuf_bytes << "," << s->sock_rx_bytes;
    for (const auto& c : cpu) os << "," << num(std::max(0.0, getd(s->cpu_ns, c) - getd(prev->cpu_ns, c)));
    os << "," << delta(prev->msix, s->msix) << "," << delta(prev->polls, s->polls) << ","
       << delta(prev->time_squeeze, s->time_squeeze) << "\n";
    prev = s;
  }
  return os.str();
}

Measured Series::measured(const std::vector<std::string>& drops, unsigned num_cpus,
                          const std::vector<double>& latency_ns, const std::vector<uint64_t>& start_ps) const {
  Measured m;
  const uint64_t t0 = ps_of_us(w_.start_us()), t1 = ps_of_us(w_.traffic_stop_us);
  const Snapshot& a = at(t0);
  const Snapshot& b = at(t1);
  m.valid = true;
  m.warmup_us = w_.warmup_us;
  m.start_us = w_.start_us();
  m.stop_us = w_.traffic_stop_us;
  m.length_us = w_.length_us();
  m.sample_us = w_.sample_us;
  const double secs = m.length_us / 1e6;
  m.offered_frames = delta(a.offered, b.offered);
  m.offered_bytes = delta(a.offered_bytes, b.offered_bytes);
  m.offered_pps = m.offered_frames / secs;
  m.offered_gbps = (m.offered_bytes + kPreambleAndGap * m.offered_frames) * 8.0 / secs / 1e9;
  m.delivered_frames = delta(a.delivered, b.delivered);
  m.delivered_bytes = delta(a.delivered_bytes, b.delivered_bytes);
  for (const auto& d : drops) {
    m.drops[d] = delta(get(a.drops, d), get(b.drops, d));
    m.dropped_frames += m.drops[d];
  }
  m.loss_ratio = m.offered_frames ? static_cast<double>(m.dropped_frames) / m.offered_frames : 0;
  m.msix = delta(a.msix, b.msix);
  m.napi_polls = delta(a.polls, b.polls);
  m.time_squeeze = delta(a.time_squeeze, b.time_squeeze);
  m.msix_per_s = m.msix / secs;
  m.polls_per_s = m.napi_polls / secs;
  for (const auto& [k, v] : b.cpu_ns) m.cpu_ns[k] = std::max(0.0, v - getd(a.cpu_ns, k));
  for (const char* ctx : kContexts) m.cpu_share[ctx] = 0;
  const double capacity_ns = m.length_us * 1e3 * std::max(1u, num_cpus);
  for (const auto& [k, v] : m.cpu_ns) {
    const std::string ctx = k.substr(k.find('.') + 1);
    m.cpu_share[ctx] += v / capacity_ns;
  }
  std::vector<double> lat;
  for (size_t i = 0; i < latency_ns.size() && i < start_ps.size(); ++i)
    if (start_ps[i] >= t0 && start_ps[i] < t1) lat.push_back(latency_ns[i]);
  m.latency = LatencyStats::of(std::move(lat));
  for (const auto& [k, v] : b.counters) {
    uint64_t before = 0;
    for (const auto& kv : a.counters)
      if (kv.first == k) before = kv.second;
    m.counters.emplace_back(k, delta(before, v));
  }
  return m;
}

}  // namespace rxpath::tb
