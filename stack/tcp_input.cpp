// SPDX-License-Identifier: Apache-2.0
// stack/tcp_input.cpp: TCP input for established connections
// (net/ipv4/tcp_ipv4.c, net/ipv4/tcp_input.c, net/ipv4/inet_hashtables.c).
// Connections come from configuration (Kernel::tcp_established); no
// listener/handshake, no FIN/teardown. ACKs as net/ipv4/tcp_input.c decides
// them (quickack mode, one ACK per two full segments, the delayed ACK) with
// tcp_send_ack / tcp_send_delayed_ack (net/ipv4/tcp_output.c), the
// delayed-ACK timer (net/ipv4/tcp_timer.c) and tcp_cleanup_rbuf
// (net/ipv4/tcp.c).
#include "stack/internal.hpp"

namespace rxpath::stack {

namespace {

// icsk_ack.pending bits (include/net/inet_connection_sock.h).
enum : uint8_t {
  ICSK_ACK_SCHED = 1,
  ICSK_ACK_TIMER = 2,
  ICSK_ACK_PUSHED = 4,
  ICSK_ACK_PUSHED2 = 8,
  ICSK_ACK_NOW = 16,
  ICSK_ACK_NOMEM = 32,
};
constexpr unsigned TCP_MAX_QUICKACKS = 16;  // include/net/tcp.h
constexpr uint32_t TCP_MSS_DEFAULT = 536, TCP_MIN_MSS = 88;
constexpr uint32_t TCP_HEADER_LEN = 20;  // tp->tcp_header_len: no timestamps in the model
// include/net/tcp.h, in jiffies of CONFIG_HZ `hz`.
uint32_t tcp_ato_min(int hz) { return static_cast<uint32_t>(hz / 25); }     // TCP_ATO_MIN
uint32_t tcp_delack_min(int hz) { return static_cast<uint32_t>(hz / 25); }  // TCP_DELACK_MIN
uint32_t tcp_delack_max(int hz) { return static_cast<uint32_t>(hz / 5); }   // TCP_DELACK_MAX

bool inet_csk_ack_scheduled(const sock* sk) { return sk->ack_pending & ICSK_ACK_SCHED; }
// tcp_in_quickack_mode (net/ipv4/tcp_input.c): never pingpong here (no data
// sent), no RTAX_QUICKACK route metric.
bool tcp_in_quickack_mode(const sock* sk) { return sk->ack_quick != 0; }

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

  uint64_t jiffies() const { return k.cpus().jiffies_at(c.effective_time()); }
  int hz() const { return k.cpus().config().hz; }

  // __tcp_select_window (net/ipv4/tcp_output.c), the model's window: the
  // free receive buffer (no scaling ratio, no rcv_ssthresh, no rounding).
  // Below half the buffer free, quickack mode ends.
  uint32_t __tcp_select_window(sock* sk) {
    int64_t space = sk->sk_rcvbuf - sk->sk_rmem_alloc;
    if (space < sk->sk_rcvbuf / 2) sk->ack_quick = 0;
    return space > 0 ? static_cast<uint32_t>(space) : 0;
  }

  // tcp_send_ack (net/ipv4/tcp_output.c): tcp_select_window (the offered
  // window's right edge never moves left), then tcp_event_ack_sent.
  void tcp_send_ack(sock* sk) {
    c.defer(k.cost().tcp_send_ack);
    uint32_t new_win = __tcp_select_window(sk);
    uint32_t cur_win = tcp_receive_window(sk);
    sk->rcv_wnd = std::max(new_win, cur_win);
    sk->rcv_wup = sk->rcv_nxt;
    ++sk->acks_sent;
    ++k.tcp.OutSegs;
    ++k.ip.OutRequests;  // __ip_local_out: every locally generated IP packet
    uint16_t win = static_cast<uint16_t>(std::min<uint32_t>(sk->rcv_wnd >> 7, 0xffff));  // wscale 7
    tcp_event_ack_sent(sk);
    RXS_DBG(tcp, "ACK fd " << sk->fd << " ack " << sk->rcv_nxt << " win " << sk->rcv_wnd << " cpu " << c.id());
    k.tx_emit(TxKind::TCP_ACK, build_tcp_frame(sk->peer_mac, sk->local_mac, sk->rcv_saddr, sk->daddr, sk->num,
                                               sk->dport, sk->snd_nxt, sk->rcv_nxt, TCPHDR_ACK, win));
  }

