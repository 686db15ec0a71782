// SPDX-License-Identifier: MIT
// trace_fst_bench: what FST tracing of the RTL costs NicSc, alone.
//
// One NicSc with a TLM memory on its sockets (no kernel, no driver model:
// a few lines of igb_configure_rx_ring and an igb_clean_rx_irq-like refill
// between time slices), 1000-byte frames one per microsecond, all delivered.
// The same run three ways, one child process per run, best of N:
//   none   no FST at all
//   full   NicSc::trace_fst(file): every clock edge dumped
//   late   NicSc::trace_fst(file, start, stop) with the window over the
//          last 10 us only (attached and opened from the start)
// Prints wall and CPU seconds (the child's user + system time, its threads
// included) and the ratios to `none` (issue 5: full <= 2x), plus FST sizes.
//
// usage: trace_fst_bench [clocks, default 300000] [repeats, default 3]
//        trace_fst_bench --one none|full|late [clocks]   (one run in this
//        process, for valgrind --tool=callgrind; prints nothing else)
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include <systemc>

#include "common/eth.hpp"
#include "rxpath/igb_regs.hpp"
#include "testing/tlm_host.hpp"
#include "verilator/sc/nic_sc.hpp"

using namespace sc_core;
using namespace rxpath;
using namespace rxpath::regs;

namespace {

constexpr unsigned kRing = 256;     // descriptors
constexpr size_t kFrameLen = 1000;  // bytes, FCS excluded
constexpr double kSliceUs = 16;     // frames sent and descriptors refilled per slice
constexpr double kLateUs = 10;      // the late window
const sc_time kQuantum(64 * 6.4, SC_NS);
const sc_time kLink(1, SC_US);
const eth::Mac kOurMac = {0x02, 0x00, 0x00, 0x00, 0x00, 0x01};
const eth::Mac kPeerMac = {0x02, 0x00, 0x00, 0x00, 0x00, 0x02};

struct RunResult {
  uint64_t cycles = 0, delivered = 0, sent = 0;
};

// One run in this process. `mode`: none, full or late.
RunResult run_one(const std::string& mode, uint64_t clocks, const std::string& fst) {
  bridge::NicSc nic("nic", kQuantum);
  testing::TlmHost host("host", 4u << 20, kLink);
  host.bind(nic);
  const double run_us = static_cast<double>(clocks) * 6.4 / 1000.0;
  if (mode == "full") {
    nic.trace_fst(fst);
  } else if (mode == "late") {
    const auto stop = static_cast<uint64_t>(run_us * 1e6);
    nic.trace_fst(fst, stop - static_cast<uint64_t>(kLateUs * 1e6), stop);
  }

  // igb_configure_rx_ring, igb_setup_rctl, one MSI-X vector; buffers in
  // every descriptor but one.
  testing::RxRing rx;
  rx.count = kRing;
  rx.desc_base = 0x100000;
  rx.buf_base = 0x200000;
  rx.buf_stride = 2048;
  rx.buf_size = 2048;
  const testing::RxRingIo io = testing::rx_ring_io(host);
  testing::configure_rx_ring(host, rx, kOurMac);
  testing::igb_alloc_rx_buffers(io, rx, testing::igb_desc_unused(rx));
  sc_start(sc_time(4, SC_US));

  RunResult r;
  std::vector<eth::Bytes> frames;
  for (uint8_t i = 0; i < 16; ++i) frames.push_back(eth::udp_frame_len(kOurMac, kPeerMac, kFrameLen, i));
  while (sc_time_stamp().to_seconds() * 1e6 + kSliceUs <= run_us) {
    // One frame per microsecond over the next slice.
    for (unsigned k = 0; k < static_cast<unsigned>(kSliceUs); ++k) {
      host.send(r.sent, frames[r.sent % frames.size()], kLink + sc_time(k, SC_US));
      ++r.sent;
    }
    sc_start(sc_time(kSliceUs, SC_US));
    // igb_clean_rx_irq: every written-back descriptor (DD) among those the
    // NIC owns (next_to_clean .. RDT) is cleaned; as many fresh buffers go in
    // at next_to_use (= RDT), the one slot the NIC does not own first.
    const unsigned owned = (rx.next_to_use + kRing - rx.next_to_clean) % kRing;
    unsigned cleaned = 0;
    while (cleaned < owned && testing::rx_desc_done(host, rx, (rx.next_to_clean + cleaned) % kRing)) ++cleaned;
    rx.next_to_clean = (rx.next_to_clean + cleaned) % kRing;
    testing::igb_alloc_rx_buffers(io, rx, cleaned);
    r.delivered += cleaned;
  }
  sc_start(sc_time(run_us, SC_US) - sc_time_stamp());
  nic.trace_flush_close();
  r.cycles = nic.cycle();
  if (host.dma_errors) std::fprintf(stderr, "trace_fst_bench: %llu DMA errors\n", (unsigned long long)host.dma_errors);
  return r;
}

struct Cost {
  double wall = 1e300, cpu = 1e300;
  long long fst_bytes = 0;
  RunResult r;
};

double cpu_of(const rusage& u) {
  return u.ru_utime.tv_sec + u.ru_utime.tv_usec / 1e6 + u.ru_stime.tv_sec + u.ru_stime.tv_usec / 1e6;
}

// Runs `mode` in a child process (SystemC elaborates once per process).
bool measure(const std::string& mode, uint64_t clocks, const std::string& fst, Cost& best) {
  std::remove(fst.c_str());
  int pfd[2];
  if (pipe(pfd) != 0) return false;
  std::fflush(stdout);
  std::fflush(stderr);
  const auto t0 = std::chrono::steady_clock::now();
  const pid_t pid = fork();
  if (pid < 0) return false;
  if (pid == 0) {
    close(pfd[0]);
    const RunResult r = run_one(mode, clocks, fst);
    if (write(pfd[1], &r, sizeof r) != static_cast<ssize_t>(sizeof r)) _exit(3);
    _exit(0);
  }
  close(pfd[1]);
  RunResult r;
  const bool got = read(pfd[0], &r, sizeof r) == static_cast<ssize_t>(sizeof r);
  close(pfd[0]);
  int status = 0;
  rusage u{};
  wait4(pid, &status, 0, &u);
  const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  if (!got || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    std::fprintf(stderr, "trace_fst_bench: the %s run failed (status %d)\n", mode.c_str(), status);
    return false;
  }
  if (wall < best.wall) best.wall = wall;
  if (cpu_of(u) < best.cpu) best.cpu = cpu_of(u);
  best.r = r;
  struct stat st {};
  best.fst_bytes = stat(fst.c_str(), &st) == 0 ? static_cast<long long>(st.st_size) : 0;
  return true;
}

uint64_t parse_clocks(const char* s) {
  char* end = nullptr;
  const unsigned long long v = std::strtoull(s, &end, 10);
  if (!*s || *end || v < 20000 || v > 100000000) {
    std::fprintf(stderr, "trace_fst_bench: clocks must be a whole number in [20000, 100000000], got '%s'\n", s);
    std::exit(2);
  }
  return v;
}

}  // namespace

