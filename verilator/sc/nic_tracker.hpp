// SPDX-License-Identifier: MIT
// NicTracker: turns the RTL's observation port (nic_top obs_*), the frames
// put on XGMII and the DMA writes into NicEvents with frame ids. Internal to
// the bridge (NicSc::on_event); independent of the Verilated model, which
// NicSc samples into an ObsSample.
//
// How a step is tied to a frame:
//  - MAC: frames leave the MAC in wire order, one verdict per /S/ (a bad
//    preamble/SFD gives obs_mac_badpre_o instead of obs_mac_o). The oldest
//    frame on the wire is the one; its verdict must come within a fixed
//    latency of its last XGMII word and, for a frame sent without a fault,
//    carry its length. A frame with no verdict in time (its /S/ was lost) or a
//    verdict that does not fit is an error (SC_REPORT_ERROR through `error`).
//  - packet buffer: in classifier order; the DMA engine takes stored frames
//    in order (one FIFO, head of line across queues), then assigns them
//    descriptors one by one (no interleaving of frames).
//  - DMA writes: by address, the assigned descriptor's buffer; writebacks by
//    ring address (RDBA + 16 * index).
//  - MSI-X: a writeback response (obs_wb_o after edge t) sets the EICR
//    cause of the vector IVAR0(q) names at edge t + 1, so a request that rises
//    at edge r (decided in the clock before) reports the frames whose response
//    was seen at edges <= r - 2; one seen at r - 1 pends again in the RTL and
//    is reported by the vector's next message.
#pragma once

#include <array>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <string>
#include <unordered_map>
#include <vector>

#include "nic/nic_events.hpp"

namespace rxpath::bridge {

using nic::NicEvent;
using nic::NicStage;

// One clock's observation port (nic_top obs_*), sampled after the edge.
struct ObsSample {
  bool mac = false, badpre = false;
  uint8_t mac_class = 0;  // rxp_pkg::rx_class_e
  uint16_t mac_len = 0;
  bool pb_store = false, pb_drop = false;
  bool take = false, rnbc = false, rqdpc = false, rxdis = false;
  uint8_t dma_q = 0;
  bool desc = false;
  uint8_t desc_q = 0;
  uint16_t desc_idx = 0;
  uint64_t desc_addr = 0, desc_ring = 0;
  bool wb = false;
  uint8_t wb_q = 0;
  bool wb_vec_ok = false;
  uint8_t wb_vec = 0;
  bool dev_rst = false;
};

class NicTracker {
 public:
  using Emit = std::function<void(const NicEvent&)>;
  using Error = std::function<void(const std::string&)>;
  // Clocks from a frame's last XGMII word (the one with /T/) to its
  // obs_mac_o: the XGMII input register of the harness, the MAC and the
  // classifier, and the obs register (measured: see verilator/README.md).
  static constexpr uint64_t kMacLatMin = 2;
  static constexpr uint64_t kMacLatMax = 4;

  NicTracker(Emit emit, Error error) : emit_(std::move(emit)), error_(std::move(error)) {}

  // A frame put on XGMII: /S/ in the word of clock `start`, its last
  // character (/T/, or the first after the data when it has none) in the word
  // of clock `end`; `wire_len` = bytes from SFD to /T/ (FCS included);
  // `fault` when the frame was sent with a fault the MAC reports as a framing
  // error (bad preamble/SFD, /E/ in the data, no /T/).
  // `lane`: 0 or 4, where /S/ is (NicEvent.index of xgmii_start).
  void wire_frame(uint64_t id, uint64_t start, uint64_t end, uint32_t wire_len, bool fault, unsigned lane = 0);
  // Clock edge `edge` is done: announce /S/ reached by now, then the port.
  void announce(uint64_t edge);
  void observe(uint64_t edge, const ObsSample& s);
  // The MSI-X request of `vector` rose at the edge just observed (call
  // before observe() of that edge); it was accepted at edge `sent` (the
  // message's send time).
  void msix_request(uint64_t edge, unsigned vector);
  void msix_sent(uint64_t sent, unsigned vector);
  // An AXI write burst's payload (or a run of strobed bytes of it).
  void dma_write(uint64_t edge, uint64_t addr, size_t n);

  // Frames between two stages, for tests and the consistency report.
  size_t on_wire() const { return mac_q_.size(); }
  size_t in_pktbuf() const { return pb_q_.size() + dma_q_.size(); }

 private:
  struct WireFr {
    uint64_t id, start, end;
    uint32_t len;
    bool fault;
    unsigned lane;
  };
  struct Fr {
    uint64_t id;
    uint32_t len;
    uint32_t queue = 0;  // known once the DMA engine takes it
  };
  struct Desc {
    uint64_t id;
    uint32_t queue, index;
    uint64_t buf;
  };

  void mac(uint64_t edge, bool badpre, uint8_t cls, uint16_t len);
  void dev_reset(uint64_t edge);
  NicEvent ev(NicStage st, uint64_t id, uint64_t cycle) const;
  void fail(const std::string& what);

  Emit emit_;
  Error error_;
  std::deque<WireFr> mac_q_;  // on the wire, no MAC verdict yet
  size_t announced_ = 0;      // of mac_q_, /S/ already announced
  std::deque<Fr> pb_q_;       // good at the MAC, packet buffer verdict pending
  std::deque<Fr> dma_q_;      // stored, not yet taken by the DMA engine
  bool have_cur_ = false;
  Fr cur_{};                                       // taken by the DMA engine
  std::map<uint64_t, Desc> bufs_;                  // assigned descriptors by buffer address
  std::unordered_map<uint64_t, Desc> rings_;       // ... by ring address (writeback)
  std::array<std::deque<uint64_t>, 8> wb_wait_{};  // written back, response pending, per queue
  struct Reported {
    uint64_t id;
    uint32_t queue;
    uint64_t edge;  // of its obs_wb_o
  };
  static constexpr size_t kMaxPending = 1u << 16;    // per vector (a vector that never fires)
  std::array<std::vector<Reported>, 32> pending_{};  // per vector: reported by its next message
  std::array<std::vector<Reported>, 32> latched_{};  // per vector: the request now up reports these
  bool in_reset_ = true;
};

}  // namespace rxpath::bridge
