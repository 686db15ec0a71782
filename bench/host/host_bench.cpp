// SPDX-License-Identifier: MIT
// host_bench: NIC double -> PCIe link -> igb driver -> stack -> epoll ->
// recv(), one UDP flow. Prints simulated packets per wall-clock second (the
// simulator's speed; target >= 2 M/s) and the simulated packet rate.
//   host_bench [--seconds S] [--pps P (default 700000)] [--len BYTES] [--ring N] [--debug=cats]
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <memory>
#include <string>

#include <systemc>

#include "common/debug.hpp"
#include "host/igb.hpp"
#include "nic/double/nic_double.hpp"
#include "nic/double/udp_frames.hpp"
#include "stack/process.hpp"

using namespace sc_core;
using namespace rxpath;

namespace {

struct Source : sc_module {
  nic::NicDouble& nic;
  sc_time gap;
  std::vector<uint8_t> frame;
  uint64_t sent = 0;
  Source(sc_module_name n, nic::NicDouble& nic_, double pps, std::size_t len)
      : sc_module(n), nic(nic_), gap(1e9 / pps, SC_NS) {
    nic::UdpFlow f;
    frame = nic::udp_frame(f, len, 0);
    frame[40] = frame[41] = 0;  // no UDP checksum: the sequence number changes
    SC_HAS_PROCESS(Source);
    SC_THREAD(run);
  }
  void run() {
    sc_time t = sc_time_stamp() + gap;
    for (;;) {
      for (int j = 0; j < 64; ++j) {
        const uint32_t seq = uint32_t(sent++);
        std::memcpy(&frame[42], &seq, 4);
        nic.receive_frame(frame.data(), frame.size(), t);
        t += gap;
      }
      wait(t - gap - sc_time_stamp());
    }
  }
};

double arg(int argc, char** argv, const char* name, double def) {
  for (int i = 1; i + 1 < argc; ++i)
    if (!std::strcmp(argv[i], name)) {
      char* end = nullptr;
      const double v = std::strtod(argv[i + 1], &end);
      if (!end || *end || v <= 0) {
        std::fprintf(stderr, "host_bench: %s needs a positive number, got '%s'\n", name, argv[i + 1]);
        std::exit(2);
      }
      return v;
    }
  return def;
}

}  // namespace

int sc_main(int argc, char* argv[]) {
  const double seconds = arg(argc, argv, "--seconds", 3);
  const double pps = arg(argc, argv, "--pps", 7.0e5);  // below the host model's ~0.86 Mpps capacity
  const std::size_t len = std::size_t(arg(argc, argv, "--len", 60));
  const unsigned ring = unsigned(arg(argc, argv, "--ring", host::IGB_DEFAULT_RXD));
  for (int i = 1; i < argc; ++i)
    if (!std::strncmp(argv[i], "--debug=", 8)) {
      try {
        common::debug::enable(argv[i] + 8);
      } catch (const std::exception& e) {
        std::fprintf(stderr, "host_bench: %s\n", e.what());
        return 2;
      }
    }
  sc_report_handler::set_actions(SC_WARNING, SC_DISPLAY);

  stack::KernelConfig kc;
  kc.cpu.num_cpus = 2;
  stack::Kernel kernel("kernel", kc);
  host::HostPlatform plat(kernel);
  nic::NicDouble nic("nic");
  host::IgbConfig ic;
  ic.rx_ring_count = ring;
  ic.rss_queues = 1;  // one flow, one ring: the figures stay comparable
  host::IgbAdapter igb(plat, ic);
  nic.dma.bind(plat.link().dma);
  plat.link().mmio.bind(nic.mmio);
  nic.msix.bind(plat.link().msix);
  igb.netdev().ipv4_addr = 0x0A000001;
  igb.igb_probe();
  const int fd = kernel.udp_socket(0x0A000001, 9000);
  stack::UserProcessConfig pc;
  pc.cpu = 1;
  pc.fds = {fd};
  stack::UserProcess reader(kernel, pc);
  Source src("source", nic, pps, len);

  const auto w0 = std::chrono::steady_clock::now();
  const std::clock_t c0 = std::clock();
  double wall = 0;
  while (wall < seconds) {
    sc_start(sc_time(1, SC_MS));
    wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - w0).count();
  }
  const double cpu_s = double(std::clock() - c0) / CLOCKS_PER_SEC;
  const double sim_s = sc_time_stamp().to_seconds();
  const uint64_t in = nic.stats().frames_in;
  const uint64_t got = reader.messages();
  const auto& q = igb.q_vector(0);
  std::printf("host_bench: UDP %zu-byte frames offered at %.0f pps, ring %u, L = %s\n", len, pps, ring,
              plat.link().latency().to_string().c_str());
  std::printf("  wall %.2f s (process CPU %.2f s), simulated %.3f ms\n", wall, cpu_s, sim_s * 1e3);
  std::printf("  frames offered %llu, to host %llu, recv()'d %llu\n", (unsigned long long)in,
              (unsigned long long)nic.stats().frames_to_host, (unsigned long long)got);
  std::printf("  simulated receive rate      %.3f Mpps (recv'd / simulated s)\n", got / sim_s / 1e6);
  std::printf("  simulation speed            %.3f M packets per wall second (offered frames)\n", in / wall / 1e6);
  std::printf("  simulation speed (recv'd)   %.3f M packets per wall second\n", got / wall / 1e6);
  std::printf("  simulation speed per CPU s  %.3f M packets per process CPU second (fair on a shared machine)\n",
              in / cpu_s / 1e6);
  std::printf("  descriptor fetches %llu, link: %llu DMA writes, %llu MMIO writes\n",
              (unsigned long long)nic.stats().desc_fetches, (unsigned long long)plat.link().stats().dma_writes,
              (unsigned long long)plat.link().stats().mmio_writes);
  std::printf("  irqs %llu, polls %llu (full weight %llu), msix %llu\n", (unsigned long long)q.irqs,
              (unsigned long long)q.polls, (unsigned long long)q.polls_full, (unsigned long long)nic.stats().msix_sent);
  uint64_t waits = 0;
  for (int c = 0; c < kernel.cpus().num_cpus(); ++c) waits += kernel.cpus().cpu(c).sc_waits();
  std::printf("  SystemC waits by the CPUs %llu (%.2f per packet)\n", (unsigned long long)waits,
              in ? double(waits) / double(in) : 0.0);
  std::printf("  %s", kernel.frame_account_report().c_str());
  return 0;
}
