// SPDX-License-Identifier: Apache-2.0
// stack/kernel.hpp: the kernel stack instance: CPUs, cost table,
// devices, per-CPU softnet_data, IPv4/UDP/TCP state and MIB counters, socket
// tables, select/poll/epoll, the transmit sink, /proc formatting and frame
// accounting. One Kernel per simulated host.
#pragma once

#include <systemc>

#include <array>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "stack/cost.hpp"
#include "stack/cpu.hpp"
#include "stack/debug.hpp"
#include "stack/netdevice.hpp"
#include "stack/skbuff.hpp"
#include "stack/sock.hpp"
#include "stack/trace.hpp"
#include "stack/tracing.hpp"

namespace rxpath::stack {

struct KernelConfig {
  CpuConfig cpu;
  int netdev_budget = 300;                       // net.core.netdev_budget
  int netdev_budget_usecs = 0;                   // 0 = 2 jiffies (2 * USEC_PER_SEC / HZ)
  int gro_normal_batch = 8;                      // net.core.gro_normal_batch
  int64_t rmem_default = 212992;                 // net.core.rmem_default = 256 * SKB_TRUESIZE(256)
  int64_t tcp_rmem_default = 131072;             // net.ipv4.tcp_rmem[1]
  int64_t tcp_wmem_default = 16384;              // net.ipv4.tcp_wmem[1] (backlog limit uses sndbuf)
  double ipfrag_time_s = 30;                     // net.ipv4.ipfrag_time
  int64_t ipfrag_high_thresh = 4 * 1024 * 1024;  // net.ipv4.ipfrag_high_thresh
  unsigned ehash_buckets = 4096;                 // TCP established hash size (power of two)
  uint32_t hash_seed = 0x5eed1234;               // inet_ehash_secret (seeded, deterministic)
  double max_defer_ns = 1000;                    // model: largest cost batch before a socket enqueue syncs
  // RPS (Documentation/networking/scaling.rst): rps_cpus[q] is the CPU mask
  // of /sys/class/net/<dev>/queues/rx-<q>/rps_cpus (bit n = CPU n); one
  // mask applies to every RX queue; empty = RPS off (the kernel default).
  std::vector<uint64_t> rps_cpus;
  int netdev_max_backlog = 1000;  // net.core.netdev_max_backlog (per-CPU input_pkt_queue limit)
  int dev_weight = 64;            // net.core.dev_weight (x dev_weight_rx_bias 1 = dev_rx_weight)
  // __skb_get_hash's siphash key (hashrnd, net_get_random_once in Linux):
  // fixed here so runs are deterministic.
  uint64_t flow_hash_k0 = 0x0706050403020100ull, flow_hash_k1 = 0x0f0e0d0c0b0a0908ull;
  uint32_t udp_ehash_secret = 0x2b7e1516;  // udp_ehash_secret (random once in Linux; fixed here)
};

// x86's CALL_FUNCTION_SINGLE_VECTOR (arch/x86/include/asm/irq_vectors.h):
// the IRQ number the RPS IPI (smp_call_function_single_async) is counted on.
constexpr int RPS_IPI_IRQ = 0xfb;
// x86's LOCAL_TIMER_VECTOR ("LOC" in /proc/interrupts): the local APIC timer
// interrupt that runs the timers due on its CPU (TIMER_SOFTIRQ). The model
// has no periodic tick: the interrupt comes when a timer is due (as with
// NO_HZ on an idle CPU), requested at the first timer armed.
constexpr int LOCAL_TIMER_IRQ = 0xec;

// Drop reasons (include/net/dropreason-core.h). Every skb freed without
// delivery is counted under exactly one reason, by frames (wire frames).
enum class Drop : uint8_t {
  NOT_SPECIFIED,
  OTHERHOST,
  UNHANDLED_PROTO,
  IP_INHDR,
  IP_CSUM,
  PKT_TOO_SMALL,
  IP_NOPROTO,
  IP_INADDRERRORS,
  IP_FRAG_TIMEOUT,
  IP_FRAG_FAIL,
  UDP_CSUM,
  NO_SOCKET,
  SOCKET_RCVBUFF,
  TCP_CSUM,
  TCP_INHDR,
  TCP_OLD_DATA,
  TCP_ZEROWINDOW,
  TCP_OVERWINDOW,
  TCP_RCVQ_FULL,
  TCP_BACKLOG,
  TCP_OFO_DROP,
  TCP_OFO_PRUNE,
  TCP_RESET,
  IP_FRAG_DUP,
  ARP,
  CPU_BACKLOG,    // enqueue_to_backlog: input_pkt_queue over netdev_max_backlog
  ICMP_CSUM,      // icmp_rcv: bad ICMP checksum
  INVALID_PROTO,  // icmp_rcv: an echo or timestamp to a broadcast address (icmp_echo_ignore_broadcasts)
  count
};
const char* drop_name(Drop d);

// Transmit sink (what the host would send).
enum class TxKind : uint8_t {
  ARP_REPLY,
  TCP_ACK,
  TCP_RST,
  ICMP_PORT_UNREACH,
  ICMP_PROTO_UNREACH,
  ICMP_ECHO_REPLY,
  count
};
const char* tx_kind_name(TxKind k);

struct IpMib {
  uint64_t InReceives = 0, InHdrErrors = 0, InAddrErrors = 0, ForwDatagrams = 0, InUnknownProtos = 0, InDiscards = 0,
           InDelivers = 0, OutRequests = 0, ReasmTimeout = 0, ReasmReqds = 0, ReasmOKs = 0, ReasmFails = 0;
};
struct IpExtMib {
  uint64_t InNoRoutes = 0, InTruncatedPkts = 0, InCsumErrors = 0, InOctets = 0;
  uint64_t InNoECTPkts = 0, InECT1Pkts = 0, InECT0Pkts = 0, InCEPkts = 0;  // by tos & INET_ECN_MASK
};
// ICMP_MIB_* (include/uapi/linux/snmp.h): the message counters; the
// per-type ones are in IcmpMsgMib.
struct IcmpMib {
  uint64_t InMsgs = 0, InErrors = 0, InCsumErrors = 0, OutMsgs = 0, OutErrors = 0, OutRateLimitGlobal = 0,
           OutRateLimitHost = 0;
};
// icmpmsg_statistics: messages by ICMP type, in ([type]) and out ([256 + type]).
struct IcmpMsgMib {
  uint64_t v[512] = {};
  uint64_t& in(uint8_t type) { return v[type]; }
  uint64_t& out(uint8_t type) { return v[256 + type]; }
};
struct TcpMib {
  uint64_t CurrEstab = 0, InSegs = 0, OutSegs = 0, InErrs = 0, OutRsts = 0, InCsumErrors = 0;
};
struct UdpMib {
  uint64_t InDatagrams = 0, NoPorts = 0, InErrors = 0, OutDatagrams = 0, RcvbufErrors = 0, InCsumErrors = 0;
  uint64_t IgnoredMulti = 0;  // a broadcast or multicast datagram no socket wanted
};
struct TcpExtMib {
  uint64_t TCPHPHits = 0, TCPBacklogDrop = 0, TCPRcvQDrop = 0, TCPZeroWindowDrop = 0, PruneCalled = 0, RcvPruned = 0,
           TCPOFOQueue = 0, TCPOFODrop = 0, ListenOverflows = 0, ListenDrops = 0, DelayedACKLost = 0,
           TCPRcvCoalesce = 0;
  uint64_t DelayedACKs = 0;       // tcp_delack_timer_handler sent the ACK
  uint64_t DelayedACKLocked = 0;  // tcp_delack_timer found the socket owned by the reader
};

// Where every frame handed to the stack went (the "frame accounting").
struct FrameAccount {
  uint64_t offered = 0;        // frames given to napi_gro_receive/netif_receive_skb
  uint64_t delivered = 0;      // frames whose data reached a user recv() completely
  uint64_t consumed = 0;       // frames used up by the stack (ARP, pure ACK, duplicates of nothing)
  uint64_t dropped = 0;        // sum of all drop reasons
  uint64_t in_flight = 0;      // still held (GRO, rx_list, socket/backlog/ofo queues, frag queues)
  uint64_t in_reassembly = 0;  // of in_flight: fragments waiting in IP reassembly queues
  bool balanced() const { return offered == delivered + consumed + dropped + in_flight; }
};

// One received message as the user process got it.
// The sender of a datagram, as recvfrom() returns it in its address
// (udp_recvmsg fills msg_name from the IPv4 and UDP headers). Host order.
struct PeerAddr {
  uint32_t addr = 0;
  uint16_t port = 0;
};

struct Delivery {
  int fd;
  sc_core::sc_time time;
  std::vector<uint8_t> bytes;
  uint64_t trace_id;  // trace_id of the (first) skb the bytes came from
  PeerAddr from{};    // UDP: the datagram's source; TCP: zero (the connection's peer is known)
};

struct eventpoll;
struct file;

// Not an sc_module (see CpuEngine): may be built before or after sc_start,
// and destroyed while the simulation goes on: its destructor ends its CPU and
// task threads. Whatever else calls into it (a driver's IRQs, a traffic
// thread, a UserProcess) must be gone first. Its name prefixes its process
// names, so two Kernels alive at once need different names.
class Kernel {
 public:
  explicit Kernel(const std::string& name, const KernelConfig& cfg = {}, const CostTable& cost = {});
  ~Kernel();
  Kernel(const Kernel&) = delete;
  Kernel& operator=(const Kernel&) = delete;
  const std::string& name() const { return name_; }

