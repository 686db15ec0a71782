// SPDX-License-Identifier: MIT
// Signal names of an FST file as GTKWave shows them, and the signals a
// GTKWave save file (.gtkw) names, so a view can be checked against a trace.
#pragma once

#include <cstdint>
#include <set>
#include <string>
#include <vector>

namespace waves {

// Every variable of FILE.fst, as its full dotted name the way GTKWave names
// it: scopes joined by '.', the variable's name with its bit range and no
// space ("TOP.nic_top.u_rx.rdh_q[15:0]"), a range "[n-1:0]" added to an
// n-bit vector declared without one, none for 1-bit and string variables.
// Throws std::runtime_error naming the file if it cannot be read as FST.
std::vector<std::string> fst_signal_names(const std::string& path);

// One signal a save file names, with the line it is on (1-based).
struct GtkwSignal {
  std::string name;  // full dotted name with its bit range, as in the file
  int line = 0;
};

// What a .gtkw file says: the signals it shows (aliases, single bits "(n)x",
// concatenations "#{name} a b" resolved to the underlying names) and the
// rxpath comment lines "[*] rxpath-scenario: FILE" and "[*] rxpath-args: ...".
struct GtkwView {
  std::string path;
  std::string scenario;  // "" when the view names none
  std::string args;      // extra rxpath arguments, "" if none
  std::string title;     // "[*] rxpath-view: ..." one-line summary
  std::vector<GtkwSignal> signals;
  std::vector<std::string> filters;  // translate filter files ("^1 FILE" lines)
};

// Parses a save file. Throws std::runtime_error naming the file and line for
// a line it does not understand.
GtkwView parse_gtkw(const std::string& path);

// The signals of `view` that `names` (from fst_signal_names) lacks, one
// message per signal: "line 12: TOP.x.y[3:0] (trace has TOP.x.y[7:0])" when
// only the range differs, "line 12: TOP.x.y" otherwise.
std::vector<std::string> missing_signals(const GtkwView& view, const std::set<std::string>& names);

}  // namespace waves
