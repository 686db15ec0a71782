// SPDX-License-Identifier: MIT
#include "testbench/knobs.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <limits>
#include <sstream>

// toml++ 3.3.0 (Debian 12) asserts, in parse_key(), that a table header's
// name starts with a key character, which its table-header code does not
// check first: "[#", "[\n" or "[[[" abort a build with assertions instead of
// failing with the parse error a build without them reports (found by
// fuzz/fuzz_scenario; upstream: marzer/tomlplusplus pull request 301). The
// parser's own checks report such input; its internal assertions stay off.
#ifndef TOML_ASSERT
#define TOML_ASSERT(expr) static_cast<void>(0)
#endif
#include <toml++/toml.h>

#include "common/escape.hpp"

namespace rxpath::tb {

namespace {

// A file's strings are UTF-8 (TOML 1.0), and toml++ refuses a file that is
// not; a bare string on the command line is held to the same rule by the same
// parser, so the effective scenario (dump_toml) stays a file that reads back.
void require_utf8(const std::string& s, const std::string& where) {
  std::string doc = "v = \"";
  common::append_escaped(doc, s);
  doc += '"';
  try {
    (void)toml::parse(doc);
  } catch (const toml::parse_error&) {
    throw ScenarioError(where + ": the value is not UTF-8 text");
  }
}

std::string where_of(const std::string& file, const toml::source_region& src) {
  std::ostringstream os;
  os << file << ":" << src.begin.line << ":" << src.begin.column;
  return os.str();
}

std::string fmt_double(double d) {
  // The shortest of 15..17 significant digits that reads back as the same value.
  std::string s;
  for (int prec = 15; prec <= std::numeric_limits<double>::max_digits10; ++prec) {
    std::ostringstream os;
    os.precision(prec);
    os << d;
    s = os.str();
    if (std::stod(s) == d) break;
  }
  if (s.find_first_of(".eEn") == std::string::npos) s += ".0";
  return s;
}

// Edit distance, to suggest the knob a misspelt key meant.
size_t distance(const std::string& a, const std::string& b) {
  std::vector<size_t> prev(b.size() + 1), cur(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) prev[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    cur[0] = i;
    for (size_t j = 1; j <= b.size(); ++j)
      cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1)});
    std::swap(prev, cur);
  }
  return prev[b.size()];
}

}  // namespace

std::string Knobs::range_text(uint64_t min, uint64_t max) {
  return "[" + std::to_string(min) + ", " + std::to_string(max) + "]";
}

const char* Knobs::kind_name(Kind k) {
  switch (k) {
    case Kind::integer:
      return "integer";
    case Kind::floating:
      return "number";
    case Kind::boolean:
      return "boolean";
    case Kind::string:
      return "string";
  }
  return "?";
}

void Knobs::add_generic(const std::string& key, Kind kind, const std::string& def_text, const std::string& doc,
                        const std::string& range, std::function<void(const Value&)> set,
                        std::function<std::string()> get) {
  if (knobs_.count(key)) throw std::logic_error("knob registered twice: " + key);
  knobs_[key] = Knob{kind, def_text, doc, range, std::move(set), def_text, std::move(get), {}};
}

std::string Knobs::toml_quote(const std::string& s) {
  std::string out = "\"";
  common::append_escaped(out, s);
  return out + "\"";
}

void Knobs::add_int(const std::string& key, int64_t* target, int64_t def, int64_t min, int64_t max,
                    const std::string& doc) {
  *target = def;
  const std::string range = "[" + std::to_string(min) + ", " + std::to_string(max) + "]";
  add_generic(
      key, Kind::integer, std::to_string(def), doc, range,
      [=](const Value& v) {
        if (v.i < min || v.i > max) throw std::out_of_range("must be in " + range);
        *target = v.i;
      },
      [target] { return std::to_string(*target); });
}

void Knobs::add_double(const std::string& key, double* target, double def, double min, double max,
                       const std::string& doc) {
  *target = def;
  const std::string range = "[" + fmt_double(min) + ", " + fmt_double(max) + "]";
  add_generic(
      key, Kind::floating, fmt_double(def), doc, range,
      [=](const Value& v) {
        if (!std::isfinite(v.d) || v.d < min || v.d > max) throw std::out_of_range("must be in " + range);
        *target = v.d;
      },
      [target] { return fmt_double(*target); });
}

