// SPDX-License-Identifier: MIT
#include "testbench/scoreboard.hpp"

#include <algorithm>

#include "common/sim_time.hpp"

namespace rxpath::tb {

using common::kPsPerNs;

Scoreboard::Scoreboard(const TrafficConfig& traffic) : cfg_(traffic), tcp_segs_(traffic.tcp_flows) {}

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

// A replayed UDP datagram to one of our ports: what its socket should return.
void Scoreboard::expect_replayed(const GenFrame& f) {
  const auto& d = f.data;
  if (d.size() < 42 || d[12] != 0x08 || d[13] != 0x00 || (d[14] >> 4) != 4 || d[23] != 17) return;
  const size_t ihl = (d[14] & 15) * 4u;
  const size_t tot = size_t(d[16]) << 8 | d[17];
  if (tot < ihl + 8 || 14 + tot > d.size()) return;
  const uint16_t dport = static_cast<uint16_t>(d[14 + ihl + 2] << 8 | d[14 + ihl + 3]);
  const auto first = d.begin() + static_cast<long>(14 + ihl + 8);
  replayed_[dport].push_back(Replayed{f.id, std::vector<uint8_t>(first, d.begin() + static_cast<long>(14 + tot))});
}

void Scoreboard::delivered(const stack::Delivery& d, uint64_t t) {
  Sock& s = socks_[d.fd];
  ++fig_.delivered_msgs;
  fig_.delivered_bytes += d.bytes.size();
  if (s.tcp)
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

void Scoreboard::latency_sample(uint64_t id, uint64_t t_ps) {
  if (id < wire_start_ps_.size() && wire_start_ps_[id] != UINT64_MAX && t_ps >= wire_start_ps_[id]) {
    fig_.latency_ns.push_back(static_cast<double>(t_ps - wire_start_ps_[id]) / kPsPerNs);
    fig_.latency_start_ps.push_back(wire_start_ps_[id]);
  }
}

}  // namespace rxpath::tb
