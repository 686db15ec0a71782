// SPDX-License-Identifier: MIT
// Scoreboard: what the traffic offered on the wire, checked byte by byte
// against what each socket's recv() returned, and the latency of every
// delivered frame from its first bit on the wire.
//
//   UDP     one datagram per frame; its number is in its first 8 bytes and
//           every byte follows TrafficGen::payload_byte.
//   TCP     the stream of each flow, byte by byte against the segments sent;
//           a frame's latency is taken when its last byte is returned.
//   replay  a datagram must be the next one replayed to its port that the
//           host did not drop; IPv4 fragments are reassembled first (as
//           ip_defrag does), so the datagram expected is the whole one. A
//           TCP flow's stream is rebuilt from the replayed segments of its
//           connection by sequence number (retransmissions and reordering
//           included), and recv() must return it byte by byte.
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <string>
#include <tuple>
#include <vector>

#include "stack/kernel.hpp"
#include "testbench/report.hpp"
#include "testbench/traffic.hpp"

namespace rxpath::tb {

class Scoreboard {
 public:
  // `host_ip`: the receiving host (replayed TCP segments are matched to its
  // connections by their four addresses and ports).
  Scoreboard(const TrafficConfig& traffic, uint32_t host_ip);

  // The reader's socket `fd` receives flow `flow` of UDP or TCP.
  void add_socket(int fd, bool tcp, uint32_t flow);
  // `f` goes on the wire (call in wire order).
  void offered(const GenFrame& f);
  // Frame `id`'s first character was on the wire at `t_ps`.
  void wire_start(uint64_t id, uint64_t t_ps);
  // A recv() returned `d`, at `t_ps` (d.time in ps).
  void delivered(const stack::Delivery& d, uint64_t t_ps);
  // After delivered(d) on a TCP socket: the stream offset one past the
  // bytes checked so far.
  uint64_t stream_offset(int fd) const { return socks_.at(fd).stream_off; }

  uint64_t offered_frames() const { return fig_.offered_frames; }
  const TrafficFigures& figures() const { return fig_; }

 private:
  struct Seg {
    uint64_t stream_off;  // offset of the segment's first byte in the flow's stream
    uint32_t len;
    uint64_t id;
  };
  struct Sock {
    bool tcp = false;
    uint32_t flow = 0;
    uint64_t stream_off = 0;  // TCP: bytes of the stream delivered so far
  };
  struct Replayed {
    uint64_t id;
    std::vector<uint8_t> payload;
  };
  // A datagram being reassembled from replayed fragments.
  struct FragQueue {
    std::map<uint32_t, std::vector<uint8_t>> parts;  // byte offset -> fragment payload
    uint32_t total = 0;                              // known once the last fragment came
    bool bad = false;                                // overlap: the kernel drops it all
    std::vector<uint8_t> first_hdr;                  // IPv4 header of the offset-0 fragment
  };
  // The stream of a replayed TCP flow from `base` (the bytes delivered so
  // far) on: -1 where no replayed segment carried the byte.
  struct ReplayStream {
    uint64_t base = 0;
    std::deque<int16_t> bytes;
    std::map<uint64_t, uint64_t> ends;  // stream offset one past a segment -> its frame
  };
  void expect_replayed(const GenFrame& f);
  void expect_ip_payload(uint64_t id, uint32_t saddr, uint32_t daddr, uint8_t proto, const uint8_t* l4, size_t len);
  void check_replayed_tcp(Sock& s, const stack::Delivery& d, uint64_t t_ps);
  void check_udp(const stack::Delivery& d, uint64_t t_ps);
  void check_replayed(Sock& s, const stack::Delivery& d, uint64_t t_ps);
  void check_tcp(Sock& s, const stack::Delivery& d, uint64_t t_ps);
  void latency_sample(uint64_t id, uint64_t t_ps);

  TrafficConfig cfg_;
  std::map<int, Sock> socks_;
  std::vector<std::deque<Seg>> tcp_segs_;              // per TCP flow
  std::map<uint16_t, std::deque<Replayed>> replayed_;  // UDP port -> datagrams replayed to it
  std::map<std::tuple<uint32_t, uint32_t, uint16_t, uint8_t>, FragQueue> frags_;  // (saddr, daddr, id, proto)
  std::vector<ReplayStream> replay_tcp_;                                          // per TCP flow
  uint32_t host_ip_ = 0, src_ip_ = 0;
  std::vector<uint64_t> wire_start_ps_;  // by frame id
  TrafficFigures fig_;
};

}  // namespace rxpath::tb
