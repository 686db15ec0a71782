// SPDX-License-Identifier: Apache-2.0
// stack/dev.cpp: NAPI, net_rx_action and the core receive path
// (net/core/dev.c), ARP input (net/ipv4/arp.c).
#include <cstdio>
#include <exception>
#include <stdexcept>
#include <utility>

#include "stack/internal.hpp"

namespace rxpath::stack {

namespace {
Kernel& dev_kernel(const napi_struct* napi) {
  if (!napi || !napi->dev || !napi->dev->kernel)
    throw std::logic_error("napi: device not registered with a Kernel (register_netdev first)");
  return *napi->dev->kernel;
}

void poll_list_add_tail(napi_list& sd, napi_struct* n) {
  n->poll_next = nullptr;
  if (sd.poll_last)
    sd.poll_last->poll_next = n;
  else
    sd.poll_first = n;
  sd.poll_last = n;
  n->on_poll_list = true;
}

napi_struct* poll_list_pop(napi_list& sd) {
  napi_struct* n = sd.poll_first;
  if (!n) return nullptr;
  sd.poll_first = n->poll_next;
  if (!sd.poll_first) sd.poll_last = nullptr;
  n->poll_next = nullptr;
  n->on_poll_list = false;
  return n;
}
}  // namespace

// netif_napi_add_weight (net/core/dev.c)
void netif_napi_add(net_device* dev, napi_struct* napi, napi_poll_t poll, int weight) {
  if (!dev || !dev->kernel) throw std::logic_error("netif_napi_add: register_netdev the device first");
  if (weight < 1) throw std::invalid_argument("netif_napi_add: weight must be >= 1");
  napi->dev = dev;
  napi->poll = std::move(poll);
  napi->weight = weight;
  napi->state = NAPI_STATE_SCHED;  // disabled until napi_enable, as in the kernel
  dev->kernel->napis_.push_back(napi);
  if (dev->kernel->th_) dev->kernel->trace_declare_napi(napi);
}

// netif_napi_add: a NAPI added while tracing declares its signals now.
static void trace_napi_sched(napi_struct* n) {
  if (TraceHub* th = n->dev->kernel->trace_hub())
    th->set(n->t_scheduled, (n->state & NAPI_STATE_SCHED) ? 1 : 0, trace_now());
}

// napi_enable (net/core/dev.c)
void napi_enable(napi_struct* napi) {
  napi->state &= ~(NAPI_STATE_SCHED | NAPI_STATE_DISABLE);
  trace_napi_sched(napi);
}

// napi_disable (net/core/dev.c): model shortcut, only valid when not scheduled.
void napi_disable(napi_struct* napi) {
  napi->state |= NAPI_STATE_SCHED | NAPI_STATE_DISABLE;
  trace_napi_sched(napi);
}

// __netif_napi_del / flush_gro_hash (net/core/dev.c): what the instance still
// holds, GRO chains and the rx_list batch, is freed. The driver's teardown
// calls it (a run ended mid-flight leaves packets there).
void netif_napi_del(napi_struct* napi) {
  for (gro_list& gl : napi->gro_hash) {
    for (sk_buff* p = gl.first; p;) {
      sk_buff* next = p->next;
      __kfree_skb(p);
      p = next;
    }
    gl = gro_list{};
  }
  napi->gro_bitmask = 0;
  while (sk_buff* skb = __skb_dequeue(&napi->rx_list)) __kfree_skb(skb);
  napi->rx_count = 0;
}

// napi_schedule_prep (net/core/dev.c)
bool napi_schedule_prep(napi_struct* n) {
  if (n->state & NAPI_STATE_DISABLE) return false;
  if (n->state & NAPI_STATE_SCHED) {
    n->state |= NAPI_STATE_MISSED;
    ++n->missed;
    return false;
  }
  n->state |= NAPI_STATE_SCHED;
  if (n->t_scheduled.h >= 0) trace_napi_sched(n);
  return true;
}

// __napi_schedule / ____napi_schedule (net/core/dev.c)
void __napi_schedule(napi_struct* n) {
  Kernel& k = dev_kernel(n);
  Cpu& c = current_cpu();
  softnet_data& sd = k.softnet(c.id());
  n->cpu = c.id();
  if (TraceHub* th = k.trace_hub()) th->set(n->t_cpu, static_cast<uint64_t>(c.id()), c.effective_time());
  if (!n->on_poll_list) poll_list_add_tail(sd, n);
  RXS_DBG(napi, "cpu" << c.id() << " napi_schedule " << n->dev->name);
  if (!sd.in_net_rx_action) {
    if (c.in_interrupt())
      c.raise_softirq_irqoff(NET_RX_SOFTIRQ);
    else
      c.raise_softirq(NET_RX_SOFTIRQ);
  }
}

bool napi_schedule(napi_struct* n) {
  if (!napi_schedule_prep(n)) return false;
  __napi_schedule(n);
  return true;
}

// napi_complete_done (net/core/dev.c)
bool napi_complete_done(napi_struct* n, int work_done) {
  Kernel& k = dev_kernel(n);
  ++n->complete_done;
  if (n->gro_bitmask) k.napi_gro_flush(n, false);
  k.gro_normal_list(n);
  unsigned long val = n->state;
  n->state &= ~(NAPI_STATE_SCHED | NAPI_STATE_MISSED);
  if (val & NAPI_STATE_MISSED) {
    n->state |= NAPI_STATE_SCHED;
    __napi_schedule(n);
    return false;
  }
  RXS_DBG(napi, n->dev->name << " napi_complete_done work " << work_done);
  if (k.trace_hub()) trace_napi_sched(n);
  return true;
}

// __napi_poll (net/core/dev.c): returns work; sets repoll if weight used up.
// Its trace point (trace_napi_poll): a "napi_poll" span from the poll's
// start with the NAPI's budget/work/polling signals, the work when the
// driver returns (ret), the end when __napi_poll returns. The work and the
// end go to whatever hub is attached then, even one attached during the
// poll (it never saw the start and ignores the end); none when __napi_poll
// is left by an exception.
namespace {
class NapiPollTrace {
 public:
  NapiPollTrace(Kernel& k, Cpu& c, napi_struct* n) : hub_(k.trace_hub_ref()), c_(c), n_(n) {
    if (hub_) begin();
  }
  void ret(int work) {
    if (hub_) set_work(work);
  }
  ~NapiPollTrace() {
    if (hub_) end();
  }
  NapiPollTrace(const NapiPollTrace&) = delete;
  NapiPollTrace& operator=(const NapiPollTrace&) = delete;

