// SPDX-License-Identifier: MIT
#include "testbench/traffic.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <sstream>
#include <stdexcept>

#include "common/eth.hpp"

namespace rxpath::tb {

namespace {
constexpr uint32_t kPreambleAndGap = 20;  // 8 bytes preamble/SFD + 12 bytes minimum gap
constexpr uint32_t kHdrUdp = 14 + 20 + 8;
constexpr uint32_t kHdrTcp = 14 + 20 + 20;

eth::Mac to_vh(const MacAddr& m) {
  eth::Mac o;
  for (int i = 0; i < 6; ++i) o[i] = m[i];
  return o;
}
}  // namespace

const char* frame_kind_name(FrameKind k) {
  static const char* const names[] = {"udp",        "tcp",         "bad_fcs",         "runt",
                                      "oversize",   "bad_ip_csum", "closed_udp_port", "closed_tcp_port",
                                      "other_host", "replay"};
  return names[static_cast<int>(k)];
}

MacAddr parse_mac(const std::string& s) {
  MacAddr m{};
  unsigned v[6];
  char tail;
  if (std::sscanf(s.c_str(), "%x:%x:%x:%x:%x:%x%c", &v[0], &v[1], &v[2], &v[3], &v[4], &v[5], &tail) != 6)
    throw std::invalid_argument("'" + s + "' is not a MAC address (xx:xx:xx:xx:xx:xx)");
  for (int i = 0; i < 6; ++i) {
    if (v[i] > 255) throw std::invalid_argument("'" + s + "' is not a MAC address");
    m[i] = static_cast<uint8_t>(v[i]);
  }
  return m;
}

uint32_t parse_ipv4(const std::string& s) {
  unsigned a, b, c, d;
  char tail;
  if (std::sscanf(s.c_str(), "%u.%u.%u.%u%c", &a, &b, &c, &d, &tail) != 4 || a > 255 || b > 255 || c > 255 || d > 255)
    throw std::invalid_argument("'" + s + "' is not an IPv4 address (a.b.c.d)");
  return a << 24 | b << 16 | c << 8 | d;
}

std::string format_ipv4(uint32_t a) {
  std::ostringstream os;
  os << (a >> 24) << "." << ((a >> 16) & 255) << "." << ((a >> 8) & 255) << "." << (a & 255);
  return os.str();
}

uint32_t udp_flow_saddr(const TrafficConfig& cfg, uint32_t src_ip, uint32_t flow) {
  return src_ip + (cfg.udp_sources ? flow % cfg.udp_sources : flow);
}

void TrafficConfig::add_knobs(Knobs& k) {
  k.add_string("traffic.pattern", &pattern, pattern, "arrival pattern", {"constant", "poisson", "onoff", "pcap"});
  k.add_double("traffic.rate_gbps", &rate_gbps, rate_gbps, 0.001, 10.0,
               "offered load in Gb/s on the wire, preamble and inter-frame gap included (10 = line rate)");
  k.add_string("traffic.size", &size, size,
               "frame size in bytes with FCS: a number, \"imix\" (64/594/1518 as 7:4:1) or \"uniform:MIN:MAX\"");
  k.add_uint("traffic.udp_flows", &udp_flows, udp_flows, 0, 4096, "UDP flows to open ports");
  k.add_uint("traffic.tcp_flows", &tcp_flows, tcp_flows, 0, 4096, "TCP flows to established sockets");
  k.add_uint("traffic.udp_port", &udp_port, udp_port, 1, 65535, "destination port of UDP flow 0 (flow i: +i)");
  k.add_uint("traffic.tcp_port", &tcp_port, tcp_port, 1, 65535, "destination port of TCP flow 0 (flow i: +i)");
  k.add_uint("traffic.tcp_isn", &tcp_isn, tcp_isn, 0, 0xffffffffu, "the senders' initial sequence number");
  k.add_string("traffic.src_mac", &src_mac, src_mac, "source MAC address of generated frames");
  k.add_string("traffic.src_ip", &src_ip, src_ip, "source IPv4 address of flow 0 (flow i: +i)");
  k.add_uint("traffic.udp_sources", &udp_sources, udp_sources, 0, 4096,
             "sending hosts of the UDP flows: flow i comes from src_ip + (i mod udp_sources), from source port "
             "30000 + i; 0: one host per flow (src_ip + i). 1 is one host with many flows, which igb's default "
             "2-tuple UDP hash puts on one queue");
  k.add_double("traffic.on_us", &on_us, on_us, 0.01, 1e9, "onoff: length of a burst, microseconds");
  k.add_double("traffic.off_us", &off_us, off_us, 0, 1e9, "onoff: silence between bursts, microseconds");
  k.add_double("traffic.bad_fcs_ppm", &bad_fcs_ppm, 0, 0, 1e6, "frames sent with a bad FCS, per million");
  k.add_double("traffic.runt_ppm", &runt_ppm, 0, 0, 1e6, "runt frames (<64 bytes, good FCS), per million");
  k.add_double("traffic.oversize_ppm", &oversize_ppm, 0, 0, 1e6, "oversize frames (>1518 bytes), per million");
  k.add_double("traffic.bad_ip_csum_ppm", &bad_ip_csum_ppm, 0, 0, 1e6,
               "UDP frames with a bad IPv4 header checksum, per million");
  k.add_double("traffic.closed_udp_ppm", &closed_udp_ppm, 0, 0, 1e6, "UDP frames to a closed port, per million");
  k.add_double("traffic.closed_tcp_ppm", &closed_tcp_ppm, 0, 0, 1e6, "TCP segments to a closed port, per million");
  k.add_double("traffic.other_host_ppm", &other_host_ppm, 0, 0, 1e6,
               "frames for another station's MAC address, per million");
  k.add_string("traffic.pcap", &pcap, pcap, "pattern pcap: capture file to replay (pcap or pcapng)");
  k.add_double("traffic.pcap_rate_gbps", &pcap_rate_gbps, 0, 0, 10.0,
               "pattern pcap: 0 replays at capture timing, else back to back at this rate");
  k.add_bool("traffic.pcap_pad", &pcap_pad, pcap_pad,
             "pattern pcap: pad frames under 60 bytes (64 with FCS) with zeros, as the sending host's MAC did; "
             "false sends them short (runts, counted as RUC)");
  k.add_uint("traffic.seed", &seed, seed, 0, INT64_MAX,
             "seed of the traffic's random choices (a TOML integer: up to 2^63 - 1)");
}

TrafficGen::TrafficGen(const TrafficConfig& cfg, const MacAddr& host_mac, uint32_t host_ip)
    : cfg_(cfg), host_mac_(host_mac), host_ip_(host_ip), rng_(cfg.seed) {
  src_mac_ = parse_mac(cfg.src_mac);
  src_ip_ = parse_ipv4(cfg.src_ip);
  if (cfg.size == "imix") {
    imix_ = true;
  } else if (cfg.size.rfind("uniform:", 0) == 0) {
    unsigned lo = 0, hi = 0;
    char tail;
    if (std::sscanf(cfg.size.c_str(), "uniform:%u:%u%c", &lo, &hi, &tail) != 2 || lo > hi)
      throw std::invalid_argument("traffic.size: '" + cfg.size + "' is not uniform:MIN:MAX");
    size_min_ = lo, size_max_ = hi;
  } else {
    char* end = nullptr;
    const unsigned long v = std::strtoul(cfg.size.c_str(), &end, 10);
    if (cfg.size.empty() || *end != '\0')
      throw std::invalid_argument("traffic.size: '" + cfg.size + "' is not a size, imix or uniform:MIN:MAX");
    size_min_ = size_max_ = static_cast<uint32_t>(v);
  }
  if (!imix_ && (size_min_ < 64 || size_max_ > 9018))
    throw std::invalid_argument("traffic.size: frame sizes must be within 64..9018 bytes (with FCS)");
  if (cfg.pattern == "pcap") {
    if (cfg.pcap.empty()) throw std::invalid_argument("traffic.pcap: pattern \"pcap\" needs a capture file");
    // One pass over the records first, holding one at a time: a bad record
    // is refused before the run (not halfway through it), and the report can
    // say how many records were not offered.
    replay_records_ = scan_replay(cfg).records;
    replay_ = std::make_unique<CaptureReader>(cfg.pcap);
    if (!replay_->next(pending_)) throw PcapError(cfg.pcap + ": the capture holds no frame");
    have_pending_ = true;
    clock_.rate_gbps = cfg.pcap_rate_gbps;
  } else if (cfg.udp_flows + cfg.tcp_flows == 0) {
    throw std::invalid_argument("traffic: udp_flows + tcp_flows is 0, nothing to send");
  }
  if (cfg.tcp_flows > 0 && !imix_ && size_min_ < kHdrTcp + 4 + 1)
    throw std::invalid_argument("traffic.size: TCP flows need frames of at least 59 bytes");
  tcp_next_seq_.assign(cfg.tcp_flows, cfg.tcp_isn + 1);
  tcp_ip_id_.assign(cfg.tcp_flows, 1);
  udp_ip_id_.assign(cfg.udp_flows, 1);
}

uint8_t TrafficGen::payload_byte(uint64_t id, size_t i) {
  if (i < 8) return static_cast<uint8_t>(id >> (8 * (7 - i)));
  return static_cast<uint8_t>(id * 131 + i * 7 + (i >> 8));
}

uint64_t TrafficGen::frame_id_of(const uint8_t* d, size_t len, bool* carries) {
  if (carries) *carries = false;
  if (len < 14 + 20 || d[12] != 0x08 || d[13] != 0x00 || (d[14] >> 4) != 4) return 0;
  const size_t ihl = (d[14] & 15) * 4u;
  const size_t tot = size_t(d[16]) << 8 | d[17];
  if (ihl < 20 || tot < ihl || 14 + tot > len) return 0;
  size_t l4 = 14 + ihl, hdr;
  if (d[23] == 17)
    hdr = 8;
  else if (d[23] == 6 && l4 + 13 < len)
    hdr = (d[l4 + 12] >> 4) * 4u;
  else
    return 0;
  if (tot < ihl + hdr + 8) return 0;
  uint64_t id = 0;
  for (size_t i = 0; i < 8; ++i) id = id << 8 | d[l4 + hdr + i];
  if (carries) *carries = true;
  return id;
}

uint32_t TrafficGen::pick_size() {
  if (imix_) {
    const auto r = std::uniform_int_distribution<int>(0, 11)(rng_);
    return r < 7 ? 64 : r < 11 ? 594 : 1518;
  }
  if (size_min_ == size_max_) return size_min_;
  return std::uniform_int_distribution<uint32_t>(size_min_, size_max_)(rng_);
}

FrameKind TrafficGen::pick_kind() {
  const double ppm[] = {cfg_.bad_fcs_ppm,    cfg_.runt_ppm,       cfg_.oversize_ppm,  cfg_.bad_ip_csum_ppm,
                        cfg_.closed_udp_ppm, cfg_.closed_tcp_ppm, cfg_.other_host_ppm};
  const FrameKind kinds[] = {FrameKind::bad_fcs,         FrameKind::runt,
                             FrameKind::oversize,        FrameKind::bad_ip_csum,
                             FrameKind::closed_udp_port, FrameKind::closed_tcp_port,
                             FrameKind::other_host};
  double total = 0;
  for (double p : ppm) total += p;
  if (total > 0) {
    double r = std::uniform_real_distribution<double>(0, 1e6)(rng_);
    for (size_t i = 0; i < 7; ++i) {
      if (r < ppm[i]) return kinds[i];
      r -= ppm[i];
    }
  }
  // Regular traffic: round robin over all flows, UDP flows first.
  const uint32_t n = cfg_.udp_flows + cfg_.tcp_flows;
  const uint32_t i = (next_udp_ + next_tcp_) % n;
  return i < cfg_.udp_flows ? FrameKind::udp : FrameKind::tcp;
}

void TrafficGen::build(GenFrame& f, FrameKind kind, uint32_t size) {
  f.kind = kind;
  eth::Mac dst = to_vh(host_mac_);
  if (kind == FrameKind::other_host) dst[5] ^= 0x55;  // another unicast station
  const eth::Mac src = to_vh(src_mac_);
  eth::Ipv4Opts ip;
  ip.daddr = host_ip_;
  eth::L4Opts l4;
  const bool tcp = kind == FrameKind::tcp || kind == FrameKind::closed_tcp_port;
  if (kind == FrameKind::runt) size = 60;  // 56 bytes + FCS
  if (kind == FrameKind::oversize) size = 1600;
  const uint32_t hdr = tcp ? kHdrTcp : kHdrUdp;
  const uint32_t data_len = size - 4;
  const uint32_t plen = data_len > hdr ? data_len - hdr : 0;
  std::vector<uint8_t> payload(plen);
  for (uint32_t i = 0; i < plen; ++i) payload[i] = payload_byte(f.id, i);
  if (kind == FrameKind::tcp) {
    f.flow = next_tcp_++ % cfg_.tcp_flows;
    ip.saddr = src_ip_ + cfg_.udp_flows + f.flow;
    l4.sport = static_cast<uint16_t>(40000 + f.flow);
    l4.dport = static_cast<uint16_t>(cfg_.tcp_port + f.flow);
    l4.seq = tcp_next_seq_[f.flow];
    l4.ack_seq = 1;
    l4.tcp_flags = 0x10;  // ACK
    f.tcp_seq = l4.seq;
    tcp_next_seq_[f.flow] += plen;
    ip.id = tcp_ip_id_[f.flow]++;  // a sender's IP ID grows by one per segment of the flow
  } else if (kind == FrameKind::closed_tcp_port) {
    ip.saddr = src_ip_;
    l4.sport = 39999;
    l4.dport = 9;  // discard: nobody listens
    l4.tcp_flags = 0x10;
  } else {
    f.flow = kind == FrameKind::udp ? next_udp_++ % cfg_.udp_flows : 0;
    ip.id = kind == FrameKind::udp ? udp_ip_id_[f.flow]++ : static_cast<uint16_t>(f.id);
    ip.saddr = udp_flow_saddr(cfg_, src_ip_, f.flow);
    l4.sport = static_cast<uint16_t>(30000 + f.flow);
    l4.dport = static_cast<uint16_t>(kind == FrameKind::closed_udp_port ? 9 : cfg_.udp_port + f.flow);
    ip.bad_hdr_csum = kind == FrameKind::bad_ip_csum;
  }
  f.data = tcp ? eth::tcp_frame(dst, src, payload, ip, l4) : eth::udp_frame(dst, src, payload, ip, l4);
  if (f.data.size() != data_len) f.data.resize(data_len);  // runts keep their short length
  f.bad_fcs = kind == FrameKind::bad_fcs;
  f.payload_offset = hdr;
  f.payload_len = plen;
}

uint64_t TrafficGen::ReplayClock::next(uint64_t ts_ns, size_t wire_bytes, bool* backwards) {
  *backwards = started && ts_ns < max_ts_ns;
  if (!started) {
    started = true;
    first_ts_ns = max_ts_ns = ts_ns;
  } else if (rate_gbps == 0) {
    max_ts_ns = std::max(max_ts_ns, ts_ns);
    // A record 2^63 ps (106 days) or more after the first is after the end
    // of any run (run.duration_us <= 1e9 us): kept there, not wrapped to an
    // early time (fuzz/corpus/pcap/crash-span-past-64-bit-ps).
    t_ps = std::min<uint64_t>(max_ts_ns - first_ts_ns, (UINT64_MAX / 2) / 1000) * 1000;
  } else {
    t_ps += static_cast<uint64_t>(std::llround((prev_wire_bytes + kPreambleAndGap) * 8.0 * 1000.0 / rate_gbps));
  }
  prev_wire_bytes = wire_bytes;
  return t_ps;
}

size_t TrafficGen::replay_len(const TrafficConfig& cfg, size_t captured_len) {
  return cfg.pcap_pad ? std::max<size_t>(captured_len, 60) : captured_len;
}

TrafficGen::ReplayScan TrafficGen::scan_replay(const TrafficConfig& cfg) {
  CaptureReader scan(cfg.pcap);
  CapturedFrame c;
  ReplayClock clock;
  clock.rate_gbps = cfg.pcap_rate_gbps;
  ReplayScan r;
  bool backwards = false;
  while (scan.next(c)) {
    ++r.records;
    r.span_ps = clock.next(c.ts_ns, replay_len(cfg, c.data.size()) + 4, &backwards);
  }
  return r;
}

uint64_t TrafficGen::gap_ps(uint32_t wire_bytes) {
  // Mean time per frame at the offered rate: (bytes + preamble + gap) * 8 / rate.
  const double mean_ps = (wire_bytes + kPreambleAndGap) * 8.0 * 1000.0 / cfg_.rate_gbps;
  if (cfg_.pattern == "poisson")
    return static_cast<uint64_t>(std::exponential_distribution<double>(1.0 / mean_ps)(rng_));
  return static_cast<uint64_t>(std::llround(mean_ps));
}

bool TrafficGen::next(GenFrame& f) {
  f = GenFrame{};
  f.id = next_id_;
  if (cfg_.pattern == "pcap") {
    if (!have_pending_ && !replay_->next(pending_)) return false;
    have_pending_ = false;
    CapturedFrame& c = pending_;
    const size_t len = replay_len(cfg_, c.data.size());
    bool backwards = false;
    f.t_ps = clock_.next(c.ts_ns, len + 4, &backwards);
    if (backwards && backwards_++ == 0) first_backwards_ = replay_->records();
    f.data = std::move(c.data);
    // A sending host's MAC pads what it sends to the Ethernet minimum, after
    // the capture saw it (a capture taken there holds the short frame).
    if (len > f.data.size()) {
      f.data.resize(len, 0);
      ++padded_;
    }
    f.kind = FrameKind::replay;
    ++next_id_;
    return true;
  }
  const FrameKind kind = pick_kind();
  build(f, kind, pick_size());
  f.t_ps = t_ps_;
  t_ps_ += gap_ps(static_cast<uint32_t>(f.wire_bytes()));
  if (cfg_.pattern == "onoff") {
    // Bursts of on_us at the offered rate, then off_us of silence.
    const uint64_t on = static_cast<uint64_t>(cfg_.on_us * 1e6), off = static_cast<uint64_t>(cfg_.off_us * 1e6);
    const uint64_t period = on + off;
    if (period > 0 && t_ps_ % period >= on) t_ps_ = (t_ps_ / period + 1) * period;
  }
  ++next_id_;
  return true;
}

}  // namespace rxpath::tb
