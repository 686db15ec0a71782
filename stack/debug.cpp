// SPDX-License-Identifier: Apache-2.0
// stack/debug.cpp: run-time debug categories.
#include "stack/debug.hpp"

#include <systemc>

#include <iostream>
#include <stdexcept>

namespace rxpath::stack {

namespace {
const char* const kNames[] = {"irq", "softirq", "sched", "napi", "gro", "dev", "arp",
                              "ip",  "udp",     "tcp",   "sock", "poll", "epoll", "user"};
static_assert(sizeof(kNames) / sizeof(kNames[0]) == static_cast<size_t>(Dbg::count));
}  // namespace

const char* Debug::name(Dbg c) { return kNames[static_cast<unsigned>(c)]; }

void Debug::enable(const std::string& list) {
  size_t pos = 0;
  while (pos <= list.size()) {
    size_t comma = list.find(',', pos);
    if (comma == std::string::npos) comma = list.size();
    std::string item = list.substr(pos, comma - pos);
    pos = comma + 1;
    if (item.empty()) continue;
    if (item == "all") {
      mask_ = (1u << static_cast<unsigned>(Dbg::count)) - 1;
      continue;
    }
    bool found = false;
    for (unsigned i = 0; i < static_cast<unsigned>(Dbg::count); ++i) {
      if (item == kNames[i]) {
        mask_ |= 1u << i;
        found = true;
      }
    }
    if (!found) throw std::invalid_argument("debug: unknown category '" + item + "'");
  }
}

void Debug::emit(Dbg c, const std::string& text) const {
  std::string line = sc_core::sc_time_stamp().to_string() + " " + name(c) + " " + text;
  if (sink_)
    sink_(line);
  else
    std::cerr << line << '\n';
}

}  // namespace rxpath::stack
