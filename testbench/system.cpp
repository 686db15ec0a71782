// SPDX-License-Identifier: MIT
#include "testbench/system.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <map>
#include <sstream>
#include <stdexcept>
#include <unordered_map>
#include <vector>

#include <tlm_utils/simple_initiator_socket.h>
#include <systemc>

#include "common/debug.hpp"
#include "common/sim_time.hpp"
#include "host/platform.hpp"
#include "nic/double/nic_double.hpp"
#include "nic/frame_ext.hpp"
#include "stack/process.hpp"
#include "testbench/capture.hpp"
#include "testbench/igb_counters.hpp"
#include "testbench/output_file.hpp"
#include "testbench/scoreboard.hpp"
#include "testbench/series.hpp"
#include "testbench/steady.hpp"
#include "verilator/sc/nic_sc.hpp"
#include "waves/host_fst.hpp"
#include "waves/recorder.hpp"

namespace rxpath::tb {

using sc_core::SC_NS;
using sc_core::SC_PS;
using sc_core::sc_time;

using common::kPsPerNs;
using common::now_ps;

struct System::Impl : sc_core::sc_module {
  SC_HAS_PROCESS(Impl);

  struct Socket {
    bool tcp = false;
    uint32_t flow = 0;
  };

  Impl(sc_core::sc_module_name nm, const Scenario& c, const std::string& toml)
      : sc_module(nm),
        cfg(c),
        scenario(toml),
        host_mac(parse_mac(c.host_mac)),
        host_ip(parse_ipv4(c.host_ip)),
        kernel("host", c.kernel, c.stack_cost),
        plat(kernel, sc_time(c.link_latency_ns, SC_NS)),
        gen(c.traffic, host_mac, host_ip),
        scoreboard(c.traffic, host_ip),
        captures(c.traffic, host_mac, host_ip),
        wire_out("wire_out") {
    build_nic();
    // the driver
    adapter = std::make_unique<host::IgbAdapter>(plat, cfg.igb, cfg.igb_cost);
    for (int i = 0; i < 6; ++i) adapter->netdev().dev_addr[i] = host_mac[i];
    adapter->netdev().ipv4_addr = host_ip;
    counters = std::make_unique<IgbCounters>(*adapter, kernel);
    build_reader();
    adapter->igb_probe();
    SC_THREAD(feed);
    build_series();
  }

  // The snapshots of the time series: the NIC's part from the NIC at its own
  // clock's time, the host's part by a thread of ours at the same times.
  void build_series() {
    SampleWindow w;
    w.traffic_start_us = cfg.start_us;
    w.traffic_stop_us = cfg.duration_us;
    w.warmup_us = cfg.warmup_us;
    w.sample_us = resolve_sample_us(SampleWindow{cfg.start_us, cfg.duration_us, cfg.warmup_us, cfg.sample_us});
    if (w.sample_us == 0) return;  // no traffic, no window
    series = std::make_unique<Series>(w);
    nic->probe_at(series->times_ps(), [this](uint64_t t, const nic::NicModel::Probe& p) { series->nic(t, p); });
    SC_THREAD(sample);
  }

  void sample() {
    const std::vector<uint64_t>& times = series->times_ps();
    for (size_t i = 0; i < times.size(); ++i) {
      const uint64_t now = now_ps();
      if (times[i] > now) sc_core::wait(sc_time(static_cast<double>(times[i] - now), SC_PS));
      // The state at the end of the instant: after every process that runs
      // at this time (a CPU's batch, the NIC's quantum, a wakeup), whatever
      // order SystemC runs them in. That order depends on which processes
      // are waiting, so it differs with the quantum.
      while (sc_core::sc_pending_activity_at_current_time()) sc_core::wait(sc_core::SC_ZERO_TIME);
      series->host(i, host_snapshot());
    }
  }

