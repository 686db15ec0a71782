// SPDX-License-Identifier: MIT
// NicDouble: a behavioural igb/82576-shaped NIC in plain SystemC, at exact
// time (no RTL, no clock). It keeps the Verilated NIC's contract
// (nic/nic_model.hpp: mmio target, dma and msix initiators, wire target) and
// behaves as the datasheet says for the receive subset of
// rtl/regs/igb_regs.toml: registers with their reset values and access types
// (clear-on-read statistics), descriptor fetch by DMA read between RDH and
// RDT, data DMA write then one 16-byte writeback per descriptor, RDH advance,
// RNBC once per frame at the FIFO head without descriptors (it waits) or
// DROP_EN -> RQDPC (and RNBC once), a store-and-forward packet FIFO with
// MPC on overflow, EICR/EIMS/EIAC/EIAM/EICS, EITR throttle in microseconds,
// and an MSI-X sent only after the writes it reports. Receive-side scaling
// as the RTL (rtl/README.md): MRQC/RETA/RSSRK pick each frame's queue, RSS
// type and hash when it arrives (common/rss.hpp); the packet buffer is one
// FIFO whose head frame waits for its own queue's descriptors (or is
// dropped into that queue's RQDPC with DROP_EN).
//
// Simplifications (documented in host/README.md): frames are given without
// FCS and none is written to host memory; the address filter has no multicast table (multicast needs
// RCTL.MPE), as in the RTL; descriptors are
// written back one by one (WTHRESH ignored); the NIC takes zero time to move a
// frame once it has a descriptor.
#pragma once

#include <cstdint>
#include <deque>
#include <string>
#include <vector>

#include <tlm_utils/simple_initiator_socket.h>
#include <tlm_utils/simple_target_socket.h>
#include <systemc>
#include <tlm>

#include "common/rss.hpp"
#include "common/timed_queue.hpp"
#include "nic/nic_model.hpp"
#include "rxpath/igb_regs.hpp"

namespace rxpath::nic {

struct NicDoubleConfig {
  std::size_t rx_fifo_bytes = 64 * 1024;  // 82576 RX packet buffer: 64 KB (RXPBS default)
  unsigned desc_cache = 32;               // descriptors held on chip per queue
};

struct NicDoubleStats {
  uint64_t frames_in = 0;       // frames given to the frame input
  uint64_t frames_to_host = 0;  // frames written to host memory
  uint64_t msix_sent = 0;
  uint64_t desc_fetches = 0;  // DMA reads issued
  uint64_t dma_errors = 0;    // DMA responses with an error status
  uint64_t mmio_errors = 0;   // MMIO accesses refused (bad offset / width)
};

class NicDouble : public sc_core::sc_module, public NicModel {
 public:
  tlm_utils::simple_initiator_socket<NicDouble> dma;
  tlm_utils::simple_target_socket<NicDouble> mmio;
  tlm_utils::simple_initiator_socket<NicDouble> msix;
  // Frames by b_transport (nic/nic_model.hpp). The double has no MAC: a
  // FrameExt asking for a fault or carrying its own FCS gets
  // TLM_GENERIC_ERROR_RESPONSE. The frame's last bit reaches the packet
  // buffer after its preamble, SFD, data and FCS at 10 Gb/s (800 ps/byte);
  // a frame starts no earlier than the previous one's end plus the 12-byte
  // minimum inter-frame gap (the wire start reports when it did). Tests
  // that call receive_frame() directly may leave it unbound.
  tlm_utils::simple_target_socket_optional<NicDouble> wire;

  NicDouble(sc_core::sc_module_name name, const NicDoubleConfig& cfg = {});

  TargetSocket& mmio_socket() override { return mmio; }
  InitiatorSocket& dma_socket() override { return dma; }
  InitiatorSocket& msix_socket() override { return msix; }
  TargetSocket& wire_socket() override { return wire; }
  void on_wire_start(WireStartFn f) override { wire_start_ = std::move(f); }
  uint64_t cycle() const override { return 0; }
  // A thread of the double's own wakes at each probe time (it has no run-ahead).
  void probe_at(std::vector<uint64_t> times_ps, ProbeFn f) override;

  // Frame input: `len` bytes (destination MAC .. payload, no FCS) whose last
  // bit reaches the MAC at `arrival` (>= now; non-decreasing across calls).
  // Throws std::invalid_argument on an empty frame or an arrival in the past.
  void receive_frame(const uint8_t* data, std::size_t len, const sc_core::sc_time& arrival);

