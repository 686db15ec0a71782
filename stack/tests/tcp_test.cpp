// SPDX-License-Identifier: Apache-2.0
// stack/tests/tcp_test.cpp: TCP receive: reordered and duplicated segments
// reach the reader in order and byte-exact; ACKs go to the sink; receive
// buffer limits and the socket backlog drop into their counters.
#define BOOST_TEST_MODULE stack_tcp
#include "testing/sc_test.hpp"

#include <boost/test/data/monomorphic.hpp>
#include <boost/test/data/test_case.hpp>

#include <algorithm>
#include <cmath>
#include <random>

#include "stack/process.hpp"
#include "stack/tests/testlib.hpp"

using namespace rxpath::stack;
using namespace rxpath::stack::test;

namespace {
constexpr uint32_t ISN = 1000;
struct Seg {
  uint32_t off, len;
};
std::vector<uint8_t> slice(const std::vector<uint8_t>& d, uint32_t off, uint32_t len) {
  return std::vector<uint8_t>(d.begin() + off, d.begin() + off + len);
}
}  // namespace

BOOST_TEST_DECORATOR(*boost::unit_test::timeout(60))
BOOST_DATA_TEST_CASE(reordered_and_duplicated_stream_is_byte_exact, boost::unit_test::data::make({false, true}), gro) {
  Kernel& k = make_kernel();
  FakeNic nic(k);
  nic.use_gro = gro;
  int fd = k.tcp_established(HOST_IP, 5001, PEER_IP, 40000, ISN, 77);
  std::vector<uint8_t> got;
  UserProcessConfig pc;
  pc.fds = {fd};
  pc.mode = WaitMode::epoll;
  UserProcess proc(k, pc, [&](const Delivery& d) { got.insert(got.end(), d.bytes.begin(), d.bytes.end()); });
  auto data = pattern(100000, 5);
  // Segments of 1000 bytes, then: swap neighbours, duplicate some, add
  // partial overlaps (old head + new tail) and a segment of old data.
  std::vector<Seg> segs;
  for (uint32_t off = 0; off < data.size(); off += 1000) segs.push_back({off, 1000});
  std::mt19937 rng(42);
  for (size_t i = 0; i + 1 < segs.size(); i += 3) std::swap(segs[i], segs[i + 1]);
  for (size_t i = 5; i < segs.size(); i += 7) segs.insert(segs.begin() + i, segs[i - 2]);  // duplicates
  for (size_t i = 11; i < segs.size(); i += 13)
    segs.insert(segs.begin() + i, Seg{segs[i].off + 500 > 600 ? segs[i].off - 500 : 0, 1000});
  std::vector<std::pair<double, std::vector<uint8_t>>> fr;
  double t = 10;
  for (auto& s : segs) {
    fr.emplace_back(t, tcp_frame(Flow{}, ISN + 1 + s.off, 78, 0x18, slice(data, s.off, s.len)));
    t += 3000;
  }
  size_t n = fr.size();
  nic.inject(fr);
  run_for(t + 2e6);
  BOOST_TEST_CONTEXT("gro " << gro) {
    BOOST_TEST(got.size() == data.size());
    BOOST_TEST((got == data));
    BOOST_TEST(k.tcpext.TCPOFOQueue > 0u);
    BOOST_TEST(k.tcpext.DelayedACKLost > 0u);  // pure duplicates
    BOOST_TEST(k.tx_count(TxKind::TCP_ACK) > 0u);
    BOOST_TEST(k.tcp.OutSegs == k.tx_count(TxKind::TCP_ACK));
    FrameAccount a = k.frame_account();
    BOOST_TEST(a.offered == n);
    BOOST_TEST(a.in_flight == 0u);
    BOOST_TEST(a.balanced(), k.frame_account_report());
    BOOST_TEST(k.drop_count(Drop::TCP_OLD_DATA) + k.drop_count(Drop::TCP_OFO_DROP) > 0u);
  }
}

