// SPDX-License-Identifier: MIT
// NicEvent: one step of one frame through the NIC, as the Verilated NIC
// reports it (bridge::NicSc::on_event; the behavioural double reports none). The bridge ties each step to the frame's
// id (the wire FrameExt id) by the NIC's processing order, so the journey and the timeline can follow a frame from its
// /S/ on XGMII to its MSI-X.
#pragma once

#include <cstdint>
#include <ostream>

namespace rxpath::nic {

enum class NicStage : uint8_t {
  xgmii_start,   // first character (/S/) of the frame on XGMII          (lane)
  mac_verdict,   // MAC RX end of frame: FCS and length verdict          (verdict, len)
  pktbuf_store,  // stored whole in the packet buffer                    (len)
  pktbuf_drop,   // dropped at the packet buffer: counted in `counter`   (MPC, ...)
  mac_drop,      // dropped by MAC/filter: counted in `counter`          (CRCERRS, RUC, ...)
  rnbc_wait,     // at the head of the buffer, no descriptor: RNBC       (queue)
  desc_assign,   // given descriptor `index` of `queue`, buffer `addr`
  desc_drop,     // dropped for lack of descriptors with DROP_EN: RQDPC  (queue)
  dma_write,     // an AXI write burst of the frame's data               (addr, len)
  writeback,     // the descriptor writeback with DD (and EOP)           (queue, index, addr)
  msix,          // the MSI-X message that reports it                    (vector in `index`)
};
inline const char* nic_stage_name(NicStage s) {
  switch (s) {
    case NicStage::xgmii_start:
      return "xgmii_start";
    case NicStage::mac_verdict:
      return "mac_verdict";
    case NicStage::pktbuf_store:
      return "pktbuf_store";
    case NicStage::pktbuf_drop:
      return "pktbuf_drop";
    case NicStage::mac_drop:
      return "mac_drop";
    case NicStage::rnbc_wait:
      return "rnbc_wait";
    case NicStage::desc_assign:
      return "desc_assign";
    case NicStage::desc_drop:
      return "desc_drop";
    case NicStage::dma_write:
      return "dma_write";
    case NicStage::writeback:
      return "writeback";
    case NicStage::msix:
      return "msix";
  }
  return "?";
}
inline std::ostream& operator<<(std::ostream& os, NicStage s) { return os << nic_stage_name(s); }

struct NicEvent {
  NicStage stage;
  uint64_t frame_id = 0;  // FrameExt id of the frame
  uint64_t cycle = 0;     // clock edge (time = cycle * 6.4 ns)
  uint32_t queue = 0;
  uint32_t index = 0;        // descriptor index, or MSI-X vector
  uint64_t addr = 0;         // host address (DMA, writeback)
  uint32_t len = 0;          // bytes
  const char* verdict = "";  // mac_verdict: "ok", "crc", "runt", "oversize", ...
  const char* counter = "";  // drops: the statistics register that counted it
};

}  // namespace rxpath::nic