  // tcp_event_ack_sent (net/ipv4/tcp_output.c): tcp_dec_quickack_mode (one
  // credit per ACK of new data), then inet_csk_clear_xmit_timer(ICSK_TIME_DACK)
  // clears icsk_ack.pending; the timer itself stays armed and finds nothing
  // to do (INET_CSK_CLEAR_TIMERS is not defined).
  void tcp_event_ack_sent(sock* sk) {
    if (sk->ack_quick) {
      const unsigned pkts = inet_csk_ack_scheduled(sk) ? 1 : 0;
      if (pkts >= sk->ack_quick) {
        sk->ack_quick = 0;
        sk->ack_ato = tcp_ato_min(hz());  // leaving quickack mode deflates the ATO
      } else {
        sk->ack_quick = static_cast<uint8_t>(sk->ack_quick - pkts);
      }
    }
    sk->ack_pending = 0;
  }

  // tcp_send_delayed_ack (net/ipv4/tcp_output.c): the ACK waits up to the
  // ATO, bounded by HZ/2 (TCP_DELACK_MAX once a pushed segment was seen),
  // by no RTT (none is measured here) and by icsk_delack_max
  // (TCP_DELACK_MAX); an ACK already pending keeps its earlier timeout, and
  // goes now when that is within ato/4.
  void tcp_send_delayed_ack(sock* sk) {
    uint32_t ato = sk->ack_ato;
    if (ato > tcp_delack_min(hz())) {
      uint32_t max_ato = static_cast<uint32_t>(hz() / 2);
      if (sk->ack_pending & ICSK_ACK_PUSHED) max_ato = tcp_delack_max(hz());
      ato = std::min(ato, max_ato);
    }
    ato = std::min(ato, tcp_delack_max(hz()));
    const uint64_t now = jiffies();
    uint64_t timeout = now + ato;
    if (sk->ack_pending & ICSK_ACK_TIMER) {
      if (sk->ack_timeout <= now + (ato >> 2)) {
        tcp_send_ack(sk);
        return;
      }
      if (timeout >= sk->ack_timeout) timeout = sk->ack_timeout;
    }
    sk->ack_pending |= ICSK_ACK_SCHED | ICSK_ACK_TIMER;
    sk->ack_timeout = timeout;
    k.sk_reset_timer(sk, timeout);
  }

  // __tcp_ack_snd_check (net/ipv4/tcp_input.c): ACK now when more than one
  // full segment is unacknowledged and the window's right edge would move
  // (or the reader has read everything: sk_rcvlowat), in quickack mode, or
  // when ICSK_ACK_NOW was asked for; out-of-order data is ACKed now too
  // (no SACK, so no SACK compression); otherwise a delayed ACK.
  void __tcp_ack_snd_check(sock* sk, bool ofo_possible) {
    if ((sk->rcv_nxt - sk->rcv_wup > sk->rcv_mss &&
         (sk->rcv_nxt - sk->copied_seq < static_cast<uint32_t>(sk->sk_rcvlowat) ||
          __tcp_select_window(sk) >= sk->rcv_wnd)) ||
        tcp_in_quickack_mode(sk) || (sk->ack_pending & ICSK_ACK_NOW)) {
      tcp_send_ack(sk);
      return;
    }
    if (!ofo_possible || sk->out_of_order_queue.empty()) {
      tcp_send_delayed_ack(sk);
      return;
    }
    tcp_send_ack(sk);  // !tcp_is_sack(tp): send_now
  }