BOOST_AUTO_TEST_CASE(in_order_fast_path_and_acks) {
  Kernel& k = make_kernel();
  FakeNic nic(k);
  nic.use_gro = false;
  int fd = k.tcp_established(HOST_IP, 5001, PEER_IP, 40000, ISN, 77);
  std::vector<std::pair<TxKind, std::vector<uint8_t>>> tx;
  k.set_tx_capture([&](TxKind kk, const std::vector<uint8_t>& f) { tx.emplace_back(kk, f); });
  auto data = pattern(10 * 1448, 6);
  std::vector<std::pair<double, std::vector<uint8_t>>> fr;
  for (int i = 0; i < 10; ++i)
    fr.emplace_back(10 + 20000.0 * i, tcp_frame(Flow{}, ISN + 1 + i * 1448, 78, 0x10, slice(data, i * 1448, 1448)));
  nic.inject(fr);
  run_for(400000);
  sock* sk = k.sock_of(fd);
  BOOST_TEST(k.tcpext.TCPHPHits == 10u);
  BOOST_TEST(sk->rcv_nxt == ISN + 1 + 10 * 1448);
  // The first segments of a connection are in quickack mode
  // (tcp_event_data_recv -> tcp_incr_quickack: min(rcv_wnd / (2 rcv_mss),
  // TCP_MAX_QUICKACKS) = 16 credits): each gets its own ACK.
  BOOST_REQUIRE(tx.size() == 10u);
  const uint8_t* th = tx.back().second.data() + 34;
  uint32_t ack = uint32_t(th[8]) << 24 | uint32_t(th[9]) << 16 | uint32_t(th[10]) << 8 | th[11];
  BOOST_TEST(ack == ISN + 1 + 10 * 1448);
  BOOST_TEST(sk->ack_quick == 6u);
  BOOST_TEST(k.ip.OutRequests == 10u);  // the ACKs are locally generated IP packets
  BOOST_TEST(k.frame_account().in_flight == 10u);
  BOOST_TEST(k.frame_account().balanced());
}

namespace {
struct SentAck {
  double t;
  uint32_t ack, win;  // win: the window field (scaled by 2^7)
};
// The ACKs the kernel sends, with their send time.
std::vector<SentAck>& capture_acks(Kernel& k) {
  auto& acks = rxpath::testing::own(std::make_unique<std::vector<SentAck>>());
  k.set_tx_capture([&acks](TxKind kind, const std::vector<uint8_t>& f) {
    if (kind != TxKind::TCP_ACK) return;
    const uint8_t* th = f.data() + 34;
    acks.push_back({now_ns(), uint32_t(th[8]) << 24 | uint32_t(th[9]) << 16 | uint32_t(th[10]) << 8 | th[11],
                    uint32_t(th[14]) << 8 | th[15]});
  });
  return acks;
}
}  // namespace

