// SPDX-License-Identifier: Apache-2.0
// stack/tests/rps_test.cpp: RPS (get_rps_cpu, enqueue_to_backlog, the IPI,
// process_backlog), netdev_max_backlog drops, SO_REUSEPORT selection
// (reuseport_select_sock) and readers on several CPUs.
#define BOOST_TEST_MODULE stack_rps
#include "testing/sc_test.hpp"

#include <cmath>
#include <map>
#include <memory>
#include <sstream>
#include <stdexcept>

#include "stack/hash.hpp"
#include "stack/process.hpp"
#include "stack/tests/testlib.hpp"

using namespace rxpath::stack;
using namespace rxpath::stack::test;

namespace {
using Frames = std::vector<std::pair<double, std::vector<uint8_t>>>;

// `per_flow[i]` datagrams of flow i (source port 40000 + i), round robin
// over the flows, `spacing_ns` apart.
Frames flows(const std::vector<int>& per_flow, double spacing_ns, uint16_t dport = 5001) {
  Frames fr;
  std::vector<int> left = per_flow;
  for (bool more = true; more;) {
    more = false;
    for (size_t i = 0; i < left.size(); ++i) {
      if (!left[i]) continue;
      --left[i];
      more = true;
      Flow f;
      f.sport = static_cast<uint16_t>(40000 + i);
      f.dport = dport;
      fr.emplace_back(10 + spacing_ns * fr.size(), udp_frame(f, pattern(100, uint32_t(fr.size())), 1));
    }
  }
  return fr;
}

KernelConfig rps_config(int cpus, std::vector<uint64_t> masks) {
  KernelConfig cfg;
  cfg.cpu.num_cpus = cpus;
  cfg.rps_cpus = std::move(masks);
  return cfg;
}

double ns(sc_core::sc_time t) { return t.to_seconds() * 1e9; }

// /proc/net/softnet_stat column `col` (1-based) of CPU `cpu`.
unsigned softnet_col(const Kernel& k, int cpu, int col) {
  std::istringstream is(k.proc_net_softnet_stat());
  std::string line;
  for (int i = 0; i <= cpu; ++i) std::getline(is, line);
  std::istringstream ls(line);
  std::string w;
  for (int i = 0; i < col; ++i) ls >> w;
  return static_cast<unsigned>(std::stoul(w, nullptr, 16));
}
}  // namespace

// Oracle: get_rps_cpu (net/core/dev.c): with a hash the driver marked as L4
// (skb->l4_hash), cpu = rps_map->cpus[reciprocal_scale(hash, map->len)], the
// map being the mask's CPUs in increasing order (store_rps_map). The hash is
// testlib's flow_hash, which FakeNic puts in skb->hash: the expected CPU of
// every flow is computed here from it, not from the stack.
BOOST_AUTO_TEST_CASE(driver_l4_hash_picks_the_cpu_as_get_rps_cpu_does) {
  Kernel& k = make_kernel(rps_config(4, {0xe}));
  FakeNic nic(k);
  nic.l4_hash = true;
  std::vector<int> per_flow;
  for (int i = 0; i < 12; ++i) per_flow.push_back(i + 1);  // distinct counts: the sums tell which flows went where
  Frames fr = flows(per_flow, 2000);
  std::map<int, uint64_t> expect;
  const int map[3] = {1, 2, 3};
  for (size_t i = 0; i < per_flow.size(); ++i) {
    Flow f;
    f.sport = static_cast<uint16_t>(40000 + i);
    expect[map[reciprocal_scale(flow_hash(udp_frame(f, pattern(100, 0), 1)), 3)]] += per_flow[i];
  }
  int fd = k.udp_socket(0, 5001, 1 << 26);
  nic.inject(fr);
  run_for(2e6);
  BOOST_TEST(k.softnet(0).processed == 0u);
  for (int c = 1; c < 4; ++c) BOOST_TEST(k.softnet(c).processed == expect[c], "cpu" << c);
  BOOST_TEST(k.sock_of(fd)->enqueued == fr.size());
  BOOST_TEST(k.frame_account().balanced(), k.frame_account_report());
}

