// SPDX-License-Identifier: MIT
// study_bench: what rxpath sweep costs around its points.
//
//   1. a 40-point study of 10 ms runs (the RTL NIC, 512-byte UDP at 0.5..10 Gb/s) with
//      -j 2: parallel efficiency = sum of the points' CPU seconds / (2 x the
//      sweep's wall time) (target >= 0.9); the sweep's overhead per point =
//      (2 x sweep wall - sum of the points' own wall times) / points, also as
//      a fraction of the mean point (target <= 5 %); the largest max_rss_kb;
//   2. a synthetic 1,000-run study (fake points, study/tests/fake_point.sh):
//      the time `rxpath sweep --collect` takes to merge them (target < 1 s).
// Prints figures; never fails on a slow machine.
//
//   study_bench [points of part 1, default 40]
#include <sys/wait.h>
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace fs = std::filesystem;

namespace {

double now_s() { return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count(); }

int run(const std::string& cmd) {
  const int st = std::system(cmd.c_str());
  return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

// A number after "key": in a small JSON file (status.json).
double json_number(const std::string& path, const std::string& key) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  const std::string s = ss.str();
  const size_t k = s.find("\"" + key + "\":");
  return k == std::string::npos ? 0 : std::atof(s.c_str() + k + key.size() + 3);
}

}  // namespace

int main(int argc, char** argv) {
  const int points = argc > 1 ? std::atoi(argv[1]) : 40;
  if (points < 2 || points > 10000) {
    std::fprintf(stderr, "usage: study_bench [points, default 40]\n");
    return 2;
  }
  const std::string scratch = SCRATCH, bin = RXPATH_BIN;
  fs::remove_all(scratch);
  fs::create_directories(scratch);

  // 1. Real points.
  const std::string study = scratch + "/bench.toml", dir = scratch + "/sweep";
  std::ofstream(study) << "[study]\nname = \"bench\"\n"
                       << "[scenario]\nrun.duration_us = 10000\n"
                       << "traffic.tcp_flows = 0\ntraffic.size = \"512\"\n"
                       << "[[axis]]\nknob = \"traffic.rate_gbps\"\n"
                       << "range = { from = 0.5, to = 10.0, steps = " << points << " }\n";
  const double t0 = now_s();
  const int rc = run(bin + " sweep " + study + " -o " + dir + " -j 2 --no-plot --quiet");
  const double wall = now_s() - t0;
  double cpu = 0, point_wall = 0, rss = 0;
  int n = 0;
  for (const auto& e : fs::directory_iterator(dir + "/points")) {
    const std::string st = e.path().string() + "/status.json";
    cpu += json_number(st, "cpu_s");
    point_wall += json_number(st, "wall_s");
    rss = std::max(rss, json_number(st, "max_rss_kb"));
    ++n;
  }
  std::printf("study_bench: %d points of 10 ms (RTL NIC) with -j 2: exit %d, %.2f s wall\n", n, rc, wall);
  if (n > 0 && wall > 0) {
    const double overhead = (2 * wall - point_wall) / n;
    std::printf("  parallel efficiency   %.3f  (sum of point CPU %.2f s / (2 x %.2f s); target >= 0.9)\n",
                cpu / (2 * wall), cpu, wall);
    std::printf("  overhead per point    %.1f ms = %.2f %% of a mean point of %.1f ms (target <= 5 %%)\n",
                overhead * 1e3, 100 * overhead / (point_wall / n), 1e3 * point_wall / n);
    std::printf("  peak memory per point %.1f MiB (max_rss_kb %.0f)\n", rss / 1024, rss);
  }

  // 2. Merging 1,000 runs.
  const std::string big = scratch + "/big.toml", bigdir = scratch + "/big";
  std::ofstream(big) << "[study]\nname = \"big\"\nreplicas = 4\n"
                     << "[[axis]]\nknob = \"igb.rx_ring\"\nrange = { from = 64, to = 4096, steps = 250 }\n";
  run("RXPATH_SWEEP_EXE=" FAKE_POINT " " + bin + " sweep " + big + " -o " + bigdir + " -j 2 --no-plot --quiet");
  const double m0 = now_s();
  const int mrc = run(bin + " sweep --collect " + bigdir + " --no-plot 2>/dev/null");
  const double merge = now_s() - m0;
  std::printf("  merge of 1000 runs    %.3f s for results.csv + results.json (exit %d; target < 1 s)\n", merge, mrc);
  return 0;
}
