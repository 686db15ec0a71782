// SPDX-License-Identifier: MIT
// fuzz_pcap: the input is a capture file (pcap or pcapng) as `rxpath`
// replays it (traffic.pattern = "pcap"): read_capture() reads it whole, and
// the replay source (TrafficGen) scans it, then offers its frames, at
// capture timing and at a fixed rate.
//
// Either it is refused with a clean error (PcapError or
// std::invalid_argument, with a message), or every frame read is whole
// (the captured bytes are the frame's length on the wire, at least an
// Ethernet header), the source offers as many frames as the capture holds,
// in time order, each at least 60 bytes when padding is on. Anything else (a
// crash, a sanitizer report, a frame out of time order) is a finding.
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "testbench/pcap_io.hpp"
#include "testbench/traffic.hpp"

namespace {

using namespace rxpath::tb;

[[noreturn]] void finding(const std::string& what) {
  std::fprintf(stderr, "fuzz_pcap: %s\n", what.c_str());
  std::abort();
}

void clean(const std::exception& e) {
  if (std::string(e.what()).empty()) finding("an error without a message");
}

// The input as a file (libpcap reads files), one per process, rewritten per input.
const std::string& scratch() {
  static const std::string path = [] {
    const char* dir = std::getenv("TMPDIR");
    return std::string(dir && *dir ? dir : "/tmp") + "/rxpath-fuzz-pcap-" + std::to_string(::getpid()) + ".pcap";
  }();
  return path;
}

void write_file(const std::string& path, const uint8_t* data, size_t size) {
  FILE* f = std::fopen(path.c_str(), "wb");
  if (!f) finding("cannot write " + path);
  if (size && std::fwrite(data, 1, size, f) != size) finding("cannot write " + path);
  std::fclose(f);
}

// Offers the whole capture through the replay source and checks what it offers.
void replay(const std::string& path, size_t records, double rate_gbps, bool pad) {
  TrafficConfig t;
  t.pattern = "pcap";
  t.pcap = path;
  t.pcap_rate_gbps = rate_gbps;
  t.pcap_pad = pad;
  TrafficGen gen(t, parse_mac("02:00:00:00:00:10"), parse_ipv4("10.0.1.2"));
  if (gen.replay_records() != records)
    finding("the replay scan counts " + std::to_string(gen.replay_records()) + " records, read_capture " +
            std::to_string(records));
  GenFrame f;
  uint64_t last_ps = 0, n = 0;
  while (gen.next(f)) {
    ++n;
    if (f.t_ps < last_ps)
      finding("frame " + std::to_string(n) + " is offered at " + std::to_string(f.t_ps) + " ps, before frame " +
              std::to_string(n - 1) + " at " + std::to_string(last_ps) + " ps");
    last_ps = f.t_ps;
    if (f.data.size() < (pad ? 60u : 14u)) finding("frame " + std::to_string(n) + " is too short to send");
  }
  if (n != records)
    finding("the replay offered " + std::to_string(n) + " frames of " + std::to_string(records) + " records");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string& path = scratch();
  write_file(path, data, size);
  size_t records = 0;
  try {
    for (const CapturedFrame& c : read_capture(path)) {
      ++records;
      if (c.data.size() != c.orig_len || c.data.size() < 14)
        finding("record " + std::to_string(records) + ": " + std::to_string(c.data.size()) + " bytes captured of " +
                std::to_string(c.orig_len));
    }
  } catch (const PcapError& e) {
    clean(e);
    return 0;
  }
  try {
    replay(path, records, 0, true);
    replay(path, records, 10, false);
  } catch (const PcapError& e) {
    clean(e);
  } catch (const std::invalid_argument& e) {
    clean(e);
  }
  return 0;
}
