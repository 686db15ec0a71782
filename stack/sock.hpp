// SPDX-License-Identifier: Apache-2.0
// stack/sock.hpp: struct sock with the UDP and TCP receive state the model
// needs (include/net/sock.h, include/linux/tcp.h). One struct for both
// protocols (the kernel's udp_sock/tcp_sock extend struct sock). The
// out-of-order queue is ordered by tcp_seq_before (wrap-aware), not by raw
// uint32.
#pragma once

#include <array>
#include <cstdint>
#include <map>

#include "stack/cpu.hpp"
#include "stack/skbuff.hpp"
#include "stack/tracing.hpp"

namespace rxpath::stack {

constexpr uint8_t IPPROTO_ICMP_ = 1, IPPROTO_TCP_ = 6, IPPROTO_UDP_ = 17;

// Poll bits (include/uapi/linux/eventpoll.h).
enum : unsigned {
  EPOLLIN = 0x001,
  EPOLLPRI = 0x002,
  EPOLLOUT = 0x004,
  EPOLLERR = 0x008,
  EPOLLHUP = 0x010,
  EPOLLRDNORM = 0x040,
  EPOLLRDBAND = 0x080,
  EPOLLONESHOT = 1u << 30,
  EPOLLET = 1u << 31,
};

enum class TcpState : uint8_t { ESTABLISHED = 1, SYN_RECV = 3, CLOSE = 7, LISTEN = 10 };

// Sequence order of the OFO queue: before() of include/net/tcp.h, so the
// queue stays sorted across a sequence wrap as the kernel's rbtree does
// (keys always lie within one receive window, far less than 2^31).
struct tcp_seq_before {
  bool operator()(uint32_t a, uint32_t b) const { return static_cast<int32_t>(a - b) < 0; }
};

struct sock {
  int fd = -1;
  uint8_t protocol = IPPROTO_UDP_;
  // addresses, host byte order; rcv_saddr 0 = INADDR_ANY
  uint32_t rcv_saddr = 0, daddr = 0;
  uint16_t num = 0, dport = 0;  // local port (inet_num), remote port
  uint32_t sk_hash = 0;
  bool sk_reuseport = false;  // SO_REUSEPORT
  int reuseport_group = -1;   // index of its sock_reuseport group (Kernel::Impl), -1 = none

  sk_buff_head sk_receive_queue;
  // UDP (struct udp_sock): the reader takes datagrams from reader_queue,
  // into which sk_receive_queue is spliced whole when it runs dry, and
  // frees their memory in batches (udp_rmem_release): forward_deficit is
  // what was read but not yet taken off sk_rmem_alloc.
  sk_buff_head reader_queue;
  int64_t forward_deficit = 0;
  int64_t sk_rmem_alloc = 0;  // bytes of truesize charged
  int64_t sk_rcvbuf = 212992;
  int sk_rcvlowat = 1;
  uint64_t sk_drops = 0;
  wait_queue_head sk_wq;       // sk->sk_wq->wait
  bool owned_by_user = false;  // lock_sock held by the reader
  sk_buff_head sk_backlog;
  int64_t backlog_len = 0;

  // TCP receive state (struct tcp_sock)
  TcpState state = TcpState::CLOSE;
  uint32_t rcv_nxt = 0;                      // next sequence expected
  uint32_t copied_seq = 0;                   // next byte the reader gets
  uint32_t snd_nxt = 0, snd_una = 0;         // our side (for ACK/RST numbers)
  uint32_t rcv_wnd = 65535;                  // window advertised in our last ACK
  uint32_t rcv_wup = 0;                      // rcv_nxt when that ACK was sent
  uint32_t rcv_mss = 536;                    // icsk_ack.rcv_mss: largest segment seen
  uint8_t peer_mac[6] = {0, 0, 0, 0, 0, 0};  // for the ACKs we send
  uint8_t local_mac[6] = {0, 0, 0, 0, 0, 0};
  std::map<uint32_t, sk_buff*, tcp_seq_before> out_of_order_queue;  // seq -> skb (rbtree in kernel)
  uint32_t rx_offset = 0;                                           // bytes of the head skb already read
  uint64_t acks_sent = 0;
  uint32_t window_clamp = 0;  // tp->window_clamp: the largest window offered (sk_rcvbuf: no autotuning)

  // Delayed ACK (struct inet_connection_sock's icsk_ack, in jiffies). No
  // pingpong mode (the model sends no data) and no RTT estimate (no
  // handshake, no data sent): tcp_send_delayed_ack bounds the ATO without it.
  uint8_t ack_pending = 0;     // ICSK_ACK_SCHED | _TIMER | _PUSHED | _PUSHED2 | _NOW | _NOMEM
  uint8_t ack_quick = 0;       // icsk_ack.quick: ACKs left to send at once (quickack mode)
  uint32_t ack_ato = 0;        // icsk_ack.ato; 0 until the first data segment
  uint32_t ack_lrcvtime = 0;   // icsk_ack.lrcvtime: jiffies of the last data segment
  uint64_t ack_timeout = 0;    // icsk_ack.timeout: when the delayed ACK is due
  uint32_t last_seg_size = 0;  // icsk_ack.last_seg_size (tcp_measure_rcv_mss)
  uint32_t icsk_rto = 0;       // icsk_rto in jiffies (Kernel::tcp_established: TCP_RTO_MIN)
  // icsk_delack_timer: armed on one CPU's timer base until it expires
  // (Kernel::sk_reset_timer); TCP_DELACK_TIMER_DEFERRED when it found the
  // socket owned by the reader (tcp_release_cb runs it).
  bool delack_timer_pending = false, delack_timer_deferred = false;
  int delack_timer_cpu = -1;
  uint64_t delack_timer_expires = 0;

  // Statistics of the model
  uint64_t enqueued = 0, delivered_msgs = 0, delivered_bytes = 0;
  // tracing: host.sock.fd<N>.{rx_queue,rmem,backlog,ofo} (Kernel::trace_sock)
  TraceSig t_rx_queue, t_rmem, t_backlog, t_ofo;
};

}  // namespace rxpath::stack
