// SPDX-License-Identifier: Apache-2.0
// stack/tcp_input.cpp: TCP input for established connections
// (net/ipv4/tcp_ipv4.c, net/ipv4/tcp_input.c, net/ipv4/inet_hashtables.c).
// Connections come from configuration (Kernel::tcp_established); no
// listener/handshake, no FIN/teardown, no delayed-ACK timer.
#include "stack/internal.hpp"

namespace rxpath::stack {

namespace {

// tcp_receive_window (include/net/tcp.h)
uint32_t tcp_receive_window(const sock* sk) {
  int64_t win = static_cast<int64_t>(sk->rcv_wup) + sk->rcv_wnd - sk->rcv_nxt;
  return win < 0 ? 0 : static_cast<uint32_t>(win);
}

std::vector<uint8_t> build_tcp_frame(const uint8_t* dst_mac, const uint8_t* src_mac, uint32_t saddr, uint32_t daddr,
                                     uint16_t sport, uint16_t dport, uint32_t seq, uint32_t ack, uint8_t flags,
                                     uint16_t win) {
  std::vector<uint8_t> f(54, 0);
  std::memcpy(f.data(), dst_mac, 6);
  std::memcpy(f.data() + 6, src_mac, 6);
  put_unaligned_be16(ETH_P_IP, f.data() + 12);
  uint8_t* ip4 = f.data() + 14;
  ip4[0] = 0x45;
  put_unaligned_be16(40, ip4 + 2);
  put_unaligned_be16(0x4000, ip4 + 6);
  ip4[8] = 64;
  ip4[9] = IPPROTO_TCP_;
  put_unaligned_be32(saddr, ip4 + 12);
  put_unaligned_be32(daddr, ip4 + 16);
  put_unaligned_be16(ip_fast_csum(ip4, 5), ip4 + 10);
  uint8_t* th = ip4 + 20;
  put_unaligned_be16(sport, th);
  put_unaligned_be16(dport, th + 2);
  put_unaligned_be32(seq, th + 4);
  put_unaligned_be32(ack, th + 8);
  th[12] = 5 << 4;
  th[13] = flags;
  put_unaligned_be16(win, th + 14);
  put_unaligned_be16(csum_fold(csum_partial(th, 20, csum_tcpudp_nofold(saddr, daddr, 20, IPPROTO_TCP_, 0))), th + 16);
  return f;
}

}  // namespace

struct TcpIn {
  Kernel& k;
  Cpu& c;

  // tcp_send_ack (net/ipv4/tcp_output.c): window = free receive buffer.
  void tcp_send_ack(sock* sk) {
    c.defer(k.cost().tcp_send_ack);
    // __tcp_select_window / tcp_select_window: free buffer space, but the
    // offered window's right edge never moves left.
    int64_t space = sk->sk_rcvbuf - sk->sk_rmem_alloc;
    uint32_t new_win = space > 0 ? static_cast<uint32_t>(space) : 0;
    uint32_t cur_win = tcp_receive_window(sk);
    sk->rcv_wnd = std::max(new_win, cur_win);
    sk->rcv_wup = sk->rcv_nxt;
    ++sk->acks_sent;
    ++k.tcp.OutSegs;
    ++k.ip.OutRequests;  // __ip_local_out: every locally generated IP packet
    uint16_t win = static_cast<uint16_t>(std::min<uint32_t>(sk->rcv_wnd >> 7, 0xffff));  // wscale 7
    k.tx_emit(TxKind::TCP_ACK, build_tcp_frame(sk->peer_mac, sk->local_mac, sk->rcv_saddr, sk->daddr, sk->num,
                                               sk->dport, sk->snd_nxt, sk->rcv_nxt, TCPHDR_ACK, win));
  }

  // __tcp_ack_snd_check (net/ipv4/tcp_input.c): more than one full segment
  // unacknowledged, or out-of-order data -> ACK now (no delayed-ACK timer).
  void tcp_ack_snd_check(sock* sk) {
    if (sk->rcv_nxt - sk->rcv_wup > sk->rcv_mss || !sk->out_of_order_queue.empty()) tcp_send_ack(sk);
  }

