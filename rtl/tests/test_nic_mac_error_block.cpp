// SPDX-License-Identifier: MIT
// XGMII: a frame cut by an error block (eight /E/, what a 10GBASE-R PCS
// hands up for a block it cannot decode, 802.3 clause 49.2.13.2.3) is a
// framing error (RXERRC); the next frame starts right after the error block,
// with /S/ in lane 0 or lane 4 (802.3 clause 46.3.1.2: /S/ in lane 0 or, on
// a 64-bit interface, lane 4), and must be received.
#define BOOST_TEST_MODULE nic_mac_error_block
#include "rtl/tests/nic_fixture.hpp"

#include "Vnic_top.h"

using namespace rxt;
using Fix = NicFixture<Vnic_top>;

namespace {
// The frame is cut by `raw` (sent right after its last data byte, at a word
// boundary); the next frame follows at the next lane allowed.
void cut_frame_then_frame(const std::vector<XgmiiChar>& raw) {
  Fix f;
  f.setup(Setup{});
  f.rd(R::E1000_TPR);
  f.rd(R::E1000_RXERRC);
  f.env.run(100);  // encoder idle: the cut frame starts in lane 0
  // 60 bytes + FCS after /S/ and 7 preamble/SFD bytes: the frame fills
  // exactly 9 words.
  WireFrame cut{raw_frame(kStation, kPeer, 60, 1)};
  cut.no_terminate = true;
  f.env.xgmii.send(cut);  // not for the scoreboard: it counts RXERRC
  f.env.xgmii.enc.push_raw(raw);
  f.send(WireFrame{udp_frame_len(kStation, kPeer, 200, 2)});
  f.drain();
  f.check_scoreboard();
  BOOST_TEST(f.sb.delivered == 1u, "the frame after the cut one (or the error block) was not delivered");
  BOOST_TEST(f.rd(R::E1000_TPR) == 2u);
  BOOST_TEST(f.rd(R::E1000_RXERRC) == 1u);
  BOOST_TEST(f.rd(R::E1000_GPRC) == 1u);
}

// A whole-word error block (the cut frame fills exactly 9 words), then the
// next frame with /S/ in `start_lane`.
void error_block_then_frame(unsigned start_lane) {
  std::vector<XgmiiChar> raw(8, XgmiiChar{XGMII_ERROR, true});
  if (start_lane == 4)
    for (int i = 0; i < 4; ++i) raw.push_back({XGMII_IDLE, true});
  cut_frame_then_frame(raw);
}
}  // namespace

BOOST_AUTO_TEST_CASE(error_block_then_start_in_lane_0) { error_block_then_frame(0); }

BOOST_AUTO_TEST_CASE(error_block_then_start_in_lane_4) { error_block_then_frame(4); }

// /E/ and an idle in lanes 2-3 end the frame, /S/ in lane 4 of the same word
// starts the next (802.3 clause 46: /E/ is an error in the frame, the idle
// ends it; /S/ may be in lane 4).
BOOST_AUTO_TEST_CASE(error_and_start_in_lane_4_of_one_word) {
  cut_frame_then_frame({{0x11, false}, {0x22, false}, {XGMII_ERROR, true}, {XGMII_IDLE, true}});
}

// The same with a bad preamble in the new frame, in its second half (the next
// word) or its first half (lanes 5-7 of the error word): a framing error
// (RXERRC) each, never a lost frame.
BOOST_AUTO_TEST_CASE(error_and_start_in_lane_4_with_a_bad_preamble) {
  for (int half : {2, 1}) {
    BOOST_TEST_CONTEXT("bad preamble byte in half " << half) {
      Fix f;
      f.setup(Setup{});
      f.rd(R::E1000_TPR);
      f.rd(R::E1000_RXERRC);
      f.env.run(100);
      WireFrame cut{raw_frame(kStation, kPeer, 60, 1)};
      cut.no_terminate = true;
      f.env.xgmii.send(cut);
      std::vector<XgmiiChar> raw = {{0x11, false}, {0x22, false}, {XGMII_ERROR, true}, {XGMII_IDLE, true}};
      if (half == 2) {
        f.env.xgmii.enc.push_raw(raw);
        WireFrame b{raw_frame(kStation, kPeer, 60, 2)};
        b.bad_preamble = true;  // preamble byte 3: lane 0 of the next word
        f.env.xgmii.send(b);
      } else {
        raw.push_back({XGMII_START, true});
        for (uint8_t c : {0x55, 0x54, 0x55, 0x55, 0x55, 0x55}) raw.push_back({c, false});
        raw.push_back({ETH_SFD, false});
        for (uint8_t c : raw_frame(kStation, kPeer, 60, 2)) raw.push_back({c, false});
        raw.push_back({XGMII_TERM, true});
        for (int i = 0; i < 11; ++i) raw.push_back({XGMII_IDLE, true});  // IFG 12 with the /T/
        f.env.xgmii.enc.push_raw(raw);
      }
      // A good frame after it is received.
      f.send(WireFrame{udp_frame_len(kStation, kPeer, 200, 3)});
      f.drain();
      f.check_scoreboard();
      BOOST_TEST(f.sb.delivered == 1u);
      BOOST_TEST(f.rd(R::E1000_TPR) == 3u);
      BOOST_TEST(f.rd(R::E1000_RXERRC) == 2u);
      BOOST_TEST(f.rd(R::E1000_GPRC) == 1u);
    }
  }
}