// Delayed ACK (v6.8 net/ipv4/tcp_input.c, tcp_output.c, tcp_timer.c): the
// first 16 full segments are ACKed one by one (tcp_incr_quickack: quick =
// min(rcv_wnd / (2 rcv_mss), TCP_MAX_QUICKACKS); tcp_in_quickack_mode in
// __tcp_ack_snd_check; tcp_dec_quickack_mode spends one credit per ACK).
// Then, with a reader that keeps the buffer empty, every second full
// segment is ACKed at once (__tcp_ack_snd_check: more than rcv_mss
// unacknowledged and __tcp_select_window >= rcv_wnd); the odd one waits:
// tcp_send_delayed_ack arms the delayed-ACK timer for jiffies + ato
// (TCP_ATO_MIN = HZ/25 = 40 jiffies at HZ 1000), the next ACK clears the
// pending ACK (tcp_event_ack_sent -> inet_csk_clear_xmit_timer) and a new
// odd segment re-arms it. The timer interrupt (LOC) runs TIMER_SOFTIRQ ->
// tcp_delack_timer -> tcp_delack_timer_handler, which sends the ACK only if
// one is still pending (DelayedACKs) and doubles the ATO.
BOOST_DATA_TEST_CASE(quickack_then_every_second_segment_then_the_delack_timer, boost::unit_test::data::make({22, 23}),
                     nseg) {
  KernelConfig cfg;
  cfg.cpu.num_cpus = 2;
  Kernel& k = make_kernel(cfg);
  FakeNic nic(k, 0);
  nic.use_gro = false;
  int fd = k.tcp_established(HOST_IP, 5001, PEER_IP, 40000, ISN, 77);
  auto& acks = capture_acks(k);
  UserProcessConfig pc;
  pc.fds = {fd};
  pc.cpu = 1;
  pc.mode = WaitMode::epoll;
  size_t got = 0;
  UserProcess proc(k, pc, [&](const Delivery& d) { got += d.bytes.size(); });
  auto data = pattern(nseg * 1448, 14);
  std::vector<std::pair<double, std::vector<uint8_t>>> fr;
  for (int i = 0; i < nseg; ++i)
    fr.emplace_back(10 + 20000.0 * i, tcp_frame(Flow{}, ISN + 1 + i * 1448, 78, 0x10, slice(data, i * 1448, 1448)));
  const double t0 = now_ns();
  nic.inject(fr);
  run_for(30e6);  // well before the timer
  sock* sk = k.sock_of(fd);
  BOOST_TEST(got == size_t(nseg) * 1448);
  BOOST_TEST(sk->rcv_mss == 1448u);
  // 16 quick ACKs, then one per two segments: 18, 20, 22.
  BOOST_REQUIRE(acks.size() == 19u);
  for (int i = 0; i < 16; ++i) BOOST_TEST(acks[i].ack == ISN + 1 + (i + 1) * 1448u);
  for (int i = 0; i < 3; ++i) BOOST_TEST(acks[16 + i].ack == ISN + 1 + (18 + 2 * i) * 1448u);
  BOOST_TEST(sk->ack_quick == 0u);
  BOOST_TEST(k.tcpext.DelayedACKs == 0u);
  run_for(20e6);
  const Cpu& c0 = k.cpus().cpu(0);
  // The timer armed in jiffy 0 fires once, at jiffy 40 (on the CPU that
  // armed it: the NIC's), whether an ACK is still due or not.
  BOOST_TEST(c0.irq_count(LOCAL_TIMER_IRQ) == 1u);
  BOOST_TEST(c0.softirq_count(TIMER_SOFTIRQ) == 1u);
  BOOST_TEST(k.cpus().cpu(1).irq_count(LOCAL_TIMER_IRQ) == 0u);
  if (nseg == 22) {  // the last pair was ACKed: the timer finds nothing to send
    BOOST_TEST(acks.size() == 19u);
    BOOST_TEST(k.tcpext.DelayedACKs == 0u);
    BOOST_TEST(sk->ack_ato == 40u);
  } else {  // segment 23 is ACKed by the timer, 40 ms after it came
    BOOST_REQUIRE(acks.size() == 20u);
    BOOST_TEST(acks.back().ack == ISN + 1 + 23 * 1448u);
    // jiffies + 40 (TCP_ATO_MIN at HZ 1000): the timer runs at a jiffy's
    // start, 39 to 40 ms after the segment.
    const double seg = t0 + 10 + 20000.0 * 22;
    BOOST_TEST(acks.back().t - seg >= 39e6);
    BOOST_TEST(acks.back().t - seg < 40.1e6);
    BOOST_TEST(std::fmod(acks.back().t, 1e6) < 0.1e6);
    BOOST_TEST(k.tcpext.DelayedACKs == 1u);
    BOOST_TEST(sk->ack_ato == 80u);  // "Delayed ACK missed: inflate ATO" (below icsk_rto, 200)
  }
  BOOST_TEST(k.tcpext.DelayedACKLocked == 0u);
  BOOST_TEST(k.proc_interrupts().find("LOC") != std::string::npos);
  BOOST_TEST(k.proc_net_netstat().find("DelayedACKs") != std::string::npos);
  BOOST_TEST(k.frame_account().balanced(), k.frame_account_report());
}

