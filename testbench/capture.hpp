// SPDX-License-Identifier: MIT
// Captures of a run that Wireshark reads: the wire (every frame offered, at
// the time its first character is on the wire) and one file per socket
// holding what recv() returned, wrapped in the headers of the flow it came
// from: one UDP datagram per recv(), or TCP segments whose sequence numbers
// are the stream offsets.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "stack/kernel.hpp"
#include "testbench/pcap_io.hpp"
#include "testbench/traffic.hpp"

namespace rxpath::tb {

class Captures {
 public:
  Captures(const TrafficConfig& traffic, const MacAddr& host_mac, uint32_t host_ip);

  // Where to write (call before the run; without a call, nothing is written).
  void open_wire(const std::string& path);
  // One file per socket in `dir`, named after the flow's port.
  void open_socket(const std::string& dir, int fd, bool tcp, uint32_t flow);
  // What the host sends (ARP replies, TCP ACKs and RSTs, ICMP errors), each
  // frame at its send time, as a capture on the host would show it (short
  // frames unpadded: the MAC pads after the capture point).
  void open_tx(const std::string& path);
  void transmitted(uint64_t t_ps, const std::vector<uint8_t>& frame);

  // `f` goes on the wire; it is written when its first character is there.
  void offered(const GenFrame& f);
  void wire_start(uint64_t id, uint64_t t_ps);
  // recv() on `fd` returned `bytes` at `t_ps`, from `from` (UDP: the
  // datagram's source as recvfrom() gives it; the record carries it); for
  // TCP, `stream_end` is the stream offset one past them.
  void delivered(int fd, uint64_t t_ps, const std::vector<uint8_t>& bytes, uint64_t stream_end,
                 const stack::PeerAddr& from = {});

  // Completes every file.
  void close();

  // The first write that failed during the run ("" if none). The writes above
  // run inside simulation processes, where an exception would end the
  // simulation with those processes' stacks never unwound (what they hold
  // would never be freed): a failed file is given up and its error kept, and
  // System::run() throws it between two time slices.
  const std::string& error() const { return error_; }

 private:
  struct Sock {
    bool tcp = false;
    uint32_t flow = 0;
    std::unique_ptr<PcapWriter> pcap;
  };
  TrafficConfig cfg_;
  MacAddr host_mac_, src_mac_;
  uint32_t host_ip_, src_ip_;
  std::unique_ptr<PcapWriter> wire_, tx_;
  std::map<uint64_t, std::vector<uint8_t>> pending_wire_;  // offered, not yet on the wire
  std::map<int, Sock> socks_;
  std::string error_;

  void write(std::unique_ptr<PcapWriter>& w, uint64_t t_ps, const std::vector<uint8_t>& frame);
};

}  // namespace rxpath::tb