  void drop(sk_buff* skb, Drop why, const char* mib = nullptr) { k.kfree_skb_reason(skb, why, mib); }
  void trace_sock(const sock* sk) {
    if (k.trace_hub()) k.trace_sock_now(sk);
  }
  // A queueing stage: "fd <fd> <what> <n>" (call with a tracer attached).
  RXPATH_TRACE_COLD void stage(const char* name, const sk_buff* skb, const sock* sk, const char* what, uint64_t n) {
    k.trace_sock_now(sk);
    k.trace_stagef(name, skb, "fd %d %s %llu", sk->fd, what, (unsigned long long)n);
  }

  void ofo_unlink_drop(sock* sk, decltype(sock::out_of_order_queue)::iterator it, Drop why) {
    sk->sk_rmem_alloc -= it->second->truesize;
    sk_buff* skb = it->second;
    sk->out_of_order_queue.erase(it);
    drop(skb, why);
    trace_sock(sk);
  }

  // tcp_prune_ofo_queue (net/ipv4/tcp_input.c): drop from the highest seq.
  bool tcp_prune_ofo_queue(sock* sk) {
    if (sk->out_of_order_queue.empty()) return false;
    while (!sk->out_of_order_queue.empty() && sk->sk_rmem_alloc > sk->sk_rcvbuf)
      ofo_unlink_drop(sk, std::prev(sk->out_of_order_queue.end()), Drop::TCP_OFO_PRUNE);
    return true;
  }

  // tcp_try_rmem_schedule -> tcp_prune_queue (collapse not modelled).
  bool tcp_try_rmem_schedule(sock* sk) {
    if (sk->sk_rmem_alloc <= sk->sk_rcvbuf) return true;
    ++k.tcpext.PruneCalled;
    tcp_prune_ofo_queue(sk);
    if (sk->sk_rmem_alloc <= sk->sk_rcvbuf) return true;
    ++k.tcpext.RcvPruned;
    return false;
  }

  void tcp_queue_rcv(sock* sk, sk_buff* skb) {
    if (c.debt_ns() > k.config().max_defer_ns) c.sync();  // see udp.cpp
    sk->sk_rmem_alloc += skb->truesize;
    skb->sk = sk;
    __skb_queue_tail(&sk->sk_receive_queue, skb);
    ++sk->enqueued;
    sk->rcv_nxt = skb->cb.end_seq;
    if (k.trace_hub()) stage("tcp_queue_rcv", skb, sk, "qlen", sk->sk_receive_queue.qlen);
  }

  // tcp_ofo_queue (net/ipv4/tcp_input.c): move now-in-order segments.
  void tcp_ofo_queue(sock* sk) {
    while (!sk->out_of_order_queue.empty()) {
      auto it = sk->out_of_order_queue.begin();
      sk_buff* skb = it->second;
      if (after(skb->cb.seq, sk->rcv_nxt)) break;
      sk->out_of_order_queue.erase(it);
      sk->sk_rmem_alloc -= skb->truesize;
      if (!after(skb->cb.end_seq, sk->rcv_nxt)) {
        drop(skb, Drop::TCP_OFO_DROP, "");
        trace_sock(sk);
        continue;
      }
      tcp_queue_rcv(sk, skb);
    }
  }

  // tcp_data_queue_ofo (net/ipv4/tcp_input.c)
  void tcp_data_queue_ofo(sock* sk, sk_buff* skb) {
    c.defer(k.cost().tcp_ofo);
    if (!tcp_try_rmem_schedule(sk)) {
      ++k.tcpext.TCPOFODrop;
      drop(skb, Drop::TCP_OFO_DROP);
      return;
    }
    ++k.tcpext.TCPOFOQueue;
    uint32_t seq = skb->cb.seq, end = skb->cb.end_seq;
    auto& q = sk->out_of_order_queue;
    // An earlier (or same-start) segment covering all of it: drop (OFOMERGE).
    auto it = q.upper_bound(seq);
    if (it != q.begin()) {
      auto prev = std::prev(it);
      if (!after(end, prev->second->cb.end_seq) && !before(seq, prev->second->cb.seq)) {
        drop(skb, Drop::TCP_OFO_DROP, "");
        tcp_send_ack(sk);
        return;
      }
    }
    // Segments it covers completely go.
    for (auto j = q.lower_bound(seq); j != q.end() && !after(j->second->cb.end_seq, end);) {
      auto nx = std::next(j);
      if (!before(j->second->cb.seq, seq)) ofo_unlink_drop(sk, j, Drop::TCP_OFO_DROP);
      j = nx;
    }
    sk->sk_rmem_alloc += skb->truesize;
    skb->sk = sk;
    q.emplace(seq, skb);
    if (k.trace_hub()) stage("tcp_data_queue_ofo", skb, sk, "ofo", q.size());
    tcp_send_ack(sk);  // out-of-order: immediate (dup) ACK with SACK
  }

