// SPDX-License-Identifier: MIT
// Ethernet/IPv4/UDP/TCP frame builders with correct checksums, and the FCS
// (CRC-32 of IEEE 802.3): what the traffic, the NIC double and the RTL
// harness build frames with.
#pragma once
#include <array>
#include <cstddef>
#include <cstdint>
#include <vector>

namespace rxpath::eth {

using Bytes = std::vector<uint8_t>;
using Mac = std::array<uint8_t, 6>;

inline constexpr Mac kBroadcast = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
// EtherTypes (include/uapi/linux/if_ether.h)
inline constexpr uint16_t ETH_P_IP = 0x0800;
inline constexpr uint16_t ETH_P_ARP = 0x0806;
inline constexpr uint16_t ETH_P_8021Q = 0x8100;   // 802.1Q VLAN tag
inline constexpr uint16_t ETH_P_8021AD = 0x88A8;  // 802.1ad service VLAN tag (QinQ outer)
inline constexpr uint16_t ETH_P_IPV6 = 0x86DD;
inline constexpr uint16_t ETH_P_802_3_MIN = 0x0600;  // below: an 802.3 length, not a type
inline constexpr uint16_t ETH_P_802_2 = 0x0004;      // 802.2 LLC frames (vlan_set_encap_proto)
inline constexpr uint16_t VLAN_HLEN = 4;             // include/linux/if_vlan.h
inline constexpr uint16_t VLAN_VID_MASK = 0x0fff;
inline constexpr uint16_t ETH_HLEN = 14;
inline constexpr uint16_t ETH_FCS_LEN = 4;
inline constexpr uint16_t ETH_ZLEN = 60;  // minimum frame without FCS
inline constexpr uint8_t IPPROTO_TCP_ = 6;
inline constexpr uint8_t IPPROTO_UDP_ = 17;

// FCS of a frame (destination MAC .. end of payload): zlib crc32, the IEEE
// CRC-32 that Ethernet uses. Appended little-endian.
uint32_t eth_fcs(const uint8_t* p, size_t n);
inline uint32_t eth_fcs(const Bytes& b) { return eth_fcs(b.data(), b.size()); }
// Bitwise reference CRC-32 (no table, no zlib) used to cross-check zlib.
uint32_t crc32_bitwise(const uint8_t* p, size_t n);
Bytes with_fcs(const Bytes& frame);

// RFC 1071 internet checksum (one's complement sum), folded, not inverted.
uint32_t csum_add(uint32_t sum, const uint8_t* p, size_t n);
uint16_t csum_fold(uint32_t sum);

Bytes eth_frame(const Mac& dst, const Mac& src, uint16_t ethertype, const Bytes& payload);

struct Ipv4Opts {
  uint32_t saddr = 0x0a000001, daddr = 0x0a000002;
  uint8_t ttl = 64;
  uint16_t id = 1;
  unsigned opt_words = 0;     // IPv4 options (NOPs), ihl = 5 + opt_words
  bool bad_hdr_csum = false;  // corrupt the header checksum
  uint16_t frag = 0x4000;     // flags + fragment offset (default DF); 0x2000 = MF
};
// IPv4 header + payload (header checksum filled in).
Bytes ipv4_packet(uint8_t proto, const Bytes& l4, const Ipv4Opts& o = {});

struct L4Opts {
  uint16_t sport = 1234, dport = 5678;
  bool bad_csum = false;   // corrupt the checksum
  bool zero_csum = false;  // UDP only: checksum 0 ("not computed")
  // TCP only
  uint32_t seq = 1000, ack_seq = 2000;
  uint8_t tcp_flags = 0x18;  // PSH|ACK
  uint16_t window = 65535;
};
// UDP datagram / TCP segment with checksums over the pseudo header of o.
Bytes udp_datagram(const Bytes& payload, const Ipv4Opts& ip, const L4Opts& o = {});
Bytes tcp_segment(const Bytes& payload, const Ipv4Opts& ip, const L4Opts& o = {});

// Whole frames (no FCS): Ethernet + IPv4 + UDP/TCP, padded to ETH_ZLEN.
Bytes udp_frame(const Mac& dst, const Mac& src, const Bytes& payload, const Ipv4Opts& ip = {}, const L4Opts& l4 = {});
Bytes tcp_frame(const Mac& dst, const Mac& src, const Bytes& payload, const Ipv4Opts& ip = {}, const L4Opts& l4 = {});
// A frame of exactly `len` bytes without FCS (len >= 14): EtherType 0x88B5
// (local experimental), counting payload.
Bytes raw_frame(const Mac& dst, const Mac& src, size_t len, uint8_t seed = 0);
// A UDP frame of exactly `len` bytes without FCS (len >= 42).
Bytes udp_frame_len(const Mac& dst, const Mac& src, size_t len, uint8_t seed = 0);

// Inserts one 802.1Q tag (TPID 0x8100, TCI) after the source MAC.
Bytes vlan_tag(const Bytes& frame, uint16_t tci);

inline bool mac_is_multicast(const uint8_t* dst) { return dst[0] & 1; }
inline bool mac_is_broadcast(const uint8_t* dst) {
  for (int i = 0; i < 6; ++i)
    if (dst[i] != 0xff) return false;
  return true;
}

}  // namespace rxpath::eth
