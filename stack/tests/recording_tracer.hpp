// SPDX-License-Identifier: Apache-2.0
// stack/tests/recording_tracer.hpp: a stack::Tracer for tests that keeps
// everything and checks the Tracer contract as it goes: per signal, times
// never go back; per CPU, spans are properly nested and their times never go
// back; each signal path is declared once. Violations land in `errors`.
#pragma once

#include <map>
#include <set>
#include <string>
#include <vector>

#include "stack/trace.hpp"

namespace rxpath::stack::test {

class RecordingTracer : public Tracer {
 public:
  struct Sig {
    std::string path;
    unsigned bits = 0;
    std::vector<std::pair<sc_core::sc_time, uint64_t>> vals;
    std::vector<std::pair<sc_core::sc_time, std::string>> strs;
  };
  struct Span {
    int cpu;
    std::string func;
    sc_core::sc_time t;
    bool begin;
  };
  std::vector<Sig> sigs;
  std::vector<Span> spans;
  std::vector<Stage> stages;
  std::vector<std::string> errors;
  std::set<uint64_t> want;  // empty = every packet
  uint64_t set_calls = 0;

  int signal(const std::string& path, unsigned bits) override {
    if (by_path_.count(path)) errors.push_back("signal declared twice: " + path);
    if (bits > 64) errors.push_back("signal " + path + ": bits " + std::to_string(bits));
    sigs.push_back(Sig{path, bits, {}, {}});
    by_path_[path] = static_cast<int>(sigs.size()) - 1;
    return static_cast<int>(sigs.size()) - 1;
  }
  void set(int s, uint64_t v, sc_core::sc_time t) override {
    ++set_calls;
    Sig& g = sigs.at(s);
    if (g.bits == 0) errors.push_back("set() on string signal " + g.path);
    if (g.bits < 64 && (v >> g.bits)) errors.push_back(g.path + ": value " + std::to_string(v) + " too wide");
    if (!g.vals.empty() && t < g.vals.back().first) errors.push_back(g.path + ": time goes back at " + t.to_string());
    g.vals.emplace_back(t, v);
  }
  void set_str(int s, const char* v, sc_core::sc_time t) override {
    ++set_calls;
    Sig& g = sigs.at(s);
    if (g.bits != 0) errors.push_back("set_str() on numeric signal " + g.path);
    if (!g.strs.empty() && t < g.strs.back().first) errors.push_back(g.path + ": time goes back at " + t.to_string());
    g.strs.emplace_back(t, v);
  }
  void begin(int cpu, const char* func, sc_core::sc_time t) override {
    check_time(cpu, t, func);
    open_[cpu].push_back(func);
    spans.push_back(Span{cpu, func, t, true});
  }
  void end(int cpu, const char* func, sc_core::sc_time t) override {
    check_time(cpu, t, func);
    auto& o = open_[cpu];
    if (o.empty() || o.back() != func)
      errors.push_back("cpu" + std::to_string(cpu) + ": end " + func + " but open is " +
                       (o.empty() ? "nothing" : o.back()));
    else
      o.pop_back();
    spans.push_back(Span{cpu, func, t, false});
  }
  bool wants(uint64_t id) const override { return want.empty() || want.count(id); }
  void stage(const Stage& s) override { stages.push_back(s); }

  // ---- queries ----
  const Sig* sig(const std::string& path) const {
    auto it = by_path_.find(path);
    return it == by_path_.end() ? nullptr : &sigs[it->second];
  }
  std::vector<const Stage*> stages_of(uint64_t id) const {
    std::vector<const Stage*> r;
    for (const Stage& s : stages)
      if (s.trace_id == id) r.push_back(&s);
    return r;
  }
  size_t open_spans(int cpu) const {
    auto it = open_.find(cpu);
    return it == open_.end() ? 0 : it->second.size();
  }
  size_t count_spans(const std::string& func) const {
    size_t n = 0;
    for (const Span& s : spans) n += s.begin && s.func == func;
    return n;
  }

 private:
  void check_time(int cpu, sc_core::sc_time t, const char* func) {
    auto& l = last_[cpu];
    if (t < l)
      errors.push_back("cpu" + std::to_string(cpu) + ": " + func + " at " + t.to_string() + " before " + l.to_string());
    else
      l = t;
  }
  std::map<std::string, int> by_path_;
  std::map<int, std::vector<std::string>> open_;
  std::map<int, sc_core::sc_time> last_;
};

}  // namespace rxpath::stack::test
