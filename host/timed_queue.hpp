// SPDX-License-Identifier: MIT
// TimedQueue: actions that must run at an exact SystemC time, in the order
// (time, post order). One sc_event and one SC_METHOD serve any number of
// pending actions, so a message in flight costs a heap entry, not a process.
#pragma once

#include <cstdint>
#include <functional>
#include <queue>
#include <vector>
#include <systemc>

namespace rxpath::host {

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
        heap_.push(Entry{at, seq_++, std::move(fn)});
        ev_.notify(at - now);  // an earlier notification replaces a later one
    }

    std::size_t pending() const { return heap_.size(); }

private:
    struct Entry {
        sc_core::sc_time at;
        uint64_t seq;
        Action fn;
    };
    struct Later {
        bool operator()(const Entry& a, const Entry& b) const {
            return a.at != b.at ? a.at > b.at : a.seq > b.seq;
        }
    };

    void run() {
        const sc_core::sc_time now = sc_core::sc_time_stamp();
        while (!heap_.empty() && heap_.top().at <= now) {
            Action fn = std::move(const_cast<Entry&>(heap_.top()).fn);
            heap_.pop();
            fn();
        }
        if (!heap_.empty()) ev_.notify(heap_.top().at - now);
    }

    std::priority_queue<Entry, std::vector<Entry>, Later> heap_;
    uint64_t seq_ = 0;
    sc_core::sc_event ev_;
};

}  // namespace rxpath::host
