// SPDX-License-Identifier: MIT
// NicSc: the clock loop, the timed inboxes and the four TLM sockets around the
// Verilated NIC (see nic_sc.hpp; docs/theory/time.md for why this is exact).
#include "verilator/sc/nic_sc.hpp"

#include <algorithm>
#include <deque>

// verilated_funcs.h calls sc_time_stamp() unqualified when SystemC is present.
using sc_core::sc_time_stamp;
#include <sstream>

#include <verilated_fst_c.h>

#include "Vnic_top.h"
#include "Vnic_top___024root.h"
#include "Vnic_top_q4.h"
#include "Vnic_top_q4___024root.h"
#include "Vnic_top_q8.h"
#include "Vnic_top_q8___024root.h"
#include "common/fst_api_sink.hpp"
#include "common/unaligned.hpp"
#include "nic/frame_ext.hpp"
#include "verilator/sc/axi2tlm.hpp"
#include "verilator/sc/nic_tracker.hpp"
#include "verilator/vh/axi.hpp"
#include "verilator/vh/axil.hpp"
#include "verilator/vh/fst.hpp"
#include "verilator/vh/idle_skip.hpp"
#include "verilator/vh/sim_ctrl.hpp"
#include "verilator/vh/xgmii.hpp"

namespace rxpath::bridge {

using sc_core::SC_PS;
using sc_core::sc_time;

namespace {
constexpr unsigned kResetEdges = 8;

uint64_t to_ps(const sc_time& t) { return static_cast<uint64_t>(t.value() / sc_time(1, SC_PS).value()); }
// The first clock edge at or after time `ps` (edge n is at n * 6.4 ns).
uint64_t edge_at_or_after(uint64_t ps) { return (ps + NicSc::kPsPerCycle - 1) / NicSc::kPsPerCycle; }
}  // namespace

// What the sockets and the clock loop use, whatever the model (NUM_QUEUES):
// the inboxes, statistics, trace and probe state, and the model's clock.
struct NicSc::Impl {
  struct MmioOp {
    uint64_t edge;
    bool write;
    uint32_t addr, data;
    tlm::tlm_generic_payload* read = nullptr;  // the host's payload, answered by BEGIN_RESP
  };
  struct TimedFrame {
    uint64_t edge;
    uint64_t id;
    vh::WireFrame f;
  };

  explicit Impl(sc_time q) : quantum(q) {}
  virtual ~Impl() = default;
  Impl(const Impl&) = delete;
  Impl& operator=(const Impl&) = delete;

  virtual uint64_t cycle() const = 0;
  virtual void step() = 0;
  virtual void close_trace() = 0;
  virtual uint64_t step_ps(uint64_t now, uint64_t q) const = 0;
  virtual void try_skip(uint64_t last) = 0;
  virtual uint64_t edge_for_arrival(const sc_time& arrival, bool* late) = 0;
  virtual void read_done(tlm::tlm_generic_payload& p, uint64_t edge) = 0;
  virtual void trace_open(VerilatedFstC& fst) = 0;  // traceEverOn + the model's trace()