  // Backdoor for tests: a register's value without side effects (no clear).
  uint32_t peek(uint32_t offset) const;
  const NicDoubleStats& stats() const { return st_; }
  std::size_t fifo_bytes() const { return fifo_bytes_; }
  std::size_t fifo_frames() const { return fifo_.size(); }

 private:
  static constexpr unsigned kRegWords = 1u << (regs::kAddrWidth - 2);

  struct Frame {
    std::vector<uint8_t> bytes;
    sc_core::sc_time arrival;
    rss::Result rss;  // queue, RSS type and hash, fixed when the frame arrives
  };
  struct CachedDesc {
    uint32_t idx;
    uint64_t pkt_addr;
  };
  struct Queue {
    bool enabled = false;
    uint64_t base = 0;
    uint32_t count = 0;    // descriptors in the ring
    uint32_t bufsize = 0;  // bytes per buffer
    bool drop_en = false;
    uint32_t head = 0;   // RDH
    uint32_t fetch = 0;  // next descriptor to fetch
    bool fetching = false;
    std::deque<CachedDesc> cache;
    tlm::tlm_generic_payload fetch_txn;
    std::vector<uint8_t> fetch_buf;
    uint32_t fetch_first = 0, fetch_n = 0;
  };
  struct Vector {
    sc_core::sc_time last_fire;
    bool fired_once = false;
    bool timer_pending = false;
  };

  // mmio socket
  void mmio_b_transport(tlm::tlm_generic_payload& p, sc_core::sc_time& delay);
  tlm::tlm_sync_enum mmio_nb_transport_fw(tlm::tlm_generic_payload& p, tlm::tlm_phase& ph, sc_core::sc_time& delay);
  // wire socket
  void wire_b_transport(tlm::tlm_generic_payload& p, sc_core::sc_time& delay);
  // dma socket (descriptor read completions)
  tlm::tlm_sync_enum dma_nb_transport_bw(tlm::tlm_generic_payload& p, tlm::tlm_phase& ph, sc_core::sc_time& delay);

  bool check_mmio(tlm::tlm_generic_payload& p);
  uint32_t reg_read(uint32_t off);           // with read side effects
  void reg_write(uint32_t off, uint32_t v);  // with write side effects
  uint32_t& R(uint32_t off) { return regs_[off >> 2]; }
  uint32_t R(uint32_t off) const { return regs_[off >> 2]; }
  void count(uint32_t off, uint64_t n = 1);  // saturating statistics increment
  void reset();

  void on_frame_arrival();
  void queue_enable(unsigned q);
  void try_fetch(unsigned q);
  void fetch_done(unsigned q);
  void process_rx();  // the packet buffer's head frames, each to its own queue
  rss::Config rss_config() const;
  bool deliver(unsigned q, Frame& f);
  void dma_write(uint64_t addr, const uint8_t* data, std::size_t len);
  void raise_cause(unsigned vector);
  void check_irq(unsigned vector);
  void fire(unsigned vector);
  int queue_vector(unsigned q) const;  // -1 when IVAR not valid
  static bool is_broadcast(const uint8_t* da);
  bool address_accepted(const uint8_t* da) const;
  void csum_info(const Frame& f, uint16_t& pkt_info, uint32_t& status) const;

  NicDoubleConfig cfg_;
  common::TimedQueue tq_;
  std::vector<uint32_t> regs_;
  std::vector<regs::Access> access_;
  std::vector<bool> known_;
  uint64_t gorc_ = 0, tor_ = 0;
  std::vector<Queue> q_;
  std::vector<Vector> vec_;
  std::deque<Frame> input_;  // frames not yet at the MAC
  std::deque<Frame> fifo_;   // RX packet buffer
  std::size_t fifo_bytes_ = 0;
  bool rnbc_head_counted_ = false;  // the FIFO's head frame already counted in RNBC (rtl/README.md)
  std::vector<std::vector<uint8_t>> spare_;
  uint64_t generation_ = 0;  // bumps on CTRL.RST: stale completions are ignored
  tlm::tlm_generic_payload wr_txn_, msix_txn_;
  NicDoubleStats st_;
  WireStartFn wire_start_;
  Probe totals_;               // drop counters since reset, never cleared by reads (probe_every)
  uint64_t wire_free_ps_ = 0;  // the wire is free from here (last frame's end + gap)
};

}  // namespace rxpath::nic
