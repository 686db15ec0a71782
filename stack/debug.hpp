// SPDX-License-Identifier: Apache-2.0
// stack/debug.hpp: debug output by category, switched at run time
// (e.g. --debug=napi,gro,udp). Nothing is formatted unless the category is on.
//
// API changes (announce here): none yet.
#pragma once

#include <cstdint>
#include <functional>
#include <sstream>
#include <string>

namespace rxpath::stack {

enum class Dbg : uint8_t { irq, softirq, sched, napi, gro, dev, arp, ip, udp, tcp, sock, poll, epoll, user, count };

class Debug {
 public:
  // Enables categories from a comma-separated list ("napi,gro", "all").
  // Throws std::invalid_argument naming an unknown category.
  void enable(const std::string& list);
  void disable_all() { mask_ = 0; }
  bool on(Dbg c) const { return (mask_ >> static_cast<unsigned>(c)) & 1u; }
  static const char* name(Dbg c);
  // Where lines go (default: std::cerr). Each line: "<time> <cat> <text>".
  void set_sink(std::function<void(const std::string&)> sink) { sink_ = std::move(sink); }
  void emit(Dbg c, const std::string& text) const;

 private:
  uint32_t mask_ = 0;
  std::function<void(const std::string&)> sink_;
};

}  // namespace rxpath::stack

// Usage: RXS_DBG(kernel.debug(), napi, "poll " << n << " work " << w);
#define RXS_DBG(dbgobj, cat, expr)                                      \
  do {                                                                  \
    if ((dbgobj).on(::rxpath::stack::Dbg::cat)) {                       \
      std::ostringstream rxs_dbg_os_;                                   \
      rxs_dbg_os_ << expr;                                              \
      (dbgobj).emit(::rxpath::stack::Dbg::cat, rxs_dbg_os_.str());      \
    }                                                                   \
  } while (0)
