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
void error_block_then_frame(unsigned start_lane) {
  Fix f;
  f.setup(Setup{});
  f.rd(R::E1000_TPR);
  f.rd(R::E1000_RXERRC);
  f.env.run(100);  // encoder idle: the cut frame starts in lane 0
  // 60 bytes + FCS after /S/ and 7 preamble/SFD bytes: the frame fills
  // exactly 9 words, so the error block is one whole word.
  WireFrame cut{raw_frame(kStation, kPeer, 60, 1)};
  cut.no_terminate = true;
  f.env.xgmii.send(cut);  // not for the scoreboard: it counts RXERRC
  std::vector<XgmiiChar> raw(8, XgmiiChar{XGMII_ERROR, true});
  if (start_lane == 4)
    for (int i = 0; i < 4; ++i) raw.push_back({XGMII_IDLE, true});
  f.env.xgmii.enc.push_raw(raw);
  f.send(WireFrame{udp_frame_len(kStation, kPeer, 200, 2)});
  f.drain();
  f.check_scoreboard();
  BOOST_TEST(f.sb.delivered == 1u, "the frame after the error block was not delivered");
  BOOST_TEST(f.rd(R::E1000_TPR) == 2u);
  BOOST_TEST(f.rd(R::E1000_RXERRC) == 1u);
  BOOST_TEST(f.rd(R::E1000_GPRC) == 1u);
}
}  // namespace

BOOST_AUTO_TEST_CASE(error_block_then_start_in_lane_0) { error_block_then_frame(0); }

BOOST_AUTO_TEST_CASE(error_block_then_start_in_lane_4) { error_block_then_frame(4); }
