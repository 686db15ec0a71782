// SPDX-License-Identifier: MIT
// PcieLink: the PCIe-like link of one-way latency L between host and NIC,
// with TLM-2.0 sockets by role (docs/theory/time.md explains the timing):
//   dma  (target)    NIC DMA. WRITE by b_transport, posted: queued with arrival
//                    t + L (t = now + annotated delay) and applied lazily, before
//                    any host code runs at a time >= arrival. READ by
//                    nb_transport_fw BEGIN_REQ: memory is sampled at t + L and
//                    returned with nb_transport_bw BEGIN_RESP, delay L.
//   mmio (initiator) host register access. mmio_write posts a b_transport with
//                    delay L; mmio_read sends BEGIN_REQ with delay L, stalls the
//                    calling thread until the NIC's BEGIN_RESP (+ its delay) + L.
//   msix (target)    NIC MSI-X: 4-byte write, data = vector; delivered at t + L,
//                    after every DMA write sent before it.
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <string>
#include <vector>

#include <tlm_utils/simple_initiator_socket.h>
#include <tlm_utils/simple_target_socket.h>
#include <systemc>
#include <tlm>

#include "common/timed_queue.hpp"
#include "host/memory.hpp"

namespace rxpath::host {

struct LinkStats {
  uint64_t dma_writes = 0, dma_write_bytes = 0;
  uint64_t dma_reads = 0, dma_read_bytes = 0;
  uint64_t msix = 0;
  uint64_t mmio_writes = 0, mmio_reads = 0;
  uint64_t address_errors = 0;   // DMA outside any allocation
  uint64_t protocol_errors = 0;  // malformed transactions (command, width, byte enables, vector)
  uint64_t mmio_errors = 0;      // the NIC answered an MMIO access with an error
};

class PcieLink : public sc_core::sc_module {
 public:
  tlm_utils::simple_target_socket<PcieLink> dma;
  tlm_utils::simple_initiator_socket<PcieLink> mmio;
  tlm_utils::simple_target_socket<PcieLink> msix;

  PcieLink(sc_core::sc_module_name name, HostMemory& mem,
           sc_core::sc_time latency = sc_core::sc_time(500, sc_core::SC_NS));

  const sc_core::sc_time& latency() const { return L_; }

  // Applies every queued DMA write whose arrival <= now. The platform calls
  // this from the stack's CPU sync hook before host code runs; host code
  // that reads DMA'd memory outside a CPU (tests) calls it too.
  void sync(const sc_core::sc_time& now) { apply_writes(now, UINT64_MAX); }
  std::size_t writes_in_flight() const { return wq_.size(); }

  // Observer of DMA writes as they arrive in host memory (applied in
  // arrival order, each at its arrival time while an observer is set),
  // e.g. the driver's trace of descriptor writebacks. One observer; an
  // empty function removes it.
  using write_observer_t =
      std::function<void(uint64_t addr, const uint8_t* data, std::size_t len, const sc_core::sc_time& arrival)>;
  void set_write_observer(write_observer_t o);

  // Where an MSI-X goes at its arrival time (the interrupt controller).
  void set_msix_handler(std::function<void(unsigned vector)> h) { msix_handler_ = std::move(h); }
  // How a CPU waits for an MMIO read completion (non-preemptible stall on
  // the stack's CPU engine). Default: sc_core::wait(ev). The caller must
  // have paid its deferred CPU time before mmio_read (the request leaves at
  // the current SystemC time).
  void set_stall(std::function<void(sc_core::sc_event&)> s) { stall_ = std::move(s); }

  // Posted register write from host code at time s; reaches the NIC at s + L.
  void mmio_write(uint32_t offset, uint32_t value);
  // Register read; stalls the calling SystemC thread for the round trip.
  uint32_t mmio_read(uint32_t offset);

  const LinkStats& stats() const { return st_; }
  std::string report() const;

 private:
  struct PendingWrite {
    sc_core::sc_time arrival;
    uint64_t seq;
    uint64_t addr;
    uint8_t* dst;      // DMI pointer taken at send time ...
    uint64_t mem_gen;  // ... valid while memory's generation is unchanged
    std::vector<uint8_t> data;
  };
  struct MmioReadTxn : tlm::tlm_generic_payload {
    sc_core::sc_event done;
    bool completed = false;
  };

  // dma socket
  void dma_b_transport(tlm::tlm_generic_payload& p, sc_core::sc_time& delay);
  tlm::tlm_sync_enum dma_nb_transport_fw(tlm::tlm_generic_payload& p, tlm::tlm_phase& ph, sc_core::sc_time& delay);
  // msix socket
  void msix_b_transport(tlm::tlm_generic_payload& p, sc_core::sc_time& delay);
  // mmio socket
  tlm::tlm_sync_enum mmio_nb_transport_bw(tlm::tlm_generic_payload& p, tlm::tlm_phase& ph, sc_core::sc_time& delay);

  // Checks a DMA payload; sets the response status and returns false when bad.
  uint8_t* check_dma(tlm::tlm_generic_payload& p);  // host address now, nullptr if refused
  void apply_writes(const sc_core::sc_time& now, uint64_t seq_limit);

  HostMemory& mem_;
  sc_core::sc_time L_;
  common::TimedQueue tq_;
  std::deque<PendingWrite> wq_;              // ordered by (arrival, seq)
  std::vector<std::vector<uint8_t>> spare_;  // recycled write buffers
  uint64_t up_seq_ = 0;                      // NIC -> host send order
  std::function<void(unsigned)> msix_handler_;
  write_observer_t write_obs_;
  std::function<void(sc_core::sc_event&)> stall_;
  LinkStats st_;
};

}  // namespace rxpath::host
