// SPDX-License-Identifier: MIT
// cosim_bench: what the co-simulation costs on top of the NIC's own RTL.
//
// One run prints:
//   1. the bare Verilated NIC (the very model the co-simulation uses) in the
//      plain C++ harness, 64-byte frames at 10 GbE line rate, instant refill:
//      simulated cycles per wall second (the baseline);
//   2. the whole co-simulation (rxpath's System: NIC, link, igb driver,
//      stack, epoll reader) with 64-byte UDP at 10 GbE line rate for the same
//      simulated time: simulated cycles and frames per wall second, wall
//      seconds per simulated millisecond;
//   3. their ratio (target >= 0.8) and the peak memory (target < 256 MiB for
//      the default scenario, measured by a separate `rxpath` run).
#include <sys/resource.h>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <string>

#include "Vnic_top.h"
#include "testbench/system.hpp"
#include "verilator/vh/line_rate.hpp"

namespace {
double peak_rss_mib() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return u.ru_maxrss / 1024.0;
}
}  // namespace

int sc_main(int argc, char** argv) {
  double sim_ms = 2.0;
  if (argc > 1) sim_ms = std::atof(argv[1]);
  if (!(sim_ms > 0 && sim_ms < 1000)) {
    std::fprintf(stderr, "usage: cosim_bench [simulated milliseconds, default 2]\n");
    return 2;
  }
  const uint64_t cycles = static_cast<uint64_t>(sim_ms * 156250.0);

  // 1. the baseline: the same Verilated model, bare.
  rxpath::vh::LineRateArgs la;
  la.cycles = cycles;
  const rxpath::vh::LineRateResult bare = rxpath::vh::run_line_rate<Vnic_top>(la);
  const double bare_cps = bare.cycles / bare.cpu_s;

  // 2. the co-simulation at the same load for the same simulated time.
  rxpath::tb::Knobs knobs;
  rxpath::tb::Scenario cfg;
  cfg.add_knobs(knobs);
  knobs.apply_override("traffic.size=64");
  knobs.apply_override("traffic.rate_gbps=10");
  knobs.apply_override("run.start_us=1");
  knobs.apply_override("run.duration_us=" + std::to_string(sim_ms * 1000 + 1));
  knobs.apply_override("run.drain_us=0");
  cfg.finish();
  rxpath::tb::System sys(cfg, knobs.dump_toml());
  const std::clock_t c0 = std::clock();
  const rxpath::tb::Report r = sys.run(false);
  const double co_cpu_s = double(std::clock() - c0) / CLOCKS_PER_SEC;
  const double co_cycles = r.sim_us * 156.25;
  const double co_cps = co_cycles / co_cpu_s;

  std::printf("rxpath cosim_bench: 64-byte frames at 10 GbE line rate, %.2f ms simulated (rates per CPU second)\n",
              sim_ms);
  std::printf("  bare NIC (Vnic_top, C++ harness)  : %8.2f M cycles/s  (%llu frames to memory, %.2f M frames/s)\n",
              bare_cps / 1e6, static_cast<unsigned long long>(bare.delivered), bare.delivered / bare.cpu_s / 1e6);
  std::printf(
      "  co-simulation (whole receive path): %8.2f M cycles/s  %.3f M frames/s offered, %.3f M frames/s delivered\n",
      co_cps / 1e6, r.offered_frames / co_cpu_s / 1e6, r.delivered_frames / co_cpu_s / 1e6);
  std::printf("  ratio co-simulation / bare        : %8.3f   (target >= 0.8)\n", co_cps / bare_cps);
  std::printf(
      "    (same offered traffic; the bare NIC writes every frame to memory, while in the co-simulation\n"
      "     the host falls behind and most frames end in MPC, which costs the RTL less than DMA)\n");
  std::printf("  seconds per simulated ms          : %8.3f CPU, %.3f wall\n", co_cpu_s / (r.sim_us / 1000.0),
              r.wall_s / (r.sim_us / 1000.0));
  std::printf("  frames: offered %llu, delivered %llu, NIC MPC %llu (the host cannot keep up with 14.88 Mpps)\n",
              static_cast<unsigned long long>(r.offered_frames), static_cast<unsigned long long>(r.delivered_frames),
              static_cast<unsigned long long>(r.acct.drops.at("nic.MPC")));
  std::printf("  peak memory of this process       : %8.1f MiB\n", peak_rss_mib());
  return r.acct.balanced() ? 0 : 1;
}

// No SystemC banner in the figures.
int main(int argc, char** argv) {
  ::setenv("SYSTEMC_DISABLE_COPYRIGHT_MESSAGE", "1", 1);
  return sc_core::sc_elab_and_sim(argc, argv);
}
