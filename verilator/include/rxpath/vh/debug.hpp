// SPDX-License-Identifier: MIT
// Debug output by category, switched at run time (--debug=axi,msix or RXPATH_DEBUG=...).
#pragma once
#include <cstdarg>
#include <cstdint>
#include <string>

namespace rxpath::vh {

enum class Dbg : unsigned { xgmii, axi, axil, msix, desc, sb, drv, count_ };

// Enable the categories named in a comma list ("axi,msix", "all"). Unknown
// names throw std::invalid_argument naming the bad category.
void dbg_enable(const std::string& list);
// Reads RXPATH_DEBUG from the environment once (called by the controller).
void dbg_from_env();
bool dbg_on(Dbg c);
void dbg_printf(Dbg c, uint64_t cycle, const char* fmt, ...) __attribute__((format(printf, 3, 4)));

}  // namespace rxpath::vh

#define RXP_DBG(cat, cycle, ...)                                                   \
    do {                                                                          \
        if (::rxpath::vh::dbg_on(::rxpath::vh::Dbg::cat))                          \
            ::rxpath::vh::dbg_printf(::rxpath::vh::Dbg::cat, (cycle), __VA_ARGS__); \
    } while (0)
