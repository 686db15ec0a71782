// SPDX-License-Identifier: MIT
// The igb-shaped driver (drivers/net/ethernet/intel/igb) as on an 82576 with
// MSI-X and no VFs: rss_queues RX rings, q_vectors as igb_set_interrupt_capability
// lays them out (separate RX and TX vectors up to 4 queues, TxRx pairs above),
// the "other" vector at MSI-X entry 0, RSS (igb_setup_mrqc), NAPI poll,
// build_skb receive, refill in batches of IGB_RX_BUFFER_WRITE with one RDT
// write per batch, ITR (fixed / dynamic / dynamic conservative),
// ethtool -C / -G / -L / -S / -x / -X / -n / -N.
// Names follow igb_main.c / igb_ethtool.c so the two read side by side.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "host/igb_cost.hpp"
#include "host/platform.hpp"
#include "stack/kernel.hpp"

namespace rxpath::host {

// igb.h constants.
inline constexpr unsigned IGB_DEFAULT_RXD = 256;
inline constexpr unsigned IGB_MIN_RXD = 64;
inline constexpr unsigned IGB_MAX_RXD = 4096;
inline constexpr unsigned REQ_RX_DESCRIPTORS_MULTIPLE = 8;
inline constexpr unsigned IGB_RX_BUFFER_WRITE = 16;
inline constexpr unsigned IGB_RXBUFFER_2048 = 2048;
inline constexpr unsigned IGB_RXBUFFER_3072 = 3072;  // large buffers (frames above 1500 MTU)
inline constexpr unsigned ETH_FRAME_OVERHEAD = 18;   // ETH_HLEN + ETH_FCS_LEN
inline constexpr unsigned IGB_SKB_PAD = 192;         // NET_SKB_PAD + NET_IP_ALIGN rounded (x86-64)
inline constexpr unsigned IGB_RX_PTHRESH = 8;
inline constexpr unsigned IGB_RX_HTHRESH = 8;
inline constexpr unsigned IGB_RX_WTHRESH = 1;  // 82576 with MSI-X
inline constexpr unsigned IGB_START_ITR = 648;
inline constexpr unsigned IGB_4K_ITR = 980;
inline constexpr unsigned IGB_20K_ITR = 196;
inline constexpr unsigned IGB_70K_ITR = 56;
inline constexpr unsigned IGB_MIN_ITR_USECS = 10;
inline constexpr unsigned IGB_MAX_ITR_USECS = 10000;
inline constexpr unsigned IGB_DEFAULT_ITR = 3;  // dynamic conservative
inline constexpr unsigned SPEED_1000 = 1000;

// igb.h / igb_main.c, 82576 without VFs.
inline constexpr unsigned IGB_MAX_RX_QUEUES_82576 = 8;  // igb_get_max_rss_queues: IGB_MAX_RX_QUEUES
inline constexpr unsigned IGB_RETA_SIZE = 128;
inline constexpr unsigned IGB_RSS_KEY_BYTES = 40;                 // RSSRK: ten 32-bit registers
inline constexpr uint32_t IGB_FLAG_QUEUE_PAIRS = 1u << 3;         // igb.h BIT(3)
inline constexpr uint32_t IGB_FLAG_RSS_FIELD_IPV4_UDP = 1u << 6;  // igb.h BIT(6)
inline constexpr int IGB_N0_QUEUE = -1;

// The default RSS key: the Microsoft RSS verification key ("Verifying the RSS
// Hash Calculation", the key of its published IPv4/TCP test vectors), so runs
// are deterministic. Linux fills the key with netdev_rss_key_fill (random at boot).
inline constexpr std::array<uint8_t, IGB_RSS_KEY_BYTES> kRssKeyMicrosoft = {
    0x6d, 0x5a, 0x56, 0xda, 0x25, 0x5b, 0x0e, 0xc2, 0x41, 0x67, 0x25, 0x3d, 0x43, 0xa3,
    0x8f, 0xb0, 0xd0, 0xca, 0x2b, 0xcb, 0xae, 0x7b, 0x30, 0xb4, 0x77, 0xcb, 0x2d, 0xa3,
    0x80, 0x30, 0xf2, 0x0c, 0x6a, 0x42, 0xb7, 0x3b, 0xbe, 0xac, 0x01, 0xfa};

// ethtool (user space) -X: the indirection table it computes and passes to
// igb_set_rxfh (ethtool.c fill_indir_table). "equal N": entry i = i % N;
// "weight w0 w1 ..": entry i = the first j with i < size * (w0+..+wj) / sum.
// Throws std::invalid_argument with ethtool's message on bad weights.
std::vector<uint32_t> ethtool_rxfh_indir_equal(unsigned n, unsigned size = IGB_RETA_SIZE);
std::vector<uint32_t> ethtool_rxfh_indir_weight(const std::vector<uint32_t>& weights, unsigned size = IGB_RETA_SIZE);
// "default", "equal N" or "weight a b c ..." (the words of `ethtool -X eth0 ...`);
// empty result for "default" (igb_setup_mrqc's table). Throws std::invalid_argument.
std::vector<uint32_t> ethtool_rxfh_indir_parse(const std::string& spec, unsigned size = IGB_RETA_SIZE);
// "6d:5a:..." or 80 hex digits -> 40 bytes. Throws std::invalid_argument.
std::array<uint8_t, IGB_RSS_KEY_BYTES> parse_rss_key(const std::string& text);

enum latency_range : uint8_t { lowest_latency = 0, low_latency = 1, bulk_latency = 2 };

struct IgbConfig {
  // ethtool -L combined: RX (and TX) queues; 0 = igb_init_queue_configuration's
  // min(IGB_MAX_RX_QUEUES_82576, online CPUs). 1..8.
  unsigned rss_queues = 0;
  unsigned rx_ring_count = IGB_DEFAULT_RXD;
  unsigned rx_itr_setting = IGB_DEFAULT_ITR;  // ethtool -C rx-usecs
  int napi_weight = stack::NAPI_POLL_WEIGHT;
  unsigned link_speed =
      SPEED_1000;          // Mb/s (knob igb.link_speed): igb_set_itr / igb_update_ring_itr compare it with SPEED_1000
  unsigned irq_base = 40;  // Linux IRQ number of vector 0
  // smp_affinity of q_vector i (igb_request_msix order: rx-0.., tx-0.. or
  // TxRx-0..); missing entries: CPU i % online CPUs (irqbalance-like). The
  // "other" vector stays on CPU 0.
  std::vector<int> irq_affinity;
  bool drop_en = false;  // SRRCTL.DROP_EN with one queue (igb_setup_srrctl sets it with more)
  // RSSRK (model knob: igb takes netdev_rss_key_fill's key and ethtool -X
  // hkey is EOPNOTSUPP on igb)
  std::array<uint8_t, IGB_RSS_KEY_BYTES> rss_key = kRssKeyMicrosoft;
  std::vector<uint32_t> rss_indir_tbl;  // ethtool -X: 128 entries; empty = the default j * rss_queues / 128
  bool rss_field_ipv4_udp = false;      // ethtool -N rx-flow-hash udp4 sdfn (IGB_FLAG_RSS_FIELD_IPV4_UDP)
};

struct igb_rx_buffer {
  uint64_t dma = 0;          // page bus address
  uint8_t* page = nullptr;   // DMI pointer to the page
  uint32_t page_offset = 0;  // IGB_SKB_PAD or IGB_SKB_PAD + half page
};

struct igb_rx_queue_stats {
  uint64_t packets = 0, bytes = 0, drops = 0, csum_err = 0, alloc_failed = 0;
};

struct igb_ring_container {
  uint64_t total_bytes = 0, total_packets = 0;
  uint8_t itr = lowest_latency;
};

struct igb_q_vector;

struct igb_ring {
  igb_q_vector* q_vector = nullptr;
  unsigned reg_idx = 0;
  unsigned count = 0;
  uint8_t* desc = nullptr;  // DMI pointer to the descriptor ring
  uint64_t dma = 0;
  unsigned size = 0;                        // bytes
  bool large_buffer = false;                // ring_uses_large_buffer: 3 KiB buffers in order-1 pages
  unsigned rx_buf_len = IGB_RXBUFFER_2048;  // igb_rx_bufsz: SRRCTL.BSIZEPKT
  unsigned pg_size = 4096;                  // igb_rx_pg_size
  unsigned truesize = 2048;                 // igb_rx_pg_size / 2: one buffer's share of its page
  uint16_t next_to_use = 0, next_to_clean = 0, next_to_alloc = 0;
  std::vector<igb_rx_buffer> rx_buffer_info;
  stack::sk_buff* skb = nullptr;  // frame in progress across polls
  igb_rx_queue_stats rx_stats;
  uint16_t rdt = 0;  // last value written to RDT
  // tracing (host.igb.q<q>.*): descriptors whose writeback has arrived in
  // host memory and that are not cleaned yet (kept only while tracing)
  uint32_t wb_arrived = 0;
  stack::TraceSig t_ntu, t_ntc, t_rdt, t_free, t_held, t_done;
  // model instrumentation: every RDT write and how many slots it handed over
  uint64_t tail_writes = 0;
  std::vector<unsigned> tail_write_sizes;  // kept when record_tail_writes
  bool record_tail_writes = false;
};

struct igb_q_vector {
  unsigned v_idx = 0;           // index in adapter->q_vector[]
  unsigned msix_vector = 0;     // MSI-X entry (v_idx + 1: entry 0 is the "other" vector)
  std::string name;             // "<ifname>-rx-N", "-tx-N", "-TxRx-N" (igb_request_msix)
  int tx_queue = IGB_N0_QUEUE;  // TX ring index (the model has no TX: the vector never fires)
  uint32_t eims_value = 0;
  int irq = 0;
  int cpu = 0;
  uint32_t itr_val = IGB_START_ITR;
  bool set_itr = false;
  uint32_t itr_register = 0;
  igb_ring_container rx;
  igb_ring* ring = nullptr;  // the RX ring (q_vector->rx.ring), nullptr for a TX vector
  stack::napi_struct napi;   // added for the vectors with an RX ring
  // model instrumentation
  uint64_t irqs = 0, polls = 0, polls_full = 0, itr_writes = 0;
  // tracing: host.igb.vec<v>.masked (the driver's view of EIMS), and the
  // ISR / poll start that the stages of the frames cleaned refer to
  stack::TraceSig t_masked;
  sc_core::sc_time isr_time{sc_core::SC_ZERO_TIME}, isr_prev{sc_core::SC_ZERO_TIME}, poll_start{sc_core::SC_ZERO_TIME};
  int isr_cpu = -1;
};

// Accumulated hardware statistics (struct e1000_hw_stats, receive subset).
struct e1000_hw_stats {
  uint64_t crcerrs = 0, rxerrc = 0, mpc = 0, gprc = 0, bprc = 0, mprc = 0, gorc = 0, rnbc = 0, ruc = 0, rfc = 0,
           roc = 0, rjc = 0, tor = 0, tpr = 0, afdc = 0, rxdis = 0;
};

class IgbAdapter {
 public:
  IgbAdapter(HostPlatform& plat, const IgbConfig& cfg = {}, const IgbCost& cost = {});
  ~IgbAdapter();

