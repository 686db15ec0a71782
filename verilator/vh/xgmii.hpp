// SPDX-License-Identifier: MIT
// XGMII (64-bit, 8 lanes) source with deficit idle count, and a decoder for tests.
#pragma once
#include <cstdint>
#include <deque>
#include <string>
#include <vector>

#include "common/eth.hpp"
#include "verilator/vh/agent.hpp"

namespace rxpath::vh {

// Frames as the harness builds and checks them (common/eth.hpp).
using eth::Bytes;
using eth::Mac;

inline constexpr uint8_t XGMII_IDLE = 0x07;
inline constexpr uint8_t XGMII_START = 0xfb;
inline constexpr uint8_t XGMII_TERM = 0xfd;
inline constexpr uint8_t XGMII_ERROR = 0xfe;
inline constexpr uint8_t ETH_PREAMBLE = 0x55;
inline constexpr uint8_t ETH_SFD = 0xd5;
inline constexpr unsigned kMinAvgIfg = 12;  // 10GBASE-R minimum average IFG, bytes

// One frame on the wire. `data` is destination MAC .. payload; the FCS is
// appended by the source unless fcs_included.
struct WireFrame {
  Bytes data;
  bool fcs_included = false;  // data already carries its 4 FCS bytes
  bool bad_fcs = false;       // invert the appended FCS
  int error_at = -1;          // replace data byte i (after SFD) by /E/
  bool bad_preamble = false;  // preamble byte 3 becomes 0x54
  bool bad_sfd = false;       // SFD becomes 0xd4
  bool no_terminate = false;  // next /S/ (or idle) follows without /T/
  unsigned ifg = kMinAvgIfg;  // nominal gap after this frame, bytes incl. /T/
  uint64_t tag = 0;           // caller's id (scoreboard)
  // Bytes on the wire after the SFD (data + FCS as sent).
  Bytes wire_bytes() const;
};

struct XgmiiChar {
  uint8_t d;
  bool c;
};

// Encodes frames into XGMII words with /S/ in lane 0 or 4 and a deficit idle
// count so the average gap equals the requested one (never below 12 on
// average, 9 at the least per 802.3 clause 46).
class XgmiiEncoder {
 public:
  void push(const WireFrame& f);
  // Characters sent as they are, right after what is queued (no gap, no
  // alignment): e.g. an error block (eight /E/) that cuts a frame sent with
  // no_terminate, or idles that put the next /S/ in lane 4. The next frame
  // starts at the next lane allowed after them.
  void push_raw(const std::vector<XgmiiChar>& chars);
  // Next 64-bit word (idles when nothing is queued).
  void next_word(uint64_t& rxd, uint8_t& rxc);
  bool busy() const { return head_ < chars_.size(); }
  // `words` clocks of idles went by without next_word() (idle-skip; only
  // when nothing is queued): the stream position moves on as if they had
  // been sent, so the next frame's gap is the same.
  void skip_idle(uint64_t words) {
    pos_ += 8 * words;
    if (stream_len_ < pos_) stream_len_ = pos_;
  }
  size_t queued_chars() const { return chars_.size() - head_; }
  // Where the last push() put its /S/ (lane 0 or 4), and the characters from
  // the previous frame's /T/ (included) to that /S/ (0 after push_raw).
  unsigned last_start_lane() const { return last_lane_; }
  unsigned last_gap() const { return last_gap_; }
  // The lane the next character pushed lands in.
  unsigned next_lane() const { return unsigned(stream_len_ % 8); }
  uint64_t frames_started() const { return frames_; }
  bool lane4_start = true;  // allow /S/ in lane 4 (else lane 0 only)

 private:
  std::vector<XgmiiChar> chars_;  // queue: consumed from head_ (a deque is 3x slower here)
  size_t head_ = 0;
  uint64_t pos_ = 0;         // characters emitted so far (stream position)
  uint64_t last_end_ = 0;    // stream position of the last /T/
  uint64_t stream_len_ = 0;  // pos_ + chars_.size()
  unsigned dic_ = 0;         // deficit idle count, 0..3
  unsigned pending_gap_ = 0;
  bool first_ = true;
  uint64_t frames_ = 0;
  unsigned last_lane_ = 0, last_gap_ = 0;
};

// Agent that drives the XGMII pins from an encoder.
class XgmiiSource : public Agent {
 public:
  XgmiiSource(uint64_t* rxd, uint8_t* rxc) : rxd_(rxd), rxc_(rxc) { idle(); }
  template <class M>
  static XgmiiSource connect(M& m) {
    return XgmiiSource(&m.xgmii_rxd_i, &m.xgmii_rxc_i);
  }
  void send(const WireFrame& f) { enc.push(f); }
  void sample(uint64_t) override {}
  void drive(uint64_t cycle) override;
  bool idle_now() const { return !enc.busy(); }
  XgmiiEncoder enc;

 private:
  void idle() {
    *rxd_ = 0x0707070707070707ull;
    *rxc_ = 0xff;
  }
  uint64_t* rxd_;
  uint8_t* rxc_;
};

// Decoder (test side): turns words back into frames and gaps.
struct DecodedFrame {
  Bytes data;  // after SFD up to /T/ (includes FCS)
  unsigned start_lane;
  unsigned gap_before;  // characters between previous /T/ (inclusive) and /S/
  bool preamble_ok;
  bool error_char;
};
class XgmiiDecoder {
 public:
  void word(uint64_t rxd, uint8_t rxc);
  std::vector<DecodedFrame> frames;
  std::string error;  // first protocol violation seen, empty if none
 private:
  enum { IDLE, PRE, DATA } st_ = IDLE;
  DecodedFrame cur_{};
  unsigned pre_n_ = 0;
  unsigned gap_ = 0;
  bool seen_term_ = false;
};

}  // namespace rxpath::vh