// Oracle: Documentation/networking/scaling.rst + net/core/dev.c: with RPS on
// queue 0 for CPUs 1-3, no packet is processed (__netif_receive_skb_core,
// softnet processed) on CPU 0; each backlog wakeup of another CPU is one IPI
// (net_rps_send_ipi) counted in that CPU's received_rps (rps_trigger_softirq)
// and taken there as a hard IRQ, whose cost is hardirq_entry (the cost
// table; the IPI handler itself defers nothing). Compared with RPS off,
// CPU 0 spends less time in softirq and the others start to.
BOOST_AUTO_TEST_CASE(rps_spreads_protocol_work_to_other_cpus_and_pays_the_ipi) {
  std::vector<int> per_flow(16, 40);
  Kernel& off = make_kernel(rps_config(4, {}));
  Kernel& on = make_kernel(rps_config(4, {0xe}));
  FakeNic nic_off(off), nic_on(on);
  int fd_off = off.udp_socket(0, 5001, 1 << 26), fd_on = on.udp_socket(0, 5001, 1 << 26);
  nic_off.inject(flows(per_flow, 800));
  nic_on.inject(flows(per_flow, 800));
  run_for(3e6);
  const uint64_t n = 16 * 40;
  BOOST_TEST(off.sock_of(fd_off)->enqueued == n);
  BOOST_TEST(on.sock_of(fd_on)->enqueued == n);
  BOOST_TEST(off.softnet(0).processed == n);
  BOOST_TEST(on.softnet(0).processed == 0u);
  uint64_t processed = 0, rps = 0;
  for (int c = 1; c < 4; ++c) {
    const softnet_data& sd = on.softnet(c);
    processed += sd.processed;
    rps += sd.received_rps;
    BOOST_TEST(sd.processed > 0u, "cpu" << c);
    BOOST_TEST(sd.received_rps > 0u, "cpu" << c);
    BOOST_TEST(on.cpu(c).irq_count(RPS_IPI_IRQ) == sd.received_rps);
    BOOST_TEST(softnet_col(on, c, 10) == sd.received_rps);
    BOOST_TEST(ns(on.cpu(c).time_in(Ctx::hardirq)) == sd.received_rps * on.cost().hardirq_entry,
               boost::test_tools::tolerance(1e-9));
    BOOST_TEST(ns(on.cpu(c).time_in(Ctx::softirq)) > 0.0);
    BOOST_TEST(ns(off.cpu(c).time_in(Ctx::softirq)) == 0.0);
  }
  BOOST_TEST(processed == n);
  BOOST_TEST(on.softnet(0).received_rps == 0u);
  BOOST_TEST(on.softnet(0).ipis_sent == rps);
  BOOST_TEST(on.cpu(0).time_in(Ctx::softirq) < off.cpu(0).time_in(Ctx::softirq));
  BOOST_TEST(on.frame_account().balanced(), on.frame_account_report());
}

// Oracle: get_rps_cpu depends on the flow's hash only, so every packet of
// one flow goes to one CPU (here the software hash: FakeNic's hash is not
// L4, so skb_get_hash computes __skb_get_hash's).
BOOST_AUTO_TEST_CASE(a_flow_always_lands_on_the_same_cpu) {
  for (int flow = 0; flow < 6; ++flow) {
    Kernel& k = make_kernel(rps_config(4, {0xf}));
    FakeNic nic(k);
    std::vector<int> per_flow(flow + 1, 0);
    per_flow[flow] = 50;
    k.udp_socket(0, 5001, 1 << 26);
    nic.inject(flows(per_flow, 500));
    run_for(1e6);
    int cpus_used = 0;
    for (int c = 0; c < 4; ++c) cpus_used += k.softnet(c).processed ? 1 : 0;
    BOOST_TEST(cpus_used == 1, "flow " << flow);
    BOOST_TEST(k.softnet(0).processed + k.softnet(1).processed + k.softnet(2).processed + k.softnet(3).processed ==
               50u);
  }
}

