// SPDX-License-Identifier: Apache-2.0
// stack/udp.cpp: UDP input (net/ipv4/udp.c) and sock_def_readable
// (net/core/sock.c).
#include <exception>

#include "stack/internal.hpp"

namespace rxpath::stack {

// udp_poll / tcp_poll, readable part (net/ipv4/udp.c, net/ipv4/tcp.c).
unsigned sock_poll(const sock* sk) {
  if (sk->protocol == IPPROTO_TCP_) return sk->rcv_nxt != sk->copied_seq ? (EPOLLIN | EPOLLRDNORM) : 0u;
  return sk->sk_receive_queue.qlen || sk->reader_queue.qlen ? (EPOLLIN | EPOLLRDNORM) : 0u;
}

bool udp_lib_checksum_complete(Cpu& c, const CostTable& cost, sk_buff* skb) {
  const uint8_t* iph = skb->head_ptr() + skb->network_header;
  const uint8_t* uh = skb->head_ptr() + skb->transport_header;
  const unsigned payload_off = skb->transport_header + 8u - skb->data;  // 8 before skb_pull, 0 after
  const unsigned ulen = 8u + skb->len - payload_off;
  c.defer(cost.csum_per_byte * ulen);
  uint32_t sum = csum_tcpudp_nofold(get_unaligned_be32(iph + 12), get_unaligned_be32(iph + 16), ulen, IPPROTO_UDP_, 0);
  sum = csum_partial(uh, 8, sum);
  if (csum_fold(skb_checksum(skb, payload_off, ulen - 8u, sum)) != 0) return true;
  skb->ip_summed = CHECKSUM_UNNECESSARY;
  return false;
}

// udp_rmem_release (net/ipv4/udp.c) with partial = 1, as the reader's
// udp_skb_destructor calls it: the datagram's truesize joins forward_deficit,
// and sk_rmem_alloc drops by the whole deficit only once it reaches a quarter
// of sk_rcvbuf (forward_threshold) or the reader queue is empty; then the
// receive queue is spliced onto the reader queue ("this can save us from
// acquiring the rx queue lock on next receive"). Until then the memory
// still counts against sk_rcvbuf in __udp_enqueue_schedule_skb.
void udp_rmem_release(sock* sk, int64_t size) {
  sk->forward_deficit += size;
  if (sk->forward_deficit < (sk->sk_rcvbuf >> 2) && sk->reader_queue.qlen) return;
  sk->sk_rmem_alloc -= sk->forward_deficit;
  sk->forward_deficit = 0;
  skb_queue_splice_tail_init(&sk->sk_receive_queue, &sk->reader_queue);
}

// sock_def_readable's trace point. `skb` (the packet just queued; a reader
// may free it once this CPU syncs) gets its stage at once, and while the
// readers are woken (from wakes() to the end of the scope) it is the packet
// whose arrival wakes them (TraceHub::wake_id of the CPU, restored after: a
// nested softirq in process context may wake others meanwhile).
namespace {
class ReadableTrace {
 public:
  ReadableTrace(Kernel& k, Cpu& c, sock* sk, const sk_buff* skb) {
    if (k.trace_hub()) readable(k, c, sk, skb);
  }
  void wakes() {
    if (k_) set_wake_id();
  }
  ~ReadableTrace() {
    if (k_) restore_wake_id();
  }
  ReadableTrace(const ReadableTrace&) = delete;
  ReadableTrace& operator=(const ReadableTrace&) = delete;

