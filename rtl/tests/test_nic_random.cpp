// SPDX-License-Identifier: MIT
// Randomized traffic against the scoreboard: good and bad frames, random
// gaps, DMA back-pressure with out-of-order read IDs, and a host that stops
// refilling for a while (ring exhaustion, then refill). Every frame must be
// delivered or in exactly one counter. Seed: RXPATH_SEED or a fixed default;
// it is printed so a failure can be replayed.
#define BOOST_TEST_MODULE nic_random
#include "rtl/tests/nic_fixture.hpp"

#include <cstdlib>
#include <random>

#include "Vnic_top.h"

using namespace rxt;
using Fix = NicFixture<Vnic_top>;

namespace {
void run_random(uint64_t seed, unsigned buf_size, bool drop_en) {
  if (const char* e = std::getenv("RXPATH_SEED")) seed = std::strtoull(e, nullptr, 0);
  std::printf("nic_random: seed %llu, %u-byte buffers, DROP_EN %d (set RXPATH_SEED to replay)\n",
              (unsigned long long)seed, buf_size, int(drop_en));
  std::mt19937_64 rng(seed);
  auto pick = [&](unsigned n) { return unsigned(rng() % n); };

  AxiMemConfig mc;
  mc.rd_latency = 40;
  mc.wr_latency = 12;
  mc.aw_ready_p = 0.8;
  mc.w_ready_p = 0.7;
  mc.ar_ready_p = 0.8;
  mc.r_valid_p = 0.8;
  mc.ooo_ids = true;
  mc.seed = seed;
  Fix f(mc);
  Setup s;
  s.count = 128;
  s.buf_size = buf_size;
  s.drop_en = drop_en;
  s.irq_rearm = true;
  f.setup(s);

  const unsigned n = 4000;
  unsigned sent = 0;
  bool host_asleep = false;
  uint64_t wake_at = 0;
  while (sent < n || f.env.xgmii.enc.busy()) {
    // Keep a few frames queued on the wire.
    while (sent < n && f.env.xgmii.enc.queued_chars() < 4000) {
      WireFrame w;
      unsigned kind = pick(100);
      size_t len = 60 + pick(1455);
      Ipv4Opts ip;
      ip.id = uint16_t(sent);
      L4Opts l4;
      l4.sport = uint16_t(1000 + pick(50));
      if (kind < 35)
        w.data = udp_frame_len(kStation, kPeer, std::max<size_t>(len, 42), uint8_t(sent));
      else if (kind < 60)
        w.data = tcp_frame(kStation, kPeer, Bytes(pick(1400), uint8_t(sent)), ip, l4);
      else if (kind < 64)
        w.data = raw_frame(kStation, kPeer, len, uint8_t(sent));
      else if (kind < 68)
        w.data = vlan_tag(udp_frame(kStation, kPeer, Bytes(pick(1400), uint8_t(sent)), ip, l4), uint16_t(sent));
      else if (kind < 70) {
        ip.frag = pick(2) ? 0x2000 : 0x0010;
        w.data = udp_frame(kStation, kPeer, Bytes(pick(1400), 5), ip, l4);
      } else if (kind < 74)
        w.data = raw_frame(kBroadcast, kPeer, len, uint8_t(sent));
      else if (kind < 78)
        w.data = raw_frame(kOther, kPeer, len, uint8_t(sent));
      else if (kind < 82) {
        w.data = raw_frame(kStation, kPeer, len, uint8_t(sent));
        w.bad_fcs = true;
      } else if (kind < 85) {
        w.data = raw_frame(kStation, kPeer, len, uint8_t(sent));
        w.error_at = int(pick(unsigned(len)));
      } else if (kind < 88)
        w.data = raw_frame(kStation, kPeer, 20 + pick(40), uint8_t(sent));
      else if (kind < 90)
        w.data = raw_frame(kStation, kPeer, 1515 + pick(500), uint8_t(sent));
      else if (kind < 95) {
        ip.bad_hdr_csum = true;
        w.data = udp_frame(kStation, kPeer, Bytes(pick(1000), 3), ip, l4);
      } else {
        l4.bad_csum = true;
        w.data = tcp_frame(kStation, kPeer, Bytes(pick(1000), 4), ip, l4);
      }
      w.ifg = 12 + (pick(4) == 0 ? pick(200) : 0);
      f.send(w);
      ++sent;
    }
    f.env.run(256);
    // The host sometimes sleeps: the ring runs dry, RNBC counts, the
    // packet buffer fills, MPC may count; then it wakes and refills.
    if (!host_asleep && pick(40) == 0) {
      host_asleep = true;
      wake_at = f.env.sim.cycle() + 2000 + pick(30000);
    }
    if (host_asleep && f.env.sim.cycle() >= wake_at) host_asleep = false;
    if (!host_asleep) f.poll();
  }
  f.drain(4000000);
  f.check_scoreboard();

  // Every frame accounted for: delivered, lost to MPC, or in its counter.
  const uint32_t mpc = f.rd(R::E1000_MPC), rqdpc = f.rd(R::E1000_RQDPC(0));
  if (!drop_en) BOOST_TEST(rqdpc == 0u);
  uint64_t counted = 0;
  for (Fate fate : {Fate::CRCERRS, Fate::RXERRC, Fate::RUC, Fate::RFC, Fate::ROC, Fate::RJC, Fate::RXP_AFDC}) {
    uint32_t got = f.rd(fate_counter_offset(fate));
    BOOST_TEST(got == f.sb.drops[fate], fate_name(fate) << " = " << got << ", predicted " << f.sb.drops[fate]);
    counted += got;
  }
  std::printf("nic_random: sent %u delivered %llu MPC %u RQDPC %u counted drops %llu\n", n,
              (unsigned long long)f.sb.delivered, mpc, rqdpc, (unsigned long long)counted);
  BOOST_TEST(f.sb.missing + f.sb.expected.size() == mpc + rqdpc,
             "frames lost " << f.sb.missing + f.sb.expected.size() << " but MPC + RQDPC " << mpc + rqdpc);
  BOOST_TEST(f.sb.delivered + mpc + rqdpc + counted == n);
  // rtl/README.md: a frame in MPC is not in GPRC; GPRC = delivered + RQDPC
  // (no queue is disabled here) and TPR = drop counters + GPRC + MPC.
  const uint32_t gprc = f.rd(R::E1000_GPRC);
  BOOST_TEST(gprc == f.sb.expected_gprc(mpc));
  BOOST_TEST(gprc == f.sb.delivered + rqdpc);
  BOOST_TEST(f.rd(R::E1000_TPR) == n);
  BOOST_TEST(n == counted + gprc + mpc);
  check_msix_causal(f, true);
  BOOST_TEST(f.env.msix.msgs.size() > 50u, "only " << f.env.msix.msgs.size() << " MSI-X messages");
}
}  // namespace

BOOST_AUTO_TEST_CASE(random_traffic_every_frame_accounted_for) { run_random(20261122, 2048, false); }

// Small buffers (multi-descriptor frames) and DROP_EN: an empty ring drops
// into RQDPC instead of holding the frame.
BOOST_AUTO_TEST_CASE(random_traffic_small_buffers_drop_en) { run_random(77, 1024, true); }