  // --- pieces ---
  CpuEngine& cpus() { return *engine_; }
  Cpu& cpu(int i) { return engine_->cpu(i); }
  CostTable& cost() { return cost_; }
  const KernelConfig& config() const { return cfg_; }
  softnet_data& softnet(int cpu) { return softnet_[cpu]; }

  // --- tracing (stack/trace.hpp) ---
  // Attaches an observer (nullptr = off). Declares the host signals (CPU
  // contexts, softnet, NAPI, sockets, drops, MIB) with their current values;
  // objects created later declare theirs when created. With no tracer every
  // trace point costs one pointer test. The tracer must outlive the Kernel
  // or be detached first.
  void set_tracer(Tracer* t);
  Tracer* tracer() const { return tracer_; }
  // The hub the model's trace points use; nullptr when no tracer is attached.
  TraceHub* trace_hub() const { return th_; }
  // The same pointer itself, for trace guards that look at it again when
  // their scope ends (TraceSpan).
  TraceHub* const& trace_hub_ref() const { return th_; }
  // Reports a socket's queue signals (host.sock.fd<N>.*) at `t`.
  void trace_sock(const sock* sk, sc_core::sc_time t);
  // Stage of skb at the current CPU's true time, if its packet is traced
  // (call only with a tracer attached: these are the cold paths).
  RXPATH_TRACE_COLD void trace_stage(const char* name, const sk_buff* skb, const char* detail = "",
                                     std::vector<StageField> fields = {});
  RXPATH_TRACE_COLD void trace_stagef(const char* name, const sk_buff* skb, const char* fmt, ...)
      __attribute__((format(printf, 4, 5)));
  // trace_sock at the current CPU's true time.
  RXPATH_TRACE_COLD void trace_sock_now(const sock* sk);

