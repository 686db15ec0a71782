#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
# stack/tests/reuseport_oracle.py: an independent Python reading of
# include/linux/jhash.h (jhash_3words, __jhash_final), net/ipv4/udp.c
# (udp_ehashfn -> __inet_ehashfn) and net/core/sock_reuseport.c
# (reuseport_select_sock_by_hash: reciprocal_scale(hash, num_socks)), for
# x86 (the __be32 / __be16 values are byte-swapped integers). It prints the
# socket index each 4-tuple of stack_rps_test's reuseport case gets.
import struct

M = 0xFFFFFFFF


def rol32(w, s):
    return ((w << s) | (w >> (32 - s))) & M


def jhash_3words(a, b, c, initval):
    iv = (initval + 0xDEADBEEF + (3 << 2)) & M
    a, b, c = (a + iv) & M, (b + iv) & M, (c + iv) & M
    c ^= b; c = (c - rol32(b, 14)) & M
    a ^= c; a = (a - rol32(c, 11)) & M
    b ^= a; b = (b - rol32(a, 25)) & M
    c ^= b; c = (c - rol32(b, 16)) & M
    a ^= c; a = (a - rol32(c, 4)) & M
    b ^= a; b = (b - rol32(a, 14)) & M
    c ^= b; c = (c - rol32(b, 24)) & M
    return c


def be32(x):  # a __be32 read as a little-endian u32
    return struct.unpack("<I", struct.pack(">I", x))[0]


def be16(x):
    return struct.unpack("<H", struct.pack(">H", x))[0]


def udp_ehashfn(laddr, lport, faddr, fport, secret):
    return jhash_3words(be32(laddr), be32(faddr), (lport << 16 | be16(fport)) & M, secret)


def reciprocal_scale(val, ep_ro):
    return (val * ep_ro) >> 32


SECRET = 0x2B7E1516  # KernelConfig::udp_ehash_secret
HOST, PEER = 0x0A000001, 0x0A000002
for sport in range(40000, 40008):
    h = udp_ehashfn(HOST, 5001, PEER, sport, SECRET)
    print(sport, hex(h), reciprocal_scale(h, 4), reciprocal_scale(h, 3))
