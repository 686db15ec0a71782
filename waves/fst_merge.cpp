// SPDX-License-Identifier: MIT
#include "fst_merge.hpp"

#include <algorithm>
#include <chrono>
#include <cstring>
#include <map>
#include <memory>
#include <stdexcept>
#include <unordered_map>

#include "gtkwave/fstapi.h"

namespace rxpath::waves {

namespace {

struct ReaderCloser {
  void operator()(void* r) const {
    if (r) fstReaderClose(r);
  }
};
using Reader = std::unique_ptr<void, ReaderCloser>;

Reader open_reader(const std::string& path) {
  Reader r(fstReaderOpen(path.c_str()));
  if (!r) throw std::runtime_error(path + ": not a readable FST file");
  return r;
}

// 10^n for n >= 0.
uint64_t pow10(int n) {
  uint64_t v = 1;
  while (n-- > 0) v *= 10;
  return v;
}

std::string bits_of(uint64_t v, unsigned bits) {
  std::string s(bits, '0');
  for (unsigned i = 0; i < bits; ++i)
    if (v >> i & 1) s[bits - 1 - i] = '1';
  return s;
}

// Merge state shared with the reader's callbacks.
struct Merge {
  void* w = nullptr;
  const HostSignals* host = nullptr;
  std::vector<HostSignals::Change> hc;
  size_t next_host = 0;
  std::vector<fstHandle> host_handle;       // host signal -> writer handle
  std::vector<fstHandle> rtl_handle;        // reader handle -> writer handle
  std::vector<uint32_t> rtl_len;            // reader handle -> bits (0: variable length)
  uint64_t scale = 1;                       // RTL time units -> ps
  uint64_t start = 0, stop = UINT64_MAX;
  bool opened = false;                      // the window's initial RTL values are out
  std::vector<std::string> before;          // reader handle -> last value before the window
  std::vector<bool> before_known;
  uint64_t last_time = 0;
  bool any_time = false;
  static constexpr uint64_t kFlushEvery = 1 << 17;  // value changes per block
  uint64_t since_flush = 0;
  MergeStats st;