  sc_time quantum;
  std::deque<MmioOp> mmio_q;
  MmioOp cur{};
  bool cur_valid = false;
  std::deque<TimedFrame> frames;
  size_t msix_sent = 0;
  nic::NicModel::WireStartFn wire_start;
  NicScStats stats;
  std::function<void(const nic::NicEvent&)> event_cb;
  std::unique_ptr<NicTracker> tracker;  // only with an on_event callback
  // probe_at(): the times, the next one, RQDPC events counted
  nic::NicModel::ProbeFn probe_fn;
  std::vector<uint64_t> probe_times;
  size_t probe_next = 0;
  uint64_t rqdpc_seen = 0;
  bool msix_req_prev = false;
  std::unique_ptr<VerilatedFstC> fst;
  std::unique_ptr<common::FstApiSink> fst_sink;  // the sidecar writes through it
  bool trace_armed = false;
  uint64_t dumps_since_flush = 0;
  FstSidecar sidecar;
  bool sidecar_open = false;
  uint64_t trace_start = 0, trace_stop = 0;
  bool idle_skip = false;
  uint64_t pending = 0;  // clocks skipped since the last evaluated one (try_skip)
};

namespace {

// The model-specific part: M is Vnic_top (NUM_QUEUES=1), Vnic_top_q4 or Vnic_top_q8.
template <class M>
struct ImplT final : NicSc::Impl {
  static constexpr uint64_t kPsPerCycle = NicSc::kPsPerCycle;
  explicit ImplT(NicSc& owner, sc_time q)
      : Impl(q),
        self(owner),
        xgmii(&sim.top().xgmii_rxd_i, &sim.top().xgmii_rxc_i),
        axil(axil_bus),
        msix(&sim.top().msix_valid_o, &sim.top().msix_vector_o, &sim.top().msix_ready_i, &sim.top().rst_ni),
        axi(axi_bus,
            Axi2Tlm::Port{[this](uint64_t e, uint64_t a, const uint8_t* p, size_t n) { return dma_write(e, a, p, n); },
                          [this](uint64_t e, tlm::tlm_generic_payload& p) { dma_read(e, p); }}) {
    axi_bus.connect(sim.top());
    axil_bus.connect(sim.top());
    sim.add(xgmii);
    sim.add(axil);
    sim.add(axi);
    sim.add(msix);
    sim.before_cycle.push_back([this](uint64_t c) { before_cycle(c); });
    sim.on_cycle.push_back([this](uint64_t c) { after_cycle(c); });
  }

  // Time of clock edge n relative to the current SystemC time: the annotated
  // delay of everything the NIC sends at that edge.
  sc_time delay_of(uint64_t edge) const {
    const uint64_t ps = edge * kPsPerCycle;
    const uint64_t now = to_ps(sc_core::sc_time_stamp());
    if (ps < now) SC_REPORT_FATAL(self.name(), "NIC sent a message before the current SystemC time");
    return sc_time(static_cast<double>(ps - now), SC_PS);
  }

  tlm::tlm_response_status dma_write(uint64_t edge, uint64_t addr, const uint8_t* p, size_t n) {
    if (tracker) tracker->dma_write(edge, addr, n);
    tlm::tlm_generic_payload gp;
    gp.set_command(tlm::TLM_WRITE_COMMAND);
    gp.set_address(addr);
    gp.set_data_ptr(const_cast<uint8_t*>(p));
    gp.set_data_length(static_cast<unsigned>(n));
    gp.set_streaming_width(static_cast<unsigned>(n));
    gp.set_byte_enable_ptr(nullptr);
    gp.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
    sc_time d = delay_of(edge);
    self.dma->b_transport(gp, d);
    if (gp.get_response_status() != tlm::TLM_OK_RESPONSE) ++stats.dma_errors;
    ++stats.dma_write_bursts;
    stats.dma_write_bytes += n;
    return gp.get_response_status();
  }

  void dma_read(uint64_t edge, tlm::tlm_generic_payload& p) {
    tlm::tlm_phase ph = tlm::BEGIN_REQ;
    sc_time d = delay_of(edge);
    ++stats.dma_read_bursts;
    stats.dma_read_bytes += p.get_data_length();
    const tlm::tlm_sync_enum r = self.dma->nb_transport_fw(p, ph, d);
    if (r == tlm::TLM_COMPLETED) {
      // Refused at once (error status) or answered in the call: the data is
      // usable from the annotated time on.
      if (p.get_response_status() != tlm::TLM_OK_RESPONSE) ++stats.dma_errors;
      axi.read_done(p, std::max(edge + 1, edge_at_or_after(to_ps(sc_core::sc_time_stamp() + d))));
    }
  }

