// SPDX-License-Identifier: MIT
// Traffic sources: what arrives on the wire, frame by frame, at which time.
//
// A source makes Ethernet frames with real IPv4/UDP/TCP headers and
// checksums for a set of flows, paced by a pattern (constant rate, Poisson,
// on/off bursts) with a frame-size distribution (fixed, IMIX, uniform), and
// injects faults at chosen rates (bad FCS, runts, oversize frames, bad IPv4
// header checksum, closed ports, frames for another station). Or it replays
// a pcap/pcapng capture at capture timing or at a given rate.
//
// Every frame carries its number in the first 8 payload bytes (big endian),
// and the rest of its payload is a function of that number, so what a socket
// delivers can be checked byte for byte against what was sent.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <ostream>
#include <random>
#include <string>
#include <vector>

#include "testbench/knobs.hpp"
#include "testbench/pcap_io.hpp"

namespace rxpath::tb {

using MacAddr = std::array<uint8_t, 6>;

// Parses "02:00:00:00:00:01"; throws std::invalid_argument naming the text.
MacAddr parse_mac(const std::string& s);
// Parses dotted-quad IPv4 into host byte order; throws std::invalid_argument.
uint32_t parse_ipv4(const std::string& s);
std::string format_ipv4(uint32_t a);

// What the frame is, for the scoreboard: where it should end up.
enum class FrameKind : uint8_t {
  udp,              // to an open UDP port: delivered (or a host-side drop)
  tcp,              // in-order segment of an established TCP flow
  bad_fcs,          // CRCERRS
  runt,             // RUC (good FCS, shorter than 64 bytes)
  oversize,         // ROC (good FCS, longer than the maximum)
  bad_ip_csum,      // NIC sets IPE; the host counts InCsumErrors/InHdrErrors
  closed_udp_port,  // NoPorts + ICMP port unreachable
  closed_tcp_port,  // RST, OutRsts
  other_host,       // dropped by the NIC's address filter
  replay,           // from a capture: fate unknown in advance
  count
};
const char* frame_kind_name(FrameKind k);
struct TrafficConfig;
// The source address of UDP flow `flow` (traffic.src_ip, traffic.udp_sources).
uint32_t udp_flow_saddr(const TrafficConfig& cfg, uint32_t src_ip, uint32_t flow);
inline std::ostream& operator<<(std::ostream& os, FrameKind k) { return os << frame_kind_name(k); }

struct TrafficConfig {
  std::string pattern = "constant";  // constant | poisson | onoff | pcap
  double rate_gbps = 10.0;           // offered load on the wire, preamble and gap included
  std::string size = "64";           // "64", "imix", "uniform:MIN:MAX" (frame bytes with FCS)
  uint32_t udp_flows = 4;
  uint32_t tcp_flows = 0;
  uint32_t udp_port = 9000;    // flow i goes to udp_port + i
  uint32_t tcp_port = 5001;    // flow i goes to tcp_port + i
  uint32_t tcp_isn = 1000000;  // the peer's ISN of every TCP flow (first byte isn + 1)
  std::string src_mac = "02:00:00:00:00:01";
  std::string src_ip = "10.0.0.1";  // flow i comes from src_ip + i
  uint32_t udp_sources = 0;         // UDP flow i comes from src_ip + (i mod udp_sources); 0: one source per flow
  double on_us = 50, off_us = 50;   // onoff pattern
  double bad_fcs_ppm = 0, runt_ppm = 0, oversize_ppm = 0, bad_ip_csum_ppm = 0;
  double closed_udp_ppm = 0, closed_tcp_ppm = 0, other_host_ppm = 0;
  std::string pcap;           // pattern "pcap": the capture to replay
  double pcap_rate_gbps = 0;  // 0 = capture timing; else back to back at this rate
  bool pcap_pad = true;       // frames under 60 bytes padded with zeros, as a sending MAC does
  uint64_t seed = 1;

