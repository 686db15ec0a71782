// SPDX-License-Identifier: Apache-2.0
// waves/timeline.hpp: host and NIC on one timeline, written as Chrome
// trace-event JSON (the "JSON Object Format": {"traceEvents":[...],
// "displayTimeUnit":"ns"}, ts in microseconds) that Perfetto and
// chrome://tracing open.
//
//   process "host" (pid 1): one thread per CPU (tid = cpu, "cpu0", ...) with
//     the function spans as B/E events, kept properly nested per thread, and
//     each packet stage as an instant event ("i", thread scope);
//   process "NIC" (pid 2): threads "MAC" (a frame from /S/ to its verdict,
//     or to the next frame's /S/ when the verdict comes later; X events named
//     "frame #<id>"), "packet buffer" (stored until given a descriptor, X),
//     "descriptors" (RNBC wait, descriptor assigned, writeback), "DMA" (each
//     write burst, X, ceil(len / beat) cycles, len from "len N" or "len=N" in
//     the stage detail) and "interrupts" (MSI-X: one clock-cycle X event per
//     message, not an instant, so flows can bind to it). Slices that overlap
//     on a lane go to further rows of it ("packet buffer 2", tid + 16 * row),
//     at most 12; beyond that a slice is drawn for its first cycle in a last
//     row "... (more: first cycle of each)";
//   flow events ("s"/"t"/"f", cat "packet", id = packet id, "bp":"e") join one
//     packet's stages in time order from xgmii_start to its last stage, each
//     written right after the slice or instant it binds to (a NIC slice, or
//     the host stage inside the span it ran in). NIC frames keep their id even
//     when it is 0; host stages with trace_id 0 (no known packet) join no flow;
//   counter events ("C") for the values the Recorder forwards.
//
// Inside a window only what happens in [start, stop] is kept: spans open when
// the window opens begin at its start, spans and NIC slices still open at the
// end close at its stop (or at the last time seen without a window); a
// counter's last value before the window is shown at its start. An end()
// that does not match the innermost open span is repaired (inner spans are
// closed first; an end with no open span is ignored) and counted in
// repairs() and in the JSON's otherData. The same input gives the same bytes.
//
// Events are kept compactly (48 bytes each, names interned, detail text in
// one arena); memory_bytes() tells how much is held.
#pragma once

#include "stack/trace.hpp"

#include <systemc>

#include <cstdint>
#include <iosfwd>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

namespace rxpath::waves {

class Timeline {
 public:
  Timeline();

  // Keep only what happens in [start, stop] (default: everything).
  void set_window(sc_core::sc_time start, sc_core::sc_time stop);
  // Bytes per DMA data beat: a dma_write of len bytes is drawn for
  // ceil(len / beat) clock cycles (default 16, the 128-bit AXI data bus).
  void set_dma_beat_bytes(unsigned bytes);

  // A CPU the host has: it gets its lane ("cpuN") even when nothing runs on
  // it inside the window (the Recorder calls it for each host.cpu<N>.context).
  void add_cpu(int cpu) { cpu_state(cpu); }
  void begin(int cpu, const char* func, sc_core::sc_time t);
  void end(int cpu, const char* func, sc_core::sc_time t);
  // Host and NIC stages of every packet. A host stage is a packet's (a flow
  // arrow links it) when `packet`; without it, when its trace_id is not 0.
  void stage(const stack::Stage& s, bool packet);
  void stage(const stack::Stage& s) { stage(s, s.trace_id != 0); }
  void counter(const std::string& name, uint64_t value, sc_core::sc_time t);  // "C" events
  void write(std::ostream& os) const;                                         // Chrome trace-event JSON

  uint64_t repairs() const { return repairs_; }  // nesting repairs and clamped span times
  const std::string& first_problem() const { return first_problem_; }
  size_t events() const { return ev_.size(); }
  size_t memory_bytes() const;

