// SPDX-License-Identifier: MIT
// Error causes and the address filter: each bad frame is counted in exactly
// one counter and never reaches host memory; TPR counts every frame.
#define BOOST_TEST_MODULE nic_errors
#include "rtl/tests/nic_fixture.hpp"

#include "Vnic_top.h"

using namespace rxt;
using Fix = NicFixture<Vnic_top>;

namespace {
// Counters of drop causes; TPR and GPRC are read separately.
const std::vector<std::pair<const char*, uint32_t>> kDropCounters = {
    {"CRCERRS", R::E1000_CRCERRS}, {"RXERRC", R::E1000_RXERRC},     {"MPC", R::E1000_MPC},
    {"RUC", R::E1000_RUC},         {"RFC", R::E1000_RFC},           {"ROC", R::E1000_ROC},
    {"RJC", R::E1000_RJC},         {"RXP_AFDC", R::E1000_RXP_AFDC}, {"RXP_RXDIS", R::E1000_RXP_RXDIS},
    {"RNBC", R::E1000_RNBC},       {"RQDPC0", R::E1000_RQDPC(0)}};

std::map<std::string, uint32_t> read_all(Fix& f) {
  std::map<std::string, uint32_t> m;
  for (auto& c : kDropCounters) m[c.first] = f.rd(c.second);
  m["TPR"] = f.rd(R::E1000_TPR);
  m["GPRC"] = f.rd(R::E1000_GPRC);
  return m;
}

// Sends one bad frame (after a clean slate) and checks it lands in exactly
// `counter`, with no DMA write at all.
void expect_dropped(Fix& f, const WireFrame& w, const std::string& counter, const char* what) {
  BOOST_TEST_CONTEXT(what) {
    read_all(f);  // clear on read
    size_t writes_before = f.writes.size();
    f.send(w);
    f.drain();
    auto m = read_all(f);
    for (auto& kv : m) {
      uint32_t want = kv.first == counter ? 1 : 0;
      if (kv.first == "TPR") want = 1;
      BOOST_TEST(kv.second == want, kv.first << " = " << kv.second << ", expected " << want);
    }
    BOOST_TEST(f.writes.size() == writes_before, "a dropped frame was written to host memory");
    BOOST_TEST(f.sb.delivered == 0u);
  }
}
}  // namespace

BOOST_AUTO_TEST_CASE(each_error_cause_counted_once_and_never_in_memory) {
  Fix f;
  f.setup(Setup{});
  const Bytes good = udp_frame_len(kStation, kPeer, 200, 1);
  WireFrame w{good};
  w.bad_fcs = true;
  expect_dropped(f, w, "CRCERRS", "bad FCS");
  w = WireFrame{good};
  w.error_at = 50;
  expect_dropped(f, w, "RXERRC", "/E/ inside the frame");
  w = WireFrame{good};
  w.bad_preamble = true;
  expect_dropped(f, w, "RXERRC", "bad preamble");
  w = WireFrame{good};
  w.bad_sfd = true;
  expect_dropped(f, w, "RXERRC", "bad SFD");
  expect_dropped(f, WireFrame{raw_frame(kStation, kPeer, 59)}, "RUC", "runt 63 bytes, good FCS");
  w = WireFrame{raw_frame(kStation, kPeer, 40)};
  w.bad_fcs = true;
  expect_dropped(f, w, "RFC", "runt 44 bytes, bad FCS");
  expect_dropped(f, WireFrame{raw_frame(kStation, kPeer, 1515)}, "ROC", "oversize 1519, good FCS");
  w = WireFrame{raw_frame(kStation, kPeer, 2000)};
  w.bad_fcs = true;
  expect_dropped(f, w, "RJC", "oversize 2004, bad FCS");
  expect_dropped(f, WireFrame{raw_frame(kOther, kPeer, 100)}, "RXP_AFDC", "other station");
  f.check_scoreboard();
  // And the NIC still works afterwards.
  f.send(WireFrame{good});
  f.drain();
  BOOST_TEST(f.sb.delivered == 1u);
  f.check_scoreboard();
}

BOOST_AUTO_TEST_CASE(address_filter_unicast_broadcast_multicast_promiscuous) {
  {
    Fix f;
    f.setup(Setup{});                                         // BAM on (igb default), MPE/UPE off
    f.send(WireFrame{raw_frame(kStation, kPeer, 100, 1)});    // unicast match
    f.send(WireFrame{raw_frame(kBroadcast, kPeer, 100, 2)});  // broadcast, BAM
    f.send(WireFrame{raw_frame(kMulticast, kPeer, 100, 3)});  // multicast, no MPE
    f.send(WireFrame{raw_frame(kOther, kPeer, 100, 4)});      // other station
    f.drain();
    f.check_scoreboard();
    BOOST_TEST(f.sb.delivered == 2u);
    BOOST_TEST(f.rd(R::E1000_RXP_AFDC) == 2u);
    BOOST_TEST(f.rd(R::E1000_BPRC) == 1u);
    BOOST_TEST(f.rd(R::E1000_GPRC) == 2u);
  }
  {
    Fix f;
    f.setup(Setup{});
    f.env.wr(R::E1000_RCTL, R::E1000_RCTL_EN | R::E1000_RCTL_SECRC | R::E1000_RCTL_MPE);  // BAM off
    f.sb.cfg.bam = false;
    f.sb.cfg.mpe = true;
    f.send(WireFrame{raw_frame(kBroadcast, kPeer, 100, 2)});  // dropped without BAM
    f.send(WireFrame{raw_frame(kMulticast, kPeer, 100, 3)});  // MPE accepts
    f.send(WireFrame{raw_frame(kOther, kPeer, 100, 4)});      // still dropped
    f.drain();
    f.check_scoreboard();
    BOOST_TEST(f.sb.delivered == 1u);
    BOOST_TEST(f.rd(R::E1000_RXP_AFDC) == 2u);
    BOOST_TEST(f.rd(R::E1000_MPRC) == 1u);
  }
  {
    Fix f;
    Setup s;
    s.rctl_extra = R::E1000_RCTL_UPE;
    f.setup(s);
    f.send(WireFrame{raw_frame(kOther, kPeer, 100, 4)});      // UPE accepts
    f.send(WireFrame{raw_frame(kMulticast, kPeer, 100, 3)});  // UPE is unicast only
    f.drain();
    f.check_scoreboard();
    BOOST_TEST(f.sb.delivered == 1u);
    BOOST_TEST(f.rd(R::E1000_RXP_AFDC) == 1u);
  }
}

BOOST_AUTO_TEST_CASE(receiver_disabled_counts_rxdis) {
  Fix f;
  f.setup(Setup{});
  f.env.wr(R::E1000_RCTL, 0);
  f.sb.cfg.en = false;
  size_t before = f.writes.size();
  for (int i = 0; i < 3; ++i) f.send(WireFrame{raw_frame(kStation, kPeer, 100, uint8_t(i))});
  f.drain();
  BOOST_TEST(f.rd(R::E1000_RXP_RXDIS) == 3u);
  BOOST_TEST(f.rd(R::E1000_GPRC) == 0u);
  BOOST_TEST(f.writes.size() == before);
}
