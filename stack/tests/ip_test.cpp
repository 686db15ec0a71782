// SPDX-License-Identifier: Apache-2.0
// stack/tests/ip_test.cpp: IPv4 input checks (each malformed header in its
// own counter), UDP NoPorts/ICMP, RcvbufErrors, TCP RST for a closed port,
// ARP replies, reassembly, and frame accounting for all of them.
#define BOOST_TEST_MODULE stack_ip
#include "testing/sc_test.hpp"

#include <cctype>
#include <functional>
#include <map>
#include <memory>
#include <sstream>
#include <string>

#include "common/unaligned.hpp"
#include "stack/process.hpp"
#include "stack/tests/testlib.hpp"

using namespace rxpath::stack;
using namespace rxpath::stack::test;

namespace {
void fix_ip_csum(std::vector<uint8_t>& f) {
  f[14 + 10] = f[14 + 11] = 0;
  uint16_t c = inet_csum(f.data() + 14, (f[14] & 0xf) * 4u);
  f[14 + 10] = uint8_t(c >> 8);
  f[14 + 11] = uint8_t(c);
}
struct Captured {
  std::vector<std::pair<TxKind, std::vector<uint8_t>>> frames;
};
// A /proc/net/snmp or /proc/net/netstat text as group -> field -> value;
// each group's header and value lines must have the same number of fields.
std::map<std::string, std::map<std::string, std::string>> proc_fields(const std::string& text) {
  std::map<std::string, std::map<std::string, std::string>> m;
  std::istringstream is(text);
  std::string head, vals;
  while (std::getline(is, head) && std::getline(is, vals)) {
    std::istringstream h(head), v(vals);
    std::string group, g2, name, value;
    h >> group;
    v >> g2;
    BOOST_TEST(group == g2);
    group.pop_back();  // the ':'
    while (h >> name) {
      BOOST_REQUIRE_MESSAGE(v >> value, group << ": fewer values than fields");
      m[group][name] = value;
    }
    BOOST_TEST(!(v >> value), group << ": more values than fields");
  }
  return m;
}
// The field names of one group's header line, in order.
std::string header_of(const std::string& text, const std::string& group) {
  std::istringstream is(text);
  std::string line;
  while (std::getline(is, line))
    if (line.rfind(group + ": ", 0) == 0 && !std::isdigit(static_cast<unsigned char>(line[group.size() + 2])))
      return line.substr(group.size() + 2);
  return {};
}
void check_balanced(Kernel& k, uint64_t offered) {
  FrameAccount a = k.frame_account();
  BOOST_TEST(a.offered == offered);
  BOOST_TEST(a.balanced(), k.frame_account_report());
}
}  // namespace

BOOST_AUTO_TEST_CASE(ip_rcv_each_malformed_header_in_its_own_counter) {
  struct Case {
    const char* name;
    std::function<void(std::vector<uint8_t>&)> mutate;
    std::function<uint64_t(Kernel&)> counter;
    Drop reason;
  };
  std::vector<Case> cases = {
      {"version 6",
       [](auto& f) {
         f[14] = 0x65;
         fix_ip_csum(f);
       },
       [](Kernel& k) { return k.ip.InHdrErrors; }, Drop::IP_INHDR},
      {"ihl 4",
       [](auto& f) {
         f[14] = 0x44;
         fix_ip_csum(f);
       },
       [](Kernel& k) { return k.ip.InHdrErrors; }, Drop::IP_INHDR},
      {"bad checksum", [](auto& f) { f[14 + 10] ^= 0x55; }, [](Kernel& k) { return k.ipext.InCsumErrors; },
       Drop::IP_CSUM},
      {"tot_len > frame",
       [](auto& f) {
         f[14 + 2] = 0x08;
         fix_ip_csum(f);
       },
       [](Kernel& k) { return k.ipext.InTruncatedPkts; }, Drop::PKT_TOO_SMALL},
      {"tot_len < ihl*4",
       [](auto& f) {
         f[14 + 2] = 0;
         f[14 + 3] = 16;
         fix_ip_csum(f);
       },
       [](Kernel& k) { return k.ip.InHdrErrors; }, Drop::IP_INHDR},
      {"runt 10 bytes", [](auto& f) { f.resize(14 + 10); }, [](Kernel& k) { return k.ip.InHdrErrors; }, Drop::IP_INHDR},
      {"not our address",
       [](auto& f) {
         f[14 + 19] = 99;
         fix_ip_csum(f);
       },
       [](Kernel& k) { return k.ip.InAddrErrors; }, Drop::IP_INADDRERRORS},
      {"other host MAC", [](auto& f) { f[5] = 0x77; }, [](Kernel& k) { return k.ip.InReceives == 0 ? uint64_t(1) : 0; },
       Drop::OTHERHOST},
      {"unknown protocol",
       [](auto& f) {
         f[14 + 9] = 47;
         fix_ip_csum(f);
       },
       [](Kernel& k) { return k.ip.InUnknownProtos; }, Drop::IP_NOPROTO},
  };
  std::vector<Kernel*> kernels;
  std::vector<FakeNic*> nics;
  for (auto& c : cases) {
    Kernel& k = make_kernel();
    FakeNic* nic = &rxpath::testing::own(std::make_unique<FakeNic>(k));  // goes before its Kernel
    k.udp_socket(0, 5001);
    auto f = udp_frame(Flow{}, pattern(100, 1));
    c.mutate(f);
    nic->inject({{100, f}});
    kernels.push_back(&k);
    nics.push_back(nic);
  }
  run_for(100000);
  for (size_t i = 0; i < cases.size(); ++i) {
    Kernel& k = *kernels[i];
    BOOST_TEST_CONTEXT(cases[i].name) {
      BOOST_TEST(cases[i].counter(k) == 1u);
      BOOST_TEST(k.drop_count(cases[i].reason) == 1u);
      BOOST_TEST(k.udp.InDatagrams + k.udp.NoPorts == 0u);
      check_balanced(k, 1);
    }
  }
  BOOST_TEST(kernels[2]->ip.InHdrErrors == 1u);  // checksum errors count in both
  BOOST_TEST(nics[7]->dev.stats.rx_otherhost_dropped == 1u);
  BOOST_TEST(kernels[8]->tx_count(TxKind::ICMP_PROTO_UNREACH) == 1u);
}