  // The host's counters and queue levels now (Snapshot, testbench/series.hpp).
  Snapshot host_snapshot() {
    Snapshot s;
    // Host memory as of now: the DMA writes that have arrived (the link
    // applies them at the next CPU sync, or at arrival while a tracer
    // watches them; either way they are in memory by now).
    plat.link().sync(sc_core::sc_time_stamp());
    for (unsigned q = 0; q < adapter->num_rx_queues(); ++q) {
      s.done_not_cleaned += adapter->rx_done_not_cleaned(q);
      s.nic_held += adapter->rx_held_by_nic(q);
    }
    for (const auto& [fd, _] : socks) {
      const stack::sock* sk = kernel.sock_of(fd);
      if (sk && sk->sk_rmem_alloc > 0) s.sock_rx_bytes += static_cast<uint64_t>(sk->sk_rmem_alloc);
    }
    for (int d = 0; d < static_cast<int>(stack::Drop::count); ++d)
      s.drops[std::string("stack.") + stack::drop_name(static_cast<stack::Drop>(d))] =
          kernel.drop_count(static_cast<stack::Drop>(d));
    for (unsigned v = 0; v < counters->num_vectors(); ++v) {
      const VectorCounters vc = counters->vector(v);
      s.msix += vc.irqs;
      s.polls += vc.polls;
    }
    for (unsigned c = 0; c < counters->num_cpus(); ++c) {
      const CpuCounters cc = counters->cpu(c);
      s.time_squeeze += cc.time_squeeze;
      for (const auto& [ctx, ns] : cc.ns_by_context) s.cpu_ns["cpu" + std::to_string(c) + "." + ctx] = ns;
    }
    s.counters = kernel.softirq_counters();
    const auto wait = kernel.wait_counters();
    s.counters.insert(s.counters.end(), wait.begin(), wait.end());
    return s;
  }

  // What the queues where frames wait can hold (the steady-state rule's yardstick).
  BacklogCapacity capacity() {
    BacklogCapacity c;
    for (unsigned q = 0; q < adapter->num_rx_queues(); ++q) c.ring_descriptors += adapter->rx_ring(q).count;
    c.pktbuf_bytes = rtl ? 65536.0 : static_cast<double>(cfg.nic_double.rx_fifo_bytes);  // RTL: PKTBUF_BYTES
    for (const auto& [fd, _] : socks)
      if (const stack::sock* sk = kernel.sock_of(fd)) c.sock_bytes += static_cast<double>(sk->sk_rcvbuf);
    return c;
  }

  // The NIC model the scenario names, bound to the link and the wire.
  void build_nic() {
    if (cfg.nic_model == "rtl") {
      if (cfg.igb.rss_queues < 1 || cfg.igb.rss_queues > bridge::NicSc::kMaxQueues)
        throw std::invalid_argument("igb.queues: the Verilated NIC offers 1.." +
                                    std::to_string(bridge::NicSc::kMaxQueues) + " queues");
      auto v = std::make_unique<bridge::NicSc>("nic", sc_time(cfg.quantum_ns, SC_NS), cfg.igb.rss_queues);
      v->idle_skip(cfg.idle_skip);
      rtl = v.get();
      nic = std::move(v);
    } else {
      nic = std::make_unique<nic::NicDouble>("nic", cfg.nic_double);
    }
    nic->dma_socket().bind(plat.link().dma);
    plat.link().mmio.bind(nic->mmio_socket());
    nic->msix_socket().bind(plat.link().msix);
    wire_out.bind(nic->wire_socket());
    nic->on_wire_start([this](uint64_t id, uint64_t t_ps) {
      scoreboard.wire_start(id, t_ps);
      captures.wire_start(id, t_ps);
    });
  }

