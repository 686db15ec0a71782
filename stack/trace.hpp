// SPDX-License-Identifier: Apache-2.0
// stack/trace.hpp: what the host model reports to an observer: state signals
// for the waveform, function spans per CPU for the timeline, and the stages
// of one packet for its journey. The observer (waves/Recorder, attached by the
// testbench) decides what it keeps; with no tracer attached the model builds
// nothing and pays one pointer test per trace point.
//
// Times are the CPU's true time: Cpu::effective_time() (now + debt) for work
// charged so far, SystemC now for arrivals.
#pragma once

#include <systemc>

#include <cstdint>
#include <string>
#include <vector>

namespace rxpath::stack {

struct sk_buff;

// The skb's pointers as offsets from head, as a student draws them.
struct SkbView {
  bool valid = false;
  uint32_t head = 0, data = 0, tail = 0, end = 0;  // offsets from head (head is 0)
  uint32_t len = 0, data_len = 0, truesize = 0;
  static SkbView of(const sk_buff* skb);
};

// One stage of one packet (or of a frame on the NIC side, cpu = kNic).
// A named value of a stage, for programs (the journey's JSON) beside the
// free text: "queue", "desc", "vector", "irq", "rss_hash", "backlog_cpu"
// as numbers; with `text`, a named value ("rss_type": "IPV4_UDP", a literal).
struct StageField {
  const char* key = "";
  uint64_t num = 0;
  const char* text = nullptr;
};

struct Stage {
  static constexpr int kNic = -1;
  uint64_t trace_id = 0;           // packet id (the traffic's frame id); 0 = not a packet's
  const char* name = "";           // kernel function or NIC stage: "ip_rcv", "xgmii_start", ...
  int cpu = kNic;                  // host CPU, or kNic
  sc_core::sc_time t;              // simulated time of the stage
  int64_t cycle = -1;              // NIC clock cycle (NIC stages); host stages: -1
  SkbView skb;                     // the skb at this layer (host stages that hold one)
  std::string detail;              // short free text: "fd 5 qlen 3", "GRO_MERGED", "desc 17"
  const char* drop = nullptr;      // non-null: the packet ends here, counted in this counter
  std::vector<StageField> fields;  // what `detail` says that a program reads (queue, vector, RSS hash, ...)
};

class Tracer {
 public:
  virtual ~Tracer() = default;

  // ---- state signals (beside the RTL in the FST) ----
  // Declares signal `path` ("host.cpu0.context", "host.napi.rx0.work") of
  // `bits` (1..64) bits, or a string signal when bits == 0. Returns its handle.
  virtual int signal(const std::string& path, unsigned bits) = 0;
  // The signal's value from time t on. Per signal, times never go back.
  virtual void set(int sig, uint64_t value, sc_core::sc_time t) = 0;
  virtual void set_str(int sig, const char* value, sc_core::sc_time t) = 0;

  // ---- function spans on a CPU (timeline) ----
  // Properly nested per CPU; a hard IRQ nests inside what it preempts.
  virtual void begin(int cpu, const char* func, sc_core::sc_time t) = 0;
  virtual void end(int cpu, const char* func, sc_core::sc_time t) = 0;

  // ---- packet stages (journey, timeline flows) ----
  // Cheap filter: false when nothing about this packet is kept (build no Stage).
  virtual bool wants(uint64_t trace_id) const = 0;
  virtual void stage(const Stage& s) = 0;
};

}  // namespace rxpath::stack