  // Start of the step that makes edge c + 1. What has arrived by that edge is
  // handed to the agents now; they drive it after the edge, so the RTL sees it
  // at edge c + 2 (the adapters register their inputs: one cycle, always).
  void before_cycle(uint64_t c) {
    const uint64_t edge = c + 1;
    sim.top().rst_ni = edge > kResetEdges;
    if (trace_armed) trace_window(edge);
    // Register operations, one at a time and in arrival order.
    if (!cur_valid && !mmio_q.empty() && mmio_q.front().edge <= edge && edge > kResetEdges) {
      cur = mmio_q.front();
      mmio_q.pop_front();
      cur_valid = true;
      if (cur.write)
        axil.start_write(cur.addr, cur.data);
      else
        axil.start_read(cur.addr);
    }
    // Frames, each at its wire time; the encoder keeps the gap rules.
    while (!frames.empty() && frames.front().edge <= edge && xgmii.enc.queued_chars() < 16) {
      TimedFrame& tf = frames.front();
      const size_t q0 = xgmii.enc.queued_chars();
      const size_t chars = 8 + tf.f.data.size() + (tf.f.fcs_included ? 0 : 4) + (tf.f.no_terminate ? 0 : 1);
      xgmii.send(tf.f);
      const size_t pad = xgmii.enc.queued_chars() - q0 - chars;
      const uint64_t pos = q0 + pad;  // characters before this frame's /S/
      if (wire_start) wire_start(tf.id, (edge + 1 + pos / 8) * kPsPerCycle);
      if (tracker) {
        // The /T/ (or, without one, the next character) follows the 8
        // characters /S/, preamble and SFD and the frame with its FCS.
        const uint64_t wire_len = tf.f.data.size() + (tf.f.fcs_included ? 0 : 4);
        const bool fault = tf.f.bad_preamble || tf.f.bad_sfd || tf.f.no_terminate ||
                           (tf.f.error_at >= 0 && static_cast<uint64_t>(tf.f.error_at) < tf.f.data.size());
        tracker->wire_frame(tf.id, edge + 1 + pos / 8, edge + 1 + (pos + 8 + wire_len) / 8,
                            static_cast<uint32_t>(wire_len), fault, static_cast<unsigned>(pos % 8));
      }
      frames.pop_front();
    }
  }

  void after_cycle(uint64_t edge) {
    ++stats.cycles;
    if (tracker) observe(edge);
    if (probe_fn) probe(edge);
    if (cur_valid && !axil.busy()) {
      cur_valid = false;
      if (cur.write) {
        ++stats.mmio_writes;
      } else {
        ++stats.mmio_reads;
        const uint32_t v = axil.last_rdata();
        put_unaligned_le32(v, cur.read->get_data_ptr());
        cur.read->set_response_status(axil.last_resp() == 0 ? tlm::TLM_OK_RESPONSE : tlm::TLM_GENERIC_ERROR_RESPONSE);
        tlm::tlm_phase ph = tlm::BEGIN_RESP;
        sc_time d2 = delay_of(edge);
        self.mmio->nb_transport_bw(*cur.read, ph, d2);
      }
    }
    while (msix_sent < msix.msgs.size()) {
      const vh::MsixMsg& m = msix.msgs[msix_sent++];
      uint8_t data[4] = {static_cast<uint8_t>(m.vector), 0, 0, 0};
      tlm::tlm_generic_payload gp;
      gp.set_command(tlm::TLM_WRITE_COMMAND);
      gp.set_address(0xFEE00000u);  // the x86 MSI address window; the vector is the data
      gp.set_data_ptr(data);
      gp.set_data_length(4);
      gp.set_streaming_width(4);
      gp.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
      sc_time d = delay_of(m.cycle + 1);
      if (tracker) tracker->msix_sent(m.cycle + 1, m.vector);
      self.msix->b_transport(gp, d);
      ++stats.msix;
    }
    if (msix_sent > 4096) {  // keep the record short: it is only a hand-over queue here
      msix.msgs.erase(msix.msgs.begin(), msix.msgs.begin() + static_cast<long>(msix_sent));
      msix_sent = 0;
    }
  }

