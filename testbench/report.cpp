// SPDX-License-Identifier: MIT
#include "testbench/report.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <iomanip>
#include <sstream>

#include <nlohmann/json.hpp>

namespace rxpath::tb {

uint64_t Accounting::dropped() const {
  uint64_t n = 0;
  for (const auto& [_, v] : drops) n += v;
  return n;
}

namespace {
// Counters named "<group>.<name>", one line per group that counted
// anything: "  <group>  name n, name n ...".
void grouped_lines(std::ostream& os, const std::vector<std::pair<std::string, uint64_t>>& v) {
  std::vector<std::string> groups;
  std::map<std::string, std::string> line;
  std::map<std::string, bool> any;
  for (const auto& [k, n] : v) {
    const size_t dot = k.find('.');
    const std::string g = k.substr(0, dot), name = dot == std::string::npos ? k : k.substr(dot + 1);
    if (!line.count(g)) groups.push_back(g);
    std::string& l = line[g];
    l += (l.empty() ? "" : ", ") + name + " " + std::to_string(n);
    any[g] = any[g] || n;
  }
  for (const auto& g : groups)
    if (any[g]) os << "  " << std::left << std::setw(7) << g << std::right << " " << line[g] << "\n";
}

// Nearest rank in sorted `v`.
double percentile(const std::vector<double>& v, double p) {
  if (v.empty()) return 0;
  const size_t i = std::min(v.size() - 1, static_cast<size_t>(std::ceil(p * v.size())) - (p > 0 ? 1 : 0));
  return v[i];
}
}  // namespace

LatencyStats LatencyStats::of(std::vector<double> lat) {
  LatencyStats s;
  std::sort(lat.begin(), lat.end());
  s.samples = lat.size();
  if (lat.empty()) return s;
  s.p50_ns = percentile(lat, 0.50);
  s.p90_ns = percentile(lat, 0.90);
  s.p99_ns = percentile(lat, 0.99);
  s.p999_ns = percentile(lat, 0.999);
  s.max_ns = lat.back();
  double sum = 0;
  for (double x : lat) sum += x;
  s.mean_ns = sum / lat.size();
  return s;
}

void fill_report(Report& r, const RunCounters& c, const TrafficFigures& t) {
  r.offered_frames = t.offered_frames;
  r.offered_bytes = t.offered_bytes;
  r.offered_by_kind = t.offered_by_kind;
  r.delivered_msgs = t.delivered_msgs;
  r.delivered_bytes = t.delivered_bytes;
  r.delivered_frames = t.delivered_frames;
  r.delivery_errors = t.delivery_errors;
  r.latency = LatencyStats::of(t.latency_ns);

  uint64_t handed_up = 0, rqdpc = 0;
  for (unsigned q = 0; q < c.num_queues(); ++q) {
    const QueueCounters qc = c.queue(q);
    handed_up += qc.rx_packets;
    rqdpc += qc.rqdpc;
    r.queues.push_back(Report::Queue{qc.rx_packets, qc.rqdpc});
  }
  const NicCounters hw = c.nic();
  const StackCounters st = c.stack();
  Accounting& a = r.acct;
  a.offered = t.offered_frames;
  a.delivered = st.delivered;
  a.consumed = st.consumed;
  a.in_flight = st.in_flight;
  a.in_reassembly = st.in_reassembly;
  put_nic_drops(a.drops, hw, rqdpc);
  for (const auto& [name, n] : st.drops) a.drops["stack." + name] = n;
  // Frames the NIC took from the wire (TPR) that neither a NIC counter nor
  // the driver has accounted for yet: still in the packet buffer or a ring.
  uint64_t nic_drops = 0;
  for (const auto& [name, n] : a.drops)
    if (name.rfind("nic.", 0) == 0) nic_drops += n;
  a.in_flight_nic = hw.tpr > nic_drops + handed_up ? hw.tpr - nic_drops - handed_up : 0;
  a.in_flight += a.in_flight_nic;

  for (unsigned v = 0; v < c.num_vectors(); ++v) {
    const VectorCounters vc = c.vector(v);
    r.irqs += vc.irqs;
    r.napi_polls += vc.polls;
    r.napi_polls_full += vc.polls_full;
    r.vectors.push_back(Report::Vector{vc.name, vc.cpu, vc.irqs, vc.polls, vc.polls_full});
  }
  r.rnbc = hw.rnbc;
  uint64_t processed = 0;
  for (unsigned cpu = 0; cpu < c.num_cpus(); ++cpu) {
    const CpuCounters cc = c.cpu(cpu);
    r.time_squeeze += cc.time_squeeze;
    r.net_rx_action += cc.net_rx_action;
    r.budget_exhausted += cc.budget_exhausted;
    processed += cc.processed;
    r.softnet.push_back(Report::Softnet{cc.processed, cc.dropped, cc.time_squeeze, cc.received_rps, cc.ipis_sent});
    for (const auto& [ctx, ns] : cc.ns_by_context) r.cpu_ns["cpu" + std::to_string(cpu) + "." + ctx] = ns;
  }
  for (const auto& [name, n] : st.mib) r.mib[name] = n;
  r.mib["softnet.processed"] = processed;
  r.mib["nic.GPRC"] = hw.gprc;
  r.mib["nic.TPR"] = hw.tpr;
  r.mib["nic.RNBC"] = hw.rnbc;
  r.mib["driver.rx_packets"] = handed_up;
  for (const auto& [file, text] : st.linux_files) r.counters[file] = text;
  r.wait = st.wait;
  for (const auto& [name, n] : st.wait) r.mib[name] = n;
  r.softirq = st.softirq;
  for (const auto& [name, n] : st.softirq) r.mib[name] = n;
}

std::string rate_text(double pps, int decimals) {
  char b[64];
  if (pps < 1e5)
    std::snprintf(b, sizeof b, "%.*f kpps", decimals, pps / 1e3);
  else
    std::snprintf(b, sizeof b, "%.*f Mpps", decimals, pps / 1e6);
  return b;
}

std::string Report::text() const {
  std::ostringstream os;
  auto rate = [&](double n) { return traffic_us > 0 ? n / traffic_us : 0; };
  os << std::fixed << std::setprecision(1);
  os << "rxpath report  (seed " << seed << ", traffic for " << traffic_us << " us, " << sim_us
     << " us simulated with the drain)\n\n";
  os << std::setprecision(1);
  os << "Traffic\n";
  os << "  offered    " << std::setw(10) << offered_frames << " frames " << std::setw(12) << offered_bytes
     << " bytes  (" << rate_text(rate(offered_frames) * 1e6, 1) << ")\n";
  os << "  delivered  " << std::setw(10) << delivered_frames << " frames " << std::setw(12) << delivered_bytes
     << " bytes in " << delivered_msgs << " recv() calls\n";
  if (replay.valid) {
    os << "  replay     " << std::setw(10) << replay.offered << " capture records offered, " << replay.not_offered
       << " not (after run.duration_us)";
    if (replay.padded) os << ", " << replay.padded << " padded to 60 bytes";
    if (replay.backwards) os << ", " << replay.backwards << " stamped before an earlier record";
    os << "\n";
  }
  if (delivery_errors) os << "  DELIVERY ERRORS: " << delivery_errors << " recv() results differ from what was sent\n";
  os << "\nWhere frames ended (each frame in exactly one place)\n";
  os << "  delivered to the reader   " << std::setw(10) << acct.delivered << "\n";
  if (acct.consumed) os << "  consumed by the stack     " << std::setw(10) << acct.consumed << "\n";
  for (const auto& [k, v] : acct.drops)
    if (v) os << "  drop " << std::left << std::setw(21) << k << std::right << std::setw(10) << v << "\n";
  if (acct.in_flight > acct.in_flight_nic + acct.in_reassembly)
    os << "  still queued in the host  " << std::setw(10) << acct.in_flight - acct.in_flight_nic - acct.in_reassembly
       << "\n";
  if (acct.in_reassembly)
    os << "  in IP reassembly          " << std::setw(10) << acct.in_reassembly
       << "  (fragments of incomplete datagrams: they wait for kernel.ipfrag_time_s, then count in ReasmFails)\n";
  if (acct.in_flight_nic) os << "  still in the NIC          " << std::setw(10) << acct.in_flight_nic << "\n";
  os << "  conservation: offered " << acct.offered << " = delivered " << acct.delivered << " + dropped "
     << acct.dropped() << " + consumed " << acct.consumed << " + in flight " << acct.in_flight << "  -> "
     << (acct.balanced() ? "OK" : "VIOLATED") << "\n";
  os << "\nInterrupts and NAPI\n";
  os << "  MSI-X interrupts " << irqs << ", NAPI polls " << napi_polls << " (" << napi_polls_full
     << " used the whole weight), RNBC " << rnbc << "\n";
  os << "  RX queues:";
  for (size_t q = 0; q < queues.size(); ++q) {
    os << "  q" << q << " " << queues[q].rx_packets;
    if (queues[q].rqdpc) os << " (RQDPC " << queues[q].rqdpc << ")";
  }
  os << "\n";
  for (const Vector& v : vectors)
    if (v.irqs || v.polls)
      os << "  " << std::left << std::setw(16) << v.name << std::right << " CPU" << v.cpu << "  MSI-X " << v.irqs
         << ", NAPI polls " << v.polls << " (" << v.polls_full << " whole weight)\n";
  os << "  net_rx_action rounds " << net_rx_action << " (" << budget_exhausted << " ran out of budget, " << time_squeeze
     << " time_squeeze)\n";
  os << "\nLatency, first bit on the wire to recv() return (" << latency.samples << " frames)\n";
  os << "  p50 " << latency.p50_ns << " ns  p90 " << latency.p90_ns << " ns  p99 " << latency.p99_ns << " ns  p99.9 "
     << latency.p999_ns << " ns  max " << latency.max_ns << " ns\n";
  bool rps = false;
  for (const Softnet& sn : softnet) rps = rps || sn.received_rps || sn.dropped;
  if (softnet.size() > 1 || rps) {
    os << "\nPer CPU (softnet_stat: processed, dropped = RPS backlog full, time_squeeze, received_rps = RPS IPIs taken;"
          " IPIs sent)\n";
    for (size_t c = 0; c < softnet.size(); ++c) {
      const Softnet& sn = softnet[c];
      os << "  cpu" << c << "  processed " << sn.processed << "  dropped " << sn.dropped << "  time_squeeze "
         << sn.time_squeeze << "  received_rps " << sn.received_rps << "  ipis_sent " << sn.ipis_sent << "\n";
    }
  }
  if (readers.size() > 1) {
    os << "\nReaders\n";
    for (const Reader& rd : readers)
      os << "  " << std::left << std::setw(10) << rd.name << std::right << " cpu" << rd.cpu << "  " << std::setw(10)
         << rd.messages << " messages " << std::setw(12) << rd.bytes << " bytes\n";
  }
  os << "\nSoftirq and NAPI (kernel/softirq.c __do_softirq, net/core/dev.c net_rx_action; whole run)\n";
  grouped_lines(os, softirq);
  bool waited = false;
  for (const auto& kv : wait) waited = waited || kv.second;
  if (waited) {
    os << "\nWaiting for data: select, poll, epoll (fs/select.c, fs/eventpoll.c; whole run)\n";
    grouped_lines(os, wait);
  }
  os << "\nCPU time by context (us)\n";
  for (const auto& [k, v] : cpu_ns)
    if (v > 0) os << "  " << std::left << std::setw(18) << k << std::right << std::setw(12) << v / 1000 << "\n";
  if (measured.valid) {
    const Measured& m = measured;
    os << "\nMeasured window " << m.start_us << " .. " << m.stop_us << " us (" << m.length_us
       << " us after a warm-up of " << m.warmup_us << " us; samples every " << m.sample_us << " us)\n";
    os << std::setprecision(3);
    os << "  offered " << m.offered_frames << " frames (" << rate_text(m.offered_pps, 3) << ", " << m.offered_gbps
       << " Gb/s on the wire), delivered " << m.delivered_frames << ", dropped " << m.dropped_frames << " (loss "
       << 100 * m.loss_ratio << " %)\n";
    os << "  MSI-X " << m.msix_per_s / 1e3 << " k/s, NAPI polls " << m.polls_per_s / 1e3 << " k/s, time_squeeze "
       << m.time_squeeze << "\n";
    os << std::setprecision(1);
    os << "  latency of frames offered inside (" << m.latency.samples << "): p50 " << m.latency.p50_ns << " ns  p99 "
       << m.latency.p99_ns << " ns  max " << m.latency.max_ns << " ns\n";
    os << "  CPU share:";
    for (const auto& [k, v] : m.cpu_share) os << " " << k << " " << 100 * v << " %";
    os << "\n";
    bool waited_in = false;
    for (const auto& kv : m.counters) waited_in = waited_in || kv.second;
    if (waited_in) {
      os << "  counters in the window (softirq, NAPI, select, poll, epoll):\n";
      std::ostringstream g;
      grouped_lines(g, m.counters);
      std::istringstream lines(g.str());
      for (std::string l; std::getline(lines, l);) os << "  " << l << "\n";
    }
  }
  if (steady.valid) {
    os << "\nSteady state: " << (steady.steady ? "steady" : "TRANSIENT") << "\n";
    for (const auto& why : steady.reasons) os << "  " << why << "\n";
    if (!steady.suggestion.empty()) os << "  " << steady.suggestion << "\n";
  }
  return os.str();
}

std::string Report::json() const {
  nlohmann::ordered_json j;
  // Schema 2: version, commit, wall_s and scenario_knobs added; every key is
  // present in every report (the drop counters included, 0 or not).
  j["schema"] = 2;
  j["version"] = version;
  j["commit"] = commit;
  j["seed"] = seed;
  j["sim_us"] = sim_us;
  j["wall_s"] = wall_s;
  j["offered"] = {{"frames", offered_frames}, {"bytes", offered_bytes}};
  j["delivered"] = {{"frames", delivered_frames},
                    {"bytes", delivered_bytes},
                    {"recv_calls", delivered_msgs},
                    {"errors", delivery_errors}};
  nlohmann::ordered_json d;
  for (const auto& [k, v] : acct.drops) d[k] = v;
  j["accounting"] = {{"offered", acct.offered},
                     {"delivered", acct.delivered},
                     {"consumed", acct.consumed},
                     {"in_flight", acct.in_flight},
                     {"in_flight_nic", acct.in_flight_nic},
                     {"in_reassembly", acct.in_reassembly},
                     {"dropped", acct.dropped()},
                     {"drops", d},
                     {"balanced", acct.balanced()}};
  j["interrupts"] = {{"msix", irqs},
                     {"napi_polls", napi_polls},
                     {"napi_polls_full_weight", napi_polls_full},
                     {"time_squeeze", time_squeeze},
                     {"rnbc", rnbc},
                     {"net_rx_action", net_rx_action},
                     {"budget_exhausted", budget_exhausted}};
  j["latency_ns"] = {{"samples", latency.samples}, {"p50", latency.p50_ns},   {"p90", latency.p90_ns},
                     {"p99", latency.p99_ns},      {"p999", latency.p999_ns}, {"max", latency.max_ns},
                     {"mean", latency.mean_ns}};
  nlohmann::ordered_json qj = nlohmann::ordered_json::array(), vj = nlohmann::ordered_json::array();
  for (const Queue& q : queues) qj.push_back({{"rx_packets", q.rx_packets}, {"rqdpc", q.rqdpc}});
  for (const Vector& v : vectors)
    vj.push_back({{"name", v.name},
                  {"cpu", v.cpu},
                  {"msix", v.irqs},
                  {"napi_polls", v.polls},
                  {"napi_polls_full_weight", v.polls_full}});
  j["queues"] = qj;
  j["vectors"] = vj;
  nlohmann::ordered_json cpu, kinds, mibj;
  for (const auto& [k, v] : cpu_ns) cpu[k] = v;
  for (const auto& [k, v] : offered_by_kind) kinds[k] = v;
  for (const auto& [k, v] : mib) mibj[k] = v;
  j["cpu_ns"] = cpu;
  nlohmann::ordered_json sn = nlohmann::ordered_json::array();
  for (const Softnet& x : softnet)
    sn.push_back({{"processed", x.processed},
                  {"dropped", x.dropped},
                  {"time_squeeze", x.time_squeeze},
                  {"received_rps", x.received_rps},
                  {"ipis_sent", x.ipis_sent}});
  j["softnet"] = sn;
  nlohmann::ordered_json rds = nlohmann::ordered_json::array();
  for (const Reader& x : readers)
    rds.push_back({{"name", x.name}, {"cpu", x.cpu}, {"messages", x.messages}, {"bytes", x.bytes}});
  j["readers"] = rds;
  j["offered_by_kind"] = kinds;
  if (replay.valid)
    j["replay"] = {{"records_offered", replay.offered},
                   {"records_not_offered", replay.not_offered},
                   {"records_backwards", replay.backwards},
                   {"frames_padded", replay.padded}};
  j["counters"] = mibj;
  if (measured.valid) {
    const Measured& m = measured;
    nlohmann::ordered_json md, mc, ms;
    for (const auto& [k, v] : m.drops) md[k] = v;
    for (const auto& [k, v] : m.cpu_ns) mc[k] = v;
    for (const auto& [k, v] : m.cpu_share) ms[k] = v;
    nlohmann::ordered_json mw = nlohmann::ordered_json::object();
    for (const auto& [k, v] : m.counters) mw[k] = v;
    j["measured"] = {{"warmup_us", m.warmup_us},
                     {"start_us", m.start_us},
                     {"stop_us", m.stop_us},
                     {"length_us", m.length_us},
                     {"sample_us", m.sample_us},
                     {"offered_frames", m.offered_frames},
                     {"offered_bytes", m.offered_bytes},
                     {"offered_pps", m.offered_pps},
                     {"offered_gbps", m.offered_gbps},
                     {"delivered_frames", m.delivered_frames},
                     {"delivered_bytes", m.delivered_bytes},
                     {"dropped_frames", m.dropped_frames},
                     {"loss_ratio", m.loss_ratio},
                     {"drops", md},
                     {"msix", m.msix},
                     {"napi_polls", m.napi_polls},
                     {"time_squeeze", m.time_squeeze},
                     {"msix_per_s", m.msix_per_s},
                     {"polls_per_s", m.polls_per_s},
                     {"cpu_ns", mc},
                     {"cpu_share", ms},
                     {"counters", mw},
                     {"latency_ns",
                      {{"samples", m.latency.samples},
                       {"p50", m.latency.p50_ns},
                       {"p90", m.latency.p90_ns},
                       {"p99", m.latency.p99_ns},
                       {"p999", m.latency.p999_ns},
                       {"max", m.latency.max_ns},
                       {"mean", m.latency.mean_ns}}}};
  }
  if (steady.valid) {
    nlohmann::ordered_json st;
    st["verdict"] = steady.steady ? "steady" : "transient";
    st["reasons"] = steady.reasons;
    st["suggestion"] = steady.suggestion;
    for (const auto& [k, v] : steady.figures) st[k] = v;
    j["steady"] = st;
  }
  if (!journey_json.empty()) j["journey"] = nlohmann::ordered_json::parse(journey_json);
  j["scenario"] = scenario_toml;
  j["scenario_knobs"] =
      scenario_json.empty() ? nlohmann::ordered_json::object() : nlohmann::ordered_json::parse(scenario_json);
  return j.dump(2) + "\n";
}

}  // namespace rxpath::tb