int sc_main(int argc, char** argv) {
  sc_report_handler::set_actions("/IEEE_Std_1666/deprecated", SC_DO_NOTHING);
  if (argc >= 3 && std::string(argv[1]) == "--one") {
    const std::string mode = argv[2];
    if (mode != "none" && mode != "full" && mode != "late") {
      std::fprintf(stderr, "trace_fst_bench: --one wants none, full or late, got '%s'\n", mode.c_str());
      return 2;
    }
    run_one(mode, argc > 3 ? parse_clocks(argv[3]) : 300000, "trace_fst_bench.fst");
    return 0;
  }
  const uint64_t clocks = argc > 1 ? parse_clocks(argv[1]) : 300000;
  int repeats = 3;
  if (argc > 2) {
    repeats = std::atoi(argv[2]);
    if (repeats < 1 || repeats > 50) {
      std::fprintf(stderr, "trace_fst_bench: repeats must be in [1, 50], got '%s'\n", argv[2]);
      return 2;
    }
  }
  const std::string dir = "/tmp/trace_fst_bench." + std::to_string(getpid());
  if (mkdir(dir.c_str(), 0700) != 0) {
    std::fprintf(stderr, "trace_fst_bench: cannot create %s\n", dir.c_str());
    return 1;
  }
  const char* modes[] = {"none", "full", "late"};
  Cost cost[3];
  // Interleaved (none, full, late, none, ...) so machine load hits all alike.
  for (int k = 0; k < repeats; ++k)
    for (int m = 0; m < 3; ++m)
      if (!measure(modes[m], clocks, dir + "/" + modes[m] + ".fst", cost[m])) return 1;
  for (const char* m : modes) std::remove((dir + "/" + m + ".fst").c_str());
  rmdir(dir.c_str());

  std::printf(
      "rxpath trace_fst_bench: NicSc + TLM memory, %llu clocks (%.0f us), %zu-byte frames 1 per us, "
      "best of %d\n",
      static_cast<unsigned long long>(cost[0].r.cycles), clocks * 6.4 / 1000, kFrameLen, repeats);
  for (int m = 0; m < 3; ++m)
    std::printf(
        "  %-5s  CPU %7.3f s  wall %7.3f s   CPU/none %6.2fx  wall/none %6.2fx   FST %9lld bytes  "
        "frames %llu/%llu\n",
        modes[m], cost[m].cpu, cost[m].wall, cost[m].cpu / cost[0].cpu, cost[m].wall / cost[0].wall, cost[m].fst_bytes,
        static_cast<unsigned long long>(cost[m].r.delivered), static_cast<unsigned long long>(cost[m].r.sent));
  std::printf("  targets (issue 5): full <= 2x none; late ~ none\n");
  return cost[0].r.delivered > 0 ? 0 : 1;
}
