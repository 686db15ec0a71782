// SPDX-License-Identifier: MIT
// Predicts each frame's fate on the NIC: delivered (bytes and writeback) or
// dropped into one counter; then matches what the host saw.
#pragma once
#include <cstdint>
#include <deque>
#include <map>
#include <string>
#include <vector>

#include "common/eth.hpp"
#include "common/rss.hpp"
#include "verilator/vh/igb_double.hpp"
#include "verilator/vh/xgmii.hpp"

namespace rxpath::vh {

// Frames as the harness builds and checks them (common/eth.hpp).
using eth::Bytes;
using eth::Mac;

// What the NIC is programmed with (the scoreboard's copy).
struct NicConfig {
  Mac station{0x02, 0x00, 0x00, 0x00, 0x00, 0x01};
  bool en = true, upe = false, mpe = false, bam = true, lpe = false, secrc = true;
  unsigned rlpml = 0x2600;
  bool ipofld = true, tuofl = true;
  bool pcsd = false;  // RXCSUM.PCSD: the writeback's RSS field holds the hash
  rss::Config rss;    // MRQC, RETA, RSSRK (reset: no RSS, every frame to queue 0)
  unsigned buf_size = 2048;
};

// Drop causes, named after the counter register that counts them.
enum class Fate { Deliver, RXERRC, CRCERRS, RUC, RFC, ROC, RJC, RXP_AFDC, RXP_RXDIS };
const char* fate_name(Fate f);
uint32_t fate_counter_offset(Fate f);  // register offset of the counter

struct Prediction {
  Fate fate;
  Bytes host;  // bytes the host must see (FCS stripped with SECRC)
  uint16_t pkt_info = 0;
  uint32_t status = 0;  // status_error of the EOP descriptor
  uint32_t rss = 0;     // the writeback's RSS field
  unsigned queue = 0;   // the ring it must arrive on (common/rss.hpp)
  bool broadcast = false, multicast = false;
};

// Precedence (rtl/rxp_rx_classify.sv): framing (RXERRC), then length
// (RUC/RFC, ROC/RJC by FCS), then CRCERRS, then receiver disabled
// (RXP_RXDIS), then the address filter (RXP_AFDC). A frame whose queue is
// not enabled also counts in RXP_RXDIS (not predicted here). A good frame
// (Fate::Deliver) is counted in GPRC/GORC/BPRC/MPRC only once the packet
// buffer stores it; one that does not fit counts in MPC and in no good-frame
// counter (rtl/README.md), which the prediction cannot know in advance: see
// Scoreboard::expected_gprc().
Prediction predict(const WireFrame& f, const NicConfig& c);
unsigned max_frame_len(const Bytes& data, const NicConfig& c);

class Scoreboard {
 public:
  explicit Scoreboard(NicConfig c) : cfg(c) {}
  // Frame handed to the wire.
  void sent(const WireFrame& f);
  // Descriptors the host collected, in ring order; assembles EOP frames and
  // checks each against the oldest still-expected frame; frames skipped
  // over are recorded as missing (they must be in MPC/RQDPC).
  // ring: which ring the descriptors came from (partial frames are per ring).
  void received(const std::vector<RxDesc>& d, unsigned ring = 0);
  // false: rings deliver in any order relative to each other (multi-queue);
  // a frame matches any expected one and nothing counts as skipped.
  bool ordered = true;
  NicConfig cfg;
  std::deque<Prediction> expected;  // deliveries not yet seen
  std::map<Fate, uint64_t> drops;   // predicted per counter
  // Frames predicted good (Fate::Deliver), their wire bytes (FCS included),
  // and how many of them are broadcast / multicast.
  uint64_t good = 0, good_bytes = 0, good_bcast = 0, good_mcast = 0;
  // GPRC once the wire is idle: good frames minus those the packet buffer
  // could not store (MPC, read from the NIC). RQDPC and late RXP_RXDIS
  // drops happen after the frame was stored and stay in GPRC.
  uint64_t expected_gprc(uint64_t mpc) const { return good - mpc; }
  uint64_t delivered = 0, missing = 0, sent_frames = 0, delivered_bytes = 0;
  std::vector<std::string> errors;  // mismatches, empty when all is well

 private:
  std::map<unsigned, Bytes> partial_;
};

}  // namespace rxpath::vh