  // tcp_ack_snd_check (net/ipv4/tcp_input.c)
  void tcp_ack_snd_check(sock* sk) {
    if (!inet_csk_ack_scheduled(sk)) return;
    __tcp_ack_snd_check(sk, true);
  }

  // tcp_incr_quickack (net/ipv4/tcp_input.c): credits for the window in
  // pairs of segments, at least 2, at most max_quickacks.
  void tcp_incr_quickack(sock* sk, unsigned max_quickacks) {
    unsigned quickacks = sk->rcv_wnd / (2 * sk->rcv_mss);
    if (quickacks == 0) quickacks = 2;
    quickacks = std::min(quickacks, max_quickacks);
    if (quickacks > sk->ack_quick) sk->ack_quick = static_cast<uint8_t>(quickacks);
  }

  // tcp_enter_quickack_mode (net/ipv4/tcp_input.c): no pingpong to leave.
  void tcp_enter_quickack_mode(sock* sk, unsigned max_quickacks) {
    tcp_incr_quickack(sk, max_quickacks);
    sk->ack_ato = tcp_ato_min(hz());
  }

  // tcp_measure_rcv_mss (net/ipv4/tcp_input.c): rcv_mss follows full-sized
  // segments (the model has no advmss: capped at 65535 instead); a pushed
  // full segment sets ICSK_ACK_PUSHED, short ones PUSHED then PUSHED2 unless
  // two in a row have the same size (then that is the MSS). No scaling_ratio.
  void tcp_measure_rcv_mss(sock* sk, const sk_buff* skb) {
    const uint32_t lss = sk->last_seg_size;
    sk->last_seg_size = 0;
    uint32_t len = skb->shinfo.gso_size ? skb->shinfo.gso_size : skb->len;
    if (len >= sk->rcv_mss) {
      sk->rcv_mss = std::min<uint32_t>(len, 65535);
      if (skb->cb.tcp_flags & TCPHDR_PSH) sk->ack_pending |= ICSK_ACK_PUSHED;
      return;
    }
    len += skb->data - skb->transport_header;  // the TCP header (pulled)
    constexpr uint8_t TCP_REMNANT = TCPHDR_FIN | TCPHDR_URG | TCPHDR_SYN | TCPHDR_PSH;
    if (len >= TCP_MSS_DEFAULT + 20 || (len >= TCP_MIN_MSS + 20 && !(skb->cb.tcp_flags & TCP_REMNANT))) {
      len -= TCP_HEADER_LEN;
      sk->last_seg_size = len;
      if (len == lss) {
        sk->rcv_mss = len;
        return;
      }
    }
    if (sk->ack_pending & ICSK_ACK_PUSHED) sk->ack_pending |= ICSK_ACK_PUSHED2;
    sk->ack_pending |= ICSK_ACK_PUSHED;
  }

  // tcp_event_data_recv (net/ipv4/tcp_input.c): an ACK is now due; the ATO
  // follows the gaps between data segments; the first segment, and one
  // after a gap longer than the RTO, give quickack credits. No
  // tcp_grow_window, no RTT measurement, no ECN.
  void tcp_event_data_recv(sock* sk, const sk_buff* skb) {
    sk->ack_pending |= ICSK_ACK_SCHED;  // inet_csk_schedule_ack
    tcp_measure_rcv_mss(sk, skb);
    const uint32_t now = static_cast<uint32_t>(jiffies()), ato_min = tcp_ato_min(hz());
    if (!sk->ack_ato) {
      tcp_incr_quickack(sk, TCP_MAX_QUICKACKS);
      sk->ack_ato = ato_min;
    } else {
      const uint32_t m = now - sk->ack_lrcvtime;
      if (m <= ato_min / 2) {
        sk->ack_ato = (sk->ack_ato >> 1) + ato_min / 2;
      } else if (m < sk->ack_ato) {
        sk->ack_ato = std::min((sk->ack_ato >> 1) + m, sk->icsk_rto);
      } else if (m > sk->icsk_rto) {
        tcp_incr_quickack(sk, TCP_MAX_QUICKACKS);
      }
    }
    sk->ack_lrcvtime = now;
  }

