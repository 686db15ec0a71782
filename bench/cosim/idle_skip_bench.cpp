// SPDX-License-Identifier: MIT
// idle_skip_bench: what the idle-skip (run.idle_skip) saves, as ratios of
// CPU seconds measured in the same run: each case runs `rxpath` with the
// skip on and off, alternately, `reps` times each, and takes the smallest
// CPU time (user + system of the child, from wait4) of each side. The
// outputs of the two sides are compared too (the bench says so when they
// differ; tests check it properly: idle_skip_same_outputs).
//
//   idle_skip_bench [--reps N] [--no-study]
//
// Cases (issue 16's figures): the default run; 0.5 and 2 Gb/s IMIX for 2 ms;
// 64-byte frames at line rate with no drain (traffic only); a 40-point load
// sweep of the ring-overflow scenario (0.5 to 10 Gb/s, total CPU).
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "bench/cosim/rxpath_child.hpp"

namespace {

const char* kRxpath = RXPATH_BIN;
const char* kScenarios = RXPATH_SCENARIOS;

// One case: the run list (several runs summed, e.g. a sweep), skip on (a)
// and off (b) alternately, `reps` times; the smallest total of each side.
rxpath::bench::Compared measure(const std::vector<std::vector<std::string>>& runs, int reps) {
  return rxpath::bench::compare_cpu(runs, reps, {kRxpath, {"--set", "run.idle_skip=true"}},
                                    {kRxpath, {"--set", "run.idle_skip=false"}});
}

void print(const char* name, const rxpath::bench::Compared& p, const char* target) {
  std::printf("  %-44s on %7.3f s  off %7.3f s  off/on %5.2fx  (issue 16: %s)%s\n", name, p.a, p.b, p.b / p.a, target,
              p.same ? "" : "  OUTPUTS DIFFER");
  std::fflush(stdout);
}

}  // namespace

int main(int argc, char** argv) {
  int reps = 3;
  bool study = true;
  for (int i = 1; i < argc; ++i) {
    if (!std::strcmp(argv[i], "--reps") && i + 1 < argc) {
      reps = std::atoi(argv[++i]);
    } else if (!std::strcmp(argv[i], "--no-study")) {
      study = false;
    } else {
      std::fprintf(stderr, "usage: idle_skip_bench [--reps N] [--no-study]\n");
      return 2;
    }
  }
  if (reps < 1) reps = 1;
  try {
    std::printf("idle_skip_bench: CPU seconds of rxpath with run.idle_skip on and off (best of %d, same run)\n", reps);
    print("default run", measure({{"--quiet"}}, reps), ">= 2.5x");
    print("0.5 Gb/s IMIX, 2 ms",
          measure({{"--quiet", "--set", "traffic.rate_gbps=0.5", "--duration-us", "2000"}}, reps), ">= 8x");
    print("2 Gb/s IMIX, 2 ms", measure({{"--quiet", "--set", "traffic.rate_gbps=2", "--duration-us", "2000"}}, reps),
          ">= 2x");
    print("line rate, 64 B, 2 ms, no drain",
          measure({{"--quiet", "--set", "traffic.size=64", "--set", "traffic.rate_gbps=10", "--set", "run.drain_us=0",
                    "--duration-us", "2000"}},
                  reps),
          "no slower, <= 2% cost");
    if (study) {
      std::vector<std::vector<std::string>> runs;
      for (int k = 0; k < 40; ++k) {
        char rate[32];
        std::snprintf(rate, sizeof rate, "traffic.rate_gbps=%.4g", 0.5 + k * 9.5 / 39);
        runs.push_back({"--quiet", std::string(kScenarios) + "/ring-overflow.toml", "--set", rate});
      }
      print("ring-overflow, 40 loads 0.5-10 Gb/s (total)", measure(runs, 1), "a figure");
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "idle_skip_bench: %s\n", e.what());
    return 1;
  }
  return 0;
}
