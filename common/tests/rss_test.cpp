// SPDX-License-Identifier: MIT
// common/rss.hpp against the published RSS verification vectors: Microsoft,
// "Verifying the RSS Hash Calculation" (Windows driver documentation, NDIS
// RSS), key 6d5a...01fa, IPv4 and IPv4/TCP hashes of five address/port
// pairs; the Linux and DPDK Toeplitz tests reuse the same table. The frame
// tests build frames with common/eth.hpp and expect the published hash of
// the frame's addresses and ports.
#define BOOST_TEST_MODULE rss
#include <boost/test/unit_test.hpp>

#include <cstdint>

#include "common/eth.hpp"
#include "common/rss.hpp"

using namespace rxpath;
namespace R = rxpath::regs;

namespace {

// The verification key of the Microsoft page.
const rss::Key kMsKey = {0x6d, 0x5a, 0x56, 0xda, 0x25, 0x5b, 0x0e, 0xc2, 0x41, 0x67, 0x25, 0x3d, 0x43, 0xa3,
                         0x8f, 0xb0, 0xd0, 0xca, 0x2b, 0xcb, 0xae, 0x7b, 0x30, 0xb4, 0x77, 0xcb, 0x2d, 0xa3,
                         0x80, 0x30, 0xf2, 0x0c, 0x6a, 0x42, 0xb7, 0x3b, 0xbe, 0xac, 0x01, 0xfa};

struct Vector {
  uint32_t daddr;
  uint16_t dport;
  uint32_t saddr;
  uint16_t sport;
  uint32_t ipv4, ipv4_tcp;
};
constexpr uint32_t ip(unsigned a, unsigned b, unsigned c, unsigned d) { return a << 24 | b << 16 | c << 8 | d; }
// Destination address:port, source address:port, IPv4 hash, IPv4/TCP hash.
const Vector kVectors[] = {
    {ip(161, 142, 100, 80), 1766, ip(66, 9, 149, 187), 2794, 0x323e8fc2, 0x51ccc178},
    {ip(65, 69, 140, 83), 4739, ip(199, 92, 111, 2), 14230, 0xd718262a, 0xc626b0ea},
    {ip(12, 22, 207, 184), 38024, ip(24, 19, 198, 95), 12898, 0xd2d0a5de, 0x5c2b394a},
    {ip(209, 142, 163, 6), 2217, ip(38, 27, 205, 30), 48228, 0x82989176, 0xafc7327f},
    {ip(202, 188, 127, 2), 1303, ip(153, 39, 163, 191), 44251, 0x5d1809c5, 0x10e828a2},
};

void put32(uint8_t* p, uint32_t v) {
  for (int i = 0; i < 4; ++i) p[i] = uint8_t(v >> (24 - 8 * i));
}

rss::Config ms_config(uint32_t fields) {
  rss::Config c;
  c.mrqc = R::E1000_MRQC_ENABLE_RSS_MQ | fields;
  for (unsigned i = 0; i < R::E1000_RSSRK_COUNT; ++i) c.rssrk[i] = rss::rssrk_of_key(kMsKey, i);
  // Entry e -> queue e % 8 (what igb_write_rss_indir_tbl writes for 8 queues).
  for (unsigned e = 0; e < rss::kRetaEntries; ++e) c.reta[e / 4] |= (e % 8) << (8 * (e % 4));
  return c;
}

const eth::Mac kDst{0x02, 0, 0, 0, 0, 1}, kSrc{0x02, 0, 0, 0, 0, 2};

}  // namespace

BOOST_AUTO_TEST_CASE(toeplitz_matches_the_published_vectors) {
  for (const Vector& v : kVectors) {
    uint8_t in[12];
    put32(in, v.saddr);
    put32(in + 4, v.daddr);
    in[8] = uint8_t(v.sport >> 8);
    in[9] = uint8_t(v.sport);
    in[10] = uint8_t(v.dport >> 8);
    in[11] = uint8_t(v.dport);
    BOOST_TEST(rss::toeplitz_hash(kMsKey, in, 8) == v.ipv4);
    BOOST_TEST(rss::toeplitz_hash(kMsKey, in, 12) == v.ipv4_tcp);
  }
}

