// SPDX-License-Identifier: MIT
#include "system.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <deque>
#include <iomanip>
#include <iostream>
#include <sstream>
#include <stdexcept>

#include <nlohmann/json.hpp>
#include <systemc>
#include <tlm_utils/simple_initiator_socket.h>

#include "host_fst.hpp"
#include "nic/frame_ext.hpp"
#include "common/debug.hpp"
#include "host/platform.hpp"
#include "nic/double/nic_double.hpp"
#include "nic_sc.hpp"
#include "output_file.hpp"
#include "pcap_io.hpp"
#include "recorder.hpp"
#include "rxpath/vh/eth.hpp"
#include "stack/process.hpp"

namespace rxpath::tb {

using sc_core::sc_time;
using sc_core::SC_NS;
using sc_core::SC_PS;

namespace {
constexpr uint64_t kPsPerNs = 1000;
uint64_t now_ps() { return static_cast<uint64_t>(sc_core::sc_time_stamp().to_seconds() * 1e12 + 0.5); }
}  // namespace

uint64_t Accounting::dropped() const {
  uint64_t n = 0;
  for (const auto& [_, v] : drops) n += v;
  return n;
}

SystemConfig::SystemConfig() {
  kernel.cpu.num_cpus = 2;  // CPU0 takes the interrupt and the softirq, CPU1 runs the reader
  // The default scenario (DESIGN.md section 6): 10 GbE, a mix of UDP and TCP.
  traffic.size = "imix";
  traffic.udp_flows = 4;
  traffic.tcp_flows = 2;
}

void SystemConfig::add_knobs(Knobs& k) {
  k.add_double("run.duration_us", &duration_us, duration_us, 0.1, 1e9, "time during which traffic is offered, µs");
  k.add_double("run.start_us", &start_us, start_us, 0, 1e9,
               "when traffic starts, µs (the driver brings the NIC up at time 0)");
  k.add_double("run.drain_us", &drain_us, drain_us, 0, 1e9, "longest time the host may take to finish afterwards, µs");
  k.add_double("run.quantum_ns", &quantum_ns, quantum_ns, 0, 1e6,
               "NIC run-ahead quantum, ns, a multiple of 6.4 and at most link.latency_ns (0 = the link latency)");
  k.add_string("nic.model", &nic_model, nic_model, "rtl: the Verilated NIC; double: the behavioural NIC",
               {"rtl", "double"});
  k.add_uint("nic.double.fifo_bytes", &nic_double.rx_fifo_bytes, nic_double.rx_fifo_bytes, 2048, 1 << 24,
             "nic.model double: RX packet buffer bytes (the RTL's is the build parameter PKTBUF_BYTES, 64 KiB)");
  k.add_uint("nic.double.desc_cache", &nic_double.desc_cache, nic_double.desc_cache, 1, 4096,
             "nic.model double: descriptors held on chip per queue");
  k.add_double("link.latency_ns", &link_latency_ns, link_latency_ns, 6.4, 1e6, "PCIe-like link one-way latency, ns");
  k.add_string("host.mac", &host_mac, host_mac, "the host's MAC address (RAL0/RAH0)");
  k.add_string("host.ip", &host_ip, host_ip, "the host's IPv4 address");
  k.add_string("app.mode", &app_mode, app_mode, "how the reader waits", {"epoll", "epoll-et", "select", "poll", "recv"});
  k.add_int("app.cpu", &app_cpu, app_cpu, 0, 63, "CPU of the reader process");
  k.add_int("app.idle_fds", &app_idle_fds, app_idle_fds, 0, 60000, "extra watched UDP sockets that never get data");
  k.add_int("app.idle_port", &app_idle_port, app_idle_port, 1, 65535, "port of the first idle socket (socket i: +i)");
  k.add_int("app.recv_size", &app_recv_size, app_recv_size, 1, 1 << 24, "bytes asked per recv()");
  // kernel
  k.add_sint("kernel.cpus", &kernel.cpu.num_cpus, 2, 1, 64, "number of CPUs");
  k.add_sint("kernel.hz", &kernel.cpu.hz, 1000, 100, 1000, "CONFIG_HZ (jiffies per second)");
  k.add_sint("kernel.netdev_budget", &kernel.netdev_budget, 300, 1, 1 << 20, "net.core.netdev_budget");
  k.add_sint("kernel.netdev_budget_usecs", &kernel.netdev_budget_usecs, 0, 0, 1 << 20,
             "net.core.netdev_budget_usecs (0 = 2 jiffies)");
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
  k.add_sint("igb.napi_weight", &igb.napi_weight, igb.napi_weight, 1, 4096, "NAPI weight of the ring (NAPI_POLL_WEIGHT)");
  k.add_bool("igb.drop_en", &igb.drop_en, igb.drop_en, "SRRCTL.DROP_EN: drop instead of waiting for a descriptor");
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

void SystemConfig::finish() {
  auto bad = [](const std::string& what) { throw std::invalid_argument(what); };
  if (app_cpu >= kernel.cpu.num_cpus)
    bad("app.cpu: " + std::to_string(app_cpu) + " but kernel.cpus is " + std::to_string(kernel.cpu.num_cpus));
  const double L = link_latency_ns;
  const double q = quantum_ns == 0 ? std::floor(L / 6.4) * 6.4 : quantum_ns;
  if (std::fabs(q / 6.4 - std::round(q / 6.4)) > 1e-9 || q < 6.4)
    bad("run.quantum_ns: " + std::to_string(q) + " is not a whole number of 6.4 ns clock cycles");
  if (q > L + 1e-9) bad("run.quantum_ns: must not exceed link.latency_ns (exact decoupling needs Q <= L)");
  quantum_ns = q;
  // Frames go to the NIC a link latency ahead of their time; the first ones
  // must not be due before the NIC's first quantum has been handed them.
  if (start_us * 1000 < L)
    bad("run.start_us: traffic must start at least link.latency_ns (" + std::to_string(L) +
        " ns) after time 0, so every frame reaches the NIC before its wire time");
  if (nic_model == "double") {
    const TrafficConfig& t = traffic;
    if (t.bad_fcs_ppm + t.runt_ppm + t.oversize_ppm + t.other_host_ppm > 0)
      bad("traffic: FCS, runt, oversize and other-host faults need nic.model = \"rtl\" (the double has no MAC)");
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
  // ethtool -C rx-usecs: 0 off, 1 dynamic, 3 conservative, 10..10000 fixed (igb_set_coalesce)
  const unsigned u = igb.rx_itr_setting;
  if (u == 2 || (u > 3 && u < host::IGB_MIN_ITR_USECS))
    bad("igb.rx_usecs: " + std::to_string(u) + " is invalid (0 off, 1 dynamic, 3 conservative, 10..10000 fixed)");
  // Every socket the reader opens needs its own port.
  struct Range {
    const char* knob;
    uint64_t lo, n;
  };
  const Range ranges[] = {{"traffic.udp_port/udp_flows", traffic.udp_port, traffic.udp_flows},
                          {"traffic.tcp_port/tcp_flows", traffic.tcp_port, traffic.tcp_flows},
                          {"app.idle_port/idle_fds", static_cast<uint64_t>(app_idle_port), static_cast<uint64_t>(app_idle_fds)}};
  for (const Range& a : ranges)
    if (a.n && a.lo + a.n - 1 > 65535) bad(std::string(a.knob) + ": ports run past 65535");
  // UDP flows and idle sockets are both UDP: their ports must not meet.
  auto overlap = [](const Range& a, const Range& b) { return a.n && b.n && a.lo < b.lo + b.n && b.lo < a.lo + a.n; };
  if (overlap(ranges[0], ranges[2]))
    bad("app.idle_port: the idle UDP sockets' ports overlap the UDP flows' ports (traffic.udp_port)");
  if (trace.stop_us != 0 && trace.stop_us < trace.start_us)
    bad("trace.stop_us: the window ends (" + std::to_string(trace.stop_us) + " us) before it starts (trace.start_us " +
        std::to_string(trace.start_us) + " us)");
  if (!trace.trigger.empty() && (trace.start_us != 0 || trace.stop_us != 0))
    bad("trace.trigger: a trigger places the window itself; leave trace.start_us and trace.stop_us at 0");
  if (!trace.trigger.empty()) {
    try {
      (void)waves::Trigger::parse(trace.trigger);
    } catch (const std::invalid_argument& e) {
      bad(std::string("trace.trigger: ") + e.what());
    }
  }
  const int64_t fds = static_cast<int64_t>(traffic.udp_flows + traffic.tcp_flows) + app_idle_fds + 3;
  if ((app_mode == "select") && fds > 1024)
    bad("app.idle_fds: select() watches at most FD_SETSIZE = 1024 descriptors (" + std::to_string(fds) +
        " with stdin/out/err); use app.mode = \"poll\" or \"epoll\"");
}

// ------------------------------------------------------------------ the system
struct System::Impl : sc_core::sc_module {
  SC_HAS_PROCESS(Impl);

  struct Seg {
    uint64_t stream_off;  // offset of the segment's first byte in the flow's stream
    uint32_t len;
    uint64_t id;
  };
  struct SockInfo {
    bool tcp = false;
    uint32_t flow = 0;
    uint64_t delivered = 0;          // bytes delivered so far (TCP stream offset)
    std::unique_ptr<PcapWriter> pcap;
  };

  Impl(sc_core::sc_module_name nm, const SystemConfig& c, const std::string& toml)
      : sc_module(nm),
        cfg(c),
        scenario(toml),
        host_mac(parse_mac(c.host_mac)),
        host_ip(parse_ipv4(c.host_ip)),
        src_mac(parse_mac(c.traffic.src_mac)),
        src_ip(parse_ipv4(c.traffic.src_ip)),
        kernel("host", c.kernel, c.stack_cost),
        plat(kernel, sc_time(c.link_latency_ns, SC_NS)),
        gen(c.traffic, host_mac, host_ip) {
    if (cfg.igb.num_queues != 1 && cfg.nic_model == "rtl")
      throw std::invalid_argument("igb.num_queues: the Verilated NIC is built with one queue");
    // the NIC
    if (cfg.nic_model == "rtl") {
      rtl = std::make_unique<bridge::NicSc>("nic", sc_time(cfg.quantum_ns, SC_NS));
      rtl->dma.bind(plat.link().dma);
      plat.link().mmio.bind(rtl->mmio);
      rtl->msix.bind(plat.link().msix);
      wire_out = std::make_unique<tlm_utils::simple_initiator_socket<Impl>>("wire_out");
      wire_out->bind(rtl->wire);
      rtl->on_wire_start([this](const bridge::WireStart& w) { on_wire_start(w.id, w.cycle * bridge::NicSc::kPsPerCycle); });
    } else {
      dbl = std::make_unique<nic::NicDouble>("nic", cfg.nic_double);
      dbl->dma.bind(plat.link().dma);
      plat.link().mmio.bind(dbl->mmio);
      dbl->msix.bind(plat.link().msix);
    }
    // the driver
    host::IgbConfig ic = cfg.igb;
    adapter = std::make_unique<host::IgbAdapter>(plat, ic, cfg.igb_cost);
    for (int i = 0; i < 6; ++i) adapter->netdev().dev_addr[i] = host_mac[i];
    adapter->netdev().ipv4_addr = host_ip;
    // sockets and the reader
    stack::UserProcessConfig uc;
    uc.cpu = static_cast<int>(cfg.app_cpu);
    uc.mode = stack::parse_wait_mode(cfg.app_mode);
    uc.recv_size = static_cast<size_t>(cfg.app_recv_size);
    const TrafficConfig& t = cfg.traffic;
    for (uint32_t i = 0; i < t.udp_flows; ++i) {
      const int fd = kernel.udp_socket(host_ip, static_cast<uint16_t>(t.udp_port + i));
      uc.fds.push_back(fd);
      socks[fd].flow = i;
    }
    for (uint32_t i = 0; i < t.tcp_flows; ++i) {
      const int fd = kernel.tcp_established(host_ip, static_cast<uint16_t>(t.tcp_port + i), src_ip + t.udp_flows + i,
                                            static_cast<uint16_t>(40000 + i), t.tcp_isn, 0);
      uc.fds.push_back(fd);
      socks[fd].tcp = true;
      socks[fd].flow = i;
    }
    tcp_segs.resize(t.tcp_flows);
    for (int64_t i = 0; i < cfg.app_idle_fds; ++i)
      uc.idle_fds.push_back(kernel.udp_socket(host_ip, static_cast<uint16_t>(cfg.app_idle_port + i)));
    reader = std::make_unique<stack::UserProcess>(kernel, uc, [this](const stack::Delivery& d) { on_delivery(d); });
    adapter->igb_probe();
    SC_THREAD(feed);
  }

  // ---- the wire: frames go to the NIC one quantum (at least) ahead of their time
  void feed() {
    const uint64_t start_ps = static_cast<uint64_t>(cfg.start_us * 1e6);
    const uint64_t end_ps = static_cast<uint64_t>(cfg.duration_us * 1e6);
    const uint64_t lead_ps = static_cast<uint64_t>(cfg.link_latency_ns * kPsPerNs);
    GenFrame f;
    while (gen.next(f)) {
      f.t_ps += start_ps;
      if (f.t_ps >= end_ps) break;
      const uint64_t now = now_ps();
      if (f.t_ps > now + lead_ps) sc_core::wait(sc_time(static_cast<double>(f.t_ps - lead_ps - now), SC_PS));
      send(f);
    }
    feeding = false;
  }

  void send(const GenFrame& f) {
    ++offered;
    ++offered_by_kind[frame_kind_name(f.kind)];
    offered_bytes += f.wire_bytes();
    if (wire_pcap) pending_wire[f.id] = f.data;
    if (f.kind == FrameKind::tcp) tcp_segs[f.flow].push_back(Seg{f.tcp_seq - (cfg.traffic.tcp_isn + 1), f.payload_len, f.id});
    if (f.kind == FrameKind::replay) expect_replayed(f);
    const uint64_t now = now_ps();
    if (rtl) {
      // The payload owns its extension (freed with it, no memory manager).
      auto* ext = new nic::FrameExt;
      ext->id = f.id;
      ext->bad_fcs = f.bad_fcs;
      tlm::tlm_generic_payload p;
      p.set_command(tlm::TLM_WRITE_COMMAND);
      p.set_data_ptr(const_cast<uint8_t*>(f.data.data()));
      p.set_data_length(static_cast<unsigned>(f.data.size()));
      p.set_streaming_width(static_cast<unsigned>(f.data.size()));
      p.set_extension(ext);
      sc_time d(static_cast<double>(f.t_ps - std::min(f.t_ps, now)), SC_PS);
      (*wire_out)->b_transport(p, d);
      if (p.get_response_status() != tlm::TLM_OK_RESPONSE) throw std::runtime_error("wire: NIC refused a frame");
    } else {
      // The double takes the time the last bit arrives: preamble + frame + FCS.
      const uint64_t last = f.t_ps + (8 + f.wire_bytes()) * 800;
      on_wire_start(f.id, f.t_ps);
      dbl->receive_frame(f.data.data(), f.data.size(), sc_time(static_cast<double>(last), SC_PS));
    }
  }

  void on_wire_start(uint64_t id, uint64_t ps) {
    if (wire_start_ps.size() <= id) wire_start_ps.resize(id + 1, UINT64_MAX);
    wire_start_ps[id] = ps;
    if (wire_pcap) {
      auto it = pending_wire.find(id);
      if (it != pending_wire.end()) {
        wire_pcap->write(ps / kPsPerNs, it->second);
        pending_wire.erase(it);
      }
    }
  }

  // A replayed UDP datagram to one of our ports: what its socket should return.
  void expect_replayed(const GenFrame& f) {
    const auto& d = f.data;
    if (d.size() < 42 || d[12] != 0x08 || d[13] != 0x00 || (d[14] >> 4) != 4 || d[23] != 17) return;
    const size_t ihl = (d[14] & 15) * 4u;
    const size_t tot = size_t(d[16]) << 8 | d[17];
    if (tot < ihl + 8 || 14 + tot > d.size()) return;
    const uint16_t dport = static_cast<uint16_t>(d[14 + ihl + 2] << 8 | d[14 + ihl + 3]);
    const auto first = d.begin() + static_cast<long>(14 + ihl + 8);
    replayed[dport].push_back(Replayed{f.id, std::vector<uint8_t>(first, d.begin() + static_cast<long>(14 + tot))});
  }

  // ---- deliveries: byte-exact check, latency, per-socket capture
  void on_delivery(const stack::Delivery& d) {
    SockInfo& s = socks[d.fd];
    ++delivered_msgs;
    delivered_bytes += d.bytes.size();
    const uint64_t t = static_cast<uint64_t>(d.time.to_seconds() * 1e12 + 0.5);
    if (!s.tcp && cfg.traffic.pattern == "pcap") {
      // Replay: the datagram must be the next one sent to this port that the
      // host did not drop (the ones skipped were dropped on the way).
      auto& q = replayed[static_cast<uint16_t>(cfg.traffic.udp_port + s.flow)];
      while (!q.empty() && q.front().payload != d.bytes) q.pop_front();
      if (q.empty()) {
        ++delivery_errors;
      } else {
        latency_sample(q.front().id, t);
        q.pop_front();
      }
      ++delivered_frames;
    } else if (!s.tcp) {
      // UDP: one datagram = one frame; its number is in the first 8 bytes.
      uint64_t id = 0;
      if (d.bytes.size() >= 8)
        for (int i = 0; i < 8; ++i) id = id << 8 | d.bytes[i];
      for (size_t i = 0; i < d.bytes.size(); ++i)
        if (d.bytes[i] != TrafficGen::payload_byte(id, i)) {
          ++delivery_errors;
          break;
        }
      latency_sample(id, t);
      ++delivered_frames;
    } else {
      // TCP: check the stream byte by byte against the segments sent.
      auto& segs = tcp_segs[s.flow];
      uint64_t off = s.delivered;
      size_t i = 0;
      while (i < d.bytes.size()) {
        while (!segs.empty() && segs.front().stream_off + segs.front().len <= off) segs.pop_front();
        if (segs.empty() || segs.front().stream_off > off) {
          ++delivery_errors;
          break;
        }
        const Seg& g = segs.front();
        const size_t n = std::min<uint64_t>(d.bytes.size() - i, g.stream_off + g.len - off);
        for (size_t k = 0; k < n; ++k)
          if (d.bytes[i + k] != TrafficGen::payload_byte(g.id, off - g.stream_off + k)) {
            ++delivery_errors;
            break;
          }
        i += n;
        off += n;
        if (off == g.stream_off + g.len) {
          latency_sample(g.id, t);
          ++delivered_frames;
        }
      }
      s.delivered = off;
    }
    if (s.pcap) capture_delivery(s, t, d.bytes);
  }

  // A socket's capture holds what recv() returned, wrapped in the headers of
  // the flow it came from (so Wireshark shows the flow): one UDP datagram per
  // recv(), or TCP segments whose sequence numbers are the stream offsets.
  void capture_delivery(const SockInfo& s, uint64_t t_ps, const std::vector<uint8_t>& bytes) {
    const TrafficConfig& tc = cfg.traffic;
    vh::Mac dst, src;
    for (int i = 0; i < 6; ++i) dst[i] = host_mac[i], src[i] = src_mac[i];
    vh::Ipv4Opts ip;
    ip.daddr = host_ip;
    vh::L4Opts l4;
    if (!s.tcp) {
      ip.saddr = src_ip + s.flow;
      l4.sport = static_cast<uint16_t>(30000 + s.flow);
      l4.dport = static_cast<uint16_t>(tc.udp_port + s.flow);
      s.pcap->write(t_ps / kPsPerNs, vh::udp_frame(dst, src, bytes, ip, l4));
      return;
    }
    ip.saddr = src_ip + tc.udp_flows + s.flow;
    l4.sport = static_cast<uint16_t>(40000 + s.flow);
    l4.dport = static_cast<uint16_t>(tc.tcp_port + s.flow);
    l4.ack_seq = 1;
    l4.tcp_flags = 0x18;  // PSH|ACK
    const uint64_t first = s.delivered - bytes.size();  // stream offset of bytes[0]
    constexpr size_t kMaxSeg = 65000;                   // IPv4 total length is 16 bits
    for (size_t off = 0; off < bytes.size(); off += kMaxSeg) {
      const size_t n = std::min(kMaxSeg, bytes.size() - off);
      l4.seq = static_cast<uint32_t>(tc.tcp_isn + 1 + first + off);
      const std::vector<uint8_t> seg(bytes.begin() + static_cast<long>(off), bytes.begin() + static_cast<long>(off + n));
      s.pcap->write(t_ps / kPsPerNs, vh::tcp_frame(dst, src, seg, ip, l4));
    }
  }

  void latency_sample(uint64_t id, uint64_t t_ps) {
    if (id < wire_start_ps.size() && wire_start_ps[id] != UINT64_MAX && t_ps >= wire_start_ps[id])
      latency_ns.push_back(static_cast<double>(t_ps - wire_start_ps[id]) / kPsPerNs);
  }

  SystemConfig cfg;
  std::string scenario;
  MacAddr host_mac;
  uint32_t host_ip;
  MacAddr src_mac;   // the traffic's source (flow i: src_ip + i), for socket captures
  uint32_t src_ip;
  stack::Kernel kernel;
  host::HostPlatform plat;
  TrafficGen gen;
  std::unique_ptr<tlm_utils::simple_initiator_socket<Impl>> wire_out;
  std::unique_ptr<bridge::NicSc> rtl;
  std::unique_ptr<nic::NicDouble> dbl;
  std::unique_ptr<host::IgbAdapter> adapter;
  std::unique_ptr<stack::UserProcess> reader;
  std::map<int, SockInfo> socks;
  std::vector<std::deque<Seg>> tcp_segs;
  struct Replayed {
    uint64_t id;
    std::vector<uint8_t> payload;
  };
  std::map<uint16_t, std::deque<Replayed>> replayed;  // UDP port -> datagrams replayed to it
  std::vector<uint64_t> wire_start_ps;
  std::vector<double> latency_ns;
  std::unique_ptr<PcapWriter> wire_pcap;
  std::map<uint64_t, std::vector<uint8_t>> pending_wire;
  bool feeding = true;
  // tracing (attach(), trace_fst(), stop_when())
  waves::Recorder* rec = nullptr;
  std::string fst_path;
  std::unique_ptr<OutputFile> fst_out;    // the FST (RTL + host), committed after the run
  std::unique_ptr<waves::HostFst> host_fst;
  std::function<bool()> stop;
  uint64_t offered = 0, offered_bytes = 0;
  std::map<std::string, uint64_t> offered_by_kind;
  uint64_t delivered_msgs = 0, delivered_bytes = 0, delivered_frames = 0, delivery_errors = 0;
};

}  // namespace rxpath::tb

namespace rxpath::tb {

System::System(const SystemConfig& cfg, const std::string& scenario_toml)
    : impl_(std::make_unique<Impl>("system", cfg, scenario_toml)) {}

System::~System() = default;

void System::capture_wire(const std::string& path) { impl_->wire_pcap = std::make_unique<PcapWriter>(path); }

void System::capture_sockets(const std::string& dir) {
  for (auto& [fd, s] : impl_->socks) {
    const TrafficConfig& t = impl_->cfg.traffic;
    const std::string name = s.tcp ? "tcp-" + std::to_string(t.tcp_port + s.flow) : "udp-" + std::to_string(t.udp_port + s.flow);
    // Each record is one recv() result: the bytes the application got.
    s.pcap = std::make_unique<PcapWriter>(dir + "/socket-" + name + ".pcap");
  }
}

void System::attach(waves::Recorder& rec) {
  Impl& m = *impl_;
  m.rec = &rec;
  m.kernel.set_tracer(&rec);
  m.adapter->trace_attach();  // the ring and vector signals from time 0
  if (m.rtl && rec.wants_nic()) m.rtl->on_event([&rec](const bridge::NicEvent& e) { rec.nic(e); });
  // The driver names each packet by the number the traffic wrote into it;
  // a replayed capture carries none.
  if (m.cfg.traffic.pattern != "pcap")
    m.adapter->trace_id_of = [](const uint8_t* frame, size_t len) { return TrafficGen::frame_id_of(frame, len); };
}

void System::trace_fst(const std::string& path) {
  Impl& m = *impl_;
  if (!m.rtl) throw std::invalid_argument("--trace needs nic.model = \"rtl\" (the double has no RTL to trace)");
  if (!m.rec) throw std::logic_error("System::trace_fst: attach() a recorder first");
  m.fst_path = path;
  // Beside the target, so a failure to create it names the right folder.
  m.fst_out = std::make_unique<OutputFile>(path);
  m.rtl->trace_fst(m.fst_out->temp_path(), m.rec->start_ps(), m.rec->stop_ps());
  // The host's signals go into the same file as the run goes (waves/host_fst.hpp).
  m.host_fst = std::make_unique<waves::HostFst>(m.rec->signals());
  m.rtl->trace_sidecar([hf = m.host_fst.get()](void* fst, uint64_t t_ps, bool first) { hf->on_dump(fst, t_ps, first); });
}

void System::stop_when(std::function<bool()> f) { impl_->stop = std::move(f); }

void System::debug(const std::string& list) { common::debug::enable(list); }

namespace {
double percentile(std::vector<double>& v, double p) {
  if (v.empty()) return 0;
  const size_t i = std::min(v.size() - 1, static_cast<size_t>(std::ceil(p * v.size())) - (p > 0 ? 1 : 0));
  return v[i];
}
}  // namespace

Report System::run(bool progress) {
  Impl& m = *impl_;
  const auto wall0 = std::chrono::steady_clock::now();
  const sc_time dur(m.cfg.duration_us, sc_core::SC_US);
  const sc_time slice = m.stop ? sc_time(10, sc_core::SC_US) : std::max(dur / 50.0, sc_time(10, sc_core::SC_US));
  Report r;
  auto elapsed = [&] { return std::chrono::duration<double>(std::chrono::steady_clock::now() - wall0).count(); };
  double last_note = 0;
  while (sc_core::sc_time_stamp() < dur) {
    sc_core::sc_start(std::min(slice, dur - sc_core::sc_time_stamp()));
    if (m.stop && m.stop()) {
      r.stopped = true;
      return r;
    }
    if (progress && elapsed() - last_note > 1.0) {
      last_note = elapsed();
      std::fprintf(stderr, "rxpath: %.0f of %.0f us simulated, %llu frames offered, %.1f s\r",
                   sc_core::sc_time_stamp().to_seconds() * 1e6, m.cfg.duration_us,
                   static_cast<unsigned long long>(m.offered), elapsed());
    }
  }
  // Drain: no new traffic. Frames may still wait in the NIC for a throttled
  // interrupt, so stop only after a quiet window longer than twice the
  // longest interrupt interval with nothing queued in the host.
  const host::IgbConfig& ic = m.cfg.igb;
  const double itr_us = ic.rx_itr_setting == 0 ? 0 : ic.rx_itr_setting <= 3 ? host::IGB_4K_ITR / 4.0 : ic.rx_itr_setting;
  const sc_time quiet(std::max(50.0, 2 * itr_us + 20), sc_core::SC_US);
  const sc_time drain_end = dur + sc_time(m.cfg.drain_us, sc_core::SC_US);
  uint64_t last_packets = UINT64_MAX;
  sc_time quiet_since = sc_core::sc_time_stamp();
  while (sc_core::sc_time_stamp() < drain_end) {
    sc_core::sc_start(sc_time(10, sc_core::SC_US));
    if (m.stop && m.stop()) {
      r.stopped = true;
      return r;
    }
    const uint64_t pk = m.adapter->rx_ring(0).rx_stats.packets;
    const bool idle = !m.feeding && pk == last_packets && m.kernel.frame_account().in_flight == 0 &&
                      m.plat.link().writes_in_flight() == 0;
    if (!idle) quiet_since = sc_core::sc_time_stamp();
    else if (sc_core::sc_time_stamp() - quiet_since >= quiet) break;
    last_packets = pk;
  }
  // Read the NIC's statistics registers as `ethtool -S` would (MMIO from CPU0).
  bool stats_done = false;
  m.kernel.cpus().create_task("ethtool", 0, [&](stack::Task&) {
    m.adapter->igb_update_stats();
    stats_done = true;
  });
  for (int i = 0; i < 1000 && !stats_done; ++i) sc_core::sc_start(sc_time(1, sc_core::SC_US));
  if (progress) std::fprintf(stderr, "%80s\r", "");

  r.scenario_toml = m.scenario;
  r.seed = m.cfg.traffic.seed;
  r.sim_us = sc_core::sc_time_stamp().to_seconds() * 1e6;
  r.traffic_us = std::max(0.0, m.cfg.duration_us - m.cfg.start_us);
  r.wall_s = elapsed();
  r.nic_cycles = m.rtl ? m.rtl->cycle() : 0;
  r.offered_frames = m.offered;
  r.offered_bytes = m.offered_bytes;
  r.delivered_msgs = m.delivered_msgs;
  r.delivered_bytes = m.delivered_bytes;
  r.delivered_frames = m.delivered_frames;
  r.delivery_errors = m.delivery_errors;

  const host::e1000_hw_stats& hw = m.adapter->hw_stats();
  Accounting& a = r.acct;
  a.offered = m.offered;
  const stack::FrameAccount fa = m.kernel.frame_account();
  a.delivered = fa.delivered;
  a.consumed = fa.consumed;
  a.in_flight = fa.in_flight;
  a.drops["nic.CRCERRS"] = hw.crcerrs;
  a.drops["nic.RXERRC"] = hw.rxerrc;
  a.drops["nic.RUC"] = hw.ruc;
  a.drops["nic.RFC"] = hw.rfc;
  a.drops["nic.ROC"] = hw.roc;
  a.drops["nic.RJC"] = hw.rjc;
  a.drops["nic.MPC"] = hw.mpc;
  a.drops["nic.RQDPC"] = m.adapter->rqdpc_total();
  a.drops["nic.RXP_AFDC"] = hw.afdc;
  a.drops["nic.RXP_RXDIS"] = hw.rxdis;
  for (int d = 0; d < static_cast<int>(stack::Drop::count); ++d) {
    const uint64_t n = m.kernel.drop_count(static_cast<stack::Drop>(d));
    if (n) a.drops[std::string("stack.") + stack::drop_name(static_cast<stack::Drop>(d))] = n;
  }
  // Frames the NIC took from the wire (TPR) that neither a NIC counter nor
  // the driver has accounted for yet: still in the packet buffer or the ring.
  uint64_t nic_drops = 0;
  for (const auto& [name, n] : a.drops)
    if (name.rfind("nic.", 0) == 0) nic_drops += n;
  const uint64_t handed_up = m.adapter->rx_ring(0).rx_stats.packets;
  a.in_flight_nic = hw.tpr > nic_drops + handed_up ? hw.tpr - nic_drops - handed_up : 0;
  a.in_flight += a.in_flight_nic;

  const host::igb_q_vector& qv = m.adapter->q_vector(0);
  r.irqs = qv.irqs;
  r.napi_polls = qv.polls;
  r.napi_polls_full = qv.polls_full;
  r.rnbc = hw.rnbc;
  for (int c = 0; c < m.kernel.cpus().num_cpus(); ++c) {
    r.time_squeeze += m.kernel.softnet(c).time_squeeze;
    r.net_rx_action += m.kernel.softnet(c).net_rx_action_calls;
    r.budget_exhausted += m.kernel.softnet(c).budget_exhausted;
    for (int x = 0; x < static_cast<int>(stack::Ctx::count); ++x)
      r.cpu_ns["cpu" + std::to_string(c) + "." + stack::ctx_name(static_cast<stack::Ctx>(x))] =
          m.kernel.cpu(c).time_in(static_cast<stack::Ctx>(x)).to_seconds() * 1e9;
  }
  std::vector<double> lat = m.latency_ns;
  std::sort(lat.begin(), lat.end());
  r.latency.samples = lat.size();
  if (!lat.empty()) {
    r.latency.p50_ns = percentile(lat, 0.50);
    r.latency.p90_ns = percentile(lat, 0.90);
    r.latency.p99_ns = percentile(lat, 0.99);
    r.latency.p999_ns = percentile(lat, 0.999);
    r.latency.max_ns = lat.back();
    double sum = 0;
    for (double x : lat) sum += x;
    r.latency.mean_ns = sum / lat.size();
  }
  r.offered_by_kind = m.offered_by_kind;
  stack::Kernel& k = m.kernel;
  r.mib = {{"Ip.InReceives", k.ip.InReceives},
           {"Ip.InHdrErrors", k.ip.InHdrErrors},
           {"Ip.InDelivers", k.ip.InDelivers},
           {"Ip.InUnknownProtos", k.ip.InUnknownProtos},
           {"IpExt.InCsumErrors", k.ipext.InCsumErrors},
           {"IpExt.InNoECTPkts", k.ipext.InNoECTPkts},
           {"Udp.InDatagrams", k.udp.InDatagrams},
           {"Udp.NoPorts", k.udp.NoPorts},
           {"Udp.InErrors", k.udp.InErrors},
           {"Udp.RcvbufErrors", k.udp.RcvbufErrors},
           {"Tcp.InSegs", k.tcp.InSegs},
           {"Tcp.OutRsts", k.tcp.OutRsts},
           {"Tcp.InErrs", k.tcp.InErrs},
           {"TcpExt.TCPRcvQDrop", k.tcpext.TCPRcvQDrop},
           {"TcpExt.TCPHPHits", k.tcpext.TCPHPHits},
           {"tx.ICMP_PORT_UNREACH", k.tx_count(stack::TxKind::ICMP_PORT_UNREACH)},
           {"tx.TCP_RST", k.tx_count(stack::TxKind::TCP_RST)},
           {"tx.TCP_ACK", k.tx_count(stack::TxKind::TCP_ACK)}};
  uint64_t processed = 0;
  for (int c = 0; c < k.cpus().num_cpus(); ++c) processed += k.softnet(c).processed;
  r.mib["softnet.processed"] = processed;
  r.mib["nic.GPRC"] = hw.gprc;
  r.mib["nic.TPR"] = hw.tpr;
  r.mib["nic.RNBC"] = hw.rnbc;
  r.mib["driver.rx_packets"] = m.adapter->rx_ring(0).rx_stats.packets;
  r.counters["/proc/net/softnet_stat"] = m.kernel.proc_net_softnet_stat();
  r.counters["/proc/net/snmp"] = m.kernel.proc_net_snmp();
  r.counters["/proc/net/netstat"] = m.kernel.proc_net_netstat();
  r.counters["/proc/net/dev"] = m.kernel.proc_net_dev();
  r.counters["/proc/interrupts"] = m.kernel.proc_interrupts();
  r.counters["/proc/softirqs"] = m.kernel.proc_softirqs();
  r.counters["ethtool -S eth0"] = m.adapter->ethtool_S();
  if (m.wire_pcap) m.wire_pcap->close();
  for (auto& [_, s] : m.socks)
    if (s.pcap) s.pcap->close();
  if (!m.fst_path.empty()) {
    // Complete once closed (the last host changes go in before it closes).
    m.rtl->trace_flush_close();
    m.fst_out->commit();
    m.fst_out.reset();
    r.trace_path = m.fst_path;
    r.trace_host_changes = m.host_fst->changes();
    r.trace_host_late = m.host_fst->late();
  }
  return r;
}

std::string Report::text() const {
  std::ostringstream os;
  auto rate = [&](double n) { return traffic_us > 0 ? n / traffic_us : 0; };
  os << std::fixed << std::setprecision(1);
  os << "rxpath report  (seed " << seed << ", traffic for " << traffic_us << " us, " << sim_us
     << " us simulated with the drain)\n\n";
  os << std::setprecision(1);
  os << "Traffic\n";
  os << "  offered    " << std::setw(10) << offered_frames << " frames " << std::setw(12) << offered_bytes << " bytes  ("
     << rate(offered_frames) << " Mpps)\n";
  os << "  delivered  " << std::setw(10) << delivered_frames << " frames " << std::setw(12) << delivered_bytes
     << " bytes in " << delivered_msgs << " recv() calls\n";
  if (delivery_errors) os << "  DELIVERY ERRORS: " << delivery_errors << " recv() results differ from what was sent\n";
  os << "\nWhere frames ended (each frame in exactly one place)\n";
  os << "  delivered to the reader   " << std::setw(10) << acct.delivered << "\n";
  if (acct.consumed) os << "  consumed by the stack     " << std::setw(10) << acct.consumed << "\n";
  for (const auto& [k, v] : acct.drops)
    if (v) os << "  drop " << std::left << std::setw(21) << k << std::right << std::setw(10) << v << "\n";
  if (acct.in_flight > acct.in_flight_nic)
    os << "  still queued in the host  " << std::setw(10) << acct.in_flight - acct.in_flight_nic << "\n";
  if (acct.in_flight_nic) os << "  still in the NIC          " << std::setw(10) << acct.in_flight_nic << "\n";
  os << "  conservation: offered " << acct.offered << " = delivered " << acct.delivered << " + dropped "
     << acct.dropped() << " + consumed " << acct.consumed << " + in flight " << acct.in_flight << "  -> "
     << (acct.balanced() ? "OK" : "VIOLATED") << "\n";
  os << "\nInterrupts and NAPI\n";
  os << "  MSI-X interrupts " << irqs << ", NAPI polls " << napi_polls << " (" << napi_polls_full
     << " used the whole weight), RNBC " << rnbc << "\n";
  os << "  net_rx_action rounds " << net_rx_action << " (" << budget_exhausted << " ran out of budget, "
     << time_squeeze << " time_squeeze)\n";
  os << "\nLatency, first bit on the wire to recv() return (" << latency.samples << " frames)\n";
  os << "  p50 " << latency.p50_ns << " ns  p90 " << latency.p90_ns << " ns  p99 " << latency.p99_ns << " ns  p99.9 "
     << latency.p999_ns << " ns  max " << latency.max_ns << " ns\n";
  os << "\nCPU time by context (us)\n";
  for (const auto& [k, v] : cpu_ns)
    if (v > 0) os << "  " << std::left << std::setw(18) << k << std::right << std::setw(12) << v / 1000 << "\n";
  return os.str();
}

std::string Report::json() const {
  nlohmann::ordered_json j;
  j["seed"] = seed;
  j["sim_us"] = sim_us;
  j["offered"] = {{"frames", offered_frames}, {"bytes", offered_bytes}};
  j["delivered"] = {{"frames", delivered_frames}, {"bytes", delivered_bytes}, {"recv_calls", delivered_msgs},
                    {"errors", delivery_errors}};
  nlohmann::ordered_json d;
  for (const auto& [k, v] : acct.drops) d[k] = v;
  j["accounting"] = {{"offered", acct.offered}, {"delivered", acct.delivered}, {"consumed", acct.consumed},
                     {"in_flight", acct.in_flight}, {"in_flight_nic", acct.in_flight_nic},
                     {"dropped", acct.dropped()}, {"drops", d},
                     {"balanced", acct.balanced()}};
  j["interrupts"] = {{"msix", irqs}, {"napi_polls", napi_polls}, {"napi_polls_full_weight", napi_polls_full},
                     {"time_squeeze", time_squeeze}, {"rnbc", rnbc}, {"net_rx_action", net_rx_action},
                     {"budget_exhausted", budget_exhausted}};
  j["latency_ns"] = {{"samples", latency.samples}, {"p50", latency.p50_ns}, {"p90", latency.p90_ns},
                     {"p99", latency.p99_ns}, {"p999", latency.p999_ns}, {"max", latency.max_ns},
                     {"mean", latency.mean_ns}};
  nlohmann::ordered_json cpu, kinds, mibj;
  for (const auto& [k, v] : cpu_ns) cpu[k] = v;
  for (const auto& [k, v] : offered_by_kind) kinds[k] = v;
  for (const auto& [k, v] : mib) mibj[k] = v;
  j["cpu_ns"] = cpu;
  j["offered_by_kind"] = kinds;
  j["counters"] = mibj;
  if (!journey_json.empty()) j["journey"] = nlohmann::ordered_json::parse(journey_json);
  j["scenario"] = scenario_toml;
  return j.dump(2) + "\n";
}

}  // namespace rxpath::tb