// The delayed-ACK timer of a socket the reader owns (tcp_delack_timer:
// sock_owned_by_user) counts DelayedACKLocked and leaves its work to
// release_sock (TCP_DELACK_TIMER_DEFERRED -> tcp_release_cb ->
// tcp_delack_timer_handler), which sends the ACK (DelayedACKs) then, from
// the reader's CPU.
BOOST_AUTO_TEST_CASE(delack_timer_on_an_owned_socket_is_deferred_to_release_sock) {
  KernelConfig cfg;
  cfg.cpu.num_cpus = 2;
  Kernel& k = make_kernel(cfg);
  FakeNic nic(k, 0);
  nic.use_gro = false;
  // An offered window of 4000: tcp_incr_quickack gives 4000 / (2 * 1000)
  // = 2 credits (tcp_measure_rcv_mss has set rcv_mss to 1000 first).
  int fd = k.tcp_established(HOST_IP, 5001, PEER_IP, 40000, ISN, 77, 40000);
  sock* sk = k.sock_of(fd);
  sk->rcv_wnd = 4000;
  auto& acks = capture_acks(k);
  auto data = pattern(3 * 1000, 15);
  std::vector<std::pair<double, std::vector<uint8_t>>> fr;
  for (int i = 0; i < 3; ++i)
    fr.emplace_back(10 + 20000.0 * i, tcp_frame(Flow{}, ISN + 1 + i * 1000, 78, 0x10, slice(data, i * 1000, 1000)));
  const double t0 = now_ns();
  nic.inject(fr);
  double released = -1;
  k.cpus().create_task("owner", 1, [&](Task& t) {
    t.set_state(TaskState::interruptible);
    t.schedule(20e6);
    k.lock_sock(sk);
    t.set_state(TaskState::interruptible);
    t.schedule(40e6);  // the timer (jiffy 40) fires meanwhile
    released = now_ns();
    k.release_sock(sk);
  });
  run_for(80e6);
  BOOST_REQUIRE(acks.size() == 3u);  // two quick ACKs, the third from release_sock
  BOOST_TEST(acks[1].ack == ISN + 1 + 2000u);
  BOOST_TEST(acks[2].ack == ISN + 1 + 3000u);
  BOOST_TEST(k.tcpext.DelayedACKLocked == 1u);
  BOOST_TEST(k.tcpext.DelayedACKs == 1u);
  BOOST_TEST(released - t0 >= 60e6);
  BOOST_TEST(acks[2].t >= released);
  BOOST_TEST(acks[2].t - released < 0.1e6);
  BOOST_TEST(k.frame_account().balanced(), k.frame_account_report());
}

BOOST_AUTO_TEST_CASE(receive_buffer_limits_drop_into_counters) {
  Kernel& k = make_kernel();
  FakeNic nic(k);
  nic.use_gro = false;
  int fd = k.tcp_established(HOST_IP, 5001, PEER_IP, 40000, ISN, 77, 12000);
  auto data = pattern(40 * 1000, 7);
  std::vector<std::pair<double, std::vector<uint8_t>>> fr;
  // Out-of-order first (segment 1 missing), then in order: the OFO queue
  // fills the buffer, prune drops it, in-order data hits the limits.
  for (int i = 2; i < 12; ++i)
    fr.emplace_back(10 + 5000.0 * fr.size(),
                    tcp_frame(Flow{}, ISN + 1 + i * 1000, 78, 0x10, slice(data, i * 1000, 1000)));
  for (int i = 0; i < 40; ++i)
    fr.emplace_back(10 + 5000.0 * fr.size(),
                    tcp_frame(Flow{}, ISN + 1 + i * 1000, 78, 0x10, slice(data, i * 1000, 1000)));
  size_t n = fr.size();
  nic.inject(fr);
  run_for(1e6);
  sock* sk = k.sock_of(fd);
  BOOST_TEST(k.tcpext.TCPOFOQueue > 0u);
  BOOST_TEST(k.tcpext.PruneCalled > 0u);
  BOOST_TEST(k.drop_count(Drop::TCP_OFO_PRUNE) + k.tcpext.TCPOFODrop > 0u);
  BOOST_TEST(k.tcpext.TCPZeroWindowDrop + k.tcpext.TCPRcvQDrop + k.drop_count(Drop::TCP_OVERWINDOW) > 0u);
  BOOST_TEST(sk->sk_rmem_alloc <= sk->sk_rcvbuf + 4096);
  // what was accepted is the exact stream prefix
  std::vector<uint8_t> q;
  for (sk_buff* s = sk->sk_receive_queue.first; s; s = s->next) {
    auto b = skb_linearize_copy(s);
    uint32_t skip = uint32_t(ISN + 1 + q.size()) - s->cb.seq;
    q.insert(q.end(), b.begin() + skip, b.end());
  }
  BOOST_TEST(q.size() == sk->rcv_nxt - (ISN + 1));
  BOOST_TEST((q == slice(data, 0, uint32_t(q.size()))));
  FrameAccount a = k.frame_account();
  BOOST_TEST(a.offered == n);
  BOOST_TEST(a.balanced(), k.frame_account_report());
  std::cerr << k.frame_account_report() << k.proc_net_netstat();
}