BOOST_AUTO_TEST_CASE(ecn_counters_after_the_header_check) {
  // ip_rcv_core adds to IPSTATS_MIB_NOECTPKTS + (tos & INET_ECN_MASK) after
  // the version/ihl check: a bad version counts in none of them.
  Kernel& k = make_kernel();
  FakeNic nic(k);
  k.udp_socket(0, 5001);
  std::vector<std::pair<double, std::vector<uint8_t>>> fr;
  const uint8_t ecn[] = {0, 1, 2, 3, 3};
  for (uint8_t e : ecn) {
    auto f = udp_frame(Flow{}, pattern(100, e));
    f[14 + 1] = e;
    fix_ip_csum(f);
    fr.emplace_back(100, f);
  }
  auto bad = udp_frame(Flow{}, pattern(100, 9));
  bad[14] = 0x65;  // version 6
  fix_ip_csum(bad);
  fr.emplace_back(100, bad);
  nic.inject(fr);
  run_for(100000);
  BOOST_TEST(k.ip.InReceives == 6u);
  BOOST_TEST(k.ip.InHdrErrors == 1u);
  BOOST_TEST(k.ipext.InNoECTPkts == 1u);
  BOOST_TEST(k.ipext.InECT1Pkts == 1u);
  BOOST_TEST(k.ipext.InECT0Pkts == 1u);
  BOOST_TEST(k.ipext.InCEPkts == 2u);
  BOOST_TEST(k.proc_net_netstat().find("InNoECTPkts InECT1Pkts InECT0Pkts InCEPkts") != std::string::npos);
  check_balanced(k, 6);
}

BOOST_AUTO_TEST_CASE(udp_closed_port_noports_and_icmp) {
  Kernel& k = make_kernel();
  FakeNic nic(k);
  Captured cap;
  k.set_tx_capture([&](TxKind kind, const std::vector<uint8_t>& f) { cap.frames.emplace_back(kind, f); });
  k.udp_socket(0, 5001);
  Flow fl;
  fl.dport = 6000;
  nic.inject({{10, udp_frame(fl, pattern(64, 2))}});
  run_for(100000);
  BOOST_TEST(k.udp.NoPorts == 1u);
  BOOST_TEST(k.drop_count(Drop::NO_SOCKET) == 1u);
  BOOST_REQUIRE(cap.frames.size() == 1u);
  const auto& f = cap.frames[0].second;
  BOOST_TEST(int(cap.frames[0].first) == int(TxKind::ICMP_PORT_UNREACH));
  BOOST_TEST(rxpath::get_unaligned_be32(f.data() + 14 + 16) == PEER_IP);
  BOOST_TEST(f[14 + 20] == 3);                                                  // destination unreachable
  BOOST_TEST(f[14 + 21] == 3);                                                  // port unreachable
  BOOST_TEST(rxpath::get_unaligned_be16(f.data() + 14 + 28 + 20 + 2) == 6000);  // quoted UDP header: dport
  BOOST_TEST(inet_csum(f.data() + 14, 20) == 0);
  // icmp_send -> __ip_make_skb -> icmp_out_count: Icmp OutMsgs and the
  // IcmpMsg counter of type 3, which icmp_put also shows as OutDestUnreachs.
  BOOST_TEST(k.icmp.OutMsgs == 1u);
  const auto snmp = proc_fields(k.proc_net_snmp());
  BOOST_TEST(snmp.at("Icmp").at("OutMsgs") == "1");
  BOOST_TEST(snmp.at("Icmp").at("OutDestUnreachs") == "1");
  BOOST_TEST(snmp.at("Icmp").at("InMsgs") == "0");
  BOOST_TEST(snmp.at("IcmpMsg").at("OutType3") == "1");
  BOOST_TEST(snmp.at("IcmpMsg").size() == 1u);  // only nonzero types are listed
  check_balanced(k, 1);
}

// A datagram reassembled from fragments is still answered when its port is
// closed: Linux's ip_frag_reasm rebuilds it in the first fragment's skb, so
// icmp_send finds that frame's link-layer header and the sender; the ICMP
// error quotes the reassembled IP header (total length of the whole
// datagram, no MF) and the first 8 bytes of UDP (RFC 792). A fuzz input once
// made the model read the header of a reassembled skb that had none.
BOOST_AUTO_TEST_CASE(a_reassembled_datagram_to_a_closed_port_gets_port_unreachable) {
  Kernel& k = make_kernel();
  FakeNic nic(k);
  Captured cap;
  k.set_tx_capture([&](TxKind kind, const std::vector<uint8_t>& f) { cap.frames.emplace_back(kind, f); });
  Flow fl;
  fl.dport = 6000;
  auto whole = udp_frame(fl, pattern(2000, 3), 91);
  std::vector<uint8_t> l4(whole.begin() + 34, whole.end());
  auto frag = [&](size_t off, size_t len, bool more) {
    std::vector<uint8_t> part(l4.begin() + off, l4.begin() + off + len);
    return ipv4_frame(17, PEER_IP, HOST_IP, part, 91, uint16_t((more ? 0x2000 : 0) | (off / 8)));
  };
  nic.inject({{10, frag(0, 1480, true)}, {2000, frag(1480, l4.size() - 1480, false)}});
  run_for(100000);
  BOOST_TEST(k.ip.ReasmOKs == 1u);
  BOOST_TEST(k.udp.NoPorts == 1u);
  BOOST_REQUIRE(cap.frames.size() == 1u);
  const auto& f = cap.frames[0].second;
  BOOST_TEST(int(cap.frames[0].first) == int(TxKind::ICMP_PORT_UNREACH));
  BOOST_TEST(std::equal(PEER_MAC, PEER_MAC + 6, f.begin()));  // to the first fragment's sender
  BOOST_TEST(rxpath::get_unaligned_be32(f.data() + 14 + 16) == PEER_IP);
  BOOST_TEST(f[14 + 20] == 3);
  BOOST_TEST(f[14 + 21] == 3);
  BOOST_TEST(rxpath::get_unaligned_be16(f.data() + 14 + 28 + 2) == 20 + l4.size());  // quoted total length
  BOOST_TEST((rxpath::get_unaligned_be16(f.data() + 14 + 28 + 6) & 0x3fff) == 0u);   // no MF, offset 0
  BOOST_TEST(rxpath::get_unaligned_be16(f.data() + 14 + 28 + 20 + 2) == 6000);       // quoted UDP dport
  check_balanced(k, 2);
}