void Knobs::add_bool(const std::string& key, bool* target, bool def, const std::string& doc) {
  *target = def;
  add_generic(
      key, Kind::boolean, def ? "true" : "false", doc, "true/false", [=](const Value& v) { *target = v.b; },
      [target] { return std::string(*target ? "true" : "false"); });
}

void Knobs::add_string(const std::string& key, std::string* target, const std::string& def, const std::string& doc,
                       std::vector<std::string> choices) {
  *target = def;
  std::string range;
  for (const auto& c : choices) range += (range.empty() ? "" : ", ") + c;
  add_generic(
      key, Kind::string, toml_quote(def), doc, range,
      [=](const Value& v) {
        if (!choices.empty() && std::find(choices.begin(), choices.end(), v.s) == choices.end())
          throw std::out_of_range("must be one of: " + range);
        *target = v.s;
      },
      [target] { return toml_quote(*target); });
}

std::string Knobs::suggest(const std::string& key) const {
  std::string best;
  size_t best_d = 4;
  if (key.size() > 64) return "";  // no knob is this long; the distance would cost |key| x |knob| per knob
  for (const auto& [k, _] : knobs_) {
    size_t d = distance(key, k);
    if (d < best_d) best_d = d, best = k;
  }
  return best.empty() ? "" : " (did you mean " + best + "?)";
}

void Knobs::assign(const std::string& key, const Value& v, const std::string& text, const std::string& where) {
  auto it = knobs_.find(key);
  if (it == knobs_.end()) throw ScenarioError(where + ": " + common::clip(key) + ": unknown key" + suggest(key));
  try {
    it->second.set(v);
  } catch (const std::exception& e) {
    throw ScenarioError(where + ": " + key + ": " + common::clip(text) + " " + e.what());
  }
  it->second.current = text;
  it->second.origin = where;
}

std::string Knobs::origin(const std::string& key) const {
  auto it = knobs_.find(key);
  return it == knobs_.end() ? std::string() : it->second.origin;
}

// One TOML value as a knob of `kind` wants it, with the text that shows it in
// a dumped scenario. A string knob also takes a bare integer (size = 1518).
template <class TomlNode>
Knobs::Value Knobs::from_node(const TomlNode& node, Kind kind, const std::string& key, const std::string& where,
                              std::string* textv) {
  Value v;
  switch (kind) {
    case Kind::integer:
      if (!node.is_integer()) throw ScenarioError(where + ": " + key + ": expected an integer");
      v.i = node.as_integer()->get();
      *textv = std::to_string(v.i);
      break;
    case Kind::floating:
      if (node.is_integer())
        v.d = static_cast<double>(node.as_integer()->get());
      else if (node.is_floating_point())
        v.d = node.as_floating_point()->get();
      else
        throw ScenarioError(where + ": " + key + ": expected a number");
      *textv = fmt_double(v.d);
      break;
    case Kind::boolean:
      if (!node.is_boolean()) throw ScenarioError(where + ": " + key + ": expected true or false");
      v.b = node.as_boolean()->get();
      *textv = v.b ? "true" : "false";
      break;
    case Kind::string:
      if (node.is_string())
        v.s = node.as_string()->get();
      else if (node.is_integer())
        v.s = std::to_string(node.as_integer()->get());
      else
        throw ScenarioError(where + ": " + key + ": expected a string");
      *textv = toml_quote(v.s);
      break;
  }
  return v;
}

void Knobs::load_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw ScenarioError(path + ": cannot open scenario file");
  std::stringstream ss;
  ss << in.rdbuf();
  load_string(ss.str(), path);
}