  void time(uint64_t t) {
    if (!any_time || t != last_time) {
      // The writer keeps each signal's changes as a chain in one buffer and
      // walks the chains when it writes a block: small blocks stay in cache
      // (one block of up to 128 MiB spends most of the merge in misses).
      if (since_flush >= kFlushEvery) {
        fstWriterFlushContext(w);
        since_flush = 0;
      }
      fstWriterEmitTimeChange(w, t);
      last_time = t;
      any_time = true;
    }
  }
  void host_until(uint64_t t, bool inclusive) {
    while (next_host < hc.size() && (hc[next_host].t < t || (inclusive && hc[next_host].t == t))) {
      const auto& c = hc[next_host++];
      time(c.t);
      const unsigned bits = host->info()[c.sig].bits;
      const fstHandle h = host_handle[c.sig];
      if (bits == 0) {
        const std::string& s = host->str(c.value);
        fstWriterEmitVariableLengthValueChange(w, h, s.data(), static_cast<uint32_t>(s.size()));
      } else {
        fstWriterEmitValueChange(w, h, bits_of(c.value, bits).c_str());
      }
      ++st.host_changes;
    }
  }
  void open_window() {
    if (opened) return;
    opened = true;
    host_until(start, false);
    time(start);
    for (size_t i = 0; i < before.size(); ++i)
      if (before_known[i]) emit_rtl(static_cast<fstHandle>(i), before[i].data(), static_cast<uint32_t>(before[i].size()));
    before.clear();
  }
  void emit_rtl(fstHandle r, const char* v, uint32_t len) {
    const fstHandle h = rtl_handle[r];
    if (!h) return;
    if (rtl_len[r] == 0) fstWriterEmitVariableLengthValueChange(w, h, v, len);
    else fstWriterEmitValueChange(w, h, v);
    ++st.rtl_changes;
    ++since_flush;
  }
  void rtl_change(uint64_t t_units, fstHandle r, const unsigned char* v, uint32_t len) {
    const uint64_t t = t_units * scale;
    if (r >= rtl_handle.size()) return;
    if (t < start) {
      before[r].assign(reinterpret_cast<const char*>(v), rtl_len[r] ? rtl_len[r] : len);
      before_known[r] = true;
      return;
    }
    if (t > stop) return;
    open_window();
    host_until(t, true);
    time(t);
    emit_rtl(r, reinterpret_cast<const char*>(v), rtl_len[r] ? rtl_len[r] : len);
  }
};

void on_change(void* u, uint64_t t, fstHandle h, const unsigned char* v) {
  auto* m = static_cast<Merge*>(u);
  // Fixed-width values have their declared length; only others need strlen.
  const uint32_t len = h < m->rtl_len.size() && m->rtl_len[h] ? m->rtl_len[h]
                                                               : static_cast<uint32_t>(std::strlen(reinterpret_cast<const char*>(v)));
  m->rtl_change(t, h, v, len);
}
void on_change_varlen(void* u, uint64_t t, fstHandle h, const unsigned char* v, uint32_t len) {
  static_cast<Merge*>(u)->rtl_change(t, h, v, len);
}

// Copies the RTL file's hierarchy into the writer; fills the handle maps.
void copy_hierarchy(void* r, Merge& m) {
  const fstHandle maxh = fstReaderGetMaxHandle(r);
  m.rtl_handle.assign(maxh + 1, 0);
  m.rtl_len.assign(maxh + 1, 0);
  m.before.assign(maxh + 1, std::string());
  m.before_known.assign(maxh + 1, false);
  fstReaderIterateHierRewind(r);
  while (fstHier* h = fstReaderIterateHier(r)) {
    switch (h->htyp) {
      case FST_HT_SCOPE:
        fstWriterSetScope(m.w, static_cast<fstScopeType>(h->u.scope.typ), h->u.scope.name, h->u.scope.component);
        break;
      case FST_HT_UPSCOPE:
        fstWriterSetUpscope(m.w);
        break;
      case FST_HT_VAR: {
        const auto& v = h->u.var;
        const bool varlen = v.typ == FST_VT_GEN_STRING;
        const fstHandle alias = v.is_alias ? m.rtl_handle[v.handle] : 0;
        const fstHandle nh = fstWriterCreateVar(m.w, static_cast<fstVarType>(v.typ),
                                                static_cast<fstVarDir>(v.direction), v.length, v.name, alias);
        if (!v.is_alias) {
          m.rtl_handle[v.handle] = nh;
          m.rtl_len[v.handle] = varlen ? 0 : v.length;
          ++m.st.rtl_vars;
        }
        break;
      }
      case FST_HT_ATTRBEGIN: {
        const auto& a = h->u.attr;
        if (a.typ == FST_AT_MISC && (a.subtype == FST_MT_SOURCESTEM || a.subtype == FST_MT_SOURCEISTEM)) break;
        fstWriterSetAttrBegin(m.w, static_cast<fstAttrType>(a.typ), a.subtype, a.name_length ? a.name : nullptr, a.arg);
        break;
      }
      case FST_HT_ATTREND:
        fstWriterSetAttrEnd(m.w);
        break;
      default:
        break;
    }
  }
}

// The host scopes: signals sorted by path, scopes opened and closed as the
// dotted prefixes change.
void add_host_hierarchy(Merge& m) {
  const auto& info = m.host->info();
  std::vector<uint32_t> order(info.size());
  for (uint32_t i = 0; i < order.size(); ++i) order[i] = i;
  std::sort(order.begin(), order.end(), [&](uint32_t a, uint32_t b) { return info[a].path < info[b].path; });
  m.host_handle.assign(info.size(), 0);
  std::vector<std::string> open;  // current scope stack
  for (uint32_t i : order) {
    std::vector<std::string> parts;
    size_t p = 0;
    const std::string& path = info[i].path;
    for (size_t q; (q = path.find('.', p)) != std::string::npos; p = q + 1) parts.push_back(path.substr(p, q - p));
    const std::string leaf = path.substr(p);
    size_t common = 0;
    while (common < open.size() && common < parts.size() && open[common] == parts[common]) ++common;
    while (open.size() > common) {
      fstWriterSetUpscope(m.w);
      open.pop_back();
    }
    for (size_t k = common; k < parts.size(); ++k) {
      fstWriterSetScope(m.w, FST_ST_VCD_MODULE, parts[k].c_str(), nullptr);
      open.push_back(parts[k]);
    }
    const unsigned bits = info[i].bits;
    m.host_handle[i] = bits == 0
                           ? fstWriterCreateVar(m.w, FST_VT_GEN_STRING, FST_VD_IMPLICIT, 0, leaf.c_str(), 0)
                           : fstWriterCreateVar(m.w, bits == 1 ? FST_VT_VCD_WIRE : FST_VT_VCD_REG, FST_VD_IMPLICIT,
                                                bits, leaf.c_str(), 0);
    ++m.st.host_vars;
  }
  while (!open.empty()) {
    fstWriterSetUpscope(m.w);
    open.pop_back();
  }
}

}  // namespace

MergeStats merge_fst(const std::string& rtl, const HostSignals& host, const std::string& out) {
  const auto t0 = std::chrono::steady_clock::now();
  Reader r;
  if (!rtl.empty()) r = open_reader(rtl);
  Merge m;
  m.host = &host;
  m.start = host.start_ps();
  m.stop = host.stop_ps();
  m.hc = host.changes();
  if (r) {
    const int ts = fstReaderGetTimescale(r.get());
    if (ts < -12) throw std::runtime_error(rtl + ": timescale 1e" + std::to_string(ts) + " s is finer than 1 ps");
    m.scale = pow10(ts + 12);
  }
  m.w = fstWriterCreate(out.c_str(), 1);
  if (!m.w) throw std::runtime_error(out + ": cannot create the FST file");
  fstWriterSetPackType(m.w, FST_WR_PT_LZ4);
  fstWriterSetTimescale(m.w, -12);
  fstWriterSetVersion(m.w, "rxpath: RTL (Verilator) + host signals");
  if (r) copy_hierarchy(r.get(), m);
  add_host_hierarchy(m);
  if (r) {
    fstReaderSetFacProcessMaskAll(r.get());
    if (!fstReaderIterBlocks2(r.get(), on_change, on_change_varlen, &m, nullptr) && fstReaderGetMaxHandle(r.get()))
      throw std::runtime_error(rtl + ": cannot read its value changes");
  }
  if (m.start != 0 || !m.hc.empty() || r) m.open_window();
  m.host_until(UINT64_MAX, true);
  const bool failed = fstWriterGetFseekFailed(m.w);
  fstWriterClose(m.w);
  if (failed) throw std::runtime_error(out + ": writing the FST failed");
  m.st.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return m.st;
}

namespace {
struct Dump {
  std::unordered_map<fstHandle, std::vector<std::string>> names;  // handle -> paths (aliases too)
  std::vector<std::string> lines;
  uint64_t scale = 1;
  void add(uint64_t t, fstHandle h, const unsigned char* v, uint32_t len) {
    auto it = names.find(h);
    if (it == names.end()) return;
    const std::string val(reinterpret_cast<const char*>(v), len);
    for (const auto& n : it->second) lines.push_back(std::to_string(t * scale) + " " + n + " " + val);
  }
};

template <class F>
void walk_vars(void* r, F&& f) {
  std::vector<std::string> scopes;
  fstReaderIterateHierRewind(r);
  while (fstHier* h = fstReaderIterateHier(r)) {
    if (h->htyp == FST_HT_SCOPE) scopes.emplace_back(h->u.scope.name);
    else if (h->htyp == FST_HT_UPSCOPE && !scopes.empty()) scopes.pop_back();
    else if (h->htyp == FST_HT_VAR) {
      std::string p;
      for (const auto& s : scopes) p += s + ".";
      // "cnt [3:0]" as GTKWave shows it: "cnt[3:0]" (no spaces in a path).
      for (const char* c = h->u.var.name; *c; ++c)
        if (*c != ' ') p += *c;
      f(p, h->u.var.handle);
    }
  }
}
}  // namespace

std::string dump_fst(const std::string& path, const std::string& prefix) {
  Reader r = open_reader(path);
  Dump d;
  const int ts = fstReaderGetTimescale(r.get());
  d.scale = ts >= -12 ? pow10(ts + 12) : 1;
  fstReaderClrFacProcessMaskAll(r.get());
  walk_vars(r.get(), [&](const std::string& p, fstHandle h) {
    if (p.rfind(prefix, 0) != 0) return;
    d.names[h].push_back(p);
    fstReaderSetFacProcessMask(r.get(), h);
  });
  fstReaderIterBlocks2(
      r.get(),
      [](void* u, uint64_t t, fstHandle h, const unsigned char* v) {
        static_cast<Dump*>(u)->add(t, h, v, static_cast<uint32_t>(std::strlen(reinterpret_cast<const char*>(v))));
      },
      [](void* u, uint64_t t, fstHandle h, const unsigned char* v, uint32_t len) { static_cast<Dump*>(u)->add(t, h, v, len); },
      &d, nullptr);
  // Sorted by time, then path (the order of changes at one time is not part of the trace).
  std::stable_sort(d.lines.begin(), d.lines.end(), [](const std::string& a, const std::string& b) {
    const uint64_t ta = std::stoull(a), tb = std::stoull(b);
    return ta != tb ? ta < tb : a < b;
  });
  std::string out;
  for (const auto& l : d.lines) out += l + "\n";
  return out;
}

std::vector<std::string> fst_vars(const std::string& path) {
  Reader r = open_reader(path);
  std::vector<std::string> v;
  walk_vars(r.get(), [&](const std::string& p, fstHandle) { v.push_back(p); });
  return v;
}

}  // namespace rxpath::waves
