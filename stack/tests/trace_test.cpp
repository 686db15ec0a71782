// SPDX-License-Identifier: Apache-2.0
// stack/tests/trace_test.cpp: what the stack reports to an attached Tracer:
// the stages of one UDP packet from the driver to recvmsg in kernel order
// with skb views that move by 20 and 8 bytes, a dropped packet ending in a
// drop stage and its counters, the CPU context / NAPI / socket signals,
// spans properly nested per CPU with times that never go back, and a model
// that behaves the same with and without a tracer.
#define BOOST_TEST_MODULE stack_trace
#include "testing/sc_test.hpp"

#include <algorithm>
#include <cstring>

#include "stack/process.hpp"
#include "stack/tests/recording_tracer.hpp"
#include "stack/tests/testlib.hpp"

using namespace rxpath::stack;
using namespace rxpath::stack::test;

namespace {
KernelConfig two_cpus() {
  KernelConfig c;
  c.cpu.num_cpus = 2;
  return c;
}

std::vector<std::string> names(const std::vector<const Stage*>& st) {
  std::vector<std::string> r;
  for (const Stage* s : st) r.emplace_back(s->name);
  return r;
}

std::string join(const std::vector<std::string>& v) {
  std::string r;
  for (const auto& s : v) r += (r.empty() ? "" : " ") + s;
  return r;
}

const Stage* find(const std::vector<const Stage*>& st, const char* name) {
  for (const Stage* s : st)
    if (std::strcmp(s->name, name) == 0) return s;
  return nullptr;
}

// Values of a numeric signal over time.
std::vector<uint64_t> values(const RecordingTracer& tr, const std::string& path) {
  std::vector<uint64_t> r;
  if (const auto* s = tr.sig(path))
    for (auto& v : s->vals) r.push_back(v.second);
  return r;
}

void check_clean(const RecordingTracer& tr) {
  for (const auto& e : tr.errors) BOOST_ERROR("tracer contract: " << e);
}
}  // namespace

BOOST_AUTO_TEST_CASE(udp_packet_stages_from_driver_to_recvmsg_in_order) {
  auto* tr = &rxpath::testing::own(std::make_unique<RecordingTracer>());  // outlives the Kernel
  Kernel& k = make_kernel(two_cpus());
  k.set_tracer(tr);
  auto* nic = &rxpath::testing::own(std::make_unique<FakeNic>(k, 0));
  int fd = k.udp_socket(0, 5001);
  UserProcessConfig pc;
  pc.cpu = 1;
  pc.fds = {fd};
  auto* proc = &rxpath::testing::own(std::make_unique<UserProcess>(k, pc));
  nic->inject({{5000, udp_frame(Flow{}, pattern(100, 1))}});
  run_for(100000);
  BOOST_REQUIRE_EQUAL(proc->messages(), 1u);
  auto st = tr->stages_of(1);
  const std::vector<std::string> expect = {"napi_gro_receive",
                                           "__netif_receive_skb_core",
                                           "ip_rcv",
                                           "ip_local_deliver",
                                           "udp_rcv",
                                           "__udp4_lib_lookup",
                                           "__udp_enqueue_schedule_skb",
                                           "sock_def_readable",
                                           "ep_poll_callback",
                                           "epoll_wait",
                                           "udp_recvmsg"};
  BOOST_TEST(join(names(st)) == join(expect));
  // stage times never go back along the journey; CPUs: softirq on 0, reader on 1
  for (size_t i = 1; i < st.size(); ++i) BOOST_TEST(st[i - 1]->t <= st[i]->t, st[i]->name);
  BOOST_TEST(find(st, "ip_rcv")->cpu == 0);
  BOOST_TEST(find(st, "epoll_wait")->cpu == 1);
  BOOST_TEST(find(st, "udp_recvmsg")->cpu == 1);
  BOOST_TEST(std::string(find(st, "napi_gro_receive")->detail) == "GRO_NORMAL");
  BOOST_TEST(find(st, "__udp4_lib_lookup")->detail == "fd " + std::to_string(fd));
  // the skb as each layer sees it: IP header pulled (20), then UDP (8)
  const SkbView core = find(st, "__netif_receive_skb_core")->skb, ip = find(st, "ip_rcv")->skb,
                udp = find(st, "udp_rcv")->skb, q = find(st, "__udp_enqueue_schedule_skb")->skb,
                rcv = find(st, "udp_recvmsg")->skb;
  BOOST_TEST(core.valid);
  const uint32_t frame_len = 14 + 20 + 8 + 100;
  BOOST_TEST(core.len == frame_len - 14);
  BOOST_TEST(core.data == NET_SKB_PAD + 14u);  // napi_alloc_skb headroom + eth_type_trans
  BOOST_TEST(ip.data == core.data);
  BOOST_TEST(udp.data == ip.data + 20);
  BOOST_TEST(udp.len == ip.len - 20);
  BOOST_TEST(q.data == udp.data + 8);
  BOOST_TEST(q.len == 100u);
  BOOST_TEST(rcv.len == 100u);
  BOOST_TEST(q.tail == q.data + q.len);  // linear skb: tail = data + len
  BOOST_TEST(q.end >= q.tail);
  BOOST_TEST(q.truesize >= q.end);
  BOOST_TEST(find(st, "udp_recvmsg")->detail == "fd " + std::to_string(fd) + " 100 bytes");
  for (const Stage* s : st) BOOST_TEST(!s->drop, s->name);
  check_clean(*tr);
}

