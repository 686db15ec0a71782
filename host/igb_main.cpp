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
  if (cfg_.rss_queues > IGB_MAX_RX_QUEUES_82576)
    throw std::invalid_argument("igb.queues: " + std::to_string(cfg_.rss_queues) + " is more than the 82576's " +
                                std::to_string(IGB_MAX_RX_QUEUES_82576) + " RSS queues (ethtool -L combined)");
  static_assert(IGB_MAX_RX_QUEUES_82576 <= kMaxRxQueues, "the register map has fewer queues than the 82576");
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
  for (auto& qv : q_vectors_) st::netif_napi_del(&qv->napi);  // GRO and rx_list of a run ended mid-flight
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

// igb_sw_init (igb_main.c) with igb_init_queue_configuration,
// igb_set_flag_queue_pairs, igb_set_interrupt_capability (MSI-X) and
// igb_alloc_q_vectors: queue count, vector layout, default ITR.
void IgbAdapter::igb_sw_init() {
  rings_.clear();
  q_vectors_.clear();
  const int ncpus = k_.cpus().num_cpus();
  // igb_init_queue_configuration: min(igb_get_max_rss_queues, num_online_cpus)
  // unless ethtool -L set it (igb_set_channels sets rss_queues, then the same
  // igb_set_flag_queue_pairs).
  rss_queues_ = cfg_.rss_queues ? cfg_.rss_queues : std::min<unsigned>(IGB_MAX_RX_QUEUES_82576, unsigned(ncpus));
  // igb_set_flag_queue_pairs (82576): pair when rss_queues > max_rss_queues / 2
  if (rss_queues_ > IGB_MAX_RX_QUEUES_82576 / 2)
    flags_ |= IGB_FLAG_QUEUE_PAIRS;
  else
    flags_ &= ~IGB_FLAG_QUEUE_PAIRS;
  if (cfg_.rss_field_ipv4_udp)
    flags_ |= IGB_FLAG_RSS_FIELD_IPV4_UDP;
  else
    flags_ &= ~IGB_FLAG_RSS_FIELD_IPV4_UDP;
  // igb_set_interrupt_capability (MSI-X): one vector per RX queue, one per TX
  // queue unless paired; the "other" vector is added on top (msix entry 0).
  const unsigned num_rx_queues = rss_queues_, num_tx_queues = rss_queues_;
  const unsigned num_q_vectors = num_rx_queues + ((flags_ & IGB_FLAG_QUEUE_PAIRS) ? 0 : num_tx_queues);
  // ethtool -X given as a knob: igb_set_rxfh's checks
  if (!cfg_.rss_indir_tbl.empty()) {
    if (cfg_.rss_indir_tbl.size() != IGB_RETA_SIZE)
      throw std::invalid_argument("igb.rxfh_indir: " + std::to_string(cfg_.rss_indir_tbl.size()) + " entries, not " +
                                  std::to_string(IGB_RETA_SIZE));
    for (unsigned i = 0; i < IGB_RETA_SIZE; ++i)
      if (cfg_.rss_indir_tbl[i] >= rss_queues_)
        throw std::invalid_argument(
            "igb.rxfh_indir: entry " + std::to_string(i) + " is queue " + std::to_string(cfg_.rss_indir_tbl[i]) +
            ", not below igb.queues = " + std::to_string(rss_queues_) + " (igb_set_rxfh: EINVAL)");
  }
  if (cfg_.irq_affinity.size() > num_q_vectors)
    throw std::invalid_argument("igb.irq_affinity: " + std::to_string(cfg_.irq_affinity.size()) + " CPUs for " +
                                std::to_string(num_q_vectors) + " queue vectors");
  for (unsigned q = 0; q < num_rx_queues; ++q) {
    auto ring = std::make_unique<igb_ring>();
    ring->reg_idx = q;  // igb_cache_ring_register: reg_idx = i without VFs
    ring->count = cfg_.rx_ring_count;
    rings_.push_back(std::move(ring));
  }
  // igb_alloc_q_vectors: RX-only vectors first when there are enough
  // vectors for every ring, then the rest spread rings evenly.
  unsigned rxr_remaining = num_rx_queues, txr_remaining = num_tx_queues, rxr_idx = 0, txr_idx = 0, v_idx = 0;
  auto alloc = [&](unsigned txr_count, unsigned rxr_count) {
    // igb_alloc_q_vector; the model's q_vector holds at most one ring of each kind
    if (txr_count > 1 || rxr_count > 1) throw std::logic_error("igb_alloc_q_vectors: more than one ring per vector");
    auto qv = std::make_unique<igb_q_vector>();
    qv->v_idx = v_idx;
    if (txr_count) qv->tx_queue = int(txr_idx);
    if (rxr_count) {
      qv->ring = rings_[rxr_idx].get();
      qv->ring->q_vector = qv.get();
    }
    // smp_affinity: the knob's CPU, else irqbalance-like i % CPUs
    qv->cpu = v_idx < cfg_.irq_affinity.size() ? cfg_.irq_affinity[v_idx] : int(v_idx) % ncpus;
    if (qv->cpu < 0 || qv->cpu >= ncpus)
      throw std::invalid_argument("igb.irq_affinity: CPU " + std::to_string(qv->cpu) + " (vector " +
                                  std::to_string(v_idx) + ") does not exist (kernel.cpus is " + std::to_string(ncpus) +
                                  ")");
    // igb_alloc_q_vector: itr_val from rx_itr_setting, START_ITR when dynamic
    qv->itr_val = (cfg_.rx_itr_setting && cfg_.rx_itr_setting <= 3) ? IGB_START_ITR : cfg_.rx_itr_setting;
    q_vectors_.push_back(std::move(qv));
  };
  if (num_q_vectors >= rxr_remaining + txr_remaining) {
    for (; rxr_remaining; ++v_idx, --rxr_remaining, ++rxr_idx) alloc(0, 1);
  }
  for (; v_idx < num_q_vectors; ++v_idx) {
    const unsigned left = num_q_vectors - v_idx;
    const unsigned rqpv = (rxr_remaining + left - 1) / left, tqpv = (txr_remaining + left - 1) / left;
    alloc(tqpv, rqpv);
    rxr_remaining -= rqpv;
    txr_remaining -= tqpv;
    rxr_idx += rqpv;
    txr_idx += tqpv;
  }
  rqdpc_.assign(num_rx_queues, 0);
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

// igb_setup_rctl (igb_main.c): receiver on, broadcast, strip CRC.
void IgbAdapter::igb_setup_rctl() {
  igb_rar_set_index(0);
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
  // igb_setup_srrctl: 2 KiB buffers, advanced one-buffer descriptors; drop
  // enable with more than one queue (flow control is off in the model), or
  // when the model's igb.drop_en asks for it with one queue
  uint32_t srrctl = (ring.rx_buf_len >> E1000_SRRCTL_BSIZEPKT_SHIFT) << E1000_SRRCTL_BSIZEPKT_LSB;
  srrctl |= E1000_SRRCTL_DESCTYPE_ADV_ONEBUF;
  if (cfg_.drop_en || rings_.size() > 1) srrctl |= E1000_SRRCTL_DROP_EN;
  wr32(E1000_SRRCTL(n), srrctl);
  const uint32_t rxdctl = IGB_RX_PTHRESH << E1000_RXDCTL_PTHRESH_LSB | IGB_RX_HTHRESH << E1000_RXDCTL_HTHRESH_LSB |
                          IGB_RX_WTHRESH << E1000_RXDCTL_WTHRESH_LSB | E1000_RXDCTL_QUEUE_ENABLE;
  wr32(E1000_RXDCTL(n), rxdctl);
}

// igb_write_ivar (igb_main.c): one byte lane of IVAR0[index]. Linux reads
// the register back (array_rd32) and changes its lane; the driver keeps what
// it wrote instead (an MMIO read would stall, and probe may run before the
// simulation starts): the same writes, in the same order, with the same values.
void IgbAdapter::igb_write_ivar(unsigned msix_vector, unsigned index, unsigned offset) {
  uint32_t ivar = ivar_.at(index);
  ivar &= ~(uint32_t(0xFF) << offset);                     // clear the lane
  ivar |= (msix_vector | E1000_IVAR0_RX_VALID) << offset;  // vector and E1000_IVAR_VALID
  ivar_[index] = ivar;
  wr32(E1000_IVAR0(index), ivar);
}

// igb_assign_vector (igb_main.c), 82576: a column-major table of 2 columns
// by 8 rows: the low 3 bits of the queue pick the row, bit 3 the column; RX
// in the lane's low byte, TX 8 bits above.
void IgbAdapter::igb_assign_vector(igb_q_vector& qv, unsigned msix_vector) {
  const int rx_queue = qv.ring ? int(qv.ring->reg_idx) : IGB_N0_QUEUE;
  const int tx_queue = qv.tx_queue;
  if (rx_queue > IGB_N0_QUEUE) igb_write_ivar(msix_vector, rx_queue & 0x7, (rx_queue & 0x8) << 1);
  if (tx_queue > IGB_N0_QUEUE) igb_write_ivar(msix_vector, tx_queue & 0x7, ((tx_queue & 0x8) << 1) + 8);
  qv.msix_vector = msix_vector;
  qv.eims_value = 1u << msix_vector;  // BIT(msix_vector)
  eims_enable_mask_ |= qv.eims_value;
  qv.set_itr = true;  // configure q_vector to set itr on first interrupt
}

// igb_configure_msix (igb_main.c), 82576: GPIE, the other vector in
// IVAR_MISC (MSI-X entry 0), then one entry per q_vector.
void IgbAdapter::igb_configure_msix() {
  unsigned vector = 0;
  eims_enable_mask_ = 0;
  wr32(E1000_GPIE, E1000_GPIE_MSIX_MODE | E1000_GPIE_PBA | E1000_GPIE_EIAME | E1000_GPIE_NSICR);
  eims_other_ = 1u << vector;
  // (vector | E1000_IVAR_VALID) << 8: the other-causes lane of IVAR_MISC
  wr32(E1000_IVAR_MISC, (vector++ | E1000_IVAR0_RX_VALID) << 8);
  eims_enable_mask_ |= eims_other_;
  for (auto& qv : q_vectors_) igb_assign_vector(*qv, vector++);
}

// igb_request_msix (igb_main.c): igb_msix_other on entry 0 named after the
// interface, then each q_vector with its name and EITR; then igb_configure_msix.
// The interrupt controller routes each entry to its vector's CPU (smp_affinity).
void IgbAdapter::igb_request_msix() {
  unsigned vector = 0;
  other_irq_ = int(cfg_.irq_base + vector);
  plat_.route_vector(vector, other_irq_, 0);
  k_.cpus().request_irq(
      other_irq_, [this](st::Cpu& cpu, int irq) { igb_msix_other(cpu, irq); }, netdev_.name);
  for (auto& qv : q_vectors_) {
    ++vector;
    qv->itr_register = E1000_EITR(vector);
    qv->irq = int(cfg_.irq_base + vector);
    if (qv->ring && qv->tx_queue > IGB_N0_QUEUE)
      qv->name = netdev_.name + "-TxRx-" + std::to_string(qv->ring->reg_idx);
    else if (qv->tx_queue > IGB_N0_QUEUE)
      qv->name = netdev_.name + "-tx-" + std::to_string(qv->tx_queue);
    else if (qv->ring)
      qv->name = netdev_.name + "-rx-" + std::to_string(qv->ring->reg_idx);
    else
      qv->name = netdev_.name + "-unused";
    plat_.route_vector(vector, qv->irq, qv->cpu);
    k_.cpus().request_irq(
        qv->irq, [this](st::Cpu& cpu, int irq) { igb_msix_ring(cpu, irq); }, qv->name);
  }
  igb_configure_msix();
}

// igb_msix_other (igb_main.c): link and other causes; the model raises none,
// so it only counts (it re-enables its cause with EIMS as igb does).
void IgbAdapter::igb_msix_other(st::Cpu& cpu, int irq) {
  (void)cpu;
  (void)irq;
  ++other_irqs_;
  wr32(E1000_EIMS, eims_other_);
}

// igb_irq_enable (igb_main.c), MSI-X: EIAC and EIAM gain eims_enable_mask
// (Linux ORs it into what it reads back; both are zero after reset, and
// only this function writes them), then EIMS unmasks every vector.
void IgbAdapter::igb_irq_enable() {
  wr32(E1000_EIAC, eims_enable_mask_);
  wr32(E1000_EIAM, eims_enable_mask_);
  wr32(E1000_EIMS, eims_enable_mask_);
  if (k_.trace_hub()) trace_masked(nullptr, false);
}

// igb_write_rss_indir_tbl (igb_main.c): four entries per RETA register, the
// lowest entry in the low byte; shift 0 on an 82576 without VFs.
void IgbAdapter::igb_write_rss_indir_tbl() {
  for (unsigned i = 0; i < IGB_RETA_SIZE; i += 4) {
    uint32_t val = 0;
    for (int j = 3; j >= 0; --j) {
      val <<= 8;
      val |= rss_indir_tbl_[i + unsigned(j)];
    }
    wr32(E1000_RETA(i / 4), val);
  }
}

// The MRQC igb_setup_mrqc writes (the IPv6 fields are not in the model's map).
uint32_t IgbAdapter::igb_mrqc_value() const {
  uint32_t mrqc = E1000_MRQC_RSS_FIELD_IPV4 | E1000_MRQC_RSS_FIELD_IPV4_TCP;
  if (flags_ & IGB_FLAG_RSS_FIELD_IPV4_UDP) mrqc |= E1000_MRQC_RSS_FIELD_IPV4_UDP;
  // no VFs: RSS even with one queue, so every frame gets a hash
  return mrqc | E1000_MRQC_ENABLE_RSS_MQ;
}

// igb_setup_mrqc (igb_main.c): key, redirection table, RXCSUM.PCSD (the
// writeback carries the hash), MRQC. Written whatever the queue count.
void IgbAdapter::igb_setup_mrqc() {
  // rss_key[j] is a u32 loaded from the key bytes: byte 4j in bits 7:0
  for (unsigned j = 0; j < IGB_RSS_KEY_BYTES / 4; ++j) {
    const uint8_t* b = &cfg_.rss_key[4 * j];
    wr32(E1000_RSSRK(j), uint32_t(b[0]) | uint32_t(b[1]) << 8 | uint32_t(b[2]) << 16 | uint32_t(b[3]) << 24);
  }
  const unsigned num_rx_queues = rss_queues_;
  if (!cfg_.rss_indir_tbl.empty()) {  // ethtool -X given as a knob (checked by igb_sw_init)
    rss_indir_tbl_ = cfg_.rss_indir_tbl;
    rss_indir_tbl_init_ = num_rx_queues;
  }
  if (rss_indir_tbl_init_ != num_rx_queues || rss_indir_tbl_.size() != IGB_RETA_SIZE) {
    rss_indir_tbl_.assign(IGB_RETA_SIZE, 0);
    for (unsigned j = 0; j < IGB_RETA_SIZE; ++j) rss_indir_tbl_[j] = (j * num_rx_queues) / IGB_RETA_SIZE;
    rss_indir_tbl_init_ = num_rx_queues;
  }
  igb_write_rss_indir_tbl();
  // RXCSUM: Linux ORs PCSD and CRCOFL into what it reads; IPOFLD and TUOFL
  // are the reset value (written here as they are, the register is write-only to the driver)
  wr32(E1000_RXCSUM, E1000_RXCSUM_IPOFLD | E1000_RXCSUM_TUOFL | E1000_RXCSUM_PCSD | E1000_RXCSUM_CRCOFL);
  wr32(E1000_MRQC, igb_mrqc_value());
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
    if (!qv->ring) continue;  // a TX vector: no NAPI in the RX-only model (it never fires)
    qv->napi.name = "rx" + std::to_string(qv->ring->reg_idx);
    st::netif_napi_add(
        &netdev_, &qv->napi, [this](st::napi_struct* napi, int budget) { return igb_poll(napi, budget); },
        cfg_.napi_weight);
    st::napi_enable(&qv->napi);
  }
  // igb_configure: igb_setup_mrqc, igb_setup_rctl, igb_configure_rx, refill
  igb_setup_mrqc();
  igb_setup_rctl();
  for (auto& r : rings_) {
    igb_configure_rx_ring(*r);
    igb_alloc_rx_buffers(*r, igb_desc_unused(*r));  // count - 1 slots
  }
  igb_request_msix();
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

// igb_rx_hash (igb_main.c, as changed to set the hash type from the RSS
// type: "igb: set skb hash type from RSS_TYPE"): no hash when the NIC hashed
// nothing (type 0), L4 when the ports were hashed (IGB_RSS_L4_TYPES: the
// IPv4 TCP and UDP types of the map; the IPv6 ones are not in the model).
void IgbAdapter::igb_rx_hash(const st::net_device& netdev, const uint8_t* rx_desc, st::sk_buff* skb) {
  if (!(netdev.features & st::NETIF_F_RXHASH)) return;
  const unsigned rss_type = get_unaligned_le16(rx_desc + RXD_WB_PKT_INFO_BYTE) & E1000_RXDADV_RSSTYPE_MASK;
  if (!rss_type) return;
  constexpr uint32_t l4_types = (1u << E1000_RXDADV_RSSTYPE_IPV4_TCP) | (1u << E1000_RXDADV_RSSTYPE_IPV4_UDP);
  // skb_set_hash
  skb->hash = get_unaligned_le32(rx_desc + RXD_WB_RSS_BYTE);
  skb->l4_hash = (l4_types >> rss_type) & 1;
}

// igb_process_skb_fields (igb_main.c): hash, checksum, queue, protocol.
void IgbAdapter::igb_process_skb_fields(igb_ring& ring, const uint8_t* rx_desc, st::sk_buff* skb) {
  igb_rx_hash(netdev_, rx_desc, skb);
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
    // A frame still being built sits on the ring across the waits below
    // (igb itself puts it there only on exit): a teardown that unwinds this
    // thread in one of them leaves it where ~IgbAdapter frees it.
    ring.skb = skb;
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
    ring.skb = nullptr;  // the frame is whole: it leaves the ring
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
  HOST_DPRINTF(itr, "EITR[%u] = 0x%x (%u us)", qv.msix_vector, itr_val, (itr_val & E1000_EITR_INTERVAL) >> 2);
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
  HOST_DPRINTF(irq, "igb_msix_ring %s (msix %u) on cpu %d", qv->name.c_str(), qv->msix_vector, cpu.id());
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
  char d[128];
  if (qv.isr_cpu >= 0) {
    // The MSI-X entry, as the NIC's msix stage names it (entry 0 is the "other" vector).
    std::snprintf(d, sizeof d, "MSI-X vector %u (%s) irq %d, scheduled the poll", qv.msix_vector, qv.name.c_str(),
                  qv.irq);
    th->stage(skb->trace_id, "igb_msix_ring", qv.isr_cpu, qv.isr_time, nullptr, d, nullptr,
              {{"vector", qv.msix_vector}, {"irq", static_cast<uint64_t>(qv.irq)}});
  }
  std::snprintf(d, sizeof d, "poll #%llu budget %d", (unsigned long long)qv.polls, budget);
  th->stage(skb->trace_id, "napi_poll", cid, qv.poll_start, nullptr, d);
  // The RSS hash and type the NIC wrote back (igb_rx_hash reads them next).
  const uint8_t* wb = ring.desc + size_t(desc_idx) * RX_DESC_BYTES;
  const unsigned rss_type = get_unaligned_le16(wb + RXD_WB_PKT_INFO_BYTE) & E1000_RXDADV_RSSTYPE_MASK;
  char rss[40] = "";
  std::vector<st::StageField> fields = {{"queue", ring.reg_idx}, {"desc", desc_idx}};
  if (rss_type) {
    const char* name = rss_type == E1000_RXDADV_RSSTYPE_IPV4_TCP   ? "IPV4_TCP"
                       : rss_type == E1000_RXDADV_RSSTYPE_IPV4_UDP ? "IPV4_UDP"
                       : rss_type == E1000_RXDADV_RSSTYPE_IPV4     ? "IPV4"
                                                                   : "?";
    const uint32_t hash = get_unaligned_le32(wb + RXD_WB_RSS_BYTE);
    std::snprintf(rss, sizeof rss, " rss 0x%08x %s", hash, name);
    fields.push_back({"rss_hash", hash});
    fields.push_back({"rss_type", 0, name});
  }
  std::snprintf(d, sizeof d, "q%u desc %u%s poll #%llu work %u/%d", ring.reg_idx, desc_idx, rss,
                (unsigned long long)qv.polls, work, budget);
  th->stage(skb->trace_id, "igb_clean_rx_irq", cid, cpu_now(), skb, d, nullptr, std::move(fields));
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
  if (qv.ring && (cfg_.rx_itr_setting & 3)) {
    // adapter->num_q_vectors: 1 only without MSI-X (not modelled); with
    // MSI-X an 82576 has at least two (rx-0 and tx-0)
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
  if (!qv || !qv->ring) return 0;
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
