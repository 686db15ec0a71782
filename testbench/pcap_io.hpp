// SPDX-License-Identifier: MIT
// pcap and pcapng through libpcap: reading captures to replay on the wire,
// writing the wire and what each socket delivered (Wireshark reads both).
#pragma once

#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "testbench/output_file.hpp"

struct pcap;
struct pcap_dumper;

namespace rxpath::tb {

// A malformed or unsupported capture: what() names the file and the record.
class PcapError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct CapturedFrame {
  uint64_t ts_ns = 0;         // capture timestamp, nanoseconds since the epoch
  uint32_t orig_len = 0;      // length on the wire (without FCS, as captured)
  std::vector<uint8_t> data;  // captured bytes (may be shorter than orig_len)
};

// Reads a pcap or pcapng file with Ethernet link type one record at a time
// (a replay holds one frame, whatever the size of the capture).
class CaptureReader {
 public:
  // Throws PcapError for a missing or unreadable file or another link type.
  explicit CaptureReader(const std::string& path);
  ~CaptureReader();
  CaptureReader(const CaptureReader&) = delete;
  CaptureReader& operator=(const CaptureReader&) = delete;
  // The next record into `f`; false at the end of the file. Throws PcapError
  // as read_capture() does.
  bool next(CapturedFrame& f);
  // Records read so far (the number of the last one returned).
  uint64_t records() const { return n_; }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
  pcap* p_ = nullptr;
  uint64_t n_ = 0;
};

// Reads every frame of a pcap or pcapng file with Ethernet link type.
// Throws PcapError for a missing file, another link type, a truncated or
// corrupt record ("<file>: record <n>: ..."), or a snapshot-truncated frame
// (which could not be replayed faithfully).
std::vector<CapturedFrame> read_capture(const std::string& path);

// Writes an Ethernet pcap with nanosecond timestamps, atomically: the file
// appears at close() and not before; destroyed without close(), it never
// appears.
class PcapWriter {
 public:
  explicit PcapWriter(const std::string& path, uint32_t snaplen = 65535);
  ~PcapWriter();
  PcapWriter(const PcapWriter&) = delete;
  PcapWriter& operator=(const PcapWriter&) = delete;

  // Throws PcapError naming the file when the write failed (a full disk).
  void write(uint64_t ts_ns, const uint8_t* data, size_t len);
  void write(uint64_t ts_ns, const std::vector<uint8_t>& b) { write(ts_ns, b.data(), b.size()); }
  uint64_t frames() const { return frames_; }
  // Throws PcapError naming the file when a write, the flush or the sync
  // failed (every record is checked); the file then never appears.
  void close();

 private:
  [[noreturn]] void fail_write(int err);
  OutputFile out_;
  pcap* dead_ = nullptr;
  pcap_dumper* dumper_ = nullptr;
  uint32_t snaplen_;
  uint64_t frames_ = 0;
};

}  // namespace rxpath::tb
