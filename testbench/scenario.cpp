// SPDX-License-Identifier: MIT
#include "testbench/scenario.hpp"

#include <algorithm>
#include <cmath>
#include <sstream>
#include <stdexcept>

#include "common/eth.hpp"
#include "testbench/series.hpp"
#include "waves/trigger.hpp"

namespace rxpath::tb {

namespace {
std::string num(double v) {
  std::ostringstream os;
  os << v;
  return os.str();
}
}  // namespace

Scenario::Scenario() {
  kernel.cpu.num_cpus = 2;  // CPU0 takes the interrupt and the softirq, CPU1 runs the reader
  // One RX queue unless igb.queues says otherwise: the labs, studies and
  // reference results are single-queue runs. igb.queues = 0 is igb's own
  // default, min(8, kernel.cpus) (igb_init_queue_configuration).
  igb.rss_queues = 1;
  // The default scenario: 10 GbE, a mix of UDP and TCP.
  traffic.size = "imix";
  traffic.udp_flows = 4;
  traffic.tcp_flows = 2;
}

void Scenario::add_knobs(Knobs& k) {
  k.add_double("run.duration_us", &duration_us, duration_us, 0.1, 1e9,
               "the end of traffic, µs of simulated time (not a length: traffic runs from run.start_us to here); "
               "a replay left without it ends just after the capture's last record; set, records stamped later are not "
               "offered (the report counts them)");
  k.add_double("run.start_us", &start_us, start_us, 0, 1e9,
               "when traffic starts, µs (the driver brings the NIC up at time 0)");
  k.add_double("run.drain_us", &drain_us, drain_us, 0, 1e9, "longest time the host may take to finish afterwards, µs");
  k.add_double("run.quantum_ns", &quantum_ns, quantum_ns, 0, 1e6,
               "NIC run-ahead quantum, ns, a multiple of 6.4 and at most link.latency_ns (0 = the link latency)");
  k.add_double("run.warmup_us", &warmup_us, warmup_us, 0, 1e9,
               "µs after traffic starts before the measurement window opens: the report's measured section "
               "(rates, loss, latency, CPU shares) covers [run.start_us + warm-up, run.duration_us]; 0 = measure "
               "from the first frame, so a short run still measures something and the steady-state verdict says "
               "when the start still dominates; must be less than the traffic time");
  k.add_double("run.sample_us", &sample_us, sample_us, 0, 1e9,
               "interval of the time series (series.csv with --out) and of the steady-state rule, µs; 0 = "
               "automatic: a hundredth of the measurement window rounded down to 1, 2 or 5 x 10^k; the window "
               "must hold at least 8 intervals");
  k.add_bool("run.idle_skip", &idle_skip, idle_skip,
             "the Verilated NIC jumps over clocks in which it is idle and nothing can reach it (a speed-up; every "
             "output is the same with it off)");
  k.add_string("nic.model", &nic_model, nic_model, "rtl: the Verilated NIC; double: the behavioural NIC",
               {"rtl", "double"});
  k.add_uint("nic.double.fifo_bytes", &nic_double.rx_fifo_bytes, nic_double.rx_fifo_bytes, 2048, 1 << 24,
             "nic.model double: RX packet buffer bytes (the RTL's is the build parameter PKTBUF_BYTES, 64 KiB)");
  k.add_uint("nic.double.desc_cache", &nic_double.desc_cache, nic_double.desc_cache, 1, 4096,
             "nic.model double: descriptors held on chip per queue");
  k.add_double("link.latency_ns", &link_latency_ns, link_latency_ns, 6.4, 1e6, "PCIe-like link one-way latency, ns");
  k.add_string("host.mac", &host_mac, host_mac, "the host's MAC address (RAL0/RAH0)");
  k.add_string("host.ip", &host_ip, host_ip, "the host's IPv4 address");
  k.add_string("app.mode", &app_mode, app_mode, "how the reader waits",
               {"epoll", "epoll-et", "select", "poll", "recv"});
  k.add_int("app.cpu", &app_cpu, app_cpu, 0, 63, "CPU of the reader process");
  k.add_int("app.idle_fds", &app_idle_fds, app_idle_fds, 0, 60000, "extra watched UDP sockets that never get data");
  k.add_int("app.idle_port", &app_idle_port, app_idle_port, 1, 65535, "port of the first idle socket (socket i: +i)");
  k.add_int("app.recv_size", &app_recv_size, app_recv_size, 1, 1 << 24, "bytes asked per recv()");
  k.add_int("app.readers", &app_readers, app_readers, 1, 64,
            "reader processes; without app.reuseport they share the flows' sockets (socket i: reader i mod N)");
  k.add_string("app.reader_cpus", &app_reader_cpus, app_reader_cpus,
               "CPU of each reader, comma-separated (\"1,2,3\": one per app.readers); empty: all on app.cpu");
  k.add_bool("app.reuseport", &app_reuseport, app_reuseport,
             "each reader opens its own SO_REUSEPORT socket on every UDP flow's port; the kernel picks one per "
             "flow (reuseport_select_sock); TCP sockets are still shared out");
  // kernel
  k.add_sint("kernel.cpus", &kernel.cpu.num_cpus, 2, 1, 64, "number of CPUs");
  k.add_sint("kernel.hz", &kernel.cpu.hz, 1000, 100, 1000, "CONFIG_HZ (jiffies per second)");
  k.add_string(
      "kernel.scheduler", &scheduler, scheduler,
      "how ksoftirqd and the readers share a CPU: alternate (turns: one __do_softirq per ksoftirqd turn, "
      "a ksoftirqd wakeup preempts the reader, a reader's wakeup preempts nothing; the labs' model) or "
      "eevdf (experimental; v6.8's fair share, simplified: vruntime with lag, slices of 0.75 ms x (1 + log2 CPUs), a "
      "wakeup preempts the idle CPU and an entity that used its slice or is ahead of the average; "
      "stack/cpu.cpp)",
      {"alternate", "eevdf"});
  k.add_double("kernel.ipfrag_time_s", &kernel.ipfrag_time_s, 30, 0, 3600,
               "net.ipv4.ipfrag_time, s: an IP reassembly queue fails (ReasmTimeout, ReasmFails) this long after its "
               "first fragment (the sysctl takes whole seconds; fractions let a short run see it)");
  k.add_sint("kernel.netdev_budget", &kernel.netdev_budget, 300, 1, 1 << 20, "net.core.netdev_budget");
  k.add_sint("kernel.netdev_budget_usecs", &kernel.netdev_budget_usecs, 0, 0, 1 << 20,
             "net.core.netdev_budget_usecs (0 = 2 jiffies)");
  k.add_string("kernel.rps_cpus", &rps_cpus, rps_cpus,
               "RPS: CPU mask of each RX queue (/sys/class/net/eth0/queues/rx-<q>/rps_cpus), hex with or without 0x, "
               "comma-separated by queue (\"e,6\" or \"0xe,0x6\"); one mask applies to every queue; empty: RPS off "
               "(the default)");
  k.add_sint("kernel.netdev_max_backlog", &kernel.netdev_max_backlog, 1000, 0, 1 << 24,
             "net.core.netdev_max_backlog: packets a CPU's RPS backlog holds (one more is taken); over it "
             "drop CPU_BACKLOG");
  k.add_sint("kernel.dev_weight", &kernel.dev_weight, 64, 1, 1 << 20,
             "net.core.dev_weight: quota of the backlog NAPI (process_backlog) per poll");
  k.add_sint("kernel.gro_normal_batch", &kernel.gro_normal_batch, 8, 1, 1024, "net.core.gro_normal_batch");
  k.add_int("kernel.rmem_default", &kernel.rmem_default, kernel.rmem_default, 256, 1 << 30,
            "net.core.rmem_default: UDP socket receive buffer, bytes");
  k.add_int("kernel.tcp_rmem", &kernel.tcp_rmem_default, kernel.tcp_rmem_default, 4096, 1 << 30,
            "net.ipv4.tcp_rmem[1]: TCP socket receive buffer, bytes");
  // driver
  k.add_uint("igb.rx_ring", &igb.rx_ring_count, igb.rx_ring_count, 64, 4096,
             "RX descriptors (ethtool -G rx; rounded up to a multiple of 8)");
  k.add_uint("igb.rx_usecs", &igb.rx_itr_setting, igb.rx_itr_setting, 0, 10000,
             "ethtool -C rx-usecs: 0 off, 1 dynamic, 3 dynamic conservative, 10..10000 fixed µs");
  k.add_uint("igb.link_speed", &igb.link_speed, igb.link_speed, 10, 1000,
             "link speed in Mb/s the driver reads from the PHY (10, 100 or 1000: an 82576 port is a 1 GbE part): "
             "igb's dynamic interrupt moderation (rx-usecs 1 and 3, igb_update_ring_itr / igb_set_itr) follows its "
             "rules at 1000 and fixes 4000 interrupts/s at any other speed. The wire itself is the RTL's 10 GbE "
             "XGMII whatever this says: offered loads above 1 Gb/s are beyond a real 82576 port "
             "(docs/rxpath.md, The NIC and its speed)");
  k.add_sint("igb.napi_weight", &igb.napi_weight, igb.napi_weight, 1, 4096,
             "NAPI weight of the ring (NAPI_POLL_WEIGHT)");
  k.add_bool("igb.drop_en", &igb.drop_en, igb.drop_en,
             "SRRCTL.DROP_EN with one queue: drop instead of waiting for a descriptor (igb_setup_srrctl sets it "
             "anyway with more than one queue, flow control being off)");
  k.add_uint("igb.queues", &igb.rss_queues, igb.rss_queues, 0, 1024,
             "ethtool -L combined: RSS queues, 1..8 (82576); 0 = what igb picks at probe, min(8, kernel.cpus) "
             "(the scenario's default stays 1, the single-queue runs the labs and studies quote). Up to 4 queues "
             "each has an rx and a tx vector, above 4 they pair (TxRx), plus the \"other\" vector "
             "(igb_set_flag_queue_pairs)");
  k.add_string(
      "igb.irq_affinity", &igb_irq_affinity, igb_irq_affinity,
      "CPU of each queue vector, in /proc/interrupts order (eth0-rx-0.., eth0-tx-0.., or eth0-TxRx-0..), "
      "separated by spaces or commas; vectors not listed: vector i on CPU i mod kernel.cpus (irqbalance-like); "
      "the hard IRQ, its NAPI poll and softirq run there; the \"other\" vector stays on CPU 0");
  k.add_string("igb.rss_key", &igb_rss_key, igb_rss_key,
               "RSSRK, 40 bytes as 80 hex digits (colons allowed); \"\" = the Microsoft RSS verification key "
               "6d5a56da255b0ec24167253d43a38fb0d0ca2bcbae7b30b477cb2da38030f20c6a42b73bbeac01fa, fixed so runs are "
               "deterministic (Linux uses netdev_rss_key_fill, random at boot)");
  k.add_string("igb.rxfh_indir", &igb_rxfh_indir, igb_rxfh_indir,
               "ethtool -X: \"default\" (entry j = j * queues / 128), \"equal N\" (entry j = j mod N) or "
               "\"weight W0 W1 ..\" (queue i gets a share Wi / sum of the 128 entries), as ethtool computes them; "
               "every entry must be below igb.queues");
  k.add_string("igb.rx_flow_hash_udp4", &igb_rx_flow_hash_udp4, igb_rx_flow_hash_udp4,
               "ethtool -N rx-flow-hash udp4: sd hashes UDP/IPv4 on the addresses, sdfn on the addresses and ports "
               "(MRQC.RSS_FIELD_IPV4_UDP)",
               {"sd", "sdfn"});
  // costs: one knob per entry of each cost table, with its documented default
  for (const auto& kn : stack::CostTable::knobs())
    k.add_double(std::string("cost.stack.") + kn.name, &(stack_cost.*kn.field), stack_cost.*kn.field, 0, 1e9,
                 std::string(kn.unit) + "; " + kn.source);
  for (const auto& kn : host::IgbCost::knobs())
    k.add_double(std::string("cost.igb.") + kn.name, &(igb_cost.*kn.field), igb_cost.*kn.field, 0, 1e9,
                 std::string(kn.unit) + "; " + kn.source);
  traffic.add_knobs(k);
  k.add_double("trace.start_us", &trace.start_us, trace.start_us, 0, 1e9,
               "--trace/--journey/--timeline window start, µs (--trace-window A:B)");
  k.add_double("trace.stop_us", &trace.stop_us, trace.stop_us, 0, 1e9,
               "window end, µs; 0 = the end of the run (--trace-window A:B)");
  k.add_string("trace.trigger", &trace.trigger, trace.trigger,
               "place the window around the first time this happens: mpc, rnbc, time_squeeze, packet:N, or "
               "NAME>=X for a host signal (host.*) or NIC counter (nic.mpc, nic.rnbc, ...); \"\" = none (--trigger)");
  k.add_double("trace.before_us", &trace.before_us, trace.before_us, 0, 1e9,
               "with trace.trigger: µs kept before the trigger (--before-us)");
  k.add_double("trace.after_us", &trace.after_us, trace.after_us, 0, 1e9,
               "with trace.trigger: µs kept after the trigger (--after-us)");
}

// The igb.* knobs against each other and kernel.cpus / nic.model; fills
// the driver's config (queue count resolved, so the dumped scenario shows it).
void Scenario::finish_igb(const Knobs* knobs) {
  auto bad_between = [knobs](const std::string& what, std::initializer_list<const char*> keys) {
    std::string at;
    for (const char* k : keys) {
      const std::string o = knobs ? knobs->origin(k) : std::string();
      at += (at.empty() ? " [" : "; ") + std::string(k) + ": " + (o.empty() ? "default" : o);
    }
    throw std::invalid_argument(what + (knobs ? at + "]" : ""));
  };
  const unsigned ncpus = static_cast<unsigned>(kernel.cpu.num_cpus);
  if (igb.rss_queues > host::IGB_MAX_RX_QUEUES_82576)
    throw std::invalid_argument("igb.queues: " + std::to_string(igb.rss_queues) + " is more than the 82576's " +
                                std::to_string(host::IGB_MAX_RX_QUEUES_82576) +
                                " RSS queues (ethtool -L combined: max_combined, igb_get_max_rss_queues)");
  // igb_init_queue_configuration: min(igb_get_max_rss_queues, num_online_cpus)
  if (igb.rss_queues == 0) igb.rss_queues = std::min(host::IGB_MAX_RX_QUEUES_82576, ncpus);
  const unsigned q = igb.rss_queues;
  const unsigned vectors = q > host::IGB_MAX_RX_QUEUES_82576 / 2 ? q : 2 * q;  // igb_set_interrupt_capability
  // igb.irq_affinity: CPU numbers separated by spaces or commas
  igb.irq_affinity.clear();
  {
    std::string t = igb_irq_affinity;
    for (char& c : t)
      if (c == ',') c = ' ';
    std::istringstream is(t);
    std::string w;
    while (is >> w) {
      if (w.find_first_not_of("0123456789") != std::string::npos || w.size() > 6)
        throw std::invalid_argument("igb.irq_affinity: '" + w + "' is not a CPU number");
      const int cpu = std::stoi(w);
      if (cpu >= kernel.cpu.num_cpus)
        bad_between("igb.irq_affinity: CPU " + w + " (vector " + std::to_string(igb.irq_affinity.size()) +
                        ") does not exist: kernel.cpus is " + std::to_string(kernel.cpu.num_cpus),
                    {"igb.irq_affinity", "kernel.cpus"});
      igb.irq_affinity.push_back(cpu);
    }
    if (igb.irq_affinity.size() > vectors)
      bad_between("igb.irq_affinity: " + std::to_string(igb.irq_affinity.size()) + " CPUs, but igb.queues = " +
                      std::to_string(q) + " has " + std::to_string(vectors) + " queue vectors",
                  {"igb.irq_affinity", "igb.queues"});
  }
  try {
    igb.rss_key = igb_rss_key.empty() ? host::kRssKeyMicrosoft : host::parse_rss_key(igb_rss_key);
  } catch (const std::invalid_argument& e) {
    throw std::invalid_argument(std::string("igb.rss_key: ") + e.what());
  }
  try {
    igb.rss_indir_tbl = host::ethtool_rxfh_indir_parse(igb_rxfh_indir);
  } catch (const std::invalid_argument& e) {
    throw std::invalid_argument(std::string("igb.rxfh_indir: ") + e.what());
  }
  for (size_t i = 0; i < igb.rss_indir_tbl.size(); ++i)
    if (igb.rss_indir_tbl[i] >= q)
      bad_between("igb.rxfh_indir: \"" + igb_rxfh_indir + "\" sends entry " + std::to_string(i) + " to queue " +
                      std::to_string(igb.rss_indir_tbl[i]) + ", but there are " + std::to_string(q) +
                      " queues (igb_set_rxfh: EINVAL)",
                  {"igb.rxfh_indir", "igb.queues"});
  igb.rss_field_ipv4_udp = igb_rx_flow_hash_udp4 == "sdfn";
}

void Scenario::finish(const Knobs* knobs) {
  auto bad = [](const std::string& what) { throw std::invalid_argument(what); };
  // An error between knobs names each of them with where it was set (a file
  // and line, a --set) or that it has its default, so the user finds the
  // line to change; without the table (tests) only the names.
  auto bad_between = [knobs](const std::string& what, std::initializer_list<const char*> keys) {
    std::string at;
    for (const char* k : keys) {
      const std::string o = knobs ? knobs->origin(k) : std::string();
      at += (at.empty() ? " [" : "; ") + std::string(k) + ": " + (o.empty() ? "default" : o);
    }
    throw std::invalid_argument(what + (knobs ? at + "]" : ""));
  };
  if (app_cpu >= kernel.cpu.num_cpus)
    bad_between("app.cpu: " + std::to_string(app_cpu) + " but kernel.cpus is " + std::to_string(kernel.cpu.num_cpus),
                {"app.cpu", "kernel.cpus"});
  // Comma-separated list items (spaces allowed around them).
  auto items = [](const std::string& text) {
    std::vector<std::string> out;
    std::string cur;
    for (char ch : text + ",") {
      if (ch == ',') {
        out.push_back(cur);
        cur.clear();
      } else if (ch != ' ' && ch != '\t') {
        cur += ch;
      }
    }
    return out;
  };
  kernel.cpu.sched = scheduler == "eevdf" ? stack::CpuConfig::Sched::eevdf : stack::CpuConfig::Sched::alternate;
  kernel.rps_cpus.clear();
  if (!rps_cpus.empty()) {
    int q = 0;
    for (const std::string& m : items(rps_cpus)) {
      // Hex as the sysfs file takes it ("e"), or with 0x ("0xe").
      const size_t at = m.size() > 2 && m[0] == '0' && (m[1] == 'x' || m[1] == 'X') ? 2 : 0;
      const bool hex = m.size() > at && m.size() - at <= 16 &&
                       m.find_first_not_of("0123456789abcdefABCDEF", at) == std::string::npos;
      if (!hex)
        bad("kernel.rps_cpus: '" + m + "' (queue " + std::to_string(q) +
            ") is not a hex CPU mask such as e or 0xe; masks are comma-separated, one per RX queue");
      const uint64_t mask = std::stoull(m.substr(at), nullptr, 16);
      for (int cpu = kernel.cpu.num_cpus; cpu < 64; ++cpu)
        if (mask >> cpu & 1)
          bad_between("kernel.rps_cpus: " + m + " (queue " + std::to_string(q) + ") names CPU " + std::to_string(cpu) +
                          " but kernel.cpus is " + std::to_string(kernel.cpu.num_cpus),
                      {"kernel.rps_cpus", "kernel.cpus"});
      kernel.rps_cpus.push_back(mask);
      ++q;
    }
  }
  reader_cpus.clear();
  if (app_reader_cpus.empty()) {
    reader_cpus.assign(static_cast<size_t>(app_readers), static_cast<int>(app_cpu));
  } else {
    for (const std::string& c : items(app_reader_cpus)) {
      if (c.empty() || c.size() > 3 || c.find_first_not_of("0123456789") != std::string::npos)
        bad("app.reader_cpus: '" + c + "' is not a CPU number; write them comma-separated, e.g. \"1,2,3\"");
      const int cpu = std::stoi(c);
      if (cpu >= kernel.cpu.num_cpus)
        bad_between("app.reader_cpus: CPU " + c + " but kernel.cpus is " + std::to_string(kernel.cpu.num_cpus),
                    {"app.reader_cpus", "kernel.cpus"});
      reader_cpus.push_back(cpu);
    }
    if (static_cast<int64_t>(reader_cpus.size()) != app_readers)
      bad_between("app.reader_cpus: " + std::to_string(reader_cpus.size()) + " CPUs for " +
                      std::to_string(app_readers) + " readers (app.readers); give one CPU per reader",
                  {"app.reader_cpus", "app.readers"});
  }
  const double L = link_latency_ns;
  // Whole cycles, computed so the dumped scenario reads 499.2, not
  // 499.20000000000005 (cycles x 64 / 10 rounds once, cycles x 6.4 twice).
  const double q = quantum_ns == 0 ? std::floor(L / 6.4) * 64 / 10 : quantum_ns;
  if (std::fabs(q / 6.4 - std::round(q / 6.4)) > 1e-9 || q < 6.4)
    bad("run.quantum_ns: " + std::to_string(q) + " is not a whole number of 6.4 ns clock cycles");
  if (q > L + 1e-9)
    bad_between("run.quantum_ns: must not exceed link.latency_ns (exact decoupling needs Q <= L)",
                {"run.quantum_ns", "link.latency_ns"});
  quantum_ns = q;
  // The ring the driver will use (igb_set_ringparam rounds up to a multiple
  // of 8): the dumped scenario and the report show the 104 a 100 becomes.
  igb.rx_ring_count = (igb.rx_ring_count + host::REQ_RX_DESCRIPTORS_MULTIPLE - 1) / host::REQ_RX_DESCRIPTORS_MULTIPLE *
                      host::REQ_RX_DESCRIPTORS_MULTIPLE;
  // A replay offers the whole capture unless run.duration_us is set: traffic
  // then ends just after the last record's send time (the next 0.1 us at
  // least 1 ns later, so the dumped scenario reads back the same).
  if (traffic.pattern == "pcap" && knobs && knobs->origin("run.duration_us").empty() && !traffic.pcap.empty()) {
    const double last_ps = start_us * 1e6 + static_cast<double>(TrafficGen::scan_replay(traffic).span_ps);
    duration_us = std::floor((last_ps + 1000) / 1e5 + 1) / 10;
    if (duration_us > 1e9)
      bad("traffic.pcap: the capture's last record is " + num(last_ps / 1e12) +
          " s after its first, past the longest run (run.duration_us <= 1e9 us); set run.duration_us to replay "
          "its start");
  }
  if (duration_us <= start_us)
    bad_between("run.duration_us: " + num(duration_us) + " us is not after run.start_us (" + num(start_us) +
                    " us): it is when traffic ends, not how long it lasts",
                {"run.duration_us", "run.start_us"});
  SampleWindow w;
  w.traffic_start_us = start_us;
  w.traffic_stop_us = duration_us;
  w.warmup_us = warmup_us;
  w.sample_us = sample_us;
  try {
    sample_us = resolve_sample_us(w);
  } catch (const std::invalid_argument& e) {
    bad_between(e.what(), {"run.warmup_us", "run.sample_us", "run.start_us", "run.duration_us"});
  }
  // Frames go to the NIC a link latency ahead of their time; the first ones
  // must not be due before the NIC's first quantum has been handed them.
  if (start_us * 1000 < L)
    bad_between("run.start_us: traffic must start at least link.latency_ns (" + num(L) +
                    " ns) after time 0, so every frame reaches the NIC before its wire time",
                {"run.start_us", "link.latency_ns"});
  if (traffic.pattern == "pcap") {
    // A replay offers the capture's frames as they are: the generator's fault
    // knobs change nothing (say so rather than let a study believe them).
    const std::pair<const char*, double> faults[] = {
        {"traffic.bad_fcs_ppm", traffic.bad_fcs_ppm},       {"traffic.runt_ppm", traffic.runt_ppm},
        {"traffic.oversize_ppm", traffic.oversize_ppm},     {"traffic.bad_ip_csum_ppm", traffic.bad_ip_csum_ppm},
        {"traffic.closed_udp_ppm", traffic.closed_udp_ppm}, {"traffic.closed_tcp_ppm", traffic.closed_tcp_ppm},
        {"traffic.other_host_ppm", traffic.other_host_ppm}};
    for (const auto& [knob, ppm] : faults)
      if (ppm != 0)
        warnings.push_back(std::string(knob) +
                           " is ignored by traffic.pattern = \"pcap\" (a replay sends the capture as it is)");
  }
  if (nic_model == "double") {
    const TrafficConfig& t = traffic;
    if (t.bad_fcs_ppm + t.runt_ppm + t.oversize_ppm + t.other_host_ppm > 0)
      bad_between(
          "traffic: FCS, runt, oversize and other-host faults need nic.model = \"rtl\" (the double has no MAC)",
          {"nic.model", "traffic.bad_fcs_ppm", "traffic.runt_ppm", "traffic.oversize_ppm", "traffic.other_host_ppm"});
  }
  auto check = [&](const char* knob, auto&& parse, const std::string& v) {
    try {
      parse(v);
    } catch (const std::invalid_argument& e) {
      bad(std::string(knob) + ": " + e.what());
    }
  };
  check("host.mac", parse_mac, host_mac);
  check("host.ip", parse_ipv4, host_ip);
  check("traffic.src_mac", parse_mac, traffic.src_mac);
  check("traffic.src_ip", parse_ipv4, traffic.src_ip);
  // A station address is unicast (is_valid_ether_addr in include/linux/etherdevice.h:
  // not multicast, which includes broadcast, and not all zeros); a host address
  // is not the limited broadcast or 0.0.0.0.
  const MacAddr mac = parse_mac(host_mac);
  if (eth::mac_is_multicast(mac.data()))
    bad("host.mac: " + host_mac + " is a " + (eth::mac_is_broadcast(mac.data()) ? "broadcast" : "multicast") +
        " address; a NIC's own address is unicast (the low bit of the first byte clear)");
  if (mac == MacAddr{}) bad("host.mac: 00:00:00:00:00:00 is not a valid station address");
  const uint32_t ip = parse_ipv4(host_ip);
  if (ip == 0xffffffffu || ip == 0) bad("host.ip: " + host_ip + " cannot be a host's own address");
  finish_igb(knobs);
  // ethtool -C rx-usecs: 0 off, 1 dynamic, 3 conservative, 10..10000 fixed (igb_set_coalesce)
  const unsigned u = igb.rx_itr_setting;
  if (u == 2 || (u > 3 && u < host::IGB_MIN_ITR_USECS))
    bad("igb.rx_usecs: " + std::to_string(u) + " is invalid (0 off, 1 dynamic, 3 conservative, 10..10000 fixed)");
  // ethtool speed: what an 82576 port links at (e1000_get_speed_and_duplex).
  if (igb.link_speed != 10 && igb.link_speed != 100 && igb.link_speed != 1000)
    bad("igb.link_speed: " + std::to_string(igb.link_speed) +
        " is not a speed of an 82576 port (10, 100 or 1000 Mb/s)");
  // Every socket the reader opens needs its own port.
  struct Range {
    const char *port, *count;
    uint64_t lo, n;
  };
  const Range ranges[] = {
      {"traffic.udp_port", "traffic.udp_flows", traffic.udp_port, traffic.udp_flows},
      {"traffic.tcp_port", "traffic.tcp_flows", traffic.tcp_port, traffic.tcp_flows},
      {"app.idle_port", "app.idle_fds", static_cast<uint64_t>(app_idle_port), static_cast<uint64_t>(app_idle_fds)}};
  for (const Range& a : ranges)
    if (a.n && a.lo + a.n - 1 > 65535)
      bad_between(std::string(a.port) + " + " + a.count + ": ports " + std::to_string(a.lo) + ".." +
                      std::to_string(a.lo + a.n - 1) + " run past 65535",
                  {a.port, a.count});
  // UDP flows and idle sockets are both UDP: their ports must not meet.
  auto overlap = [](const Range& a, const Range& b) { return a.n && b.n && a.lo < b.lo + b.n && b.lo < a.lo + a.n; };
  if (overlap(ranges[0], ranges[2]))
    bad_between("app.idle_port: the idle UDP sockets' ports overlap the UDP flows' ports (traffic.udp_port)",
                {"app.idle_port", "app.idle_fds", "traffic.udp_port", "traffic.udp_flows"});
  if (trace.stop_us != 0 && trace.stop_us < trace.start_us)
    bad_between("trace.stop_us: the window ends (" + num(trace.stop_us) + " us) before it starts (trace.start_us " +
                    num(trace.start_us) + " us)",
                {"trace.stop_us", "trace.start_us"});
  if (!trace.trigger.empty() && (trace.start_us != 0 || trace.stop_us != 0))
    bad_between("trace.trigger: a trigger places the window itself; leave trace.start_us and trace.stop_us at 0",
                {"trace.trigger", "trace.start_us", "trace.stop_us"});
  if (!trace.trigger.empty()) {
    try {
      (void)waves::Trigger::parse(trace.trigger);
    } catch (const std::invalid_argument& e) {
      bad(std::string("trace.trigger: ") + e.what());
    }
  }
  const int64_t fds = static_cast<int64_t>(traffic.udp_flows + traffic.tcp_flows) + app_idle_fds + 3;
  if ((app_mode == "select") && fds > 1024)
    bad_between("app.idle_fds: select() watches at most FD_SETSIZE = 1024 descriptors (" + std::to_string(fds) +
                    " with stdin/out/err); use app.mode = \"poll\" or \"epoll\"",
                {"app.mode", "app.idle_fds", "traffic.udp_flows", "traffic.tcp_flows"});
}

}  // namespace rxpath::tb
