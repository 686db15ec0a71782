// SPDX-License-Identifier: MIT
// NicSc: the Verilated NIC as a SystemC module with TLM-2.0 sockets by role.
//
//   mmio (target)     register access from the host link. Writes: b_transport,
//                     posted, applied at now + delay. Reads: nb_transport_fw
//                     BEGIN_REQ (delay = arrival offset); answered with
//                     nb_transport_bw BEGIN_RESP whose delay is the NIC-local
//                     time of the AXI4-Lite read data.
//   dma  (initiator)  one AXI4 burst = one generic payload. Writes by
//                     b_transport (posted); reads by nb_transport_fw BEGIN_REQ,
//                     data back through nb_transport_bw BEGIN_RESP.
//   msix (initiator)  one 4-byte write per MSI-X message, data = vector.
//   wire (target)     frames in (FrameExt), each at its wire time.
//
// The model is NOT clocked by an sc_clock: one SC_THREAD runs the clock in a
// plain C++ loop for a whole quantum Q, then waits Q. Everything it sends is
// annotated with its NIC-local send time; everything it receives takes
// effect at the first clock edge at or after its arrival time. With Q <= L
// (the link latency) the result is the same for every Q (docs/theory/time.md).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include <tlm_utils/simple_initiator_socket.h>
#include <tlm_utils/simple_target_socket.h>
#include <systemc>
#include <tlm>

#include "common/fst_sink.hpp"
#include "nic/nic_events.hpp"
#include "nic/nic_model.hpp"

namespace rxpath::bridge {

struct NicScStats {
  uint64_t cycles = 0;
  uint64_t frames_in = 0;    // frames received on the wire socket
  uint64_t frames_late = 0;  // frames that arrived after their wire time had passed
  uint64_t mmio_writes = 0, mmio_reads = 0;
  uint64_t dma_write_bursts = 0, dma_write_bytes = 0;
  uint64_t dma_read_bursts = 0, dma_read_bytes = 0;
  uint64_t dma_errors = 0;  // DMA completions with an error status
  uint64_t msix = 0;
  uint64_t skips = 0, skipped_cycles = 0;  // idle-skip: jumps taken, clocks not evaluated
};

class NicSc : public sc_core::sc_module, public nic::NicModel {
 public:
  tlm_utils::simple_target_socket<NicSc> mmio;
  tlm_utils::simple_initiator_socket<NicSc> dma;
  tlm_utils::simple_initiator_socket<NicSc> msix;
  tlm_utils::simple_target_socket<NicSc> wire;

  // `quantum`: how far the NIC runs ahead of SystemC time (a whole number of
  // 6.4 ns cycles, at least one, at most the link latency). `num_queues`:
  // the RX queues the driver will use, 1..kMaxQueues; it picks the Verilated
  // model (NUM_QUEUES=1 for one queue, 4 for 2..4, 8 for 5..8).
  NicSc(sc_core::sc_module_name name, sc_core::sc_time quantum, unsigned num_queues = 1);
  static constexpr unsigned kMaxQueues = 8;
  ~NicSc() override;

  static constexpr uint64_t kPsPerCycle = 6400;
  const NicScStats& stats() const;

  // nic::NicModel. A frame's wire start is the clock edge of the XGMII word
  // that carries its /S/ (in lane 0 or 4).
  TargetSocket& mmio_socket() override { return mmio; }
  InitiatorSocket& dma_socket() override { return dma; }
  InitiatorSocket& msix_socket() override { return msix; }
  TargetSocket& wire_socket() override { return wire; }
  void on_wire_start(WireStartFn f) override;
  uint64_t cycle() const override;
  void probe_at(std::vector<uint64_t> times_ps, ProbeFn f) override;

  // Called for every step of every frame (nic::NicEvent, nic/nic_events.hpp), in the
  // order the NIC takes them; set it before sc_start. The bridge ties the
  // RTL's observation port (nic_top obs_*) to frame ids by processing order
  // and DMA writes to frames by address; a step it cannot attribute is an
  // SC_REPORT_ERROR, never a guess. Without a callback the bridge does no
  // per-frame work at all.
  void on_event(std::function<void(const nic::NicEvent&)> f);
  // Writes an FST of the RTL to `path` holding only the clock edges whose time
  // lies in [start_ps, stop_ps] (call before sc_start). Time unit 1 ps, true
  // simulated time: edge n (rising clock) at n * 6400 ps, the falling clock at
  // n * 6400 + 3200 ps. Outside the window nothing is dumped; the file is
  // closed when the window ends, by trace_flush_close() or by the destructor.
  void trace_fst(const std::string& path, uint64_t start_ps = 0, uint64_t stop_ps = UINT64_MAX);
  // Flushes and closes the FST now (idempotent): call it after sc_start
  // returns when the file is to be read or merged before NicSc is destroyed.
  void trace_flush_close();
  // Host signals beside the RTL in the same FST (waves::HostFst): `f` is
  // called with the FST's writer (common::FstSink) just before each dump at
  // t_ps (first = false), once after the window's first dump (first = true),
  // and with t_ps = UINT64_MAX before the file closes. With a sidecar the NIC
  // steps one clock per SystemC wait inside the window (any quantum gives the
  // same results, docs/theory/time.md) and dumps once per clock, after the
  // rising edge, so every host change before t_ps is known at the dump at t_ps.
  // Call before sc_start, with trace_fst.
  using FstSidecar = std::function<void(common::FstSink& fst, uint64_t t_ps, bool first)>;
  void trace_sidecar(FstSidecar f);

  // Idle-skip (off until set; rxpath's run.idle_skip): while the RTL says it
  // is quiescent (nic_top quiescent_o: the next clock would change nothing
  // but its time bases), the clock loop jumps over the clocks in which
  // nothing can happen and evaluates only the last one, with skip_cycles_i
  // telling the RTL how many clocks its time bases must move on. A jump ends
  // before the next MMIO operation or frame is due, before the clock whose
  // microsecond tick ends the EITR interval of a vector waiting to fire,
  // before a probe time and before a trace window, and within the quantum.
  // Every output is the same with it on or off (rxpath's same-outputs tests).
  void idle_skip(bool on);

  struct Impl;  // the model behind it (nic_sc.cpp)

 private:
  std::unique_ptr<Impl> impl_;
  void run();
  void mmio_b_transport(tlm::tlm_generic_payload& p, sc_core::sc_time& delay);
  tlm::tlm_sync_enum mmio_nb_transport_fw(tlm::tlm_generic_payload& p, tlm::tlm_phase& ph, sc_core::sc_time& delay);
  void wire_b_transport(tlm::tlm_generic_payload& p, sc_core::sc_time& delay);
  tlm::tlm_sync_enum dma_nb_transport_bw(tlm::tlm_generic_payload& p, tlm::tlm_phase& ph, sc_core::sc_time& delay);
};

}  // namespace rxpath::bridge