BOOST_AUTO_TEST_CASE(out_of_order_queue_sorts_across_sequence_wrap) {
  // ISN 4 KB before 2^32: the stream wraps inside the OFO queue. Segments
  // 1..9 arrive first, then the hole (segment 0); all must come out in order.
  constexpr uint32_t WRAP_ISN = 0xFFFFF000u;
  Kernel& k = make_kernel();
  FakeNic nic(k);
  nic.use_gro = false;
  int fd = k.tcp_established(HOST_IP, 5001, PEER_IP, 40000, WRAP_ISN, 77);
  std::vector<uint8_t> got;
  UserProcessConfig pc;
  pc.fds = {fd};
  pc.mode = WaitMode::epoll;
  UserProcess proc(k, pc, [&](const Delivery& d) { got.insert(got.end(), d.bytes.begin(), d.bytes.end()); });
  auto data = pattern(10 * 1000, 9);
  std::vector<std::pair<double, std::vector<uint8_t>>> fr;
  for (uint32_t i = 9; i >= 1; --i)
    fr.emplace_back(10 + 3000.0 * fr.size(),
                    tcp_frame(Flow{}, WRAP_ISN + 1 + i * 1000, 78, 0x10, slice(data, i * 1000, 1000)));
  fr.emplace_back(10 + 3000.0 * fr.size(), tcp_frame(Flow{}, WRAP_ISN + 1, 78, 0x10, slice(data, 0, 1000)));
  nic.inject(fr);
  run_for(2e6);
  BOOST_TEST(k.tcpext.TCPOFOQueue == 9u);
  BOOST_TEST(k.sock_of(fd)->rcv_nxt == uint32_t(WRAP_ISN + 1 + 10000));
  BOOST_TEST(got.size() == data.size());
  BOOST_TEST((got == data));
  BOOST_TEST(k.frame_account().balanced(), k.frame_account_report());
}

BOOST_AUTO_TEST_CASE(backlog_limit_does_not_count_the_arriving_skb) {
  // sk_rcvqueues_full: backlog.len + rmem_alloc > limit, without the new
  // skb's truesize ("to allow even a single big packet to come"), so the
  // backlog takes limit / truesize + 1 equal skbs.
  Kernel& k = make_kernel();
  FakeNic nic(k);
  nic.use_gro = false;
  int fd = k.tcp_established(HOST_IP, 5001, PEER_IP, 40000, ISN, 77, 4000);
  sock* sk = k.sock_of(fd);
  k.lock_sock(sk);  // the user owns the socket: everything goes to the backlog
  auto data = pattern(200 * 1000, 10);
  std::vector<std::pair<double, std::vector<uint8_t>>> fr;
  for (int i = 0; i < 200; ++i)
    fr.emplace_back(10 + 3000.0 * i, tcp_frame(Flow{}, ISN + 1 + i * 1000, 78, 0x10, slice(data, i * 1000, 1000)));
  nic.inject(fr);
  run_for(1e6);
  BOOST_REQUIRE(sk->sk_backlog.qlen > 0u);
  int64_t truesize = sk->sk_backlog.first->truesize;
  int64_t limit = sk->sk_rcvbuf + k.config().tcp_wmem_default / 2 + 64 * 1024;
  BOOST_TEST(sk->sk_backlog.qlen == uint32_t(limit / truesize + 1));
  BOOST_TEST(k.tcpext.TCPBacklogDrop == 200u - sk->sk_backlog.qlen);
  BOOST_TEST(k.frame_account().balanced(), k.frame_account_report());
}

