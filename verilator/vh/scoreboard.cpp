// SPDX-License-Identifier: MIT
// Fate prediction, scoreboard and the igb driver double.
#include "verilator/vh/scoreboard.hpp"

#include <algorithm>
#include <cstdio>

#include "common/unaligned.hpp"
#include "rxpath/igb_regs.hpp"
#include "verilator/vh/debug.hpp"

namespace rxpath::vh {

using namespace eth;  // frame builders, checksums, FCS (common/eth.hpp)

using namespace rxpath::regs;

// ---------------------------------------------------------------- prediction
const char* fate_name(Fate f) {
  switch (f) {
    case Fate::Deliver:
      return "delivered";
    case Fate::RXERRC:
      return "RXERRC";
    case Fate::CRCERRS:
      return "CRCERRS";
    case Fate::RUC:
      return "RUC";
    case Fate::RFC:
      return "RFC";
    case Fate::ROC:
      return "ROC";
    case Fate::RJC:
      return "RJC";
    case Fate::RXP_AFDC:
      return "RXP_AFDC";
    case Fate::RXP_RXDIS:
      return "RXP_RXDIS";
  }
  return "?";
}

uint32_t fate_counter_offset(Fate f) {
  switch (f) {
    case Fate::RXERRC:
      return E1000_RXERRC;
    case Fate::CRCERRS:
      return E1000_CRCERRS;
    case Fate::RUC:
      return E1000_RUC;
    case Fate::RFC:
      return E1000_RFC;
    case Fate::ROC:
      return E1000_ROC;
    case Fate::RJC:
      return E1000_RJC;
    case Fate::RXP_AFDC:
      return E1000_RXP_AFDC;
    case Fate::RXP_RXDIS:
      return E1000_RXP_RXDIS;
    case Fate::Deliver:
      break;
  }
  return E1000_GPRC;
}

static uint16_t be16(const Bytes& b, size_t at) { return get_unaligned_be16(&b[at]); }

unsigned max_frame_len(const Bytes& data, const NicConfig& c) {
  if (c.lpe) return c.rlpml & E1000_RLPML_VAL;
  bool tagged = data.size() >= 14 && be16(data, 12) == ETH_P_8021Q;
  return tagged ? 1522 : 1518;
}

// Offload result for a good frame (data without FCS).
static void predict_offload(const Bytes& d, const NicConfig& c, Prediction& p) {
  p.status = E1000_RXD_STAT_DD | E1000_RXD_STAT_EOP;
  // Ethernet II, optionally one 802.1Q tag (rtl/README.md).
  size_t L3 = ETH_HLEN;
  if (d.size() >= 18 && be16(d, 12) == ETH_P_8021Q) L3 = 18;
  if (d.size() < L3 + 20 || be16(d, L3 - 2) != ETH_P_IP || (d[L3] >> 4) != 4) return;
  const unsigned ihl = d[L3] & 0xf;
  const size_t hl = ihl * 4;
  if (ihl < 5 || d.size() < L3 + hl) return;
  // pkt_info (rtl/README.md): packet type bits; the RSS type is added by predict().
  // IPV4 or, with options, IPV4_EX alone (82576 advanced RX writeback, Packet
  // Type; igb_process_skb_fields switches on pkt_info & PKTTYPE_ILMASK).
  p.pkt_info |= ihl > 5 ? E1000_RXDADV_PKTTYPE_IPV4_EX : E1000_RXDADV_PKTTYPE_IPV4;
  if (c.ipofld) {
    p.status |= E1000_RXD_STAT_IPCS;
    if (csum_fold(csum_add(0, d.data() + L3, hl)) != 0xffff) p.status |= E1000_RXDEXT_STATERR_IPE;
  }
  const uint8_t proto = d[L3 + 9];
  const size_t tot = be16(d, L3 + 2);
  if (be16(d, L3 + 6) & 0x3fff) return;  // a fragment (MF or offset): no L4
  if (tot < hl || L3 + tot > d.size()) return;
  const size_t l4 = L3 + hl, l4len = tot - hl;
  uint32_t ps = 0;
  for (int i = 0; i < 8; i += 2) ps += be16(d, L3 + 12 + i);
  ps += proto + uint32_t(l4len);
  if (proto == IPPROTO_TCP_ && l4len >= 20) {
    p.pkt_info |= E1000_RXDADV_PKTTYPE_TCP;
    if (c.tuofl) {
      p.status |= E1000_RXD_STAT_TCPCS;
      if (csum_fold(csum_add(ps, d.data() + l4, l4len)) != 0xffff) p.status |= E1000_RXDEXT_STATERR_TCPE;
    }
  } else if (proto == IPPROTO_UDP_ && l4len >= 8) {
    p.pkt_info |= E1000_RXDADV_PKTTYPE_UDP;
    // UDP checksum 0 means "not computed": nothing to check, no UDPCS.
    if (c.tuofl && be16(d, l4 + 6) != 0) {
      p.status |= E1000_RXD_STAT_UDPCS;
      if (csum_fold(csum_add(ps, d.data() + l4, l4len)) != 0xffff) p.status |= E1000_RXDEXT_STATERR_TCPE;
    }
  }
}

Prediction predict(const WireFrame& f, const NicConfig& c) {
  Prediction p{};
  const Bytes w = f.wire_bytes();
  if (f.bad_preamble || f.bad_sfd || f.error_at >= 0 || f.no_terminate || w.size() < 4) {
    p.fate = Fate::RXERRC;
    return p;
  }
  const size_t n = w.size();
  const uint32_t got =
      uint32_t(w[n - 4]) | uint32_t(w[n - 3]) << 8 | uint32_t(w[n - 2]) << 16 | uint32_t(w[n - 1]) << 24;
  const bool fcs_ok = eth_fcs(w.data(), n - 4) == got;
  if (n < 64) {
    p.fate = fcs_ok ? Fate::RUC : Fate::RFC;
    return p;
  }
  if (n > max_frame_len(w, c)) {
    p.fate = fcs_ok ? Fate::ROC : Fate::RJC;
    return p;
  }
  if (!fcs_ok) {
    p.fate = Fate::CRCERRS;
    return p;
  }
  if (!c.en) {
    p.fate = Fate::RXP_RXDIS;
    return p;
  }
  p.broadcast = mac_is_broadcast(w.data());
  p.multicast = !p.broadcast && mac_is_multicast(w.data());
  bool accept;
  if (p.broadcast)
    accept = c.bam;
  else if (p.multicast)
    accept = c.mpe;
  else
    accept = c.upe || std::equal(c.station.begin(), c.station.end(), w.begin());
  if (!accept) {
    p.fate = Fate::RXP_AFDC;
    return p;
  }
  p.fate = Fate::Deliver;
  const Bytes d(w.begin(), w.end() - 4);
  p.host = c.secrc ? d : w;
  predict_offload(d, c, p);
  // Receive-side scaling: the reference of common/rss.hpp.
  const rss::Result r = rss::classify(d.data(), d.size(), c.rss);
  p.pkt_info |= uint16_t(r.type);
  p.rss = c.pcsd ? r.hash : 0;
  p.queue = r.queue;
  return p;
}

// ---------------------------------------------------------------- scoreboard
void Scoreboard::sent(const WireFrame& f) {
  ++sent_frames;
  Prediction p = predict(f, cfg);
  if (p.fate == Fate::Deliver) {
    ++good;
    good_bytes += p.host.size() + (cfg.secrc ? 4 : 0);  // FCS included
    good_bcast += p.broadcast;
    good_mcast += p.multicast;
    expected.push_back(std::move(p));
  } else {
    drops[p.fate]++;
  }
}

void Scoreboard::received(const std::vector<RxDesc>& ds, unsigned ring) {
  char msg[256];
  for (const RxDesc& d : ds) {
    const uint32_t se = d.wb.status_error;
    if (d.wb.length == 0) errors.push_back("slot " + std::to_string(d.slot) + ": writeback with length 0");
    if (!(se & E1000_RXD_STAT_DD)) errors.push_back("slot " + std::to_string(d.slot) + ": DD clear");
    Bytes& part = partial_[ring];
    part.insert(part.end(), d.data.begin(), d.data.end());
    if (!(se & E1000_RXD_STAT_EOP)) {
      // Earlier descriptors of a frame: DD only, pkt_info 0 (valid status
      // and errors only on the EOP descriptor).
      if (se != E1000_RXD_STAT_DD || d.wb.pkt_info != 0) {
        std::snprintf(msg, sizeof msg, "slot %u: non-EOP descriptor status_error %08x pkt_info %04x, expected DD only",
                      d.slot, se, d.wb.pkt_info);
        errors.push_back(msg);
      }
      if (d.wb.length != cfg.buf_size) {
        std::snprintf(msg, sizeof msg, "slot %u: non-EOP descriptor holds %u bytes, buffer is %u", d.slot, d.wb.length,
                      cfg.buf_size);
        errors.push_back(msg);
      }
      continue;
    }
    Bytes frame;
    frame.swap(part);
    auto it = std::find_if(expected.begin(), expected.end(), [&](const Prediction& p) { return p.host == frame; });
    if (it == expected.end()) {
      std::snprintf(msg, sizeof msg, "slot %u: delivered frame of %zu bytes matches no expected frame", d.slot,
                    frame.size());
      errors.push_back(msg);
      continue;
    }
    if (ordered) missing += uint64_t(it - expected.begin());
    if (d.wb.rss != it->rss || ring != it->queue) {
      std::snprintf(msg, sizeof msg, "slot %u (%zu bytes): RSS field %08x on ring %u, expected %08x on ring %u", d.slot,
                    frame.size(), d.wb.rss, ring, it->rss, it->queue);
      errors.push_back(msg);
    }
    if (d.wb.pkt_info != it->pkt_info || se != it->status) {
      std::snprintf(msg, sizeof msg,
                    "slot %u (%zu bytes): writeback pkt_info %04x status_error %08x, expected %04x %08x", d.slot,
                    frame.size(), d.wb.pkt_info, se, it->pkt_info, it->status);
      errors.push_back(msg);
    }
    if (d.wb.hdr_info != 0 || d.wb.vlan != 0)
      errors.push_back("slot " + std::to_string(d.slot) + ": hdr_info/vlan not 0");
    ++delivered;
    delivered_bytes += frame.size();
    RXP_DBG(sb, 0, "slot %u: frame %zu bytes ok", d.slot, frame.size());
    if (ordered)
      expected.erase(expected.begin(), it + 1);
    else
      expected.erase(it);
  }
}

// ---------------------------------------------------------------- driver double
void IgbDouble::igb_configure_rx_ring(IgbRing& r, unsigned fill) {
  mem_.fill(r.desc_base, r.count * RX_DESC_BYTES, 0);
  testing::igb_configure_rx_ring(io_, r);
  igb_alloc_rx_buffers(r, std::min(fill, igb_desc_unused(r)));
}

RxWriteback IgbDouble::read_wb(const IgbRing& r, unsigned slot) const {
  const uint64_t a = r.desc_base + slot * RX_DESC_BYTES;
  RxWriteback w;
  w.pkt_info = mem_.rd16(a + RXD_WB_PKT_INFO_BYTE);
  w.hdr_info = mem_.rd16(a + RXD_WB_HDR_INFO_BYTE);
  w.rss = mem_.rd32(a + RXD_WB_RSS_BYTE);
  w.status_error = mem_.rd32(a + RXD_WB_STATUS_ERROR_BYTE);
  w.length = mem_.rd16(a + RXD_WB_LENGTH_BYTE);
  w.vlan = mem_.rd16(a + RXD_WB_VLAN_BYTE);
  return w;
}

std::vector<RxDesc> IgbDouble::igb_clean_rx_irq(IgbRing& r, unsigned budget, bool refill) {
  std::vector<RxDesc> out;
  unsigned cleaned = 0;
  while (out.size() < budget) {
    if (refill && cleaned >= IGB_RX_BUFFER_WRITE) {
      igb_alloc_rx_buffers(r, cleaned);
      cleaned = 0;
    }
    RxWriteback wb = read_wb(r, r.next_to_clean);
    if (wb.length == 0) break;  // v6.8 igb tests length, not DD
    RxDesc d{r.next_to_clean, wb, mem_.read(buf_addr(r, r.next_to_clean), std::min<unsigned>(wb.length, r.buf_size))};
    out.push_back(std::move(d));
    r.next_to_clean = (r.next_to_clean + 1) % r.count;
    ++cleaned;
  }
  if (refill && cleaned) igb_alloc_rx_buffers(r, cleaned);
  return out;
}

void IgbDouble::igb_setup_rctl(uint32_t extra, bool secrc) {
  wr_(E1000_RCTL, E1000_RCTL_EN | E1000_RCTL_BAM | (secrc ? E1000_RCTL_SECRC : 0) | extra);
}

void IgbDouble::igb_setup_mrqc(const rss::Config& c) {
  // igb_setup_mrqc (igb_main.c): the key, the redirection table
  // (igb_write_rss_indir_tbl), RXCSUM.PCSD so the writeback carries the
  // hash, then MRQC.
  for (unsigned j = 0; j < E1000_RSSRK_COUNT; ++j) wr_(E1000_RSSRK(j), c.rssrk[j]);
  for (unsigned j = 0; j < E1000_RETA_COUNT; ++j) wr_(E1000_RETA(j), c.reta[j]);
  wr_(E1000_RXCSUM, rd_(E1000_RXCSUM) | E1000_RXCSUM_PCSD);
  wr_(E1000_MRQC, c.mrqc);
}

void IgbDouble::igb_rar_set(const Mac& m, unsigned index) {
  wr_(E1000_RAL(index), uint32_t(m[0]) | uint32_t(m[1]) << 8 | uint32_t(m[2]) << 16 | uint32_t(m[3]) << 24);
  wr_(E1000_RAH(index), uint32_t(m[4]) | uint32_t(m[5]) << 8 | E1000_RAH_AV);
}

void IgbDouble::igb_configure_msix(const IgbRing& r, uint32_t eitr) {
  const uint32_t mask = 1u << r.vector;
  wr_(E1000_GPIE, E1000_GPIE_MSIX_MODE | E1000_GPIE_PBA | E1000_GPIE_EIAME | E1000_GPIE_NSICR);
  wr_(E1000_IVAR0(r.queue), (r.vector << E1000_IVAR0_RX_VECTOR_LSB) | E1000_IVAR0_RX_VALID);
  wr_(E1000_EIAC, rd_(E1000_EIAC) | mask);
  wr_(E1000_EIAM, rd_(E1000_EIAM) | mask);
  wr_(E1000_EITR(r.vector), eitr);
  wr_(E1000_EIMS, mask);
}

}  // namespace rxpath::vh
