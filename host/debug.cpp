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

}  // namespace rxpath::host