  // igb_probe (igb_main.c) + igb_open: sw init, rings, MSI-X, enable.
  // Posted register writes only: may run before simulation starts.
  void igb_probe();
  // Declares this adapter's trace signals now, with their current values
  // (a tracer attached after igb_probe would otherwise see them only at the
  // first interrupt, and a waveform would show them unknown until then).
  void trace_attach() {
    traced_serial_ = 0;
    trace();
  }

  // ethtool -C rx-usecs (igb_set_coalesce, igb_ethtool.c). Returns 0 or
  // -EINVAL (-22) with `err` naming the field.
  int igb_set_coalesce(unsigned rx_usecs, std::string* err = nullptr);
  // ethtool -G rx N (igb_set_ringparam): clamps to 64..4096 and rounds up
  // to a multiple of 8; takes effect at the next igb_probe (returns the count).
  unsigned igb_set_ringparam(unsigned rx_pending);

  // igb_update_stats (igb_main.c): reads the clear-on-read statistics over
  // MMIO (stalls the calling CPU) and accumulates them. Call from a task.
  void igb_update_stats();
  // ethtool -S eth0 (igb_get_ethtool_stats) as text.
  std::string ethtool_S() const;
  // ethtool -x eth0 (igb_get_rxfh): indirection table and key, ethtool's layout.
  std::string ethtool_x() const;
  // ethtool -X eth0 equal/weight (igb_set_rxfh): 128 entries, each below
  // rss_queues, or -EINVAL (-22) with `err`; written at once when probed.
  int igb_set_rxfh(const std::vector<uint32_t>& indir, std::string* err = nullptr);
  // ethtool -N eth0 rx-flow-hash udp4 sd|sdfn (igb_set_rss_hash_opt):
  // sets or clears IGB_FLAG_RSS_FIELD_IPV4_UDP; -EINVAL for anything else.
  int igb_set_rss_hash_opt_udp4(const std::string& fields, std::string* err = nullptr);
  // ethtool -n eth0 rx-flow-hash udp4 (igb_get_rss_hash_opts) as ethtool prints it.
  std::string ethtool_n_udp4() const;
  // igb_rx_hash (igb_main.c): the hash of the writeback into the skb,
  // L4 when the RSS type says the ports were hashed.
  static void igb_rx_hash(const stack::net_device& netdev, const uint8_t* rx_desc, stack::sk_buff* skb);