  // The observation port after edge `edge` (only with an on_event callback).
  void observe(uint64_t edge) {
    auto& t = sim.top();
    tracker->announce(edge);
    const bool req = t.msix_valid_o;
    if (req && !msix_req_prev) tracker->msix_request(edge, t.msix_vector_o);
    msix_req_prev = req;
    if (!(t.obs_mac_o | t.obs_mac_badpre_o | t.obs_pb_store_o | t.obs_pb_drop_o | t.obs_take_o | t.obs_rnbc_o |
          t.obs_rqdpc_o | t.obs_rxdis_o | t.obs_desc_o | t.obs_wb_o | t.obs_dev_rst_o))
      return;
    ObsSample s;
    s.mac = t.obs_mac_o;
    s.badpre = t.obs_mac_badpre_o;
    s.mac_class = t.obs_mac_class_o;
    s.mac_len = t.obs_mac_len_o;
    s.pb_store = t.obs_pb_store_o;
    s.pb_drop = t.obs_pb_drop_o;
    s.take = t.obs_take_o;
    s.rnbc = t.obs_rnbc_o;
    s.rqdpc = t.obs_rqdpc_o;
    s.rxdis = t.obs_rxdis_o;
    s.dma_q = t.obs_dma_q_o;
    s.desc = t.obs_desc_o;
    s.desc_q = t.obs_desc_q_o;
    s.desc_idx = t.obs_desc_idx_o;
    s.desc_addr = t.obs_desc_addr_o;
    s.desc_ring = t.obs_desc_ring_o;
    s.wb = t.obs_wb_o;
    s.wb_q = t.obs_wb_q_o;
    s.wb_vec_ok = t.obs_wb_vec_ok_o;
    s.wb_vec = t.obs_wb_vec_o;
    s.dev_rst = t.obs_dev_rst_o;
    tracker->observe(edge, s);
  }

  // The FST window: dumping starts with the first edge at or after start_ps
  // (a full dump) and ends, with the file closed, after the last edge at or
  // before stop_ps. Outside it no dump function is installed at all.
  void trace_window(uint64_t edge) {
    const uint64_t ps = edge * kPsPerCycle;
    if (!sim.trace_dump && ps >= trace_start && ps <= trace_stop) {
      // SimCtrl dumps after the rising edge with its context time at
      // edge * 6400 - 3200 and after the falling one at edge * 6400: shift
      // both by half a clock so edge n is at n * 6400 ps.
      sim.trace_dump = [this](uint64_t t) {
        const uint64_t at = t + kPsPerCycle / 2;
        if (at <= trace_stop) {
          if (sidecar) {
            // One sample per clock, after the rising edge (edge n at n * 6400 ps):
            // host changes between two samples go in at their own times.
            if (at % kPsPerCycle != 0) return;
            if (sidecar_open) sidecar(*fst_sink, at, false);
            fst->dump(at);
            if (!sidecar_open) {
              sidecar_open = true;
              sidecar(*fst_sink, at, true);
            }
          } else {
            fst->dump(at);
          }
          // Small FST blocks (trace cost): the FST writer walks every
          // signal's change chain when it writes a block; blocks of ~4000
          // cycles stay in cache (measured best of 512..16384 dumps).
          if (++dumps_since_flush >= 8192) {
            fst->flush();
            dumps_since_flush = 0;
          }
        }
      };
    } else if (ps > trace_stop) {
      close_trace();
    }
  }
  void close_trace() override {
    trace_armed = false;
    sim.trace_dump = nullptr;
    if (fst && fst->isOpen()) {
      if (sidecar && sidecar_open) sidecar(*fst_sink, UINT64_MAX, false);
      fst->close();
    }
  }
  // With a sidecar, inside the window (and from the wait that reaches its
  // start) the NIC runs one clock per wait: see NicSc::trace_sidecar.
  uint64_t step_ps(uint64_t now, uint64_t q) const override {
    if (!sidecar || !trace_armed || now + q <= trace_start) return q;
    if (now >= trace_start) return kPsPerCycle;
    return (trace_start - now + kPsPerCycle - 1) / kPsPerCycle * kPsPerCycle;
  }

