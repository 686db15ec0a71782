// SPDX-License-Identifier: MIT
// Minimal UDP/IPv4/Ethernet frame builder for host/ tests and host_bench
// (no FCS: the NIC double takes frames without it).
#pragma once

#include <array>
#include <cstdint>
#include <vector>

namespace rxpath::testbench {

struct UdpFlow {
    std::array<uint8_t, 6> dst_mac{{0x02, 0x00, 0x00, 0x00, 0x00, 0x01}};
    std::array<uint8_t, 6> src_mac{{0x02, 0x00, 0x00, 0x00, 0x00, 0x02}};
    uint32_t saddr = 0x0A000002, daddr = 0x0A000001;  // 10.0.0.2 -> 10.0.0.1
    uint16_t sport = 40000, dport = 9000;
};

// One's-complement checksum of big-endian 16-bit words (RFC 1071).
inline uint16_t inet_checksum(const uint8_t* p, std::size_t n, uint32_t sum = 0) {
    for (std::size_t i = 0; i + 1 < n; i += 2) sum += uint32_t(p[i]) << 8 | p[i + 1];
    if (n & 1) sum += uint32_t(p[n - 1]) << 8;
    while (sum >> 16) sum = (sum & 0xFFFF) + (sum >> 16);
    return uint16_t(~sum);
}

// A frame of `frame_len` bytes (>= 42; pad to 60 for the wire minimum) whose
// UDP payload starts with the 32-bit sequence number `seq`. Checksums valid.
inline std::vector<uint8_t> udp_frame(const UdpFlow& f, std::size_t frame_len, uint32_t seq, uint16_t ip_id = 0) {
    if (frame_len < 46) frame_len = 46;
    std::vector<uint8_t> b(frame_len, 0);
    for (int i = 0; i < 6; ++i) { b[i] = f.dst_mac[i]; b[6 + i] = f.src_mac[i]; }
    b[12] = 0x08; b[13] = 0x00;
    uint8_t* ip = b.data() + 14;
    const std::size_t tot = frame_len - 14;
    ip[0] = 0x45; ip[2] = uint8_t(tot >> 8); ip[3] = uint8_t(tot);
    ip[4] = uint8_t(ip_id >> 8); ip[5] = uint8_t(ip_id);
    ip[6] = 0x40;  // DF
    ip[8] = 64; ip[9] = 17;
    for (int i = 0; i < 4; ++i) { ip[12 + i] = uint8_t(f.saddr >> (24 - 8 * i)); ip[16 + i] = uint8_t(f.daddr >> (24 - 8 * i)); }
    const uint16_t ipc = inet_checksum(ip, 20);
    ip[10] = uint8_t(ipc >> 8); ip[11] = uint8_t(ipc);
    uint8_t* udp = ip + 20;
    const std::size_t ulen = tot - 20;
    udp[0] = uint8_t(f.sport >> 8); udp[1] = uint8_t(f.sport);
    udp[2] = uint8_t(f.dport >> 8); udp[3] = uint8_t(f.dport);
    udp[4] = uint8_t(ulen >> 8); udp[5] = uint8_t(ulen);
    for (int i = 0; i < 4; ++i) udp[8 + i] = uint8_t(seq >> (24 - 8 * i));
    uint32_t sum = 0;
    for (int i = 12; i < 20; i += 2) sum += uint32_t(ip[i]) << 8 | ip[i + 1];
    sum += 17 + uint32_t(ulen);
    uint16_t uc = inet_checksum(udp, ulen, sum);
    if (uc == 0) uc = 0xFFFF;
    udp[6] = uint8_t(uc >> 8); udp[7] = uint8_t(uc);
    return b;
}

}  // namespace rxpath::testbench
