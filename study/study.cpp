// SPDX-License-Identifier: MIT
#include "study/study.hpp"

#include <algorithm>
#include <cinttypes>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <set>
#include <sstream>

#include <toml++/toml.h>

#include "testbench/knobs.hpp"
#include "testbench/scenario.hpp"

namespace rxpath::study {

const std::vector<std::string> kHeadMetrics = {"offered_frames",   "offered_pps",    "offered_gbps",
                                               "delivered_frames", "dropped_frames", "loss_ratio"};
const std::vector<std::string> kTailMetrics = {"latency_p50_ns",    "latency_p99_ns",    "latency_p999_ns",
                                               "cpu_share.softirq", "cpu_share.hardirq", "cpu_share.ksoftirqd",
                                               "cpu_share.process", "cpu_share.idle",    "msix_per_s",
                                               "polls_per_s",       "time_squeeze",      "steady",
                                               "window_us"};
const std::vector<std::string> kMachineColumns = {"wall_s", "cpu_s", "max_rss_kb"};

namespace {

std::string where_of(const std::string& file, const toml::source_region& src) {
  return file + ":" + std::to_string(src.begin.line) + ":" + std::to_string(src.begin.column);
}

[[noreturn]] void fail(const std::string& where, const std::string& key, const std::string& msg) {
  throw StudyError(where + ": " + key + ": " + msg);
}

std::string quote(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

// A double as TOML reads it back as the same floating value.
std::string float_text(double d) {
  char b[40];
  for (int prec = 15; prec <= 17; ++prec) {
    std::snprintf(b, sizeof b, "%.*g", prec, d);
    if (std::strtod(b, nullptr) == d) break;
  }
  std::string s = b;
  if (s.find_first_of(".eEn") == std::string::npos) s += ".0";
  return s;
}

// A TOML leaf as a scenario file writes it; "" for a table or an array.
std::string value_text(const toml::node& n) {
  if (auto v = n.as_integer()) return std::to_string(v->get());
  if (auto v = n.as_floating_point()) return float_text(v->get());
  if (auto v = n.as_boolean()) return v->get() ? "true" : "false";
  if (auto v = n.as_string()) return quote(v->get());
  return "";
}

// The keys a table may hold; anything else is an error at its line.
void check_keys(const toml::table& t, const std::string& file, const std::string& table,
                std::initializer_list<const char*> allowed) {
  for (const auto& [k, node] : t) {
    const std::string key(k.str());
    if (std::none_of(allowed.begin(), allowed.end(), [&](const char* a) { return key == a; })) {
      std::string list;
      for (const char* a : allowed) list += (list.empty() ? "" : ", ") + std::string(a);
      fail(where_of(file, node.source()), table + "." + key, "unknown key (" + table + " takes " + list + ")");
    }
  }
}

const toml::node& need(const toml::table& t, const char* key, const std::string& file, const std::string& table) {
  const toml::node* n = t.get(key);
  if (!n) fail(where_of(file, t.source()), table + "." + key, "missing");
  return *n;
}

std::string get_string(const toml::table& t, const char* key, const std::string& file, const std::string& table,
                       const std::string& def, bool required = false) {
  const toml::node* n = t.get(key);
  if (!n) {
    if (required) fail(where_of(file, t.source()), table + "." + key, "missing");
    return def;
  }
  if (!n->is_string()) fail(where_of(file, n->source()), table + "." + key, "expected a string");
  return n->as_string()->get();
}

int64_t get_int(const toml::table& t, const char* key, const std::string& file, const std::string& table, int64_t def,
                int64_t min, int64_t max) {
  const toml::node* n = t.get(key);
  if (!n) return def;
  if (!n->is_integer()) fail(where_of(file, n->source()), table + "." + key, "expected an integer");
  const int64_t v = n->as_integer()->get();
  if (v < min || v > max)
    fail(where_of(file, n->source()), table + "." + key,
         std::to_string(v) + " must be in [" + std::to_string(min) + ", " + std::to_string(max) + "]");
  return v;
}

double get_number(const toml::table& t, const char* key, const std::string& file, const std::string& table) {
  const toml::node& n = need(t, key, file, table);
  if (auto i = n.as_integer()) return static_cast<double>(i->get());
  if (auto d = n.as_floating_point()) return d->get();
  fail(where_of(file, n.source()), table + "." + key, "expected a number");
}

Axis read_axis(const toml::table& t, size_t index, const std::string& file, const tb::Knobs& knobs) {
  const std::string table = "axis[" + std::to_string(index) + "]";
  check_keys(t, file, table, {"knob", "values", "range"});
  Axis a;
  a.knob = get_string(t, "knob", file, table, "", true);
  const std::string type = knobs.type_of(a.knob);
  if (type.empty()) {
    // The knob table names the closest knob.
    try {
      tb::Knobs copy = knobs;
      copy.apply_value(a.knob, "0", where_of(file, t.get("knob")->source()));
    } catch (const std::exception& e) {
      throw StudyError(std::string(e.what()));
    }
  }
  const toml::node* values = t.get("values");
  const toml::node* range = t.get("range");
  if ((values != nullptr) == (range != nullptr))
    fail(where_of(file, t.source()), table, "give either values = [...] or range = {...}");
  if (values) {
    const toml::array* arr = values->as_array();
    if (!arr) fail(where_of(file, values->source()), table + ".values", "expected an array");
    if (arr->empty()) fail(where_of(file, values->source()), table + ".values", "empty axis: give at least one value");
    for (const toml::node& v : *arr) {
      const std::string text = value_text(v);
      if (text.empty()) fail(where_of(file, v.source()), table + ".values", "expected a number, boolean or string");
      a.values.push_back(text);
      a.where.push_back(where_of(file, v.source()));
    }
    return a;
  }
  const toml::table* r = range->as_table();
  const std::string rname = table + ".range";
  if (!r) fail(where_of(file, range->source()), rname, "expected { from = A, to = B, steps = N }");
  check_keys(*r, file, rname, {"from", "to", "steps", "scale"});
  const double from = get_number(*r, "from", file, rname), to = get_number(*r, "to", file, rname);
  const int64_t steps = get_int(*r, "steps", file, rname, 0, 1, 100000);
  if (!r->get("steps")) fail(where_of(file, r->source()), rname + ".steps", "missing (the number of values)");
  const std::string scale = get_string(*r, "scale", file, rname, "linear");
  if (scale != "linear" && scale != "log")
    fail(where_of(file, r->get("scale")->source()), rname + ".scale", "'" + scale + "' must be linear or log");
  if (scale == "log" && (from <= 0 || to <= 0))
    fail(where_of(file, r->source()), rname, "a log range needs from > 0 and to > 0");
  if (type != "integer" && type != "number")
    fail(where_of(file, r->source()), rname, a.knob + " is a " + type + " knob: a range needs a numeric one");
  const std::string where = where_of(file, r->source());
  for (double v : range_values(from, to, static_cast<size_t>(steps), scale)) {
    // An integer knob takes the nearest integer of each value.
    a.values.push_back(type == "integer" ? std::to_string(std::llround(v)) : float_text(v));
    a.where.push_back(where);
  }
  return a;
}

Plot read_plot(const toml::table& t, size_t index, const std::string& file) {
  const std::string table = "plot[" + std::to_string(index) + "]";
  check_keys(t, file, table, {"name", "x", "y", "series", "kind"});
  Plot p;
  p.name = get_string(t, "name", file, table, "", true);
  p.x = get_string(t, "x", file, table, "", true);
  p.series = get_string(t, "series", file, table, "");
  p.kind = get_string(t, "kind", file, table, "line");
  if (p.kind != "line" && p.kind != "stacked")
    fail(where_of(file, t.get("kind")->source()), table + ".kind", "'" + p.kind + "' must be line or stacked");
  const toml::node& y = need(t, "y", file, table);
  if (auto s = y.as_string()) {
    p.y.push_back(s->get());
  } else if (auto arr = y.as_array()) {
    for (const toml::node& v : *arr) {
      if (!v.is_string()) fail(where_of(file, v.source()), table + ".y", "expected column names (strings)");
      p.y.push_back(v.as_string()->get());
    }
  }
  if (p.y.empty()) fail(where_of(file, y.source()), table + ".y", "expected one column name or more");
  return p;
}

}  // namespace

std::string Run::id() const {
  char b[48];
  std::snprintf(b, sizeof b, "%0*zu-r%zu", width, point, replica);
  return b;
}

std::vector<double> range_values(double from, double to, size_t steps, const std::string& scale) {
  std::vector<double> out;
  if (steps == 0) return out;
  if (steps == 1) return {from};
  const bool log = scale == "log";
  const double a = log ? std::log(from) : from, b = log ? std::log(to) : to;
  for (size_t i = 0; i < steps; ++i) {
    // The last value is `to` itself, not a rounding of it.
    const double x = i + 1 == steps ? b : a + (b - a) * static_cast<double>(i) / static_cast<double>(steps - 1);
    const double v = i + 1 == steps ? to : i == 0 ? from : log ? std::exp(x) : x;
    // 12 significant digits: a value that is 1 in decimal is written 1, not
    // 1.0000000000000004 (exp/log rounding), in scenarios, rows and plots
    char b[32];
    std::snprintf(b, sizeof b, "%.12g", v);
    out.push_back(std::strtod(b, nullptr));
  }
  return out;
}

std::string cell_text(const std::string& value) {
  if (value.size() >= 2 && value.front() == '"' && value.back() == '"') {
    std::string out;
    for (size_t i = 1; i + 1 < value.size(); ++i) {
      if (value[i] == '\\' && i + 2 < value.size()) ++i;
      out += value[i];
    }
    return out;
  }
  return value;
}

std::string fnv1a_hex(const std::string& data) {
  uint64_t h = 14695981039346656037ull;
  for (unsigned char c : data) {
    h ^= c;
    h *= 1099511628211ull;
  }
  char b[20];
  std::snprintf(b, sizeof b, "%016" PRIx64, h);
  return b;
}

bool is_known_column(const Plan& plan, const std::string& c) {
  static const std::set<std::string> fixed = [] {
    std::set<std::string> s = {"point", "replica", "seed", "status", "exit_code"};
    for (const auto* v : {&kHeadMetrics, &kTailMetrics, &kMachineColumns}) s.insert(v->begin(), v->end());
    return s;
  }();
  if (fixed.count(c) || (c.rfind("drop.", 0) == 0 && c.size() > 5)) return true;
  if (c.rfind("counter.", 0) == 0 && c.size() > 8) return true;  // the measured window's counters
  return std::any_of(plan.axes.begin(), plan.axes.end(), [&](const Axis& a) { return a.knob == c; });
}

Plan expand_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw StudyError(path + ": cannot open the study file");
  std::stringstream ss;
  ss << in.rdbuf();
  const size_t slash = path.rfind('/');
  return expand_string(ss.str(), path, slash == std::string::npos ? "." : path.substr(0, slash));
}

Plan expand_string(const std::string& text, const std::string& file, const std::string& dir) {
  toml::table root;
  try {
    root = toml::parse(text, file);
  } catch (const toml::parse_error& e) {
    throw StudyError(where_of(file, e.source()) + ": " + std::string(e.description()));
  }
  for (const auto& [k, node] : root) {
    const std::string key(k.str());
    if (key != "study" && key != "scenario" && key != "axis" && key != "plot")
      fail(where_of(file, node.source()), key, "unknown table (a study has [study], [scenario], [[axis]], [[plot]])");
  }
  const toml::table* st = root["study"].as_table();
  if (!st) fail(file + ":1:1", "study", "missing the [study] table");
  check_keys(*st, file, "study", {"name", "description", "base", "combine", "replicas", "seed"});
  Plan plan;
  plan.name = get_string(*st, "name", file, "study", "", true);
  plan.description = get_string(*st, "description", file, "study", "");
  std::string base = get_string(*st, "base", file, "study", "");
  if (!base.empty() && base[0] != '/') base = dir + "/" + base;
  plan.combine = get_string(*st, "combine", file, "study", "grid");
  if (plan.combine != "grid" && plan.combine != "zip")
    fail(where_of(file, st->get("combine")->source()), "study.combine", "'" + plan.combine + "' must be grid or zip");
  plan.replicas = static_cast<size_t>(get_int(*st, "replicas", file, "study", 1, 1, 1000));
  plan.seed = static_cast<uint64_t>(get_int(*st, "seed", file, "study", 1, 0, INT64_MAX - 1000));

  // The knob table rxpath uses: axes and [scenario] keys are checked against it.
  tb::Knobs proto_knobs;
  tb::Scenario proto;
  proto.add_knobs(proto_knobs);

  if (const toml::node* axes = root.get("axis")) {
    const toml::array* arr = axes->as_array();
    if (!arr || !arr->is_array_of_tables()) fail(where_of(file, axes->source()), "axis", "expected [[axis]] tables");
    for (size_t i = 0; i < arr->size(); ++i)
      plan.axes.push_back(read_axis(*arr->get(i)->as_table(), i, file, proto_knobs));
  }
  std::set<std::string> seen;
  for (size_t i = 0; i < plan.axes.size(); ++i)
    if (!seen.insert(plan.axes[i].knob).second)
      fail(plan.axes[i].where[0], "axis[" + std::to_string(i) + "].knob", plan.axes[i].knob + " is swept twice");
  if (plan.combine == "zip")
    for (size_t i = 1; i < plan.axes.size(); ++i)
      if (plan.axes[i].values.size() != plan.axes[0].values.size())
        fail(plan.axes[i].where[0], "axis[" + std::to_string(i) + "]",
             "combine = \"zip\": " + plan.axes[i].knob + " has " + std::to_string(plan.axes[i].values.size()) +
                 " values, " + plan.axes[0].knob + " has " + std::to_string(plan.axes[0].values.size()));
  if (const toml::node* plots = root.get("plot")) {
    const toml::array* arr = plots->as_array();
    if (!arr || !arr->is_array_of_tables()) fail(where_of(file, plots->source()), "plot", "expected [[plot]] tables");
    for (size_t i = 0; i < arr->size(); ++i) {
      const toml::table& t = *arr->get(i)->as_table();
      Plot p = read_plot(t, i, file);
      const std::string table = "plot[" + std::to_string(i) + "]";
      auto check = [&](const std::string& col, const char* key) {
        if (!col.empty() && !is_known_column(plan, col))
          fail(where_of(file, t.get(key)->source()), table + "." + key, "no column '" + col + "' in results.csv");
      };
      check(p.x, "x");
      check(p.series, "series");
      if (const toml::array* ys = t.get("y")->as_array()) {
        for (const toml::node& y : *ys)
          if (!is_known_column(plan, y.as_string()->get()))
            fail(where_of(file, y.source()), table + ".y", "no column '" + y.as_string()->get() + "' in results.csv");
      } else {
        check(p.y[0], "y");
      }
      plan.plots.push_back(std::move(p));
    }
  }

  // [scenario]: every leaf with its place in the file.
  struct Setting {
    std::string key, value, where;
  };
  std::vector<Setting> settings;
  if (const toml::node* sc = root.get("scenario")) {
    if (!sc->is_table()) fail(where_of(file, sc->source()), "scenario", "expected a table");
    std::function<void(const toml::table&, const std::string&)> walk = [&](const toml::table& t,
                                                                           const std::string& prefix) {
      for (const auto& [k, node] : t) {
        const std::string key = prefix.empty() ? std::string(k.str()) : prefix + "." + std::string(k.str());
        if (const toml::table* sub = node.as_table()) {
          walk(*sub, key);
          continue;
        }
        const std::string v = value_text(node);
        if (v.empty()) fail(where_of(file, node.source()), key, "expected a number, boolean or string");
        settings.push_back({key, v, where_of(file, node.source())});
      }
    };
    walk(*sc->as_table(), "");
  }

  // The points: the grid's product (the last axis varies fastest) or the zip.
  std::vector<std::vector<size_t>> points;
  if (plan.axes.empty()) {
    points.push_back({});
  } else if (plan.combine == "zip") {
    for (size_t i = 0; i < plan.axes[0].values.size(); ++i) points.emplace_back(plan.axes.size(), i);
  } else {
    std::vector<size_t> idx(plan.axes.size(), 0);
    for (;;) {
      points.push_back(idx);
      size_t a = plan.axes.size();
      while (a > 0 && ++idx[a - 1] == plan.axes[a - 1].values.size()) idx[--a] = 0;
      if (a == 0) break;
    }
  }
  if (points.size() * plan.replicas > 100000)
    fail(file + ":1:1", "axis", std::to_string(points.size() * plan.replicas) + " runs: more than 100000");

  int width = 3;
  for (size_t n = points.size() - 1; n >= 1000; n /= 10) ++width;
  std::string all;
  for (size_t p = 0; p < points.size(); ++p) {
    for (size_t r = 0; r < plan.replicas; ++r) {
      Run run;
      run.point = p;
      run.replica = r;
      run.width = width;
      run.seed = plan.seed + r;
      tb::Knobs knobs;
      tb::Scenario cfg;
      cfg.add_knobs(knobs);
      std::string label;
      try {
        if (!base.empty()) knobs.load_file(base);
        for (const Setting& s : settings) knobs.apply_value(s.key, s.value, s.where);
        for (size_t a = 0; a < plan.axes.size(); ++a) {
          const Axis& ax = plan.axes[a];
          const std::string& v = ax.values[points[p][a]];
          run.axis_values.push_back(v);
          label += (label.empty() ? "" : ", ") + ax.knob + " = " + v;
          knobs.apply_value(ax.knob, v, ax.where[points[p][a]]);
        }
        knobs.apply_value("traffic.seed", std::to_string(run.seed), where_of(file, st->source()) + ": study.seed");
      } catch (const tb::ScenarioError& e) {
        throw StudyError(e.what());
      }
      try {
        cfg.finish(&knobs);
      } catch (const std::exception& e) {
        throw StudyError(file + ": point " + std::to_string(p) + (label.empty() ? "" : " (" + label + ")") + ": " +
                         e.what());
      }
      run.scenario = knobs.dump_toml();
      all += run.id() + "\n" + run.scenario + "\n";
      plan.runs.push_back(std::move(run));
    }
  }
  for (const Axis& a : plan.axes) all += "axis " + a.knob + "\n";
  plan.fingerprint = fnv1a_hex(all);
  return plan;
}

}  // namespace rxpath::study
