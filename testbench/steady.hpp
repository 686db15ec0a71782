// SPDX-License-Identifier: MIT
// The steady-state verdict on a run's measurement window (docs/rxpath.md,
// "Steady state"). The window's snapshots are split in halves and the last
// half in quarters:
//   - backlog still rising: for each queue where frames wait (the ring's
//     written-back descriptors not yet cleaned, the NIC packet buffer, the
//     sockets' receive queues), a least-squares line through its level over
//     the last half; it is rising when the line climbs by more than
//     kRiseOfCapacity of that queue's capacity over the last half and the
//     last quarter's mean level is above the third quarter's;
//   - loss rate still moving: the loss ratio (drops / offered) of the third
//     and of the last quarter differ by more than kLossAbs, more than
//     kLossRel of the larger, and more than kLossSigmas binomial standard
//     deviations (so a few frames' noise is not a trend).
// Either makes the figures a transient; the report then suggests a longer run.
#pragma once

#include <cstdint>
#include <vector>

#include "testbench/report.hpp"
#include "testbench/series.hpp"

namespace rxpath::tb {

constexpr double kRiseOfCapacity = 0.10;
constexpr double kLossAbs = 0.01;
constexpr double kLossRel = 0.25;
constexpr double kLossSigmas = 3.0;

// What the queues can hold: the rule's yardstick for "rising".
struct BacklogCapacity {
  double ring_descriptors = 0;  // every RX ring
  double pktbuf_bytes = 0;      // the NIC packet buffer
  double sock_bytes = 0;        // every socket's receive buffer (sk_rcvbuf)
};

// The verdict over the window of `s` (complete).
Steady judge_steady(const Series& s, const BacklogCapacity& cap);

}  // namespace rxpath::tb