// udp_rmem_release (net/ipv4/udp.c, v6.8), called with partial = 1 for each
// datagram the reader takes: its truesize joins up->forward_deficit, and
// sk_rmem_alloc goes down by the whole deficit only when the deficit reaches
// forward_threshold (sk_rcvbuf >> 2) or the reader queue is empty. Ten
// datagrams wait (one splice moves them all to the reader queue); a reader
// takes them one by one. With rcvbuf 40000 the threshold is 10000 bytes.
BOOST_AUTO_TEST_CASE(udp_receive_memory_is_released_in_batches) {
  Kernel& k = make_kernel();
  FakeNic nic(k);
  const int64_t rcvbuf = 40000;
  int fd = k.udp_socket(0, 5001, rcvbuf);
  std::vector<std::pair<double, std::vector<uint8_t>>> fr;
  for (int i = 0; i < 10; ++i) fr.emplace_back(1000.0 * i, udp_frame(Flow{}, pattern(1000, i)));
  nic.inject(fr);
  std::vector<int64_t> rmem_after;  // sk_rmem_alloc after each recv()
  int64_t truesize = 0, queued_rmem = 0;
  k.cpus().create_task("reader", 0, [&](Task& t) {
    t.set_state(TaskState::interruptible);
    t.schedule(100000);  // all ten queued first (schedule_timeout)
    sock* sk = k.sock_of(fd);
    queued_rmem = sk->sk_rmem_alloc;
    truesize = sk->sk_receive_queue.first->truesize;
    std::vector<uint8_t> out;
    for (int i = 0; i < 10; ++i) {
      BOOST_REQUIRE(k.sys_recvmsg(fd, out, 65536, true) == 1000);
      rmem_after.push_back(sk->sk_rmem_alloc);
    }
  });
  run_for(300000);
  BOOST_REQUIRE(rmem_after.size() == 10u);
  BOOST_REQUIRE(queued_rmem == 10 * truesize);
  // The kernel's rule, step by step.
  int64_t rmem = queued_rmem, deficit = 0;
  for (int i = 0; i < 10; ++i) {
    deficit += truesize;
    const bool reader_queue_empty = i == 9;
    if (deficit >= (rcvbuf >> 2) || reader_queue_empty) rmem -= deficit, deficit = 0;
    BOOST_TEST(rmem_after[i] == rmem, "after recv " << i + 1);
  }
  BOOST_TEST(rmem_after[0] == queued_rmem);  // one datagram's truesize < 10000: nothing released yet
  BOOST_TEST(rmem_after[9] == 0);
  check_balanced(k, 10);
}

BOOST_AUTO_TEST_CASE(udp_full_socket_rcvbuf_errors) {
  Kernel& k = make_kernel();
  FakeNic nic(k);
  int fd = k.udp_socket(0, 5001, 8000);
  std::vector<std::pair<double, std::vector<uint8_t>>> fr;
  for (int i = 0; i < 20; ++i) fr.emplace_back(1000.0 * i, udp_frame(Flow{}, pattern(1000, i)));
  nic.inject(fr);
  run_for(200000);
  sock* sk = k.sock_of(fd);
  BOOST_TEST(k.udp.RcvbufErrors > 0u);
  BOOST_TEST(sk->enqueued + k.udp.RcvbufErrors == 20u);
  BOOST_TEST(k.udp.InErrors == k.udp.RcvbufErrors);
  BOOST_TEST(sk->sk_drops == k.udp.RcvbufErrors);
  BOOST_TEST(k.drop_count(Drop::SOCKET_RCVBUFF) == k.udp.RcvbufErrors);
  // accepted while rmem <= rcvbuf: the last one pushed it over
  BOOST_TEST(sk->sk_rmem_alloc > sk->sk_rcvbuf);
  BOOST_TEST(sk->sk_rmem_alloc - int64_t(sk->sk_receive_queue.last->truesize) <= sk->sk_rcvbuf);
  check_balanced(k, 20);
  BOOST_TEST(k.frame_account().in_flight == sk->enqueued);
}

// The UDP checksum of a datagram the NIC did not verify (v6.8,
// net/ipv4/udp.c): __udp4_lib_rcv only calls udp4_csum_init, which sums a
// datagram at once only when it is at most CHECKSUM_BREAK (76) bytes long
// (__skb_checksum_validate_complete, include/linux/skbuff.h). A longer one is
// queued, charged to sk_rmem_alloc and wakes the reader like a good one; the
// reader's udp_recvmsg sums it while copying and, at csum_copy_err, counts
// it in Udp InCsumErrors and InErrors (and sk_drops, __sk_queue_drop_skb),
// frees it and goes to try_again: the next datagram, or EAGAIN for a
// non-blocking call. Its memory went back at dequeue (udp_skb_destructor).
BOOST_AUTO_TEST_CASE(udp_recvmsg_verifies_the_checksum_softirq_left_unverified) {
  Kernel& k = make_kernel();
  FakeNic nic(k);
  nic.csum_unnecessary = false;
  const int fd = k.udp_socket(0, 5001);
  auto bad = udp_frame(Flow{}, pattern(200, 1), 1);
  bad[34 + 6] ^= 0x5a;  // UDP checksum wrong
  const auto good = udp_frame(Flow{}, pattern(200, 2), 2);
  nic.inject({{1000, bad}, {200000, good}});
  sock* sk = k.sock_of(fd);
  struct Seen {
    uint64_t enqueued, csum_errors, csum_drops;
    int64_t rmem;
  } queued{}, after_first{};
  long first = 0, second = 0;
  uint64_t in_errors_after_first = 0, sk_drops_after_first = 0;
  std::vector<uint8_t> got;
  k.cpus().create_task("reader", 0, [&](Task& t) {
    t.set_state(TaskState::interruptible);
    t.schedule(100000);  // the bad datagram has arrived and waits
    queued = {sk->enqueued, k.udp.InCsumErrors, k.drop_count(Drop::UDP_CSUM), sk->sk_rmem_alloc};
    std::vector<uint8_t> out;
    first = k.sys_recvmsg(fd, out, 65536, true);
    after_first = {sk->enqueued, k.udp.InCsumErrors, k.drop_count(Drop::UDP_CSUM), sk->sk_rmem_alloc};
    in_errors_after_first = k.udp.InErrors;
    sk_drops_after_first = sk->sk_drops;
    second = k.sys_recvmsg(fd, got, 65536, false);  // blocks until the good one
  });
  run_for(400000);
  // Softirq queued the bad datagram: charged to rmem, no checksum verdict yet.
  BOOST_TEST(queued.enqueued == 1u);
  BOOST_TEST(queued.rmem > 0);
  BOOST_TEST(queued.csum_errors == 0u);
  BOOST_TEST(queued.csum_drops == 0u);
  // udp_recvmsg dropped it: EAGAIN, nothing delivered, memory released.
  BOOST_TEST(first == -11);
  BOOST_TEST(after_first.csum_errors == 1u);
  BOOST_TEST(in_errors_after_first == 1u);
  BOOST_TEST(sk_drops_after_first == 1u);
  BOOST_TEST(after_first.csum_drops == 1u);
  BOOST_TEST(after_first.rmem == 0);
  // The good datagram after it is delivered.
  BOOST_TEST(second == 200);
  BOOST_TEST((got == pattern(200, 2)));
  BOOST_TEST(k.udp.InDatagrams == 1u);
  BOOST_TEST(k.udp.InCsumErrors == 1u);
  BOOST_TEST(k.udp.InErrors == 1u);
  BOOST_TEST(k.frame_account().delivered == 1u);
  check_balanced(k, 2);
}

