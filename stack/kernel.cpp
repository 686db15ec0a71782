// SPDX-License-Identifier: Apache-2.0
// stack/kernel.cpp: the Kernel instance: construction, devices, sockets
// from configuration, skb freeing with drop reasons, the transmit sink,
// checksums and frame accounting.
#include "stack/kernel.hpp"

#include <cstdarg>
#include <cstdio>
#include <sstream>
#include <stdexcept>

#include "stack/internal.hpp"

namespace rxpath::stack {

namespace {
const char* const kDropNames[] = {
    "NOT_SPECIFIED", "OTHERHOST",      "UNHANDLED_PROTO", "IP_INHDR",        "IP_CSUM",
    "PKT_TOO_SMALL", "IP_NOPROTO",     "IP_INADDRERRORS", "IP_FRAG_TIMEOUT", "IP_FRAG_FAIL",
    "UDP_CSUM",      "NO_SOCKET",      "SOCKET_RCVBUFF",  "TCP_CSUM",        "TCP_INHDR",
    "TCP_OLD_DATA",  "TCP_ZEROWINDOW", "TCP_OVERWINDOW",  "TCP_RCVQ_FULL",   "TCP_BACKLOG",
    "TCP_OFO_DROP",  "TCP_OFO_PRUNE",  "TCP_RESET",       "IP_FRAG_DUP",     "ARP",
    "CPU_BACKLOG",   "ICMP_CSUM",      "INVALID_PROTO"};
static_assert(sizeof(kDropNames) / sizeof(kDropNames[0]) == static_cast<size_t>(Drop::count));
const char* const kTxNames[] = {"arp_reply",          "tcp_ack",        "tcp_rst", "icmp_port_unreach",
                                "icmp_proto_unreach", "icmp_echo_reply"};
static_assert(sizeof(kTxNames) / sizeof(kTxNames[0]) == static_cast<size_t>(TxKind::count));

}  // namespace

// The counter a drop of each reason usually increments besides the drop
// reason itself (call sites where it differs pass their own).
const char* const kDropMib[] = {
    "",                                      // NOT_SPECIFIED
    "rx_otherhost_dropped",                  // OTHERHOST (ip_rcv)
    "rx_dropped",                            // UNHANDLED_PROTO (__netif_receive_skb_core)
    "Ip: InHdrErrors",                       // IP_INHDR
    "Ip: InHdrErrors, IpExt: InCsumErrors",  // IP_CSUM
    "IpExt: InTruncatedPkts",                // PKT_TOO_SMALL (ip_rcv; udp/tcp pass theirs)
    "Ip: InUnknownProtos",                   // IP_NOPROTO
    "Ip: InAddrErrors",                      // IP_INADDRERRORS
    "Ip: ReasmTimeout, ReasmFails",          // IP_FRAG_TIMEOUT
    "Ip: ReasmFails",                        // IP_FRAG_FAIL
    "Udp: InCsumErrors, InErrors",           // UDP_CSUM
    "Udp: NoPorts",                          // NO_SOCKET (tcp passes its own)
    "Udp: RcvbufErrors, InErrors",           // SOCKET_RCVBUFF
    "Tcp: InCsumErrors, InErrs",             // TCP_CSUM
    "Tcp: InErrs",                           // TCP_INHDR
    "TcpExt: DelayedACKLost",                // TCP_OLD_DATA
    "TcpExt: TCPZeroWindowDrop",             // TCP_ZEROWINDOW
    "",                                      // TCP_OVERWINDOW
    "TcpExt: TCPRcvQDrop",                   // TCP_RCVQ_FULL
    "TcpExt: TCPBacklogDrop",                // TCP_BACKLOG
    "TcpExt: TCPOFODrop",                    // TCP_OFO_DROP
    "TcpExt: PruneCalled",                   // TCP_OFO_PRUNE
    "",                                      // TCP_RESET
    "",                                      // IP_FRAG_DUP
    "",                                      // ARP
    "softnet dropped, rx_dropped",           // CPU_BACKLOG (enqueue_to_backlog)
    "Icmp: InCsumErrors, InErrors",          // ICMP_CSUM (icmp_rcv)
    "Icmp: InErrors",                        // INVALID_PROTO (icmp_rcv)
};
static_assert(sizeof(kDropMib) / sizeof(kDropMib[0]) == static_cast<size_t>(Drop::count));

const char* drop_name(Drop d) { return kDropNames[static_cast<int>(d)]; }
const char* tx_kind_name(TxKind k) { return kTxNames[static_cast<int>(k)]; }

uint32_t Kernel::udp_ehashfn(uint32_t laddr, uint16_t lport, uint32_t faddr, uint16_t fport) const {
  // __inet_ehashfn(laddr, lport, faddr, fport, udp_ehash_secret + net_hash_mix(net)): jhash_3words(laddr,
  // faddr, lport << 16 | fport); the __be32/__be16 values read as x86 integers are byte-swapped. One
  // network namespace: net_hash_mix = 0.
  return jhash_3words(__builtin_bswap32(laddr), __builtin_bswap32(faddr),
                      static_cast<uint32_t>(lport) << 16 | __builtin_bswap16(fport), cfg_.udp_ehash_secret);
}

// inet_ehashfn (net/ipv4/inet_hashtables.c): jhash of the 4-tuple + secret.
uint32_t Kernel::Impl::inet_ehashfn(uint32_t laddr, uint16_t lport, uint32_t faddr, uint16_t fport) const {
  return jhash_3words(laddr, faddr, static_cast<uint32_t>(lport) << 16 | fport, secret);
}

// ---- checksums (lib/checksum.c, include/net/checksum.h) -------------------
uint32_t csum_partial(const uint8_t* p, size_t len, uint32_t sum) {
  uint64_t s = sum;
  size_t i = 0;
  for (; i + 1 < len; i += 2) s += static_cast<uint32_t>(p[i] << 8 | p[i + 1]);
  if (i < len) s += static_cast<uint32_t>(p[i] << 8);
  while (s >> 32) s = (s & 0xffffffffu) + (s >> 32);
  return static_cast<uint32_t>(s);
}

uint16_t csum_fold(uint32_t sum) {
  while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
  return static_cast<uint16_t>(~sum & 0xffff);
}

uint32_t csum_tcpudp_nofold(uint32_t saddr, uint32_t daddr, uint32_t len, uint8_t proto, uint32_t sum) {
  uint64_t s = sum;
  s += (saddr >> 16) + (saddr & 0xffff) + (daddr >> 16) + (daddr & 0xffff) + proto + len;
  while (s >> 32) s = (s & 0xffffffffu) + (s >> 32);
  return static_cast<uint32_t>(s);
}

// skb_checksum (net/core/skbuff.c): walks linear part then frags; odd
// boundaries between pieces are handled by carrying one byte.
uint32_t skb_checksum(const sk_buff* skb, unsigned offset, unsigned len, uint32_t sum) {
  std::vector<uint8_t> tmp(len);
  if (!skb_copy_bits(skb, offset, tmp.data(), len)) return sum;
  return csum_partial(tmp.data(), len, sum);
}

// ---- Kernel ----------------------------------------------------------------
Kernel::Kernel(const std::string& name, const KernelConfig& cfg, const CostTable& cost)
    : name_(name), cfg_(cfg), cost_(cost), impl_(std::make_unique<Impl>()) {
  if (cfg.netdev_budget < 1) throw std::invalid_argument("kernel: netdev_budget must be >= 1");
  if (cfg.netdev_budget_usecs < 0) throw std::invalid_argument("kernel: netdev_budget_usecs must be >= 0");
  if (cfg.gro_normal_batch < 1) throw std::invalid_argument("kernel: gro_normal_batch must be >= 1");
  if (cfg.rmem_default < 1) throw std::invalid_argument("kernel: rmem_default must be >= 1");
  if (cfg.ehash_buckets == 0 || (cfg.ehash_buckets & (cfg.ehash_buckets - 1)))
    throw std::invalid_argument("kernel: ehash_buckets must be a power of two");
  engine_ = std::make_unique<CpuEngine>(name, cfg.cpu, cost_);
  softnet_.resize(cfg.cpu.num_cpus);
  rps_init();
  impl_->tcp_ehash.resize(cfg.ehash_buckets);
  impl_->secret = jhash_3words(cfg.hash_seed, 0x9e3779b9u, 0x7f4a7c15u, 0);
  engine_->open_softirq(NET_RX_SOFTIRQ, [this](Cpu& c) { net_rx_action(c); });
  // The reassembly queues' timers: a method process woken when the oldest
  // queue's ipfrag_time runs out. Timer work is not charged to a CPU (the
  // model has no timer softirq).
  sc_core::sc_spawn_options opt;
  opt.spawn_method();
  impl_->frag_timer->kernel = this;
  opt.set_sensitivity(&impl_->frag_timer->ev);
  opt.dont_initialize();
  sc_core::sc_spawn(
      [t = impl_->frag_timer] {
        if (t->kernel) t->kernel->ip_expire_frags();
      },
      (name + "_ipfrag_timer").c_str(), &opt);
  // The timer bases: a method process woken when the earliest timer of any
  // CPU is due; it interrupts that CPU (LOCAL_TIMER_IRQ), whose
  // TIMER_SOFTIRQ runs the timers.
  impl_->timer_bases.resize(cfg.cpu.num_cpus);
  impl_->timer_irq_raised.assign(cfg.cpu.num_cpus, false);
  engine_->open_softirq(TIMER_SOFTIRQ, [this](Cpu& c) { run_timer_softirq(c); });
  sc_core::sc_spawn_options topt;
  topt.spawn_method();
  impl_->timer_ev->kernel = this;
  topt.set_sensitivity(&impl_->timer_ev->ev);
  topt.dont_initialize();
  sc_core::sc_spawn(
      [t = impl_->timer_ev] {
        if (t->kernel) t->kernel->timer_expired();
      },
      (name + "_timer").c_str(), &topt);
}

// The CPU and task threads end first, while the queues and sockets they may
// sleep on still exist (stack/cpu.cpp end_process says how). Then the skbs
// the sockets and the reassembly queues still hold are freed, as closing
// the sockets would: inet_sock_destruct (net/ipv4/af_inet.c) purges
// sk_receive_queue, tcp_v4_destroy_sock the out-of-order queue,
// __sk_destruct the backlog; inet_frags_fini (net/ipv4/inet_fragment.c)
// the fragment queues.
Kernel::~Kernel() {
  engine_->end_processes();
  impl_->frag_timer->kernel = nullptr;
  impl_->frag_timer->ev.cancel();
  impl_->timer_ev->kernel = nullptr;
  impl_->timer_ev->ev.cancel();
  auto purge = [](sk_buff_head& q) {
    while (sk_buff* skb = __skb_dequeue(&q)) __kfree_skb(skb);
  };
  for (auto& sk : impl_->socks) {
    purge(sk->sk_receive_queue);
    purge(sk->reader_queue);
    purge(sk->sk_backlog);
    for (auto& [seq, skb] : sk->out_of_order_queue) __kfree_skb(skb);
    sk->out_of_order_queue.clear();
  }
  for (auto& [key, q] : impl_->frag_queues)
    for (auto& [off, skb] : q.frags) __kfree_skb(skb);
  impl_->frag_queues.clear();
  for (auto& sd : softnet_) {
    purge(sd.input_pkt_queue);
    purge(sd.process_queue);
  }
}

void Kernel::register_netdev(net_device* dev) {
  if (!dev) throw std::invalid_argument("register_netdev: null device");
  dev->kernel = this;
  dev->ifindex = static_cast<int>(devs_.size()) + 2;  // 1 is lo
  devs_.push_back(dev);
}

sock* Kernel::sock_of(int fd) {
  if (fd < 0 || static_cast<size_t>(fd) >= impl_->files.size() || !impl_->files[fd].sk)
    throw std::invalid_argument("no socket with fd " + std::to_string(fd));
  return impl_->files[fd].sk;
}

int Kernel::udp_socket(uint32_t addr, uint16_t port, int64_t rcvbuf, bool reuseport) {
  if (port == 0) throw std::invalid_argument("udp_socket: port must be nonzero");
  // udp_v4_get_port -> udp_lib_lport_inuse: a bind overlapping an existing
  // one (same port, same address or either INADDR_ANY) is EADDRINUSE unless
  // both sockets have SO_REUSEPORT (one owner here, so uid_eq holds).
  // udp_reuseport_add_sock: a socket joins the group of one bound to the
  // same address (inet_rcv_saddr_equal), else it starts its own.
  int group = -1;
  auto range = impl_->udp_table.equal_range(port);
  for (auto it = range.first; it != range.second; ++it) {
    const sock* o = it->second;
    if (o->rcv_saddr != addr && o->rcv_saddr != 0 && addr != 0) continue;
    if (!(reuseport && o->sk_reuseport))
      throw std::invalid_argument("udp_socket: port " + std::to_string(port) + " already bound (EADDRINUSE)");
    if (o->rcv_saddr == addr) group = o->reuseport_group;
  }
  auto sk = std::make_unique<sock>();
  sk->protocol = IPPROTO_UDP_;
  sk->rcv_saddr = addr;
  sk->num = port;
  sk->sk_rcvbuf = rcvbuf > 0 ? rcvbuf : cfg_.rmem_default;
  sk->fd = static_cast<int>(impl_->files.size());
  if (reuseport) {  // reuseport_alloc / reuseport_add_sock
    sk->sk_reuseport = true;
    if (group < 0) {
      group = static_cast<int>(impl_->reuseport_groups.size());
      impl_->reuseport_groups.emplace_back();
    }
    sk->reuseport_group = group;
    impl_->reuseport_groups[group].push_back(sk.get());
  }
  impl_->files.push_back(file{sk.get(), nullptr});
  impl_->udp_table.emplace(port, sk.get());
  if (th_) trace_declare_sock(sk.get());
  impl_->socks.push_back(std::move(sk));
  return static_cast<int>(impl_->files.size()) - 1;
}

int Kernel::tcp_established(uint32_t laddr, uint16_t lport, uint32_t raddr, uint16_t rport, uint32_t rcv_isn,
                            uint32_t snd_isn, int64_t rcvbuf) {
  if (lport == 0 || rport == 0) throw std::invalid_argument("tcp_established: ports must be nonzero");
  if (laddr == 0 || raddr == 0) throw std::invalid_argument("tcp_established: addresses must be nonzero");
  auto sk = std::make_unique<sock>();
  sk->protocol = IPPROTO_TCP_;
  sk->rcv_saddr = laddr;
  sk->num = lport;
  sk->daddr = raddr;
  sk->dport = rport;
  sk->state = TcpState::ESTABLISHED;
  sk->rcv_nxt = rcv_isn + 1;
  sk->copied_seq = rcv_isn + 1;
  sk->snd_nxt = snd_isn + 1;
  sk->snd_una = snd_isn + 1;
  sk->sk_rcvbuf = rcvbuf > 0 ? rcvbuf : cfg_.tcp_rmem_default;
  sk->rcv_wnd = static_cast<uint32_t>(sk->sk_rcvbuf);
  sk->window_clamp = static_cast<uint32_t>(sk->sk_rcvbuf);
  sk->rcv_wup = sk->rcv_nxt;
  // icsk_rto after a handshake on a LAN: srtt + 4 rttvar is below
  // TCP_RTO_MIN (HZ / 5), which bounds it (tcp_set_rto -> tcp_bound_rto).
  sk->icsk_rto = static_cast<uint32_t>(cfg_.cpu.hz / 5);
  sk->sk_hash = impl_->inet_ehashfn(laddr, lport, raddr, rport);
  for (sock* o : impl_->tcp_ehash[sk->sk_hash & (cfg_.ehash_buckets - 1)])
    if (o->rcv_saddr == laddr && o->num == lport && o->daddr == raddr && o->dport == rport)
      throw std::invalid_argument("tcp_established: 4-tuple already in use");
  impl_->tcp_ehash[sk->sk_hash & (cfg_.ehash_buckets - 1)].push_back(sk.get());
  sk->fd = static_cast<int>(impl_->files.size());
  impl_->files.push_back(file{sk.get(), nullptr});
  if (th_) trace_declare_sock(sk.get());
  impl_->socks.push_back(std::move(sk));
  ++tcp.CurrEstab;
  return static_cast<int>(impl_->files.size()) - 1;
}

// kfree_skb_reason (net/core/skbuff.c): every drop lands in one reason.
void Kernel::kfree_skb_reason(sk_buff* skb, Drop reason, const char* mib) {
  drops_[static_cast<int>(reason)] += skb->frames;
  if (th_) {
    const int c = have_current_cpu() ? current_cpu().id() : -1;
    const sc_core::sc_time t = c >= 0 ? current_cpu().effective_time() : sc_core::sc_time_stamp();
    th_->set(t_drops_[static_cast<int>(reason)], drops_[static_cast<int>(reason)], t);
    trace_mib(t);
    if (th_->wants(skb)) {
      if (!mib) mib = kDropMib[static_cast<int>(reason)];
      std::string what = drop_name(reason);
      if (*mib) what += std::string(" (") + mib + ")";
      th_->stage(skb->trace_id, "kfree_skb_reason", c, t, skb, {}, th_->intern(what));
    }
  }
  RXS_DBG(dev, "drop " << drop_name(reason) << " frames " << skb->frames << " trace " << skb->trace_id);
  if (have_current_cpu()) current_cpu().defer(cost_.skb_free);
  __kfree_skb(skb);
}

// consume_skb (net/core/skbuff.c): used by the stack itself.
void Kernel::consume_skb(sk_buff* skb) {
  consumed_ += skb->frames;
  if (th_ && th_->wants(skb)) {
    const int c = have_current_cpu() ? current_cpu().id() : -1;
    th_->stage(skb->trace_id, "consume_skb", c, c >= 0 ? current_cpu().effective_time() : sc_core::sc_time_stamp(), skb,
               "used up by the stack", "consumed");
  }
  if (have_current_cpu()) current_cpu().defer(cost_.skb_free);
  __kfree_skb(skb);
}

// ---- tracing ------------------------------------------------------------------
void Kernel::set_tracer(Tracer* t) {
  engine_->set_trace(nullptr);
  th_ = nullptr;
  hub_.reset();
  tracer_ = t;
  t_mib_.clear();
  if (!t) return;
  hub_ = std::make_unique<TraceHub>(*t, engine_->num_cpus());
  th_ = hub_.get();
  engine_->set_trace(th_);
  const sc_core::sc_time now = sc_core::sc_time_stamp();
  for (int c = 0; c < engine_->num_cpus(); ++c) {
    auto& cs = th_->cpu[c];
    const std::string p = "host.softnet.cpu" + std::to_string(c);
    th_->declare(cs.time_squeeze, p + ".time_squeeze", 32);
    th_->declare(cs.processed, p + ".processed", 32);
    th_->declare(cs.dropped, p + ".dropped", 32);
    th_->set(cs.time_squeeze, softnet_[c].time_squeeze, now);
    th_->set(cs.processed, softnet_[c].processed, now);
    th_->set(cs.dropped, softnet_[c].dropped, now);
    th_->declare(cs.backlog, p + ".backlog", 32);
    th_->set(cs.backlog, softnet_[c].input_pkt_queue.qlen, now);
  }
  for (napi_struct* n : napis_) trace_declare_napi(n);
  for (auto& sk : impl_->socks) trace_declare_sock(sk.get());
  for (int d = 0; d < static_cast<int>(Drop::count); ++d) {
    th_->declare(t_drops_[d], std::string("host.drop.") + kDropNames[d], 32);
    th_->set(t_drops_[d], drops_[d], now);
  }
  // The drop-like SNMP counters (/proc/net/snmp, /proc/net/netstat).
  const std::pair<const char*, const uint64_t*> mibs[] = {
      {"Ip.InHdrErrors", &ip.InHdrErrors},
      {"Ip.InAddrErrors", &ip.InAddrErrors},
      {"Ip.InUnknownProtos", &ip.InUnknownProtos},
      {"Ip.InDiscards", &ip.InDiscards},
      {"Ip.ReasmTimeout", &ip.ReasmTimeout},
      {"Ip.ReasmFails", &ip.ReasmFails},
      {"IpExt.InTruncatedPkts", &ipext.InTruncatedPkts},
      {"IpExt.InCsumErrors", &ipext.InCsumErrors},
      {"Udp.NoPorts", &udp.NoPorts},
      {"Udp.InErrors", &udp.InErrors},
      {"Udp.RcvbufErrors", &udp.RcvbufErrors},
      {"Udp.InCsumErrors", &udp.InCsumErrors},
      {"Tcp.InErrs", &tcp.InErrs},
      {"Tcp.InCsumErrors", &tcp.InCsumErrors},
      {"TcpExt.TCPBacklogDrop", &tcpext.TCPBacklogDrop},
      {"TcpExt.TCPRcvQDrop", &tcpext.TCPRcvQDrop},
      {"TcpExt.TCPZeroWindowDrop", &tcpext.TCPZeroWindowDrop},
      {"TcpExt.TCPOFODrop", &tcpext.TCPOFODrop},
      {"TcpExt.PruneCalled", &tcpext.PruneCalled},
      {"TcpExt.RcvPruned", &tcpext.RcvPruned},
      {"TcpExt.DelayedACKLost", &tcpext.DelayedACKLost},
  };
  t_mib_.reserve(sizeof(mibs) / sizeof(mibs[0]));
  for (const auto& m : mibs) {
    t_mib_.emplace_back(m.second, TraceSig{});
    th_->declare(t_mib_.back().second, std::string("host.mib.") + m.first, 32);
  }
  trace_mib(now);
}

void Kernel::trace_declare_napi(napi_struct* n) {
  if (n->name.empty()) {
    for (size_t i = 0; i < napis_.size(); ++i)
      if (napis_[i] == n) n->name = "rx" + std::to_string(i);
  }
  const std::string p = "host.napi." + n->name;
  th_->declare(n->t_scheduled, p + ".scheduled", 1);
  th_->declare(n->t_polling, p + ".polling", 1);
  th_->declare(n->t_work, p + ".work", 16);
  th_->declare(n->t_budget, p + ".budget", 16);
  th_->declare(n->t_cpu, p + ".cpu", 8);
  const sc_core::sc_time now = sc_core::sc_time_stamp();
  th_->set(n->t_scheduled, (n->state & NAPI_STATE_SCHED) ? 1 : 0, now);
  th_->set(n->t_polling, 0, now);
  th_->set(n->t_work, 0, now);
  th_->set(n->t_budget, static_cast<uint64_t>(n->weight), now);
  th_->set(n->t_cpu, n->cpu >= 0 ? static_cast<uint64_t>(n->cpu) : 0xff, now);  // 255: never scheduled yet
}

void Kernel::trace_declare_sock(sock* sk) {
  const std::string p = "host.sock.fd" + std::to_string(sk->fd);
  th_->declare(sk->t_rx_queue, p + ".rx_queue", 32);
  th_->declare(sk->t_rmem, p + ".rmem", 32);
  th_->declare(sk->t_backlog, p + ".backlog", 32);
  th_->declare(sk->t_ofo, p + ".ofo", 32);
  trace_sock(sk, sc_core::sc_time_stamp());
}

void Kernel::trace_sock(const sock* sk, sc_core::sc_time t) {
  if (!th_) return;
  // const_cast: the signals' bookkeeping, not the socket's state
  sock* s = const_cast<sock*>(sk);
  th_->set(s->t_rx_queue, sk->sk_receive_queue.qlen + sk->reader_queue.qlen, t);
  th_->set(s->t_rmem, static_cast<uint64_t>(sk->sk_rmem_alloc > 0 ? sk->sk_rmem_alloc : 0), t);
  th_->set(s->t_backlog, sk->sk_backlog.qlen, t);
  th_->set(s->t_ofo, sk->out_of_order_queue.size(), t);
}

void Kernel::trace_mib(sc_core::sc_time t) {
  for (auto& m : t_mib_) th_->set(m.second, *m.first, t);
}

void Kernel::trace_stage(const char* name, const sk_buff* skb, const char* detail, std::vector<StageField> fields) {
  if (!th_ || !th_->wants(skb)) return;
  const int c = have_current_cpu() ? current_cpu().id() : -1;
  th_->stage(skb->trace_id, name, c, c >= 0 ? current_cpu().effective_time() : sc_core::sc_time_stamp(), skb, detail,
             nullptr, std::move(fields));
}

void Kernel::trace_stagef(const char* name, const sk_buff* skb, const char* fmt, ...) {
  if (!th_ || !th_->wants(skb)) return;
  char buf[160];
  va_list ap;
  va_start(ap, fmt);
  std::vsnprintf(buf, sizeof buf, fmt, ap);
  va_end(ap);
  trace_stage(name, skb, buf);
}

void Kernel::trace_sock_now(const sock* sk) {
  trace_sock(sk, have_current_cpu() ? current_cpu().effective_time() : sc_core::sc_time_stamp());
}

void Kernel::tx_emit(TxKind kind, std::vector<uint8_t> frame) {
  ++tx_counts_[static_cast<int>(kind)];
  if (have_current_cpu()) current_cpu().sync();
  if (tx_capture_) tx_capture_(kind, frame);
}

uint64_t Kernel::accounted_frames_in_flight() const {
  uint64_t n = 0;
  for (const napi_struct* napi : napis_) {
    for (const auto& b : napi->gro_hash)
      for (const sk_buff* s = b.first; s; s = s->next) n += s->frames;
    n += skb_queue_frames(napi->rx_list);
  }
  for (const auto& sk : impl_->socks) {
    n += skb_queue_frames(sk->sk_receive_queue) + skb_queue_frames(sk->reader_queue);
    n += skb_queue_frames(sk->sk_backlog);
    for (const auto& kv : sk->out_of_order_queue) n += kv.second->frames;
  }
  n += frames_in_reassembly();
  for (const softnet_data& sd : softnet_)
    n += skb_queue_frames(sd.input_pkt_queue) + skb_queue_frames(sd.process_queue);
  return n + in_transit_;
}

FrameAccount Kernel::frame_account() const {
  FrameAccount a;
  a.offered = offered_;
  a.delivered = delivered_;
  a.consumed = consumed_;
  for (uint64_t d : drops_) a.dropped += d;
  a.in_flight = accounted_frames_in_flight();
  a.in_reassembly = frames_in_reassembly();
  return a;
}

std::string Kernel::frame_account_report() const {
  FrameAccount a = frame_account();
  std::ostringstream os;
  os << "offered " << a.offered << " delivered " << a.delivered << " consumed " << a.consumed << " dropped "
     << a.dropped << " in_flight " << a.in_flight << (a.balanced() ? " (balanced)" : " (NOT BALANCED)") << '\n';
  for (int i = 0; i < static_cast<int>(Drop::count); ++i)
    if (drops_[i]) os << "  drop " << kDropNames[i] << ' ' << drops_[i] << '\n';
  return os.str();
}

}  // namespace rxpath::stack
