// SPDX-License-Identifier: MIT
#include "waves/host_signals.hpp"

#include <algorithm>
#include <stdexcept>

namespace rxpath::waves {

int HostSignals::declare(const std::string& path, unsigned bits) {
  if (bits > 64) throw std::invalid_argument("signal " + path + ": " + std::to_string(bits) + " bits (at most 64)");
  if (path.find('.') == std::string::npos || path.front() == '.' || path.back() == '.' ||
      path.find("..") != std::string::npos || path.find_first_of(" \t\n") != std::string::npos)
    throw std::invalid_argument("signal '" + path + "': not a dotted path like host.cpu0.context");
  auto it = by_path_.find(path);
  if (it != by_path_.end()) {
    if (info_[static_cast<size_t>(it->second)].bits != bits)
      throw std::invalid_argument("signal " + path + ": declared again with another width");
    return it->second;
  }
  const int h = static_cast<int>(info_.size());
  info_.push_back(Info{path, bits});
  slots_.emplace_back();
  by_path_.emplace(path, h);
  return h;
}

int HostSignals::find(const std::string& path) const {
  auto it = by_path_.find(path);
  return it == by_path_.end() ? -1 : it->second;
}

void HostSignals::set_window(uint64_t start_ps, uint64_t stop_ps) {
  if (stop_ps < start_ps) throw std::invalid_argument("trace window: stop before start");
  start_ = start_ps;
  stop_ = stop_ps;
}

uint64_t HostSignals::value(int sig, bool* known) const {
  const Slot& s = slots_.at(static_cast<size_t>(sig));
  if (known) *known = s.known;
  return s.value;
}

uint64_t HostSignals::intern(const char* s) {
  // By text, not by pointer: a caller may pass a buffer it reuses.
  auto t = by_text_.find(s ? s : "");
  if (t != by_text_.end()) return t->second;
  const uint32_t idx = static_cast<uint32_t>(strings_.size());
  strings_.emplace_back(s ? s : "");
  by_text_.emplace(strings_.back(), idx);
  return idx;
}

std::vector<HostSignals::Change> HostSignals::changes() const {
  std::vector<Change> out;
  out.reserve(changes_.size() + slots_.size());
  if (recording_)
    for (size_t i = 0; i < slots_.size(); ++i)
      if (slots_[i].before_known) out.push_back(Change{start_, static_cast<uint32_t>(i), slots_[i].before});
  const size_t head = out.size();
  if (recording_) out.insert(out.end(), changes_.begin(), changes_.end());
  std::stable_sort(out.begin() + static_cast<long>(head), out.end(),
                   [](const Change& a, const Change& b) { return a.t < b.t; });
  return out;
}

}  // namespace rxpath::waves
