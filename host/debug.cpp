// SPDX-License-Identifier: MIT
// The host's debug categories (see debug.hpp).
#include "host/debug.hpp"

#include <systemc>

namespace rxpath::host {

namespace dbg {
namespace {
constexpr const char* kLayer = "host";
}  // namespace
common::debug::Flag link("link", kLayer, "the PCIe link: DMA writes and reads, MMIO writes and reads");
common::debug::Flag msix("msix", kLayer,
                         "MSI-X delivery: the link hands a vector over, the platform routes it to an irq and CPU");
common::debug::Flag desc("desc", kLayer,
                         "the driver's descriptor ring: igb_alloc_rx_buffers refills and the RDT write");
common::debug::Flag itr("itr", kLayer, "interrupt moderation: each EITR value the driver writes");
}  // namespace dbg

uint64_t debug_now_ps() { return static_cast<uint64_t>(sc_core::sc_time_stamp().to_seconds() * 1e12 + 0.5); }

}  // namespace rxpath::host