  stack::net_device& netdev() { return netdev_; }
  unsigned num_rx_queues() const { return static_cast<unsigned>(rings_.size()); }
  unsigned num_q_vectors() const { return static_cast<unsigned>(q_vectors_.size()); }
  unsigned rss_queues() const { return rss_queues_; }
  uint32_t flags() const { return flags_; }
  uint32_t eims_enable_mask() const { return eims_enable_mask_; }
  const std::vector<uint32_t>& rss_indir_tbl() const { return rss_indir_tbl_; }
  int other_irq() const { return other_irq_; }
  uint64_t other_irqs() const { return other_irqs_; }
  igb_ring& rx_ring(unsigned q = 0) { return *rings_.at(q); }
  const igb_ring& rx_ring(unsigned q = 0) const { return *rings_.at(q); }
  igb_q_vector& q_vector(unsigned v = 0) { return *q_vectors_.at(v); }
  const igb_q_vector& q_vector(unsigned v = 0) const { return *q_vectors_.at(v); }
  const e1000_hw_stats& hw_stats() const { return hw_; }
  // RQDPC(n) of queue `q` as accumulated by igb_update_stats, and their sum.
  uint64_t rqdpc(unsigned q) const { return rqdpc_.at(q); }
  uint64_t rqdpc_total() const;
  const IgbConfig& config() const { return cfg_; }
  // Ring `q` now, read from host memory without the driver's help (the
  // testbench's time series): descriptors whose writeback has arrived and
  // that are not cleaned yet, and those handed to the NIC (RDT) and not
  // written back.
  unsigned rx_done_not_cleaned(unsigned q) const;
  unsigned rx_held_by_nic(unsigned q) const;
  IgbCost& cost() { return cost_; }

