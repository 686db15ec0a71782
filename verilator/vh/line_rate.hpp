// SPDX-License-Identifier: MIT
// The bare-harness line-rate run shared by the benchmarks: the Verilated NIC
// receives one frame size back to back at 10 GbE (IFG 12 with deficit idle
// count) while a driver double takes every completed descriptor and gives it
// back at once. No SystemC: this is the NIC's own speed.
#pragma once
#include <chrono>
#include <cstdint>
#include <ctime>

#include "rxpath/igb_regs.hpp"
#include "verilator/vh/env.hpp"
#include "verilator/vh/igb_double.hpp"

namespace rxpath::vh {

struct LineRateArgs {
  uint64_t cycles = 2000000;
  unsigned frame_len = 60;  // without FCS: 64 bytes on the wire
  unsigned ring = 1024;
  unsigned latency = 8;  // host memory read latency in cycles (write response: half)
};

struct LineRateResult {
  uint64_t cycles = 0, sent = 0, delivered = 0, bytes = 0, bad_len = 0, msix = 0;
  uint32_t gprc = 0, mpc = 0, rnbc = 0, tpr = 0, crcerrs = 0;
  double wall_s = 0, cpu_s = 0;  // on a busy machine the CPU time is the fairer figure
  unsigned rd_latency = 0, wr_latency = 0;
};

template <class M>
LineRateResult run_line_rate(const LineRateArgs& a) {
  namespace R = rxpath::regs;
  AxiMemConfig mc;
  mc.rd_latency = a.latency;
  mc.wr_latency = a.latency / 2;
  NicEnv<M> env(mc, /*with_checker=*/false);
  IgbDouble drv([&](uint32_t o, uint32_t v) { env.wr(o, v); }, [&](uint32_t o) { return env.rd(o); }, env.mem);
  IgbRing ring;
  ring.count = a.ring;
  ring.desc_base = 0x100000000ull;
  ring.buf_base = 0x100100000ull;
  const Mac station{0x02, 0, 0, 0, 0, 1}, peer{0x02, 0, 0, 0, 0, 2};
  drv.igb_rar_set(station, 0);
  drv.igb_configure_rx_ring(ring);
  drv.igb_configure_msix(ring, 0);
  drv.igb_setup_rctl();

  const WireFrame frame{eth::udp_frame_len(station, peer, a.frame_len)};
  LineRateResult r;
  const uint64_t start_cycle = env.sim.cycle();
  const auto t0 = std::chrono::steady_clock::now();
  const std::clock_t c0 = std::clock();
  while (env.sim.cycle() - start_cycle < a.cycles) {
    while (env.xgmii.enc.queued_chars() < 512) {  // keep the wire busy
      env.xgmii.send(frame);
      ++r.sent;
    }
    env.sim.run(64);
    for (const auto& d : drv.igb_clean_rx_irq(ring)) {
      ++r.delivered;
      r.bytes += d.wb.length;
      r.bad_len += d.wb.length != a.frame_len;
    }
  }
  r.wall_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  r.cpu_s = double(std::clock() - c0) / CLOCKS_PER_SEC;
  r.rd_latency = mc.rd_latency;
  r.wr_latency = mc.wr_latency;
  r.cycles = env.sim.cycle() - start_cycle;
  r.mpc = env.rd(R::E1000_MPC);
  r.rnbc = env.rd(R::E1000_RNBC);
  r.gprc = env.rd(R::E1000_GPRC);
  r.tpr = env.rd(R::E1000_TPR);
  r.crcerrs = env.rd(R::E1000_CRCERRS);
  r.msix = env.msix.msgs.size();
  return r;
}

}  // namespace rxpath::vh
