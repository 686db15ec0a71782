// SPDX-License-Identifier: MIT
// A tiny "driver double": programs the NIC the way the Linux igb driver does
// and refills descriptors, over MMIO callbacks and the harness host memory.
#pragma once
#include <cstdint>
#include <functional>
#include <vector>

#include "common/eth.hpp"
#include "common/rss.hpp"
#include "testing/rx_ring.hpp"
#include "verilator/vh/axi.hpp"

namespace rxpath::vh {

// Frames as the harness builds and checks them (common/eth.hpp).
using eth::Bytes;
using eth::Mac;

// Advanced writeback of one descriptor, as the host reads it.
struct RxWriteback {
  uint16_t pkt_info, hdr_info;
  uint32_t rss, status_error;
  uint16_t length, vlan;
};

// One received descriptor (data already copied out of its buffer).
struct RxDesc {
  unsigned slot;
  RxWriteback wb;
  Bytes data;
};

// The shared ring of testing/rx_ring.hpp, with the queue's MSI-X vector.
struct IgbRing : testing::RxRing {
  unsigned vector = 0;
};

class IgbDouble {
 public:
  using Wr = std::function<void(uint32_t, uint32_t)>;
  using Rd = std::function<uint32_t(uint32_t)>;
  IgbDouble(Wr wr, Rd rd, SparseMem& mem)
      : wr_(wr), rd_(rd), mem_(mem), io_{std::move(wr), std::move(rd), [&mem](uint64_t a, const uint8_t* p, size_t n) {
                                           mem.write(a, p, n);
                                         }} {}

  // A zeroed descriptor ring (igb_setup_rx_resources), then
  // igb_configure_rx_ring() and igb_alloc_rx_buffers() of testing/rx_ring.hpp
  // for min(fill, count - 1) descriptors.
  void igb_configure_rx_ring(IgbRing& r, unsigned fill = ~0u);
  // igb_alloc_rx_buffers() (igb_main.c): n descriptors, one tail write.
  void igb_alloc_rx_buffers(IgbRing& r, unsigned n) { testing::igb_alloc_rx_buffers(io_, r, n); }
  // igb_desc_unused() (igb.h)
  static unsigned igb_desc_unused(const IgbRing& r) { return testing::igb_desc_unused(r); }
  // igb_clean_rx_irq() (igb_main.c) reduced: collect completed descriptors
  // (length != 0) up to budget, refill in batches of IGB_RX_BUFFER_WRITE.
  std::vector<RxDesc> igb_clean_rx_irq(IgbRing& r, unsigned budget = 1u << 30, bool refill = true);
  // igb_setup_rctl() (igb_main.c) with the model's options.
  void igb_setup_rctl(uint32_t extra = 0, bool secrc = true);
  // igb_setup_mrqc() (igb_main.c): RSSRK, RETA, RXCSUM.PCSD, MRQC from c.
  void igb_setup_mrqc(const rss::Config& c);
  // igb_rar_set() (e1000_mac.c): station address in RAL/RAH[index].
  void igb_rar_set(const Mac& mac, unsigned index = 0);
  // igb_configure_msix() + igb_irq_enable() (igb_main.c) for one queue vector.
  void igb_configure_msix(const IgbRing& r, uint32_t eitr);
  RxWriteback read_wb(const IgbRing& r, unsigned slot) const;
  uint64_t buf_addr(const IgbRing& r, unsigned slot) const { return r.buf_addr(slot); }

  static constexpr unsigned IGB_RX_BUFFER_WRITE = 16;  // igb.h

 private:
  Wr wr_;
  Rd rd_;
  SparseMem& mem_;
  testing::RxRingIo io_;
};

}  // namespace rxpath::vh
