// SPDX-License-Identifier: MIT
// One FST from two sources: the RTL's FST (written by Verilator during the
// run) and the host's signals (HostSignals, kept in memory). After the run,
// merge_fst() copies the RTL hierarchy and value changes and adds the host
// signals under nested scopes from their dotted paths ("host.cpu0.context":
// scope host, scope cpu0, var context), strings as FST_VT_GEN_STRING, numbers
// as bit vectors, all times in ps (timescale 1 ps).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "host_signals.hpp"

namespace rxpath::waves {

struct MergeStats {
  uint64_t rtl_vars = 0, rtl_changes = 0;  // RTL changes written (inside the window)
  uint64_t host_vars = 0, host_changes = 0;
  double seconds = 0;                      // wall time of the merge
};

// Writes `out` (a path the caller commits: see testbench/output_file.hpp).
// `rtl` may be empty (host signals only). RTL changes outside the host's
// window are left out; the values the RTL had when the window opens are
// written at its start. Throws std::runtime_error naming the file on failure.
MergeStats merge_fst(const std::string& rtl, const HostSignals& host, const std::string& out);

// A text dump of an FST for tests and diffs: one line per change,
// "<time ps> <dotted.path> <value>", sorted, only variables whose path
// starts with `prefix` (empty: all).
std::string dump_fst(const std::string& path, const std::string& prefix = "");

// Every variable's dotted path in an FST.
std::vector<std::string> fst_vars(const std::string& path);

}  // namespace rxpath::waves
