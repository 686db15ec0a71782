// SPDX-License-Identifier: MIT
// The MAC's pattern matrix: what comes before a frame (a good frame, an /E/
// in the data, an error block that cuts a frame, a bad FCS, a bad SFD) x the
// lane of the frame's /S/ (0 or 4) x its length (runt to jumbo) x jumbo
// frames off or on, back to back at the minimum average IFG with the deficit
// idle count. Expected fates come from 802.3, not from the scoreboard:
// - clause 46.3.1.2: /S/ in lane 0, or in lane 4 on a 64-bit XGMII;
// - clause 46.3.1.4 (DIC): a gap of 9..15 characters, 12 on average;
// - clause 49.2.13.2.3: an error block is eight /E/ in place of a 64-bit
//   block; a frame with /E/ in it is a receive error (RXERRC), and so is a
//   preamble or SFD that is not 0x55 x 6 + 0xD5;
// - clause 4.2.4.2.2 / 4.4.2: 64..1518 bytes with the FCS (1522 tagged);
//   shorter with a good FCS is a runt (RUC), longer an oversize (ROC) unless
//   RCTL.LPE and the length is at most RLPML (82576 datasheet, RLPML);
// - a bad FCS is CRCERRS.
// Every frame is counted once: delivered, or in its counter; TPR counts all.
#define BOOST_TEST_MODULE nic_mac_patterns
#include "rtl/tests/nic_fixture.hpp"

#include <set>

#include "Vnic_top.h"

using namespace rxt;
using Fix = NicFixture<Vnic_top>;

