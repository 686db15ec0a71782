// SPDX-License-Identifier: MIT
// Receive-side scaling in the RTL (8-queue build, the model the co-simulation
// uses): the key through RSSRK, the hash and RSS type in the writeback and
// the queue through a RETA the test programs. Expected hashes are the
// PUBLISHED verification vectors: Microsoft, "Verifying the RSS Hash
// Calculation" (Windows driver documentation, NDIS RSS), reused by the Linux
// and DPDK Toeplitz tests; the expected queue is the test's own RETA formula
// applied to the published hash. Every delivery is also matched by the
// scoreboard (common/rss.hpp).
#define BOOST_TEST_MODULE nic_rss
#include "rtl/tests/nic_fixture.hpp"

#include "Vnic_top_q8.h"

using namespace rxt;
using Fix = NicFixture<Vnic_top_q8>;

namespace {
struct Vector {
  uint32_t daddr;
  uint16_t dport;
  uint32_t saddr;
  uint16_t sport;
  uint32_t ipv4, ipv4_tcp;
};
constexpr uint32_t ip4(unsigned a, unsigned b, unsigned c, unsigned d) { return a << 24 | b << 16 | c << 8 | d; }
// Destination address:port, source address:port, IPv4 hash, IPv4/TCP hash.
const Vector kVectors[] = {
    {ip4(161, 142, 100, 80), 1766, ip4(66, 9, 149, 187), 2794, 0x323e8fc2, 0x51ccc178},
    {ip4(65, 69, 140, 83), 4739, ip4(199, 92, 111, 2), 14230, 0xd718262a, 0xc626b0ea},
    {ip4(12, 22, 207, 184), 38024, ip4(24, 19, 198, 95), 12898, 0xd2d0a5de, 0x5c2b394a},
    {ip4(209, 142, 163, 6), 2217, ip4(38, 27, 205, 30), 48228, 0x82989176, 0xafc7327f},
    {ip4(202, 188, 127, 2), 1303, ip4(153, 39, 163, 191), 44251, 0x5d1809c5, 0x10e828a2},
};

// The test's redirection table: entry e -> queue (5e + 3) % 8 (entry 0 is
// queue 3, so a frame sent to RETA[0] instead of queue 0 shows).
unsigned reta_queue(unsigned e) { return (5 * e + 3) % 8; }

rss::Config config(uint32_t fields, bool enable = true) {
  rss::Config c;
  c.mrqc = fields | (enable ? R::E1000_MRQC_ENABLE_RSS_MQ : 0u);
  for (unsigned i = 0; i < R::E1000_RSSRK_COUNT; ++i) c.rssrk[i] = rss::rssrk_of_key(kMsKey, i);
  for (unsigned e = 0; e < rss::kRetaEntries; ++e) c.reta[e / 4] |= reta_queue(e) << (8 * (e % 4));
  return c;
}
const uint32_t kTcp = R::E1000_MRQC_RSS_FIELD_IPV4 | R::E1000_MRQC_RSS_FIELD_IPV4_TCP;
const uint32_t kAll = kTcp | R::E1000_MRQC_RSS_FIELD_IPV4_UDP;

Setup eight_queues(const rss::Config& c) {
  Setup s;
  s.queues = 8;
  s.count = 64;
  s.rss = true;
  s.rss_cfg = c;
  return s;
}

struct Got {
  unsigned queue;
  RxWriteback wb;
};
// Sends one frame and returns the ring and writeback it arrived with.
Got one(Fix& f, const Bytes& frame) {
  f.send(WireFrame{frame});
  f.env.run(3000);
  std::vector<Got> got;
  for (unsigned q = 0; q < f.rings.size(); ++q) {
    auto d = f.drv.igb_clean_rx_irq(f.rings[q]);
    for (auto& x : d) got.push_back({q, x.wb});
    f.sb.received(d, q);
  }
  BOOST_REQUIRE_EQUAL(got.size(), 1u);
  f.check_scoreboard();
  return got[0];
}

unsigned type_of(const RxWriteback& w) { return w.pkt_info & R::E1000_RXDADV_RSSTYPE_MASK; }

Bytes tcp_of(const Vector& v, Ipv4Opts o = {}) {
  o.saddr = v.saddr;
  o.daddr = v.daddr;
  L4Opts l4;
  l4.sport = v.sport;
  l4.dport = v.dport;
  return tcp_frame(kStation, kPeer, Bytes(64, 0xa5), o, l4);
}
Bytes udp_of(const Vector& v) {
  Ipv4Opts o;
  o.saddr = v.saddr;
  o.daddr = v.daddr;
  L4Opts l4;
  l4.sport = v.sport;
  l4.dport = v.dport;
  return udp_frame(kStation, kPeer, Bytes(64, 0xa5), o, l4);
}

}  // namespace