BOOST_AUTO_TEST_CASE(blocking_recv_on_the_same_cpu) {
  auto* tr = &rxpath::testing::own(std::make_unique<RecordingTracer>());  // outlives the Kernel
  Kernel& k = make_kernel();
  k.set_tracer(tr);
  auto* nic = &rxpath::testing::own(std::make_unique<FakeNic>(k, 0));
  int fd = k.udp_socket(0, 5001);
  UserProcessConfig pc;
  pc.mode = WaitMode::blocking_recv;
  pc.fds = {fd};
  auto* proc = &rxpath::testing::own(std::make_unique<UserProcess>(k, pc));
  nic->inject({{5000, udp_frame(Flow{}, pattern(64, 2))}, {9000, udp_frame(Flow{}, pattern(64, 3))}});
  run_for(100000);
  BOOST_REQUIRE_EQUAL(proc->messages(), 2u);
  for (uint64_t id : {1u, 2u}) {
    auto st = tr->stages_of(id);
    BOOST_REQUIRE(!st.empty());
    BOOST_TEST(st.back()->name == std::string("udp_recvmsg"));
    BOOST_TEST(find(st, "sock_def_readable"));
    BOOST_TEST(!find(st, "ep_poll_callback"));
  }
  // the reader slept inside recvmsg: its span left the CPU with it and came back
  BOOST_TEST(tr->count_spans("recvmsg") >= 3u);
  BOOST_TEST(tr->open_spans(0) == 0u);
  check_clean(*tr);
}

BOOST_AUTO_TEST_CASE(dropped_packets_end_with_a_drop_stage_and_counters) {
  auto* tr = &rxpath::testing::own(std::make_unique<RecordingTracer>());  // outlives the Kernel
  Kernel& k = make_kernel();
  k.set_tracer(tr);
  auto* nic = &rxpath::testing::own(std::make_unique<FakeNic>(k, 0));
  k.udp_socket(0, 5001, 1);  // a 1-byte receive buffer: the second datagram overflows it
  Flow none;
  none.dport = 7777;  // nobody listens
  nic->inject({{1000, udp_frame(none, pattern(10, 1))},
               {2000, udp_frame(Flow{}, pattern(10, 2))},
               {3000, udp_frame(Flow{}, pattern(10, 3))}});
  run_for(50000);
  auto s1 = tr->stages_of(1);
  BOOST_REQUIRE(!s1.empty());
  BOOST_TEST(s1.back()->name == std::string("kfree_skb_reason"));
  BOOST_REQUIRE(s1.back()->drop);
  BOOST_TEST(std::string(s1.back()->drop) == "NO_SOCKET (Udp: NoPorts)");
  BOOST_TEST(find(s1, "__udp4_lib_lookup")->detail == "no socket, port 7777");
  auto s2 = tr->stages_of(2);
  BOOST_TEST(s2.back()->name == std::string("sock_def_readable"));  // queued, not read
  BOOST_TEST(!s2.back()->drop);
  auto s3 = tr->stages_of(3);
  BOOST_REQUIRE(s3.back()->drop);
  BOOST_TEST(std::string(s3.back()->drop) == "SOCKET_RCVBUFF (Udp: RcvbufErrors, InErrors)");
  BOOST_TEST(values(*tr, "host.drop.NO_SOCKET").back() == 1u);
  BOOST_TEST(values(*tr, "host.drop.SOCKET_RCVBUFF").back() == 1u);
  BOOST_TEST(values(*tr, "host.mib.Udp.NoPorts").back() == 1u);
  BOOST_TEST(values(*tr, "host.mib.Udp.RcvbufErrors").back() == 1u);
  BOOST_TEST(values(*tr, "host.mib.Udp.InErrors").back() == 1u);
  BOOST_TEST(values(*tr, "host.drop.TCP_BACKLOG") == std::vector<uint64_t>{0});  // declared, never moved
  check_clean(*tr);
}