// Oracle: enqueue_to_backlog (net/core/dev.c) queues while
// skb_queue_len(input_pkt_queue) <= netdev_max_backlog, so an idle target
// takes max_backlog + 1 packets before the IPI that wakes it (sent at the
// end of net_rx_action) and drops the rest: sd->dropped of the target (softnet
// column 2), the device's rx_dropped, SKB_DROP_REASON_CPU_BACKLOG. One poll
// (weight 256 >= 200) hands all 200 packets up in one net_rx_action.
BOOST_AUTO_TEST_CASE(netdev_max_backlog_overflow_is_counted_and_conserved) {
  KernelConfig cfg = rps_config(2, {0x2});
  cfg.netdev_max_backlog = 10;
  Kernel& k = make_kernel(cfg);
  FakeNic nic(k);
  nic.napi.weight = 256;
  int fd = k.udp_socket(0, 5001, 1 << 26);
  nic.inject(flows({200}, 0));
  uint64_t most_held = 0;
  for (int step = 0; step < 400; ++step) {  // balanced at every moment, with the backlog held in flight
    run_for(1000);
    FrameAccount a = k.frame_account();
    BOOST_TEST_REQUIRE(a.balanced(), k.frame_account_report());
    const uint64_t held = k.softnet(1).input_pkt_queue.qlen + k.softnet(1).process_queue.qlen;
    BOOST_TEST_REQUIRE(a.in_flight >= held);
    most_held = std::max(most_held, held);
  }
  BOOST_TEST(most_held == 11u);
  BOOST_TEST(k.sock_of(fd)->enqueued == 11u);
  BOOST_TEST(k.softnet(1).dropped == 189u);
  BOOST_TEST(k.softnet(0).dropped == 0u);
  BOOST_TEST(softnet_col(k, 1, 2) == 189u);
  BOOST_TEST(k.drop_count(Drop::CPU_BACKLOG) == 189u);
  BOOST_TEST(nic.dev.stats.rx_dropped == 189u);
  BOOST_TEST(k.softnet(1).received_rps == 1u);
  FrameAccount a = k.frame_account();
  BOOST_TEST(a.offered == 200u);
  BOOST_TEST(a.in_flight == 11u);  // in the socket, never read
  BOOST_TEST(a.balanced(), k.frame_account_report());
}

// Oracle: stack/tests/reuseport_oracle.py, an independent Python reading of
// udp_ehashfn (jhash_3words of the x86 view of the 4-tuple with
// udp_ehash_secret) and reuseport_select_sock_by_hash (reciprocal_scale(hash,
// num_socks)). Its output for 10.0.0.2:4000x -> 10.0.0.1:5001:
//   sport 40000..40007: hash 0x15efaa67 0x30877ce1 0x1b4cc880 0xadec09af 0xcfa3a212
//   0x6fcbc939 0x015806e5 0x19a1cbcf; socket of 4: 0 0 0 2 3 1 0 0; of 3: 0 0 0 2 2 1 0 0.
BOOST_AUTO_TEST_CASE(reuseport_picks_the_socket_as_reciprocal_scale_of_udp_ehashfn) {
  Kernel& k = make_kernel();
  BOOST_TEST(k.udp_ehashfn(HOST_IP, 5001, PEER_IP, 40000) == 0x15efaa67u);
  BOOST_TEST(k.udp_ehashfn(HOST_IP, 5001, PEER_IP, 40004) == 0xcfa3a212u);
  BOOST_TEST(k.udp_ehashfn(HOST_IP, 5001, PEER_IP, 40007) == 0x19a1cbcfu);
  FakeNic nic(k);
  std::vector<int> fds;
  for (int i = 0; i < 4; ++i) fds.push_back(k.udp_socket(0, 5001, 1 << 26, true));
  nic.inject(flows({1, 2, 3, 4, 5, 6, 7, 8}, 1000));  // flow i: i + 1 datagrams
  run_for(2e6);
  // socket 0: flows 0,1,2,6,7 = 1+2+3+7+8; 1: flow 5; 2: flow 3; 3: flow 4
  BOOST_TEST(k.sock_of(fds[0])->enqueued == 21u);
  BOOST_TEST(k.sock_of(fds[1])->enqueued == 6u);
  BOOST_TEST(k.sock_of(fds[2])->enqueued == 4u);
  BOOST_TEST(k.sock_of(fds[3])->enqueued == 5u);
  BOOST_TEST(k.frame_account().balanced());
}

// Oracle: udp_lib_lport_inuse (net/ipv4/udp.c): overlapping binds need
// SO_REUSEPORT on both sockets.
BOOST_AUTO_TEST_CASE(reuseport_binds_need_the_option_on_every_socket) {
  Kernel& k = make_kernel();
  k.udp_socket(0, 6000, -1, true);
  k.udp_socket(0, 6000, -1, true);
  BOOST_CHECK_THROW(k.udp_socket(0, 6000), std::invalid_argument);
  k.udp_socket(0, 6001);
  BOOST_CHECK_THROW(k.udp_socket(0, 6001, -1, true), std::invalid_argument);
  BOOST_CHECK_THROW(k.udp_socket(HOST_IP, 6001, -1, true), std::invalid_argument);
}