  // register_netdev (net/core/dev.c)
  void register_netdev(net_device* dev);

  // --- sockets from configuration ---
  // UDP socket bound to (addr, port); addr 0 = INADDR_ANY. Returns the fd.
  // With `reuseport` (SO_REUSEPORT before bind), sockets bound to the same
  // (addr, port) form a group and udp lookup picks one per flow
  // (reuseport_select_sock); every socket of a port must then have it.
  int udp_socket(uint32_t addr, uint16_t port, int64_t rcvbuf = -1, bool reuseport = false);
  // Established TCP socket for (laddr:lport <- raddr:rport); `rcv_isn` is the
  // peer's ISN (first data byte is rcv_isn + 1), `snd_isn` ours.
  int tcp_established(uint32_t laddr, uint16_t lport, uint32_t raddr, uint16_t rport, uint32_t rcv_isn,
                      uint32_t snd_isn, int64_t rcvbuf = -1);
  sock* sock_of(int fd);

  // --- syscalls, called from a Task running on its CPU ---
  // recvmsg (net/socket.c -> udp_recvmsg / tcp_recvmsg). Non-blocking when
  // `dontwait`: returns -11 (EAGAIN) if nothing is queued. Copies up to
  // `max` bytes into `out` (replaced). For UDP, `from` (when given) gets the
  // datagram's source address and port.
  long sys_recvmsg(int fd, std::vector<uint8_t>& out, size_t max, bool dontwait, uint64_t* trace_id = nullptr,
                   PeerAddr* from = nullptr);
  // select / poll over fds, waiting for readability; timeout_ns < 0 = forever.
  // Returns the ready fds.
  std::vector<int> sys_select(const std::vector<int>& fds, double timeout_ns = -1);
  std::vector<int> sys_poll(const std::vector<int>& fds, double timeout_ns = -1);
  int sys_epoll_create();
  // EPOLL_CTL_ADD / EPOLL_CTL_DEL; events = EPOLLIN [| EPOLLET | EPOLLONESHOT].
  void sys_epoll_ctl_add(int epfd, int fd, unsigned events);
  void sys_epoll_ctl_mod(int epfd, int fd, unsigned events);
  void sys_epoll_ctl_del(int epfd, int fd);
  // epoll_wait: returns up to maxevents (fd, revents); timeout_ns < 0 = forever.
  std::vector<std::pair<int, unsigned>> sys_epoll_wait(int epfd, int maxevents, double timeout_ns = -1);

