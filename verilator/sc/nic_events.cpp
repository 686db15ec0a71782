// SPDX-License-Identifier: MIT
// NicEvent names and NicTracker: a frame's steps through the RTL, tied to its
// id (see nic_tracker.hpp for the matching rules).
#include "nic/nic_events.hpp"

#include <sstream>

#include "verilator/sc/nic_tracker.hpp"

namespace rxpath::bridge {

namespace {
// rxp_pkg::rx_class_e: the MAC's verdict and, for a frame dropped there, the
// statistics register that counts it (rtl/README.md, "Classes and counters").
struct ClassInfo {
  const char* verdict;
  const char* counter;  // nullptr: good, goes on to the packet buffer
};
constexpr ClassInfo kClass[] = {
    {"framing", "RXERRC"},    // RXC_RXERR
    {"runt", "RUC"},          // RXC_RUC
    {"runt_crc", "RFC"},      // RXC_RFC
    {"oversize", "ROC"},      // RXC_ROC
    {"oversize_crc", "RJC"},  // RXC_RJC
    {"crc", "CRCERRS"},       // RXC_CRCERR
    {"ok", "RXP_RXDIS"},      // RXC_RXDIS: receiver or queue off
    {"ok", "RXP_AFDC"},       // RXC_AFD: address filter
    {"ok", nullptr},          // RXC_GOOD
};
constexpr uint8_t kRxcRxerr = 0, kRxcGood = 8;
}  // namespace

NicEvent NicTracker::ev(NicStage st, uint64_t id, uint64_t cycle) const {
  NicEvent e;
  e.stage = st;
  e.frame_id = id;
  e.cycle = cycle;
  return e;
}

void NicTracker::fail(const std::string& what) { error_("NicEvent tracking: " + what); }

void NicTracker::wire_frame(uint64_t id, uint64_t start, uint64_t end, uint32_t wire_len, bool fault, unsigned lane) {
  mac_q_.push_back(WireFr{id, start, end, wire_len, fault, lane});
}

void NicTracker::announce(uint64_t edge) {
  while (announced_ < mac_q_.size() && mac_q_[announced_].start <= edge) {
    const WireFr& f = mac_q_[announced_++];
    NicEvent e = ev(NicStage::xgmii_start, f.id, f.start);
    e.index = f.lane;
    emit_(e);
  }
}

void NicTracker::mac(uint64_t edge, bool badpre, uint8_t cls, uint16_t len) {
  // The oldest frame on the wire whose verdict is still due.
  for (;;) {
    if (mac_q_.empty() || mac_q_.front().start >= edge) {
      std::ostringstream os;
      os << "the MAC reported a frame (" << (badpre ? "bad preamble" : kClass[cls < 9 ? cls : 0].verdict) << ", " << len
         << " bytes) at cycle " << edge << " but no frame was on the wire";
      fail(os.str());
      return;
    }
    const WireFr& f = mac_q_.front();
    if (edge <= f.end + kMacLatMax) break;
    std::ostringstream os;
    os << "frame " << f.id << " (/S/ at cycle " << f.start << ", last word " << f.end
       << ") got no MAC verdict (the MAC did not see its /S/); counted nowhere";
    fail(os.str());
    NicEvent d = ev(NicStage::mac_drop, f.id, edge);
    d.counter = "none";
    emit_(d);
    mac_q_.pop_front();
    if (announced_ > 0) --announced_;
  }
  const WireFr f = mac_q_.front();
  mac_q_.pop_front();
  if (announced_ > 0) {
    --announced_;
  } else {
    NicEvent e = ev(NicStage::xgmii_start, f.id, f.start);
    e.index = f.lane;
    emit_(e);
  }

  if (cls > kRxcGood) cls = kRxcRxerr;
  const bool framing = badpre || cls == kRxcRxerr;
  if (framing != f.fault || (!framing && (len != f.len || edge < f.end + kMacLatMin))) {
    std::ostringstream os;
    os << "frame " << f.id << ": MAC verdict " << (badpre ? "preamble" : kClass[cls].verdict) << " with " << len
       << " bytes at cycle " << edge << " does not fit the frame sent (" << f.len << " bytes"
       << (f.fault ? ", with a framing fault" : "") << ", last word at cycle " << f.end << ")";
    fail(os.str());
  }
  NicEvent v = ev(NicStage::mac_verdict, f.id, edge);
  v.verdict = badpre ? "preamble" : kClass[cls].verdict;
  v.len = badpre ? 0 : len;
  emit_(v);
  const char* counter = badpre ? "RXERRC" : kClass[cls].counter;
  if (counter) {
    NicEvent d = ev(NicStage::mac_drop, f.id, edge);
    d.counter = counter;
    emit_(d);
  } else {
    pb_q_.push_back(Fr{f.id, len});
  }
}

void NicTracker::dev_reset(uint64_t edge) {
  // CTRL.RST: everything the NIC held is gone, counted nowhere.
  auto lost = [&](NicStage st, uint64_t id) {
    NicEvent d = ev(st, id, edge);
    d.counter = "CTRL.RST";
    emit_(d);
  };
  while (!mac_q_.empty() && mac_q_.front().start < edge) {
    lost(NicStage::mac_drop, mac_q_.front().id);
    mac_q_.pop_front();
    if (announced_ > 0) --announced_;
  }
  for (const Fr& f : pb_q_) lost(NicStage::pktbuf_drop, f.id);
  for (const Fr& f : dma_q_) lost(NicStage::desc_drop, f.id);
  if (have_cur_) lost(NicStage::desc_drop, cur_.id);
  pb_q_.clear();
  dma_q_.clear();
  have_cur_ = false;
  bufs_.clear();
  rings_.clear();
  for (auto& w : wb_wait_) w.clear();
  for (auto& p : pending_) p.clear();
  for (auto& p : latched_) p.clear();
}

void NicTracker::observe(uint64_t edge, const ObsSample& s) {
  if (s.dev_rst) {
    if (!in_reset_) dev_reset(edge);
    in_reset_ = true;
    return;
  }
  in_reset_ = false;
  // MAC, then the packet buffer (one clock later), then the DMA engine: a
  // clock's pulses of different frames are handled oldest stage last.
  if (s.mac) mac(edge, false, s.mac_class, s.mac_len);
  if (s.badpre) mac(edge, true, 0, 0);
  if (s.pb_store || s.pb_drop) {
    if (pb_q_.empty()) {
      fail("the packet buffer reported a frame at cycle " + std::to_string(edge) + " that the MAC did not pass on");
    } else {
      const Fr f = pb_q_.front();
      pb_q_.pop_front();
      NicEvent e = ev(s.pb_store ? NicStage::pktbuf_store : NicStage::pktbuf_drop, f.id, edge);
      e.len = f.len;
      if (s.pb_drop) e.counter = "MPC";
      emit_(e);
      if (s.pb_store) dma_q_.push_back(f);
    }
  }
  if (s.take) {
    if (dma_q_.empty()) {
      fail("the DMA engine took a frame at cycle " + std::to_string(edge) + " from an empty packet buffer");
      have_cur_ = false;
    } else {
      cur_ = dma_q_.front();
      cur_.queue = s.dma_q;  // rxp_rx_dma loads it with the head frame's queue
      dma_q_.pop_front();
      have_cur_ = true;
    }
  }
  if (s.rnbc) {
    const Fr* f = s.take ? (have_cur_ ? &cur_ : nullptr) : (dma_q_.empty() ? nullptr : &dma_q_.front());
    if (!f) {
      fail("RNBC at cycle " + std::to_string(edge) + " with no frame at the head of the packet buffer");
    } else {
      NicEvent e = ev(NicStage::rnbc_wait, f->id, edge);
      e.queue = s.dma_q;  // the head frame's queue
      e.counter = "RNBC";
      emit_(e);
    }
  }
  if (s.rqdpc || s.rxdis) {
    if (!have_cur_ || (s.rqdpc && !s.take)) {
      fail(std::string(s.rqdpc ? "RQDPC" : "RXP_RXDIS") + " drop at cycle " + std::to_string(edge) +
           " with no frame taken");
    } else {
      NicEvent e = ev(NicStage::desc_drop, cur_.id, edge);
      e.queue = cur_.queue;
      e.counter = s.rqdpc ? "RQDPC" : "RXP_RXDIS";
      emit_(e);
      have_cur_ = false;
    }
  }
  if (s.desc) {
    if (!have_cur_) {
      fail("a descriptor was assigned at cycle " + std::to_string(edge) + " with no frame taken");
    } else {
      NicEvent e = ev(NicStage::desc_assign, cur_.id, edge);
      e.queue = s.desc_q;
      e.index = s.desc_idx;
      e.addr = s.desc_addr;
      e.len = cur_.len;
      emit_(e);
      const Desc d{cur_.id, s.desc_q, s.desc_idx, s.desc_addr};
      bufs_[s.desc_addr] = d;
      rings_[s.desc_ring] = d;
    }
  }
  if (s.wb) {
    auto& w = wb_wait_[s.wb_q & 7];
    if (w.empty()) {
      fail("a writeback response of queue " + std::to_string(s.wb_q) + " at cycle " + std::to_string(edge) +
           " follows no writeback");
    } else {
      const uint64_t id = w.front();
      w.pop_front();
      if (s.wb_vec_ok) {
        auto& p = pending_[s.wb_vec & 31];
        if (p.empty() || p.back().id != id) {  // a frame of several descriptors: once
          if (p.size() >= kMaxPending) p.erase(p.begin());
          p.push_back(Reported{id, s.wb_q, edge});
        }
      }
    }
  }
}

void NicTracker::msix_request(uint64_t edge, unsigned vector) {
  auto& l = latched_[vector & 31];
  auto& p = pending_[vector & 31];
  size_t n = 0;
  while (n < p.size() && p[n].edge + 2 <= edge) ++n;
  l.insert(l.end(), p.begin(), p.begin() + static_cast<long>(n));
  p.erase(p.begin(), p.begin() + static_cast<long>(n));
}

void NicTracker::msix_sent(uint64_t sent, unsigned vector) {
  auto& l = latched_[vector & 31];
  for (const Reported& r : l) {
    NicEvent e = ev(NicStage::msix, r.id, sent);
    e.queue = r.queue;
    e.index = vector;
    emit_(e);
  }
  l.clear();
}

void NicTracker::dma_write(uint64_t edge, uint64_t addr, size_t n) {
  auto r = rings_.find(addr);
  if (r != rings_.end()) {
    const Desc d = r->second;
    rings_.erase(r);
    bufs_.erase(d.buf);
    NicEvent e = ev(NicStage::writeback, d.id, edge);
    e.queue = d.queue;
    e.index = d.index;
    e.addr = addr;
    e.len = static_cast<uint32_t>(n);
    emit_(e);
    wb_wait_[d.queue & 7].push_back(d.id);
    return;
  }
  // The buffer at or below addr (the first burst starts at pkt_addr, later
  // ones beat-aligned above it; a buffer is at most 127 KiB).
  auto b = bufs_.upper_bound(addr);
  if (b != bufs_.begin()) {
    --b;
    if (addr - b->first < (128u << 10)) {
      NicEvent e = ev(NicStage::dma_write, b->second.id, edge);
      e.queue = b->second.queue;
      e.index = b->second.index;
      e.addr = addr;
      e.len = static_cast<uint32_t>(n);
      emit_(e);
      return;
    }
  }
  std::ostringstream os;
  os << "a DMA write of " << n << " bytes to 0x" << std::hex << addr << std::dec << " at cycle " << edge
     << " matches no assigned descriptor";
  fail(os.str());
}

}  // namespace rxpath::bridge
