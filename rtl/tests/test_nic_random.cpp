// SPDX-License-Identifier: MIT
// Randomized traffic against the scoreboard on the default build
// (rtl/tests/random_traffic.hpp): every frame delivered or in exactly one
// counter, MSI-X causal per vector. Seed: RXPATH_SEED or a fixed default;
// it is printed so a failure can be replayed. The same test runs on every
// cell of the parameter matrix (test_nic_matrix.cpp, make rtl-matrix).
#define BOOST_TEST_MODULE nic_random
#include "rtl/tests/random_traffic.hpp"

#include <cstdlib>

#include "Vnic_top.h"

using namespace rxt;

namespace {
RandomRun with_seed(uint64_t seed) {
  RandomRun p;
  p.seed = seed;
  if (const char* e = std::getenv("RXPATH_SEED")) p.seed = std::strtoull(e, nullptr, 0);
  return p;
}
}  // namespace

BOOST_AUTO_TEST_CASE(random_traffic_every_frame_accounted_for) { run_random<Vnic_top>(with_seed(20261122)); }

// Small buffers (multi-descriptor frames) and DROP_EN: an empty ring drops
// into RQDPC instead of holding the frame.
BOOST_AUTO_TEST_CASE(random_traffic_small_buffers_drop_en) {
  RandomRun p = with_seed(77);
  p.buf_size = 1024;
  p.drop_en = true;
  run_random<Vnic_top>(p);
}
