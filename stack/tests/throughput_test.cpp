// SPDX-License-Identifier: Apache-2.0
// stack/tests/throughput_test.cpp: wall-clock speed of the stack model
// (fake driver -> GRO -> IP -> UDP -> epoll reader). Prints packets per
// wall second; asserts only behaviour (all delivered, accounting balanced).
#define BOOST_TEST_MODULE stack_throughput
#include "testing/sc_test.hpp"

#include <chrono>
#include <cstdlib>
#include <ctime>
#include <iostream>

#include "common/debug.hpp"
#include "stack/process.hpp"
#include "stack/tests/testlib.hpp"

using namespace rxpath::stack;
using namespace rxpath::stack::test;

namespace {
void measure(const char* what, int cpus, int reader_cpu, int n, double spacing_ns, bool tcp) {
  KernelConfig cfg;
  cfg.cpu.num_cpus = cpus;
  Kernel& k = make_kernel(cfg);
  if (const char* d = std::getenv("RXPATH_STACK_DEBUG")) rxpath::common::debug::enable(d);
  if (const char* m = std::getenv("RXPATH_STACK_PACKETS")) n = std::atoi(m);
  FakeNic nic(k, 0);
  int fd = tcp ? k.tcp_established(HOST_IP, 5001, PEER_IP, 40000, 999, 1, 1 << 24) : k.udp_socket(0, 5001, 1 << 24);
  uint64_t bytes = 0, msgs = 0;
  UserProcessConfig pc;
  pc.fds = {fd};
  pc.cpu = reader_cpu;
  UserProcess proc(k, pc, [&](const Delivery& d) {
    bytes += d.bytes.size();
    ++msgs;
  });
  // A steady source: one frame per spacing_ns; the frame is built once and
  // only the TCP sequence number is patched, so the figure is the stack's.
  auto payload = pattern(tcp ? 1448 : 64, 1);
  auto proto = tcp ? tcp_frame(Flow{}, 1000, 2, 0x10, payload, 1) : udp_frame(Flow{}, payload, 1);
  rxpath::testing::spawn([&, n, spacing_ns, tcp, proto] {
    for (int i = 0; i < n; ++i) {
      sc_core::wait(sc_core::sc_time(spacing_ns, sc_core::SC_NS));
      std::vector<uint8_t> f = proto;
      if (tcp) {
        uint32_t seq = 1000 + uint32_t(i) * 1448;
        f[38] = uint8_t(seq >> 24);
        f[39] = uint8_t(seq >> 16);
        f[40] = uint8_t(seq >> 8);
        f[41] = uint8_t(seq);
        f[18] = uint8_t(i >> 8);
        f[19] = uint8_t(i);  // IP ID increments (GRO)
        f[24] = f[25] = 0;
        uint16_t c = inet_csum(f.data() + 14, 20);
        f[24] = uint8_t(c >> 8);
        f[25] = uint8_t(c);
      }
      nic.arrive(std::move(f));
    }
  });
  auto t0 = std::chrono::steady_clock::now();
  std::clock_t c0 = std::clock();
  run_for(spacing_ns * n + 2e6);
  double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  double cpu = double(std::clock() - c0) / CLOCKS_PER_SEC;
  FrameAccount a = k.frame_account();
  BOOST_TEST(a.offered == uint64_t(n));
  BOOST_TEST(a.balanced(), k.frame_account_report());
  BOOST_TEST(a.delivered == uint64_t(n), k.frame_account_report());
  std::cout << what << ": " << n << " packets in " << wall << " s wall = " << n / wall / 1e6 << " M packets/s wall ("
            << n / cpu / 1e6 << " M packets per CPU second); " << msgs << " recv() calls, " << bytes
            << " bytes; simulated " << (spacing_ns * n) / 1e6 << " ms\n"
            << k.cpus().cpu_time_report();
  uint64_t waits = 0;
  uint64_t fast = 0;
  for (int i = 0; i < cpus; ++i) waits += k.cpu(i).sc_waits(), fast += k.cpu(i).fast_wakeups();
  std::cout << "  SystemC waits per packet (CPUs): " << double(waits) / n << ", IRQs per packet "
            << double(nic.irqs) / n << ", sleeps ended in the task's own idle loop " << fast << "\n";
}
}  // namespace

BOOST_AUTO_TEST_CASE(udp_epoll_one_cpu) { measure("UDP 64B, 1 CPU, epoll", 1, 0, 300000, 2500, false); }
BOOST_AUTO_TEST_CASE(udp_epoll_reader_on_other_cpu) { measure("UDP 64B, 2 CPUs, epoll", 2, 1, 300000, 1500, false); }
BOOST_AUTO_TEST_CASE(tcp_gro_epoll_one_cpu) { measure("TCP 1448B GRO, 1 CPU, epoll", 1, 0, 300000, 1200, true); }
BOOST_AUTO_TEST_CASE(udp_epoll_reader_on_other_cpu_high_load) {
  measure("UDP 64B, 2 CPUs, epoll, 0.8 Mpps offered (NAPI batches)", 2, 1, 600000, 1250, false);
}
