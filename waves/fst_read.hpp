// SPDX-License-Identifier: MIT
// Reading an FST back (tests, diffs, the views' signal check): the dotted
// path of every variable and a sorted text dump of the value changes.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace rxpath::waves {
// A text dump of an FST for tests and diffs: one line per change,
// "<time ps> <dotted.path> <value>", sorted, only variables whose path
// starts with `prefix` (empty: all).
std::string dump_fst(const std::string& path, const std::string& prefix = "");

// Every variable's dotted path in an FST.
std::vector<std::string> fst_vars(const std::string& path);

}  // namespace rxpath::waves