  // One socket per flow (UDP, then TCP as established connections), the idle
  // ones, and the reader processes that wait on them (app.readers, each on
  // its CPU of app.reader_cpus). With app.reuseport every reader opens its
  // own SO_REUSEPORT socket on each UDP flow's port; otherwise, and for TCP,
  // socket i goes to reader i mod N. The idle sockets go to reader 0.
  void build_reader() {
    const size_t n = cfg.reader_cpus.empty() ? 1 : cfg.reader_cpus.size();
    std::vector<stack::UserProcessConfig> ucs(n);
    for (size_t r = 0; r < n; ++r) {
      ucs[r].name = n == 1 ? "reader" : "reader" + std::to_string(r);
      ucs[r].cpu = cfg.reader_cpus.empty() ? static_cast<int>(cfg.app_cpu) : cfg.reader_cpus[r];
      ucs[r].mode = stack::parse_wait_mode(cfg.app_mode);
      ucs[r].recv_size = static_cast<size_t>(cfg.app_recv_size);
    }
    const TrafficConfig& t = cfg.traffic;
    const uint32_t src_ip = parse_ipv4(t.src_ip);
    size_t next = 0;
    for (uint32_t i = 0; i < t.udp_flows; ++i) {
      const auto port = static_cast<uint16_t>(t.udp_port + i);
      if (cfg.app_reuseport) {
        for (size_t r = 0; r < n; ++r) {
          const int fd = kernel.udp_socket(host_ip, port, -1, true);
          ucs[r].fds.push_back(fd);
          add_socket(fd, false, i);
        }
        continue;
      }
      const int fd = kernel.udp_socket(host_ip, port);
      ucs[next++ % n].fds.push_back(fd);
      add_socket(fd, false, i);
    }
    for (uint32_t i = 0; i < t.tcp_flows; ++i) {
      const int fd = kernel.tcp_established(host_ip, static_cast<uint16_t>(t.tcp_port + i), src_ip + t.udp_flows + i,
                                            static_cast<uint16_t>(40000 + i), t.tcp_isn, 0);
      ucs[next++ % n].fds.push_back(fd);
      add_socket(fd, true, i);
    }
    for (int64_t i = 0; i < cfg.app_idle_fds; ++i)
      ucs[0].idle_fds.push_back(kernel.udp_socket(host_ip, static_cast<uint16_t>(cfg.app_idle_port + i)));
    for (size_t r = 0; r < n; ++r)
      readers.push_back(
          std::make_unique<stack::UserProcess>(kernel, ucs[r], [this](const stack::Delivery& d) { on_delivery(d); }));
  }

  void add_socket(int fd, bool tcp, uint32_t flow) {
    socks[fd] = Socket{tcp, flow};
    scoreboard.add_socket(fd, tcp, flow);
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
    // Tracing: a TCP segment with under 8 bytes of payload carries no frame
    // number; the driver's trace_id_of finds it by port and sequence.
    if (rec && f.kind == FrameKind::tcp && f.payload_len < 8) short_tcp[tcp_key(f.data.data(), f.data.size())] = f.id;
    scoreboard.offered(f);
    if (series) series->offered(f.t_ps, f.wire_bytes());
    captures.offered(f);
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
    const uint64_t now = now_ps();
    sc_time d(static_cast<double>(f.t_ps - std::min(f.t_ps, now)), SC_PS);
    wire_out->b_transport(p, d);
    if (p.get_response_status() != tlm::TLM_OK_RESPONSE) throw std::runtime_error("wire: NIC refused a frame");
  }

  void on_delivery(const stack::Delivery& d) {
    const uint64_t t = common::to_ps(d.time);
    const uint64_t frames0 = scoreboard.figures().delivered_frames;
    scoreboard.delivered(d, t);
    if (series) series->delivered(t, scoreboard.figures().delivered_frames - frames0, d.bytes.size());
    auto it = socks.find(d.fd);
    captures.delivered(d.fd, t, d.bytes, it != socks.end() && it->second.tcp ? scoreboard.stream_offset(d.fd) : 0,
                       d.from);
  }