void Knobs::load_string(const std::string& text, const std::string& name) {
  toml::table root;
  try {
    root = toml::parse(text, name);
  } catch (const toml::parse_error& e) {
    throw ScenarioError(where_of(name, e.source()) + ": " + std::string(e.description()));
  }
  // Walk every leaf; a table is a namespace ("nic.ring_size" = [nic] ring_size).
  std::function<void(const toml::table&, const std::string&)> walk = [&](const toml::table& t,
                                                                         const std::string& prefix) {
    for (const auto& [k, node] : t) {
      const std::string key = prefix.empty() ? std::string(k.str()) : prefix + "." + std::string(k.str());
      const std::string where = where_of(name, node.source());
      if (const toml::table* sub = node.as_table()) {
        walk(*sub, key);
        continue;
      }
      auto it = knobs_.find(key);
      if (it == knobs_.end()) throw ScenarioError(where + ": " + key + ": unknown key" + suggest(key));
      std::string textv;
      const Value v = from_node(node, it->second.kind, key, where, &textv);
      assign(key, v, textv, where);
    }
  };
  walk(root, "");
}

void Knobs::apply_override(const std::string& assignment) {
  const std::string where = "--set " + common::clip(assignment);
  const auto eq = assignment.find('=');
  if (eq == std::string::npos || eq == 0) throw ScenarioError(where + ": expected key=value");
  apply_value(assignment.substr(0, eq), assignment.substr(eq + 1), where);
}

void Knobs::apply_value(const std::string& key, const std::string& val, const std::string& where) {
  auto it = knobs_.find(key);
  if (it == knobs_.end()) throw ScenarioError(where + ": " + common::clip(key) + ": unknown key" + suggest(key));
  // The value is read as TOML reads it in a scenario file, so both accept
  // exactly the same values; a string may go without its quotes.
  toml::table t;
  const bool bare_string = it->second.kind == Kind::string && (val.empty() || (val[0] != '"' && val[0] != '\''));
  if (bare_string) {
    require_utf8(val, where + ": " + key);
    t.insert("v", val);
  } else {
    try {
      t = toml::parse("v = " + val);
    } catch (const toml::parse_error&) {
      throw ScenarioError(where + ": " + key + ": '" + common::clip(val) + "' is not a valid " +
                          kind_name(it->second.kind) + " (values are written as in a scenario file)");
    }
  }
  if (t.size() != 1 || !t.contains("v"))
    throw ScenarioError(where + ": " + key + ": '" + common::clip(val) + "' is not one value");
  std::string textv;
  const Value v = from_node(*t.get("v"), it->second.kind, key, where, &textv);
  assign(key, v, textv, where);
}

std::string Knobs::type_of(const std::string& key) const {
  auto it = knobs_.find(key);
  return it == knobs_.end() ? "" : kind_name(it->second.kind);
}

std::vector<std::string> Knobs::keys() const {
  std::vector<std::string> out;
  for (const auto& [k, _] : knobs_) out.push_back(k);
  return out;
}

std::string Knobs::dump_json() const {
  std::string out = "{";
  for (const auto& [k, knob] : knobs_)
    out += (out.size() > 1 ? ", " : "") + toml_quote(k) + ": " + (knob.get ? knob.get() : knob.current);
  return out + "}";
}

std::string Knobs::dump_toml() const {
  // Group by table (everything before the last dot); top-level keys first,
  // each table header once, so the output reads back as the same scenario.
  std::map<std::string, std::vector<std::pair<std::string, std::string>>> tables;
  for (const auto& [k, knob] : knobs_) {
    const auto dot = k.rfind('.');
    const std::string t = dot == std::string::npos ? "" : k.substr(0, dot);
    tables[t].emplace_back(dot == std::string::npos ? k : k.substr(dot + 1), knob.get ? knob.get() : knob.current);
  }
  std::ostringstream os;
  bool first = true;
  for (const auto& [t, rows] : tables) {
    if (!first) os << "\n";
    first = false;
    if (!t.empty()) os << "[" << t << "]\n";
    for (const auto& [leaf, val] : rows) os << leaf << " = " << val << "\n";
  }
  return os.str();
}

std::string Knobs::docs_markdown() const {
  std::ostringstream os;
  os << "| Key | Type | Default | Range | Meaning |\n|---|---|---|---|---|\n";
  for (const auto& [k, knob] : knobs_)
    os << "| `" << k << "` | " << kind_name(knob.kind) << " | `" << knob.def_text << "` | " << knob.range << " | "
       << knob.doc << " |\n";
  return os.str();
}

}  // namespace rxpath::tb