  // Idle-skip (NicSc::idle_skip): called before the step that makes edge
  // cycle() + 1, with `last` the last edge of this quantum. When the model
  // is quiescent, moves the clock on by clocks taken as evaluated, up to the
  // clock before `f`, the earliest of the limits below; the step that makes
  // `f` then runs with skip_cycles_i = the clocks skipped since the last
  // evaluated one. When nothing limits the skip within this quantum it runs
  // through `last` and the evaluation waits for a later quantum (pending:
  // the model still holds the state of clock cycle() - pending, which is
  // the state of every clock since but for its time bases). Nothing is
  // handed in during skipped clocks: the register operation and the frame
  // due at `f` go in at its step as they would without the skip.
  void try_skip(uint64_t last) override {
    auto& t = sim.top();
    if (!t.quiescent_o || cur_valid || xgmii.enc.busy()) return;
    const uint64_t c = sim.cycle();
    const uint64_t e0 = c - pending;  // the last evaluated clock
    uint64_t f = e0 + 65536;          // skip_cycles_i is 16 bits
    if (!mmio_q.empty()) f = std::min(f, mmio_q.front().edge);
    if (!frames.empty()) f = std::min(f, frames.front().edge);
    // A read completion that has not arrived yet cannot be due before the
    // quantum's end (it comes at least a link latency after now).
    const uint64_t due = axi.due_edge();
    if (due != UINT64_MAX) f = std::min(f, due - 1);
    if (probe_fn && probe_next < probe_times.size()) f = std::min(f, edge_at_or_after(probe_times[probe_next]));
    // No skip inside a trace window, and none whose step (skip_cycles_i set)
    // would be dumped: the window's clocks are evaluated one by one.
    if (trace_armed) {
      const uint64_t ws = edge_at_or_after(trace_start);
      if (ws <= c + 1) return;
      f = std::min(f, ws - 1);
    }
    const uint64_t k = vh::skip_limit_eitr(*t.rootp);
    if (k != UINT64_MAX) f = std::min(f, e0 + k);
    if (f <= c + 1) return;  // the next step is the limit (it evaluates what is pending)
    const uint64_t n = (f > last ? last : f - 1) - c;
    sim.skip(n);
    xgmii.enc.skip_idle(n);
    stats.cycles += n;
    ++stats.skips;
    stats.skipped_cycles += n;
    pending += n;
    t.skip_cycles_i = static_cast<uint16_t>(pending);
  }

  // Arrival of a host message or a frame: the first edge at or after it, or
  // the next edge when it came too late (counted).
  uint64_t edge_for_arrival(const sc_time& arrival, bool* late) override {
    uint64_t e = edge_at_or_after(to_ps(arrival));
    if (e <= sim.cycle()) {
      *late = true;
      e = sim.cycle() + 1;
    }
    return e;
  }

  uint64_t cycle() const override { return sim.cycle(); }
  void step() override { sim.step(); }
  void read_done(tlm::tlm_generic_payload& p, uint64_t edge) override { axi.read_done(p, edge); }
  void trace_open(VerilatedFstC& f) override {
    sim.ctx().traceEverOn(true);
    sim.top().trace(&f, 99);
  }

  NicSc& self;
  vh::SimCtrl<M> sim{"nic"};  // FST scopes nic.<port>, nic.nic_top.<...> (waves/ names them)
  vh::AxiBus axi_bus{};
  vh::AxilBus axil_bus{};
  vh::XgmiiSource xgmii;
  vh::AxilMaster axil;
  vh::MsixSink msix;
  Axi2Tlm axi;

