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

namespace rxpath::host {

// ---- RSS: ethtool -x / -X / -n / -N (igb_ethtool.c) and what ethtool computes

// ethtool.c fill_indir_table, "equal N": round robin over rings 0..N-1.
std::vector<uint32_t> ethtool_rxfh_indir_equal(unsigned n, unsigned size) {
  if (n == 0) throw std::invalid_argument("ethtool -X equal: N must be at least 1");
  std::vector<uint32_t> indir(size);
  for (unsigned i = 0; i < size; ++i) indir[i] = i % n;
  return indir;
}

// ethtool.c fill_indir_table, "weight": ring j gets a share of the table in
// proportion to its weight, entries in ring order.
std::vector<uint32_t> ethtool_rxfh_indir_weight(const std::vector<uint32_t>& weights, unsigned size) {
  uint64_t sum = 0;
  for (uint32_t w : weights) sum += w;
  if (sum == 0) throw std::invalid_argument("ethtool -X weight: At least one weight must be non-zero");
  if (sum > size)
    throw std::invalid_argument("ethtool -X weight: Total weight exceeds the size of the indirection table");
  std::vector<uint32_t> indir(size);
  uint64_t partial = 0;
  long j = -1;
  for (unsigned i = 0; i < size; ++i) {
    while (uint64_t(i) >= uint64_t(size) * partial / sum) {
      ++j;
      partial += weights[size_t(j)];
    }
    indir[i] = uint32_t(j);
  }
  return indir;
}

std::vector<uint32_t> ethtool_rxfh_indir_parse(const std::string& spec, unsigned size) {
  std::istringstream is(spec);
  std::string word;
  is >> word;
  auto number = [](const std::string& w) -> uint32_t {
    if (w.empty() || w.find_first_not_of("0123456789") != std::string::npos || w.size() > 9)
      throw std::invalid_argument("'" + w + "' is not a whole number");
    return uint32_t(std::stoul(w));
  };
  if (word == "default") {
    if (is >> word) throw std::invalid_argument("\"default\" takes nothing after it");
    return {};
  }
  if (word == "equal") {
    std::string n;
    if (!(is >> n)) throw std::invalid_argument("\"equal\" needs a ring count: \"equal N\"");
    if (is >> word) throw std::invalid_argument("\"equal N\" takes one number");
    return ethtool_rxfh_indir_equal(number(n), size);
  }
  if (word == "weight") {
    std::vector<uint32_t> w;
    while (is >> word) w.push_back(number(word));
    if (w.empty()) throw std::invalid_argument("\"weight\" needs one weight per ring: \"weight 1 1 2\"");
    return ethtool_rxfh_indir_weight(w, size);
  }
  throw std::invalid_argument("'" + spec + "': expected \"default\", \"equal N\" or \"weight W0 W1 ...\" (ethtool -X)");
}

std::array<uint8_t, IGB_RSS_KEY_BYTES> parse_rss_key(const std::string& text) {
  std::string hex;
  for (char c : text)
    if (c != ':' && c != ' ') hex += c;
  if (hex.size() != 2 * IGB_RSS_KEY_BYTES || hex.find_first_not_of("0123456789abcdefABCDEF") != std::string::npos)
    throw std::invalid_argument("the key is " + std::to_string(IGB_RSS_KEY_BYTES) +
                                " bytes: " + std::to_string(2 * IGB_RSS_KEY_BYTES) +
                                " hex digits (colons between bytes allowed), got '" + text + "'");
  std::array<uint8_t, IGB_RSS_KEY_BYTES> key{};
  for (unsigned i = 0; i < IGB_RSS_KEY_BYTES; ++i) key[i] = uint8_t(std::stoul(hex.substr(2 * i, 2), nullptr, 16));
  return key;
}

// igb_set_rxfh (igb_ethtool.c): every entry below rss_queues, then the
// table is the adapter's and igb_write_rss_indir_tbl writes it.
int IgbAdapter::igb_set_rxfh(const std::vector<uint32_t>& indir, std::string* err) {
  const unsigned num_queues = probed_ ? rss_queues_ : (cfg_.rss_queues ? cfg_.rss_queues : 0);
  if (indir.size() != IGB_RETA_SIZE) {
    if (err) *err = "ethtool -X: the table has " + std::to_string(IGB_RETA_SIZE) + " entries (EINVAL)";
    return -22;
  }
  for (unsigned i = 0; i < IGB_RETA_SIZE; ++i)
    if (num_queues && indir[i] >= num_queues) {
      if (err)
        *err = "ethtool -X: entry " + std::to_string(i) + " is ring " + std::to_string(indir[i]) + ", the device has " +
               std::to_string(num_queues) + " (EINVAL)";
      return -22;
    }
  cfg_.rss_indir_tbl = indir;
  if (probed_) {
    rss_indir_tbl_ = indir;
    igb_write_rss_indir_tbl();
  }
  return 0;
}

// igb_set_rss_hash_opt (igb_ethtool.c), UDP_V4_FLOW: the addresses are
// always hashed; the ports both or neither.
int IgbAdapter::igb_set_rss_hash_opt_udp4(const std::string& fields, std::string* err) {
  bool l4;
  if (fields == "sd")
    l4 = false;
  else if (fields == "sdfn")
    l4 = true;
  else {
    if (err) *err = "ethtool -N rx-flow-hash udp4 " + fields + ": igb hashes \"sd\" or \"sdfn\" (EINVAL)";
    return -22;
  }
  cfg_.rss_field_ipv4_udp = l4;
  const uint32_t flags = l4 ? (flags_ | IGB_FLAG_RSS_FIELD_IPV4_UDP) : (flags_ & ~IGB_FLAG_RSS_FIELD_IPV4_UDP);
  if (flags != flags_) {
    flags_ = flags;
    if (probed_) wr32(E1000_MRQC, igb_mrqc_value());  // the UDP field follows the flag, the rest stays
  }
  return 0;
}

// igb_get_rss_hash_opts (igb_ethtool.c) as `ethtool -n eth0 rx-flow-hash udp4` prints it.
std::string IgbAdapter::ethtool_n_udp4() const {
  std::string s = "UDP over IPV4 flows use these fields for computing Hash flow key:\nIP SA\nIP DA\n";
  if (flags_ & IGB_FLAG_RSS_FIELD_IPV4_UDP)
    s += "L4 bytes 0 & 1 [TCP/UDP src port]\nL4 bytes 2 & 3 [TCP/UDP dst port]\n";
  return s;
}

// `ethtool -x eth0` (igb_get_rxfh, ethtool's print_indir_table): igb has no
// get_rxfh_key_size, so ethtool shows no key; the model's key follows.
std::string IgbAdapter::ethtool_x() const {
  std::ostringstream os;
  os << "RX flow hash indirection table for " << netdev_.name << " with " << rss_queues_ << " RX ring(s):\n";
  char buf[32];
  for (size_t i = 0; i < rss_indir_tbl_.size(); ++i) {
    if (i % 8 == 0) {
      std::snprintf(buf, sizeof buf, "%5zu: ", i);
      os << buf;
    }
    std::snprintf(buf, sizeof buf, " %5u", rss_indir_tbl_[i]);
    os << buf;
    if (i % 8 == 7 || i + 1 == rss_indir_tbl_.size()) os << "\n";
  }
  os << "RSS hash key:\nOperation not supported\nRSS hash function:\n    toeplitz: on\n    xor: off\n    crc32: off\n";
  os << "rxpath: RSSRK (igb.rss_key) ";
  for (size_t i = 0; i < cfg_.rss_key.size(); ++i) {
    std::snprintf(buf, sizeof buf, "%02x%s", cfg_.rss_key[i], i + 1 < cfg_.rss_key.size() ? ":" : "\n");
    os << buf;
  }
  return os.str();
}

}  // namespace rxpath::host
