// SPDX-License-Identifier: MIT
#include "testbench/capture.hpp"

#include <algorithm>

#include "common/eth.hpp"
#include "common/sim_time.hpp"

namespace rxpath::tb {

using common::kPsPerNs;

Captures::Captures(const TrafficConfig& traffic, const MacAddr& host_mac, uint32_t host_ip)
    : cfg_(traffic),
      host_mac_(host_mac),
      src_mac_(parse_mac(traffic.src_mac)),
      host_ip_(host_ip),
      src_ip_(parse_ipv4(traffic.src_ip)) {}

void Captures::open_wire(const std::string& path) { wire_ = std::make_unique<PcapWriter>(path); }

void Captures::open_socket(const std::string& dir, int fd, bool tcp, uint32_t flow) {
  Sock& s = socks_[fd];
  s.tcp = tcp;
  s.flow = flow;
  const std::string name =
      tcp ? "tcp-" + std::to_string(cfg_.tcp_port + flow) : "udp-" + std::to_string(cfg_.udp_port + flow);
  // Each record is one recv() result: the bytes the application got.
  s.pcap = std::make_unique<PcapWriter>(dir + "/socket-" + name + ".pcap");
}

void Captures::open_tx(const std::string& path) { tx_ = std::make_unique<PcapWriter>(path); }

void Captures::transmitted(uint64_t t_ps, const std::vector<uint8_t>& frame) {
  if (tx_) write(tx_, t_ps, frame);
}

void Captures::offered(const GenFrame& f) {
  if (wire_) pending_wire_[f.id] = f.data;
}

void Captures::wire_start(uint64_t id, uint64_t t_ps) {
  if (!wire_) return;
  auto it = pending_wire_.find(id);
  if (it == pending_wire_.end()) return;
  write(wire_, t_ps, it->second);
  pending_wire_.erase(it);
}

void Captures::delivered(int fd, uint64_t t_ps, const std::vector<uint8_t>& bytes, uint64_t stream_end,
                         const stack::PeerAddr& from) {
  auto it = socks_.find(fd);
  if (it == socks_.end() || !it->second.pcap) return;
  Sock& s = it->second;
  eth::Mac dst, src;
  for (int i = 0; i < 6; ++i) dst[i] = host_mac_[i], src[i] = src_mac_[i];
  eth::Ipv4Opts ip;
  ip.daddr = host_ip_;
  eth::L4Opts l4;
  if (!s.tcp) {
    // The sender recvfrom() names (a replayed datagram comes from whoever
    // the capture says); without one, the flow's generated source.
    ip.saddr = from.addr ? from.addr : udp_flow_saddr(cfg_, src_ip_, s.flow);
    l4.sport = from.addr ? from.port : static_cast<uint16_t>(30000 + s.flow);
    l4.dport = static_cast<uint16_t>(cfg_.udp_port + s.flow);
    write(s.pcap, t_ps, eth::udp_frame(dst, src, bytes, ip, l4));
    return;
  }
  ip.saddr = src_ip_ + cfg_.udp_flows + s.flow;
  l4.sport = static_cast<uint16_t>(40000 + s.flow);
  l4.dport = static_cast<uint16_t>(cfg_.tcp_port + s.flow);
  l4.ack_seq = 1;
  l4.tcp_flags = 0x18;                               // PSH|ACK
  const uint64_t first = stream_end - bytes.size();  // stream offset of bytes[0]
  constexpr size_t kMaxSeg = 65000;                  // IPv4 total length is 16 bits
  for (size_t off = 0; off < bytes.size(); off += kMaxSeg) {
    const size_t n = std::min(kMaxSeg, bytes.size() - off);
    l4.seq = static_cast<uint32_t>(cfg_.tcp_isn + 1 + first + off);
    const std::vector<uint8_t> seg(bytes.begin() + static_cast<long>(off), bytes.begin() + static_cast<long>(off + n));
    if (s.pcap) write(s.pcap, t_ps, eth::tcp_frame(dst, src, seg, ip, l4));
  }
}

void Captures::write(std::unique_ptr<PcapWriter>& w, uint64_t t_ps, const std::vector<uint8_t>& frame) {
  try {
    w->write(t_ps / kPsPerNs, frame);
  } catch (const PcapError& e) {
    if (error_.empty()) error_ = e.what();
    w.reset();  // its temporary file goes; the run ends with the error
  }
}

void Captures::close() {
  if (wire_) wire_->close();
  if (tx_) tx_->close();
  for (auto& [_, s] : socks_)
    if (s.pcap) s.pcap->close();
}

}  // namespace rxpath::tb
