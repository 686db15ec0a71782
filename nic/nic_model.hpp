// SPDX-License-Identifier: MIT
// NicModel: the contract both NIC models keep, so the system binds one
// interface whichever NIC it runs (the Verilated RTL, verilator/sc/nic_sc.hpp,
// or the behavioural double, nic/double/nic_double.hpp).
//
//   mmio (target)     register access from the host link: writes by
//                     b_transport (posted, effective at now + delay); reads by
//                     nb_transport_fw BEGIN_REQ, answered by nb_transport_bw
//                     BEGIN_RESP.
//   dma  (initiator)  DMA to host memory: writes by b_transport (posted),
//                     reads by nb_transport_fw BEGIN_REQ with the data back
//                     through nb_transport_bw BEGIN_RESP.
//   msix (initiator)  one 4-byte write per MSI-X message, data = vector,
//                     sent only after the DMA writes it reports.
//   wire (target)     frames in: a write whose data is the frame from the
//                     destination MAC to the end of the payload, a FrameExt
//                     (nic/frame_ext.hpp) with its number and faults, and an
//                     annotated delay that places its first character (/S/)
//                     on the wire at now + delay. A model that cannot send a
//                     frame as asked answers with an error response.
#pragma once

#include <cstdint>
#include <functional>
#include <vector>

#include <tlm>

namespace rxpath::nic {

class NicModel {
 public:
  // Targets by their binding base, whatever their binding policy (a model
  // may leave its wire unbound when a test feeds it directly).
  using TargetSocket = tlm::tlm_base_target_socket_b<>;
  using InitiatorSocket = tlm::tlm_initiator_socket<>;

  virtual ~NicModel() = default;

  virtual TargetSocket& mmio_socket() = 0;
  virtual InitiatorSocket& dma_socket() = 0;
  virtual InitiatorSocket& msix_socket() = 0;
  virtual TargetSocket& wire_socket() = 0;

  // Called once per frame when its first character is on the wire, with the
  // frame's FrameExt id and that time in ps (latency and captures start here).
  using WireStartFn = std::function<void(uint64_t id, uint64_t t_ps)>;
  virtual void on_wire_start(WireStartFn f) = 0;

  // Clock cycles the model has run (0 for a model without a clock).
  virtual uint64_t cycle() const = 0;

  // The receive side's state at one moment of the NIC's own time, read
  // without any register access (a statistics read would clear them): the
  // packet buffer fill and the drop counters counted since reset.
  struct Probe {
    uint64_t pktbuf_bytes = 0;  // bytes held in the RX packet buffer
    uint64_t crcerrs = 0, rxerrc = 0, ruc = 0, rfc = 0, roc = 0, rjc = 0, mpc = 0, rqdpc = 0, afdc = 0, rxdis = 0;
  };
  // Calls `f(t_ps, probe)` for every t_ps of `times_ps` (increasing) with
  // the state at that time of the NIC's own clock (for a clocked model: the
  // first clock edge at or after t_ps), whatever its run-ahead quantum.
  // Call before sc_start.
  using ProbeFn = std::function<void(uint64_t t_ps, const Probe& p)>;
  virtual void probe_at(std::vector<uint64_t> times_ps, ProbeFn f) = 0;
};

}  // namespace rxpath::nic
