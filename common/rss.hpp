// SPDX-License-Identifier: MIT
// Receive-side scaling reference: the Toeplitz hash (Microsoft RSS
// specification, "Verifying the RSS Hash Calculation") and the 82576's RSS
// classification of a received frame (hash type from MRQC, hash, queue from
// the redirection table). The C++ side of rtl/rxp_rx_classify.sv's RSS: the
// RTL scoreboard and the behavioural NIC (nic/double) both use it, so the
// driver meets the same steering on either NIC. Registers are given as the
// driver writes them (MRQC, RETA[32], RSSRK[10]); their layout comes from
// rtl/regs/igb_regs.toml through rxpath/igb_regs.hpp.
#pragma once
#include <array>
#include <cstddef>
#include <cstdint>

#include "rxpath/igb_regs.hpp"

namespace rxpath::rss {

inline constexpr size_t kKeyBytes = 4 * regs::E1000_RSSRK_COUNT;    // 40
inline constexpr size_t kRetaEntries = 4 * regs::E1000_RETA_COUNT;  // 128
using Key = std::array<uint8_t, kKeyBytes>;

// Toeplitz hash of `n` input bytes (network order) under `key`: for every set
// input bit i (bit 0 = the most significant bit of input byte 0), XOR in the
// 32 key bits i..i+31 (key bit 0 = the most significant bit of key byte 0).
// n <= kKeyBytes - 4 (the window must stay inside the key).
inline uint32_t toeplitz_hash(const Key& key, const uint8_t* in, size_t n) {
  uint32_t result = 0;
  // The window: key bits i..i+31, shifted left one bit per input bit with
  // the next key bit coming in from the right.
  uint32_t window = uint32_t(key[0]) << 24 | uint32_t(key[1]) << 16 | uint32_t(key[2]) << 8 | key[3];
  for (size_t byte = 0; byte < n; ++byte) {
    const uint8_t next = byte + 4 < kKeyBytes ? key[byte + 4] : 0;
    for (int bit = 7; bit >= 0; --bit) {
      if (in[byte] >> bit & 1) result ^= window;
      window = window << 1 | ((next >> bit) & 1u);
    }
  }
  return result;
}

// The key as RSSRK holds it: byte 4i+k in bits 8k+7:8k of RSSRK(i).
inline Key key_from_rssrk(const uint32_t (&rssrk)[regs::E1000_RSSRK_COUNT]) {
  Key k{};
  for (size_t i = 0; i < kKeyBytes; ++i) k[i] = uint8_t(rssrk[i / 4] >> (8 * (i % 4)));
  return k;
}
inline uint32_t rssrk_of_key(const Key& k, unsigned i) {
  return uint32_t(k[4 * i]) | uint32_t(k[4 * i + 1]) << 8 | uint32_t(k[4 * i + 2]) << 16 | uint32_t(k[4 * i + 3]) << 24;
}
// Queue of redirection table entry e: RETA(e / 4), byte e % 4, low 3 bits.
inline unsigned reta_entry(const uint32_t (&reta)[regs::E1000_RETA_COUNT], unsigned e) {
  return (reta[e / 4] >> (8 * (e % 4))) & regs::E1000_RETA_ENTRY0;
}

struct Config {
  uint32_t mrqc = regs::E1000_MRQC_RESET;
  uint32_t reta[regs::E1000_RETA_COUNT] = {};
  uint32_t rssrk[regs::E1000_RSSRK_COUNT] = {};
};

struct Result {
  unsigned type = 0;   // pkt_info bits 3:0: E1000_RXDADV_RSSTYPE_* or 0 (no hash)
  uint32_t hash = 0;   // 0 when type is 0
  unsigned queue = 0;  // RX queue
};

// RSS of one frame (`d`: destination MAC .. end of payload, no FCS), as the
// NIC (rtl/README.md, "Receive-side scaling"):
//  - RSS only with MRQC.ENABLE_RSS_MQ; otherwise type 0, queue 0;
//  - the frame is IPv4 (EtherType 0x0800, optionally behind one 802.1Q tag)
//    with version 4, IHL >= 5 and its header inside the frame;
//  - IPV4_TCP (TCP and RSS_FIELD_IPV4_TCP) or IPV4_UDP (UDP and
//    RSS_FIELD_IPV4_UDP) when the datagram is no fragment (MF clear, offset
//    0), lies whole in the frame and holds both ports: hash over source
//    address, destination address, source port, destination port;
//  - else IPV4 (RSS_FIELD_IPV4): hash over the two addresses;
//  - else type 0, hash 0, queue 0 (82576/I210 datasheets: a packet that
//    matches no enabled RSS type goes to the default queue, 0).
//  - the queue of a hashed frame is RETA entry hash & 127.
inline Result classify(const uint8_t* d, size_t n, const Config& c) {
  using namespace regs;
  Result r;
  if (!(c.mrqc & E1000_MRQC_ENABLE_RSS_MQ)) return r;
  auto be16 = [d](size_t at) { return unsigned(d[at]) << 8 | d[at + 1]; };
  size_t l3 = 14;
  if (n >= 18 && be16(12) == 0x8100) l3 = 18;
  if (n < l3 + 20 || be16(l3 - 2) != 0x0800 || (d[l3] >> 4) != 4) return r;
  const size_t hlen = size_t(d[l3] & 0xf) * 4;
  if (hlen < 20 || l3 + hlen > n) return r;
  const size_t tot = be16(l3 + 2);
  const uint8_t proto = d[l3 + 9];
  const bool frag = (be16(l3 + 6) & 0x3fff) != 0;
  const bool ports = !frag && tot >= hlen + 4 && l3 + tot <= n;
  uint8_t in[12];
  for (int i = 0; i < 8; ++i) in[i] = d[l3 + 12 + i];
  if (ports) {
    for (int i = 0; i < 4; ++i) in[8 + i] = d[l3 + hlen + i];
  }
  size_t len = 0;
  if (ports && proto == 6 && (c.mrqc & E1000_MRQC_RSS_FIELD_IPV4_TCP)) {
    r.type = E1000_RXDADV_RSSTYPE_IPV4_TCP;
    len = 12;
  } else if (ports && proto == 17 && (c.mrqc & E1000_MRQC_RSS_FIELD_IPV4_UDP)) {
    r.type = E1000_RXDADV_RSSTYPE_IPV4_UDP;
    len = 12;
  } else if (c.mrqc & E1000_MRQC_RSS_FIELD_IPV4) {
    r.type = E1000_RXDADV_RSSTYPE_IPV4;
    len = 8;
  } else {
    return r;
  }
  r.hash = toeplitz_hash(key_from_rssrk(c.rssrk), in, len);
  r.queue = reta_entry(c.reta, r.hash & (kRetaEntries - 1));
  return r;
}

}  // namespace rxpath::rss