  // --- the transmit sink ---
  using tx_capture_t = std::function<void(TxKind kind, const std::vector<uint8_t>& frame)>;
  void set_tx_capture(tx_capture_t cb) { tx_capture_ = std::move(cb); }
  uint64_t tx_count(TxKind k) const { return tx_counts_[static_cast<int>(k)]; }

  // --- counters ---
  IpMib ip;
  IpExtMib ipext;
  IcmpMib icmp;
  IcmpMsgMib icmpmsg;
  TcpMib tcp;
  UdpMib udp;
  TcpExtMib tcpext;
  uint64_t drop_count(Drop d) const { return drops_[static_cast<int>(d)]; }
  FrameAccount frame_account() const;
  // Work counters of select/poll/epoll (reference 10), summed over calls.
  struct PollStats {
    uint64_t calls = 0, fds_polled = 0, waitq_add = 0, waitq_remove = 0, wakeups = 0, rescans = 0, ready_returned = 0,
             callbacks = 0, items_polled = 0, ns_charged = 0;
  };
  PollStats select_stats, poll_stats, epoll_stats;
  // The same counters under the kernel functions that do the work, for the
  // report (every name in every run, 0 or not), in this order:
  //   select.do_select, poll.do_sys_poll        calls of select() / poll()
  //   <m>.vfs_poll        descriptors scanned: one ->poll per fd per pass,
  //                       the pass after a wakeup included
  //   <m>.__pollwait      poll_table entries added (a sleeping call's set-up)
  //   <m>.pollwake        wakeup callbacks run on those entries
  //   <m>.poll_schedule_timeout  passes that found nothing ready and slept
  //                       (or found the call already woken)
  //   epoll.ep_insert     EPOLL_CTL_ADD: epoll's set-up, once per descriptor
  //   epoll.do_epoll_wait epoll_wait() calls
  //   epoll.ep_poll_callback  wakeup callbacks on the watched sockets
  //   epoll.ep_item_poll  ready-list items re-polled by ep_send_events
  //   epoll.ep_send_events    events returned to the caller
  //   epoll.schedule_hrtimeout_range  times ep_poll waited (slept or retried)
  std::vector<std::pair<std::string, uint64_t>> wait_counters() const;
  // The softirq and NAPI counters a lab on overload reads (every name in
  // every run, all CPUs summed; the device's NAPI instances, not the RPS
  // backlogs), in this order:
  //   softirq.net_rx      NET_RX softirqs run (net_rx_action calls)
  //   softirq.restarts    __do_softirq rounds restarted (pending again, time
  //                       and MAX_SOFTIRQ_RESTART left, no need_resched)
  //   softirq.ksoftirqd_wakeups  wakeup_softirqd that woke the thread
  //   napi.polls          __napi_poll calls
  //   napi.complete_done  napi_complete_done calls (the poll did less than its weight)
  //   napi.repoll         polls that used the whole weight and went back on the list
  //   napi.work_0 .. napi.work_64  polls by the packets they took: 0, 1,
  //                       2-3, 4-7, 8-15, 16-31, 32-63, 64 and more (igb's
  //                       weight is 64: the whole weight)
  std::vector<std::pair<std::string, uint64_t>> softirq_counters() const;