  // Tracing: gives each received frame its packet id (skb->trace_id). Set
  // by the testbench; called in igb_clean_rx_irq with the frame's first
  // buffer (from the Ethernet header) when a tracer is attached.
  std::function<uint64_t(const uint8_t* frame, size_t len)> trace_id_of;

  // igb_msix_ring (igb_main.c): the ISR of a ring vector.
  void igb_msix_ring(stack::Cpu& cpu, int irq);
  // igb_poll (igb_main.c)
  int igb_poll(stack::napi_struct* napi, int budget);

 private:
  void igb_sw_init();
  void igb_setup_rx_resources(igb_ring& ring);
  void igb_free_rx_resources(igb_ring& ring);
  void igb_setup_rctl();
  void igb_rar_set_index(unsigned index);
  void igb_configure_rx_ring(igb_ring& ring);
  void igb_configure_msix();
  void igb_request_msix();
  void igb_assign_vector(igb_q_vector& qv, unsigned msix_vector);
  void igb_write_ivar(unsigned msix_vector, unsigned index, unsigned offset);
  void igb_setup_mrqc();
  void igb_write_rss_indir_tbl();
  uint32_t igb_mrqc_value() const;
  void igb_msix_other(stack::Cpu& cpu, int irq);
  void igb_irq_enable();
  void igb_alloc_rx_buffers(igb_ring& ring, uint16_t cleaned_count);
  bool igb_alloc_mapped_page(igb_ring& ring, igb_rx_buffer& bi);
  int igb_clean_rx_irq(igb_q_vector& qv, int budget);
  bool igb_cleanup_headers(igb_ring& ring, const uint8_t* rx_desc, stack::sk_buff* skb);
  void igb_rx_checksum(igb_ring& ring, const uint8_t* rx_desc, stack::sk_buff* skb);
  void igb_process_skb_fields(igb_ring& ring, const uint8_t* rx_desc, stack::sk_buff* skb);
  void igb_write_itr(igb_q_vector& qv);
  void igb_ring_irq_enable(igb_q_vector& qv);
  void igb_set_itr(igb_q_vector& qv);
  void igb_update_ring_itr(igb_q_vector& qv);
  void igb_update_itr(igb_q_vector& qv, igb_ring_container& rc);
  void wr32(uint32_t reg, uint32_t val);
  uint32_t rd32(uint32_t reg);
  void charge(double ns);
  void fill_stats64(stack::rtnl_link_stats64& s) const;
  // tracing: the kernel's hub (nullptr = off); declares this adapter's
  // signals the first time it is seen
  stack::TraceHub* trace() {
    stack::TraceHub* th = k_.trace_hub();
    if (th && th->serial() != traced_serial_) trace_declare(*th);
    return th;
  }
  void trace_declare(stack::TraceHub& th);
  void trace_ring(stack::TraceHub& th, igb_ring& ring, sc_core::sc_time t);
  void trace_dma_write(uint64_t addr, const uint8_t* data, std::size_t len, const sc_core::sc_time& arrival);
  sc_core::sc_time cpu_now() const;
  // a function's span on the running CPU, as a scope guard (igb_main.cpp)
  class Span;
  // the trace points (cold, out of line: the hot paths stay as they are)
  RXPATH_TRACE_COLD void trace_clean(igb_q_vector& qv, stack::sk_buff* skb, unsigned desc_idx, bool eop, unsigned work,
                                     int budget);
  RXPATH_TRACE_COLD void trace_frame_error(igb_ring& ring, stack::sk_buff* skb, uint32_t staterr);
  RXPATH_TRACE_COLD void trace_ring_now(igb_ring& ring);
  RXPATH_TRACE_COLD void trace_msix(stack::Cpu& cpu, igb_q_vector& qv, int phase, bool scheduled);
  RXPATH_TRACE_COLD void trace_masked(igb_q_vector* qv, bool masked);