// A reader blocked in recvmsg is woken by sock_def_readable for the bad
// datagram (it was queued like any other); udp_recvmsg drops it at
// csum_copy_err and try_again finds the queue empty, so __skb_recv_udp
// sleeps again (__skb_wait_for_more_packets): the wakeup returns nothing and
// the same call returns the next good datagram. Two voluntary sleeps in one
// call; the checksum work runs on the reader's CPU.
BOOST_AUTO_TEST_CASE(a_blocked_reader_woken_for_a_bad_checksum_goes_back_to_sleep) {
  KernelConfig cfg;
  cfg.cpu.num_cpus = 2;
  Kernel& k = make_kernel(cfg);
  FakeNic nic(k, 0);
  nic.csum_unnecessary = false;
  const int fd = k.udp_socket(0, 5001);
  auto bad = udp_frame(Flow{}, pattern(1000, 1), 1);
  bad[34 + 6] ^= 0x5a;
  nic.inject({{50000, bad}, {150000, udp_frame(Flow{}, pattern(1000, 2), 2)}});
  long n = 0;
  double returned_ns = 0;
  uint64_t sleeps = 0;
  std::vector<uint8_t> got;
  k.cpus().create_task("reader", 1, [&](Task& t) {
    const uint64_t s0 = t.nvcsw();
    n = k.sys_recvmsg(fd, got, 65536, false);
    returned_ns = now_ns();
    sleeps = t.nvcsw() - s0;
  });
  run_for(400000);
  BOOST_TEST(n == 1000);
  BOOST_TEST((got == pattern(1000, 2)));
  BOOST_TEST(returned_ns > 150000.0);  // not before the good datagram came
  BOOST_TEST(sleeps == 2u);            // before the bad one, and again after it
  BOOST_TEST(k.udp.InCsumErrors == 1u);
  BOOST_TEST(k.udp.InErrors == 1u);
  BOOST_TEST(k.drop_count(Drop::UDP_CSUM) == 1u);
  BOOST_TEST(k.cpus().cpu(1).time_in(Ctx::user) > sc_core::SC_ZERO_TIME);
  check_balanced(k, 2);
}

// What softirq still checks (v6.8): a datagram of at most CHECKSUM_BREAK
// (76) bytes is summed in udp4_csum_init and a bad one dropped at
// __udp4_lib_rcv's csum_error, never queued; a zero check field means no
// checksum (UDP over IPv4) and is delivered unchecked; a bad datagram for a
// port nobody has is verified before NoPorts ("Drop packet silently, if
// checksum is wrong"): InCsumErrors, no NoPorts, no ICMP.
BOOST_AUTO_TEST_CASE(udp_checksums_softirq_still_verifies) {
  Kernel& k = make_kernel();
  FakeNic nic(k);
  nic.csum_unnecessary = false;
  Captured cap;
  k.set_tx_capture([&](TxKind kind, const std::vector<uint8_t>& f) { cap.frames.emplace_back(kind, f); });
  const int fd = k.udp_socket(0, 5001);
  auto short_bad = udp_frame(Flow{}, pattern(68, 1), 1);  // UDP length 76
  short_bad[34 + 6] ^= 0x5a;
  auto unchecked = udp_frame(Flow{}, pattern(300, 2), 2);
  unchecked[34 + 6] = unchecked[34 + 7] = 0;  // no checksum
  unchecked.back() ^= 0xff;                   // whatever the bytes, nothing to verify
  Flow closed;
  closed.dport = 6000;
  auto closed_bad = udp_frame(closed, pattern(300, 3), 3);
  closed_bad[34 + 6] ^= 0x5a;
  nic.inject({{1000, short_bad}, {3000, unchecked}, {5000, closed_bad}});
  run_for(100000);
  sock* sk = k.sock_of(fd);
  BOOST_TEST(sk->enqueued == 1u);  // only the unchecked one
  BOOST_TEST(k.udp.InCsumErrors == 2u);
  BOOST_TEST(k.udp.InErrors == 2u);
  BOOST_TEST(k.udp.NoPorts == 0u);
  BOOST_TEST(cap.frames.empty());
  BOOST_TEST(k.drop_count(Drop::UDP_CSUM) == 2u);
  std::vector<uint8_t> out;
  long n = 0;
  k.cpus().create_task("reader", 0, [&](Task&) { n = k.sys_recvmsg(fd, out, 65536, true); });
  run_for(100000);
  BOOST_TEST(n == 300);
  BOOST_TEST(k.udp.InDatagrams == 1u);
  BOOST_TEST(k.udp.InCsumErrors == 2u);
  check_balanced(k, 3);
}