  // tcp_delack_timer_handler (net/ipv4/tcp_timer.c): a timer that came
  // early is re-armed; a due one sends the ACK if one is still scheduled,
  // doubling the ATO (bounded by the RTO), and counts DelayedACKs.
  void tcp_delack_timer_handler(sock* sk) {
    if (sk->state == TcpState::CLOSE) return;
    if (!(sk->ack_pending & ICSK_ACK_TIMER)) return;
    if (sk->ack_timeout > jiffies()) {
      k.sk_reset_timer(sk, sk->ack_timeout);
      return;
    }
    sk->ack_pending &= static_cast<uint8_t>(~ICSK_ACK_TIMER);
    if (inet_csk_ack_scheduled(sk)) {
      sk->ack_ato = std::min(sk->ack_ato << 1, sk->icsk_rto);  // "Delayed ACK missed: inflate ATO"
      tcp_send_ack(sk);
      ++k.tcpext.DelayedACKs;
    }
  }

  // tcp_delack_timer (net/ipv4/tcp_timer.c): nothing pending -> nothing to
  // do; a socket the reader owns gets the work at release_sock
  // (TCP_DELACK_TIMER_DEFERRED -> tcp_release_cb), counted DelayedACKLocked.
  void tcp_delack_timer(sock* sk) {
    if (!(sk->ack_pending & ICSK_ACK_TIMER)) return;
    if (!sk->owned_by_user) {
      tcp_delack_timer_handler(sk);
    } else {
      ++k.tcpext.DelayedACKLocked;
      sk->delack_timer_deferred = true;
    }
  }