 private:
  static constexpr uint32_t kNone = UINT32_MAX;
  static constexpr uint64_t kNoTime = UINT64_MAX;
  static constexpr uint8_t kFlow = 1, kHasDrop = 2;
  struct Ev {
    uint64_t ts;    // ps
    uint64_t dur;   // X: ps; C: the value
    uint64_t id;    // packet id (0: none)
    uint32_t name;  // interned name
    uint32_t args;  // arena offset of the detail (and drop counter, flow & kHasDrop), or kNone
    uint32_t skb;   // index into skbs_, or kNone
    uint32_t seq;   // input order (ties at equal ts)
    int16_t tid;
    uint8_t pid;
    char ph;       // 'B' 'E' 'X' 'i' 'C'; 'a': a flow anchor only (not written)
    uint8_t flow;  // kFlow: a point of its packet's flow; kHasDrop: args holds a drop counter
  };
  // Append-only storage in fixed blocks: no 2x capacity slack and no copy
  // of everything when it grows.
  template <class T, size_t kBlock = 65536>
  class Chunked {
   public:
    void push_back(const T& v) {
      if (n_ % kBlock == 0) blocks_.emplace_back(new T[kBlock]);
      blocks_.back()[n_++ % kBlock] = v;
    }
    T& back() { return blocks_.back()[(n_ - 1) % kBlock]; }
    T& operator[](size_t i) { return blocks_[i / kBlock][i % kBlock]; }
    const T& operator[](size_t i) const { return blocks_[i / kBlock][i % kBlock]; }
    size_t size() const { return n_; }
    bool empty() const { return n_ == 0; }
    size_t bytes() const { return blocks_.size() * kBlock * sizeof(T) + blocks_.capacity() * sizeof(void*); }

   private:
    std::vector<std::unique_ptr<T[]>> blocks_;
    size_t n_ = 0;
  };
  // Strings (NUL-terminated) in 1 MiB blocks; an offset names one.
  class Arena {
   public:
    uint32_t add(const std::string& a, const char* b);  // a NUL [b NUL]
    const char* at(uint32_t off) const { return blocks_[off >> 20].get() + (off & 0xfffff); }
    size_t bytes() const { return blocks_.size() << 20; }

   private:
    std::vector<std::unique_ptr<char[]>> blocks_;
    size_t used_ = 1 << 20;  // in the last block
  };
  struct Skb {
    uint32_t data, tail, end, len, data_len, truesize;
  };
  struct Open {
    uint32_t name;
    bool emitted;  // its B is in ev_
  };
  struct Cpu {
    std::vector<Open> stack;
    uint64_t last_ps = 0;
    bool opened = false;  // the window has opened on this CPU
  };
  struct Pending {  // a frame's NIC ranges still open
    uint64_t mac = kNoTime, pb = kNoTime, rnbc = kNoTime;
    uint32_t mac_seq = 0, pb_seq = 0, rnbc_seq = 0;
  };

  class Writer;  // write(), phase by phase (timeline.cpp)

  uint32_t intern(const char* s);
  uint32_t args(const std::string& detail, const char* drop, uint8_t* flags);
  bool in_window(uint64_t ps) const { return ps >= start_ps_ && ps <= stop_ps_; }
  Cpu& cpu_state(int cpu);
  void open_window(int cpu, Cpu& c);
  Ev& push(char ph, uint8_t pid, int16_t tid, uint64_t ts, uint32_t name);
  void nic_stage(const stack::Stage& s, uint64_t ps);
  void nic_range(uint64_t start, uint32_t seq, uint64_t end, int16_t tid, const char* name, uint64_t id,
                 const stack::Stage* args_from);
  void problem(const std::string& what);

  uint64_t start_ps_ = 0, stop_ps_ = UINT64_MAX;
  bool windowed_ = false;
  unsigned beat_bytes_ = 16;
  uint32_t seq_ = 0;
  uint64_t max_ps_ = 0;
  bool other_used_ = false;  // a NIC stage of no known block: lane "other"

  Chunked<Ev> ev_;
  Chunked<Skb, 16384> skbs_;
  Arena arena_;
  std::vector<std::string> names_;
  std::unordered_map<const char*, uint32_t> name_by_ptr_;
  std::unordered_map<std::string, uint32_t> name_by_text_;
  std::vector<Cpu> cpus_;  // index cpu
  std::unordered_map<uint64_t, Pending> pending_;
  std::unordered_map<uint32_t, uint64_t> before_window_;  // counter name -> last value before the window
  uint64_t repairs_ = 0;
  std::string first_problem_;
};

}  // namespace rxpath::waves
