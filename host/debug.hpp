// SPDX-License-Identifier: MIT
// Debug output by category, switched on at run time (STYLE.md 12):
//   rxpath::host::debug_enable("link,msix,desc,irq,napi,itr,nic")  or "all".
// HOST_DPRINTF(cat, fmt, ...) prints "<sim time> <cat>: ..." to stderr only
// when the category is on; the check is one load and one branch.
#pragma once

#include <cstdint>
#include <cstdio>
#include <string>

namespace rxpath::host {

enum class Dbg : uint32_t {
    link = 1u << 0,   // PCIe link: DMA, MMIO, MSI-X messages
    msix = 1u << 1,   // interrupt delivery
    desc = 1u << 2,   // driver descriptor ring handling
    irq = 1u << 3,    // driver ISR / IRQ enable
    napi = 1u << 4,   // driver poll
    itr = 1u << 5,    // interrupt moderation
    nic = 1u << 6,    // the behavioural NIC double
};

extern uint32_t g_debug_mask;

// Parses a comma-separated list of category names (or "all"); throws
// std::invalid_argument naming an unknown category.
void debug_enable(const std::string& list);
inline bool debug_on(Dbg c) { return (g_debug_mask & static_cast<uint32_t>(c)) != 0; }
void debug_print(Dbg c, const char* fmt, ...) __attribute__((format(printf, 2, 3)));

}  // namespace rxpath::host

#define HOST_DPRINTF(cat, ...)                                                  \
    do {                                                                        \
        if (::rxpath::host::debug_on(::rxpath::host::Dbg::cat))                 \
            ::rxpath::host::debug_print(::rxpath::host::Dbg::cat, __VA_ARGS__); \
    } while (0)