namespace {
enum class Before { Good, ErrorInData, ErrorBlock, BadFcs, BadSfd };
const char* name(Before b) {
  switch (b) {
    case Before::Good:
      return "good frame";
    case Before::ErrorInData:
      return "/E/ in the data";
    case Before::ErrorBlock:
      return "error block";
    case Before::BadFcs:
      return "bad FCS";
    case Before::BadSfd:
      return "bad SFD";
  }
  return "?";
}

struct Counts {
  uint64_t delivered = 0, rxerrc = 0, crcerrs = 0, ruc = 0, roc = 0, tpr = 0;
};

// The fate of a frame of `len` bytes before its FCS, good FCS, untagged.
void count_following(Counts& c, size_t len, bool lpe) {
  const size_t wire = len + 4;
  const size_t max = lpe ? 9018 : 1518;
  ++c.tpr;
  if (wire < 64)
    ++c.ruc;
  else if (wire > max)
    ++c.roc;
  else
    ++c.delivered;
}

void run_matrix(bool lpe) {
  Fix f;
  Setup s;
  s.count = 256;
  if (lpe) {
    s.rctl_extra = R::E1000_RCTL_LPE;
    s.rlpml = 9018;
  }
  f.setup(s);
  auto& enc = f.env.xgmii.enc;
  f.env.run(100);

  const std::vector<size_t> lengths = {59, 60, 61, 67, 1514, 1515, 2000, 9014, 9015};
  const Before befores[] = {Before::Good, Before::ErrorInData, Before::ErrorBlock, Before::BadFcs, Before::BadSfd};
  Counts want;
  std::set<std::tuple<int, size_t, unsigned>> lanes_seen;  // (before, length, lane of the following /S/)
  unsigned min_gap = ~0u, max_gap = 0, sent = 0;
  uint64_t gap_sum = 0, gaps = 0;
  auto note_gap = [&] {
    if (enc.last_gap() == 0) return;  // after raw characters: no gap owed
    min_gap = std::min(min_gap, enc.last_gap());
    max_gap = std::max(max_gap, enc.last_gap());
    gap_sum += enc.last_gap();
    ++gaps;
  };
  uint8_t tag = 0;
  for (Before b : befores) {
    for (size_t len : lengths) {
      // Eight lengths of the frame before shift where the next /S/ lands.
      for (unsigned shift = 0; shift < 8; ++shift) {
        WireFrame pre{raw_frame(kStation, kPeer, 60 + shift, ++tag)};
        ++want.tpr;
        switch (b) {
          case Before::Good:
            ++want.delivered;
            break;
          case Before::ErrorInData:
            pre.error_at = 30;
            ++want.rxerrc;
            break;
          case Before::ErrorBlock:
            pre.no_terminate = true;
            ++want.rxerrc;
            break;
          case Before::BadFcs:
            pre.bad_fcs = true;
            ++want.crcerrs;
            break;
          case Before::BadSfd:
            pre.bad_sfd = true;
            ++want.rxerrc;
            break;
        }
        if (b == Before::Good)
          f.send(pre);  // the scoreboard checks its bytes
        else
          f.env.xgmii.send(pre);
        note_gap();
        if (b == Before::ErrorBlock) {
          // /E/ to the end of the word, then a whole error block; on odd
          // shifts four idles put the next /S/ in lane 4.
          std::vector<XgmiiChar> blk((8 - enc.next_lane()) % 8 + 8, XgmiiChar{XGMII_ERROR, true});
          if (shift % 2) blk.insert(blk.end(), 4, XgmiiChar{XGMII_IDLE, true});
          enc.push_raw(blk);
        }
        WireFrame next{raw_frame(kStation, kPeer, len, ++tag)};
        count_following(want, len, lpe);
        if (len + 4 >= 64 && len + 4 <= (lpe ? 9018u : 1518u))
          f.send(next);
        else
          f.env.xgmii.send(next);
        note_gap();
        lanes_seen.insert({int(b), len, enc.last_start_lane()});
        sent += 2;
      }
      // Keep the wire fed while the host polls.
      while (enc.queued_chars() > 20000) {
        f.env.run(256);
        f.poll();
      }
    }
  }
  f.drain(8000000);
  f.check_scoreboard();

  for (Before b : befores)
    for (size_t len : lengths)
      for (unsigned lane : {0u, 4u})
        BOOST_TEST(lanes_seen.count({int(b), len, lane}) == 1u,
                   "after (" << name(b) << "), a " << len << "-byte frame never started in lane " << lane);
  // Minimum average IFG with the deficit idle count: gaps of 9..15, about 12.
  const double avg = double(gap_sum) / double(gaps);
  std::printf("mac patterns (LPE %d): %u frames, gaps %u..%u, average %.2f over %llu gaps\n", int(lpe), sent, min_gap,
              max_gap, avg, (unsigned long long)gaps);
  BOOST_TEST(min_gap == 9u);
  BOOST_TEST(max_gap <= 15u);
  BOOST_TEST((avg >= 11.5 && avg <= 12.5));

  BOOST_TEST(f.rd(R::E1000_MPC) == 0u);  // else the counts below would not be the oracle's
  BOOST_TEST(f.sb.delivered == want.delivered);
  BOOST_TEST(f.sb.expected.empty());
  BOOST_TEST(f.rd(R::E1000_GPRC) == want.delivered);
  BOOST_TEST(f.rd(R::E1000_RXERRC) == want.rxerrc);
  BOOST_TEST(f.rd(R::E1000_CRCERRS) == want.crcerrs);
  BOOST_TEST(f.rd(R::E1000_RUC) == want.ruc);
  BOOST_TEST(f.rd(R::E1000_ROC) == want.roc);
  BOOST_TEST(f.rd(R::E1000_RFC) == 0u);
  BOOST_TEST(f.rd(R::E1000_RJC) == 0u);
  BOOST_TEST(f.rd(R::E1000_TPR) == want.tpr);
  BOOST_TEST(want.delivered + want.rxerrc + want.crcerrs + want.ruc + want.roc == want.tpr);
}
}  // namespace

BOOST_AUTO_TEST_CASE(patterns_lanes_and_lengths_without_jumbo) { run_matrix(false); }

BOOST_AUTO_TEST_CASE(patterns_lanes_and_lengths_with_jumbo_rlpml_9018) { run_matrix(true); }
