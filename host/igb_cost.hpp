// SPDX-License-Identifier: MIT
// CPU cost of the igb driver's functions, in the style of stack/cost.hpp:
// each a named knob with a documented default and its source.
#pragma once

#include <string>
#include <vector>

namespace rxpath::host {

struct IgbCost {
  double igb_msix_ring = 120;      // ns per ISR body (igb_write_itr check + napi_schedule); estimate, ~300 cycles
  double igb_poll = 60;            // ns per igb_poll call (excluding per-packet work); estimate
  double clean_rx_desc = 45;       // ns per descriptor: length check, dma_rmb, sync_single_range_for_cpu; estimate
  double process_skb_fields = 35;  // ns per frame: hash, igb_rx_checksum, eth_type_trans; estimate
  double alloc_rx_buffer = 25;     // ns per refilled slot (page reuse, no allocation); estimate
  double mmio_write = 60;       // ns of CPU time to post one register write (uncached store); typical PCIe posted write
  double ring_irq_enable = 50;  // ns per igb_ring_irq_enable (ITR update, excluding the EIMS write); estimate

  struct Knob {
    const char* name;
    double IgbCost::*field;
    const char* unit;
    const char* source;
  };
  static const std::vector<Knob>& knobs();
  // Throws std::invalid_argument naming the knob if unknown or value < 0.
  void set(const std::string& name, double value);
  double get(const std::string& name) const;
};

}  // namespace rxpath::host
