// SPDX-License-Identifier: Apache-2.0
// stack/tracing.cpp: SkbView::of and the TraceHub (see tracing.hpp).
#include "stack/tracing.hpp"

#include "stack/cpu.hpp"

#include <cstring>
#include <exception>
#include <set>

namespace rxpath::stack {

using sc_core::sc_time;

// The skb as offsets from head: what skb_push/skb_pull/skb_put move.
SkbView SkbView::of(const sk_buff* skb) {
  SkbView v;
  if (!skb) return v;
  v.valid = true;
  v.head = 0;
  v.data = skb->data;
  v.tail = skb->tail;
  v.end = skb->end;
  v.len = skb->len;
  v.data_len = skb->data_len;
  v.truesize = skb->truesize;
  return v;
}

TraceHub::TraceHub(Tracer& t, int num_cpus) : wake_id(num_cpus, 0), cpu(num_cpus), t_(t), cpus_(num_cpus) {
  static uint64_t next_serial = 0;
  serial_ = ++next_serial;
}

const char* TraceHub::intern(const std::string& s) {
  static std::set<std::string> strings;
  return strings.insert(s).first->c_str();
}

void TraceHub::declare(TraceSig& s, const std::string& path, unsigned bits) {
  s = TraceSig{};
  s.h = t_.signal(path, bits);
}

// Whether `s` (declared) takes the new value `key` at `t`: only changes are
// written, and never before the signal's last change (t is moved up to it).
static bool takes(TraceSig& s, uint64_t key, sc_time& t) {
  if (s.h < 0 || (s.has && s.v == key)) return false;
  if (t < s.last) t = s.last;
  s.last = t;
  s.v = key;
  s.has = true;
  return true;
}

void TraceHub::set(TraceSig& s, uint64_t v, sc_time t) {
  if (takes(s, v, t)) t_.set(s.h, v, t);
}

// A string signal's values are literals: the pointer tells them apart.
void TraceHub::set_str(TraceSig& s, const char* v, sc_time t) {
  if (takes(s, static_cast<uint64_t>(reinterpret_cast<uintptr_t>(v)), t)) t_.set_str(s.h, v, t);
}

sc_time TraceHub::clamp(int c, sc_time t) {
  CpuSpans& cs = cpus_[c];
  if (t < cs.last) t = cs.last;
  cs.last = t;
  return t;
}

void TraceHub::begin(int c, const char* func, sc_time t) {
  t = clamp(c, t);
  cpus_[c].open.push_back(func);
  t_.begin(c, func, t);
}

void TraceHub::end(int c, const char* func, sc_time t) {
  CpuSpans& cs = cpus_[c];
  size_t i = cs.open.size();
  while (i > 0 && cs.open[i - 1] != func && std::strcmp(cs.open[i - 1], func) != 0) --i;
  if (i == 0) return;  // not open: begun before the tracer was attached
  t = clamp(c, t);
  while (cs.open.size() >= i) {
    t_.end(c, cs.open.back(), t);
    cs.open.pop_back();
  }
}

void TraceHub::suspend(int c, sc_time t, std::vector<const char*>& saved) {
  CpuSpans& cs = cpus_[c];
  saved = cs.open;
  if (cs.open.empty()) return;
  t = clamp(c, t);
  while (!cs.open.empty()) {
    t_.end(c, cs.open.back(), t);
    cs.open.pop_back();
  }
}

void TraceHub::resume(int c, sc_time t, std::vector<const char*>& saved) {
  for (const char* f : saved) begin(c, f, t);
  saved.clear();
}

void TraceHub::stage(uint64_t id, const char* name, int c, sc_time t, const sk_buff* skb, std::string detail,
                     const char* drop, std::vector<StageField> fields) {
  Stage s;
  s.trace_id = id;
  s.name = name;
  s.cpu = c;
  s.t = t;
  s.skb = SkbView::of(skb);
  s.detail = std::move(detail);
  s.drop = drop;
  s.fields = std::move(fields);
  t_.stage(s);
}

void TraceSpan::begin(TraceHub* const* hub, Cpu* cpu, const char* func) {
  cpu_ = cpu ? cpu : &current_cpu();
  hub_ = hub;
  func_ = func;
  exceptions_ = std::uncaught_exceptions();
  (*hub_)->begin(cpu_->id(), func_, cpu_->effective_time());
}

TraceHub* TraceSpan::hub_now() const { return std::uncaught_exceptions() > exceptions_ ? nullptr : *hub_; }

void TraceSpan::end() {
  if (TraceHub* th = hub_now()) th->end(cpu_->id(), func_, cpu_->effective_time());
}

}  // namespace rxpath::stack