BOOST_AUTO_TEST_CASE(rssrk_layout_round_trips) {
  rss::Config c = ms_config(0);
  // RSSRK(0) holds key bytes 0..3, byte 0 lowest (igb_setup_mrqc writes the
  // key with le32 words).
  BOOST_TEST(c.rssrk[0] == 0xda565a6du);
  BOOST_TEST((rss::key_from_rssrk(c.rssrk) == kMsKey));
  BOOST_TEST(rss::reta_entry(c.reta, 13) == 5u);
}

BOOST_AUTO_TEST_CASE(frames_get_type_hash_and_queue) {
  const rss::Config all =
      ms_config(R::E1000_MRQC_RSS_FIELD_IPV4 | R::E1000_MRQC_RSS_FIELD_IPV4_TCP | R::E1000_MRQC_RSS_FIELD_IPV4_UDP);
  const rss::Config no_udp = ms_config(R::E1000_MRQC_RSS_FIELD_IPV4 | R::E1000_MRQC_RSS_FIELD_IPV4_TCP);
  const eth::Bytes pl(30, 0x5a);
  for (const Vector& v : kVectors) {
    eth::Ipv4Opts o;
    o.saddr = v.saddr;
    o.daddr = v.daddr;
    eth::L4Opts l4;
    l4.sport = v.sport;
    l4.dport = v.dport;
    eth::Bytes tcp = eth::tcp_frame(kDst, kSrc, pl, o, l4);
    rss::Result r = rss::classify(tcp.data(), tcp.size(), all);
    BOOST_TEST(r.type == R::E1000_RXDADV_RSSTYPE_IPV4_TCP);
    BOOST_TEST(r.hash == v.ipv4_tcp);
    BOOST_TEST(r.queue == (v.ipv4_tcp & 127) % 8);
    // UDP hashes like TCP over the same fields when enabled, else as IPv4.
    eth::Bytes udp = eth::udp_frame(kDst, kSrc, pl, o, l4);
    r = rss::classify(udp.data(), udp.size(), all);
    BOOST_TEST(r.type == R::E1000_RXDADV_RSSTYPE_IPV4_UDP);
    BOOST_TEST(r.hash == v.ipv4_tcp);
    r = rss::classify(udp.data(), udp.size(), no_udp);
    BOOST_TEST(r.type == R::E1000_RXDADV_RSSTYPE_IPV4);
    BOOST_TEST(r.hash == v.ipv4);
    // 802.1Q tag and IP options move the fields, not the hash.
    eth::Bytes tagged = eth::vlan_tag(tcp, 0x0064);
    r = rss::classify(tagged.data(), tagged.size(), all);
    BOOST_TEST(r.hash == v.ipv4_tcp);
    eth::Ipv4Opts oo = o;
    oo.opt_words = 3;
    eth::Bytes opts = eth::tcp_frame(kDst, kSrc, pl, oo, l4);
    r = rss::classify(opts.data(), opts.size(), all);
    BOOST_TEST(r.hash == v.ipv4_tcp);
    // A fragment: addresses only.
    eth::Ipv4Opts of = o;
    of.frag = 0x2000;
    eth::Bytes frag = eth::tcp_frame(kDst, kSrc, pl, of, l4);
    r = rss::classify(frag.data(), frag.size(), all);
    BOOST_TEST(r.type == R::E1000_RXDADV_RSSTYPE_IPV4);
    BOOST_TEST(r.hash == v.ipv4);
  }
}

BOOST_AUTO_TEST_CASE(no_rss_type_goes_to_queue_0) {
  rss::Config c = ms_config(R::E1000_MRQC_RSS_FIELD_IPV4 | R::E1000_MRQC_RSS_FIELD_IPV4_TCP);
  // RETA entry 0 names queue 3: a frame without a hash must still take queue
  // 0, not RETA[0].
  c.reta[0] = 3;
  eth::Bytes arp = eth::eth_frame(eth::kBroadcast, kSrc, 0x0806, eth::Bytes(28, 0));
  rss::Result r = rss::classify(arp.data(), arp.size(), c);
  BOOST_TEST(r.type == 0u);
  BOOST_TEST(r.hash == 0u);
  BOOST_TEST(r.queue == 0u);
  // RSS disabled: no hash even for TCP.
  c.mrqc &= ~R::E1000_MRQC_ENABLE_RSS_MQ;
  eth::Bytes tcp = eth::tcp_frame(kDst, kSrc, eth::Bytes(10, 1));
  r = rss::classify(tcp.data(), tcp.size(), c);
  BOOST_TEST(r.type == 0u);
  BOOST_TEST(r.queue == 0u);
}