BOOST_AUTO_TEST_CASE(in_order_segment_over_rmem_prunes_even_with_empty_queue) {
  // tcp_data_queue always calls tcp_try_rmem_schedule: with the OFO queue
  // holding the buffer over sk_rcvbuf and the receive queue empty, the
  // in-order segment prunes the OFO queue (PruneCalled) and is queued; it is
  // dropped (TCPRcvQDrop) only when the receive queue is not empty.
  Kernel& k = make_kernel();
  FakeNic nic(k);
  nic.use_gro = false;
  int fd = k.tcp_established(HOST_IP, 5001, PEER_IP, 40000, ISN, 77, 12000);
  sock* sk = k.sock_of(fd);
  auto data = pattern(20 * 1000, 12);
  std::vector<std::pair<double, std::vector<uint8_t>>> fr;
  for (int i = 1; i < 12; ++i)
    fr.emplace_back(10 + 3000.0 * fr.size(),
                    tcp_frame(Flow{}, ISN + 1 + i * 1000, 78, 0x10, slice(data, i * 1000, 1000)));
  nic.inject(fr);
  run_for(1e6);
  BOOST_REQUIRE(sk->sk_rmem_alloc > sk->sk_rcvbuf);  // OFO queue over the limit
  BOOST_REQUIRE(sk->sk_receive_queue.qlen == 0u);
  uint64_t prunes = k.tcpext.PruneCalled;
  nic.inject({{10, tcp_frame(Flow{}, ISN + 1, 78, 0x10, slice(data, 0, 1000))}});
  run_for(1e6);
  BOOST_TEST(k.tcpext.PruneCalled == prunes + 1);
  BOOST_TEST(k.tcpext.TCPRcvQDrop == 0u);
  BOOST_TEST(k.drop_count(Drop::TCP_RCVQ_FULL) == 0u);
  BOOST_TEST(sk->sk_receive_queue.qlen >= 1u);
  BOOST_TEST(sk->sk_rmem_alloc <= sk->sk_rcvbuf + int64_t(sk->sk_receive_queue.first->truesize));
  BOOST_TEST(k.frame_account().balanced(), k.frame_account_report());
}

BOOST_AUTO_TEST_CASE(blocking_reader_stops_at_end_of_stream) {
  // Once the connection leaves ESTABLISHED (here an in-window RST), recv()
  // returns 0: the reader stops instead of calling recvmsg in a loop.
  Kernel& k = make_kernel();
  FakeNic nic(k);
  nic.use_gro = false;
  int fd = k.tcp_established(HOST_IP, 5001, PEER_IP, 40000, ISN, 77);
  std::vector<uint8_t> got;
  UserProcessConfig pc;
  pc.fds = {fd};
  pc.mode = WaitMode::blocking_recv;
  UserProcess proc(k, pc, [&](const Delivery& d) { got.insert(got.end(), d.bytes.begin(), d.bytes.end()); });
  auto data = pattern(3000, 13);
  nic.inject(
      {{10, tcp_frame(Flow{}, ISN + 1, 78, 0x18, data)}, {20000, tcp_frame(Flow{}, ISN + 1 + 3000, 78, 0x04, {})}});
  run_for(100000);
  BOOST_TEST((got == data));
  BOOST_TEST(int(k.sock_of(fd)->state) == int(TcpState::CLOSE));
  uint64_t wakeups = proc.wakeups();
  run_for(1e6);
  BOOST_TEST(proc.wakeups() == wakeups);
  BOOST_TEST(int(proc.task().state()) == int(TaskState::dead));
}

