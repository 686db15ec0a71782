// SPDX-License-Identifier: MIT
// XGMII encoder (deficit idle count), source agent and decoder.
#include "verilator/vh/xgmii.hpp"

#include "common/unaligned.hpp"
#include "verilator/vh/debug.hpp"

namespace rxpath::vh {

using namespace eth;  // frame builders, checksums, FCS (common/eth.hpp)

Bytes WireFrame::wire_bytes() const {
  if (fcs_included) return data;
  Bytes b = data;
  uint32_t f = eth_fcs(data);
  if (bad_fcs) f = ~f;
  b.resize(data.size() + 4);
  put_unaligned_le32(f, &b[data.size()]);
  return b;
}

void XgmiiEncoder::push(const WireFrame& f) {
  const unsigned align = lane4_start ? 4 : 8;
  if (head_ == chars_.size()) {
    chars_.clear();
    head_ = 0;
  } else if (head_ > 65536) {
    chars_.erase(chars_.begin(), chars_.begin() + long(head_));
    head_ = 0;
  }
  uint64_t s = stream_len_;
  const bool after_frame = !first_;
  const uint64_t prev_end = last_end_;
  if (!first_) {
    uint64_t want = last_end_ + pending_gap_;
    if (want >= s) {
      s = want;
      unsigned r = unsigned(s % align);
      if (r != 0) {
        // Deficit idle count (802.3 clause 46.3.1.4): drop up to 3 idles
        // while the running deficit allows it, else pad to the lane.
        if (lane4_start && dic_ + r <= 3 && s - r >= stream_len_) {
          s -= r;
          dic_ += r;
        } else {
          unsigned add = align - r;
          s += add;
          dic_ = dic_ >= add ? dic_ - add : 0;
        }
      }
    } else {
      // The line idled longer than the gap: start at the next lane.
      s = (s + align - 1) / align * align;
    }
  } else {
    s = (s + align - 1) / align * align;
  }
  first_ = false;
  last_lane_ = unsigned(s % 8);
  last_gap_ = after_frame ? unsigned(s - prev_end) : 0;
  // Idles up to s, /S/, preamble, SFD, the frame and /T/, written in place
  // (one resize per frame instead of a push_back per character).
  const size_t idle = s > stream_len_ ? size_t(s - stream_len_) : 0;
  const Bytes w = f.wire_bytes();
  const size_t at = chars_.size();
  chars_.resize(at + idle + 8 + w.size() + (f.no_terminate ? 0 : 1));
  XgmiiChar* p = chars_.data() + at;
  for (size_t i = 0; i < idle; ++i) *p++ = {XGMII_IDLE, true};
  *p++ = {XGMII_START, true};
  for (int i = 0; i < 6; ++i) *p++ = {(f.bad_preamble && i == 3) ? uint8_t(0x54) : ETH_PREAMBLE, false};
  *p++ = {f.bad_sfd ? uint8_t(0xd4) : ETH_SFD, false};
  for (size_t i = 0; i < w.size(); ++i)
    *p++ = int(i) == f.error_at ? XgmiiChar{XGMII_ERROR, true} : XgmiiChar{w[i], false};
  stream_len_ += idle + 8 + w.size();
  last_end_ = stream_len_;
  if (!f.no_terminate) {
    *p++ = {XGMII_TERM, true};
    ++stream_len_;
  }
  pending_gap_ = f.ifg < 1 ? 1 : f.ifg;
  ++frames_;
}

void XgmiiEncoder::push_raw(const std::vector<XgmiiChar>& chars) {
  if (head_ == chars_.size()) {
    chars_.clear();
    head_ = 0;
  }
  chars_.insert(chars_.end(), chars.begin(), chars.end());
  stream_len_ += chars.size();
  first_ = true;  // no gap owed to the frame before: the next one starts at its lane
}

void XgmiiEncoder::next_word(uint64_t& rxd, uint8_t& rxc) {
  rxd = 0;
  rxc = 0;
  for (unsigned lane = 0; lane < 8; ++lane) {
    XgmiiChar ch{XGMII_IDLE, true};
    if (head_ < chars_.size()) ch = chars_[head_++];
    rxd |= uint64_t(ch.d) << (8 * lane);
    rxc |= uint8_t(ch.c) << lane;
    ++pos_;
  }
  if (stream_len_ < pos_) stream_len_ = pos_;
}

void XgmiiSource::drive(uint64_t cycle) {
  uint64_t d;
  uint8_t c;
  enc.next_word(d, c);
  *rxd_ = d;
  *rxc_ = c;
  if (c != 0xff || d != 0x0707070707070707ull) RXP_DBG(xgmii, cycle, "rxd=%016llx rxc=%02x", (unsigned long long)d, c);
}

void XgmiiDecoder::word(uint64_t rxd, uint8_t rxc) {
  for (unsigned lane = 0; lane < 8; ++lane) {
    uint8_t d = uint8_t(rxd >> (8 * lane));
    bool c = (rxc >> lane) & 1;
    auto fail = [&](const char* what) {
      if (error.empty()) error = std::string(what) + " at frame " + std::to_string(frames.size());
    };
    switch (st_) {
      case IDLE:
        if (c && d == XGMII_START) {
          if (lane != 0 && lane != 4) fail("start not in lane 0 or 4");
          cur_ = DecodedFrame{};
          cur_.start_lane = lane;
          cur_.gap_before = seen_term_ ? gap_ : 0;
          cur_.preamble_ok = true;
          pre_n_ = 0;
          st_ = PRE;
        } else if (c && d == XGMII_IDLE) {
          ++gap_;
        } else {
          fail("unexpected character between frames");
        }
        break;
      case PRE:
        if (c) {
          cur_.preamble_ok = false;
          st_ = DATA;
        } else if (pre_n_ < 6) {
          if (d != ETH_PREAMBLE) cur_.preamble_ok = false;
          ++pre_n_;
        } else {
          if (d != ETH_SFD) cur_.preamble_ok = false;
          st_ = DATA;
        }
        break;
      case DATA:
        if (!c) {
          cur_.data.push_back(d);
        } else if (d == XGMII_TERM) {
          frames.push_back(cur_);
          st_ = IDLE;
          gap_ = 1;
          seen_term_ = true;
        } else if (d == XGMII_ERROR) {
          cur_.error_char = true;
        } else {
          fail("control character inside a frame");
          frames.push_back(cur_);
          st_ = IDLE;
          gap_ = 1;
        }
        break;
    }
  }
}

}  // namespace rxpath::vh
