// SPDX-License-Identifier: MIT
// ethtool -C / -G / -S semantics and igb_update_stats
// (drivers/net/ethernet/intel/igb/igb_ethtool.c, igb_main.c), driver cost knobs.
#include <algorithm>
#include <cstdio>
#include <sstream>
#include <stdexcept>

#include "host/igb.hpp"
#include "rxpath/igb_regs.hpp"

namespace rxpath::host {

using namespace rxpath::regs;
namespace st = rxpath::stack;

// ---- cost knobs
const std::vector<IgbCost::Knob>& IgbCost::knobs() {
  static const std::vector<Knob> k = {
      {"igb_msix_ring", &IgbCost::igb_msix_ring, "ns/call", "estimate: ISR body ~300 cycles at 2.5 GHz"},
      {"igb_poll", &IgbCost::igb_poll, "ns/call", "estimate"},
      {"clean_rx_desc", &IgbCost::clean_rx_desc, "ns/descriptor", "estimate: length check, dma_rmb, dma sync"},
      {"process_skb_fields", &IgbCost::process_skb_fields, "ns/frame", "estimate: hash, checksum, eth_type_trans"},
      {"alloc_rx_buffer", &IgbCost::alloc_rx_buffer, "ns/slot", "estimate: page reuse path"},
      {"mmio_write", &IgbCost::mmio_write, "ns/write", "typical uncached posted store"},
      {"ring_irq_enable", &IgbCost::ring_irq_enable, "ns/call", "estimate"},
  };
  return k;
}

void IgbCost::set(const std::string& name, double value) {
  for (const Knob& k : knobs())
    if (name == k.name) {
      if (value < 0) throw std::invalid_argument("igb cost '" + name + "' must be >= 0");
      this->*k.field = value;
      return;
    }
  throw std::invalid_argument("unknown igb cost knob '" + name + "'");
}

double IgbCost::get(const std::string& name) const {
  for (const Knob& k : knobs())
    if (name == k.name) return this->*k.field;
  throw std::invalid_argument("unknown igb cost knob '" + name + "'");
}

// igb_set_coalesce (igb_ethtool.c): 0 off, 1 dynamic, 3 conservative,
// 10..10000 fixed microseconds; 2 and 4..9 are invalid.
int IgbAdapter::igb_set_coalesce(unsigned rx_usecs, std::string* err) {
  if (rx_usecs > IGB_MAX_ITR_USECS || (rx_usecs > 3 && rx_usecs < IGB_MIN_ITR_USECS) || rx_usecs == 2) {
    if (err) *err = "ethtool -C rx-usecs " + std::to_string(rx_usecs) + ": must be 0, 1, 3 or 10..10000 (EINVAL)";
    return -22;
  }
  cfg_.rx_itr_setting = rx_usecs > 3 ? rx_usecs << 2 : rx_usecs;
  for (auto& qv : q_vectors_) {
    qv->itr_val = (cfg_.rx_itr_setting && cfg_.rx_itr_setting <= 3) ? IGB_START_ITR : cfg_.rx_itr_setting;
    qv->set_itr = true;  // written at the next interrupt (igb_write_itr)
  }
  return 0;
}

// igb_set_ringparam (igb_ethtool.c)
unsigned IgbAdapter::igb_set_ringparam(unsigned rx_pending) {
  unsigned n = std::max(rx_pending, IGB_MIN_RXD);
  n = std::min(n, IGB_MAX_RXD);
  n = (n + REQ_RX_DESCRIPTORS_MULTIPLE - 1) / REQ_RX_DESCRIPTORS_MULTIPLE * REQ_RX_DESCRIPTORS_MULTIPLE;
  cfg_.rx_ring_count = n;
  return n;
}

uint64_t IgbAdapter::rqdpc_total() const {
  uint64_t t = 0;
  for (uint64_t v : rqdpc_) t += v;
  return t;
}

// igb_update_stats (igb_main.c): clear-on-read registers, read over MMIO.
void IgbAdapter::igb_update_stats() {
  hw_.crcerrs += rd32(E1000_CRCERRS);
  hw_.rxerrc += rd32(E1000_RXERRC);
  hw_.mpc += rd32(E1000_MPC);
  hw_.gprc += rd32(E1000_GPRC);
  hw_.bprc += rd32(E1000_BPRC);
  hw_.mprc += rd32(E1000_MPRC);
  // GORC: low then high; reading the high half clears the pair
  hw_.gorc += rd32(E1000_GORCL);
  hw_.gorc += uint64_t(rd32(E1000_GORCH)) << 32;
  hw_.rnbc += rd32(E1000_RNBC);
  hw_.ruc += rd32(E1000_RUC);
  hw_.rfc += rd32(E1000_RFC);
  hw_.roc += rd32(E1000_ROC);
  hw_.rjc += rd32(E1000_RJC);
  hw_.tor += rd32(E1000_TORL);
  hw_.tor += uint64_t(rd32(E1000_TORH)) << 32;
  hw_.tpr += rd32(E1000_TPR);
  hw_.afdc += rd32(E1000_RXP_AFDC);
  hw_.rxdis += rd32(E1000_RXP_RXDIS);
  for (auto& r : rings_) {
    const uint32_t d = rd32(E1000_RQDPC(r->reg_idx));
    rqdpc_[r->reg_idx] += d;
    r->rx_stats.drops += d;
  }
}

// igb_get_stats64 (igb_main.c): ring sums plus the hardware error counters.
void IgbAdapter::fill_stats64(st::rtnl_link_stats64& s) const {
  uint64_t packets = 0, bytes = 0;
  for (auto& r : rings_) {
    packets += r->rx_stats.packets;
    bytes += r->rx_stats.bytes;
  }
  s.rx_packets = packets;
  s.rx_bytes = bytes;
  s.multicast = hw_.mprc;
  s.rx_crc_errors = hw_.crcerrs;
  s.rx_length_errors = hw_.ruc + hw_.roc;
  s.rx_errors = hw_.rxerrc + hw_.crcerrs + hw_.ruc + hw_.roc;
  s.rx_missed_errors = hw_.mpc;
  s.rx_fifo_errors = rqdpc_total() + hw_.mpc;
}

// igb_get_ethtool_stats (igb_ethtool.c): the receive subset, igb's names.
std::string IgbAdapter::ethtool_S() const {
  st::rtnl_link_stats64 n;
  fill_stats64(n);
  std::ostringstream os;
  os << "NIC statistics:\n";
  auto line = [&](const std::string& name, uint64_t v) { os << "     " << name << ": " << v << "\n"; };
  line("rx_packets", hw_.gprc);
  line("rx_bytes", hw_.gorc);
  line("rx_broadcast", hw_.bprc);
  line("rx_multicast", hw_.mprc);
  line("rx_crc_errors", hw_.crcerrs);
  line("rx_no_buffer_count", hw_.rnbc);
  line("rx_missed_errors", hw_.mpc);
  line("rx_long_length_errors", hw_.roc);
  line("rx_short_length_errors", hw_.ruc);
  line("rx_errors", n.rx_errors);
  line("rx_length_errors", n.rx_length_errors);
  line("rx_over_errors", n.rx_over_errors);
  line("rx_frame_errors", n.rx_frame_errors);
  line("rx_fifo_errors", n.rx_fifo_errors);
  for (auto& r : rings_) {
    const std::string q = "rx_queue_" + std::to_string(r->reg_idx) + "_";
    line(q + "packets", r->rx_stats.packets);
    line(q + "bytes", r->rx_stats.bytes);
    line(q + "drops", r->rx_stats.drops);
    line(q + "csum_err", r->rx_stats.csum_err);
    line(q + "alloc_failed", r->rx_stats.alloc_failed);
  }
  // rxpath extensions (not in igb): frames the model's NIC refused
  line("rxp_rx_disabled", hw_.rxdis);
  line("rxp_addr_filtered", hw_.afdc);
  return os.str();
}

}  // namespace rxpath::host