// The field lists of /proc/net/snmp and /proc/net/netstat as Linux v6.8
// prints them (net/ipv4/proc.c: snmp_seq_show with icmp_put's columns from
// icmpmibmap; netstat_seq_show with snmp4_net_list and
// snmp4_ipextstats_list; names from include/uapi/linux/snmp.h), written out
// here from the kernel's lists: every field in the kernel's order, each
// header line with as many values as names, groups in the kernel's order.
BOOST_AUTO_TEST_CASE(proc_net_snmp_and_netstat_list_the_kernels_fields_in_order) {
  Kernel& k = make_kernel();
  const std::string snmp = k.proc_net_snmp(), netstat = k.proc_net_netstat();
  proc_fields(snmp);  // equal counts on every pair of lines
  proc_fields(netstat);
  BOOST_TEST(header_of(snmp, "Icmp") ==
             "InMsgs InErrors InCsumErrors InDestUnreachs InTimeExcds InParmProbs InSrcQuenchs InRedirects InEchos "
             "InEchoReps InTimestamps InTimestampReps InAddrMasks InAddrMaskReps OutMsgs OutErrors OutRateLimitGlobal "
             "OutRateLimitHost OutDestUnreachs OutTimeExcds OutParmProbs OutSrcQuenchs OutRedirects OutEchos "
             "OutEchoReps OutTimestamps OutTimestampReps OutAddrMasks OutAddrMaskReps");
  BOOST_TEST(snmp.find("IcmpMsg:") == std::string::npos);  // no ICMP counted yet: no IcmpMsg lines
  std::vector<std::string> groups;
  std::istringstream is(snmp);
  for (std::string line; std::getline(is, line);)
    if (groups.empty() || groups.back() != line.substr(0, line.find(':')))
      groups.push_back(line.substr(0, line.find(':')));
  BOOST_TEST((groups == std::vector<std::string>{"Ip", "Icmp", "Tcp", "Udp", "UdpLite"}));
  BOOST_TEST(header_of(netstat, "TcpExt") ==
             "SyncookiesSent SyncookiesRecv SyncookiesFailed EmbryonicRsts PruneCalled RcvPruned OfoPruned "
             "OutOfWindowIcmps LockDroppedIcmps ArpFilter TW TWRecycled TWKilled PAWSActive PAWSEstab DelayedACKs "
             "DelayedACKLocked DelayedACKLost ListenOverflows ListenDrops TCPHPHits TCPPureAcks TCPHPAcks "
             "TCPRenoRecovery TCPSackRecovery TCPSACKReneging TCPSACKReorder TCPRenoReorder TCPTSReorder TCPFullUndo "
             "TCPPartialUndo TCPDSACKUndo TCPLossUndo TCPLostRetransmit TCPRenoFailures TCPSackFailures "
             "TCPLossFailures TCPFastRetrans TCPSlowStartRetrans TCPTimeouts TCPLossProbes TCPLossProbeRecovery "
             "TCPRenoRecoveryFail TCPSackRecoveryFail TCPRcvCollapsed TCPBacklogCoalesce TCPDSACKOldSent "
             "TCPDSACKOfoSent TCPDSACKRecv TCPDSACKOfoRecv TCPAbortOnData TCPAbortOnClose TCPAbortOnMemory "
             "TCPAbortOnTimeout TCPAbortOnLinger TCPAbortFailed TCPMemoryPressures TCPMemoryPressuresChrono "
             "TCPSACKDiscard TCPDSACKIgnoredOld TCPDSACKIgnoredNoUndo TCPSpuriousRTOs TCPMD5NotFound "
             "TCPMD5Unexpected TCPMD5Failure TCPSackShifted TCPSackMerged TCPSackShiftFallback TCPBacklogDrop "
             "PFMemallocDrop TCPMinTTLDrop TCPDeferAcceptDrop IPReversePathFilter TCPTimeWaitOverflow "
             "TCPReqQFullDoCookies TCPReqQFullDrop TCPRetransFail TCPRcvCoalesce TCPOFOQueue TCPOFODrop TCPOFOMerge "
             "TCPChallengeACK TCPSYNChallenge TCPFastOpenActive TCPFastOpenActiveFail TCPFastOpenPassive "
             "TCPFastOpenPassiveFail TCPFastOpenListenOverflow TCPFastOpenCookieReqd TCPFastOpenBlackhole "
             "TCPSpuriousRtxHostQueues BusyPollRxPackets TCPAutoCorking TCPFromZeroWindowAdv TCPToZeroWindowAdv "
             "TCPWantZeroWindowAdv TCPSynRetrans TCPOrigDataSent TCPHystartTrainDetect TCPHystartTrainCwnd "
             "TCPHystartDelayDetect TCPHystartDelayCwnd TCPACKSkippedSynRecv TCPACKSkippedPAWS TCPACKSkippedSeq "
             "TCPACKSkippedFinWait2 TCPACKSkippedTimeWait TCPACKSkippedChallenge TCPWinProbe TCPKeepAlive "
             "TCPMTUPFail TCPMTUPSuccess TCPDelivered TCPDeliveredCE TCPAckCompressed TCPZeroWindowDrop TCPRcvQDrop "
             "TCPWqueueTooBig TCPFastOpenPassiveAltKey TcpTimeoutRehash TcpDuplicateDataRehash TCPDSACKRecvSegs "
             "TCPDSACKIgnoredDubious TCPMigrateReqSuccess TCPMigrateReqFailure TCPPLBRehash TCPAORequired TCPAOBad "
             "TCPAOKeyNotFound TCPAOGood TCPAODroppedIcmps");
  BOOST_TEST(header_of(netstat, "IpExt") ==
             "InNoRoutes InTruncatedPkts InMcastPkts OutMcastPkts InBcastPkts OutBcastPkts InOctets OutOctets "
             "InMcastOctets OutMcastOctets InBcastOctets OutBcastOctets InCsumErrors InNoECTPkts InECT1Pkts "
             "InECT0Pkts InCEPkts ReasmOverlaps");
  BOOST_TEST(netstat.rfind("TcpExt: ", 0) == 0);
  BOOST_TEST(netstat.find("\nIpExt: ") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(tcp_closed_port_rst_seq_ack) {
  Kernel& k = make_kernel();
  FakeNic nic(k);
  Captured cap;
  k.set_tx_capture([&](TxKind kind, const std::vector<uint8_t>& f) { cap.frames.emplace_back(kind, f); });
  Flow fl;
  fl.dport = 80;
  nic.inject({{10, tcp_frame(fl, 1000, 5555, 0x10, pattern(100, 3))},  // ACK with data -> RST seq=ack
              {5000, tcp_frame(fl, 7000, 0, 0x02, {})},                // SYN -> RST|ACK ack=seq+1
              {10000, tcp_frame(fl, 9000, 0, 0x08, pattern(50, 4))},   // PSH no ACK -> ack=seq+50
              {15000, tcp_frame(fl, 1, 1, 0x14, {})}});                // RST|ACK -> no reply
  run_for(100000);
  BOOST_TEST(k.tcp.OutRsts == 3u);
  BOOST_TEST(k.tcp.InSegs == 4u);
  BOOST_TEST(k.ip.OutRequests == 3u);  // every locally generated IP packet (__ip_local_out)
  BOOST_TEST(k.proc_net_snmp().find(" 3\n") != std::string::npos);  // OutTransmits, last Ip: column
  BOOST_TEST(k.drop_count(Drop::NO_SOCKET) == 4u);
  BOOST_REQUIRE(cap.frames.size() == 3u);
  auto th = [&](int i) { return cap.frames[i].second.data() + 34; };
  for (int i = 0; i < 3; ++i) {
    BOOST_TEST(int(cap.frames[i].first) == int(TxKind::TCP_RST));
    BOOST_TEST(rxpath::get_unaligned_be16(th(i)) == 80);
    BOOST_TEST(rxpath::get_unaligned_be16(th(i) + 2) == 40000);
    BOOST_TEST(rxpath::get_unaligned_be32(cap.frames[i].second.data() + 14 + 16) == PEER_IP);
  }
  BOOST_TEST(rxpath::get_unaligned_be32(th(0) + 4) == 5555u);
  BOOST_TEST(th(0)[13] == 0x04);
  BOOST_TEST(rxpath::get_unaligned_be32(th(1) + 4) == 0u);
  BOOST_TEST(rxpath::get_unaligned_be32(th(1) + 8) == 7001u);
  BOOST_TEST(th(1)[13] == 0x14);
  BOOST_TEST(rxpath::get_unaligned_be32(th(2) + 8) == 9050u);
  check_balanced(k, 4);
}

BOOST_AUTO_TEST_CASE(arp_request_for_us_is_answered) {
  Kernel& k = make_kernel();
  FakeNic nic(k);
  Captured cap;
  k.set_tx_capture([&](TxKind kind, const std::vector<uint8_t>& f) { cap.frames.emplace_back(kind, f); });
  nic.inject({{10, arp_request(PEER_IP, HOST_IP)}, {2000, arp_request(PEER_IP, 0x0A000063)}});
  run_for(50000);
  BOOST_REQUIRE(cap.frames.size() == 1u);
  const auto& f = cap.frames[0].second;
  BOOST_TEST(rxpath::get_unaligned_be16(f.data() + 14 + 6) == 2);         // reply
  BOOST_TEST(rxpath::get_unaligned_be32(f.data() + 14 + 14) == HOST_IP);  // sender = us
  BOOST_TEST(rxpath::get_unaligned_be32(f.data() + 14 + 24) == PEER_IP);
  BOOST_TEST(std::memcmp(f.data(), PEER_MAC, 6) == 0);
  BOOST_TEST(k.frame_account().consumed == 2u);
  check_balanced(k, 2);
}

BOOST_AUTO_TEST_CASE(reassembly_and_timeout) {
  Kernel& k = make_kernel();
  FakeNic nic(k);
  int fd = k.udp_socket(0, 5001);
  std::vector<Delivery> got;
  UserProcessConfig pc;
  pc.fds = {fd};
  pc.mode = WaitMode::blocking_recv;
  UserProcess proc(k, pc, [&](const Delivery& d) { got.push_back(d); });
  // 3000-byte UDP datagram in 3 fragments (1480, 1480, 48 bytes of L4), sent last-first.
  auto whole = udp_frame(Flow{}, pattern(3000, 9), 77);
  std::vector<uint8_t> l4(whole.begin() + 34, whole.end());
  auto frag = [&](size_t off, size_t len, bool more) {
    std::vector<uint8_t> part(l4.begin() + off, l4.begin() + off + len);
    return ipv4_frame(17, PEER_IP, HOST_IP, part, 77, uint16_t((more ? 0x2000 : 0) | (off / 8)));
  };
  nic.inject({{10, frag(2960, l4.size() - 2960, false)},
              {2000, frag(0, 1480, true)},
              {4000, frag(1480, 1480, true)},
              // a lone first fragment of another datagram that never completes
              {6000, frag(0, 1480, true)}});
  // (the last one reuses id 77 after reassembly finished: a new queue)
  run_for(200000);
  BOOST_REQUIRE(got.size() == 1u);
  BOOST_TEST(got[0].bytes == pattern(3000, 9));
  BOOST_TEST(k.ip.ReasmReqds == 4u);
  BOOST_TEST(k.ip.ReasmOKs == 1u);
  BOOST_TEST(k.ip.InReceives == 4u);
  BOOST_TEST(k.udp.InDatagrams == 1u);
  run_for(31e9);  // past ipfrag_time
  k.ip_expire_frags();
  BOOST_TEST(k.ip.ReasmTimeout == 1u);
  BOOST_TEST(k.ip.ReasmFails == 1u);
  BOOST_TEST(k.drop_count(Drop::IP_FRAG_TIMEOUT) == 1u);
  FrameAccount a = k.frame_account();
  BOOST_TEST(a.delivered == 3u);
  check_balanced(k, 4);
}

BOOST_AUTO_TEST_CASE(reassembly_memory_limit_counts_truesize) {
  // ip_frag_queue charges skb->truesize to the fragment memory; inet_frag_find
  // refuses (ReasmFails) once frag_mem > ipfrag_high_thresh, the arriving
  // fragment not counted: limit / truesize + 1 fragments are queued.
  KernelConfig cfg;
  cfg.ipfrag_high_thresh = 5000;
  Kernel& k = make_kernel(cfg);
  FakeNic nic(k);
  int fd = k.udp_socket(0, 5001);
  // A datagram of the same frame size as each fragment measures truesize.
  std::vector<std::pair<double, std::vector<uint8_t>>> fr;
  fr.emplace_back(10, udp_frame(Flow{}, pattern(992, 1), 5));
  std::vector<uint8_t> l4 = pattern(8000, 2);
  for (uint32_t off = 0; off < 8000; off += 1000) {
    std::vector<uint8_t> part(l4.begin() + off, l4.begin() + off + 1000);
    fr.emplace_back(1000 + off, ipv4_frame(17, PEER_IP, HOST_IP, part, 99, uint16_t(0x2000 | (off / 8))));
  }
  nic.inject(fr);
  run_for(100000);
  int64_t truesize = k.sock_of(fd)->sk_rmem_alloc;
  BOOST_REQUIRE(truesize > 1000);
  uint64_t queued = uint64_t(cfg.ipfrag_high_thresh / truesize + 1);
  BOOST_TEST(k.ip.ReasmReqds == 8u);
  BOOST_TEST(k.ip.ReasmFails == 8u - queued);
  BOOST_TEST(k.drop_count(Drop::IP_FRAG_FAIL) == 8u - queued);
  BOOST_TEST(k.frame_account().in_flight == 1u + queued);  // the datagram + queued fragments
  check_balanced(k, 9);
}

BOOST_AUTO_TEST_CASE(duplicate_udp_bind_is_refused) {
  // inet_bind -> udp_v4_get_port: without SO_REUSEADDR/SO_REUSEPORT (not
  // modelled) a second bind of an overlapping (addr, port) is EADDRINUSE.
  Kernel& k = make_kernel();
  k.udp_socket(0, 5001);
  k.udp_socket(HOST_IP, 5002);
  BOOST_CHECK_EXCEPTION(k.udp_socket(0, 5001), std::invalid_argument, [](const std::invalid_argument& e) {
    return std::string(e.what()).find("5001") != std::string::npos;
  });
  BOOST_CHECK_THROW(k.udp_socket(HOST_IP, 5001), std::invalid_argument);  // INADDR_ANY covers it
  BOOST_CHECK_THROW(k.udp_socket(0, 5002), std::invalid_argument);
  BOOST_CHECK_THROW(k.udp_socket(HOST_IP, 5002), std::invalid_argument);
  BOOST_CHECK_NO_THROW(k.udp_socket(PEER_IP, 5002));  // another local address
  BOOST_CHECK_NO_THROW(k.udp_socket(0, 5003));
}

BOOST_AUTO_TEST_CASE(udp_delivery_byte_exact_with_epoll_reader) {
  Kernel& k = make_kernel();
  FakeNic nic(k);
  int fd1 = k.udp_socket(0, 5001);
  int fd2 = k.udp_socket(HOST_IP, 5002);
  std::vector<Delivery> got;
  UserProcessConfig pc;
  pc.fds = {fd1, fd2};
  UserProcess proc(k, pc, [&](const Delivery& d) { got.push_back(d); });
  std::vector<std::pair<double, std::vector<uint8_t>>> fr;
  std::vector<std::vector<uint8_t>> sent[2];
  for (int i = 0; i < 200; ++i) {
    Flow f;
    f.dport = uint16_t(5001 + (i % 2));
    auto p = pattern(64 + (i * 7) % 1400, i);
    sent[i % 2].push_back(p);
    fr.emplace_back(500.0 * i, udp_frame(f, p, uint16_t(i)));
  }
  nic.inject(fr);
  run_for(2e6);
  BOOST_REQUIRE(got.size() == 200u);
  size_t idx[2] = {0, 0};
  for (auto& d : got) {
    int s = d.fd == fd1 ? 0 : 1;
    BOOST_TEST((d.bytes == sent[s][idx[s]++]));
  }
  BOOST_TEST(k.udp.InDatagrams == 200u);
  BOOST_TEST(k.ip.InDelivers == 200u);
  BOOST_TEST(k.softnet(0).processed == 200u);
  BOOST_TEST(k.frame_account().delivered == 200u);
  BOOST_TEST(k.frame_account().in_flight == 0u);
  check_balanced(k, 200);
  BOOST_TEST(k.proc_net_snmp().find("Udp: 200 0 0 0 0 0 0 0 0") != std::string::npos, k.proc_net_snmp());
}

// Broadcast UDP (net/ipv4/udp.c, __udp4_lib_rcv -> __udp4_lib_mcast_deliver):
// a datagram to 255.255.255.255 goes to every socket of its port that
// __udp_is_mcast_sock accepts (bound to INADDR_ANY or to the destination,
// unconnected), each member of a SO_REUSEPORT group included (the group's
// one-socket choice is for unicast only); the first gets the skb, the others
// clones. With no such socket the datagram is counted in Udp IgnoredMulti
// (not NoPorts) and no ICMP is sent. Multicast to 224.0.0.1, the all-hosts
// group every interface joins (ip_mc_up), is delivered the same way.
BOOST_AUTO_TEST_CASE(broadcast_and_multicast_udp_go_to_every_matching_socket) {
  Kernel& k = make_kernel();
  FakeNic nic(k);
  Captured cap;
  k.set_tx_capture([&](TxKind kind, const std::vector<uint8_t>& f) { cap.frames.emplace_back(kind, f); });
  const int a = k.udp_socket(0, 5001, -1, true);
  const int b = k.udp_socket(0, 5001, -1, true);
  const int bound = k.udp_socket(HOST_IP, 5002);  // bound to the host's address: not a broadcast's
  std::vector<Delivery> got;
  UserProcessConfig pc;
  pc.fds = {a, b, bound};
  UserProcess proc(k, pc, [&](const Delivery& d) { got.push_back(d); });
  auto to = [](uint32_t daddr, uint16_t dport, const uint8_t* mac, uint32_t seed) {
    Flow f;
    f.daddr = daddr;
    f.dport = dport;
    std::vector<uint8_t> fr = udp_frame(f, pattern(40, seed), uint16_t(seed));
    std::copy(mac, mac + 6, fr.begin());
    return fr;
  };
  const uint8_t bcast[6] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
  const uint8_t allhosts[6] = {0x01, 0x00, 0x5e, 0x00, 0x00, 0x01};
  nic.inject({{10, to(0xffffffffu, 5001, bcast, 1)},
              {2000, to(0xffffffffu, 5002, bcast, 2)},
              {4000, to(0xffffffffu, 5003, bcast, 3)},
              {6000, to(0xe0000001u, 5001, allhosts, 4)},
              {8000, to(0xef010101u, 5001, allhosts, 5)}});  // 239.1.1.1: a group nobody joined
  run_for(200000);
  // 255.255.255.255:5001 and 224.0.0.1:5001 each reach both reuseport sockets.
  BOOST_REQUIRE_EQUAL(got.size(), 4u);
  int per_fd[2] = {0, 0};
  for (const Delivery& d : got) {
    BOOST_TEST((d.fd == a || d.fd == b));
    ++per_fd[d.fd == a ? 0 : 1];
    const bool first = d.trace_id == got[0].trace_id;
    BOOST_TEST((d.bytes == pattern(40, first ? 1 : 4)));
  }
  BOOST_TEST(per_fd[0] == 2);
  BOOST_TEST(per_fd[1] == 2);
  // :5002 (only a socket bound to 10.0.0.1) and :5003 (none): IgnoredMulti.
  BOOST_TEST(k.udp.IgnoredMulti == 2u);
  BOOST_TEST(k.udp.NoPorts == 0u);
  BOOST_TEST(cap.frames.empty(), "no ICMP answers a broadcast");
  BOOST_TEST(k.drop_count(Drop::NO_SOCKET) == 0u);
  BOOST_TEST(k.proc_net_snmp().find("Udp: 4 0 0 0 0 0 0 2 0") != std::string::npos, k.proc_net_snmp());
  // Each wire frame ends in one place: the clones stand for no frame.
  BOOST_TEST(k.frame_account().delivered == 2u);
  check_balanced(k, 5);
}

// VLAN tags the NIC left in the frame (net/core/dev.c,
// __netif_receive_skb_core): skb_vlan_untag moves the tag out of the data;
// with no VLAN device (vlan_do_receive finds none) a nonzero VID makes the
// frame PACKET_OTHERHOST, which ip_rcv_core drops as OTHERHOST and counts in
// rx_otherhost_dropped; VID 0 (priority tagging) is delivered, also as the
// outer tag over an inner one, whose VID is then checked the same way. A tag
// with nothing after it is freed by skb_vlan_untag. An EtherType nobody
// handles counts in rx_dropped (no rx_handler asks for exact delivery, so
// not rx_nohandler).
BOOST_AUTO_TEST_CASE(vlan_tags_are_taken_off_and_a_foreign_vid_is_otherhost) {
  Kernel& k = make_kernel();
  FakeNic nic(k);
  Captured cap;
  k.set_tx_capture([&](TxKind kind, const std::vector<uint8_t>& f) { cap.frames.emplace_back(kind, f); });
  const int fd = k.udp_socket(0, 5001);
  std::vector<Delivery> got;
  UserProcessConfig pc;
  pc.fds = {fd};
  UserProcess proc(k, pc, [&](const Delivery& d) { got.push_back(d); });
  auto tag = [](std::vector<uint8_t> f, uint16_t tpid, uint16_t tci) {
    const uint8_t t[4] = {uint8_t(tpid >> 8), uint8_t(tpid), uint8_t(tci >> 8), uint8_t(tci)};
    f.insert(f.begin() + 12, t, t + 4);
    return f;
  };
  Flow to_open, to_closed;
  to_closed.dport = 6000;
  std::vector<uint8_t> unknown = udp_frame(to_open, pattern(30, 9));
  unknown[12] = 0x88;
  unknown[13] = 0xb5;                                                           // IEEE local experimental EtherType
  nic.inject({{10, tag(udp_frame(to_open, pattern(30, 1)), 0x8100, 0x6000)},    // PCP 3, VID 0
              {2000, tag(udp_frame(to_open, pattern(30, 2)), 0x8100, 0x0005)},  // VID 5
              {4000, tag(tag(udp_frame(to_open, pattern(30, 3)), 0x8100, 0), 0x88a8, 0)},  // QinQ, both VID 0
              {6000, tag(tag(udp_frame(to_open, pattern(30, 4)), 0x8100, 7), 0x88a8, 0)},  // inner VID 7
              {8000, tag(udp_frame(to_closed, pattern(30, 5)), 0x8100, 0)},                // VID 0, closed port
              {12000, unknown}});
  // A tag and nothing after it (the FakeNic passes short frames on).
  std::vector<uint8_t> cut(unknown.begin(), unknown.begin() + 12);
  const uint8_t t[4] = {0x81, 0x00, 0x00, 0x00};
  cut.insert(cut.end(), t, t + 4);
  nic.inject({{14000, cut}});
  run_for(300000);
  BOOST_REQUIRE_EQUAL(got.size(), 2u);
  BOOST_TEST((got[0].bytes == pattern(30, 1)));
  BOOST_TEST((got[1].bytes == pattern(30, 3)));
  BOOST_TEST(k.drop_count(Drop::OTHERHOST) == 2u);
  BOOST_TEST(nic.dev.stats.rx_otherhost_dropped == 2u);
  BOOST_TEST(k.drop_count(Drop::UNHANDLED_PROTO) == 1u);
  BOOST_TEST(nic.dev.stats.rx_dropped == 1u);
  BOOST_TEST(nic.dev.stats.rx_nohandler == 0u);
  // The closed port is answered, to the sender's MAC: the MAC header moved
  // up over the tag (skb_reorder_vlan_header) and still names the peer.
  BOOST_REQUIRE_EQUAL(cap.frames.size(), 1u);
  const std::vector<uint8_t>& icmp = cap.frames[0].second;
  BOOST_TEST(int(cap.frames[0].first) == int(TxKind::ICMP_PORT_UNREACH));
  BOOST_TEST(std::equal(PEER_MAC, PEER_MAC + 6, icmp.begin()));
  BOOST_TEST(rxpath::get_unaligned_be16(icmp.data() + 14 + 28 + 20 + 2) == 6000);
  BOOST_TEST(k.udp.NoPorts == 1u);
  // The 16-byte frame (a tag, no type after it) is freed by skb_vlan_untag.
  BOOST_TEST(k.drop_count(Drop::NOT_SPECIFIED) == 1u);
  check_balanced(k, 7);
}