BOOST_AUTO_TEST_CASE(signals_contexts_napi_sockets_and_nested_spans) {
  auto* tr = &rxpath::testing::own(std::make_unique<RecordingTracer>());  // outlives the Kernel
  Kernel& k = make_kernel(two_cpus());
  auto* nic =
      &rxpath::testing::own(std::make_unique<FakeNic>(k, 0));  // created before the tracer: declared at set_tracer
  int fd = k.udp_socket(0, 5001);
  k.set_tracer(tr);
  UserProcessConfig pc;
  pc.cpu = 1;
  pc.fds = {fd};
  k.cost().user_per_packet = 20000;  // slow reader: the queue builds up
  auto* proc = &rxpath::testing::own(std::make_unique<UserProcess>(k, pc));
  std::vector<std::pair<double, std::vector<uint8_t>>> fr;
  for (int i = 0; i < 10; ++i) fr.emplace_back(2000 + 1000 * i, udp_frame(Flow{}, pattern(50, i)));
  nic->inject(fr);
  run_for(1e6);
  BOOST_REQUIRE_EQUAL(proc->messages(), 10u);

  // CPU contexts as strings and as the numeric Ctx
  std::set<std::string> seen0, seen1;
  for (auto& v : tr->sig("host.cpu0.context")->strs) seen0.insert(v.second);
  for (auto& v : tr->sig("host.cpu1.context")->strs) seen1.insert(v.second);
  BOOST_TEST(seen0.count("hardirq"));
  BOOST_TEST(seen0.count("softirq"));
  BOOST_TEST(seen0.count("idle"));
  BOOST_TEST(seen1.count("user"));
  BOOST_TEST(tr->sig("host.cpu0.ctx")->bits == 3u);
  auto ctx0 = values(*tr, "host.cpu0.ctx");
  BOOST_TEST(std::count(ctx0.begin(), ctx0.end(), uint64_t(Ctx::hardirq)) >= 1);

  // NAPI: scheduled rises and falls, polls report their work against the budget
  auto sched = values(*tr, "host.napi.rx0.scheduled");
  BOOST_REQUIRE(sched.size() >= 3u);
  BOOST_TEST(sched.front() == 0u);
  BOOST_TEST(std::count(sched.begin(), sched.end(), 1u) >= 1);
  BOOST_TEST(sched.back() == 0u);
  auto work = values(*tr, "host.napi.rx0.work");
  BOOST_TEST(*std::max_element(work.begin(), work.end()) >= 1u);
  BOOST_TEST(values(*tr, "host.napi.rx0.budget").back() == 64u);
  auto polling = values(*tr, "host.napi.rx0.polling");
  BOOST_TEST(std::count(polling.begin(), polling.end(), 1u) >= 1);
  BOOST_TEST(polling.back() == 0u);
  BOOST_TEST(values(*tr, "host.softnet.cpu0.processed").back() == 10u);

  // the socket's queue goes up and back down to empty
  auto q = values(*tr, "host.sock.fd" + std::to_string(fd) + ".rx_queue");
  BOOST_TEST(*std::max_element(q.begin(), q.end()) >= 2u);
  BOOST_TEST(q.back() == 0u);
  auto rmem = values(*tr, "host.sock.fd" + std::to_string(fd) + ".rmem");
  BOOST_TEST(*std::max_element(rmem.begin(), rmem.end()) > 0u);
  BOOST_TEST(rmem.back() == 0u);

  // spans: nested per CPU (checked by the tracer), all closed, the expected ones there
  for (const char* f :
       {"net_rx_action", "napi_poll", "netif_receive_skb_list_internal", "epoll_wait", "recvmsg", "user_work"})
    BOOST_TEST(tr->count_spans(f) >= 1u, f);
  BOOST_TEST(tr->open_spans(0) == 0u);
  BOOST_TEST(tr->open_spans(1) == 0u);
  check_clean(*tr);

  // detached: nothing more is reported
  k.set_tracer(nullptr);
  const uint64_t calls = tr->set_calls;
  const size_t nstages = tr->stages.size(), nspans = tr->spans.size();
  nic->inject({{1000, udp_frame(Flow{}, pattern(50, 99))}});
  run_for(200000);
  BOOST_TEST(proc->messages() == 11u);
  BOOST_TEST(tr->set_calls == calls);
  BOOST_TEST(tr->stages.size() == nstages);
  BOOST_TEST(tr->spans.size() == nspans);
}