  // __tcp_cleanup_rbuf (net/ipv4/tcp.c)
  void tcp_cleanup_rbuf(sock* sk, long copied) {
    bool time_to_ack = false;
    if (inet_csk_ack_scheduled(sk)) {
      // the once-per-two-segments ACK tcp_input.c did not send, or this
      // read emptied the buffer after a pushed short segment
      if (sk->rcv_nxt - sk->rcv_wup > sk->rcv_mss ||
          (copied > 0 && (sk->ack_pending & (ICSK_ACK_PUSHED2 | ICSK_ACK_PUSHED)) && sk->sk_rmem_alloc == 0))
        time_to_ack = true;
    }
    // The read freed enough that the window at least doubles.
    if (copied > 0 && !time_to_ack) {
      const uint32_t rcv_window_now = tcp_receive_window(sk);
      if (2ull * rcv_window_now <= sk->window_clamp) {
        const uint32_t new_window = __tcp_select_window(sk);
        if (new_window && new_window >= 2ull * rcv_window_now) time_to_ack = true;
      }
    }
    if (time_to_ack) tcp_send_ack(sk);
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

  // tcp_data_queue_ofo (net/ipv4/tcp_input.c): a queued (or wholly
  // duplicate) segment schedules an ACK, which tcp_ack_snd_check sends at
  // once (out-of-order data, no SACK).
  void tcp_data_queue_ofo(sock* sk, sk_buff* skb) {
    c.defer(k.cost().tcp_ofo);
    if (!tcp_try_rmem_schedule(sk)) {
      ++k.tcpext.TCPOFODrop;
      drop(skb, Drop::TCP_OFO_DROP);
      return;
    }
    sk->ack_pending |= ICSK_ACK_SCHED;  // inet_csk_schedule_ack
    ++k.tcpext.TCPOFOQueue;
    uint32_t seq = skb->cb.seq, end = skb->cb.end_seq;
    auto& q = sk->out_of_order_queue;
    // An earlier (or same-start) segment covering all of it: drop (OFOMERGE).
    auto it = q.upper_bound(seq);
    if (it != q.begin()) {
      auto prev = std::prev(it);
      if (!after(end, prev->second->cb.end_seq) && !before(seq, prev->second->cb.seq)) {
        drop(skb, Drop::TCP_OFO_DROP, "");
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
  }

  // out_of_window in tcp_data_queue: quickack mode and an ACK due.
  void out_of_window(sock* sk) {
    tcp_enter_quickack_mode(sk, TCP_MAX_QUICKACKS);
    sk->ack_pending |= ICSK_ACK_SCHED;
  }

  // tcp_data_queue (net/ipv4/tcp_input.c); its caller runs
  // tcp_ack_snd_check after it.
  void tcp_data_queue(sock* sk, sk_buff* skb) {
    uint32_t seq = skb->cb.seq, end = skb->cb.end_seq;
    if (seq == end) {
      k.consume_skb(skb);
      return;
    }
    if (seq == sk->rcv_nxt || (before(seq, sk->rcv_nxt) && after(end, sk->rcv_nxt))) {
      if (!tcp_receive_window(sk)) {
        ++k.tcpext.TCPZeroWindowDrop;
        out_of_window(sk);
        drop(skb, Drop::TCP_ZEROWINDOW);
        return;
      }
      // queue_and_out: schedule (prune) whenever over the limit; on failure
      // an ACK now (ICSK_ACK_NOMEM | ICSK_ACK_NOW), sk_data_ready, and drop
      // only if the reader has data queued (otherwise
      // sk_forced_mem_schedule takes the segment).
      if (!tcp_try_rmem_schedule(sk)) {
        sk->ack_pending |= ICSK_ACK_NOMEM | ICSK_ACK_NOW | ICSK_ACK_SCHED;
        k.sock_def_readable(sk);
        if (sk->sk_receive_queue.qlen) {
          ++k.tcpext.TCPRcvQDrop;
          drop(skb, Drop::TCP_RCVQ_FULL);
          return;
        }
      }
      tcp_queue_rcv(sk, skb);
      const sk_buff* woke = k.trace_hub() ? skb : nullptr;  // still queued: the reader runs after our sync
      tcp_event_data_recv(sk, skb);
      if (!sk->out_of_order_queue.empty()) {
        tcp_ofo_queue(sk);
        // RFC 5681 4.2: an ACK at once when the hole is filled.
        if (sk->out_of_order_queue.empty()) sk->ack_pending |= ICSK_ACK_NOW;
      }
      k.sock_def_readable(sk, woke);
      return;
    }
    if (!after(end, sk->rcv_nxt)) {  // all old: D-SACK, dup ACK
      ++k.tcpext.DelayedACKLost;
      out_of_window(sk);
      drop(skb, Drop::TCP_OLD_DATA);
      return;
    }
    if (!before(seq, sk->rcv_nxt + tcp_receive_window(sk))) {
      out_of_window(sk);
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
      tcp_event_data_recv(sk, skb);
      __tcp_ack_snd_check(sk, false);  // the ACK acks nothing new of ours
      k.sock_def_readable(sk, woke);
      return;
    }
    tcp_data_queue(sk, skb);
    tcp_ack_snd_check(sk);
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
  // tcp_release_cb (net/ipv4/tcp_output.c): the delayed-ACK timer's work
  // deferred while the reader owned the socket.
  if (sk->delack_timer_deferred) {
    sk->delack_timer_deferred = false;
    t.tcp_delack_timer_handler(sk);
  }
  sk->owned_by_user = false;
}

void Kernel::tcp_cleanup_rbuf(sock* sk, long copied) {
  TcpIn t{*this, current_cpu()};
  t.tcp_cleanup_rbuf(sk, copied);
}

// ---- timers (kernel/time/timer.c) -------------------------------------------
namespace {
sc_core::sc_time jiffies_to_time(uint64_t j, int hz) { return sc_core::sc_time(j * 1e9 / hz, sc_core::SC_NS); }

// The timer event for the earliest timer of the bases whose CPU has no
// LOCAL_TIMER_IRQ outstanding (those re-arm it when their softirq ran).
void timer_rearm(Kernel::Impl& m, int hz) {
  uint64_t first = UINT64_MAX;
  for (size_t cpu = 0; cpu < m.timer_bases.size(); ++cpu)
    if (!m.timer_irq_raised[cpu] && !m.timer_bases[cpu].empty())
      first = std::min(first, m.timer_bases[cpu].begin()->first);
  m.timer_ev->ev.cancel();
  if (first == UINT64_MAX) return;
  const sc_core::sc_time at = jiffies_to_time(first, hz), now = sc_core::sc_time_stamp();
  m.timer_ev->ev.notify(at > now ? at - now : sc_core::SC_ZERO_TIME);
}
}  // namespace

// sk_reset_timer -> mod_timer (kernel/time/timer.c): the same expiry again
// changes nothing; otherwise the timer moves to this CPU's base.
void Kernel::sk_reset_timer(sock* sk, uint64_t expires) {
  Cpu& c = current_cpu();
  if (sk->delack_timer_pending && sk->delack_timer_expires == expires && sk->delack_timer_cpu == c.id()) return;
  if (!impl_->timer_irq_requested) {
    impl_->timer_irq_requested = true;
    // sysvec_apic_timer_interrupt -> hrtimer_interrupt -> tick ->
    // run_local_timers: raise TIMER_SOFTIRQ (hardirq context).
    engine_->request_irq(
        LOCAL_TIMER_IRQ, [](Cpu& cpu, int) { cpu.raise_softirq_irqoff(TIMER_SOFTIRQ); }, "LOC (local timer)");
  }
  if (sk->delack_timer_pending) impl_->timer_bases[sk->delack_timer_cpu].erase({sk->delack_timer_expires, sk->fd});
  sk->delack_timer_pending = true;
  sk->delack_timer_expires = expires;
  sk->delack_timer_cpu = c.id();
  impl_->timer_bases[c.id()].insert({expires, sk->fd});
  timer_rearm(*impl_, cfg_.cpu.hz);
}

// The local APIC timer fires on each CPU that has a timer due.
void Kernel::timer_expired() {
  const uint64_t now = engine_->jiffies_at(sc_core::sc_time_stamp());
  for (size_t cpu = 0; cpu < impl_->timer_bases.size(); ++cpu) {
    const auto& base = impl_->timer_bases[cpu];
    if (impl_->timer_irq_raised[cpu] || base.empty() || base.begin()->first > now) continue;
    impl_->timer_irq_raised[cpu] = true;
    engine_->raise_irq(static_cast<int>(cpu), LOCAL_TIMER_IRQ);
  }
  timer_rearm(*impl_, cfg_.cpu.hz);
}

// run_timer_softirq -> __run_timers (kernel/time/timer.c): every timer of
// this CPU's base due by now; a socket's is tcp_delack_timer.
void Kernel::run_timer_softirq(Cpu& c) {
  TcpIn t{*this, c};
  auto& base = impl_->timer_bases[c.id()];
  const uint64_t now = engine_->jiffies_at(c.effective_time());
  while (!base.empty() && base.begin()->first <= now) {
    sock* sk = sock_of(base.begin()->second);
    base.erase(base.begin());
    sk->delack_timer_pending = false;
    t.tcp_delack_timer(sk);
  }
  impl_->timer_irq_raised[c.id()] = false;
  timer_rearm(*impl_, cfg_.cpu.hz);
}

}  // namespace rxpath::stack