 private:
  RXPATH_TRACE_COLD void begin();
  RXPATH_TRACE_COLD void set_work(int work);
  RXPATH_TRACE_COLD void end();
  TraceHub* const& hub_;
  Cpu& c_;
  napi_struct* n_;
  int exceptions_ = 0;
};

void NapiPollTrace::begin() {
  const sc_core::sc_time t = c_.effective_time();
  exceptions_ = std::uncaught_exceptions();
  hub_->begin(c_.id(), "napi_poll", t);
  hub_->set(n_->t_budget, static_cast<uint64_t>(n_->weight), t);
  hub_->set(n_->t_work, 0, t);
  hub_->set(n_->t_polling, 1, t);
}

void NapiPollTrace::set_work(int work) {
  const sc_core::sc_time t = c_.effective_time();
  hub_->set(n_->t_work, static_cast<uint64_t>(work), t);
  hub_->set(n_->t_polling, 0, t);
}

void NapiPollTrace::end() {
  if (std::uncaught_exceptions() > exceptions_) return;  // left by an exception: no end
  hub_->end(c_.id(), "napi_poll", c_.effective_time());
}
}  // namespace

static int __napi_poll(Kernel& k, Cpu& c, napi_struct* n, bool* repoll) {
  int weight = n->weight;
  int work = 0;
  *repoll = false;
  c.defer(k.cost().napi_poll);
  ++n->polls;
  NapiPollTrace trace(k, c, n);
  if (n->state & NAPI_STATE_SCHED) work = n->poll(n, weight);
  trace.ret(work);
  if (work > weight) throw std::logic_error("napi poll of " + n->dev->name + " returned more than its weight");
  ++n->work_hist[napi_work_bucket(work)];
  RXS_DBG(napi, "cpu" << c.id() << " poll " << n->dev->name << " work " << work << "/" << weight);
  if (work < weight) return work;
  // Weight used up: flush GRO older than one jiffy, hand rx_list up, repoll.
  if (n->gro_bitmask) k.napi_gro_flush(n, k.config().cpu.hz >= 1000);
  k.gro_normal_list(n);
  if (n->on_poll_list) return work;  // driver rescheduled itself
  *repoll = true;
  ++n->repolls;
  return work;
}

// The softirq and NAPI counters (kernel.hpp, softirq_counters).
std::vector<std::pair<std::string, uint64_t>> Kernel::softirq_counters() const {
  uint64_t net_rx = 0, restarts = 0, wakeups = 0;
  for (int c = 0; c < engine_->num_cpus(); ++c) {
    const Cpu& cpu = engine_->cpu(c);
    net_rx += cpu.softirq_count(NET_RX_SOFTIRQ);
    restarts += cpu.softirq_restarts();
    wakeups += cpu.ksoftirqd_wakeups();
  }
  uint64_t polls = 0, complete = 0, repolls = 0;
  std::array<uint64_t, 8> hist{};
  for (const napi_struct* n : napis_) {
    polls += n->polls;
    complete += n->complete_done;
    repolls += n->repolls;
    for (size_t b = 0; b < hist.size(); ++b) hist[b] += n->work_hist[b];
  }
  std::vector<std::pair<std::string, uint64_t>> v = {
      {"softirq.net_rx", net_rx}, {"softirq.restarts", restarts},   {"softirq.ksoftirqd_wakeups", wakeups},
      {"napi.polls", polls},      {"napi.complete_done", complete}, {"napi.repoll", repolls}};
  static const char* const kBuckets[] = {"0", "1", "2_3", "4_7", "8_15", "16_31", "32_63", "64"};
  for (size_t b = 0; b < hist.size(); ++b) v.emplace_back(std::string("napi.work_") + kBuckets[b], hist[b]);
  return v;
}

// net_rx_action (net/core/dev.c); with a tracer, one span around it.
void Kernel::net_rx_action(Cpu& c) {
  TraceSpan span(th_, c, "net_rx_action");
  softnet_data& sd = softnet_[c.id()];
  uint64_t usecs = cfg_.netdev_budget_usecs ? cfg_.netdev_budget_usecs : 2000000ull / cfg_.cpu.hz;
  uint64_t time_limit =
      engine_->jiffies_at(c.effective_time()) + (usecs * cfg_.cpu.hz + 999999) / 1000000;  // usecs_to_jiffies
  int budget = cfg_.netdev_budget;
  ++sd.net_rx_action_calls;
  c.defer(cost_.net_rx_action);

  // list = sd->poll_list (spliced); repoll collects weight-exhausted ones.
  napi_list list, repoll;
  sd.in_net_rx_action = true;
  list.poll_first = sd.poll_first;
  list.poll_last = sd.poll_last;
  sd.poll_first = sd.poll_last = nullptr;
  for (;;) {
    if (!list.poll_first) {
      if (!repoll.poll_first) {
        sd.in_net_rx_action = false;
        if (sd.poll_first) {  // ____napi_schedule refilled it meanwhile: goto start
          sd.in_net_rx_action = true;
          list.poll_first = sd.poll_first;
          list.poll_last = sd.poll_last;
          sd.poll_first = sd.poll_last = nullptr;
          continue;
        }
        if (!sd.rps_ipi_list) return;  // __do_softirq pays the deferred cost
      }
      break;
    }
    napi_struct* n = poll_list_pop(list);
    bool do_repoll = false;
    budget -= __napi_poll(*this, c, n, &do_repoll);
    if (do_repoll) poll_list_add_tail(repoll, n);
    // time_after_eq(jiffies, time_limit) at the CPU's true time (now + debt)
    if (budget <= 0 || engine_->jiffies_at(c.effective_time()) >= time_limit) {
      ++sd.time_squeeze;
      if (th_) th_->set(th_->cpu[c.id()].time_squeeze, sd.time_squeeze, c.effective_time());
      if (budget <= 0) ++sd.budget_exhausted;
      RXS_DBG(napi, "cpu" << c.id() << " time_squeeze budget " << budget);
      break;
    }
  }
  // Leftovers: [list..., new poll_list..., repoll...] become the poll_list.
  napi_list out;
  for (napi_struct* n; (n = poll_list_pop(list));) poll_list_add_tail(out, n);
  for (napi_struct* n; (n = poll_list_pop(sd));) poll_list_add_tail(out, n);
  for (napi_struct* n; (n = poll_list_pop(repoll));) poll_list_add_tail(out, n);
  sd.poll_first = out.poll_first;
  sd.poll_last = out.poll_last;
  if (sd.poll_first) {
    c.raise_softirq_irqoff(NET_RX_SOFTIRQ);
  } else {
    sd.in_net_rx_action = false;
  }
  // net_rps_action_and_irq_enable: the IPIs this round's enqueue_to_backlog owes
  if (sd.rps_ipi_list) net_rps_send_ipi(c, sd);
}

// netif_receive_skb (net/core/dev.c): no GRO, straight up
// (netif_receive_skb_internal: to another CPU's backlog when RPS says so).
void netif_receive_skb(sk_buff* skb) {
  if (!skb->dev || !skb->dev->kernel) throw std::logic_error("netif_receive_skb: skb->dev not registered");
  Kernel& k = *skb->dev->kernel;
  skb->build_src = nullptr;
  k.offered_ += skb->frames;
  if (k.rps_enabled()) {
    int cpu = k.get_rps_cpu(skb);
    if (cpu >= 0) return k.enqueue_to_backlog(skb, cpu);
  }
  uint32_t frames = skb->frames;
  k.in_transit_ += frames;
  k.__netif_receive_skb_core(skb);
  k.in_transit_ -= frames;
}

// netif_receive_skb_list_internal (net/core/dev.c); an empty list returns
// at once, as netif_receive_skb_list does. With a tracer, one span. With
// RPS, the skbs that get_rps_cpu gives a CPU leave the list for that CPU's
// backlog first (the local one's too); the rest are processed here.
void Kernel::netif_receive_skb_list_internal(sk_buff_head* list) {
  if (!list->qlen) return;
  TraceSpan span(th_, "netif_receive_skb_list_internal");
  if (rps_enabled()) {
    for (sk_buff *skb = list->first, *next; skb; skb = next) {
      next = skb->next;
      int cpu = get_rps_cpu(skb);
      if (cpu < 0) continue;
      __skb_unlink(skb, list);
      enqueue_to_backlog(skb, cpu);
    }
  }
  while (sk_buff* skb = __skb_dequeue(list)) {
    uint32_t frames = skb->frames;
    in_transit_ += frames;  // held by the call stack while it waits (accounting)
    __netif_receive_skb_core(skb);
    in_transit_ -= frames;
  }
}

// ---- RPS (net/core/dev.c) ----------------------------------------------------

// rps_cpus masks -> rps_map (store_rps_map, net/core/net-sysfs.c: the CPUs
// of the mask in increasing order), the per-CPU backlog NAPIs
// (net_dev_init: backlog.poll = process_backlog, weight = dev_rx_weight)
// and the IPI (CALL_FUNCTION_SINGLE_VECTOR: rps_trigger_softirq).
void Kernel::rps_init() {
  const int ncpu = cfg_.cpu.num_cpus;
  for (size_t q = 0; q < softnet_.size(); ++q) softnet_[q].cpu = static_cast<int>(q);
  if (cfg_.rps_cpus.empty()) return;
  if (cfg_.netdev_max_backlog < 0) throw std::invalid_argument("kernel: netdev_max_backlog must be >= 0");
  if (cfg_.dev_weight < 1) throw std::invalid_argument("kernel: dev_weight must be >= 1");
  for (size_t q = 0; q < cfg_.rps_cpus.size(); ++q) {
    const uint64_t mask = cfg_.rps_cpus[q];
    std::vector<int> map;
    for (int cpu = 0; cpu < 64; ++cpu) {
      if (!(mask >> cpu & 1)) continue;
      if (cpu >= ncpu) {
        char b[160];
        std::snprintf(b, sizeof b, "kernel: rps_cpus[%zu] = 0x%llx names CPU %d, but there are %d CPUs", q,
                      static_cast<unsigned long long>(mask), cpu, ncpu);
        throw std::invalid_argument(b);
      }
      map.push_back(cpu);
    }
    rps_maps_.push_back(std::move(map));
  }
  backlog_dev_.name = "backlog";
  backlog_dev_.kernel = this;
  for (int cpu = 0; cpu < ncpu; ++cpu) {
    auto n = std::make_unique<napi_struct>();
    n->dev = &backlog_dev_;
    n->name = "backlog" + std::to_string(cpu);
    n->weight = cfg_.dev_weight;
    softnet_data* sd = &softnet_[cpu];
    n->poll = [this, sd](napi_struct* napi, int quota) { return process_backlog(*sd, napi, quota); };
    sd->backlog = n.get();
    napis_.push_back(n.get());
    backlog_napis_.push_back(std::move(n));
  }
  // rps_trigger_softirq, run by the IPI on the target CPU (hardirq context).
  engine_->request_irq(
      RPS_IPI_IRQ,
      [this](Cpu& c, int) {
        softnet_data& sd = softnet_[c.id()];
        __napi_schedule(sd.backlog);  // ____napi_schedule(sd, &sd->backlog)
        ++sd.received_rps;
        if (th_) trace_rps_ipi("rps_trigger_softirq", sd, "IPI from cpu%d, scheduled the backlog", sd.rps_ipi_from);
      },
      "CAL (RPS IPI)");
}

const std::vector<int>* Kernel::rps_map(unsigned rx_queue) const {
  if (rps_maps_.empty()) return nullptr;
  if (rps_maps_.size() == 1) return &rps_maps_[0];
  return rx_queue < rps_maps_.size() ? &rps_maps_[rx_queue] : nullptr;
}

// skb_get_hash (include/linux/skbuff.h): a hash the driver set counts only
// when it covers L4 (l4_hash; igb's RSS hash is PKT_HASH_TYPE_L3), else
// __skb_get_hash computes one from the flow keys and keeps it (sw_hash).
// __skb_get_hash / __flow_hash_from_keys (net/core/flow_dissector.c): the
// IPv4 addresses, the ports of TCP/UDP (not of fragments), the protocol;
// __flow_hash_consistentify orders them so both directions of a flow hash
// the same; siphash with the fixed key of KernelConfig (Linux: random
// hashrnd); 0 becomes 1. Model: the bytes hashed are those five values as
// four little-endian words, not the kernel's struct flow_keys layout, so the
// values differ from a kernel's even with the same key.
uint32_t Kernel::skb_get_hash(sk_buff* skb) {
  if (skb->l4_hash || skb->sw_hash) return skb->hash;
  Cpu& c = current_cpu();
  c.defer(cost_.skb_flow_hash);
  uint32_t src = 0, dst = 0, proto = 0;
  uint16_t sport = 0, dport = 0;
  bool ports = false;
  if (skb->protocol == ETH_P_IP && skb->headlen() >= 20) {
    const uint8_t* iph = skb->data_ptr();
    const unsigned ihl = (iph[0] & 0x0f) * 4u;
    src = get_unaligned_be32(iph + 12);
    dst = get_unaligned_be32(iph + 16);
    proto = iph[9];
    const bool frag = get_unaligned_be16(iph + 6) & 0x3fff;  // MF or an offset
    if (!frag && (proto == IPPROTO_TCP_ || proto == IPPROTO_UDP_) && ihl >= 20 && skb->headlen() >= ihl + 4) {
      sport = get_unaligned_be16(iph + ihl);
      dport = get_unaligned_be16(iph + ihl + 2);
      ports = true;
    }
  }
  if (dst < src || (dst == src && dport < sport)) {  // __flow_hash_consistentify
    std::swap(src, dst);
    std::swap(sport, dport);
  }
  const uint32_t words[4] = {src, dst, static_cast<uint32_t>(sport) << 16 | dport, proto};
  uint8_t bytes[16];
  for (int i = 0; i < 4; ++i)
    for (int j = 0; j < 4; ++j) bytes[4 * i + j] = static_cast<uint8_t>(words[i] >> (8 * j));
  uint32_t hash = static_cast<uint32_t>(siphash(bytes, sizeof bytes, cfg_.flow_hash_k0, cfg_.flow_hash_k1));
  if (!hash) hash = 1;
  skb->hash = hash;
  skb->sw_hash = true;
  skb->l4_hash = ports;
  return hash;
}

// get_rps_cpu (net/core/dev.c) without RFS (no rps_sock_flow_table): the
// skb's RX queue (skb_record_rx_queue: queue_mapping, the ring index in this
// model) picks the rps_map; cpu = map->cpus[reciprocal_scale(hash, len)].
int Kernel::get_rps_cpu(sk_buff* skb) {
  const std::vector<int>* map = rps_map(skb->queue_mapping);
  if (!map || map->empty()) return -1;
  const uint32_t hash = skb_get_hash(skb);
  if (!hash) return -1;
  return (*map)[reciprocal_scale(hash, static_cast<uint32_t>(map->size()))];
}

// enqueue_to_backlog (net/core/dev.c); the flow limit (skb_flow_limit,
// net.core.flow_limit_cpu_bitmap, off by default) is not modelled. The
// queue takes a packet while it holds at most netdev_max_backlog; over that
// the packet is dropped: sd->dropped (softnet_stat column 2) of the target
// CPU, the device's rx_dropped, SKB_DROP_REASON_CPU_BACKLOG.
void Kernel::enqueue_to_backlog(sk_buff* skb, int cpu) {
  Cpu& c = current_cpu();
  c.defer(cost_.enqueue_to_backlog);
  // Another CPU's queue: bound how early it can see the packet (as for a
  // socket enqueue). The skb, on no list meanwhile, is held by the call.
  if (cpu != c.id() && c.debt_ns() > cfg_.max_defer_ns) {
    const uint32_t frames = skb->frames;
    in_transit_ += frames;
    c.sync();
    in_transit_ -= frames;
  }
  softnet_data& sd = softnet_[cpu];
  const uint32_t qlen = sd.input_pkt_queue.qlen;  // read after any wait (rps_lock held from here)
  if (qlen <= static_cast<uint32_t>(cfg_.netdev_max_backlog)) {
    const bool schedules = !qlen && !(sd.backlog->state & NAPI_STATE_SCHED);
    if (schedules) {
      sd.backlog->state |= NAPI_STATE_SCHED;
      // napi_schedule_rps
      softnet_data& mysd = softnet_[c.id()];
      if (&sd != &mysd) {
        sd.rps_ipi_next = mysd.rps_ipi_list;
        mysd.rps_ipi_list = &sd;
        if (!mysd.in_net_rx_action) c.raise_softirq_irqoff(NET_RX_SOFTIRQ);
      } else {
        __napi_schedule(sd.backlog);
      }
    }
    __skb_queue_tail(&sd.input_pkt_queue, skb);
    RXS_DBG(dev, "cpu" << c.id() << " rps -> cpu" << cpu << " qlen " << sd.input_pkt_queue.qlen);
    if (th_) trace_enqueue_to_backlog(skb, c, sd, schedules);
    return;
  }
  ++sd.dropped;
  if (th_) th_->set(th_->cpu[cpu].dropped, sd.dropped, c.effective_time());
  ++skb->dev->stats.rx_dropped;  // dev_core_stats_rx_dropped_inc
  RXS_DBG(dev, "cpu" << c.id() << " backlog of cpu" << cpu << " full (" << qlen << ")");
  kfree_skb_reason(skb, Drop::CPU_BACKLOG);
}

// net_rps_send_ipi (net/core/dev.c): an IPI to every CPU on this CPU's
// rps_ipi_list, each at the sender's true time once its cost is paid.
void Kernel::net_rps_send_ipi(Cpu& c, softnet_data& sd) {
  softnet_data* remsd = sd.rps_ipi_list;
  sd.rps_ipi_list = nullptr;
  while (remsd) {
    softnet_data* next = remsd->rps_ipi_next;
    remsd->rps_ipi_next = nullptr;
    c.defer(cost_.rps_ipi_send);
    c.sync();
    ++sd.ipis_sent;
    remsd->rps_ipi_from = c.id();
    if (th_) trace_rps_ipi("net_rps_send_ipi", *remsd, "IPI to cpu%d", remsd->cpu);
    RXS_DBG(napi, "cpu" << c.id() << " IPI to cpu" << remsd->cpu);
    engine_->raise_irq(remsd->cpu, RPS_IPI_IRQ);
    remsd = next;
  }
}

// The RPS hop in a packet's journey: enqueue_to_backlog on the queue's CPU,
// the IPI it owes (net_rps_send_ipi there, rps_trigger_softirq in hardirq
// on the target) and process_backlog on the target. The IPI stages go to
// every traced skb waiting in the target's input_pkt_queue: the one IPI
// serves them all. A packet queued while the backlog was already scheduled
// gets no IPI stage (none was sent for it).
void Kernel::trace_enqueue_to_backlog(const sk_buff* skb, Cpu& c, const softnet_data& sd, bool schedules) {
  th_->set(th_->cpu[sd.cpu].backlog, sd.input_pkt_queue.qlen, c.effective_time());
  if (!th_->wants(skb)) return;
  const unsigned q = sd.input_pkt_queue.qlen;
  char d[96];
  if (sd.cpu == c.id())
    std::snprintf(d, sizeof d, "cpu%d (own) backlog qlen %u", sd.cpu, q);
  else if (schedules)
    std::snprintf(d, sizeof d, "cpu%d backlog qlen %u, IPI to cpu%d owed", sd.cpu, q, sd.cpu);
  else
    std::snprintf(d, sizeof d, "cpu%d backlog qlen %u (already scheduled, no IPI)", sd.cpu, q);
  // The hash get_rps_cpu used: the NIC's RSS hash when it covered the ports
  // (l4_hash), else the flow dissector's (sw_hash), see skb_get_hash.
  trace_stage("enqueue_to_backlog", skb, d,
              {{"backlog_cpu", static_cast<uint64_t>(sd.cpu)},
               {"rps_hash", skb->hash},
               {"rps_hash_from", 0, skb->sw_hash ? "flow dissector" : "rss"}});
}

void Kernel::trace_rps_ipi(const char* name, const softnet_data& target, const char* fmt, int cpu) {
  for (const sk_buff* skb = target.input_pkt_queue.first; skb; skb = skb->next) trace_stagef(name, skb, fmt, cpu);
}

// process_backlog (net/core/dev.c): the backlog NAPI. IPIs still owed go out
// first; then skbs from process_queue, refilled from input_pkt_queue, until
// the quota; an empty backlog ends the NAPI (state = 0, no napi_complete).
int Kernel::process_backlog(softnet_data& sd, napi_struct* napi, int quota) {
  Cpu& c = current_cpu();
  if (sd.rps_ipi_list) net_rps_send_ipi(c, sd);
  napi->weight = cfg_.dev_weight;
  int work = 0;
  for (;;) {
    while (sk_buff* skb = __skb_dequeue(&sd.process_queue)) {
      const uint32_t frames = skb->frames;
      in_transit_ += frames;
      if (th_) trace_stagef("process_backlog", skb, "cpu%d backlog", sd.cpu);
      __netif_receive_skb_core(skb);
      in_transit_ -= frames;
      if (++work >= quota) return work;
    }
    if (!sd.input_pkt_queue.qlen) {
      napi->state = 0;
      if (th_) th_->set(napi->t_scheduled, 0, c.effective_time());
      return work;
    }
    skb_queue_splice_tail_init(&sd.input_pkt_queue, &sd.process_queue);
    if (th_) th_->set(th_->cpu[c.id()].backlog, 0, c.effective_time());
  }
}

// __netif_receive_skb_core (net/core/dev.c): ptype dispatch.
void Kernel::__netif_receive_skb_core(sk_buff* skb) {
  Cpu& c = current_cpu();
  ++softnet_[c.id()].processed;
  if (th_) trace_rx_core(skb);
  c.defer(cost_.netif_receive_skb);
  skb->reset_network_header();
  // An in-band VLAN tag (the NIC strips none: CTRL.VME is not modelled).
  if ((skb->protocol == ETH_P_8021Q || skb->protocol == ETH_P_8021AD) && !skb_vlan_untag(skb)) {
    kfree_skb_reason(skb, Drop::NOT_SPECIFIED, "skb_vlan_untag: too short");
    return;
  }
  // No VLAN devices: vlan_do_receive finds none. A nonzero VID is for
  // another station (PACKET_OTHERHOST, dropped by ip_rcv_core); VID 0
  // (priority tagging) is delivered; an outer VID 0 over an inner tag is
  // untagged once more and the inner VID checked the same way.
  while (skb->vlan_present) {
    if (skb->vlan_tci & eth::VLAN_VID_MASK) {
      skb->pkt_type = PACKET_OTHERHOST;
    } else if (skb->protocol == ETH_P_8021Q || skb->protocol == ETH_P_8021AD) {
      skb->vlan_present = false;  // __vlan_hwaccel_clear_tag, then skb_vlan_untag again
      if (!skb_vlan_untag(skb)) {
        kfree_skb_reason(skb, Drop::NOT_SPECIFIED, "skb_vlan_untag: too short");
        return;
      }
      continue;
    }
    skb->vlan_present = false;  // __vlan_hwaccel_clear_tag: the priority bits are ignored
  }
  switch (skb->protocol) {
    case ETH_P_IP:
      ip_rcv(skb);
      break;
    case ETH_P_ARP:
      arp_rcv(skb);
      break;
    default:
      // no ptype handler: !deliver_exact -> dev_core_stats_rx_dropped_inc
      // (rx_nohandler is for exact delivery through an upper device only)
      ++skb->dev->stats.rx_dropped;
      RXS_DBG(dev, "no handler for protocol 0x" << std::hex << skb->protocol);
      kfree_skb_reason(skb, Drop::UNHANDLED_PROTO);
  }
}

void Kernel::trace_rx_core(sk_buff* skb) {
  Cpu& c = current_cpu();
  th_->set(th_->cpu[c.id()].processed, softnet_[c.id()].processed, c.effective_time());
  trace_stage("__netif_receive_skb_core", skb);
}

// arp_rcv / arp_process (net/ipv4/arp.c): answers requests for our address.
void Kernel::arp_rcv(sk_buff* skb) {
  Cpu& c = current_cpu();
  c.defer(cost_.arp_rcv);
  if (skb->pkt_type == PACKET_OTHERHOST) {
    consume_skb(skb);
    return;
  }
  if (!pskb_may_pull(skb, 28)) {
    kfree_skb_reason(skb, Drop::ARP);
    return;
  }
  const uint8_t* a = skb->data_ptr();
  if (get_unaligned_be16(a) != 1 || get_unaligned_be16(a + 2) != ETH_P_IP || a[4] != 6 || a[5] != 4) {
    kfree_skb_reason(skb, Drop::ARP);
    return;
  }
  uint16_t op = get_unaligned_be16(a + 6);
  uint32_t tip = get_unaligned_be32(a + 24);
  net_device* dev = skb->dev;
  if (op == 1 && dev->ipv4_addr && tip == dev->ipv4_addr) {
    std::vector<uint8_t> f(42, 0);
    std::memcpy(f.data(), a + 8, 6);  // to the sender's MAC
    std::memcpy(f.data() + 6, dev->dev_addr.data(), 6);
    put_unaligned_be16(ETH_P_ARP, f.data() + 12);
    uint8_t* r = f.data() + 14;
    put_unaligned_be16(1, r);
    put_unaligned_be16(ETH_P_IP, r + 2);
    r[4] = 6;
    r[5] = 4;
    put_unaligned_be16(2, r + 6);  // ARPOP_REPLY
    std::memcpy(r + 8, dev->dev_addr.data(), 6);
    put_unaligned_be32(dev->ipv4_addr, r + 14);
    std::memcpy(r + 18, a + 8, 6);
    std::memcpy(r + 24, a + 14, 4);
    RXS_DBG(arp, "reply to " << std::hex << get_unaligned_be32(a + 14));
    c.defer(cost_.tcp_send_ack);
    tx_emit(TxKind::ARP_REPLY, std::move(f));
  }
  consume_skb(skb);
}

}  // namespace rxpath::stack
