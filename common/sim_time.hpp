// SPDX-License-Identifier: MIT
// SystemC time as whole picoseconds, the unit of every timestamp rxpath
// writes (debug lines, captures, latency, the wire): one conversion for all.
#pragma once

#include <cstdint>

#include <systemc>

namespace rxpath::common {

inline constexpr uint64_t kPsPerNs = 1000;

inline uint64_t to_ps(const sc_core::sc_time& t) { return static_cast<uint64_t>(t.to_seconds() * 1e12 + 0.5); }
inline uint64_t now_ps() { return to_ps(sc_core::sc_time_stamp()); }

}  // namespace rxpath::common