 private:
  RXPATH_TRACE_COLD void readable(Kernel& k, Cpu& c, sock* sk, const sk_buff* skb);
  RXPATH_TRACE_COLD void set_wake_id();
  RXPATH_TRACE_COLD void restore_wake_id();
  // Untraced, the hot path stores k_ only; readable() sets the rest.
  Kernel* k_ = nullptr;  // set when a tracer was attached as sock_def_readable began
  Cpu* c_;
  TraceHub* waking_;  // the hub whose wake_id is set, if any
  uint64_t id_, saved_;
  int exceptions_;  // std::uncaught_exceptions() when set
};

void ReadableTrace::readable(Kernel& k, Cpu& c, sock* sk, const sk_buff* skb) {
  k_ = &k;
  c_ = &c;
  waking_ = nullptr;
  id_ = 0;
  if (!k.trace_hub()->wants(skb)) return;
  id_ = skb->trace_id;
  k.trace_stagef("sock_def_readable", skb, "fd %d waiters %zu", sk->fd, sk->sk_wq.len);
}

void ReadableTrace::set_wake_id() {
  waking_ = k_->trace_hub();
  if (!waking_) return;
  exceptions_ = std::uncaught_exceptions();
  saved_ = waking_->wake_id[c_->id()];
  waking_->wake_id[c_->id()] = id_;
}

void ReadableTrace::restore_wake_id() {
  if (!waking_ || std::uncaught_exceptions() > exceptions_) return;  // not set, or left by an exception
  if (waking_ == k_->trace_hub()) waking_->wake_id[c_->id()] = saved_;
}
}  // namespace

// sock_def_readable (net/core/sock.c): wake every waiter on sk_wq.
void Kernel::sock_def_readable(sock* sk, const sk_buff* skb) {
  Cpu& c = current_cpu();
  c.defer(cost_.sock_def_readable);
  ReadableTrace trace(*this, c, sk, skb);
  if (sk->sk_wq.active()) {
    RXS_DBG(sock, "fd " << sk->fd << " readable, " << sk->sk_wq.len << " waiters");
    c.sync();
    trace.wakes();
    __wake_up(&sk->sk_wq, 1, 1,
              reinterpret_cast<void*>(static_cast<uintptr_t>(EPOLLIN | EPOLLPRI | EPOLLRDNORM | EPOLLRDBAND)));
  }
}

namespace {
// compute_score (net/ipv4/udp.c): -1 if the socket does not match.
int compute_score(const sock* sk, uint32_t saddr, uint16_t sport, uint32_t daddr) {
  int score = 0;
  if (sk->rcv_saddr) {
    if (sk->rcv_saddr != daddr) return -1;
    score += 4;
  }
  if (sk->daddr) {
    if (sk->daddr != saddr) return -1;
    score += 4;
  }
  if (sk->dport) {
    if (sk->dport != sport) return -1;
    score += 4;
  }
  return score;
}
}  // namespace

// __udp4_lib_rcv (net/ipv4/udp.c)
void Kernel::udp_rcv(sk_buff* skb) {
  Cpu& c = current_cpu();
  c.defer(cost_.udp_rcv);
  if (th_) trace_stage("udp_rcv", skb);
  auto short_packet = [&]() {
    ++udp.InErrors;
    kfree_skb_reason(skb, Drop::PKT_TOO_SMALL, "Udp: InErrors");
  };
  if (!pskb_may_pull(skb, 8)) return short_packet();
  const uint8_t* uh = skb->data_ptr();
  unsigned ulen = get_unaligned_be16(uh + 4);
  if (ulen > skb->len || ulen < 8) return short_packet();
  skb_trim(skb, ulen);
  uh = skb->data_ptr();
  const uint8_t* iph = skb->head_ptr() + skb->network_header;
  uint32_t saddr = get_unaligned_be32(iph + 12), daddr = get_unaligned_be32(iph + 16);
  uint16_t sport = get_unaligned_be16(uh), dport = get_unaligned_be16(uh + 2);
  // csum_error: counted in InCsumErrors and InErrors, freed as UDP_CSUM.
  auto csum_error = [&]() {
    ++udp.InCsumErrors;
    ++udp.InErrors;
    RXS_DBG(udp, "checksum error port " << dport);
    kfree_skb_reason(skb, Drop::UDP_CSUM);
  };
  // udp4_csum_init -> skb_checksum_init_zero_check (include/linux/skbuff.h,
  // __skb_checksum_validate): nothing to do for a datagram the NIC verified
  // or whose check field is 0 (no checksum, allowed for UDP over IPv4).
  // Otherwise __skb_checksum_validate_complete sums a datagram of at most
  // CHECKSUM_BREAK bytes at once (a bad one goes to csum_error here); a
  // longer one stays unverified: with no socket filter udp_queue_rcv_one_skb
  // does not check it either, so it is queued, charged to rmem and wakes the
  // reader, whose udp_recvmsg verifies it (csum_copy_err). Only a datagram
  // for no socket is verified in full here, before NoPorts.
  if (skb->ip_summed != CHECKSUM_UNNECESSARY && get_unaligned_be16(uh + 6) == 0)
    skb->ip_summed = CHECKSUM_UNNECESSARY;  // skb->csum_valid
  if (skb->ip_summed != CHECKSUM_UNNECESSARY && ulen <= CHECKSUM_BREAK && udp_lib_checksum_complete(c, cost_, skb))
    return csum_error();
  // __udp4_lib_rcv: a route flagged RTCF_BROADCAST or RTCF_MULTICAST goes
  // to every matching socket instead of the one best match.
  if (daddr == 0xffffffffu || (daddr >> 28) == 0xe) return __udp4_lib_mcast_deliver(skb, saddr, sport, daddr, dport);
  // __udp4_lib_lookup: hslot by port, best compute_score.
  sock* best = nullptr;
  int best_score = -1;
  auto range = impl_->udp_table.equal_range(dport);
  for (auto it = range.first; it != range.second; ++it) {
    int s = compute_score(it->second, saddr, sport, daddr);
    if (s > best_score) {
      best_score = s;
      best = it->second;
    }
  }
  // udp4_lib_lookup2 -> inet_lookup_reuseport -> reuseport_select_sock: the
  // best-scoring socket's group picks a member by the flow's udp_ehashfn
  // (reuseport_select_sock_by_hash: reciprocal_scale(hash, num_socks); no
  // BPF program, no connected members, no SO_INCOMING_CPU).
  if (best && best->sk_reuseport) {
    const std::vector<sock*>& socks = impl_->reuseport_groups[best->reuseport_group];
    best = socks[reciprocal_scale(udp_ehashfn(daddr, dport, saddr, sport), static_cast<uint32_t>(socks.size()))];
  }
  if (th_) {
    if (best)
      trace_stagef("__udp4_lib_lookup", skb, "fd %d", best->fd);
    else
      trace_stagef("__udp4_lib_lookup", skb, "no socket, port %u", dport);
  }
  if (!best) {
    // "No socket. Drop packet silently, if checksum is wrong"
    if (skb->ip_summed != CHECKSUM_UNNECESSARY && udp_lib_checksum_complete(c, cost_, skb)) return csum_error();
    ++udp.NoPorts;
    RXS_DBG(udp, "NoPorts port " << dport);
    if (skb->pkt_type == PACKET_HOST) icmp_send_unreach(skb, 3);  // ICMP_PORT_UNREACH
    kfree_skb_reason(skb, Drop::NO_SOCKET);
    return;
  }
  udp_queue_rcv_skb(best, skb);
}

// __udp4_lib_mcast_deliver (net/ipv4/udp.c): every socket of the port's slot
// that __udp_is_mcast_sock accepts gets the datagram, the first the skb
// itself and the others a clone; with none, the datagram is freed with no
// drop reason (kfree_skb) and counted in IgnoredMulti: no NoPorts, no ICMP
// (icmp_send never answers a broadcast or multicast). Reuseport groups are not consulted: each member
// gets its copy. A socket bound to INADDR_ANY takes multicast for any group
// the host has joined (IP_MULTICAST_ALL is on by default, ip_mc_sf_allow).
void Kernel::__udp4_lib_mcast_deliver(sk_buff* skb, uint32_t saddr, uint16_t sport, uint32_t daddr, uint16_t dport) {
  std::vector<sock*> takers;
  auto range = impl_->udp_table.equal_range(dport);
  for (auto it = range.first; it != range.second; ++it) {
    const sock* sk = it->second;
    // __udp_is_mcast_sock: a connected peer, a connected port or a bound
    // local address must match what the datagram carries.
    if ((sk->daddr && sk->daddr != saddr) || (sk->dport && sk->dport != sport) ||
        (sk->rcv_saddr && sk->rcv_saddr != daddr))
      continue;
    takers.push_back(it->second);
  }
  if (th_) trace_stagef("__udp4_lib_mcast_deliver", skb, "%zu socket(s), port %u", takers.size(), dport);
  if (takers.empty()) {
    ++udp.IgnoredMulti;
    RXS_DBG(udp, "IgnoredMulti port " << dport);
    kfree_skb_reason(skb, Drop::NOT_SPECIFIED, "Udp: IgnoredMulti");
    return;
  }
  for (size_t i = 1; i < takers.size(); ++i) udp_queue_rcv_skb(takers[i], skb_clone(skb));
  udp_queue_rcv_skb(takers[0], skb);
}

// udp_queue_rcv_skb -> __udp_queue_rcv_skb -> __udp_enqueue_schedule_skb
// (net/ipv4/udp.c): charge the socket's receive memory and queue.
void Kernel::udp_queue_rcv_skb(sock* sk, sk_buff* skb) {
  Cpu& c = current_cpu();
  skb_pull(skb, 8);
  if (sk->sk_rmem_alloc > sk->sk_rcvbuf) {
    ++sk->sk_drops;
    ++udp.RcvbufErrors;
    ++udp.InErrors;
    RXS_DBG(udp, "RcvbufErrors fd " << sk->fd << " rmem " << sk->sk_rmem_alloc);
    kfree_skb_reason(skb, Drop::SOCKET_RCVBUFF);
    return;
  }
  // The enqueue is visible to a reader running on another CPU: the batch
  // of deferred cost is bounded by max_defer_ns (how early such a reader can
  // see the datagram). Sleeping readers are woken at the right time by
  // wake_up_process, which syncs the waker for cross-CPU wakeups.
  if (c.debt_ns() > cfg_.max_defer_ns) c.sync();
  sk->sk_rmem_alloc += skb->truesize;
  skb->sk = sk;
  __skb_queue_tail(&sk->sk_receive_queue, skb);
  ++sk->enqueued;
  RXS_DBG(udp, "enqueue fd " << sk->fd << " len " << skb->len << " trace " << skb->trace_id);
  if (th_) {
    trace_sock_now(sk);
    trace_stagef("__udp_enqueue_schedule_skb", skb, "fd %d qlen %u rmem %lld", sk->fd, sk->sk_receive_queue.qlen,
                 (long long)sk->sk_rmem_alloc);
  }
  sock_def_readable(sk, skb);
}

}  // namespace rxpath::stack
