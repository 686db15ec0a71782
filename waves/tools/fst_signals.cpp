// SPDX-License-Identifier: MIT
// fst_signals: list an FST file's signals by the names GTKWave shows, or
// check that every signal a GTKWave save file names is in the trace.
//
//   fst_signals FILE.fst                      every signal, one full dotted name a line
//   fst_signals FILE.fst --check VIEW.gtkw... exit 1 listing each signal a view names that FILE lacks
#include <cstdio>
#include <cstring>
#include <exception>
#include <set>
#include <string>
#include <vector>

#include "waves/tools/fst_names.hpp"

namespace {

constexpr const char* kUsage =
    "usage: fst_signals FILE.fst                 list every signal (full dotted GTKWave name)\n"
    "       fst_signals FILE.fst --check VIEW.gtkw [VIEW.gtkw...]\n"
    "                                            exit 1 listing each signal a view names that FILE lacks\n";

}  // namespace

int main(int argc, char** argv) {
  std::string fst;
  std::vector<std::string> views;
  bool check = false;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "-h" || a == "--help") {
      std::fputs(kUsage, stdout);
      return 0;
    } else if (a == "--check") {
      check = true;
    } else if (!a.empty() && a[0] == '-') {
      std::fprintf(stderr, "fst_signals: unknown option %s\n%s", a.c_str(), kUsage);
      return 2;
    } else if (check) {
      views.push_back(a);
    } else if (fst.empty()) {
      fst = a;
    } else {
      std::fprintf(stderr, "fst_signals: more than one FST file (%s, %s)\n%s", fst.c_str(), a.c_str(), kUsage);
      return 2;
    }
  }
  if (fst.empty()) {
    std::fprintf(stderr, "fst_signals: no FST file given\n%s", kUsage);
    return 2;
  }
  if (check && views.empty()) {
    std::fprintf(stderr, "fst_signals: --check needs at least one VIEW.gtkw\n%s", kUsage);
    return 2;
  }
  try {
    const std::vector<std::string> names = waves::fst_signal_names(fst);
    if (!check) {
      for (const auto& n : names) std::printf("%s\n", n.c_str());
      return 0;
    }
    const std::set<std::string> have(names.begin(), names.end());
    int bad = 0;
    for (const auto& v : views) {
      const waves::GtkwView view = waves::parse_gtkw(v);
      const auto missing = waves::missing_signals(view, have);
      for (const auto& m : missing) std::fprintf(stderr, "%s: not in %s: %s\n", v.c_str(), fst.c_str(), m.c_str());
      if (view.signals.empty()) {
        std::fprintf(stderr, "%s: names no signal\n", v.c_str());
        ++bad;
      }
      bad += static_cast<int>(missing.size());
      if (missing.empty() && !view.signals.empty())
        std::printf("%s: all %zu signals found in %s\n", v.c_str(), view.signals.size(), fst.c_str());
    }
    return bad ? 1 : 0;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "fst_signals: %s\n", e.what());
    return 2;
  }
}