BOOST_AUTO_TEST_CASE(only_wanted_packets_get_stages) {
  auto* tr = &rxpath::testing::own(std::make_unique<RecordingTracer>());  // outlives the Kernel
  Kernel& k = make_kernel();
  tr->want = {2};
  k.set_tracer(tr);
  auto* nic = &rxpath::testing::own(std::make_unique<FakeNic>(k, 0));
  k.udp_socket(0, 5001);
  nic->inject({{1000, udp_frame(Flow{}, pattern(10, 1))}, {2000, udp_frame(Flow{}, pattern(10, 2))}});
  run_for(50000);
  BOOST_TEST(tr->stages_of(1).empty());
  BOOST_TEST(!tr->stages_of(2).empty());
  for (const Stage& s : tr->stages) BOOST_TEST(s.trace_id == 2u);
}

BOOST_AUTO_TEST_CASE(tcp_segments_stages_and_gro_merge) {
  auto* tr = &rxpath::testing::own(std::make_unique<RecordingTracer>());  // outlives the Kernel
  Kernel& k = make_kernel();
  k.set_tracer(tr);
  auto* nic = &rxpath::testing::own(std::make_unique<FakeNic>(k, 0));
  int fd = k.tcp_established(HOST_IP, 5001, PEER_IP, 40000, 1000, 5000);
  UserProcessConfig pc;
  pc.fds = {fd};
  auto* proc = &rxpath::testing::own(std::make_unique<UserProcess>(k, pc));
  // two full segments back to back: the second merges into the first (GRO)
  nic->inject({{1000, tcp_frame(Flow{}, 1001, 5001, 0x10, pattern(1000, 1))},
               {1001, tcp_frame(Flow{}, 2001, 5001, 0x10, pattern(1000, 2), 2)}});
  run_for(200000);
  BOOST_TEST(proc->bytes() == 2000u);
  auto s1 = tr->stages_of(1), s2 = tr->stages_of(2);
  BOOST_REQUIRE(find(s1, "napi_gro_receive"));
  BOOST_TEST(find(s1, "napi_gro_receive")->detail.rfind("GRO_HELD", 0) == 0u);
  BOOST_REQUIRE(find(s2, "napi_gro_receive"));
  BOOST_TEST(find(s2, "napi_gro_receive")->detail == "GRO_MERGED_FREE merged into 1");
  BOOST_TEST(s2.size() == 1u);  // its later stages are the head's
  const std::vector<std::string> tail = {"tcp_v4_rcv",        "__inet_lookup_established", "tcp_queue_rcv",
                                         "sock_def_readable", "ep_poll_callback",          "epoll_wait",
                                         "tcp_recvmsg"};
  auto n1 = names(s1);
  BOOST_REQUIRE(n1.size() >= tail.size());
  BOOST_TEST(join(std::vector<std::string>(n1.end() - tail.size(), n1.end())) == join(tail));
  BOOST_TEST(find(s1, "napi_gro_complete")->detail == "segs 2");
  BOOST_TEST(find(s1, "tcp_recvmsg")->detail.find("2000 bytes") != std::string::npos);
  BOOST_TEST(tr->count_spans("napi_gro_flush") >= 1u);
  auto ofo = values(*tr, "host.sock.fd" + std::to_string(fd) + ".ofo");
  BOOST_TEST(ofo.back() == 0u);
  check_clean(*tr);
}