  std::string proc_net_softnet_stat() const;
  std::string proc_net_snmp() const;
  std::string proc_net_netstat() const;
  std::string proc_net_dev() const;
  std::string proc_interrupts() const { return engine_->proc_interrupts(); }
  std::string proc_softirqs() const { return engine_->proc_softirqs(); }
  std::string frame_account_report() const;

  // ip_expire: fails the reassembly queues whose ipfrag_time ran out, and
  // re-arms the timer for the next one (it also runs from a timer process).
  void ip_expire_frags();
  // Frames held in IP reassembly queues (part of FrameAccount::in_flight),
  // and when the first of those queues expires (sc_max_time() if none).
  uint64_t frames_in_reassembly() const;
  sc_core::sc_time next_frag_expiry() const;

  // ---- internal (used by the stack's own .cpp files) ----
  // `mib`: the SNMP counter this drop was counted in ("Udp: InErrors"), for
  // the trace; nullptr = the usual one for the reason.
  void kfree_skb_reason(sk_buff* skb, Drop reason, const char* mib = nullptr);
  void consume_skb(sk_buff* skb);  // used up by the stack (not user data)
  void tx_emit(TxKind kind, std::vector<uint8_t> frame);
  void net_rx_action(Cpu& cpu);
  // RPS (net/core/dev.c). All are no-ops unless KernelConfig::rps_cpus is set.
  bool rps_enabled() const { return !rps_maps_.empty(); }
  const std::vector<int>* rps_map(unsigned rx_queue) const;  // the queue's CPUs in order, nullptr = none
  uint32_t skb_get_hash(sk_buff* skb);                       // the L4 hash or __skb_get_hash's
  int get_rps_cpu(sk_buff* skb);                             // -1 = process here
  void enqueue_to_backlog(sk_buff* skb, int cpu);
  void net_rps_send_ipi(Cpu& c, softnet_data& sd);
  int process_backlog(softnet_data& sd, napi_struct* napi, int quota);
  // udp_ehashfn (net/ipv4/udp.c): jhash_3words of the 4-tuple as x86 Linux
  // holds it (addresses and the remote port in network byte order, the local
  // port in host order) with udp_ehash_secret. Arguments in host order.
  uint32_t udp_ehashfn(uint32_t laddr, uint16_t lport, uint32_t faddr, uint16_t fport) const;
  void netif_receive_skb_list_internal(sk_buff_head* list);
  void __netif_receive_skb_core(sk_buff* skb);
  void gro_normal_list(napi_struct* napi);
  void gro_normal_one(napi_struct* napi, sk_buff* skb, int segs);
  void napi_gro_flush(napi_struct* napi, bool flush_old);
  gro_result_t dev_gro_receive(napi_struct* napi, sk_buff* skb);
  void arp_rcv(sk_buff* skb);
  void ip_rcv(sk_buff* skb);
  void ip_local_deliver(sk_buff* skb);
  void ip_local_deliver_finish(sk_buff* skb);
  void udp_rcv(sk_buff* skb);
  void __udp4_lib_mcast_deliver(sk_buff* skb, uint32_t saddr, uint16_t sport, uint32_t daddr, uint16_t dport);
  void udp_queue_rcv_skb(sock* sk, sk_buff* skb);
  void tcp_v4_rcv(sk_buff* skb);
  void sock_def_readable(sock* sk, const sk_buff* skb = nullptr);
  RXPATH_TRACE_COLD void trace_rx_core(sk_buff* skb);
  // The RPS hop's journey stages (dev.cpp) and host.softnet.cpu<N>.backlog.
  RXPATH_TRACE_COLD void trace_enqueue_to_backlog(const sk_buff* skb, Cpu& c, const softnet_data& sd, bool schedules);
  RXPATH_TRACE_COLD void trace_rps_ipi(const char* name, const softnet_data& target, const char* fmt, int cpu);
  RXPATH_TRACE_COLD void trace_recvmsg(const char* name, sock* sk, const sk_buff* skb, size_t n, uint32_t off);
  void icmp_send_unreach(sk_buff* skb, uint8_t code);
  void icmp_rcv(sk_buff* skb);
  void icmp_echo_reply(sk_buff* skb);
  std::vector<uint8_t> icmp_frame_to_sender(sk_buff* skb, uint8_t tos, unsigned icmp_len);
  void icmp_xmit(std::vector<uint8_t> f, TxKind kind);
  void release_sock(sock* sk);
  void lock_sock(sock* sk);
  // tcp_cleanup_rbuf (net/ipv4/tcp.c): after a read, an ACK if one is due
  // or the read opened the window a lot; on the reader's CPU.
  void tcp_cleanup_rbuf(sock* sk, long copied);
  // Timers (kernel/time/timer.c), one base per CPU: sk_reset_timer arms the
  // socket's delayed-ACK timer on the current CPU for `expires` (jiffies);
  // when it is due, LOCAL_TIMER_IRQ on that CPU raises TIMER_SOFTIRQ, whose
  // run_timer_softirq runs tcp_delack_timer.
  void sk_reset_timer(sock* sk, uint64_t expires);
  void timer_expired();  // the timer process: raise LOCAL_TIMER_IRQ where a timer is due
  void run_timer_softirq(Cpu& c);
  uint64_t accounted_frames_in_flight() const;
  uint64_t in_transit_frames() const { return in_transit_; }
  std::vector<napi_struct*> napis_;  // registered NAPI instances (GRO in-flight accounting)
  struct Impl;                       // tables (stack/internal.hpp)