BOOST_AUTO_TEST_CASE(registers_read_back) {
  Fix f;
  const rss::Config c = config(kAll);
  f.drv.igb_setup_mrqc(c);
  BOOST_TEST(f.rd(R::E1000_MRQC) == c.mrqc);
  for (unsigned i = 0; i < R::E1000_RETA_COUNT; ++i) BOOST_TEST(f.rd(R::E1000_RETA(i)) == c.reta[i], "RETA " << i);
  for (unsigned i = 0; i < R::E1000_RSSRK_COUNT; ++i) BOOST_TEST(f.rd(R::E1000_RSSRK(i)) == c.rssrk[i], "RSSRK " << i);
  BOOST_TEST((f.rd(R::E1000_RXCSUM) & R::E1000_RXCSUM_PCSD) != 0u);
}

BOOST_AUTO_TEST_CASE(tcp_hash_type_and_queue_match_the_published_vectors) {
  Fix f;
  f.setup(eight_queues(config(kTcp)));
  for (const Vector& v : kVectors) {
    Got g = one(f, tcp_of(v));
    BOOST_TEST(g.wb.rss == v.ipv4_tcp);
    BOOST_TEST(type_of(g.wb) == R::E1000_RXDADV_RSSTYPE_IPV4_TCP);
    BOOST_TEST(g.queue == reta_queue(v.ipv4_tcp & 127));
  }
}

BOOST_AUTO_TEST_CASE(udp_with_and_without_field_ipv4_udp) {
  for (bool udp4 : {true, false}) {
    BOOST_TEST_CONTEXT("RSS_FIELD_IPV4_UDP " << udp4) {
      Fix f;
      f.setup(eight_queues(config(udp4 ? kAll : kTcp)));
      for (const Vector& v : kVectors) {
        Got g = one(f, udp_of(v));
        const uint32_t h = udp4 ? v.ipv4_tcp : v.ipv4;  // the ports count only with the field
        BOOST_TEST(g.wb.rss == h);
        BOOST_TEST(type_of(g.wb) == (udp4 ? R::E1000_RXDADV_RSSTYPE_IPV4_UDP : R::E1000_RXDADV_RSSTYPE_IPV4));
        BOOST_TEST(g.queue == reta_queue(h & 127));
      }
    }
  }
}

BOOST_AUTO_TEST_CASE(vlan_tag_ip_options_and_fragments) {
  Fix f;
  f.setup(eight_queues(config(kAll)));
  for (const Vector& v : kVectors) {
    // 802.1Q tag: the fields move by 4 bytes, the hash does not change.
    Got g = one(f, vlan_tag(tcp_of(v), 0x0064));
    BOOST_TEST(g.wb.rss == v.ipv4_tcp);
    BOOST_TEST(type_of(g.wb) == R::E1000_RXDADV_RSSTYPE_IPV4_TCP);
    BOOST_TEST(g.queue == reta_queue(v.ipv4_tcp & 127));
    // IP options: the ports follow IHL * 4 bytes of header.
    for (unsigned words : {1u, 3u, 10u}) {
      Ipv4Opts o;
      o.opt_words = words;
      g = one(f, tcp_of(v, o));
      BOOST_TEST(g.wb.rss == v.ipv4_tcp, "IHL " << 5 + words);
      BOOST_TEST(g.queue == reta_queue(v.ipv4_tcp & 127));
    }
    // A fragment (MF set, or a non-zero offset): addresses only, type IPV4.
    for (uint16_t frag : {uint16_t(0x2000), uint16_t(0x0010)}) {
      Ipv4Opts o;
      o.frag = frag;
      g = one(f, tcp_of(v, o));
      BOOST_TEST(g.wb.rss == v.ipv4, "frag 0x" << std::hex << frag);
      BOOST_TEST(type_of(g.wb) == R::E1000_RXDADV_RSSTYPE_IPV4);
      BOOST_TEST(g.queue == reta_queue(v.ipv4 & 127));
    }
  }
}