// The same traffic into two kernels, one traced: the model must not notice.
BOOST_AUTO_TEST_CASE(a_tracer_changes_nothing_in_the_model) {
  struct One {
    Kernel* k;
    FakeNic* nic;
    UserProcess* proc;
    std::vector<std::pair<uint64_t, double>> got;  // (trace id, time ns)
  };
  One a, b;
  auto* tr = &rxpath::testing::own(std::make_unique<RecordingTracer>());  // outlives both Kernels
  for (One* o : {&a, &b}) {
    o->k = &make_kernel(two_cpus());
    if (o == &b) o->k->set_tracer(tr);
    o->nic = &rxpath::testing::own(std::make_unique<FakeNic>(*o->k, 0));
    int fd = o->k->udp_socket(0, 5001, 20000);
    int tfd = o->k->tcp_established(HOST_IP, 5002, PEER_IP, 40000, 1000, 5000);
    UserProcessConfig pc;
    pc.cpu = 1;
    pc.fds = {fd, tfd};
    pc.mode = WaitMode::select;
    o->proc = &rxpath::testing::own(std::make_unique<UserProcess>(
        *o->k, pc, [o](const Delivery& d) { o->got.emplace_back(d.trace_id, d.time.to_seconds() * 1e9); }));
  }
  for (One* o : {&a, &b}) o->k->cost().user_per_packet = 700;
  for (One* o : {&a, &b}) {
    std::vector<std::pair<double, std::vector<uint8_t>>> fr;
    Flow t;
    t.dport = 5002;
    for (int i = 0; i < 300; ++i) {
      if (i % 3 == 0)
        fr.emplace_back(1000 + 150 * i, tcp_frame(t, 1001 + 500 * (i / 3), 5001, 0x10, pattern(500, i), uint16_t(i)));
      else
        fr.emplace_back(1000 + 150 * i, udp_frame(Flow{}, pattern(300, i), uint16_t(i)));
    }
    o->nic->inject(fr);
  }
  run_for(2e6);
  BOOST_TEST(a.got.size() > 100u);
  BOOST_TEST(a.got == b.got);
  BOOST_TEST(a.k->udp.RcvbufErrors == b.k->udp.RcvbufErrors);
  BOOST_TEST(a.k->proc_net_softnet_stat() == b.k->proc_net_softnet_stat());
  BOOST_TEST(a.k->frame_account_report() == b.k->frame_account_report());
  for (int c = 0; c < 2; ++c)
    for (int x = 0; x < static_cast<int>(Ctx::count); ++x)
      BOOST_TEST(a.k->cpu(c).time_in(Ctx(x)) == b.k->cpu(c).time_in(Ctx(x)));
  BOOST_TEST(!tr->stages.empty());
  check_clean(*tr);
}

// Under the 2-jiffy limit NET_RX moves to ksoftirqd: its runs are spans,
// its context is reported, time_squeeze counts up; a reader on the same CPU
// sleeping in epoll_wait keeps the spans nested.
BOOST_AUTO_TEST_CASE(ksoftirqd_runs_time_squeeze_and_a_reader_on_the_same_cpu) {
  auto* tr = &rxpath::testing::own(std::make_unique<RecordingTracer>());  // outlives the Kernel
  Kernel& k = make_kernel();
  tr->want = {1000000};  // no packet stages: signals and spans only
  k.set_tracer(tr);
  auto* nic = &rxpath::testing::own(std::make_unique<FakeNic>(k, 0));
  nic->per_packet_ns = 40000;  // 64 packets = 2.56 ms per poll > 2 jiffies
  int fd = k.udp_socket(0, 5001, 1 << 26);
  UserProcessConfig pc;
  pc.fds = {fd};
  auto* proc = &rxpath::testing::own(std::make_unique<UserProcess>(k, pc));
  std::vector<std::pair<double, std::vector<uint8_t>>> fr;
  for (int i = 0; i < 300; ++i) fr.emplace_back(10, udp_frame(Flow{}, pattern(200, i), uint16_t(i)));
  nic->inject(fr);
  run_for(30e6);
  BOOST_TEST(proc->messages() == 300u);
  BOOST_TEST(k.cpu(0).ksoftirqd_wakeups() >= 1u);
  BOOST_TEST(tr->count_spans("run_ksoftirqd") >= 1u);
  std::set<std::string> seen;
  for (auto& v : tr->sig("host.cpu0.context")->strs) seen.insert(v.second);
  BOOST_TEST(seen.count("ksoftirqd"));
  BOOST_TEST(seen.count("user"));
  BOOST_TEST(values(*tr, "host.softnet.cpu0.time_squeeze").back() == k.softnet(0).time_squeeze);
  BOOST_TEST(k.softnet(0).time_squeeze >= 1u);
  BOOST_TEST(tr->stages.empty());
  BOOST_TEST(tr->open_spans(0) == 0u);
  check_clean(*tr);
}