  // Registers every field as a knob under "traffic.".
  void add_knobs(Knobs& k);
};

struct GenFrame {
  uint64_t id = 0;
  uint64_t t_ps = 0;          // wanted time of the first character on the wire
  std::vector<uint8_t> data;  // destination MAC .. payload, without FCS
  bool bad_fcs = false;       // send with an inverted FCS
  FrameKind kind = FrameKind::udp;
  uint32_t flow = 0;            // flow index within its kind
  uint32_t payload_offset = 0;  // where the L4 payload starts in data
  uint32_t payload_len = 0;
  uint32_t tcp_seq = 0;                                  // first sequence number (tcp)
  size_t wire_bytes() const { return data.size() + 4; }  // with FCS
};

class TrafficGen {
 public:
  // `host_mac`/`host_ip`: the receiving host. Throws std::invalid_argument
  // for impossible parameters and PcapError for a bad capture.
  TrafficGen(const TrafficConfig& cfg, const MacAddr& host_mac, uint32_t host_ip);
  // The next frame in time order; false when a replayed capture is exhausted.
  bool next(GenFrame& f);
  uint64_t frames() const { return next_id_; }

  // Replay only. Records stamped before an earlier record (sent without
  // waiting, right after it) and the first of them; records padded to the
  // Ethernet minimum.
  uint64_t replay_backwards() const { return backwards_; }
  uint64_t replay_first_backwards() const { return first_backwards_; }
  uint64_t replay_padded() const { return padded_; }
  // The capture's records (all of them, offered or not).
  uint64_t replay_records() const { return replay_records_; }

  // Reads the capture `cfg.pcap` once, a record at a time: throws PcapError
  // naming the first bad record; returns the number of records and the span.
  struct ReplayScan {
    uint64_t records = 0;
    uint64_t span_ps = 0;
  };
  static ReplayScan scan_replay(const TrafficConfig& cfg);

  // The payload byte at offset i of frame `id` (the check a scoreboard makes).
  static uint8_t payload_byte(uint64_t id, size_t i);
  // The number a generated frame carries (the first 8 bytes of its UDP or
  // TCP payload, big endian), read back from the frame's bytes; 0 when the
  // frame is not IPv4 UDP/TCP or its payload is shorter than 8 bytes
  // (*carries, when given, tells that case from frame 0).
  static uint64_t frame_id_of(const uint8_t* frame, size_t len, bool* carries = nullptr);

 private:
  uint32_t pick_size();
  FrameKind pick_kind();
  void build(GenFrame& f, FrameKind kind, uint32_t size);
  uint64_t gap_ps(uint32_t wire_bytes);

  // The send time of each replayed record, ps after the first: at capture
  // timing (a record stamped before one already sent goes right after it,
  // in file order, as tcpreplay sends it), or back to back at
  // pcap_rate_gbps. One rule for the run and for scan_replay().
  struct ReplayClock {
    double rate_gbps = 0;
    bool started = false;
    uint64_t first_ts_ns = 0, max_ts_ns = 0, t_ps = 0;
    size_t prev_wire_bytes = 0;
    // `backwards`: set when the record is stamped before an earlier one.
    uint64_t next(uint64_t ts_ns, size_t wire_bytes, bool* backwards);
  };
  // The size a record goes on the wire with: padded to the minimum (with
  // pcap_pad), then the FCS.
  static size_t replay_len(const TrafficConfig& cfg, size_t captured_len);

  TrafficConfig cfg_;
  MacAddr host_mac_, src_mac_;
  uint32_t host_ip_, src_ip_;
  std::mt19937_64 rng_;
  uint64_t next_id_ = 0;
  uint64_t t_ps_ = 0;
  uint32_t size_min_ = 64, size_max_ = 64;
  bool imix_ = false;
  uint32_t next_udp_ = 0, next_tcp_ = 0;
  std::vector<uint32_t> tcp_next_seq_;
  std::vector<uint16_t> tcp_ip_id_, udp_ip_id_;  // per flow, as a sender's socket keeps it
  std::unique_ptr<CaptureReader> replay_;        // read as the run goes
  CapturedFrame pending_;                        // the first record, read up front
  bool have_pending_ = false;
  ReplayClock clock_;
  uint64_t backwards_ = 0, first_backwards_ = 0, padded_ = 0, replay_records_ = 0;
};

}  // namespace rxpath::tb
