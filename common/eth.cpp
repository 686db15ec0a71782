// SPDX-License-Identifier: MIT
// Frame builders and checksums.
#include "common/eth.hpp"

#include <zlib.h>
#include <algorithm>
#include <stdexcept>
#include <string>

#include "common/unaligned.hpp"

namespace rxpath::eth {

uint32_t eth_fcs(const uint8_t* p, size_t n) {
  return static_cast<uint32_t>(crc32(crc32(0L, Z_NULL, 0), p, static_cast<uInt>(n)));
}

uint32_t crc32_bitwise(const uint8_t* p, size_t n) {
  uint32_t c = 0xffffffffu;
  for (size_t i = 0; i < n; ++i) {
    c ^= p[i];
    for (int k = 0; k < 8; ++k) c = (c >> 1) ^ (0xedb88320u & (0u - (c & 1u)));
  }
  return ~c;
}

Bytes with_fcs(const Bytes& frame) {
  Bytes out = frame;
  out.resize(frame.size() + 4);
  put_unaligned_le32(eth_fcs(frame), &out[frame.size()]);  // FCS: least significant byte first
  return out;
}

uint32_t csum_add(uint32_t sum, const uint8_t* p, size_t n) {
  for (size_t i = 0; i + 1 < n; i += 2) sum += (uint32_t(p[i]) << 8) | p[i + 1];
  if (n & 1) sum += uint32_t(p[n - 1]) << 8;
  return sum;
}

uint16_t csum_fold(uint32_t sum) {
  while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
  return static_cast<uint16_t>(sum);
}

Bytes eth_frame(const Mac& dst, const Mac& src, uint16_t ethertype, const Bytes& payload) {
  Bytes f(ETH_HLEN + payload.size());
  std::copy(payload.begin(), payload.end(), f.begin() + ETH_HLEN);
  for (int i = 0; i < 6; ++i) {
    f[i] = dst[i];
    f[6 + i] = src[i];
  }
  put_unaligned_be16(ethertype, &f[12]);
  if (f.size() < ETH_ZLEN) f.resize(ETH_ZLEN, 0);
  return f;
}

Bytes ipv4_packet(uint8_t proto, const Bytes& l4, const Ipv4Opts& o) {
  if (o.opt_words > 10) throw std::invalid_argument("ipv4_packet: opt_words > 10");
  const size_t hl = 20 + 4 * o.opt_words;
  Bytes p(hl + l4.size(), 0);
  std::copy(l4.begin(), l4.end(), p.begin() + hl);
  p[0] = uint8_t(0x40 | (hl / 4));
  put_unaligned_be16(uint16_t(hl + l4.size()), &p[2]);
  put_unaligned_be16(o.id, &p[4]);
  put_unaligned_be16(o.frag, &p[6]);
  p[8] = o.ttl;
  p[9] = proto;
  put_unaligned_be32(o.saddr, &p[12]);
  put_unaligned_be32(o.daddr, &p[16]);
  for (size_t i = 20; i < hl; ++i) p[i] = 1;  // NOP options
  uint16_t c = uint16_t(~csum_fold(csum_add(0, p.data(), hl)));
  if (o.bad_hdr_csum) c ^= 0x5a5a;
  put_unaligned_be16(c, &p[10]);
  return p;
}

static uint32_t pseudo_sum(const Ipv4Opts& ip, uint8_t proto, size_t len) {
  uint32_t s = 0;
  s += ip.saddr >> 16;
  s += ip.saddr & 0xffff;
  s += ip.daddr >> 16;
  s += ip.daddr & 0xffff;
  s += proto;
  s += uint32_t(len);
  return s;
}

Bytes udp_datagram(const Bytes& payload, const Ipv4Opts& ip, const L4Opts& o) {
  Bytes u(8 + payload.size(), 0);
  std::copy(payload.begin(), payload.end(), u.begin() + 8);
  put_unaligned_be16(o.sport, &u[0]);
  put_unaligned_be16(o.dport, &u[2]);
  put_unaligned_be16(uint16_t(8 + payload.size()), &u[4]);
  uint16_t c = uint16_t(~csum_fold(csum_add(pseudo_sum(ip, IPPROTO_UDP_, u.size()), u.data(), u.size())));
  if (c == 0) c = 0xffff;  // RFC 768: a computed 0 is sent as all ones
  if (o.bad_csum) c ^= 0x0f0f;
  if (o.zero_csum) c = 0;
  put_unaligned_be16(c, &u[6]);
  return u;
}

Bytes tcp_segment(const Bytes& payload, const Ipv4Opts& ip, const L4Opts& o) {
  Bytes t(20 + payload.size(), 0);
  std::copy(payload.begin(), payload.end(), t.begin() + 20);
  put_unaligned_be16(o.sport, &t[0]);
  put_unaligned_be16(o.dport, &t[2]);
  put_unaligned_be32(o.seq, &t[4]);
  put_unaligned_be32(o.ack_seq, &t[8]);
  t[12] = 5 << 4;  // doff
  t[13] = o.tcp_flags;
  put_unaligned_be16(o.window, &t[14]);
  uint16_t c = uint16_t(~csum_fold(csum_add(pseudo_sum(ip, IPPROTO_TCP_, t.size()), t.data(), t.size())));
  if (o.bad_csum) c ^= 0x0f0f;
  put_unaligned_be16(c, &t[16]);
  return t;
}

Bytes udp_frame(const Mac& dst, const Mac& src, const Bytes& payload, const Ipv4Opts& ip, const L4Opts& l4) {
  return eth_frame(dst, src, ETH_P_IP, ipv4_packet(IPPROTO_UDP_, udp_datagram(payload, ip, l4), ip));
}

Bytes tcp_frame(const Mac& dst, const Mac& src, const Bytes& payload, const Ipv4Opts& ip, const L4Opts& l4) {
  return eth_frame(dst, src, ETH_P_IP, ipv4_packet(IPPROTO_TCP_, tcp_segment(payload, ip, l4), ip));
}

Bytes vlan_tag(const Bytes& frame, uint16_t tci) {
  if (frame.size() < ETH_HLEN) throw std::invalid_argument("vlan_tag: frame shorter than 14 bytes");
  Bytes out(frame.begin(), frame.begin() + 12);
  out.resize(16);
  put_unaligned_be16(ETH_P_8021Q, &out[12]);
  put_unaligned_be16(tci, &out[14]);
  out.insert(out.end(), frame.begin() + 12, frame.end());
  return out;
}

Bytes raw_frame(const Mac& dst, const Mac& src, size_t len, uint8_t seed) {
  if (len < ETH_HLEN) throw std::invalid_argument("raw_frame: len " + std::to_string(len) + " < 14");
  Bytes pl(len - ETH_HLEN);
  for (size_t i = 0; i < pl.size(); ++i) pl[i] = uint8_t(seed + i * 7 + (i >> 8));
  Bytes f = eth_frame(dst, src, 0x88b5, pl);
  f.resize(len);  // eth_frame pads to 60; a runt keeps its length
  return f;
}

Bytes udp_frame_len(const Mac& dst, const Mac& src, size_t len, uint8_t seed) {
  if (len < 42) throw std::invalid_argument("udp_frame_len: len " + std::to_string(len) + " < 42");
  Bytes pl(len - 42);
  for (size_t i = 0; i < pl.size(); ++i) pl[i] = uint8_t(seed + i * 13);
  Bytes f = udp_frame(dst, src, pl);
  f.resize(len);  // padding beyond the IP length for lengths < 60 stays
  return f;
}

}  // namespace rxpath::eth
