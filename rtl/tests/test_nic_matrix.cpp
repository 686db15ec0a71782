// SPDX-License-Identifier: MIT
// One cell of the parameter matrix (rtl/tests/CMakeLists.txt, make
// rtl-matrix): the random traffic test (random_traffic.hpp) on a NIC built
// with another AXI data width, queue count or packet buffer size, over
// several seeds (RXPATH_SEEDS=n, default 3), with and without DROP_EN and
// with buffers of 1 and 2 KiB.
// A cell built with random initial values (--x-initial unique, RXPATH_XRANDOM)
// also runs one seed from X seeds 0 (all zeros) to RXPATH_X_SEEDS (default
// 4): reset must set every state that matters, so every run is the same,
// write for write and clock for clock.
#define BOOST_TEST_MODULE nic_matrix
#include "rtl/tests/random_traffic.hpp"

#include <cstdlib>
#include <string>

#include RXPATH_VMODEL_H

using namespace rxt;
using Model = RXPATH_VMODEL;

namespace {
unsigned env_or(const char* name, unsigned dflt) {
  const char* e = std::getenv(name);
  return e ? unsigned(std::strtoul(e, nullptr, 0)) : dflt;
}

RandomRun cell_run(uint64_t seed) {
  RandomRun p;
  p.seed = seed;
  p.queues = RXPATH_NUM_QUEUES;
  p.drop_en = seed % 2;
  p.buf_size = seed % 3 == 0 ? 1024 : 2048;
  return p;
}
}  // namespace

BOOST_AUTO_TEST_CASE(random_traffic_on_this_build) {
  std::printf("cell: AXI %u bits, %u queue(s), %u-byte packet buffer\n", RXPATH_AXI_DATA_W, RXPATH_NUM_QUEUES,
              RXPATH_PKTBUF_BYTES);
  const unsigned seeds = env_or("RXPATH_SEEDS", 3);
  for (unsigned i = 0; i < seeds; ++i) BOOST_TEST_CONTEXT("seed " << 1000 + i) run_random<Model>(cell_run(1000 + i));
}

#if RXPATH_XRANDOM
BOOST_AUTO_TEST_CASE(no_result_depends_on_initial_values) {
  const unsigned xseeds = env_or("RXPATH_X_SEEDS", 4);
  RunDigest first;
  for (unsigned x = 0; x <= xseeds; ++x) {
    BOOST_TEST_CONTEXT("X seed " << x) {
      setenv("RXPATH_X_SEED", std::to_string(x).c_str(), 1);
      const RunDigest d = run_random<Model>(cell_run(7));
      std::printf("X seed %u: digest %016llx, %llu delivered, %llu writes, %llu MSI-X\n", x, (unsigned long long)d.hash,
                  (unsigned long long)d.delivered, (unsigned long long)d.writes, (unsigned long long)d.msix);
      if (x == 0)
        first = d;
      else
        BOOST_TEST(d.hash == first.hash, "initial values from seed " << x << " changed what the NIC did");
    }
  }
  unsetenv("RXPATH_X_SEED");
}
#endif