  // Replay: how much of the capture went on the wire, and a warning for
  // what a user would otherwise not notice.
  void replay_summary(Report& r) {
    const std::string& file = cfg.traffic.pcap;
    r.replay.valid = true;
    r.replay.offered = scoreboard.offered_frames();
    r.replay.not_offered = gen.replay_records() - r.replay.offered;
    r.replay.backwards = gen.replay_backwards();
    r.replay.padded = gen.replay_padded();
    if (r.replay.not_offered)
      std::fprintf(stderr,
                   "rxpath: warning: %s: %llu of %llu capture records fall after run.duration_us (%g us, the end of "
                   "traffic) and were not offered; a later run.duration_us, or none, replays them\n",
                   file.c_str(), static_cast<unsigned long long>(r.replay.not_offered),
                   static_cast<unsigned long long>(r.replay.offered + r.replay.not_offered), cfg.duration_us);
    if (r.replay.backwards)
      std::fprintf(stderr,
                   "rxpath: warning: %s: record %llu (and %llu more) is stamped before an earlier record; sent right "
                   "after it, in file order\n",
                   file.c_str(), static_cast<unsigned long long>(gen.replay_first_backwards()),
                   static_cast<unsigned long long>(r.replay.backwards - 1));
  }

  // Frames the driver has handed up from every ring.
  uint64_t handed_up() const {
    uint64_t n = 0;
    for (unsigned q = 0; q < counters->num_queues(); ++q) n += counters->queue(q).rx_packets;
    return n;
  }

