// SPDX-License-Identifier: MIT
#include "waves/host_fst.hpp"

#include <algorithm>

namespace rxpath::waves {

namespace {
// "host.cpu0.context" -> {"host", "cpu0"} and "context".
void split(const std::string& path, std::vector<std::string>* scopes, std::string* leaf) {
  scopes->clear();
  size_t p = 0;
  for (size_t q; (q = path.find('.', p)) != std::string::npos; p = q + 1) scopes->push_back(path.substr(p, q - p));
  *leaf = path.substr(p);
}
}  // namespace

// Signals sorted by path, scopes opened and closed as the dotted prefixes
// change, so a batch shares its scopes; a signal declared later (a socket
// opened mid-run) gets its own scope entries, which viewers join by name.
void HostFst::declare_new(common::FstSink& fst) {
  const auto& info = sig_.info();
  if (handle_.size() == info.size()) return;
  std::vector<uint32_t> order;
  for (uint32_t i = static_cast<uint32_t>(handle_.size()); i < info.size(); ++i) order.push_back(i);
  std::sort(order.begin(), order.end(), [&](uint32_t a, uint32_t b) { return info[a].path < info[b].path; });
  handle_.resize(info.size(), 0);
  std::vector<std::string> open, parts;
  std::string leaf;
  for (uint32_t i : order) {
    split(info[i].path, &parts, &leaf);
    size_t common = 0;
    while (common < open.size() && common < parts.size() && open[common] == parts[common]) ++common;
    for (; open.size() > common; open.pop_back()) fst.upscope();
    for (size_t k = common; k < parts.size(); ++k) {
      fst.scope(parts[k]);
      open.push_back(parts[k]);
    }
    handle_[i] = fst.var(leaf, info[i].bits);
  }
  for (; !open.empty(); open.pop_back()) fst.upscope();
}

void HostFst::emit(common::FstSink& fst, uint32_t sig, uint64_t value, uint64_t t_ps) {
  if (t_ps > now_) {
    fst.time(t_ps);
    now_ = t_ps;
  }
  const unsigned bits = sig_.info()[sig].bits;
  if (bits == 0)
    fst.value(handle_[sig], sig_.str(value));
  else
    fst.value(handle_[sig], bits, value);
  ++changes_;
}

void HostFst::on_dump(common::FstSink& fst, uint64_t t_ps, bool first) {
  if (first) {
    // The RTL's first sample is out: the FST's time is t_ps.
    now_ = t_ps;
    open_ = true;
    declare_new(fst);
    sig_.for_each_opening([&](uint32_t s, uint64_t v) { emit(fst, s, v, t_ps); });
    // Changes between the window's start and its first clock edge (< 6.4 ns).
    sig_.drain(t_ps + 1, [&](const HostSignals::Change& c) { emit(fst, c.sig, c.value, t_ps); });
    return;
  }
  if (!open_) return;
  declare_new(fst);
  sig_.drain(t_ps, [&](const HostSignals::Change& c) {
    if (c.t < now_) ++late_;  // cannot happen with one clock per SystemC wait (see the header); counted, not hidden
    emit(fst, c.sig, c.value, std::max(c.t, now_));
  });
  // The RTL's dump at t_ps moves the FST's time there.
  if (t_ps != UINT64_MAX) now_ = std::max(now_, t_ps);
}

}  // namespace rxpath::waves