 private:
  std::string name_;
  KernelConfig cfg_;
  CostTable cost_;
  std::unique_ptr<CpuEngine> engine_;
  std::vector<softnet_data> softnet_;
  std::vector<std::vector<int>> rps_maps_;  // per RX queue (one = all queues)
  net_device backlog_dev_;                  // the backlog NAPIs' device (never registered)
  std::vector<std::unique_ptr<napi_struct>> backlog_napis_;
  void rps_init();
  std::vector<net_device*> devs_;
  std::array<uint64_t, static_cast<int>(Drop::count)> drops_{};
  std::array<uint64_t, static_cast<int>(TxKind::count)> tx_counts_{};
  tx_capture_t tx_capture_;
  uint64_t offered_ = 0, delivered_ = 0, consumed_ = 0;
  uint64_t in_transit_ = 0;  // frames of skbs being processed across a wait
  std::unique_ptr<Impl> impl_;
  // tracing
  void trace_declare_napi(napi_struct* n);
  void trace_declare_sock(sock* sk);
  void trace_mib(sc_core::sc_time t);
  friend void napi_enable(napi_struct*);
  Tracer* tracer_ = nullptr;
  TraceHub* th_ = nullptr;
  std::unique_ptr<TraceHub> hub_;
  std::array<TraceSig, static_cast<int>(Drop::count)> t_drops_{};
  std::vector<std::pair<const uint64_t*, TraceSig>> t_mib_;
  friend void netif_napi_add(net_device*, napi_struct*, napi_poll_t, int);
  friend gro_result_t napi_gro_receive(napi_struct*, sk_buff*);
  friend void netif_receive_skb(sk_buff*);
};

}  // namespace rxpath::stack