  Scenario cfg;
  std::string scenario;
  MacAddr host_mac;
  uint32_t host_ip;
  stack::Kernel kernel;
  host::HostPlatform plat;
  TrafficGen gen;
  Scoreboard scoreboard;
  Captures captures;
  tlm_utils::simple_initiator_socket<Impl> wire_out;
  std::unique_ptr<nic::NicModel> nic;
  bridge::NicSc* rtl = nullptr;  // the same NIC when it is the Verilated one (tracing)
  std::unique_ptr<host::IgbAdapter> adapter;
  std::unique_ptr<IgbCounters> counters;
  std::vector<std::unique_ptr<stack::UserProcess>> readers;
  std::map<int, Socket> socks;
  bool feeding = true;
  // tracing (attach(), trace_fst(), stop_when())
  waves::Recorder* rec = nullptr;
  // Short TCP segments offered while tracing: (port, seq) -> frame number.
  std::unordered_map<uint64_t, uint64_t> short_tcp;
  // (destination port, sequence number) of an IPv4 TCP frame; 0 when it is not one.
  static uint64_t tcp_key(const uint8_t* d, size_t len) {
    if (len < 34 || d[12] != 0x08 || d[13] != 0x00 || d[23] != 6) return 0;
    const size_t l4 = 14 + (d[14] & 15) * 4u;
    if (l4 + 8 > len) return 0;
    const uint64_t port = uint64_t(d[l4 + 2]) << 8 | d[l4 + 3];
    const uint64_t seq = uint64_t(d[l4 + 4]) << 24 | uint64_t(d[l4 + 5]) << 16 | uint64_t(d[l4 + 6]) << 8 | d[l4 + 7];
    return 1ull << 48 | port << 32 | seq;
  }
  std::string fst_path;
  std::unique_ptr<OutputFile> fst_out;  // the FST (RTL + host), committed after the run
  std::unique_ptr<waves::HostFst> host_fst;
  std::function<bool()> stop;
  std::unique_ptr<Series> series;
};

namespace {

// Why the FST at `path` is not whole ("" when it is): its blocks (a type
// byte and a big-endian length that counts itself) must tile the file to
// its last byte, and the hierarchy, written last at close, must be there.
// The FST writer does not check its writes, so a full disk leaves a file
// whose header was rewritten in place but whose tail is missing.
std::string fst_incomplete(const std::string& path) {
  std::ifstream in(path, std::ios::binary | std::ios::ate);
  if (!in) return "cannot be read back";
  const uint64_t size = static_cast<uint64_t>(in.tellg());
  uint64_t pos = 0;
  bool header = false, hier = false;
  while (pos < size) {
    unsigned char b[9];
    in.seekg(static_cast<std::streamoff>(pos));
    if (!in.read(reinterpret_cast<char*>(b), sizeof b))
      return "cut inside a block header at byte " + std::to_string(pos);
    uint64_t len = 0;
    for (int i = 1; i < 9; ++i) len = len << 8 | b[i];
    if (b[0] == 0) header = true;
    if (b[0] == 4 || b[0] == 6 || b[0] == 7) hier = true;
    if (b[0] == 255) return "a block was never finished (at byte " + std::to_string(pos) + ")";
    if (len < 8 || len > size - pos - 1) return "cut inside a block at byte " + std::to_string(pos);
    pos += 1 + len;
  }
  if (!header || !hier) return "no header or hierarchy block (cut at " + std::to_string(size) + " bytes)";
  return "";
}

}  // namespace

System::System(const Scenario& cfg, const std::string& scenario_toml)
    : impl_(std::make_unique<Impl>("system", cfg, scenario_toml)) {}

// Teardown: every SystemC thread still alive is killed, so that its frames
// unwind (the skbs, buffers and pages they hold go back, wait-queue entries
// leave their heads) while everything they point into still exists; only
// then do the objects go. Without it their frames were never unwound, and
// what only they held (on stacks SystemC mmaps, which LeakSanitizer does
// not scan) was reported as leaked at exit by `make sanitize`.
// kill() needs a calling process (stack/cpu.cpp end_process), so a process
// of ours does it in one delta cycle. Before the first sc_start nothing has
// run (nothing to unwind); after an error ended the simulation sc_start
// would only report E548 (the program is on its way out with the error);
// there is one System per program, so every thread is ours.
void System::end_threads() {
  if (!sc_core::sc_is_running() || sc_core::sc_get_curr_simcontext()->get_error()) return;
  std::vector<sc_core::sc_process_handle> threads;
  std::function<void(sc_core::sc_object*)> collect = [&](sc_core::sc_object* o) {
    sc_core::sc_process_handle h(o);
    if (h.valid() && h.proc_kind() != sc_core::SC_METHOD_PROC_ && !h.terminated()) threads.push_back(h);
    for (sc_core::sc_object* c : o->get_child_objects()) collect(c);
  };
  for (sc_core::sc_object* o : sc_core::sc_get_top_level_objects()) collect(o);
  if (threads.empty()) return;
  sc_core::sc_spawn_options opt;
  sc_core::sc_spawn(
      [threads]() mutable {
        for (sc_core::sc_process_handle& h : threads)
          if (!h.terminated()) h.kill();
      },
      "system_teardown", &opt);
  sc_core::sc_start(sc_core::SC_ZERO_TIME);
}

System::~System() {
  try {
    end_threads();
  } catch (const std::exception& e) {  // a destructor does not throw; say it and go on
    std::fprintf(stderr, "rxpath: warning: teardown: %s\n", e.what());
  }
}

void System::capture_wire(const std::string& path) { impl_->captures.open_wire(path); }

void System::capture_sockets(const std::string& dir) {
  for (const auto& [fd, s] : impl_->socks) impl_->captures.open_socket(dir, fd, s.tcp, s.flow);
  impl_->captures.open_tx(dir + "/tx.pcap");
  // tx_emit syncs the sending CPU first: now is the send time.
  impl_->kernel.set_tx_capture(
      [this](stack::TxKind, const std::vector<uint8_t>& f) { impl_->captures.transmitted(now_ps(), f); });
}

void System::attach(waves::Recorder& rec) {
  Impl& m = *impl_;
  m.rec = &rec;
  m.kernel.set_tracer(&rec);
  m.adapter->trace_attach();  // the ring and vector signals from time 0
  if (m.rtl && rec.wants_nic()) m.rtl->on_event([&rec](const nic::NicEvent& e) { rec.nic(e); });
  // The driver names each packet by the number the traffic wrote into it,
  // plus one (waves::Recorder::host_id: 0 is "no packet"); a replayed
  // capture carries none.
  if (m.cfg.traffic.pattern != "pcap")
    m.adapter->trace_id_of = [impl = &m](const uint8_t* frame, size_t len) -> uint64_t {
      bool carries = false;
      const uint64_t n = TrafficGen::frame_id_of(frame, len, &carries);
      if (carries) return waves::Recorder::host_id(n);
      const auto it = impl->short_tcp.find(Impl::tcp_key(frame, len));
      if (it == impl->short_tcp.end()) return 0;
      const uint64_t id = it->second;
      impl->short_tcp.erase(it);
      return waves::Recorder::host_id(id);
    };
}

void System::trace_fst(const std::string& path) {
  Impl& m = *impl_;
  if (!m.rtl) throw std::invalid_argument("--trace needs nic.model = \"rtl\" (the double has no RTL to trace)");
  if (!m.rec) throw std::logic_error("System::trace_fst: attach() a recorder first");
  m.fst_path = path;
  // Beside the target, so a failure to create it names the right folder.
  m.fst_out = std::make_unique<OutputFile>(path);
  if (m.fst_out->direct())
    throw std::invalid_argument(path + ": --trace needs a regular file (the FST writer seeks back into it)");
  m.fst_out->scratch_beside(".hier");  // fstapi's hierarchy, beside the file until it closes
  m.rtl->trace_fst(m.fst_out->temp_path(), m.rec->start_ps(), m.rec->stop_ps());
  // The host's signals go into the same file as the run goes (waves/host_fst.hpp).
  m.host_fst = std::make_unique<waves::HostFst>(m.rec->signals());
  m.rtl->trace_sidecar(
      [hf = m.host_fst.get()](common::FstSink& fst, uint64_t t_ps, bool first) { hf->on_dump(fst, t_ps, first); });
}

void System::stop_when(std::function<bool()> f) { impl_->stop = std::move(f); }

void System::debug(const std::string& list) { common::debug::enable(list); }

Report System::run(bool progress) {
  Impl& m = *impl_;
  const auto wall0 = std::chrono::steady_clock::now();
  const sc_time dur(m.cfg.duration_us, sc_core::SC_US);
  const sc_time slice = m.stop ? sc_time(10, sc_core::SC_US) : std::max(dur / 50.0, sc_time(10, sc_core::SC_US));
  Report r;
  auto elapsed = [&] { return std::chrono::duration<double>(std::chrono::steady_clock::now() - wall0).count(); };
  double last_note = 0;
  // A capture file that failed inside a process (Captures::error) ends the
  // run here, outside every process, so the teardown can unwind them.
  auto advance = [&m](const sc_time& t) {
    sc_core::sc_start(t);
    if (!m.captures.error().empty()) throw PcapError(m.captures.error());
  };
  while (sc_core::sc_time_stamp() < dur) {
    advance(std::min(slice, dur - sc_core::sc_time_stamp()));
    if (m.stop && m.stop()) {
      r.stopped = true;
      return r;
    }
    if (progress && elapsed() - last_note > 1.0) {
      last_note = elapsed();
      // Percent of the traffic's simulated time, the offered rate so far
      // and the wall time left if the rest goes as fast (the drain is short).
      const double now_us = sc_core::sc_time_stamp().to_seconds() * 1e6;
      const uint64_t offered = m.scoreboard.offered_frames();
      const double eta_s = now_us > 0 ? elapsed() * (m.cfg.duration_us - now_us) / now_us : 0;
      std::fprintf(stderr, "rxpath: %3.0f%% of %.0f us simulated, %llu frames offered (%s), %.1f s, ETA %.0f s   \r",
                   100 * now_us / m.cfg.duration_us, m.cfg.duration_us, static_cast<unsigned long long>(offered),
                   rate_text(now_us > 0 ? offered / now_us * 1e6 : 0, 2).c_str(), elapsed(), eta_s);
    }
  }
  // Drain: no new traffic. Frames may still wait in the NIC for a throttled
  // interrupt, so stop only after a quiet window longer than twice the
  // longest interrupt interval with nothing queued in the host, and longer
  // than two round trips over the link (an interrupt reaches the driver, its
  // refill reaches the NIC, the NIC's next writes reach the host).
  const host::IgbConfig& ic = m.cfg.igb;
  const double itr_us = ic.rx_itr_setting == 0   ? 0
                        : ic.rx_itr_setting <= 3 ? host::IGB_4K_ITR / 4.0
                                                 : ic.rx_itr_setting;
  const double link_us = m.cfg.link_latency_ns / 1000;
  const double quiet_us = std::max({50.0, 2 * itr_us + 20, 4 * link_us + 20});
  const sc_time quiet(quiet_us, sc_core::SC_US);
  const sc_time drain_end = dur + sc_time(std::max(m.cfg.drain_us, quiet_us + 4 * link_us), sc_core::SC_US);
  uint64_t last_packets = UINT64_MAX;
  sc_time quiet_since = sc_core::sc_time_stamp();
  while (sc_core::sc_time_stamp() < drain_end) {
    advance(sc_time(10, sc_core::SC_US));
    if (m.stop && m.stop()) {
      r.stopped = true;
      return r;
    }
    const uint64_t pk = m.handed_up();
    // Fragments of an incomplete datagram stay put until their reassembly
    // queue expires: the drain waits for that only when it falls inside it.
    const stack::FrameAccount fa = m.kernel.frame_account();
    const bool waiting_frags = fa.in_reassembly && m.kernel.next_frag_expiry() < drain_end;
    const bool idle = !m.feeding && pk == last_packets && fa.in_flight == fa.in_reassembly && !waiting_frags &&
                      m.plat.link().writes_in_flight() == 0;
    if (!idle)
      quiet_since = sc_core::sc_time_stamp();
    else if (sc_core::sc_time_stamp() - quiet_since >= quiet)
      break;
    last_packets = pk;
  }
  // Read the NIC's statistics registers as `ethtool -S` would (MMIO from CPU0).
  bool stats_done = false;
  m.kernel.cpus().create_task("ethtool", 0, [&](stack::Task&) {
    m.adapter->igb_update_stats();
    stats_done = true;
  });
  // Each register read is a round trip over the link.
  const int stats_wait_us = static_cast<int>(1000 + 64 * 2 * link_us);
  for (int i = 0; i < stats_wait_us && !stats_done; ++i) advance(sc_time(1, sc_core::SC_US));
  if (progress) std::fprintf(stderr, "%120s\r", "");

  r.scenario_toml = m.scenario;
  r.seed = m.cfg.traffic.seed;
  r.sim_us = sc_core::sc_time_stamp().to_seconds() * 1e6;
  r.traffic_us = std::max(0.0, m.cfg.duration_us - m.cfg.start_us);
  r.wall_s = elapsed();
  r.nic_cycles = m.nic->cycle();
  fill_report(r, *m.counters, m.scoreboard.figures());
  for (const auto& rd : m.readers) {
    Report::Reader x;
    x.name = rd->task().name();
    x.cpu = rd->task().cpu().id();
    x.messages = rd->messages();
    x.bytes = rd->bytes();
    r.readers.push_back(x);
  }
  if (m.cfg.traffic.pattern == "pcap") m.replay_summary(r);
  if (m.series && m.series->complete()) {
    std::vector<std::string> drops;
    for (const auto& [k, _] : r.acct.drops) drops.push_back(k);
    const TrafficFigures& t = m.scoreboard.figures();
    r.measured = m.series->measured(drops, m.counters->num_cpus(), t.latency_ns, t.latency_start_ps);
    r.steady = judge_steady(*m.series, m.capacity());
    r.series_csv = m.series->csv(drops);
  }
  m.captures.close();
  if (!m.fst_path.empty()) {
    // Complete once closed (the last host changes go in before it closes).
    m.rtl->trace_flush_close();
    const auto end_ps = static_cast<uint64_t>(sc_core::sc_time_stamp().to_seconds() * 1e12 + 0.5);
    if (m.rec->start_ps() >= end_ps) {
      m.fst_out.reset();  // the window holds no samples: nothing written (rxpath says so)
      return r;
    }
    const std::string why = fst_incomplete(m.fst_out->temp_path());
    if (!why.empty()) {
      m.fst_out.reset();
      throw std::runtime_error(m.fst_path + ": the trace could not be written whole (" + why +
                               "; a full disk?); no trace written");
    }
    m.fst_out->commit();
    m.fst_out.reset();
    r.trace_path = m.fst_path;
    r.trace_host_changes = m.host_fst->changes();
    r.trace_host_late = m.host_fst->late();
  }
  return r;
}

}  // namespace rxpath::tb
