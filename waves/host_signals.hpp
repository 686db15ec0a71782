// SPDX-License-Identifier: MIT
// HostSignals: the host's state signals for the waveform. Changes wait here
// until HostFst writes them between the RTL's samples (drain(): those before
// the next sample, in time order); a CPU's true time is now + debt, so they
// may come out of time order across signals. Per signal, times never go back.
// changes() gives what is still kept, sorted (tests).
//
// A window [start, stop] (ps) limits what is kept: before start a signal only
// remembers its last value (it opens the window as the initial value), after
// stop nothing is kept. Outside the window a set() costs a compare and a store.
#pragma once

#include <algorithm>
#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

namespace rxpath::waves {

class HostSignals {
 public:
  static constexpr uint64_t kForever = UINT64_MAX;
  struct Info {
    std::string path;   // "host.cpu0.context"
    unsigned bits = 0;  // 1..64, or 0 for a string signal
  };
  struct Change {
    uint64_t t = 0;  // ps
    uint32_t sig = 0;
    uint64_t value = 0;  // the number, or the index of a string signal's text (str())
  };

  // Declares `path` (dotted, at least two parts: "host.x"); the same path
  // again returns the same handle (its width must agree). Throws
  // std::invalid_argument naming the path when it is malformed.
  int declare(const std::string& path, unsigned bits);
  // The handle of `path`, or -1.
  int find(const std::string& path) const;
  const std::vector<Info>& info() const { return info_; }

  void set_window(uint64_t start_ps, uint64_t stop_ps);
  uint64_t start_ps() const { return start_; }
  uint64_t stop_ps() const { return stop_; }
  // Off: nothing is kept, only the last values (pass 1 of a trigger).
  void set_recording(bool on) { recording_ = on; }
  bool recording() const { return recording_; }

  void set(int sig, uint64_t value, uint64_t t_ps) {
    Slot& s = slots_[static_cast<size_t>(sig)];
    if (s.known && s.value == value) return;
    s.known = true;
    s.value = value;
    if (t_ps < start_) {
      s.before = value;
      s.before_known = true;
      return;
    }
    if (!recording_ || t_ps > stop_) return;
    changes_.push_back(Change{t_ps, static_cast<uint32_t>(sig), value});
  }
  void set_str(int sig, const char* value, uint64_t t_ps) { set(sig, intern(value), t_ps); }

  // The current (last set) value; `known` false when never set.
  uint64_t value(int sig, bool* known = nullptr) const;
  const std::string& str(uint64_t index) const { return strings_.at(static_cast<size_t>(index)); }

  // What to write: the values the signals had before the window opens (at
  // the window's start), then every change in the window, sorted by time.
  std::vector<Change> changes() const;
  size_t kept() const { return changes_.size(); }

  // Streaming (HostFst): hands every kept change with time < limit to
  // emit(change) in time order (a signal's own order kept) and forgets it,
  // so the FST is written as the run goes and memory stays small.
  template <class F>
  void drain(uint64_t limit, F&& emit) {
    if (changes_.empty()) return;
    ready_.clear();
    size_t keep = 0;
    for (const Change& c : changes_) {
      if (c.t < limit)
        ready_.push_back(c);
      else
        changes_[keep++] = c;
    }
    changes_.resize(keep);
    std::stable_sort(ready_.begin(), ready_.end(), [](const Change& a, const Change& b) { return a.t < b.t; });
    for (const Change& c : ready_) emit(c);
  }
  // The value each signal had when the window opened (set before it), if any.
  template <class F>
  void for_each_opening(F&& f) const {
    for (size_t i = 0; i < slots_.size(); ++i)
      if (slots_[i].before_known) f(static_cast<uint32_t>(i), slots_[i].before);
  }

 private:
  struct Slot {
    bool known = false;
    uint64_t value = 0;
    uint64_t before = 0;  // value at the window start
    bool before_known = false;
  };
  uint64_t intern(const char* s);

  std::vector<Info> info_;
  std::vector<Slot> slots_;
  std::unordered_map<std::string, int> by_path_;
  std::vector<std::string> strings_;
  std::unordered_map<std::string, uint32_t> by_text_;
  std::vector<Change> changes_;
  std::vector<Change> ready_;  // drain()'s scratch
  uint64_t start_ = 0, stop_ = kForever;
  bool recording_ = true;
};

}  // namespace rxpath::waves
