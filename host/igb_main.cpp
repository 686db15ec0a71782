// SPDX-License-Identifier: MIT
// The igb-shaped driver: probe, ring setup, refill, ISR, NAPI poll, ITR.
// Each function cites its counterpart in drivers/net/ethernet/intel/igb/.
#include "host/igb.hpp"

#include <algorithm>
#include <cstring>
#include <exception>
#include <stdexcept>

#include "common/unaligned.hpp"
#include "host/debug.hpp"
#include "rxpath/igb_regs.hpp"

namespace rxpath::host {

using namespace rxpath::regs;
namespace st = rxpath::stack;

namespace {
constexpr uint32_t E1000_RXDEXT_ERR_FRAME_ERR_MASK = E1000_RXDEXT_STATERR_CE | E1000_RXDEXT_STATERR_SE |
                                                     E1000_RXDEXT_STATERR_SEQ | E1000_RXDEXT_STATERR_CXE |
                                                     E1000_RXDEXT_STATERR_RXE;
}  // namespace

// igb_desc_unused (igb.h)
static inline uint16_t igb_desc_unused(const igb_ring& r) {
  const unsigned ntc = r.next_to_clean, ntu = r.next_to_use;
  return uint16_t(((ntc > ntu) ? 0 : r.count) + ntc - ntu - 1);
}

IgbAdapter::IgbAdapter(HostPlatform& plat, const IgbConfig& cfg, const IgbCost& cost)
    : plat_(plat), k_(plat.kernel()), link_(plat.link()), mem_(plat.mem()), cfg_(cfg), cost_(cost) {
  if (cfg_.num_queues == 0 || cfg_.num_queues > kMaxRxQueues)
    throw std::invalid_argument("IgbConfig.num_queues must be 1.." + std::to_string(kMaxRxQueues));
  if (cfg_.napi_weight <= 0) throw std::invalid_argument("IgbConfig.napi_weight must be > 0");
  std::string err;
  if (igb_set_coalesce(cfg_.rx_itr_setting, &err) != 0) throw std::invalid_argument(err);
  cfg_.rx_ring_count = igb_set_ringparam(cfg_.rx_ring_count);
  netdev_.get_stats64 = [this](st::rtnl_link_stats64& s) { fill_stats64(s); };
}

IgbAdapter::~IgbAdapter() {
  if (traced_serial_) link_.set_write_observer({});  // it points at this adapter
  for (auto& r : rings_)
    if (r->skb) st::__kfree_skb(r->skb);
}

void IgbAdapter::charge(double ns) {
  if (st::Cpu* c = running_cpu()) c->defer(ns);
}

// wr32 (igb/e1000_hw.h): posted MMIO write.
void IgbAdapter::wr32(uint32_t reg, uint32_t val) {
  charge(cost_.mmio_write);
  if (st::Cpu* c = running_cpu()) c->sync();  // the write leaves the CPU at its true time
  link_.mmio_write(reg, val);
}

// rd32 (igb/e1000_hw.h): MMIO read, stalls the CPU for the round trip.
uint32_t IgbAdapter::rd32(uint32_t reg) {
  if (st::Cpu* c = running_cpu()) c->sync();  // the read leaves at the CPU's true time
  return link_.mmio_read(reg);
}

// ---- tracing (stack/trace.hpp): host.igb.q<q>.*, host.igb.vec<v>.masked ----
sc_core::sc_time IgbAdapter::cpu_now() const {
  st::Cpu* c = running_cpu();
  return c ? c->effective_time() : sc_core::sc_time_stamp();
}

void IgbAdapter::trace_declare(st::TraceHub& th) {
  traced_serial_ = th.serial();
  const sc_core::sc_time now = sc_core::sc_time_stamp();
  // Writes that arrived by now are in memory before the writebacks are
  // counted below; later ones reach the observer at their arrival.
  link_.sync(now);
  for (auto& r : rings_) {
    const std::string p = "host.igb.q" + std::to_string(r->reg_idx);
    th.declare(r->t_ntu, p + ".next_to_use", 16);
    th.declare(r->t_ntc, p + ".next_to_clean", 16);
    th.declare(r->t_rdt, p + ".rdt", 16);
    th.declare(r->t_free, p + ".free", 16);
    th.declare(r->t_held, p + ".held_by_nic", 16);
    th.declare(r->t_done, p + ".done_not_cleaned", 16);
    // Writebacks that arrived before the tracer: the slots from
    // next_to_clean on with a nonzero length (a slot's length is zeroed
    // before it is handed to the NIC, see igb_alloc_rx_buffers).
    r->wb_arrived = 0;
    if (r->desc && r->count) {
      for (unsigned i = r->next_to_clean; i != r->rdt; i = (i + 1 == r->count) ? 0 : i + 1) {
        if (!get_unaligned_le16(r->desc + size_t(i) * RX_DESC_BYTES + RXD_WB_LENGTH_BYTE)) break;
        ++r->wb_arrived;
      }
    }
    trace_ring(th, *r, now);
  }
  for (auto& qv : q_vectors_) {
    th.declare(qv->t_masked, "host.igb.vec" + std::to_string(qv->v_idx) + ".masked", 1);
    th.set(qv->t_masked, (qv->napi.state & st::NAPI_STATE_SCHED) ? 1 : 0, now);
  }
  // Descriptor writebacks as they arrive in host memory.
  link_.set_write_observer([this](uint64_t addr, const uint8_t* data, std::size_t len, const sc_core::sc_time& t) {
    trace_dma_write(addr, data, len, t);
  });
}

unsigned IgbAdapter::rx_done_not_cleaned(unsigned q) const {
  const igb_ring& r = *rings_.at(q);
  unsigned n = 0;
  if (!r.desc || !r.count) return 0;
  // From next_to_clean on, the slots with a nonzero length (a slot's length
  // is zeroed before it is handed to the NIC, see igb_alloc_rx_buffers).
  for (unsigned i = r.next_to_clean; i != r.rdt; i = (i + 1 == r.count) ? 0 : i + 1) {
    if (!get_unaligned_le16(r.desc + size_t(i) * RX_DESC_BYTES + RXD_WB_LENGTH_BYTE)) break;
    ++n;
  }
  return n;
}

unsigned IgbAdapter::rx_held_by_nic(unsigned q) const {
  const igb_ring& r = *rings_.at(q);
  if (!r.count) return 0;
  const unsigned given = (r.rdt + r.count - r.next_to_clean) % r.count;  // handed to the NIC, not cleaned
  const unsigned done = rx_done_not_cleaned(q);
  return given > done ? given - done : 0;
}

void IgbAdapter::trace_ring(st::TraceHub& th, igb_ring& r, sc_core::sc_time t) {
  if (!r.count) return;
  const unsigned given = (r.rdt + r.count - r.next_to_clean) % r.count;  // handed to the NIC, not cleaned
  th.set(r.t_ntu, r.next_to_use, t);
  th.set(r.t_ntc, r.next_to_clean, t);
  th.set(r.t_rdt, r.rdt, t);
  th.set(r.t_free, igb_desc_unused(r), t);
  th.set(r.t_done, r.wb_arrived, t);
  th.set(r.t_held, given > r.wb_arrived ? given - r.wb_arrived : 0, t);
}

// A DMA write arrived in host memory: descriptor writebacks of a ring.
void IgbAdapter::trace_dma_write(uint64_t addr, const uint8_t* data, std::size_t len, const sc_core::sc_time& t) {
  st::TraceHub* th = trace();
  if (!th) return;
  for (auto& r : rings_) {
    if (!r->desc || addr < r->dma || addr >= r->dma + uint64_t(r->count) * RX_DESC_BYTES) continue;
    unsigned n = 0;
    for (std::size_t off = (RX_DESC_BYTES - (addr - r->dma) % RX_DESC_BYTES) % RX_DESC_BYTES;
         off + RX_DESC_BYTES <= len; off += RX_DESC_BYTES)
      if (get_unaligned_le16(data + off + RXD_WB_LENGTH_BYTE)) ++n;
    if (!n) return;
    r->wb_arrived += n;
    trace_ring(*th, *r, t);
    return;
  }
}

// igb_sw_init (igb_main.c): queue and vector counts, default ITR.
void IgbAdapter::igb_sw_init() {
  rings_.clear();
  q_vectors_.clear();
  const int ncpus = k_.cpus().num_cpus();
  for (unsigned i = 0; i < cfg_.num_queues; ++i) {
    auto qv = std::make_unique<igb_q_vector>();
    auto ring = std::make_unique<igb_ring>();
    qv->v_idx = i;
    qv->eims_value = 1u << i;  // igb_assign_vector: BIT(msix_vector)
    qv->irq = int(cfg_.irq_base + i);
    qv->cpu = i < cfg_.vector_cpu.size() ? cfg_.vector_cpu[i] : int(i) % ncpus;
    qv->itr_register = E1000_EITR(i);
    // igb_alloc_q_vector: itr_val from rx_itr_setting, START_ITR when dynamic
    qv->itr_val = (cfg_.rx_itr_setting && cfg_.rx_itr_setting <= 3) ? IGB_START_ITR : cfg_.rx_itr_setting;
    qv->set_itr = true;
    ring->reg_idx = i;
    ring->count = cfg_.rx_ring_count;
    ring->q_vector = qv.get();
    qv->ring = ring.get();
    rings_.push_back(std::move(ring));
    q_vectors_.push_back(std::move(qv));
  }
  rqdpc_.assign(cfg_.num_queues, 0);
}

// igb_setup_rx_resources (igb_main.c): descriptor ring, ALIGN(count*16, 4096).
void IgbAdapter::igb_setup_rx_resources(igb_ring& ring) {
  ring.size = (ring.count * RX_DESC_BYTES + PAGE_SIZE - 1) / PAGE_SIZE * PAGE_SIZE;
  ring.dma = mem_.dma_alloc_coherent(ring.size, &ring.desc, netdev_.name + "-rxring");
  ring.rx_buffer_info.assign(ring.count, igb_rx_buffer{});
  // igb_set_rx_buffer_len: 2 KiB half pages for MTU 1500, else 3 KiB buffers
  // in order-1 pages (8 KiB, two halves of 4 KiB)
  ring.large_buffer = netdev_.mtu > 1500;
  ring.rx_buf_len = ring.large_buffer ? IGB_RXBUFFER_3072 : IGB_RXBUFFER_2048;
  ring.pg_size = ring.large_buffer ? 2 * PAGE_SIZE : PAGE_SIZE;
  ring.truesize = ring.pg_size / 2;
  ring.next_to_use = ring.next_to_clean = ring.next_to_alloc = 0;
}

// igb_free_rx_resources (igb_main.c)
void IgbAdapter::igb_free_rx_resources(igb_ring& ring) {
  if (ring.desc) mem_.dma_free_coherent(ring.dma);
  ring.desc = nullptr;
  for (igb_rx_buffer& bi : ring.rx_buffer_info)
    if (bi.page) mem_.dma_free_coherent(bi.dma);
  ring.rx_buffer_info.clear();
}

// igb_rar_set_index (igb_main.c): the station address into receive address
// register 0, valid, so the NIC's filter accepts frames for this host.
void IgbAdapter::igb_rar_set_index(unsigned index) {
  const auto& a = netdev_.dev_addr;
  wr32(E1000_RAL(index), uint32_t(a[0]) | uint32_t(a[1]) << 8 | uint32_t(a[2]) << 16 | uint32_t(a[3]) << 24);
  wr32(E1000_RAH(index), uint32_t(a[4]) | uint32_t(a[5]) << 8 | E1000_RAH_AV);
}

// igb_setup_rctl (igb_main.c): receiver on, broadcast, strip CRC; RXCSUM (igb_configure_rx).
void IgbAdapter::igb_setup_rctl() {
  igb_rar_set_index(0);
  wr32(E1000_RXCSUM, E1000_RXCSUM_IPOFLD | E1000_RXCSUM_TUOFL | E1000_RXCSUM_PCSD);
  uint32_t rctl = E1000_RCTL_EN | E1000_RCTL_BAM | E1000_RCTL_SECRC;
  if (netdev_.mtu > 1500) {  // igb_rlpml_set: long packets up to MTU + 18
    rctl |= E1000_RCTL_LPE;
    wr32(E1000_RLPML, (netdev_.mtu + ETH_FRAME_OVERHEAD) << E1000_RLPML_VAL_LSB);
  }
  wr32(E1000_RCTL, rctl);
}

// igb_configure_rx_ring (igb_main.c), reference 1.1.
void IgbAdapter::igb_configure_rx_ring(igb_ring& ring) {
  const unsigned n = ring.reg_idx;
  wr32(E1000_RXDCTL(n), 0);  // disable the queue while programming it
  wr32(E1000_RDBAL(n), uint32_t(ring.dma & 0xFFFFFFFFull));
  wr32(E1000_RDBAH(n), uint32_t(ring.dma >> 32));
  wr32(E1000_RDLEN(n), ring.count * RX_DESC_BYTES);
  wr32(E1000_RDH(n), 0);
  wr32(E1000_RDT(n), 0);
  ring.rdt = 0;
  // igb_setup_srrctl: 2 KiB buffers, advanced one-buffer descriptors
  uint32_t srrctl = (ring.rx_buf_len >> E1000_SRRCTL_BSIZEPKT_SHIFT) << E1000_SRRCTL_BSIZEPKT_LSB;
  srrctl |= E1000_SRRCTL_DESCTYPE_ADV_ONEBUF;
  if (cfg_.drop_en) srrctl |= E1000_SRRCTL_DROP_EN;
  wr32(E1000_SRRCTL(n), srrctl);
  const uint32_t rxdctl = IGB_RX_PTHRESH << E1000_RXDCTL_PTHRESH_LSB | IGB_RX_HTHRESH << E1000_RXDCTL_HTHRESH_LSB |
                          IGB_RX_WTHRESH << E1000_RXDCTL_WTHRESH_LSB | E1000_RXDCTL_QUEUE_ENABLE;
  wr32(E1000_RXDCTL(n), rxdctl);
}

// igb_configure_msix (igb_main.c): GPIE, IVAR, EIAC/EIAM; request_irq per vector.
void IgbAdapter::igb_configure_msix() {
  wr32(E1000_GPIE, E1000_GPIE_MSIX_MODE | E1000_GPIE_PBA | E1000_GPIE_EIAME | E1000_GPIE_NSICR);
  uint32_t eims = 0;
  for (auto& qv : q_vectors_) {
    // igb_assign_vector: IVAR entry of the ring's queue
    wr32(E1000_IVAR0(qv->ring->reg_idx), (qv->v_idx << E1000_IVAR0_RX_VECTOR_LSB) | E1000_IVAR0_RX_VALID);
    eims |= qv->eims_value;
    plat_.route_vector(qv->v_idx, qv->irq, qv->cpu);
    k_.cpus().request_irq(
        qv->irq, [this](st::Cpu& cpu, int irq) { igb_msix_ring(cpu, irq); },
        netdev_.name + "-rx-" + std::to_string(qv->v_idx));
  }
  // igb_irq_enable: auto-clear and auto-mask for the ring vectors, then unmask
  wr32(E1000_EIAC, eims);
  wr32(E1000_EIAM, eims);
}

// igb_irq_enable (igb_main.c)
void IgbAdapter::igb_irq_enable() {
  uint32_t eims = 0;
  for (auto& qv : q_vectors_) eims |= qv->eims_value;
  wr32(E1000_EIMS, eims);
  if (k_.trace_hub()) trace_masked(nullptr, false);
}

// igb_probe + __igb_open (igb_main.c). Called again after ethtool -G:
// then it does what igb_set_ringparam does (igb_down, new rings, igb_up).
void IgbAdapter::igb_probe() {
  if (probed_) {
    for (auto& r : rings_) {
      wr32(E1000_RXDCTL(r->reg_idx), 0);
      if (r->skb) {
        st::__kfree_skb(r->skb);
        r->skb = nullptr;
      }
      igb_free_rx_resources(*r);
      r->count = cfg_.rx_ring_count;
      igb_setup_rx_resources(*r);
      igb_configure_rx_ring(*r);
      igb_alloc_rx_buffers(*r, igb_desc_unused(*r));
    }
    traced_serial_ = 0;  // new rings: declare (and count writebacks) again
    trace();
    return;
  }
  igb_sw_init();
  for (auto& r : rings_) igb_setup_rx_resources(*r);
  k_.register_netdev(&netdev_);
  for (auto& qv : q_vectors_) {
    qv->napi.name = "rx" + std::to_string(qv->v_idx);
    st::netif_napi_add(
        &netdev_, &qv->napi, [this](st::napi_struct* napi, int budget) { return igb_poll(napi, budget); },
        cfg_.napi_weight);
    st::napi_enable(&qv->napi);
  }
  igb_setup_rctl();
  for (auto& r : rings_) {
    igb_configure_rx_ring(*r);
    igb_alloc_rx_buffers(*r, igb_desc_unused(*r));  // count - 1 slots
  }
  igb_configure_msix();
  igb_irq_enable();
  probed_ = true;
  traced_serial_ = 0;
  trace();
}

// igb_alloc_mapped_page (igb_main.c): a page for the slot unless it has one.
bool IgbAdapter::igb_alloc_mapped_page(igb_ring& ring, igb_rx_buffer& bi) {
  if (bi.page) return true;  // reused half page (igb_reuse_rx_page)
  try {
    bi.dma = mem_.dma_alloc_coherent(ring.pg_size, &bi.page, netdev_.name + "-rxpage");
  } catch (const std::exception&) {
    ++ring.rx_stats.alloc_failed;
    return false;
  }
  bi.page_offset = IGB_SKB_PAD;  // igb_rx_offset
  return true;
}

// igb_alloc_rx_buffers (igb_main.c): refill, zero next slot's length, one RDT write.
void IgbAdapter::igb_alloc_rx_buffers(igb_ring& ring, uint16_t cleaned_count) {
  uint16_t i = ring.next_to_use;
  if (!cleaned_count) return;
  unsigned filled = 0;
  do {
    igb_rx_buffer& bi = ring.rx_buffer_info[i];
    if (!igb_alloc_mapped_page(ring, bi)) break;
    uint8_t* rx_desc = ring.desc + size_t(i) * RX_DESC_BYTES;
    // only pkt_addr is written: hdr_addr may still hold a stale DD bit,
    // which is why completion is detected by length, not DD
    put_unaligned_le64(bi.dma + bi.page_offset, rx_desc + RXD_RD_PKT_ADDR_BYTE);
    if (++i == ring.count) i = 0;
    // clear the length for the next_to_use descriptor (stale writeback)
    put_unaligned_le16(0, ring.desc + size_t(i) * RX_DESC_BYTES + RXD_WB_LENGTH_BYTE);
    ++filled;
    charge(cost_.alloc_rx_buffer);
  } while (--cleaned_count);
  if (ring.next_to_use != i) {
    ring.next_to_use = i;
    ring.next_to_alloc = i;
    // dma_wmb(): descriptor stores are visible before the tail write (in
    // this model CPU stores to host memory are immediate).
    ++ring.tail_writes;
    if (ring.record_tail_writes) ring.tail_write_sizes.push_back(filled);
    HOST_DPRINTF(desc, "refill %u slots, RDT=%u", filled, i);
    wr32(E1000_RDT(ring.reg_idx), i);
    ring.rdt = i;
    if (k_.trace_hub()) trace_ring_now(ring);
  }
}

// igb_rx_checksum (igb_main.c)
void IgbAdapter::igb_rx_checksum(igb_ring& ring, const uint8_t* rx_desc, st::sk_buff* skb) {
  const uint32_t staterr = get_unaligned_le32(rx_desc + RXD_WB_STATUS_ERROR_BYTE);
  skb->ip_summed = st::CHECKSUM_NONE;
  if (staterr & E1000_RXD_STAT_IXSM) return;
  if (!(netdev_.features & st::NETIF_F_RXCSUM)) return;
  if (staterr & (E1000_RXDEXT_STATERR_TCPE | E1000_RXDEXT_STATERR_IPE)) {
    ++ring.rx_stats.csum_err;
    return;
  }
  if (staterr & (E1000_RXD_STAT_TCPCS | E1000_RXD_STAT_UDPCS)) skb->ip_summed = st::CHECKSUM_UNNECESSARY;
}

// igb_cleanup_headers (igb_main.c): frame errors free the skb unless RXALL.
bool IgbAdapter::igb_cleanup_headers(igb_ring& ring, const uint8_t* rx_desc, st::sk_buff* skb) {
  const uint32_t staterr = get_unaligned_le32(rx_desc + RXD_WB_STATUS_ERROR_BYTE);
  if ((staterr & E1000_RXDEXT_ERR_FRAME_ERR_MASK) && !(netdev_.features & st::NETIF_F_RXALL)) {
    ++ring.rx_stats.drops;  // model: counted so every frame is accounted for
    if (k_.trace_hub()) trace_frame_error(ring, skb, staterr);
    st::__kfree_skb(skb);
    return true;
  }
  return false;
}

// igb_process_skb_fields (igb_main.c): hash, checksum, queue, protocol.
void IgbAdapter::igb_process_skb_fields(igb_ring& ring, const uint8_t* rx_desc, st::sk_buff* skb) {
  if (netdev_.features & st::NETIF_F_RXHASH) skb->hash = get_unaligned_le32(rx_desc + RXD_WB_RSS_BYTE);  // igb_rx_hash
  igb_rx_checksum(ring, rx_desc, skb);
  skb->queue_mapping = uint16_t(ring.reg_idx);  // skb_record_rx_queue
  skb->protocol = st::eth_type_trans(skb, &netdev_);
  charge(cost_.process_skb_fields);
}

// A span of the driver on the CPU running it, the shape of stack::TraceSpan
// (one pointer test when no tracer is attached, the rest cold): none when
// the caller is not a CPU thread; the end goes to the hub attached then, and
// none when the scope is left by an exception. Both go through trace(), so
// a hub the adapter has not seen gets its signals declared first. `start`,
// if given, receives the begin time (igb_q_vector::poll_start).
class IgbAdapter::Span {
 public:
  Span(IgbAdapter& a, const char* func, sc_core::sc_time* start = nullptr) {
    if (a.k_.trace_hub()) begin(a, func, start);
  }
  ~Span() {
    if (cpu_) end();
  }
  Span(const Span&) = delete;
  Span& operator=(const Span&) = delete;

