// SPDX-License-Identifier: MIT
// The 4-queue build: each queue's ring works on its own. Frames of many flows
// are spread by the NIC's steering (rtl/README.md); the test does not assume
// which queue a frame takes, only that every frame arrives complete on some
// ring, that a queue without descriptors (DROP_EN) drops only its own frames
// into its own RQDPC, and that each ring's RDH/RDT stay its own.
#define BOOST_TEST_MODULE nic_q4
#include "rtl/tests/nic_fixture.hpp"

#include "Vnic_top_q4.h"

using namespace rxt;
using Fix = NicFixture<Vnic_top_q4>;

namespace {
// Steering without RSS (rtl/README.md): IPv4 TCP/UDP by destination port
// modulo NUM_QUEUES; the expected frames per queue.
std::map<unsigned, uint64_t> g_per_queue;

void send_flows(Fix& f, unsigned n) {
  g_per_queue.clear();
  for (unsigned i = 0; i < n; ++i) {
    Ipv4Opts ip;
    ip.saddr = 0x0a000100 + (i * 7) % 97;
    ip.id = uint16_t(i);
    L4Opts l4;
    l4.sport = uint16_t(2000 + (i * 13) % 251);
    l4.dport = uint16_t(5000 + i % 17);
    g_per_queue[l4.dport % 4]++;
    Bytes pl(40 + (i * 31) % 1000, uint8_t(i));
    f.send(WireFrame{(i & 1) ? tcp_frame(kStation, kPeer, pl, ip, l4) : udp_frame(kStation, kPeer, pl, ip, l4)});
  }
}
}  // namespace

// Descriptor reads use ARID = queue: the memory answers different IDs out
// of order, with latency and back-pressure.
AxiMemConfig ooo_memory() {
  AxiMemConfig mc;
  mc.ooo_ids = true;
  mc.rd_latency = 60;
  mc.ar_ready_p = 0.7;
  mc.r_valid_p = 0.8;
  mc.w_ready_p = 0.8;
  mc.seed = 4;
  return mc;
}

BOOST_AUTO_TEST_CASE(four_rings_deliver_every_frame) {
  Fix f(ooo_memory());
  Setup s;
  s.queues = 4;
  s.count = 64;
  f.setup(s);
  send_flows(f, 400);
  f.drain();
  f.check_scoreboard();
  BOOST_TEST(f.sb.delivered == 400u);
  BOOST_TEST(f.sb.expected.empty());
  for (unsigned q = 0; q < 4; ++q) {
    BOOST_TEST_MESSAGE("queue " << q << ": " << f.per_ring[q] << " descriptors");
    BOOST_TEST(f.per_ring[q] == g_per_queue[q],
               "queue " << q << " got " << f.per_ring[q] << " frames, steering predicts " << g_per_queue[q]);
    BOOST_TEST(f.rd(R::E1000_RDH(q)) == f.rings[q].next_to_clean, "queue " << q);
    BOOST_TEST(f.rd(R::E1000_RDT(q)) == f.rings[q].next_to_use, "queue " << q);
  }
  BOOST_TEST(f.rd(R::E1000_GPRC) == 400u);
}

BOOST_AUTO_TEST_CASE(a_dry_queue_drops_only_its_own_frames) {
  for (unsigned dry = 0; dry < 4; ++dry) {
    BOOST_TEST_CONTEXT("queue " << dry << " without descriptors") {
      Fix f;
      Setup s;
      s.queues = 4;
      s.count = 64;
      s.drop_en = true;
      f.setup(s);
      f.env.wr(R::E1000_RXDCTL(dry), 0);
      f.drv.igb_configure_rx_ring(f.rings[dry], 0);
      send_flows(f, 200);
      f.drain();
      f.check_scoreboard();
      uint32_t dropped = f.rd(R::E1000_RQDPC(dry));
      for (unsigned q = 0; q < 4; ++q)
        if (q != dry) BOOST_TEST(f.rd(R::E1000_RQDPC(q)) == 0u, "RQDPC(" << q << ")");
      BOOST_TEST(f.per_ring[dry] == 0u);
      BOOST_TEST(dropped == g_per_queue[dry]);
      BOOST_TEST(f.sb.delivered + dropped == 200u);
      BOOST_TEST(f.sb.expected.size() == dropped);
    }
  }
}