  // tcp_data_queue (net/ipv4/tcp_input.c)
  void tcp_data_queue(sock* sk, sk_buff* skb) {
    uint32_t seq = skb->cb.seq, end = skb->cb.end_seq;
    if (seq == end) {
      k.consume_skb(skb);
      return;
    }
    if (seq == sk->rcv_nxt || (before(seq, sk->rcv_nxt) && after(end, sk->rcv_nxt))) {
      if (!tcp_receive_window(sk)) {
        ++k.tcpext.TCPZeroWindowDrop;
        tcp_send_ack(sk);
        drop(skb, Drop::TCP_ZEROWINDOW);
        return;
      }
      // queue_and_out: schedule (prune) whenever over the limit; on failure
      // sk_data_ready, and drop only if the reader has data queued
      // (otherwise sk_forced_mem_schedule takes the segment).
      if (!tcp_try_rmem_schedule(sk)) {
        k.sock_def_readable(sk);
        if (sk->sk_receive_queue.qlen) {
          ++k.tcpext.TCPRcvQDrop;
          drop(skb, Drop::TCP_RCVQ_FULL);
          return;
        }
      }
      bool had_ofo = !sk->out_of_order_queue.empty();
      tcp_queue_rcv(sk, skb);
      const sk_buff* woke = k.trace_hub() ? skb : nullptr;  // still queued: the reader runs after our sync
      if (had_ofo) {
        tcp_ofo_queue(sk);
        tcp_send_ack(sk);  // hole filled: ACK now
      } else {
        tcp_ack_snd_check(sk);
      }
      k.sock_def_readable(sk, woke);
      return;
    }
    if (!after(end, sk->rcv_nxt)) {  // all old: D-SACK, dup ACK
      ++k.tcpext.DelayedACKLost;
      tcp_send_ack(sk);
      drop(skb, Drop::TCP_OLD_DATA);
      return;
    }
    if (!before(seq, sk->rcv_nxt + tcp_receive_window(sk))) {
      tcp_send_ack(sk);
      drop(skb, Drop::TCP_OVERWINDOW);
      return;
    }
    tcp_data_queue_ofo(sk, skb);
  }

  // tcp_rcv_established (net/ipv4/tcp_input.c): header prediction fast path.
  void tcp_rcv_established(sock* sk, sk_buff* skb) {
    const uint8_t* th = skb->data_ptr();
    unsigned thlen = (th[12] >> 4) * 4u;
    uint8_t flags = skb->cb.tcp_flags;
    std::memcpy(sk->peer_mac, skb->head_ptr() + skb->mac_header + 6, 6);
    std::memcpy(sk->local_mac, skb->head_ptr() + skb->mac_header, 6);
    skb_pull(skb, thlen);
    if (flags & TCPHDR_RST) {  // tcp_validate_incoming -> tcp_reset
      if (!before(skb->cb.seq, sk->rcv_nxt) &&
          before(skb->cb.seq, sk->rcv_nxt + std::max<uint32_t>(1, tcp_receive_window(sk)))) {
        sk->state = TcpState::CLOSE;
        if (k.tcp.CurrEstab) --k.tcp.CurrEstab;
        k.sock_def_readable(sk);  // tcp_done -> sk_state_change: wake the readers
      }
      drop(skb, Drop::TCP_RESET);
      return;
    }
    if ((flags & TCPHDR_SYN) || !(flags & TCPHDR_ACK)) {  // not modelled in ESTABLISHED
      drop(skb, Drop::NOT_SPECIFIED);
      return;
    }
    unsigned len = skb->len;
    uint32_t seg = skb->shinfo.gso_size ? skb->shinfo.gso_size : len;
    if (seg > sk->rcv_mss) sk->rcv_mss = std::min<uint32_t>(seg, 65535);
    if (len == 0) {  // pure ACK (tcp_ack)
      k.consume_skb(skb);
      return;
    }
    bool predicted = (flags & ~(TCPHDR_ACK | TCPHDR_PSH)) == 0 && skb->cb.seq == sk->rcv_nxt &&
                     sk->out_of_order_queue.empty() && tcp_receive_window(sk) > 0 && sk->sk_rmem_alloc <= sk->sk_rcvbuf;
    if (predicted) {
      ++k.tcpext.TCPHPHits;
      tcp_queue_rcv(sk, skb);
      const sk_buff* woke = k.trace_hub() ? skb : nullptr;
      tcp_ack_snd_check(sk);
      k.sock_def_readable(sk, woke);
      return;
    }
    tcp_data_queue(sk, skb);
  }

