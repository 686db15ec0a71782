// SPDX-License-Identifier: MIT
#include "testbench/steady.hpp"

#include <algorithm>
#include <cmath>
#include <functional>
#include <sstream>
#include <string>

namespace rxpath::tb {

namespace {

std::string fmt(double v, int prec = 1) {
  std::ostringstream os;
  os.setf(std::ios::fixed);
  os.precision(prec);
  os << v;
  return os.str();
}

// Least-squares slope of y over x.
double slope(const std::vector<double>& x, const std::vector<double>& y) {
  const double n = static_cast<double>(x.size());
  if (n < 2) return 0;
  double mx = 0, my = 0;
  for (size_t i = 0; i < x.size(); ++i) {
    mx += x[i];
    my += y[i];
  }
  mx /= n;
  my /= n;
  double sxy = 0, sxx = 0;
  for (size_t i = 0; i < x.size(); ++i) {
    sxy += (x[i] - mx) * (y[i] - my);
    sxx += (x[i] - mx) * (x[i] - mx);
  }
  return sxx > 0 ? sxy / sxx : 0;
}

double mean(const std::vector<double>& y, size_t from, size_t to) {
  double s = 0;
  for (size_t i = from; i < to; ++i) s += y[i];
  return to > from ? s / static_cast<double>(to - from) : 0;
}

uint64_t dropped(const Snapshot& s) {
  uint64_t n = 0;
  for (const auto& [_, v] : s.drops) n += v;
  return n;
}

}  // namespace

Steady judge_steady(const Series& s, const BacklogCapacity& cap) {
  Steady v;
  v.valid = true;
  const SampleWindow& w = s.window();
  const uint64_t t0 = static_cast<uint64_t>(std::llround(w.start_us() * 1e6));
  // The window's points: its start, then every grid row inside it.
  std::vector<const Snapshot*> p{&s.at(t0)};
  for (const Snapshot* r : s.rows())
    if (r->t_ps > t0) p.push_back(r);
  const size_t n = p.size() - 1;  // intervals (>= kMinWindowSamples by resolve_sample_us)
  const size_t half = n / 2, q3 = n / 2 + (n - n / 2) / 2;
  const double half_us = static_cast<double>(p[n]->t_ps - p[half]->t_ps) / 1e6;
  v.figures.emplace_back("half_us", half_us);
  v.figures.emplace_back("rise_threshold", kRiseOfCapacity);
  v.figures.emplace_back("loss_threshold_abs", kLossAbs);
  v.figures.emplace_back("loss_threshold_rel", kLossRel);
  v.figures.emplace_back("loss_threshold_sigmas", kLossSigmas);

  // Backlog: each queue's rise over the last half.
  struct Queue {
    const char* name;
    const char* what;
    const char* unit;
    double capacity;
    std::function<double(const Snapshot&)> level;
  };
  const Queue queues[] = {
      {"ring", "ring descriptors written back and not cleaned", "descriptors", cap.ring_descriptors,
       [](const Snapshot& x) { return static_cast<double>(x.done_not_cleaned); }},
      {"pktbuf", "NIC packet buffer", "bytes", cap.pktbuf_bytes,
       [](const Snapshot& x) { return static_cast<double>(x.pktbuf_bytes); }},
      {"sock", "socket receive queues", "bytes", cap.sock_bytes,
       [](const Snapshot& x) { return static_cast<double>(x.sock_rx_bytes); }},
  };
  for (const Queue& q : queues) {
    std::vector<double> x, y;
    for (size_t i = half; i <= n; ++i) {
      x.push_back(static_cast<double>(p[i]->t_ps - p[half]->t_ps) / 1e6);
      y.push_back(q.level(*p[i]));
    }
    const double rise = slope(x, y) * half_us;
    const size_t mid = q3 - half;  // index of the last quarter's first point in y
    const double m3 = mean(y, 0, mid), m4 = mean(y, mid, y.size());
    v.figures.emplace_back(std::string(q.name) + "_rise", rise);
    v.figures.emplace_back(std::string(q.name) + "_capacity", q.capacity);
    if (q.capacity > 0 && rise > kRiseOfCapacity * q.capacity && m4 > m3)
      v.reasons.push_back("backlog still rising: " + std::string(q.what) + " +" + fmt(rise, 0) + " " + q.unit +
                          " over the last half of the window (" + fmt(100 * rise / q.capacity) + " % of " +
                          fmt(q.capacity, 0) + ", threshold " + fmt(100 * kRiseOfCapacity, 0) + " %)");
  }

  // Loss: third quarter against the last.
  auto loss = [&](size_t a, size_t b, double* offered) {
    const double off = static_cast<double>(p[b]->offered - p[a]->offered);
    const double dr = static_cast<double>(dropped(*p[b]) - dropped(*p[a]));
    *offered = off;
    return off > 0 ? dr / off : 0;
  };
  double n3 = 0, n4 = 0;
  const double l3 = loss(half, q3, &n3), l4 = loss(q3, n, &n4);
  v.figures.emplace_back("loss_q3", l3);
  v.figures.emplace_back("loss_q4", l4);
  const double pbar = (n3 + n4) > 0 ? (l3 * n3 + l4 * n4) / (n3 + n4) : 0;
  const double sigma = (n3 > 0 && n4 > 0) ? std::sqrt(pbar * (1 - pbar) * (1 / n3 + 1 / n4)) : 0;
  const double diff = std::fabs(l4 - l3);
  if (n3 > 0 && n4 > 0 && diff > kLossAbs && diff > kLossRel * std::max(l3, l4) && diff > kLossSigmas * sigma)
    v.reasons.push_back("loss rate still moving: " + fmt(100 * l3, 2) + " % in the third quarter of the window, " +
                        fmt(100 * l4, 2) + " % in the last");

  v.steady = v.reasons.empty();
  if (!v.steady)
    v.suggestion = "run longer: the figures are a transient; try run.duration_us = " + fmt(4 * w.traffic_stop_us, 0) +
                   " with run.warmup_us = " + fmt(w.traffic_stop_us - w.traffic_start_us, 0) +
                   " (the window then starts where this one ended), and look at series.csv (--out) for where the "
                   "queues level off";
  return v;
}

}  // namespace rxpath::tb