BOOST_AUTO_TEST_CASE(frames_without_rss_type_go_to_queue_0) {
  Fix f;
  f.setup(eight_queues(config(kTcp)));
  BOOST_REQUIRE_NE(reta_queue(0), 0u);
  // ARP (EtherType 0x0806): no hash, queue 0 (not RETA[0]).
  Got g = one(f, eth_frame(kStation, kPeer, 0x0806, Bytes(46, 0)));
  BOOST_TEST(type_of(g.wb) == 0u);
  BOOST_TEST(g.wb.rss == 0u);
  BOOST_TEST(g.queue == 0u);
  // Only IPv4/TCP enabled: an IPv4 frame of another protocol has no type.
  f.env.wr(R::E1000_MRQC, R::E1000_MRQC_ENABLE_RSS_MQ | R::E1000_MRQC_RSS_FIELD_IPV4_TCP);
  f.sb.cfg.rss.mrqc = R::E1000_MRQC_ENABLE_RSS_MQ | R::E1000_MRQC_RSS_FIELD_IPV4_TCP;
  g = one(f, udp_of(kVectors[0]));
  BOOST_TEST(type_of(g.wb) == 0u);
  BOOST_TEST(g.queue == 0u);
  g = one(f, tcp_of(kVectors[0]));
  BOOST_TEST(g.wb.rss == kVectors[0].ipv4_tcp);
  // RSS disabled (fields set, ENABLE_RSS_MQ clear): no hash, queue 0.
  f.env.wr(R::E1000_MRQC, kTcp);
  f.sb.cfg.rss.mrqc = kTcp;
  g = one(f, tcp_of(kVectors[1]));
  BOOST_TEST(type_of(g.wb) == 0u);
  BOOST_TEST(g.wb.rss == 0u);
  BOOST_TEST(g.queue == 0u);
}

BOOST_AUTO_TEST_CASE(rss_field_without_pcsd_is_zero) {
  Fix f;
  f.setup(eight_queues(config(kTcp)));
  f.env.wr(R::E1000_RXCSUM, f.rd(R::E1000_RXCSUM) & ~R::E1000_RXCSUM_PCSD);
  f.sb.cfg.pcsd = false;
  const Vector& v = kVectors[2];
  Got g = one(f, tcp_of(v));
  BOOST_TEST(g.wb.rss == 0u);
  BOOST_TEST(type_of(g.wb) == R::E1000_RXDADV_RSSTYPE_IPV4_TCP);  // type and steering stay
  BOOST_TEST(g.queue == reta_queue(v.ipv4_tcp & 127));
}

// Each queue's writeback raises the MSI-X vector its IVAR entry names: queue
// q -> vector 7 - q, for all eight queues.
BOOST_AUTO_TEST_CASE(every_queue_signals_through_its_ivar_vector) {
  Fix f;
  Setup s = eight_queues(config(kTcp));
  f.setup(s);
  for (unsigned q = 0; q < 8; ++q) {
    f.rings[q].vector = 7 - q;
    f.drv.igb_configure_msix(f.rings[q], 0);
  }
  for (unsigned q = 0; q < 8; ++q) {
    BOOST_TEST_CONTEXT("queue " << q) {
      // Every RETA entry to queue q.
      rss::Config c = s.rss_cfg;
      for (unsigned i = 0; i < R::E1000_RETA_COUNT; ++i) c.reta[i] = q * 0x01010101u;
      f.drv.igb_setup_mrqc(c);
      f.sb.cfg.rss = c;
      f.env.msix.msgs.clear();
      Got g = one(f, tcp_of(kVectors[q % 5]));
      BOOST_TEST(g.queue == q);
      BOOST_REQUIRE_EQUAL(f.env.msix.msgs.size(), 1u);
      BOOST_TEST(unsigned(f.env.msix.msgs[0].vector) == 7 - q);
      // EIAM auto-masked the vector: enable it again (igb_ring_irq_enable).
      f.env.wr(R::E1000_EIMS, 1u << (7 - q));
    }
  }
}
