// SPDX-License-Identifier: MIT
#include "waves/fst_read.hpp"

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

}  // namespace

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
    if (h->htyp == FST_HT_SCOPE)
      scopes.emplace_back(h->u.scope.name);
    else if (h->htyp == FST_HT_UPSCOPE && !scopes.empty())
      scopes.pop_back();
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
      [](void* u, uint64_t t, fstHandle h, const unsigned char* v, uint32_t len) {
        static_cast<Dump*>(u)->add(t, h, v, len);
      },
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
