// SPDX-License-Identifier: MIT
// Randomized traffic against the scoreboard, for any NIC build (the default
// model in test_nic_random.cpp, every cell of the parameter matrix in
// test_nic_matrix.cpp): good and bad frames of many kinds, random gaps, DMA
// back-pressure on every channel with out-of-order read IDs and a stalling B
// channel, and a host that stops polling for a while (ring exhaustion, RNBC,
// a full packet buffer, MPC), then wakes up and re-enables its interrupts.
// Every frame must be delivered or in exactly one counter, and each MSI-X
// message must follow the writebacks it reports.
#pragma once
#include <cstdint>
#include <cstdio>
#include <random>

#include "rtl/tests/nic_fixture.hpp"

namespace rxt {

struct RandomRun {
  uint64_t seed = 1;
  unsigned buf_size = 2048;
  bool drop_en = false;
  unsigned queues = 1;  // > 1: RSS over them (igb_setup_mrqc, IPv4/UDP hashed too)
  unsigned frames = 4000;
};

// What a run did, for comparing runs that must be identical (the same seed
// on models started from different initial values): every DMA write (where,
// how much, when), every MSI-X message and the final counters.
struct RunDigest {
  uint64_t hash = 1469598103934665603ull;  // FNV-1a
  uint64_t delivered = 0, writes = 0, msix = 0;
  void add(uint64_t v) {
    for (int i = 0; i < 8; ++i) {
      hash ^= (v >> (8 * i)) & 0xff;
      hash *= 1099511628211ull;
    }
  }
};

// One random frame: mostly UDP and TCP from 50 source ports (so RSS spreads
// them), with raw, VLAN-tagged, fragmented, broadcast, foreign, bad-FCS,
// /E/-cut, runt, oversize and bad-checksum frames among them.
inline WireFrame random_frame(std::mt19937_64& rng, unsigned seq) {
  auto pick = [&](unsigned n) { return unsigned(rng() % n); };
  WireFrame w;
  const unsigned kind = pick(100);
  const size_t len = 60 + pick(1455);
  Ipv4Opts ip;
  ip.id = uint16_t(seq);
  L4Opts l4;
  l4.sport = uint16_t(1000 + pick(50));
  const uint8_t fill = uint8_t(seq);
  if (kind < 35)
    w.data = udp_frame(kStation, kPeer, Bytes(std::max<size_t>(len, 42) - 42, fill), ip, l4);
  else if (kind < 60)
    w.data = tcp_frame(kStation, kPeer, Bytes(pick(1400), fill), ip, l4);
  else if (kind < 64)
    w.data = raw_frame(kStation, kPeer, len, fill);
  else if (kind < 68)
    w.data = vlan_tag(udp_frame(kStation, kPeer, Bytes(pick(1400), fill), ip, l4), uint16_t(seq));
  else if (kind < 70) {
    ip.frag = pick(2) ? 0x2000 : 0x0010;
    w.data = udp_frame(kStation, kPeer, Bytes(pick(1400), 5), ip, l4);
  } else if (kind < 74)
    w.data = raw_frame(kBroadcast, kPeer, len, fill);
  else if (kind < 78)
    w.data = raw_frame(kOther, kPeer, len, fill);
  else if (kind < 82) {
    w.data = raw_frame(kStation, kPeer, len, fill);
    w.bad_fcs = true;
  } else if (kind < 85) {
    w.data = raw_frame(kStation, kPeer, len, fill);
    w.error_at = int(pick(unsigned(len)));
  } else if (kind < 88)
    w.data = raw_frame(kStation, kPeer, 20 + pick(40), fill);
  else if (kind < 90)
    w.data = raw_frame(kStation, kPeer, 1515 + pick(500), fill);
  else if (kind < 95) {
    ip.bad_hdr_csum = true;
    w.data = udp_frame(kStation, kPeer, Bytes(pick(1000), 3), ip, l4);
  } else {
    l4.bad_csum = true;
    w.data = tcp_frame(kStation, kPeer, Bytes(pick(1000), 4), ip, l4);
  }
  w.ifg = 12 + (pick(4) == 0 ? pick(200) : 0);
  return w;
}

// Back-pressure on every channel, latency, out-of-order read IDs, B stalls.
inline AxiMemConfig random_memory(uint64_t seed) {
  AxiMemConfig mc;
  mc.rd_latency = 40;
  mc.wr_latency = 12;
  mc.aw_ready_p = 0.8;
  mc.w_ready_p = 0.7;
  mc.ar_ready_p = 0.8;
  mc.r_valid_p = 0.8;
  mc.b_valid_p = 0.8;
  mc.ooo_ids = true;
  mc.seed = seed;
  return mc;
}

template <class M>
RunDigest run_random(const RandomRun& p) {
  std::printf("random traffic: seed %llu, %u queue(s), %u-byte buffers, DROP_EN %d\n", (unsigned long long)p.seed,
              p.queues, p.buf_size, int(p.drop_en));
  std::mt19937_64 rng(p.seed);
  auto pick = [&](unsigned n) { return unsigned(rng() % n); };
  NicFixture<M> f(random_memory(p.seed));
  Setup s;
  s.queues = p.queues;
  s.count = 128;
  s.buf_size = p.buf_size;
  s.drop_en = p.drop_en;
  s.irq_rearm = true;
  if (p.queues > 1) {
    s.rss = true;
    s.rss_cfg = igb_rss_config(p.queues, kMsKey, /*udp4=*/true);
  }
  f.setup(s);

  unsigned sent = 0;
  bool host_asleep = false;
  uint64_t wake_at = 0;
  while (sent < p.frames || f.env.xgmii.enc.busy()) {
    // Keep a few frames queued on the wire.
    while (sent < p.frames && f.env.xgmii.enc.queued_chars() < 4000) f.send(random_frame(rng, sent++));
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
  const uint32_t mpc = f.rd(R::E1000_MPC);
  uint32_t rqdpc = 0;
  for (unsigned q = 0; q < p.queues; ++q) rqdpc += f.rd(R::E1000_RQDPC(q));
  if (!p.drop_en) BOOST_TEST(rqdpc == 0u);
  uint64_t counted = 0;
  RunDigest d;
  for (Fate fate : {Fate::CRCERRS, Fate::RXERRC, Fate::RUC, Fate::RFC, Fate::ROC, Fate::RJC, Fate::RXP_AFDC}) {
    const uint32_t got = f.rd(fate_counter_offset(fate));
    BOOST_TEST(got == f.sb.drops[fate], fate_name(fate) << " = " << got << ", predicted " << f.sb.drops[fate]);
    counted += got;
    d.add(got);
  }
  std::printf("random traffic: sent %u delivered %llu MPC %u RQDPC %u counted drops %llu, %zu MSI-X messages\n",
              p.frames, (unsigned long long)f.sb.delivered, mpc, rqdpc, (unsigned long long)counted,
              f.env.msix.msgs.size());
  BOOST_TEST(f.sb.missing + f.sb.expected.size() == mpc + rqdpc,
             "frames lost " << f.sb.missing + f.sb.expected.size() << " but MPC + RQDPC " << mpc + rqdpc);
  BOOST_TEST(f.sb.delivered + mpc + rqdpc + counted == p.frames);
  // rtl/README.md: a frame in MPC is not in GPRC; GPRC = delivered + RQDPC
  // (no queue is disabled here) and TPR = drop counters + GPRC + MPC.
  const uint32_t gprc = f.rd(R::E1000_GPRC);
  BOOST_TEST(gprc == f.sb.expected_gprc(mpc));
  BOOST_TEST(gprc == f.sb.delivered + rqdpc);
  BOOST_TEST(f.rd(R::E1000_TPR) == p.frames);
  BOOST_TEST(p.frames == counted + gprc + mpc);
  check_msix_causal(f, true);
  BOOST_TEST(f.env.msix.msgs.size() > 50u, "only " << f.env.msix.msgs.size() << " MSI-X messages");
  if (p.queues > 1)
    for (unsigned q = 0; q < p.queues; ++q) BOOST_TEST(f.per_ring[q] > 0u, "RSS sent nothing to queue " << q);

  d.delivered = f.sb.delivered;
  d.writes = f.writes.size();
  d.msix = f.env.msix.msgs.size();
  for (uint32_t v : {mpc, rqdpc, gprc}) d.add(v);
  for (const auto& w : f.writes) {
    d.add(w.addr);
    d.add(w.n);
    d.add(w.cycle);
  }
  for (const auto& m : f.env.msix.msgs) {
    d.add(m.vector);
    d.add(m.cycle);
  }
  return d;
}

}  // namespace rxt
