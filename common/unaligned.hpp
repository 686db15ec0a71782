// SPDX-License-Identifier: MIT
// common/unaligned.hpp: multi-byte fields at any address in a byte buffer, in
// a stated byte order, with the kernel's names (include/linux/unaligned/*.h:
// get_unaligned_be16, put_unaligned_le32, ...). Network headers are big
// endian (be), igb descriptors and registers little endian (le); the host's
// own byte order never enters.
#pragma once

#include <cstdint>

namespace rxpath {

namespace unaligned_detail {
// Bytes p[0..N) as one value, most significant first (be) or last (le).
template <typename T, unsigned N>
constexpr T get_be(const uint8_t* p) {
  T v = 0;
  for (unsigned i = 0; i < N; ++i) v = static_cast<T>(v << 8 | p[i]);
  return v;
}
template <typename T, unsigned N>
constexpr T get_le(const uint8_t* p) {
  T v = 0;
  for (unsigned i = N; i-- > 0;) v = static_cast<T>(v << 8 | p[i]);
  return v;
}
template <typename T, unsigned N>
constexpr void put_be(T v, uint8_t* p) {
  for (unsigned i = N; i-- > 0; v = static_cast<T>(v >> 8)) p[i] = static_cast<uint8_t>(v);
}
template <typename T, unsigned N>
constexpr void put_le(T v, uint8_t* p) {
  for (unsigned i = 0; i < N; ++i, v = static_cast<T>(v >> 8)) p[i] = static_cast<uint8_t>(v);
}
}  // namespace unaligned_detail

// The kernel's argument order: put_unaligned_be16(val, p).
constexpr uint16_t get_unaligned_be16(const uint8_t* p) { return unaligned_detail::get_be<uint16_t, 2>(p); }
constexpr uint32_t get_unaligned_be32(const uint8_t* p) { return unaligned_detail::get_be<uint32_t, 4>(p); }
constexpr uint64_t get_unaligned_be64(const uint8_t* p) { return unaligned_detail::get_be<uint64_t, 8>(p); }
constexpr uint16_t get_unaligned_le16(const uint8_t* p) { return unaligned_detail::get_le<uint16_t, 2>(p); }
constexpr uint32_t get_unaligned_le32(const uint8_t* p) { return unaligned_detail::get_le<uint32_t, 4>(p); }
constexpr uint64_t get_unaligned_le64(const uint8_t* p) { return unaligned_detail::get_le<uint64_t, 8>(p); }

constexpr void put_unaligned_be16(uint16_t v, uint8_t* p) { unaligned_detail::put_be<uint16_t, 2>(v, p); }
constexpr void put_unaligned_be32(uint32_t v, uint8_t* p) { unaligned_detail::put_be<uint32_t, 4>(v, p); }
constexpr void put_unaligned_be64(uint64_t v, uint8_t* p) { unaligned_detail::put_be<uint64_t, 8>(v, p); }
constexpr void put_unaligned_le16(uint16_t v, uint8_t* p) { unaligned_detail::put_le<uint16_t, 2>(v, p); }
constexpr void put_unaligned_le32(uint32_t v, uint8_t* p) { unaligned_detail::put_le<uint32_t, 4>(v, p); }
constexpr void put_unaligned_le64(uint64_t v, uint8_t* p) { unaligned_detail::put_le<uint64_t, 8>(v, p); }

}  // namespace rxpath