// Three readers on CPUs 1-3, each with its own SO_REUSEPORT socket, RPS to
// CPUs 1-3: every reader gets the flows reuseport_oracle.py gives its socket
// (of 3: flows 0,1,2,6,7 / 5 / 3,4), and every datagram is delivered.
BOOST_AUTO_TEST_CASE(several_readers_on_different_cpus_all_receive) {
  Kernel& k = make_kernel(rps_config(4, {0xe}));
  FakeNic nic(k);
  std::vector<std::unique_ptr<UserProcess>> readers;
  for (int r = 0; r < 3; ++r) {
    int fd = k.udp_socket(0, 5001, 1 << 22, true);
    UserProcessConfig pc;
    pc.name = "reader" + std::to_string(r);
    pc.cpu = r + 1;
    pc.fds = {fd};
    readers.push_back(std::make_unique<UserProcess>(k, pc));
  }
  nic.inject(flows({1, 2, 3, 4, 5, 6, 7, 8}, 1500));
  run_for(3e6);
  BOOST_TEST(readers[0]->messages() == 21u);
  BOOST_TEST(readers[1]->messages() == 6u);
  BOOST_TEST(readers[2]->messages() == 9u);
  for (int r = 0; r < 3; ++r) BOOST_TEST(ns(k.cpu(r + 1).time_in(Ctx::user)) > 0.0);
  FrameAccount a = k.frame_account();
  BOOST_TEST(a.delivered == 36u);
  BOOST_TEST(a.balanced(), k.frame_account_report());
}

// The same input gives the same per-CPU counts and times: two kernels fed
// the same frames one after the other, each starting on a jiffy boundary
// with nothing else pending in the simulation. (Two kernels running at the
// same time need not agree: SystemC orders events of equal time by its
// queue's state, and a CPU's backlog emptying at the same instant another
// CPU enqueues decides whether an IPI is needed.)
BOOST_AUTO_TEST_CASE(determinism_same_inputs_same_per_cpu_counts) {
  KernelConfig cfg = rps_config(4, {0xe});
  cfg.netdev_max_backlog = 20;
  struct Result {
    std::vector<uint64_t> counts;
    std::vector<sc_core::sc_time> times;
    std::string softnet;
  };
  auto run = [&cfg]() {
    run_for(1e6 - std::fmod(now_ns(), 1e6));  // to the next jiffy (HZ 1000)
    Kernel& k = make_kernel(cfg);
    FakeNic nic(k);
    nic.napi.weight = 128;
    k.udp_socket(0, 5001, 1 << 20);
    nic.inject(flows(std::vector<int>(24, 30), 100));
    run_for(4e6);
    Result r;
    for (int c = 0; c < 4; ++c) {
      const softnet_data& sd = k.softnet(c);
      r.counts.insert(r.counts.end(), {sd.processed, sd.received_rps, sd.dropped, sd.ipis_sent});
      for (int x = 0; x < static_cast<int>(Ctx::count); ++x) r.times.push_back(k.cpu(c).time_in(static_cast<Ctx>(x)));
    }
    r.softnet = k.proc_net_softnet_stat();
    BOOST_TEST(k.drop_count(Drop::CPU_BACKLOG) > 0u);  // the backlog limit is in play
    BOOST_TEST(k.frame_account().balanced(), k.frame_account_report());
    return r;
  };
  Result a = run(), b = run();
  BOOST_TEST(a.counts == b.counts);
  BOOST_TEST(a.times == b.times);
  BOOST_TEST(a.softnet == b.softnet);
}

BOOST_AUTO_TEST_CASE(an_rps_cpu_that_does_not_exist_is_refused) {
  try {
    make_kernel(rps_config(4, {0x6, 0x10}));
    BOOST_FAIL("no error");
  } catch (const std::invalid_argument& e) {
    BOOST_TEST(std::string(e.what()).find("rps_cpus[1] = 0x10 names CPU 4, but there are 4 CPUs") != std::string::npos,
               e.what());
  }
}
