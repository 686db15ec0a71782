// SPDX-License-Identifier: MIT
// testing/rx_ring.hpp: the driver side of one receive queue, for every test
// and bench that programs a ring without the driver model of host/. It
// follows drivers/net/ethernet/intel/igb/igb_main.c: igb_configure_rx_ring()
// programs the queue, igb_alloc_rx_buffers() writes read-format descriptors
// from next_to_use on and moves RDT to next_to_use with one write.
//
// The pin-level AXI-Lite tests, the TLM host double and the NIC double's
// tests reach registers and host memory in three different ways, so the
// caller passes them in (RxRingIo).
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <stdexcept>
#include <string>

#include "common/unaligned.hpp"
#include "rxpath/igb_regs.hpp"

namespace rxpath::testing {

// How the helper reaches the NIC and host memory.
struct RxRingIo {
  std::function<void(uint32_t reg, uint32_t val)> wr32;
  std::function<uint32_t(uint32_t reg)> rd32;
  std::function<void(uint64_t addr, const uint8_t* data, size_t len)> write_mem;
};

// One receive queue as the driver sees it (struct igb_ring, reduced): slot
// s's buffer is at buf_base + s * buf_stride.
struct RxRing {
  unsigned queue = 0;      // reg_idx
  unsigned count = 64;     // descriptors (a multiple of 8: RDLEN in 128-byte steps)
  uint64_t desc_base = 0;  // ring->dma
  uint64_t buf_base = 0;
  uint64_t buf_stride = 4096;
  unsigned buf_size = 2048;  // SRRCTL.BSIZEPKT, 1 KiB steps
  bool drop_en = false;      // SRRCTL.DROP_EN
  unsigned next_to_use = 0, next_to_clean = 0;

  uint64_t desc_addr(unsigned slot) const { return desc_base + uint64_t(slot) * regs::RX_DESC_BYTES; }
  uint64_t buf_addr(unsigned slot) const { return buf_base + uint64_t(slot) * buf_stride; }
};

// IGB_RX_PTHRESH, IGB_RX_HTHRESH, IGB_RX_WTHRESH (igb.h; WTHRESH 1 on an
// 82576 with MSI-X).
inline constexpr uint32_t IGB_RX_PTHRESH = 8;
inline constexpr uint32_t IGB_RX_HTHRESH = 8;
inline constexpr uint32_t IGB_RX_WTHRESH = 1;

// igb_desc_unused (igb.h): slots the driver may fill; one always stays
// empty so that RDT == RDH means "no descriptor for the NIC".
inline unsigned igb_desc_unused(const RxRing& r) {
  return (r.next_to_clean > r.next_to_use ? 0 : r.count) + r.next_to_clean - r.next_to_use - 1;
}

// igb_configure_rx_ring (igb_main.c): queue off, base and length, RDH = RDT
// = 0, SRRCTL (buffer size, advanced one-buffer descriptors, DROP_EN), then
// the RXDCTL thresholds with ENABLE, read back until the NIC shows the queue
// enabled (the 82576 datasheet's "poll RXDCTL.ENABLE"). The ring holds no
// buffers afterwards: next_to_use = next_to_clean = 0.
inline void igb_configure_rx_ring(const RxRingIo& io, RxRing& r) {
  using namespace regs;
  const unsigned n = r.queue;
  io.wr32(E1000_RXDCTL(n), 0);
  io.wr32(E1000_RDBAL(n), static_cast<uint32_t>(r.desc_base));
  io.wr32(E1000_RDBAH(n), static_cast<uint32_t>(r.desc_base >> 32));
  io.wr32(E1000_RDLEN(n), r.count * uint32_t(RX_DESC_BYTES));
  io.wr32(E1000_RDH(n), 0);
  io.wr32(E1000_RDT(n), 0);
  uint32_t srrctl = (r.buf_size >> E1000_SRRCTL_BSIZEPKT_SHIFT) | E1000_SRRCTL_DESCTYPE_ADV_ONEBUF;
  if (r.drop_en) srrctl |= E1000_SRRCTL_DROP_EN;
  io.wr32(E1000_SRRCTL(n), srrctl);
  io.wr32(E1000_RXDCTL(n), IGB_RX_PTHRESH << E1000_RXDCTL_PTHRESH_LSB | IGB_RX_HTHRESH << E1000_RXDCTL_HTHRESH_LSB |
                               IGB_RX_WTHRESH << E1000_RXDCTL_WTHRESH_LSB | E1000_RXDCTL_QUEUE_ENABLE);
  bool enabled = false;
  for (int i = 0; i < 10 && !enabled; ++i) enabled = io.rd32(E1000_RXDCTL(n)) & E1000_RXDCTL_QUEUE_ENABLE;
  if (!enabled)
    throw std::runtime_error("igb_configure_rx_ring: queue " + std::to_string(n) +
                             " not enabled (RXDCTL.ENABLE reads 0; see RXP_PERR)");
  r.next_to_use = r.next_to_clean = 0;
}

// igb_alloc_rx_buffers (igb_main.c): `cleaned_count` read-format descriptors
// from next_to_use on (wrapping), each pointing at its slot's buffer with
// hdr_addr 0 (which also clears the writeback's length and DD), then one
// tail write: RDT = next_to_use. Only what the driver cleaned is refilled;
// the NIC never owns the slot at next_to_use.
inline void igb_alloc_rx_buffers(const RxRingIo& io, RxRing& r, unsigned cleaned_count) {
  using namespace regs;
  if (!cleaned_count) return;
  unsigned i = r.next_to_use;
  for (unsigned k = 0; k < cleaned_count; ++k) {
    uint8_t desc[RX_DESC_BYTES] = {};
    put_unaligned_le64(r.buf_addr(i), desc + RXD_RD_PKT_ADDR_BYTE);
    put_unaligned_le64(0, desc + RXD_RD_HDR_ADDR_BYTE);
    io.write_mem(r.desc_addr(i), desc, sizeof desc);
    if (++i == r.count) i = 0;
  }
  r.next_to_use = i;
  io.wr32(E1000_RDT(r.queue), i);
}

}  // namespace rxpath::testing
