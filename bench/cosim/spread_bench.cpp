// SPDX-License-Identifier: MIT
// spread_bench: what spreading over queues and CPUs costs the simulation
// (issue 11). The same offered traffic runs with 1 RX queue on 1 CPU and
// with 4 queues on 4 CPUs (one SO_REUSEPORT reader per CPU in both), in
// alternation, `reps` times; the figure is the ratio of the smallest CPU
// times, 1q1c / 4q4c: the simulation speed of the 4-queue system relative to
// the 1-queue one (issue 11's target: >= 0.7). Where the single queue
// overflows (the NIC drops in MPC, cheaply), the 4-queue system does more
// work for the same offered load, so the bench also prints the ratio of CPU
// per delivered frame.
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

// The frames delivered to the readers, from the report's "delivered" line.
double delivered(const std::string& report) {
  const auto at = report.find("\n  delivered ");
  return at == std::string::npos ? 0 : std::strtod(report.c_str() + at + 13, nullptr);
}

void one_case(const char* name, const std::vector<std::string>& traffic, int reps) {
  const rxpath::bench::Side q1{
      RXPATH_BIN, {"--set", "igb.queues=1", "--set", "kernel.cpus=1", "--set", "app.readers=1", "--set", "app.cpu=0"}};
  const rxpath::bench::Side q4{RXPATH_BIN,
                               {"--set", "igb.queues=4", "--set", "kernel.cpus=4", "--set", "app.readers=4", "--set",
                                "app.reuseport=true", "--set", "app.reader_cpus=0,1,2,3"}};
  double d1 = 0, d4 = 0;
  const auto c = rxpath::bench::compare_cpu({traffic}, reps, q1, q4, [&](const std::string& a, const std::string& b) {
    d1 = delivered(a);
    d4 = delivered(b);
  });
  // Per delivered frame: where one queue overflows, the 4-queue system
  // carries more frames through the NIC's DMA and the stack for the same
  // offered load; this figure compares the cost of the work both do.
  std::printf(
      "  %-36s 1q1c %6.3f s %7.0f delivered  4q4c %6.3f s %7.0f delivered  speed %4.2f (>= 0.7)"
      "  per delivered frame %4.2f\n",
      name, c.a, d1, c.b, d4, c.a / c.b, (c.a / std::max(d1, 1.0)) / (c.b / std::max(d4, 1.0)));
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
