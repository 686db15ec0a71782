// SPDX-License-Identifier: MIT
// TimedQueue: actions that must run at an exact SystemC time, in the order
// (time, post order). One sc_event and one SC_METHOD serve any number of
// pending actions, so a message in flight costs a heap entry, not a process.
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <queue>
#include <systemc>
#include <vector>

namespace rxpath::common {

class TimedQueue : public sc_core::sc_module {
 public:
  using Action = std::function<void()>;

  explicit TimedQueue(sc_core::sc_module_name name) : sc_module(name) {
    SC_HAS_PROCESS(TimedQueue);
    SC_METHOD(run);
    sensitive << ev_;
    dont_initialize();
  }

  // Runs `fn` at absolute time `at` (>= now). Actions at the same time run
  // in the order they were posted.
  void post(const sc_core::sc_time& at, Action fn) {
    const sc_core::sc_time now = sc_core::sc_time_stamp();
    if (at < now) {
      SC_REPORT_ERROR(name(), "TimedQueue::post: time in the past");
      return;
    }
    // Most posts come in time order (frame arrivals, link messages): they
    // append to a FIFO; only out-of-order ones pay for the heap.
    if (fifo_.empty() || fifo_.back().at <= at)
      fifo_.push_back(Entry{at, seq_++, std::move(fn)});
    else
      heap_.push(Entry{at, seq_++, std::move(fn)});
    arm(at, now);
  }

  std::size_t pending() const { return heap_.size() + fifo_.size(); }

 private:
  struct Entry {
    sc_core::sc_time at;
    uint64_t seq;
    Action fn;
  };
  struct Later {
    bool operator()(const Entry& a, const Entry& b) const { return a.at != b.at ? a.at > b.at : a.seq > b.seq; }
  };

  // One notification for the earliest pending action; a later time than
  // the one already notified changes nothing, so it is not passed on.
  void arm(const sc_core::sc_time& at, const sc_core::sc_time& now) {
    if (armed_ && armed_at_ <= at) return;
    armed_ = true;
    armed_at_ = at;
    ev_.notify(at - now);
  }

  // The earliest pending entry by (time, post order), or nullptr.
  Entry* next() {
    if (heap_.empty()) return fifo_.empty() ? nullptr : &fifo_.front();
    Entry* h = const_cast<Entry*>(&heap_.top());
    if (fifo_.empty() || Later()(fifo_.front(), *h)) return h;
    return &fifo_.front();
  }

  void run() {
    armed_ = false;  // the notification fired
    const sc_core::sc_time now = sc_core::sc_time_stamp();
    for (Entry* e = next(); e && e->at <= now; e = next()) {
      Action fn = std::move(e->fn);
      if (!fifo_.empty() && e == &fifo_.front())
        fifo_.pop_front();
      else
        heap_.pop();
      fn();
    }
    if (Entry* e = next()) arm(e->at, now);
  }

  std::deque<Entry> fifo_;  // sorted by (at, seq): appended in order
  std::priority_queue<Entry, std::vector<Entry>, Later> heap_;
  uint64_t seq_ = 0;
  bool armed_ = false;
  sc_core::sc_time armed_at_;
  sc_core::sc_event ev_;
};

}  // namespace rxpath::common