  // tcp_v4_send_reset (net/ipv4/tcp_ipv4.c)
  void tcp_v4_send_reset(sk_buff* skb) {
    const uint8_t* th = skb->data_ptr();
    uint8_t flags = th[13];
    if (flags & TCPHDR_RST) return;
    if (skb->pkt_type != PACKET_HOST) return;
    const uint8_t* iph = skb->head_ptr() + skb->network_header;
    const uint8_t* eth = skb->head_ptr() + skb->mac_header;
    uint32_t seq = 0, ack = 0;
    uint8_t rflags;
    if (flags & TCPHDR_ACK) {
      seq = get_unaligned_be32(th + 8);
      rflags = TCPHDR_RST;
    } else {
      unsigned thlen = (th[12] >> 4) * 4u;
      ack = get_unaligned_be32(th + 4) + ((flags & TCPHDR_SYN) ? 1 : 0) + ((flags & TCPHDR_FIN) ? 1 : 0) +
            (skb->len - thlen);
      rflags = TCPHDR_RST | TCPHDR_ACK;
    }
    c.defer(k.cost().tcp_send_ack);
    ++k.tcp.OutRsts;
    ++k.tcp.OutSegs;
    ++k.ip.OutRequests;  // ip_send_unicast_reply -> ip_local_out
    RXS_DBG(tcp, "RST to port " << get_unaligned_be16(th) << " seq " << seq << " ack " << ack);
    k.tx_emit(TxKind::TCP_RST, build_tcp_frame(eth + 6, skb->dev->dev_addr.data(), get_unaligned_be32(iph + 16),
                                               get_unaligned_be32(iph + 12), get_unaligned_be16(th + 2),
                                               get_unaligned_be16(th), seq, ack, rflags, 0));
  }
};

// tcp_v4_rcv (net/ipv4/tcp_ipv4.c)
void Kernel::tcp_v4_rcv(sk_buff* skb) {
  Cpu& c = current_cpu();
  c.defer(cost_.tcp_v4_rcv);
  TcpIn t{*this, c};
  if (th_) trace_stage("tcp_v4_rcv", skb);
  if (skb->pkt_type != PACKET_HOST) {
    kfree_skb_reason(skb, Drop::OTHERHOST, "");
    return;
  }
  ++tcp.InSegs;
  if (!pskb_may_pull(skb, 20)) {
    kfree_skb_reason(skb, Drop::PKT_TOO_SMALL, "");
    return;
  }
  unsigned doff = (skb->data_ptr()[12] >> 4) * 4u;
  if (doff < 20) {
    ++tcp.InErrs;
    kfree_skb_reason(skb, Drop::TCP_INHDR);
    return;
  }
  if (!pskb_may_pull(skb, doff)) {
    kfree_skb_reason(skb, Drop::PKT_TOO_SMALL, "");
    return;
  }
  const uint8_t* iph = skb->head_ptr() + skb->network_header;
  uint32_t saddr = get_unaligned_be32(iph + 12), daddr = get_unaligned_be32(iph + 16);
  if (skb->ip_summed != CHECKSUM_UNNECESSARY) {  // tcp_v4_checksum_init + checksum_complete
    c.defer(cost_.csum_per_byte * skb->len);
    uint32_t sum = csum_tcpudp_nofold(saddr, daddr, skb->len, IPPROTO_TCP_, 0);
    if (csum_fold(skb_checksum(skb, 0, skb->len, sum)) != 0) {
      ++tcp.InCsumErrors;
      ++tcp.InErrs;
      RXS_DBG(tcp, "checksum error trace " << skb->trace_id);
      kfree_skb_reason(skb, Drop::TCP_CSUM);
      return;
    }
    skb->ip_summed = CHECKSUM_UNNECESSARY;
  }
  const uint8_t* th = skb->data_ptr();
  uint16_t sport = get_unaligned_be16(th), dport = get_unaligned_be16(th + 2);
  uint8_t flags = th[13];
  skb->cb.seq = get_unaligned_be32(th + 4);
  skb->cb.end_seq = skb->cb.seq + ((flags & TCPHDR_SYN) ? 1 : 0) + (skb->len - doff);  // FIN not modelled
  skb->cb.ack_seq = get_unaligned_be32(th + 8);
  skb->cb.tcp_flags = flags;
  // __inet_lookup_established: ehash chain of the 4-tuple, sk_hash first.
  uint32_t hash = impl_->inet_ehashfn(daddr, dport, saddr, sport);
  sock* sk = nullptr;
  for (sock* s : impl_->tcp_ehash[hash & (cfg_.ehash_buckets - 1)]) {
    if (s->sk_hash == hash && s->rcv_saddr == daddr && s->num == dport && s->daddr == saddr && s->dport == sport) {
      sk = s;
      break;
    }
  }
  if (th_) {
    if (sk)
      trace_stagef("__inet_lookup_established", skb, "fd %d", sk->fd);
    else
      trace_stage("__inet_lookup_established", skb, "no socket");
  }
  if (!sk || sk->state != TcpState::ESTABLISHED) {
    // no_tcp_socket (no listeners modelled)
    t.tcp_v4_send_reset(skb);
    kfree_skb_reason(skb, Drop::NO_SOCKET, "Tcp: OutRsts");
    return;
  }
  if (sk->owned_by_user) {
    // tcp_add_backlog: limit rcvbuf + sndbuf/2 + 64 KB; sk_add_backlog ->
    // sk_rcvqueues_full leaves the arriving skb's truesize out.
    int64_t limit = sk->sk_rcvbuf + cfg_.tcp_wmem_default / 2 + 64 * 1024;
    if (sk->backlog_len + sk->sk_rmem_alloc > limit) {
      ++tcpext.TCPBacklogDrop;
      kfree_skb_reason(skb, Drop::TCP_BACKLOG);
      return;
    }
    sk->backlog_len += skb->truesize;
    __skb_queue_tail(&sk->sk_backlog, skb);
    if (th_) t.stage("tcp_add_backlog", skb, sk, "backlog", sk->sk_backlog.qlen);
    RXS_DBG(tcp, "backlog fd " << sk->fd << " seq " << skb->cb.seq);
    return;
  }
  t.tcp_rcv_established(sk, skb);
}

// lock_sock (net/core/sock.c)
void Kernel::lock_sock(sock* sk) { sk->owned_by_user = true; }

// release_sock -> __release_sock -> tcp_v4_do_rcv for the backlog.
void Kernel::release_sock(sock* sk) {
  Cpu& c = current_cpu();
  TcpIn t{*this, c};
  while (sk_buff* skb = __skb_dequeue(&sk->sk_backlog)) {
    sk->backlog_len -= skb->truesize;
    c.defer(cost_.tcp_v4_rcv);
    if (th_) t.stage("__release_sock", skb, sk, "backlog", sk->sk_backlog.qlen);
    uint32_t frames = skb->frames;
    in_transit_ += frames;
    t.tcp_rcv_established(sk, skb);
    in_transit_ -= frames;
  }
  sk->backlog_len = 0;
  sk->owned_by_user = false;
}

}  // namespace rxpath::stack
