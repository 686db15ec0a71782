// SPDX-License-Identifier: MIT
// Minimal UDP/IPv4/Ethernet frame builder for host/ tests and host_bench
// (no FCS: the NIC double takes frames without it).
#pragma once

#include <array>
#include <cstdint>
#include <vector>

#include "common/eth.hpp"

namespace rxpath::nic {

struct UdpFlow {
  std::array<uint8_t, 6> dst_mac{{0x02, 0x00, 0x00, 0x00, 0x00, 0x01}};
  std::array<uint8_t, 6> src_mac{{0x02, 0x00, 0x00, 0x00, 0x00, 0x02}};
  uint32_t saddr = 0x0A000002, daddr = 0x0A000001;  // 10.0.0.2 -> 10.0.0.1
  uint16_t sport = 40000, dport = 9000;
};

// A frame of `frame_len` bytes (>= 46; shorter ones are padded to the
// 60-byte wire minimum) whose UDP payload starts with the 32-bit sequence
// number `seq`. Checksums valid. Built by the harness's frame builder
// (verilator/vh/eth.hpp), the one the RTL tests use.
inline std::vector<uint8_t> udp_frame(const UdpFlow& f, std::size_t frame_len, uint32_t seq, uint16_t ip_id = 0) {
  if (frame_len < 46) frame_len = 46;
  eth::Bytes payload(frame_len - 42, 0);
  for (int i = 0; i < 4; ++i) payload[i] = uint8_t(seq >> (24 - 8 * i));
  eth::Ipv4Opts ip;
  ip.saddr = f.saddr;
  ip.daddr = f.daddr;
  ip.id = ip_id;
  eth::L4Opts l4;
  l4.sport = f.sport;
  l4.dport = f.dport;
  return eth::udp_frame(f.dst_mac, f.src_mac, payload, ip, l4);
}

}  // namespace rxpath::nic
