// SPDX-License-Identifier: MIT
// Checksum offload and writeback fields, bit by bit: good/bad IPv4 header,
// good/bad TCP and UDP, UDP checksum 0, IPv4 options, non-IP, offload off.
#define BOOST_TEST_MODULE nic_csum
#include "rtl/tests/nic_fixture.hpp"

#include "Vnic_top.h"

using namespace rxt;
using Fix = NicFixture<Vnic_top>;

namespace {
// Sends one frame and returns the single writeback it produced.
RxWriteback one(Fix& f, const Bytes& frame) {
  f.send(WireFrame{frame});
  f.env.run(3000);
  auto d = f.drv.igb_clean_rx_irq(f.rings[0]);
  BOOST_REQUIRE_EQUAL(d.size(), 1u);
  f.sb.received(d);
  return d[0].wb;
}
const uint32_t DD_EOP = R::E1000_RXD_STAT_DD | R::E1000_RXD_STAT_EOP;
}  // namespace

// RSS is off (MRQC reset): the RSS type in pkt_info bits 3:0 is 0 (rtl/README.md);
// test_nic_rss.cpp covers the RSS types.
BOOST_AUTO_TEST_CASE(offload_cases) {
  Fix f;
  f.setup(Setup{});
  const Bytes pl(100, 0x5a);
  Ipv4Opts ip;
  L4Opts l4;

  RxWriteback w = one(f, udp_frame(kStation, kPeer, pl, ip, l4));
  BOOST_TEST(w.status_error == (DD_EOP | R::E1000_RXD_STAT_IPCS | R::E1000_RXD_STAT_UDPCS));
  BOOST_TEST(w.pkt_info == (R::E1000_RXDADV_PKTTYPE_IPV4 | R::E1000_RXDADV_PKTTYPE_UDP));
  BOOST_TEST(w.length == 14 + 20 + 8 + 100);
  BOOST_TEST(w.hdr_info == 0);
  BOOST_TEST(w.rss == 0u);
  BOOST_TEST(w.vlan == 0);

  w = one(f, tcp_frame(kStation, kPeer, pl, ip, l4));
  BOOST_TEST(w.status_error == (DD_EOP | R::E1000_RXD_STAT_IPCS | R::E1000_RXD_STAT_TCPCS));
  BOOST_TEST(w.pkt_info == (R::E1000_RXDADV_PKTTYPE_IPV4 | R::E1000_RXDADV_PKTTYPE_TCP));

  L4Opts bad = l4;
  bad.bad_csum = true;
  w = one(f, tcp_frame(kStation, kPeer, pl, ip, bad));
  BOOST_TEST(w.status_error ==
             (DD_EOP | R::E1000_RXD_STAT_IPCS | R::E1000_RXD_STAT_TCPCS | R::E1000_RXDEXT_STATERR_TCPE));
  w = one(f, udp_frame(kStation, kPeer, pl, ip, bad));
  BOOST_TEST(w.status_error ==
             (DD_EOP | R::E1000_RXD_STAT_IPCS | R::E1000_RXD_STAT_UDPCS | R::E1000_RXDEXT_STATERR_TCPE));

  L4Opts zero = l4;
  zero.zero_csum = true;
  w = one(f, udp_frame(kStation, kPeer, pl, ip, zero));
  BOOST_TEST(w.status_error == (DD_EOP | R::E1000_RXD_STAT_IPCS));

  Ipv4Opts badip = ip;
  badip.bad_hdr_csum = true;
  w = one(f, udp_frame(kStation, kPeer, pl, badip, l4));
  BOOST_TEST(w.status_error ==
             (DD_EOP | R::E1000_RXD_STAT_IPCS | R::E1000_RXDEXT_STATERR_IPE | R::E1000_RXD_STAT_UDPCS));

  w = one(f, raw_frame(kStation, kPeer, 100));  // EtherType 0x88B5: not IP
  BOOST_TEST(w.status_error == DD_EOP);
  BOOST_TEST(w.pkt_info == 0);

  // Short UDP frame: padding after the IP datagram is not checksummed.
  w = one(f, udp_frame(kStation, kPeer, Bytes(2, 1), ip, l4));
  BOOST_TEST(w.status_error == (DD_EOP | R::E1000_RXD_STAT_IPCS | R::E1000_RXD_STAT_UDPCS));
  BOOST_TEST(w.length == 60);
  // One 802.1Q tag: IP found at byte 18, offloads as usual, tag not stripped.
  w = one(f, vlan_tag(udp_frame(kStation, kPeer, pl, ip, l4), 0x0123));
  BOOST_TEST(w.status_error == (DD_EOP | R::E1000_RXD_STAT_IPCS | R::E1000_RXD_STAT_UDPCS));
  BOOST_TEST(w.pkt_info == (R::E1000_RXDADV_PKTTYPE_IPV4 | R::E1000_RXDADV_PKTTYPE_UDP));
  BOOST_TEST(w.length == 4 + 14 + 20 + 8 + 100);
  BOOST_TEST(w.vlan == 0);
  w = one(f, vlan_tag(tcp_frame(kStation, kPeer, pl, ip, bad), 0x0456));
  BOOST_TEST(w.status_error ==
             (DD_EOP | R::E1000_RXD_STAT_IPCS | R::E1000_RXD_STAT_TCPCS | R::E1000_RXDEXT_STATERR_TCPE));

  // A fragment (MF set): IPv4 only, no L4 type and no L4 checksum.
  Ipv4Opts frag = ip;
  frag.frag = 0x2000;
  w = one(f, udp_frame(kStation, kPeer, pl, frag, l4));
  BOOST_TEST(w.status_error == (DD_EOP | R::E1000_RXD_STAT_IPCS));
  BOOST_TEST(w.pkt_info == R::E1000_RXDADV_PKTTYPE_IPV4);

  // IPv4 with options: IPV4_EX instead of IPV4 (test_nic_dma_faults.cpp,
  // ipv4_options_is_ipv4_ex_alone); checksums still offloaded.
  Ipv4Opts opts = ip;
  opts.opt_words = 2;
  w = one(f, udp_frame(kStation, kPeer, pl, opts, l4));
  BOOST_TEST(w.pkt_info == (R::E1000_RXDADV_PKTTYPE_IPV4_EX | R::E1000_RXDADV_PKTTYPE_UDP));
  BOOST_TEST(w.status_error == (DD_EOP | R::E1000_RXD_STAT_IPCS | R::E1000_RXD_STAT_UDPCS));
  f.check_scoreboard();
}

BOOST_AUTO_TEST_CASE(offload_disabled_reports_nothing) {
  Fix f;
  f.setup(Setup{});
  f.env.wr(R::E1000_RXCSUM, 0);
  f.sb.cfg.ipofld = f.sb.cfg.tuofl = false;
  Ipv4Opts badip;
  badip.bad_hdr_csum = true;
  RxWriteback w = one(f, udp_frame(kStation, kPeer, Bytes(100, 1), badip));
  BOOST_TEST(w.status_error == DD_EOP);
  BOOST_TEST(w.pkt_info == (R::E1000_RXDADV_PKTTYPE_IPV4 | R::E1000_RXDADV_PKTTYPE_UDP));
  f.check_scoreboard();
}
