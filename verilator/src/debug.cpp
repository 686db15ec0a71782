// SPDX-License-Identifier: MIT
// Run-time debug categories for the harness.
#include "rxpath/vh/debug.hpp"

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <sstream>
#include <stdexcept>

namespace rxpath::vh {
namespace {
const char* const kNames[] = {"xgmii", "axi", "axil", "msix", "desc", "sb", "drv"};
unsigned g_mask = 0;
}  // namespace

void dbg_enable(const std::string& list) {
    std::stringstream ss(list);
    std::string item;
    while (std::getline(ss, item, ',')) {
        if (item.empty()) continue;
        if (item == "all") {
            g_mask = ~0u;
            continue;
        }
        bool found = false;
        for (unsigned i = 0; i < unsigned(Dbg::count_); ++i)
            if (item == kNames[i]) {
                g_mask |= 1u << i;
                found = true;
            }
        if (!found) throw std::invalid_argument("debug: unknown category '" + item + "'");
    }
}

void dbg_from_env() {
    static bool done = false;
    if (done) return;
    done = true;
    if (const char* e = std::getenv("RXPATH_DEBUG")) dbg_enable(e);
}

bool dbg_on(Dbg c) { return (g_mask >> unsigned(c)) & 1u; }

void dbg_printf(Dbg c, uint64_t cycle, const char* fmt, ...) {
    std::fprintf(stderr, "[%10llu] %-5s ", static_cast<unsigned long long>(cycle), kNames[unsigned(c)]);
    va_list ap;
    va_start(ap, fmt);
    std::vfprintf(stderr, fmt, ap);
    va_end(ap);
    std::fputc('\n', stderr);
}

}  // namespace rxpath::vh
