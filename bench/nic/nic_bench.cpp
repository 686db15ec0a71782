// SPDX-License-Identifier: MIT
// nic_bench: the Verilated NIC (release model) in the bare C++ harness,
// receiving 64-byte frames at 10 GbE line rate (IFG 12 with deficit idle
// count), the host refilling descriptors at once. Prints simulated cycles per
// wall second and frames per wall second, and what happened to the frames.
#include <chrono>
#include <ctime>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include "Vnic_top_fast.h"
#include "rxpath/igb_regs.hpp"
#include "rxpath/vh/env.hpp"
#include "rxpath/vh/igb_double.hpp"

using namespace rxpath::vh;
namespace R = rxpath::regs;

namespace {
struct Args {
    uint64_t cycles = 2000000;  // 12.8 ms of simulated time, a few seconds of wall time
    unsigned frame_len = 60;    // without FCS: 64 on the wire
    unsigned ring = 1024;
    unsigned latency = 8;       // memory read latency in cycles (write response: half)
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
        usage((std::string(opt) + " must be a number in " + std::to_string(lo) + ".." + std::to_string(hi) +
               ", got '" + v + "'").c_str());
    return x;
}

Args parse(int argc, char** argv) {
    Args a;
    for (int i = 1; i < argc; ++i) {
        const char* s = argv[i];
        const char* v = i + 1 < argc ? argv[i + 1] : nullptr;
        if (!std::strcmp(s, "--cycles")) { a.cycles = parse_num(s, v, 1000, 1ull << 40); ++i; }
        else if (!std::strcmp(s, "--frame-len")) { a.frame_len = unsigned(parse_num(s, v, 60, 1514)); ++i; }
        else if (!std::strcmp(s, "--latency")) { a.latency = unsigned(parse_num(s, v, 1, 10000)); ++i; }
        else if (!std::strcmp(s, "--ring")) { a.ring = unsigned(parse_num(s, v, 64, 4096)); ++i; if (a.ring % 8) usage("--ring must be a multiple of 8"); }
        else if (!std::strncmp(s, "--debug=", 8)) {
            try { dbg_enable(s + 8); } catch (const std::exception& e) { usage(e.what()); }
        } else usage((std::string("unknown argument '") + s + "'").c_str());
    }
    return a;
}
}  // namespace

int main(int argc, char** argv) {
    const Args a = parse(argc, argv);
    AxiMemConfig mc;
    mc.rd_latency = a.latency;
    mc.wr_latency = a.latency / 2;
    NicEnv<Vnic_top_fast> env(mc, /*with_checker=*/false);
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

    const WireFrame frame{udp_frame_len(station, peer, a.frame_len)};
    uint64_t sent = 0, delivered = 0, bytes = 0, bad_len = 0;
    const uint64_t start_cycle = env.sim.cycle();
    auto t0 = std::chrono::steady_clock::now();
    const std::clock_t c0 = std::clock();
    while (env.sim.cycle() - start_cycle < a.cycles) {
        // Keep the wire busy: line rate, IFG 12 (deficit idle count).
        while (env.xgmii.enc.queued_chars() < 512) {
            env.xgmii.send(frame);
            ++sent;
        }
        env.sim.run(64);
        // Host: take every completed descriptor and give it back at once.
        for (const auto& d : drv.igb_clean_rx_irq(ring)) {
            ++delivered;
            bytes += d.wb.length;
            bad_len += d.wb.length != a.frame_len;
        }
    }
    auto t1 = std::chrono::steady_clock::now();
    const double cpu = double(std::clock() - c0) / CLOCKS_PER_SEC;
    const double wall = std::chrono::duration<double>(t1 - t0).count();
    const uint64_t cycles = env.sim.cycle() - start_cycle;
    // Frames still on the wire or in the NIC at the end are neither.
    const uint32_t mpc = env.rd(R::E1000_MPC), rnbc = env.rd(R::E1000_RNBC), gprc = env.rd(R::E1000_GPRC);
    const uint32_t tpr = env.rd(R::E1000_TPR), crc = env.rd(R::E1000_CRCERRS);

    const double sim_s = double(cycles) / (kClockMhz * 1e6);
    std::printf("rxpath nic_bench: Verilated NIC (release model, no assertions) in the bare C++ harness\n");
    std::printf("  traffic        : %u-byte frames (+4 FCS) at 10 GbE line rate, IFG 12, ring %u, host refills at once\n",
                a.frame_len, a.ring);
    std::printf("  host memory    : read latency %u cycles, write response %u cycles\n", mc.rd_latency, mc.wr_latency);
    std::printf("  simulated      : %llu cycles = %.3f ms at 156.25 MHz\n", (unsigned long long)cycles, sim_s * 1e3);
    std::printf("  wall time      : %.3f s (CPU %.3f s; on a busy machine the CPU figure is the fairer one)\n", wall, cpu);
    std::printf("  speed          : %.2f M cycles/s (%.4f x real time)\n", cycles / wall / 1e6, sim_s / wall);
    std::printf("  frames         : %.3f M frames/s of wall time\n", delivered / wall / 1e6);
    std::printf("  per CPU second : %.2f M cycles/s, %.3f M frames/s\n", cycles / cpu / 1e6, delivered / cpu / 1e6);
    std::printf("  frames sent    : %llu queued, %u reached the MAC (TPR)\n", (unsigned long long)sent, tpr);
    std::printf("  delivered      : %llu frames, %llu bytes to host memory (%.2f Gb/s simulated)\n",
                (unsigned long long)delivered, (unsigned long long)bytes, bytes * 8.0 / sim_s / 1e9);
    std::printf("  NIC counters   : GPRC %u  MPC %u  RNBC %u  CRCERRS %u\n", gprc, mpc, rnbc, crc);
    std::printf("  MSI-X messages : %zu\n", env.msix.msgs.size());
    if (bad_len) std::printf("  WARNING        : %llu descriptors with a wrong length\n", (unsigned long long)bad_len);
    if (delivered == 0) std::printf("  NOTE           : nothing delivered: the RTL datapath is not complete yet\n");
    return 0;
}