 private:
  RXPATH_TRACE_COLD void begin(IgbAdapter& a, const char* func, sc_core::sc_time* start);
  RXPATH_TRACE_COLD void end();
  // Untraced, the hot path stores cpu_ only; begin() sets the rest.
  st::Cpu* cpu_ = nullptr;
  IgbAdapter* a_;
  const char* func_;
  int exceptions_;  // std::uncaught_exceptions() at the begin
};

void IgbAdapter::Span::begin(IgbAdapter& a, const char* func, sc_core::sc_time* start) {
  st::TraceHub* th = a.trace();
  st::Cpu* c = running_cpu();
  if (!c) return;
  cpu_ = c;
  a_ = &a;
  func_ = func;
  exceptions_ = std::uncaught_exceptions();
  const sc_core::sc_time t = c->effective_time();
  if (start) *start = t;
  th->begin(c->id(), func, t);
}

void IgbAdapter::Span::end() {
  if (std::uncaught_exceptions() > exceptions_) return;  // left by an exception
  if (st::TraceHub* th = a_->trace()) th->end(cpu_->id(), func_, cpu_->effective_time());
}

// igb_clean_rx_irq (igb_main.c), reference 4. With a tracer: a span.
int IgbAdapter::igb_clean_rx_irq(igb_q_vector& qv, int budget) {
  Span span(*this, "igb_clean_rx_irq");
  igb_ring& ring = *qv.ring;
  st::sk_buff* skb = ring.skb;
  unsigned total_bytes = 0, total_packets = 0;
  uint16_t cleaned_count = igb_desc_unused(ring);
  st::Cpu* cpu = running_cpu();

  while (total_packets < unsigned(budget)) {
    if (cleaned_count >= IGB_RX_BUFFER_WRITE) {
      igb_alloc_rx_buffers(ring, cleaned_count);
      cleaned_count = 0;
    }
    uint8_t* rx_desc = ring.desc + size_t(ring.next_to_clean) * RX_DESC_BYTES;
    uint16_t size = get_unaligned_le16(rx_desc + RXD_WB_LENGTH_BYTE);
    if (!size && cpu && cpu->debt_ns() > 0) {
      // The CPU's true time is later than SystemC time by its debt:
      // catch up (the sync hook applies DMA writes arrived by then).
      cpu->sync();
      size = get_unaligned_le16(rx_desc + RXD_WB_LENGTH_BYTE);
    }
    if (!size) break;
    // dma_rmb(): read the rest of the descriptor only after length != 0
    // (the NIC writes the 16 bytes at once, so this holds by construction).
    charge(cost_.clean_rx_desc);
    igb_rx_buffer& bi = ring.rx_buffer_info[ring.next_to_clean];
    const uint8_t* va = bi.page + bi.page_offset;
    if (skb) {
      // igb_add_rx_frag: the buffer is copied into a frag of its own
      auto frag = std::make_shared<std::vector<uint8_t>>(va, va + size);
      st::skb_add_rx_frag(skb, frag, 0, size, ring.truesize);
    } else {
      // igb_build_skb: wrap the half page, headroom IGB_SKB_PAD
      skb = st::build_skb(va - IGB_SKB_PAD, ring.truesize);
      if (skb) {
        charge(k_.cost().skb_alloc);
        st::skb_reserve(skb, IGB_SKB_PAD);
        st::skb_put(skb, size);
      }
    }
    if (!skb) {  // exit if we failed to retrieve a buffer
      ++ring.rx_stats.alloc_failed;
      break;
    }
    // igb_put_rx_buffer / igb_reuse_rx_page: flip to the other half page
    bi.page_offset ^= ring.truesize;
    ++cleaned_count;
    // igb_is_non_eop: fetch the next buffer, keep building the frame
    const uint32_t staterr = get_unaligned_le32(rx_desc + RXD_WB_STATUS_ERROR_BYTE);
    const unsigned desc_idx = ring.next_to_clean;
    if (++ring.next_to_clean == ring.count) ring.next_to_clean = 0;
    if (k_.trace_hub()) trace_clean(qv, skb, desc_idx, staterr & E1000_RXD_STAT_EOP, total_packets + 1, budget);
    if (!(staterr & E1000_RXD_STAT_EOP)) continue;
    if (igb_cleanup_headers(ring, rx_desc, skb)) {
      skb = nullptr;
      continue;
    }
    total_bytes += skb->len;
    igb_process_skb_fields(ring, rx_desc, skb);
    st::napi_gro_receive(&qv.napi, skb);
    skb = nullptr;
    ++total_packets;
  }
  ring.skb = skb;  // place incomplete frames back on the ring
  ring.rx_stats.packets += total_packets;
  ring.rx_stats.bytes += total_bytes;
  qv.rx.total_packets += total_packets;
  qv.rx.total_bytes += total_bytes;
  if (cleaned_count) igb_alloc_rx_buffers(ring, cleaned_count);
  HOST_DPRINTF(napi, "clean_rx_irq q%u: %u packets", ring.reg_idx, total_packets);
  return int(total_packets);
}

// igb_write_itr (igb_main.c): latched value, CNT_IGNR, minimum 4.
void IgbAdapter::igb_write_itr(igb_q_vector& qv) {
  if (!qv.set_itr) return;
  uint32_t itr_val = qv.itr_val & E1000_EITR_INTERVAL;
  if (!itr_val) itr_val = 0x4;
  itr_val |= E1000_EITR_CNT_IGNR;
  ++qv.itr_writes;
  HOST_DPRINTF(itr, "EITR[%u] = 0x%x (%u us)", qv.v_idx, itr_val, (itr_val & E1000_EITR_INTERVAL) >> 2);
  wr32(qv.itr_register, itr_val);
  qv.set_itr = false;
}

// igb_msix_ring (igb_main.c): write the ITR chosen at the last completion, schedule NAPI.
void IgbAdapter::igb_msix_ring(st::Cpu& cpu, int irq) {
  igb_q_vector* qv = nullptr;
  for (auto& q : q_vectors_)
    if (q->irq == irq) qv = q.get();
  if (!qv) return;
  ++qv->irqs;
  if (k_.trace_hub()) trace_msix(cpu, *qv, 0, false);
  cpu.defer(cost_.igb_msix_ring);
  igb_write_itr(*qv);
  HOST_DPRINTF(irq, "igb_msix_ring vector %u on cpu %d", qv->v_idx, cpu.id());
  const bool scheduled = st::napi_schedule(&qv->napi);
  if (k_.trace_hub()) trace_msix(cpu, *qv, 1, scheduled);
}

// phase 0: the ISR starts (EIAM auto-masked the vector when the MSI-X
// fired); phase 1: it ends; if it scheduled NAPI, the frames the poll
// cleans refer to it.
void IgbAdapter::trace_msix(st::Cpu& cpu, igb_q_vector& qv, int phase, bool scheduled) {
  st::TraceHub* th = trace();
  if (phase == 0) {
    qv.isr_prev = qv.isr_time;
    qv.isr_time = cpu.effective_time();  // kept if this ISR schedules the poll
    th->begin(cpu.id(), "igb_msix_ring", cpu.effective_time());
    th->set(qv.t_masked, 1, cpu.effective_time());
    return;
  }
  if (scheduled)
    qv.isr_cpu = cpu.id();
  else
    qv.isr_time = qv.isr_prev;
  th->end(cpu.id(), "igb_msix_ring", cpu.effective_time());
}

void IgbAdapter::trace_masked(igb_q_vector* qv, bool masked) {
  st::TraceHub* th = trace();
  if (qv) {
    th->set(qv->t_masked, masked ? 1 : 0, cpu_now());
    return;
  }
  for (auto& q : q_vectors_) th->set(q->t_masked, masked ? 1 : 0, cpu_now());
}

void IgbAdapter::trace_ring_now(igb_ring& ring) { trace_ring(*trace(), ring, cpu_now()); }

void IgbAdapter::trace_frame_error(igb_ring& ring, st::sk_buff* skb, uint32_t staterr) {
  st::TraceHub* th = trace();
  if (!th->wants(skb)) return;
  char d[40], drop[64];
  std::snprintf(d, sizeof d, "staterr 0x%08x", staterr);
  std::snprintf(drop, sizeof drop, "frame error (rx_queue_%u_drops)", ring.reg_idx);
  st::Cpu* c = running_cpu();
  th->stage(skb->trace_id, "igb_cleanup_headers", c ? c->id() : -1, cpu_now(), skb, d, th->intern(drop));
}

// A descriptor was cleaned (next_to_clean advanced past desc_idx); at the
// frame's last one the frame gets its packet id and its first stages.
void IgbAdapter::trace_clean(igb_q_vector& qv, st::sk_buff* skb, unsigned desc_idx, bool eop, unsigned work,
                             int budget) {
  st::TraceHub* th = trace();
  igb_ring& ring = *qv.ring;
  if (ring.wb_arrived) --ring.wb_arrived;
  trace_ring(*th, ring, cpu_now());
  if (!eop) return;
  if (trace_id_of) skb->trace_id = trace_id_of(skb->data_ptr(), skb->headlen());
  if (!th->wants(skb)) return;
  st::Cpu* cpu = running_cpu();
  const int cid = cpu ? cpu->id() : -1;
  char d[96];
  if (qv.isr_cpu >= 0) {
    std::snprintf(d, sizeof d, "vector %u irq %d, scheduled the poll", qv.v_idx, qv.irq);
    th->stage(skb->trace_id, "igb_msix_ring", qv.isr_cpu, qv.isr_time, nullptr, d);
  }
  std::snprintf(d, sizeof d, "poll #%llu budget %d", (unsigned long long)qv.polls, budget);
  th->stage(skb->trace_id, "napi_poll", cid, qv.poll_start, nullptr, d);
  std::snprintf(d, sizeof d, "q%u desc %u poll #%llu work %u/%d", ring.reg_idx, desc_idx, (unsigned long long)qv.polls,
                work, budget);
  th->stage(skb->trace_id, "igb_clean_rx_irq", cid, cpu_now(), skb, d);
}

// igb_update_itr (igb_main.c): classify the last interval's traffic.
void IgbAdapter::igb_update_itr(igb_q_vector& qv, igb_ring_container& rc) {
  const uint64_t packets = rc.total_packets, bytes = rc.total_bytes;
  uint8_t itrval = rc.itr;
  if (packets == 0) return;
  switch (itrval) {
    case lowest_latency:
      if (bytes / packets > 8000)
        itrval = bulk_latency;
      else if (packets < 5 && bytes > 512)
        itrval = low_latency;
      break;
    case low_latency:
      if (bytes > 10000) {
        if (bytes / packets > 8000)
          itrval = bulk_latency;
        else if (packets < 10 || bytes / packets > 1200)
          itrval = bulk_latency;
        else if (packets > 35)
          itrval = lowest_latency;
      } else if (bytes / packets > 2000) {
        itrval = bulk_latency;
      } else if (packets <= 2 && bytes < 512) {
        itrval = lowest_latency;
      }
      break;
    case bulk_latency:
      if (bytes > 25000) {
        if (packets > 35) itrval = low_latency;
      } else if (bytes < 1500) {
        itrval = low_latency;
      }
      break;
  }
  rc.total_bytes = 0;
  rc.total_packets = 0;
  rc.itr = itrval;
  (void)qv;
}

// igb_set_itr (igb_main.c): single-vector dynamic ITR.
void IgbAdapter::igb_set_itr(igb_q_vector& qv) {
  uint32_t new_itr = qv.itr_val;
  uint8_t current_itr;
  if (cfg_.link_speed != SPEED_1000) {
    new_itr = IGB_4K_ITR;
  } else {
    igb_update_itr(qv, qv.rx);
    current_itr = qv.rx.itr;
    // conservative mode (itr 3) eliminates the lowest_latency setting
    if (current_itr == lowest_latency && cfg_.rx_itr_setting == 3) current_itr = low_latency;
    switch (current_itr) {
      case lowest_latency:
        new_itr = IGB_70K_ITR;
        break;
      case low_latency:
        new_itr = IGB_20K_ITR;
        break;
      case bulk_latency:
        new_itr = IGB_4K_ITR;
        break;
      default:
        break;
    }
  }
  if (new_itr != qv.itr_val) {
    // bias towards bulk: intermediate steps when the interrupt rate rises
    new_itr = new_itr > qv.itr_val ? std::max<uint32_t>((new_itr * qv.itr_val) / (new_itr + (qv.itr_val >> 2)), new_itr)
                                   : new_itr;
    qv.itr_val = new_itr;
    qv.set_itr = true;
  }
}

// igb_update_ring_itr (igb_main.c): multi-vector dynamic ITR from average wire size.
void IgbAdapter::igb_update_ring_itr(igb_q_vector& qv) {
  uint32_t new_val = qv.itr_val;
  if (cfg_.link_speed != SPEED_1000) {
    new_val = IGB_4K_ITR;
  } else {
    uint64_t avg = qv.rx.total_packets ? qv.rx.total_bytes / qv.rx.total_packets : 0;
    if (!avg) goto clear_counts;
    avg += 24;
    avg = std::min<uint64_t>(avg, 3000);
    new_val = (avg > 300 && avg < 1200) ? uint32_t(avg / 3) : uint32_t(avg / 2);
    if (new_val < IGB_20K_ITR && cfg_.rx_itr_setting == 3) new_val = IGB_20K_ITR;
  }
  if (new_val != qv.itr_val) {
    qv.itr_val = new_val;
    qv.set_itr = true;
  }
clear_counts:
  qv.rx.total_bytes = 0;
  qv.rx.total_packets = 0;
}

// igb_ring_irq_enable (igb_main.c): ITR update, then unmask the vector (EIMS).
void IgbAdapter::igb_ring_irq_enable(igb_q_vector& qv) {
  charge(cost_.ring_irq_enable);
  if (cfg_.rx_itr_setting & 3) {
    if (q_vectors_.size() == 1)
      igb_set_itr(qv);
    else
      igb_update_ring_itr(qv);
  }
  wr32(E1000_EIMS, qv.eims_value);
  if (k_.trace_hub()) trace_masked(&qv, false);
}

// igb_poll (igb_main.c), reference 4.
int IgbAdapter::igb_poll(st::napi_struct* napi, int budget) {
  igb_q_vector* qv = nullptr;
  for (auto& q : q_vectors_)
    if (&q->napi == napi) qv = q.get();
  if (!qv) return 0;
  Span span(*this, "igb_poll", &qv->poll_start);
  ++qv->polls;
  charge(cost_.igb_poll);
  const int work_done = igb_clean_rx_irq(*qv, budget);
  if (work_done >= budget) {  // not complete: NAPI repolls, vector stays masked
    ++qv->polls_full;
    return budget;
  }
  if (st::napi_complete_done(napi, work_done)) igb_ring_irq_enable(*qv);
  return work_done;
}

}  // namespace rxpath::host
