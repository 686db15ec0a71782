// SPDX-License-Identifier: Apache-2.0
// stack/hash.hpp: the hash functions the receive path uses, written from
// their definitions: jhash / jhash2 / jhash_3words (include/linux/jhash.h,
// Bob Jenkins' lookup3 hashlittle/hashword), SipHash-2-4 (lib/siphash.c,
// Aumasson & Bernstein) and reciprocal_scale (include/linux/kernel.h).
// stack_hash_test checks them against the published test values.
#pragma once

#include <cstddef>
#include <cstdint>

namespace rxpath::stack {

constexpr uint32_t JHASH_INITVAL = 0xdeadbeef;

inline uint32_t rol32(uint32_t w, unsigned s) { return (w << s) | (w >> ((32 - s) & 31)); }

// __jhash_mix
inline void jhash_mix(uint32_t& a, uint32_t& b, uint32_t& c) {
  a -= c;
  a ^= rol32(c, 4);
  c += b;
  b -= a;
  b ^= rol32(a, 6);
  a += c;
  c -= b;
  c ^= rol32(b, 8);
  b += a;
  a -= c;
  a ^= rol32(c, 16);
  c += b;
  b -= a;
  b ^= rol32(a, 19);
  a += c;
  c -= b;
  c ^= rol32(b, 4);
  b += a;
}

// __jhash_final
inline void jhash_final(uint32_t& a, uint32_t& b, uint32_t& c) {
  c ^= b;
  c -= rol32(b, 14);
  a ^= c;
  a -= rol32(c, 11);
  b ^= a;
  b -= rol32(a, 25);
  c ^= b;
  c -= rol32(b, 16);
  a ^= c;
  a -= rol32(c, 4);
  b ^= a;
  b -= rol32(a, 14);
  c ^= b;
  c -= rol32(b, 24);
}

// jhash: `length` bytes, words read little-endian as on x86 (lookup3's
// hashlittle).
inline uint32_t jhash(const void* key, uint32_t length, uint32_t initval) {
  const uint8_t* k = static_cast<const uint8_t*>(key);
  uint32_t a, b, c;
  a = b = c = JHASH_INITVAL + length + initval;
  auto le32 = [](const uint8_t* p) {
    return uint32_t(p[0]) | uint32_t(p[1]) << 8 | uint32_t(p[2]) << 16 | uint32_t(p[3]) << 24;
  };
  while (length > 12) {
    a += le32(k);
    b += le32(k + 4);
    c += le32(k + 8);
    jhash_mix(a, b, c);
    length -= 12;
    k += 12;
  }
  switch (length) {  // the last block: bytes past the end count as zero
    case 12:
      c += uint32_t(k[11]) << 24;
      [[fallthrough]];
    case 11:
      c += uint32_t(k[10]) << 16;
      [[fallthrough]];
    case 10:
      c += uint32_t(k[9]) << 8;
      [[fallthrough]];
    case 9:
      c += k[8];
      [[fallthrough]];
    case 8:
      b += uint32_t(k[7]) << 24;
      [[fallthrough]];
    case 7:
      b += uint32_t(k[6]) << 16;
      [[fallthrough]];
    case 6:
      b += uint32_t(k[5]) << 8;
      [[fallthrough]];
    case 5:
      b += k[4];
      [[fallthrough]];
    case 4:
      a += uint32_t(k[3]) << 24;
      [[fallthrough]];
    case 3:
      a += uint32_t(k[2]) << 16;
      [[fallthrough]];
    case 2:
      a += uint32_t(k[1]) << 8;
      [[fallthrough]];
    case 1:
      a += k[0];
      jhash_final(a, b, c);
      break;
    case 0:  // nothing left to add
      break;
  }
  return c;
}

// jhash2: `length` 32-bit words (lookup3's hashword).
inline uint32_t jhash2(const uint32_t* k, uint32_t length, uint32_t initval) {
  uint32_t a, b, c;
  a = b = c = JHASH_INITVAL + (length << 2) + initval;
  while (length > 3) {
    a += k[0];
    b += k[1];
    c += k[2];
    jhash_mix(a, b, c);
    length -= 3;
    k += 3;
  }
  switch (length) {
    case 3:
      c += k[2];
      [[fallthrough]];
    case 2:
      b += k[1];
      [[fallthrough]];
    case 1:
      a += k[0];
      jhash_final(a, b, c);
      break;
    case 0:
      break;
  }
  return c;
}

// jhash_3words = __jhash_nwords(a, b, c, initval + JHASH_INITVAL + (3 << 2)).
inline uint32_t jhash_3words(uint32_t a, uint32_t b, uint32_t c, uint32_t initval) {
  initval += JHASH_INITVAL + (3u << 2);
  a += initval;
  b += initval;
  c += initval;
  jhash_final(a, b, c);
  return c;
}

// reciprocal_scale: maps val into [0, ep_ro) without a division.
inline uint32_t reciprocal_scale(uint32_t val, uint32_t ep_ro) {
  return static_cast<uint32_t>((static_cast<uint64_t>(val) * ep_ro) >> 32);
}

// SipHash-2-4 of `len` bytes (little-endian words) with the 128-bit key
// (k0, k1) = the key's two little-endian halves.
inline uint64_t siphash(const uint8_t* data, size_t len, uint64_t k0, uint64_t k1) {
  uint64_t v0 = 0x736f6d6570736575ull ^ k0, v1 = 0x646f72616e646f6dull ^ k1;
  uint64_t v2 = 0x6c7967656e657261ull ^ k0, v3 = 0x7465646279746573ull ^ k1;
  auto rol64 = [](uint64_t w, unsigned s) { return (w << s) | (w >> (64 - s)); };
  auto round = [&]() {
    v0 += v1;
    v1 = rol64(v1, 13);
    v1 ^= v0;
    v0 = rol64(v0, 32);
    v2 += v3;
    v3 = rol64(v3, 16);
    v3 ^= v2;
    v0 += v3;
    v3 = rol64(v3, 21);
    v3 ^= v0;
    v2 += v1;
    v1 = rol64(v1, 17);
    v1 ^= v2;
    v2 = rol64(v2, 32);
  };
  auto le64 = [](const uint8_t* p, size_t n) {
    uint64_t m = 0;
    for (size_t i = 0; i < n; ++i) m |= uint64_t(p[i]) << (8 * i);
    return m;
  };
  size_t i = 0;
  for (; i + 8 <= len; i += 8) {
    uint64_t m = le64(data + i, 8);
    v3 ^= m;
    round();
    round();
    v0 ^= m;
  }
  uint64_t b = (uint64_t(len) << 56) | le64(data + i, len - i);
  v3 ^= b;
  round();
  round();
  v0 ^= b;
  v2 ^= 0xff;
  round();
  round();
  round();
  round();
  return v0 ^ v1 ^ v2 ^ v3;
}

}  // namespace rxpath::stack
