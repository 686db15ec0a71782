// SPDX-License-Identifier: MIT
// FST signal names (fstapi reader) and GTKWave save-file parsing.
#include "waves/tools/fst_names.hpp"

#include <fstream>
#include <map>
#include <memory>
#include <sstream>
#include <stdexcept>

#include "gtkwave/fstapi.h"

namespace waves {
namespace {

// "data [63:0]" -> "data[63:0]": GTKWave drops the blank Verilator puts
// before a vector's range.
std::string without_blanks(const char* s, uint32_t n) {
  std::string out;
  out.reserve(n);
  for (uint32_t i = 0; i < n; ++i)
    if (s[i] != ' ') out += s[i];
  return out;
}

// True if `name` ends in a bit range "[a:b]".
bool has_range(const std::string& name) {
  if (name.empty() || name.back() != ']') return false;
  const auto open = name.rfind('[');
  return open != std::string::npos && name.find(':', open) != std::string::npos;
}

// "TOP.x.y[7:0]" -> "TOP.x.y"; names without a range are returned whole.
std::string base_of(const std::string& name) { return has_range(name) ? name.substr(0, name.rfind('[')) : name; }

std::string trim(const std::string& s) {
  const auto b = s.find_first_not_of(" \t\r");
  if (b == std::string::npos) return "";
  const auto e = s.find_last_not_of(" \t\r");
  return s.substr(b, e - b + 1);
}

[[noreturn]] void fail(const std::string& path, int line, const std::string& what) {
  throw std::runtime_error(path + ":" + std::to_string(line) + ": " + what);
}

// One signal reference of a save file: "(n)NAME" (bit n of NAME), "NAME";
// the caller has already removed an alias "+{...} " prefix.
std::string signal_of(const std::string& path, int line, std::string ref) {
  ref = trim(ref);
  if (!ref.empty() && ref[0] == '(') {
    const auto close = ref.find(')');
    if (close == std::string::npos) fail(path, line, "bit reference without ')': " + ref);
    ref = ref.substr(close + 1);
  }
  if (ref.empty()) fail(path, line, "empty signal name");
  return ref;
}

// Skips a "{...}" that starts at s[i] == '{' and returns the index after it.
size_t skip_braces(const std::string& path, int line, const std::string& s, size_t i) {
  const auto close = s.find('}', i);
  if (close == std::string::npos) fail(path, line, "'{' without '}': " + s);
  return close + 1;
}

}  // namespace

std::vector<std::string> fst_signal_names(const std::string& path) {
  std::unique_ptr<void, void (*)(void*)> ctx(fstReaderOpen(path.c_str()), [](void* c) {
    if (c) fstReaderClose(c);
  });
  if (!ctx) throw std::runtime_error(path + ": cannot be opened as an FST file");
  std::vector<std::string> names;
  std::vector<std::string> scope;
  while (const fstHier* h = fstReaderIterateHier(ctx.get())) {
    switch (h->htyp) {
      case FST_HT_SCOPE:
        scope.emplace_back(h->u.scope.name, h->u.scope.name_length);
        break;
      case FST_HT_UPSCOPE:
        if (!scope.empty()) scope.pop_back();
        break;
      case FST_HT_VAR: {
        std::string full;
        for (const auto& s : scope) full += s + ".";
        std::string var = without_blanks(h->u.var.name, h->u.var.name_length);
        const bool numeric = h->u.var.typ != FST_VT_GEN_STRING && h->u.var.typ != FST_VT_VCD_REAL &&
                             h->u.var.typ != FST_VT_VCD_REAL_PARAMETER && h->u.var.typ != FST_VT_SV_SHORTREAL &&
                             h->u.var.typ != FST_VT_VCD_REALTIME;
        if (numeric && h->u.var.length > 1 && !has_range(var)) var += "[" + std::to_string(h->u.var.length - 1) + ":0]";
        names.push_back(full + var);
        break;
      }
      default:
        break;  // attributes (enum tables, source stems)
    }
  }
  return names;
}

GtkwView parse_gtkw(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error(path + ": cannot be read");
  GtkwView view;
  view.path = path;
  std::string raw;
  int line = 0;
  const std::string kScenario = "rxpath-scenario:", kArgs = "rxpath-args:", kTitle = "rxpath-view:";
  while (std::getline(in, raw)) {
    ++line;
    const std::string s = trim(raw);
    if (s.empty()) continue;
    switch (s[0]) {
      case '[': {
        if (s.rfind("[*]", 0) == 0) {
          const std::string c = trim(s.substr(3));
          if (c.rfind(kScenario, 0) == 0)
            view.scenario = trim(c.substr(kScenario.size()));
          else if (c.rfind(kArgs, 0) == 0)
            view.args = trim(c.substr(kArgs.size()));
          else if (c.rfind(kTitle, 0) == 0)
            view.title = trim(c.substr(kTitle.size()));
        } else if (s.find(']') == std::string::npos) {
          fail(path, line, "directive without ']': " + s);
        }
        break;
      }
      case '*':  // zoom, marker and named markers
      case '@':  // display flags of the next trace
      case '-':  // comment, blank line or group name
        break;
      case '^': {  // translate filter: "^1 FILE", "^>1 FILE" (process), "^<1 FILE" (transaction)
        const auto sp = s.find(' ');
        if (sp == std::string::npos) fail(path, line, "filter line without a file: " + s);
        view.filters.push_back(trim(s.substr(sp + 1)));
        break;
      }
      case '+': {  // "+{alias} SIGNAL" or "+{alias} #{...} ..."
        if (s.size() < 2 || s[1] != '{') fail(path, line, "alias without '{name}': " + s);
        const std::string rest = trim(s.substr(skip_braces(path, line, s, 1)));
        if (rest.empty()) fail(path, line, "alias names no signal: " + s);
        if (rest[0] == '#') {
          std::istringstream parts(rest.substr(skip_braces(path, line, rest, 1)));
          for (std::string p; parts >> p;) view.signals.push_back({signal_of(path, line, p), line});
        } else {
          view.signals.push_back({signal_of(path, line, rest), line});
        }
        break;
      }
      case '#': {  // "#{name} a b c": a vector made of several signals or bits
        if (s.size() < 2 || s[1] != '{') fail(path, line, "vector without '{name}': " + s);
        std::istringstream parts(s.substr(skip_braces(path, line, s, 1)));
        for (std::string p; parts >> p;) view.signals.push_back({signal_of(path, line, p), line});
        break;
      }
      default:
        view.signals.push_back({signal_of(path, line, s), line});
        break;
    }
  }
  return view;
}

std::vector<std::string> missing_signals(const GtkwView& view, const std::set<std::string>& names) {
  std::multimap<std::string, std::string> by_base;
  for (const auto& n : names) by_base.emplace(base_of(n), n);
  std::vector<std::string> out;
  for (const auto& sig : view.signals) {
    if (names.count(sig.name)) continue;
    std::string msg = "line " + std::to_string(sig.line) + ": " + sig.name;
    const auto [b, e] = by_base.equal_range(base_of(sig.name));
    if (b != e) {
      msg += " (trace has";
      for (auto it = b; it != e; ++it) msg += " " + it->second;
      msg += ")";
    }
    out.push_back(msg);
  }
  return out;
}

}  // namespace waves