BOOST_AUTO_TEST_CASE(socket_owned_by_user_goes_to_backlog_and_overflows) {
  KernelConfig cfg;
  cfg.cpu.num_cpus = 2;
  CostTable cost;
  cost.copy_per_byte = 400;  // a very slow reader: holds the socket lock long
  Kernel& k = make_kernel(cfg, cost);
  FakeNic nic(k, 0);
  nic.use_gro = false;
  int fd = k.tcp_established(HOST_IP, 5001, PEER_IP, 40000, ISN, 77, 20000);
  std::vector<uint8_t> got;
  UserProcessConfig pc;
  pc.fds = {fd};
  pc.cpu = 1;
  pc.mode = WaitMode::blocking_recv;
  pc.recv_size = 1000;
  UserProcess proc(k, pc, [&](const Delivery& d) { got.insert(got.end(), d.bytes.begin(), d.bytes.end()); });
  auto data = pattern(200 * 1000, 8);
  std::vector<std::pair<double, std::vector<uint8_t>>> fr;
  for (int i = 0; i < 200; ++i)
    fr.emplace_back(10 + 5000.0 * i, tcp_frame(Flow{}, ISN + 1 + i * 1000, 78, 0x10, slice(data, i * 1000, 1000)));
  nic.inject(fr);
  run_for(3e6);
  BOOST_TEST(k.tcpext.TCPBacklogDrop > 0u);
  BOOST_TEST(!got.empty());
  BOOST_TEST((got == slice(data, 0, uint32_t(got.size()))));
  FrameAccount a = k.frame_account();
  BOOST_TEST(a.offered == 200u);
  BOOST_TEST(a.balanced(), k.frame_account_report());
}

// tcp_cleanup_rbuf (v6.8 net/ipv4/tcp.c, end of tcp_recvmsg): a short
// segment with PSH sets ICSK_ACK_PUSHED (tcp_measure_rcv_mss) and its ACK is
// delayed (__tcp_ack_snd_check -> tcp_send_delayed_ack); a read that
// empties the receive buffer (sk_rmem_alloc 0) sends it at once from the
// reader's context, as the socket is not in pingpong mode. Without a reader
// the delayed-ACK timer sends it 40 ms later.
BOOST_DATA_TEST_CASE(a_read_that_empties_the_buffer_acks_a_pushed_segment, boost::unit_test::data::make({false, true}),
                     reader) {
  KernelConfig cfg;
  cfg.cpu.num_cpus = 2;
  Kernel& k = make_kernel(cfg);
  FakeNic nic(k, 0);
  nic.use_gro = false;
  int fd = k.tcp_established(HOST_IP, 5001, PEER_IP, 40000, ISN, 77);
  auto& acks = capture_acks(k);
  std::unique_ptr<UserProcess> proc;
  size_t got = 0;
  if (reader) {
    UserProcessConfig pc;
    pc.fds = {fd};
    pc.cpu = 1;
    pc.mode = WaitMode::epoll;
    proc = std::make_unique<UserProcess>(k, pc, [&](const Delivery& d) { got += d.bytes.size(); });
  }
  auto data = pattern(16 * 1448 + 100, 16);
  std::vector<std::pair<double, std::vector<uint8_t>>> fr;
  for (int i = 0; i < 16; ++i)  // the 16 quickack credits go first
    fr.emplace_back(10 + 20000.0 * i, tcp_frame(Flow{}, ISN + 1 + i * 1448, 78, 0x10, slice(data, i * 1448, 1448)));
  fr.emplace_back(1e6, tcp_frame(Flow{}, ISN + 1 + 16 * 1448, 78, 0x18, slice(data, 16 * 1448, 100)));
  const double t0 = now_ns();
  nic.inject(fr);
  run_for(60e6);
  BOOST_TEST_CONTEXT("reader " << reader) {
    BOOST_REQUIRE(acks.size() == 17u);
    BOOST_TEST(acks.back().ack == ISN + 1 + 16 * 1448 + 100u);
    if (reader) {
      BOOST_TEST(got == data.size());
      BOOST_TEST(acks.back().t - t0 < 1.1e6);
      BOOST_TEST(k.tcpext.DelayedACKs == 0u);
    } else {
      BOOST_TEST(acks.back().t - (t0 + 1e6) >= 39e6);  // jiffies + TCP_ATO_MIN
      BOOST_TEST(acks.back().t - (t0 + 1e6) < 40.1e6);
      BOOST_TEST(std::fmod(acks.back().t, 1e6) < 0.1e6);
      BOOST_TEST(k.tcpext.DelayedACKs == 1u);
    }
  }
  proc.reset();
}

