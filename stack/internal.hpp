// SPDX-License-Identifier: Apache-2.0
// stack/internal.hpp: state shared by the stack's .cpp files (not API).
#pragma once

#include <cstring>
#include <deque>
#include <map>
#include <memory>
#include <set>
#include <tuple>
#include <unordered_map>
#include <vector>

#include "common/unaligned.hpp"  // get_unaligned_be16 and kin: header fields
#include "stack/hash.hpp"
#include "stack/kernel.hpp"

namespace rxpath::stack {

// Sequence-number comparisons (include/net/tcp.h before/after).
inline bool before(uint32_t a, uint32_t b) { return static_cast<int32_t>(a - b) < 0; }
inline bool after(uint32_t a, uint32_t b) { return before(b, a); }

// Internet checksum helpers (lib/checksum.c).
uint32_t csum_partial(const uint8_t* p, size_t len, uint32_t sum);
uint16_t csum_fold(uint32_t sum);
inline uint16_t ip_fast_csum(const uint8_t* iph, unsigned ihl) { return csum_fold(csum_partial(iph, ihl * 4u, 0)); }
// Pseudo-header sum for TCP/UDP over IPv4 (csum_tcpudp_nofold).
uint32_t csum_tcpudp_nofold(uint32_t saddr, uint32_t daddr, uint32_t len, uint8_t proto, uint32_t sum);
// Checksum over skb bytes [offset, offset+len) (skb_checksum).
uint32_t skb_checksum(const sk_buff* skb, unsigned offset, unsigned len, uint32_t sum);

enum : uint8_t {
  TCPHDR_FIN = 0x01,
  TCPHDR_SYN = 0x02,
  TCPHDR_RST = 0x04,
  TCPHDR_PSH = 0x08,
  TCPHDR_ACK = 0x10,
  TCPHDR_URG = 0x20,
  TCPHDR_ECE = 0x40,
  TCPHDR_CWR = 0x80
};

struct epitem;
struct eventpoll {
  wait_queue_head wq;                            // ep->wq: epoll_wait sleepers
  std::deque<epitem*> rdllist;                   // ready list
  std::map<int, std::unique_ptr<epitem>> items;  // the rbtree, by fd
  uint64_t callbacks = 0;
};

struct epitem {
  wait_queue_entry wait;  // on the socket's wait queue (must be first)
  eventpoll* ep = nullptr;
  int fd = -1;
  sock* sk = nullptr;
  unsigned events = 0;
  bool on_rdllist = false;
};

struct file {
  sock* sk = nullptr;
  eventpoll* ep = nullptr;
};

// struct ipq (net/ipv4/ip_fragment.c)
struct ipq {
  std::map<uint32_t, sk_buff*> frags;  // by fragment offset (bytes)
  int64_t total_len = -1;              // payload length once the last fragment is seen
  uint32_t meat = 0;                   // payload bytes received
  int64_t mem = 0;                     // truesize charged to frag_mem (ip_frag_queue)
  sc_core::sc_time created;            // the queue's timer runs out at created + ipfrag_time
  uint32_t frames = 0;
};

struct Kernel::Impl {
  std::vector<file> files;  // fd table
  std::vector<std::unique_ptr<sock>> socks;
  std::vector<std::unique_ptr<eventpoll>> eps;
  std::unordered_multimap<uint16_t, sock*> udp_table;  // hslot by local port
  // struct sock_reuseport: the group's socks[] in the order they joined.
  std::vector<std::vector<sock*>> reuseport_groups;
  std::vector<std::vector<sock*>> tcp_ehash;
  std::map<std::tuple<uint32_t, uint32_t, uint16_t, uint8_t>, ipq> frag_queues;
  int64_t frag_mem = 0;  // truesize of queued fragments (fqdir->mem)
  // Every queue's timer (ipq's q.timer) as one event: notified for the
  // oldest queue's deadline, re-armed for the next one when it fires. Shared
  // with the timer's method process, which SystemC keeps until the end of
  // the simulation: a destroyed Kernel leaves it an event to be sensitive
  // to and no kernel to call.
  struct FragTimer {
    sc_core::sc_event ev;
    Kernel* kernel = nullptr;
  };
  std::shared_ptr<FragTimer> frag_timer = std::make_shared<FragTimer>();
  // The timer bases (struct timer_base, one per CPU): pending timers by
  // expiry in jiffies, then socket fd (sockets only have the delayed-ACK
  // timer). One event, shared with its method process as frag_timer is,
  // notified for the earliest expiry of all bases.
  std::vector<std::set<std::pair<uint64_t, int>>> timer_bases;
  std::vector<bool> timer_irq_raised;  // LOCAL_TIMER_IRQ raised, not yet handled
  bool timer_irq_requested = false;
  std::shared_ptr<FragTimer> timer_ev = std::make_shared<FragTimer>();
  uint32_t inet_ehashfn(uint32_t laddr, uint16_t lport, uint32_t faddr, uint16_t fport) const;
  uint32_t secret = 0;
};

// Frames represented by an skb still held somewhere.
inline uint64_t skb_queue_frames(const sk_buff_head& q) {
  uint64_t n = 0;
  for (const sk_buff* s = q.first; s; s = s->next) n += s->frames;
  return n;
}

// The time of an effect produced now: the current CPU's true time, or
// SystemC time outside a CPU (tracing).
inline sc_core::sc_time trace_now() {
  return have_current_cpu() ? current_cpu().effective_time() : sc_core::sc_time_stamp();
}
inline int trace_cpu() { return have_current_cpu() ? current_cpu().id() : -1; }

// Poll mask of a socket (udp_poll / tcp_poll, readable part).
unsigned sock_poll(const sock* sk);
// udp_rmem_release (net/ipv4/udp.c) for a datagram the reader took.
void udp_rmem_release(sock* sk, int64_t size);
// CHECKSUM_BREAK (include/linux/skbuff.h): __skb_checksum_validate_complete
// sums a packet of at most this many bytes at once instead of deferring.
constexpr unsigned CHECKSUM_BREAK = 76;
// udp_lib_checksum_complete (include/net/udp.h) for a datagram whose
// checksum nobody has verified yet: sums pseudo-header, UDP header and
// payload on CPU `c` (csum_per_byte per byte of the UDP length); true if the
// checksum is bad. A good one is marked verified (skb->csum_valid, kept in
// ip_summed as CHECKSUM_UNNECESSARY). Works before and after the UDP header
// was pulled (transport_header marks it).
bool udp_lib_checksum_complete(Cpu& c, const CostTable& cost, sk_buff* skb);

}  // namespace rxpath::stack
