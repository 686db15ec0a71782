// SPDX-License-Identifier: MIT
// nic_bench: the Verilated NIC (the one-queue model rxpath runs) in the bare C++ harness,
// receiving 64-byte frames at 10 GbE line rate (IFG 12 with deficit idle
// count), the host refilling descriptors at once. Prints simulated cycles per
// wall second and frames per wall second, and what happened to the frames.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <string>

#include "Vnic_top.h"
#include "common/debug.hpp"
#include "rxpath/igb_regs.hpp"
#include "verilator/vh/line_rate.hpp"

using namespace rxpath::vh;
using namespace rxpath::eth;
namespace R = rxpath::regs;

namespace {
struct Args {
  uint64_t cycles = 2000000;  // 12.8 ms of simulated time, a few seconds of wall time
  unsigned frame_len = 60;    // without FCS: 64 on the wire
  unsigned ring = 1024;
  unsigned latency = 8;  // memory read latency in cycles (write response: half)
};

[[noreturn]] void usage(const char* why) {
  std::fprintf(stderr,
               "nic_bench: %s\nusage: nic_bench [--cycles N] [--frame-len 60..1514] [--ring 64..4096] "
               "[--latency 1..10000] [--debug=cat,...]\n",
               why);
  std::exit(2);
}

uint64_t parse_num(const char* opt, const char* v, uint64_t lo, uint64_t hi) {
  if (!v) usage((std::string(opt) + " needs a value").c_str());
  char* end = nullptr;
  uint64_t x = std::strtoull(v, &end, 0);
  if (!*v || *end || x < lo || x > hi)
    usage((std::string(opt) + " must be a number in " + std::to_string(lo) + ".." + std::to_string(hi) + ", got '" + v +
           "'")
              .c_str());
  return x;
}

Args parse(int argc, char** argv) {
  Args a;
  for (int i = 1; i < argc; ++i) {
    const char* s = argv[i];
    const char* v = i + 1 < argc ? argv[i + 1] : nullptr;
    if (!std::strcmp(s, "--cycles")) {
      a.cycles = parse_num(s, v, 1000, 1ull << 40);
      ++i;
    } else if (!std::strcmp(s, "--frame-len")) {
      a.frame_len = unsigned(parse_num(s, v, 60, 1514));
      ++i;
    } else if (!std::strcmp(s, "--latency")) {
      a.latency = unsigned(parse_num(s, v, 1, 10000));
      ++i;
    } else if (!std::strcmp(s, "--ring")) {
      a.ring = unsigned(parse_num(s, v, 64, 4096));
      ++i;
      if (a.ring % 8) usage("--ring must be a multiple of 8");
    } else if (!std::strncmp(s, "--debug=", 8)) {
      try {
        rxpath::common::debug::enable(s + 8);
      } catch (const std::exception& e) {
        usage(e.what());
      }
    } else
      usage((std::string("unknown argument '") + s + "'").c_str());
  }
  return a;
}
}  // namespace

int main(int argc, char** argv) {
  const Args a = parse(argc, argv);
  LineRateArgs la;
  la.cycles = a.cycles;
  la.frame_len = a.frame_len;
  la.ring = a.ring;
  la.latency = a.latency;
  const LineRateResult r = run_line_rate<Vnic_top>(la);
  const double sim_s = double(r.cycles) / (kClockMhz * 1e6);
  std::printf(
      "rxpath nic_bench: Verilated NIC (Vnic_top, the model rxpath runs with one queue) in the bare C++ harness\n");
  std::printf("  traffic        : %u-byte frames (+4 FCS) at 10 GbE line rate, IFG 12, ring %u, host refills at once\n",
              a.frame_len, a.ring);
  std::printf("  host memory    : read latency %u cycles, write response %u cycles\n", r.rd_latency, r.wr_latency);
  std::printf("  simulated      : %llu cycles = %.3f ms at 156.25 MHz\n", (unsigned long long)r.cycles, sim_s * 1e3);
  std::printf("  wall time      : %.3f s (CPU %.3f s; on a busy machine the CPU figure is the fairer one)\n", r.wall_s,
              r.cpu_s);
  std::printf("  speed          : %.2f M cycles/s (%.4f x real time)\n", r.cycles / r.wall_s / 1e6, sim_s / r.wall_s);
  std::printf("  frames         : %.3f M frames/s of wall time\n", r.delivered / r.wall_s / 1e6);
  std::printf("  per CPU second : %.2f M cycles/s, %.3f M frames/s\n", r.cycles / r.cpu_s / 1e6,
              r.delivered / r.cpu_s / 1e6);
  std::printf("  frames sent    : %llu queued, %u reached the MAC (TPR)\n", (unsigned long long)r.sent, r.tpr);
  std::printf("  delivered      : %llu frames, %llu bytes to host memory (%.2f Gb/s simulated)\n",
              (unsigned long long)r.delivered, (unsigned long long)r.bytes, r.bytes * 8.0 / sim_s / 1e9);
  std::printf("  NIC counters   : GPRC %u  MPC %u  RNBC %u  CRCERRS %u\n", r.gprc, r.mpc, r.rnbc, r.crcerrs);
  std::printf("  MSI-X messages : %llu\n", (unsigned long long)r.msix);
  if (r.bad_len)
    std::printf("  WARNING        : %llu descriptors with a wrong length\n", (unsigned long long)r.bad_len);
  if (r.delivered == 0) std::printf("  NOTE           : nothing delivered to host memory\n");
  return 0;
}