// tcp_cleanup_rbuf's window update (v6.8 net/ipv4/tcp.c): with no ACK due,
// a read sends one when the window it can now offer (__tcp_select_window)
// is at least twice the one the peer has left (tcp_receive_window), and
// that one is at most half of window_clamp. A read that frees less sends
// nothing.
BOOST_AUTO_TEST_CASE(a_read_that_doubles_the_window_sends_a_window_update) {
  KernelConfig cfg;
  cfg.cpu.num_cpus = 2;
  Kernel& k = make_kernel(cfg);
  FakeNic nic(k, 0);
  nic.use_gro = false;
  constexpr int64_t RCVBUF = 20000;
  int fd = k.tcp_established(HOST_IP, 5001, PEER_IP, 40000, ISN, 77, RCVBUF);
  sock* sk = k.sock_of(fd);
  auto& acks = capture_acks(k);
  auto data = pattern(8 * 1448, 17);
  std::vector<std::pair<double, std::vector<uint8_t>>> fr;
  for (int i = 0; i < 8; ++i)
    fr.emplace_back(10 + 20000.0 * i, tcp_frame(Flow{}, ISN + 1 + i * 1448, 78, 0x10, slice(data, i * 1448, 1448)));
  const double t0 = now_ns();
  nic.inject(fr);
  size_t acks_before = 0, acks_after_part = 0;
  uint32_t left = 0;
  long part = -1, rest = -1;
  k.cpus().create_task("reader", 1, [&](Task& t) {
    t.set_state(TaskState::interruptible);
    t.schedule(50e6);  // after the delayed ACK
    acks_before = acks.size();
    left = sk->rcv_wup + sk->rcv_wnd - sk->rcv_nxt;
    std::vector<uint8_t> out;
    part = k.sys_recvmsg(fd, out, 1448, true);  // one skb's memory back: not twice the window
    acks_after_part = acks.size();
    rest = k.sys_recvmsg(fd, out, 1 << 20, true);  // everything: the window doubles
  });
  run_for(60e6);
  // Quickack credits: 20000 / (2 * 1448) = 6, but __tcp_select_window ends
  // quickack mode once less than half the buffer is free: 5 ACKs at once.
  // Segments 6-8 leave the window's right edge where it was (the free
  // buffer shrinks): one delayed ACK from the timer, and the window the
  // peer has left is then less than half the clamp.
  BOOST_TEST(k.tcpext.DelayedACKs == 1u);
  BOOST_REQUIRE(acks_before == 6u);
  BOOST_TEST(acks[5].ack == ISN + 1 + 8 * 1448u);
  BOOST_TEST(2 * left <= sk->window_clamp);
  BOOST_TEST(part == 1448);
  BOOST_TEST(acks_after_part == 6u);
  BOOST_TEST(rest == 7 * 1448);
  BOOST_REQUIRE(acks.size() == 7u);
  BOOST_TEST(acks.back().ack == ISN + 1 + 8 * 1448u);
  BOOST_TEST(acks.back().win == uint32_t(RCVBUF >> 7));  // the whole buffer is free again
  BOOST_TEST(acks.back().t - t0 >= 50e6);
  BOOST_TEST(k.frame_account().balanced(), k.frame_account_report());
}
