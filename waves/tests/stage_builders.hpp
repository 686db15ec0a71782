// SPDX-License-Identifier: Apache-2.0
// waves/tests/stage_builders.hpp: synthetic stack::Stage records for the
// journey and timeline unit tests (one NIC stage at a clock cycle, one host
// stage at a time in ns, an skb view).
#pragma once

#include <cstdint>
#include <string>
#include <utility>

#include "stack/trace.hpp"

namespace rxpath::waves::testing {

// A NIC stage at `cycle` (6.4 ns per clock).
inline stack::Stage nic(uint64_t id, const char* name, int64_t cycle, std::string detail = "",
                        const char* drop = nullptr) {
  stack::Stage s;
  s.trace_id = id;
  s.name = name;
  s.cpu = stack::Stage::kNic;
  s.cycle = cycle;
  s.t = sc_core::sc_time(double(cycle) * 6.4, sc_core::SC_NS);
  s.detail = std::move(detail);
  s.drop = drop;
  return s;
}

// A host stage on `cpu` at `t_ns`.
inline stack::Stage host(uint64_t id, const char* name, int cpu, double t_ns, stack::SkbView skb = {},
                         std::string detail = "", const char* drop = nullptr) {
  stack::Stage s;
  s.trace_id = id;
  s.name = name;
  s.cpu = cpu;
  s.t = sc_core::sc_time(t_ns, sc_core::SC_NS);
  s.skb = skb;
  s.detail = std::move(detail);
  s.drop = drop;
  return s;
}

inline stack::SkbView skb(uint32_t data, uint32_t tail, uint32_t end, uint32_t len) {
  stack::SkbView v;
  v.valid = true;
  v.data = data, v.tail = tail, v.end = end, v.len = len;
  return v;
}

}  // namespace rxpath::waves::testing
