// SPDX-License-Identifier: MIT
// Debug categories (see debug.hpp).
#include "debug.hpp"

#include <cstdarg>
#include <sstream>
#include <stdexcept>
#include <systemc>

namespace rxpath::host {

uint32_t g_debug_mask = 0;

namespace {
struct Name { const char* name; Dbg cat; };
constexpr Name kNames[] = {
    {"link", Dbg::link}, {"msix", Dbg::msix}, {"desc", Dbg::desc}, {"irq", Dbg::irq},
    {"napi", Dbg::napi}, {"itr", Dbg::itr},   {"nic", Dbg::nic},
};
const char* name_of(Dbg c) {
    for (const Name& n : kNames)
        if (n.cat == c) return n.name;
    return "?";
}
}  // namespace

void debug_enable(const std::string& list) {
    std::stringstream ss(list);
    std::string item;
    while (std::getline(ss, item, ',')) {
        if (item.empty()) continue;
        if (item == "all") { g_debug_mask = ~0u; continue; }
        bool found = false;
        for (const Name& n : kNames)
            if (item == n.name) { g_debug_mask |= static_cast<uint32_t>(n.cat); found = true; }
        if (!found) throw std::invalid_argument("--debug: unknown category '" + item + "'");
    }
}

void debug_print(Dbg c, const char* fmt, ...) {
    std::fprintf(stderr, "%s %s: ", sc_core::sc_time_stamp().to_string().c_str(), name_of(c));
    va_list ap;
    va_start(ap, fmt);
    std::vfprintf(stderr, fmt, ap);
    va_end(ap);
    std::fputc('\n', stderr);
}

}  // namespace rxpath::host
