// SPDX-License-Identifier: MIT
#include "testbench/scoreboard.hpp"

#include <algorithm>
#include <iterator>

#include "common/sim_time.hpp"

namespace rxpath::tb {

using common::kPsPerNs;

Scoreboard::Scoreboard(const TrafficConfig& traffic, uint32_t host_ip)
    : cfg_(traffic),
      tcp_segs_(traffic.tcp_flows),
      replay_tcp_(traffic.tcp_flows),
      host_ip_(host_ip),
      src_ip_(parse_ipv4(traffic.src_ip)) {}

namespace {
uint16_t be16(const uint8_t* p) { return static_cast<uint16_t>(p[0] << 8 | p[1]); }
uint32_t be32(const uint8_t* p) { return uint32_t(p[0]) << 24 | uint32_t(p[1]) << 16 | uint32_t(p[2]) << 8 | p[3]; }
// Replayed TCP data this far beyond the bytes delivered is outside any
// receive window the host can offer: the kernel drops it, so do we.
constexpr uint64_t kMaxTcpAhead = uint64_t(1) << 26;
}  // namespace

void Scoreboard::add_socket(int fd, bool tcp, uint32_t flow) {
  Sock& s = socks_[fd];
  s.tcp = tcp;
  s.flow = flow;
}

void Scoreboard::offered(const GenFrame& f) {
  ++fig_.offered_frames;
  ++fig_.offered_by_kind[frame_kind_name(f.kind)];
  fig_.offered_bytes += f.wire_bytes();
  if (f.kind == FrameKind::tcp) tcp_segs_[f.flow].push_back(Seg{f.tcp_seq - (cfg_.tcp_isn + 1), f.payload_len, f.id});
  if (f.kind == FrameKind::replay) expect_replayed(f);
}

void Scoreboard::wire_start(uint64_t id, uint64_t t_ps) {
  if (wire_start_ps_.size() <= id) wire_start_ps_.resize(id + 1, UINT64_MAX);
  wire_start_ps_[id] = t_ps;
}

// A replayed IPv4 packet: what the socket it is for should return. A
// fragment waits for the rest of its datagram (ip_defrag: the same source,
// destination, ID and protocol; complete once the last fragment fixed the
// length and no byte is missing; an overlap makes the kernel drop it all).
void Scoreboard::expect_replayed(const GenFrame& f) {
  const auto& d = f.data;
  if (d.size() < 34 || d[12] != 0x08 || d[13] != 0x00 || (d[14] >> 4) != 4) return;
  const uint8_t* ip = d.data() + 14;
  const size_t ihl = (ip[0] & 15) * 4u;
  const size_t tot = be16(ip + 2);
  if (ihl < 20 || tot < ihl || 14 + tot > d.size()) return;
  const uint32_t saddr = be32(ip + 12), daddr = be32(ip + 16);
  const uint8_t proto = ip[9];
  const uint16_t frag = be16(ip + 6);
  if ((frag & 0x3fff) == 0) {
    expect_ip_payload(f.id, saddr, daddr, proto, ip + ihl, tot - ihl);
    return;
  }
  const auto key = std::make_tuple(saddr, daddr, be16(ip + 4), proto);
  FragQueue& q = frags_[key];
  const uint32_t off = (frag & 0x1fff) * 8u;
  const uint32_t len = static_cast<uint32_t>(tot - ihl);
  const bool more = frag & 0x2000;
  if (!more) q.total = off + len;
  auto next = q.parts.lower_bound(off);
  if (next != q.parts.end() && next->first == off && next->second.size() == len) return;  // exact duplicate
  if ((next != q.parts.end() && next->first < off + len) ||
      (next != q.parts.begin() && std::prev(next)->first + std::prev(next)->second.size() > off))
    q.bad = true;
  q.parts[off].assign(ip + ihl, ip + tot);
  if (q.bad || q.total == 0) return;
  uint32_t have = 0;
  for (const auto& [o, p] : q.parts) {
    if (o != have) return;  // a hole
    have += static_cast<uint32_t>(p.size());
  }
  if (have != q.total) return;
  std::vector<uint8_t> whole;
  whole.reserve(q.total);
  for (const auto& [o, p] : q.parts) whole.insert(whole.end(), p.begin(), p.end());
  frags_.erase(key);
  // The datagram is whole when its last fragment arrives: its latency runs from that frame.
  expect_ip_payload(f.id, saddr, daddr, proto, whole.data(), whole.size());
}

void Scoreboard::expect_ip_payload(uint64_t id, uint32_t saddr, uint32_t daddr, uint8_t proto, const uint8_t* l4,
                                   size_t len) {
  if (proto == 17) {
    if (len < 8) return;
    const size_t ulen = be16(l4 + 4);
    if (ulen < 8 || ulen > len) return;  // the kernel drops it (udp_rcv: short packet)
    // Kept only for a port the reader has a socket on (anything else can
    // never be delivered; keeping it would hold the whole capture).
    const uint16_t dport = be16(l4 + 2);
    if (dport < cfg_.udp_port || dport >= cfg_.udp_port + cfg_.udp_flows) return;
    replayed_[dport].push_back(Replayed{id, std::vector<uint8_t>(l4 + 8, l4 + ulen)});
    return;
  }
  if (proto != 6 || len < 20 || daddr != host_ip_) return;
  const size_t doff = (l4[12] >> 4) * 4u;
  if (doff < 20 || doff > len) return;
  const uint16_t sport = be16(l4), dport = be16(l4 + 2);
  if (dport < cfg_.tcp_port || dport >= cfg_.tcp_port + cfg_.tcp_flows) return;
  const uint32_t flow = dport - cfg_.tcp_port;
  // The host's connection of flow i (System::build_reader): from src_ip + udp_flows + i, port 40000 + i.
  if (saddr != src_ip_ + cfg_.udp_flows + flow || sport != 40000 + flow) return;
  const uint8_t flags = l4[13];
  if (flags & 0x04) return;  // RST: no data for the reader
  uint32_t seq = be32(l4 + 4);
  if (flags & 0x02) ++seq;  // data after a SYN starts one further
  const size_t n = len - doff;
  if (n == 0) return;
  ReplayStream& st = replay_tcp_[flow];
  // Stream offset of the first byte (sequence numbers wrap at 2^32).
  const uint32_t rel = seq - (cfg_.tcp_isn + 1);
  const uint32_t base32 = static_cast<uint32_t>(st.base);
  const int64_t ahead = static_cast<int32_t>(rel - base32);  // bytes after what was delivered
  if (ahead + static_cast<int64_t>(n) <= 0 || ahead > static_cast<int64_t>(kMaxTcpAhead)) return;
  const uint64_t first = static_cast<uint64_t>(static_cast<int64_t>(st.base) + ahead);
  const uint64_t end = first + n;
  if (st.bytes.size() < end - st.base) st.bytes.resize(end - st.base, -1);
  for (size_t k = 0; k < n; ++k) {
    if (first + k < st.base) continue;  // already delivered
    int16_t& b = st.bytes[first + k - st.base];
    if (b < 0) b = l4[doff + k];  // the first copy counts, as in the receiver's queue
  }
  st.ends.emplace(end, id);
}

void Scoreboard::delivered(const stack::Delivery& d, uint64_t t) {
  Sock& s = socks_[d.fd];
  ++fig_.delivered_msgs;
  fig_.delivered_bytes += d.bytes.size();
  if (s.tcp && cfg_.pattern == "pcap")
    check_replayed_tcp(s, d, t);
  else if (s.tcp)
    check_tcp(s, d, t);
  else if (cfg_.pattern == "pcap")
    check_replayed(s, d, t);
  else
    check_udp(d, t);
}

// Replay: the datagram must be the next one sent to this port that the host
// did not drop (the ones skipped were dropped on the way).
void Scoreboard::check_replayed(Sock& s, const stack::Delivery& d, uint64_t t_ps) {
  auto& q = replayed_[static_cast<uint16_t>(cfg_.udp_port + s.flow)];
  while (!q.empty() && q.front().payload != d.bytes) q.pop_front();
  if (q.empty()) {
    ++fig_.delivery_errors;
  } else {
    latency_sample(q.front().id, t_ps);
    q.pop_front();
  }
  ++fig_.delivered_frames;
}

// UDP: one datagram = one frame; its number is in the first 8 bytes.
void Scoreboard::check_udp(const stack::Delivery& d, uint64_t t_ps) {
  uint64_t id = 0;
  if (d.bytes.size() >= 8)
    for (int i = 0; i < 8; ++i) id = id << 8 | d.bytes[i];
  for (size_t i = 0; i < d.bytes.size(); ++i)
    if (d.bytes[i] != TrafficGen::payload_byte(id, i)) {
      ++fig_.delivery_errors;
      break;
    }
  latency_sample(id, t_ps);
  ++fig_.delivered_frames;
}

// TCP: the stream byte by byte against the segments sent.
void Scoreboard::check_tcp(Sock& s, const stack::Delivery& d, uint64_t t_ps) {
  auto& segs = tcp_segs_[s.flow];
  uint64_t off = s.stream_off;
  size_t i = 0;
  while (i < d.bytes.size()) {
    while (!segs.empty() && segs.front().stream_off + segs.front().len <= off) segs.pop_front();
    if (segs.empty() || segs.front().stream_off > off) {
      ++fig_.delivery_errors;
      break;
    }
    const Seg& g = segs.front();
    const size_t n = std::min<uint64_t>(d.bytes.size() - i, g.stream_off + g.len - off);
    for (size_t k = 0; k < n; ++k)
      if (d.bytes[i + k] != TrafficGen::payload_byte(g.id, off - g.stream_off + k)) {
        ++fig_.delivery_errors;
        break;
      }
    i += n;
    off += n;
    if (off == g.stream_off + g.len) {
      latency_sample(g.id, t_ps);
      ++fig_.delivered_frames;
    }
  }
  s.stream_off = off;
}

// Replayed TCP: the bytes must be the flow's stream as the replayed segments
// carried it, from where the last recv() ended.
void Scoreboard::check_replayed_tcp(Sock& s, const stack::Delivery& d, uint64_t t_ps) {
  ReplayStream& st = replay_tcp_[s.flow];
  bool bad = d.bytes.size() > st.bytes.size();
  for (size_t i = 0; i < d.bytes.size() && !bad; ++i) bad = st.bytes[i] != d.bytes[i];
  if (bad) ++fig_.delivery_errors;
  const size_t n = std::min(d.bytes.size(), st.bytes.size());
  st.bytes.erase(st.bytes.begin(), st.bytes.begin() + static_cast<long>(n));
  st.base += d.bytes.size();
  if (n < d.bytes.size()) st.bytes.clear();
  while (!st.ends.empty() && st.ends.begin()->first <= st.base) {
    latency_sample(st.ends.begin()->second, t_ps);
    ++fig_.delivered_frames;
    st.ends.erase(st.ends.begin());
  }
  s.stream_off = st.base;
}

void Scoreboard::latency_sample(uint64_t id, uint64_t t_ps) {
  if (id < wire_start_ps_.size() && wire_start_ps_[id] != UINT64_MAX && t_ps >= wire_start_ps_[id]) {
    fig_.latency_ns.push_back(static_cast<double>(t_ps - wire_start_ps_[id]) / kPsPerNs);
    fig_.latency_start_ps.push_back(wire_start_ps_[id]);
  }
}

}  // namespace rxpath::tb