  // After edge `edge`: the state at the probe times that edge is the first
  // at or after. The packet buffer fill is the figure its full test uses
  // (obs_pb_bytes_o: lines in use x line bytes, for any AXI_DATA_W and
  // PKTBUF_BYTES); the drop
  // counters are the statistics registers' storage (cleared only by reads,
  // which the driver makes once traffic has ended); RQDPC is counted from
  // the observation port, as its register is per queue.
  void probe(uint64_t edge) {
    const auto& t = sim.top();
    rqdpc_seen += t.obs_rqdpc_o;
    const uint64_t t_ps = edge * kPsPerCycle;
    if (probe_next >= probe_times.size() || t_ps < probe_times[probe_next]) return;
    nic::NicModel::Probe p;
    p.pktbuf_bytes = t.obs_pb_bytes_o;
    // The statistics storage itself (a white-box read: registers would clear
    // on read), in rxp_regs' cnt_e order: CRCERRS RXERRC MPC GPRC BPRC MPRC
    // RNBC RUC RFC ROC RJC TPR AFDC RXDIS. A change to that list changes the
    // array's size, which the static_assert catches.
    const auto& c = t.rootp->nic_top__DOT__u_regs__DOT__cnt_q;
    static_assert(sizeof(c) / sizeof(c[0]) == 14, "rxp_regs cnt_e changed: update the indices below");
    p.crcerrs = c[0];
    p.rxerrc = c[1];
    p.mpc = c[2];
    p.ruc = c[7];
    p.rfc = c[8];
    p.roc = c[9];
    p.rjc = c[10];
    p.afdc = c[12];
    p.rxdis = c[13];
    p.rqdpc = rqdpc_seen;
    while (probe_next < probe_times.size() && probe_times[probe_next] <= t_ps) probe_fn(probe_times[probe_next++], p);
  }
  ~ImplT() override { close_trace(); }
};

}  // namespace

NicSc::NicSc(sc_core::sc_module_name name, sc_time quantum, unsigned num_queues)
    : sc_module(name), mmio("mmio"), dma("dma"), msix("msix"), wire("wire") {
  const uint64_t q = to_ps(quantum);
  if (q == 0 || q % kPsPerCycle != 0) {
    std::ostringstream os;
    os << "quantum " << quantum << " must be a whole, non-zero number of 6.4 ns clock cycles";
    SC_REPORT_ERROR(this->name(), os.str().c_str());
  }
  if (num_queues < 1 || num_queues > kMaxQueues) {
    std::ostringstream os;
    os << "num_queues " << num_queues << ": the Verilated NIC offers 1.." << kMaxQueues << " RX queues";
    SC_REPORT_ERROR(this->name(), os.str().c_str());
  }
  // One Verilated model per group of queue counts: NUM_QUEUES=1 for one
  // queue, 4 for 2..4 and 8 for 5..8 (the driver enables the queues it
  // uses; every queue the model has costs each clock).
  if (num_queues <= 1)
    impl_ = std::make_unique<ImplT<Vnic_top>>(*this, quantum);
  else if (num_queues <= 4)
    impl_ = std::make_unique<ImplT<Vnic_top_q4>>(*this, quantum);
  else
    impl_ = std::make_unique<ImplT<Vnic_top_q8>>(*this, quantum);

  mmio.register_b_transport(this, &NicSc::mmio_b_transport);
  mmio.register_nb_transport_fw(this, &NicSc::mmio_nb_transport_fw);
  wire.register_b_transport(this, &NicSc::wire_b_transport);
  dma.register_nb_transport_bw(this, &NicSc::dma_nb_transport_bw);
  SC_HAS_PROCESS(NicSc);
  SC_THREAD(run);
}

NicSc::~NicSc() = default;

const NicScStats& NicSc::stats() const { return impl_->stats; }
uint64_t NicSc::cycle() const { return impl_->cycle(); }

void NicSc::probe_at(std::vector<uint64_t> times_ps, ProbeFn f) {
  impl_->probe_times = std::move(times_ps);
  impl_->probe_next = 0;
  impl_->probe_fn = std::move(f);
}
void NicSc::on_wire_start(WireStartFn f) { impl_->wire_start = std::move(f); }
void NicSc::on_event(std::function<void(const nic::NicEvent&)> f) {
  if (impl_->cycle() > 0) {
    // Frames already inside the NIC would have no id to be tied to.
    SC_REPORT_ERROR(name(), "on_event: set the callback before sc_start");
    return;
  }
  if (!f) {
    impl_->tracker.reset();
    return;
  }
  impl_->event_cb = std::move(f);
  impl_->tracker = std::make_unique<NicTracker>([this](const nic::NicEvent& e) { impl_->event_cb(e); },
                                                [this](const std::string& m) { SC_REPORT_ERROR(name(), m.c_str()); });
}

// Verilator 5.006: trace() must come before VerilatedFstC::open() (the model
// checks) and before the first dump; it may follow eval(). open() could wait
// for the window, but opening now reports a bad path before the run and costs
// nothing per clock: with no dump function installed the model runs as
// untraced (its trace-activity flags are set by every eval either way).
void NicSc::trace_fst(const std::string& path, uint64_t start_ps, uint64_t stop_ps) {
  if (start_ps > stop_ps) {
    SC_REPORT_ERROR(name(), "trace_fst: start_ps is after stop_ps");
    return;
  }
  Impl& m = *impl_;
  if (m.fst) {
    SC_REPORT_ERROR(name(), "trace_fst: already tracing");
    return;
  }
  m.fst = std::make_unique<VerilatedFstC>();
  m.trace_open(*m.fst);
  m.fst->open(path.c_str());
  if (!m.fst->isOpen()) {
    SC_REPORT_ERROR(name(), ("trace_fst: cannot open " + path).c_str());
    return;
  }
  m.fst_sink = std::make_unique<common::FstApiSink>(vh::fst_writer(*m.fst));
  m.trace_start = start_ps;
  m.trace_stop = stop_ps;
  m.trace_armed = true;
}

void NicSc::trace_flush_close() { impl_->close_trace(); }

void NicSc::idle_skip(bool on) { impl_->idle_skip = on; }

void NicSc::trace_sidecar(FstSidecar f) {
  if (!impl_->fst) SC_REPORT_ERROR(name(), "trace_sidecar: call trace_fst first");
  impl_->sidecar = std::move(f);
}

// The clock loop: every edge whose time lies in [now, now + Q), then wait Q.
void NicSc::run() {
  const uint64_t q = to_ps(impl_->quantum);
  for (;;) {
    const uint64_t now = to_ps(sc_core::sc_time_stamp());
    const uint64_t step = impl_->step_ps(now, q);
    const uint64_t end = now + step;  // the edges e with e * 6400 ps < end
    const uint64_t last = (end + kPsPerCycle - 1) / kPsPerCycle - 1;
    while ((impl_->cycle() + 1) * kPsPerCycle < end) {
      if (impl_->idle_skip) {
        impl_->try_skip(last);
        if ((impl_->cycle() + 1) * kPsPerCycle >= end) break;  // skipped through the quantum's end
      }
      impl_->step();
      impl_->pending = 0;
    }
    if (step == q)
      sc_core::wait(impl_->quantum);
    else
      sc_core::wait(sc_time(static_cast<double>(step), SC_PS));
  }
}

// ---- host -> NIC register access
void NicSc::mmio_b_transport(tlm::tlm_generic_payload& p, sc_time& delay) {
  if (!p.is_write() || p.get_data_length() != 4 || !p.get_data_ptr() || p.get_byte_enable_ptr()) {
    p.set_response_status(p.is_write() ? tlm::TLM_BURST_ERROR_RESPONSE : tlm::TLM_COMMAND_ERROR_RESPONSE);
    return;
  }
  bool late = false;
  Impl::MmioOp op{impl_->edge_for_arrival(sc_core::sc_time_stamp() + delay, &late), true,
                  static_cast<uint32_t>(p.get_address()), get_unaligned_le32(p.get_data_ptr()), nullptr};
  if (late)
    SC_REPORT_ERROR(name(), "MMIO write arrived after its time had passed (quantum larger than the link latency?)");
  impl_->mmio_q.push_back(op);
  p.set_response_status(tlm::TLM_OK_RESPONSE);  // posted
}

tlm::tlm_sync_enum NicSc::mmio_nb_transport_fw(tlm::tlm_generic_payload& p, tlm::tlm_phase& ph, sc_time& delay) {
  if (ph == tlm::END_RESP) return tlm::TLM_COMPLETED;
  if (ph != tlm::BEGIN_REQ || !p.is_read() || p.get_data_length() != 4 || !p.get_data_ptr()) {
    p.set_response_status(tlm::TLM_COMMAND_ERROR_RESPONSE);
    return tlm::TLM_COMPLETED;
  }
  bool late = false;
  Impl::MmioOp op{impl_->edge_for_arrival(sc_core::sc_time_stamp() + delay, &late), false,
                  static_cast<uint32_t>(p.get_address()), 0, &p};
  if (late)
    SC_REPORT_ERROR(name(), "MMIO read arrived after its time had passed (quantum larger than the link latency?)");
  impl_->mmio_q.push_back(op);
  ph = tlm::END_REQ;
  return tlm::TLM_UPDATED;
}

// ---- frames in
void NicSc::wire_b_transport(tlm::tlm_generic_payload& p, sc_time& delay) {
  if (!p.is_write() || !p.get_data_ptr() || p.get_data_length() < 14) {
    p.set_response_status(tlm::TLM_COMMAND_ERROR_RESPONSE);
    SC_REPORT_WARNING(name(), "wire: a frame must be a write of at least 14 bytes");
    return;
  }
  nic::FrameExt* ext = nullptr;
  p.get_extension(ext);
  Impl::TimedFrame tf;
  bool late = false;
  tf.edge = impl_->edge_for_arrival(sc_core::sc_time_stamp() + delay, &late);
  if (late) {
    ++impl_->stats.frames_late;
    SC_REPORT_ERROR(name(),
                    "wire: a frame arrived after its wire time had passed (send frames at least a quantum ahead)");
  }
  tf.f.data.assign(p.get_data_ptr(), p.get_data_ptr() + p.get_data_length());
  if (ext) {
    tf.id = ext->id;
    tf.f.fcs_included = ext->fcs_included;
    tf.f.bad_fcs = ext->bad_fcs;
    tf.f.error_at = ext->error_at;
    tf.f.bad_preamble = ext->bad_preamble;
    tf.f.bad_sfd = ext->bad_sfd;
  } else {
    tf.id = impl_->stats.frames_in;
  }
  tf.f.tag = tf.id;
  ++impl_->stats.frames_in;
  impl_->frames.push_back(std::move(tf));
  p.set_response_status(tlm::TLM_OK_RESPONSE);
}

// ---- DMA read completions
tlm::tlm_sync_enum NicSc::dma_nb_transport_bw(tlm::tlm_generic_payload& p, tlm::tlm_phase& ph, sc_time& delay) {
  if (ph != tlm::BEGIN_RESP) return tlm::TLM_ACCEPTED;
  if (p.get_response_status() != tlm::TLM_OK_RESPONSE) ++impl_->stats.dma_errors;
  bool late = false;
  const uint64_t e = impl_->edge_for_arrival(sc_core::sc_time_stamp() + delay, &late);
  if (late)
    SC_REPORT_ERROR(name(), "DMA read data arrived after its time had passed (quantum larger than the link latency?)");
  impl_->read_done(p, e);
  return tlm::TLM_COMPLETED;
}

}  // namespace rxpath::bridge