  HostPlatform& plat_;
  stack::Kernel& k_;
  PcieLink& link_;
  HostMemory& mem_;
  IgbConfig cfg_;
  IgbCost cost_;
  stack::net_device netdev_;
  std::vector<std::unique_ptr<igb_ring>> rings_;
  std::vector<std::unique_ptr<igb_q_vector>> q_vectors_;
  std::vector<uint64_t> pages_;  // every page the driver owns (bus addresses)
  e1000_hw_stats hw_;
  std::vector<uint64_t> rqdpc_;
  unsigned rss_queues_ = 0;  // adapter->rss_queues
  uint32_t flags_ = 0;       // adapter->flags (IGB_FLAG_QUEUE_PAIRS, IGB_FLAG_RSS_FIELD_IPV4_UDP)
  uint32_t eims_enable_mask_ = 0;
  uint32_t eims_other_ = 0;
  int other_irq_ = -1;
  uint64_t other_irqs_ = 0;
  std::vector<uint32_t> rss_indir_tbl_;  // adapter->rss_indir_tbl
  unsigned rss_indir_tbl_init_ = 0;
  std::array<uint32_t, 8> ivar_{};  // what igb_write_ivar's array_rd32 reads back (see igb_write_ivar)
  bool probed_ = false;
  uint64_t traced_serial_ = 0;
};

}  // namespace rxpath::host
