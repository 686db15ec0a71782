// SPDX-License-Identifier: MIT
// spread_bench: what spreading over queues and CPUs costs the simulation
// (issue 11). The same offered traffic runs with 1 RX queue on 1 CPU and
// with 4 queues on 4 CPUs (one SO_REUSEPORT reader per CPU in both), in
// alternation, `reps` times; the figure is the ratio of the smallest CPU
// times, 1q1c / 4q4c: the simulation speed of the 4-queue system relative to
// the 1-queue one (issue 11's target: >= 0.7).
//
//   spread_bench [--reps N]
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "bench/cosim/rxpath_child.hpp"

namespace {

double best(const std::vector<std::string>& args, const std::vector<std::string>& shape, int reps, double& other,
            const std::vector<std::string>& other_shape) {
  double a = 1e300;
  other = 1e300;
  const std::string out = "/tmp/spread_bench." + std::to_string(getpid());
  for (int r = 0; r < reps; ++r) {
    for (const bool first : {true, false}) {
      std::vector<std::string> x = args;
      const auto& s = first ? shape : other_shape;
      x.insert(x.end(), s.begin(), s.end());
      const double t = rxpath::bench::run_cpu(RXPATH_BIN, x, out);
      (first ? a : other) = std::min(first ? a : other, t);
    }
  }
  std::remove(out.c_str());
  return a;
}

void one_case(const char* name, const std::vector<std::string>& traffic, int reps) {
  const std::vector<std::string> q1 = {"--set", "igb.queues=1",  "--set", "kernel.cpus=1",
                                       "--set", "app.readers=1", "--set", "app.cpu=0"};
  const std::vector<std::string> q4 = {"--set", "igb.queues=4",           "--set", "kernel.cpus=4",
                                       "--set", "app.readers=4",          "--set", "app.reuseport=true",
                                       "--set", "app.reader_cpus=0,1,2,3"};
  double four = 0;
  const double one = best(traffic, q1, reps, four, q4);
  std::printf("  %-40s 1q1c %7.3f s  4q4c %7.3f s  speed 4q4c/1q1c %5.2f  (issue 11: >= 0.7)\n", name, one, four,
              one / four);
  std::fflush(stdout);
}

}  // namespace

int main(int argc, char** argv) {
  int reps = 3;
  for (int i = 1; i < argc; ++i) {
    if (!std::strcmp(argv[i], "--reps") && i + 1 < argc) {
      reps = std::max(1, std::atoi(argv[++i]));
    } else {
      std::fprintf(stderr, "usage: spread_bench [--reps N]\n");
      return 2;
    }
  }
  try {
    std::printf("spread_bench: CPU seconds of rxpath, 1 queue on 1 CPU against 4 queues on 4 CPUs (best of %d)\n",
                reps);
    const std::vector<std::string> common = {
        "--quiet", "--set", "traffic.udp_flows=16", "--set", "traffic.tcp_flows=0", "--duration-us", "10000"};
    auto with = [&](std::vector<std::string> extra) {
      std::vector<std::string> v = common;
      v.insert(v.end(), extra.begin(), extra.end());
      return v;
    };
    one_case("16 UDP flows, IMIX, 1 Gb/s, 10 ms", with({"--set", "traffic.rate_gbps=1"}), reps);
    one_case("16 UDP flows, IMIX, 4 Gb/s, 10 ms", with({"--set", "traffic.rate_gbps=4"}), reps);
    one_case("16 UDP flows, 64 B, 1 Gb/s, 10 ms", with({"--set", "traffic.size=64", "--set", "traffic.rate_gbps=1"}),
             reps);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "spread_bench: %s\n", e.what());
    return 1;
  }
  return 0;
}
