// SPDX-License-Identifier: Apache-2.0
// waves/journey.hpp: one packet's journey, every hardware and software stage
// it passed in time order (XGMII start ... MSI-X, ISR, NAPI, GRO, ip_rcv ...
// recvmsg), with the skb's pointers at each layer, the time to the next stage,
// and how it ended: delivered (latency wire -> recv), dropped (the counter that
// counted it) or merged by GRO into another packet.
//
// Steps and context: a stage is a step of the journey when it handled this
// packet after the step before it (wire, MAC, packet buffer, descriptors,
// DMA, writeback, MSI-X, the poll that cleaned it, the stack, the socket
// enqueue, the wakeup, the reader's return and recv()); steps are listed in
// that order, and their times never go back. Stages that serve many packets
// and began before this one reached them (the interrupt that scheduled the
// NAPI session, the poll already running when the frame was written back,
// a reader's epoll_wait/select/poll return from before the packet was
// queued) are its context: listed apart, with their times and why.
//
// The Recorder (waves/recorder.hpp) feeds it every stack::Stage it sees, with
// frame numbers as ids (frame 0 included); the journey keeps those of its
// packet inside the window. A packet GRO merged
// into packet H (stage napi_gro_receive, detail "merged into H") goes on as
// packet H: host stages of H that arrive after the merge are kept too, marked
// with H's id (wants() tells the caller which ids the journey still takes).
#pragma once

#include "stack/trace.hpp"

#include <systemc>

#include <cstdint>
#include <iosfwd>
#include <string>
#include <vector>

namespace rxpath::waves {

// The NIC block a NIC stage happens in ("MAC", "packet buffer", "descriptors",
// "DMA", "interrupts"), by the stage's name (nic::nic_stage_name); "NIC"
// for a name it does not know.
const char* nic_block(const char* nic_stage);

// An sc_time as integer picoseconds (the NIC clock is 6400 ps).
uint64_t time_ps(const sc_core::sc_time& t);
constexpr uint64_t kNicCyclePs = 6400;
// A window stop at or after this (about 106 days) means "no end".
constexpr uint64_t kForeverPs = uint64_t(1) << 63;

class Journey {
 public:
  explicit Journey(uint64_t trace_id);
  uint64_t id() const { return id_; }

  // Keep only stages with start <= t <= stop (default: everything).
  void set_window(sc_core::sc_time start, sc_core::sc_time stop);

  // Every stage of this packet (stages of other packets are ignored, except
  // those of a packet this one was merged into, after the merge). Host
  // stages come with the packet's frame number: 0 is frame 0.
  void add(const stack::Stage& s);
  // True when add() would keep a stage of `trace_id` (a cheap filter).
  bool wants(uint64_t trace_id) const;
  // A host string signal's new value (the Recorder forwards its set_str):
  // host.cpu<N>.context tells where the softirq stages ran, "softirq" (on
  // IRQ exit) or "ksoftirqd"; other paths are ignored. Without it a stage's
  // context comes from its function alone.
  void host_string(const std::string& path, const char* value, sc_core::sc_time t);

  bool empty() const { return rows_.empty(); }
  std::string text() const;                 // readable table
  void write_json(std::ostream& os) const;  // machine-readable

 private:
  struct Row {
    uint64_t t_ps = 0;
    uint64_t seq = 0;     // arrival order (ties)
    uint64_t packet = 0;  // trace_id the stage came with
    int cpu = stack::Stage::kNic;
    int64_t cycle = -1;  // NIC cycle; -1 for host stages
    std::string name, detail, drop;
    bool has_drop = false;
    stack::SkbView skb;
    std::vector<stack::StageField> fields;
  };
  struct Outcome {
    // host_unknown: written back to the host, but no host stage carries
    // its number (a replayed capture's frames carry none), or the driver
    // had not cleaned it yet: the journey cannot tell which.
    enum Kind { in_flight, delivered, dropped, merged, host_unknown } kind = in_flight;
    const Row* at = nullptr;     // the stage that decided it
    const Row* first = nullptr;  // first stage (wire side) for the latency
    uint64_t into = 0;           // merged: the packet it went on as
    bool followed = false;       // merged: the journey follows `into`
  };
  // The journey laid out: its steps in causal order (times never go back)
  // and the context, stages that served this packet but began before it
  // reached them (the interrupt and NAPI poll already running, a reader's
  // return before the packet was queued), each with why it is context.
  struct Layout {
    std::vector<const Row*> steps;
    std::vector<std::pair<const Row*, std::string>> context;
    const Row* late_msix = nullptr;  // see late_msix()
  };
  Layout layout() const;
  // The packet's msix stage when it came after the driver cleaned the packet
  // (found by NAPI polling, not reported by that message); nullptr otherwise.
  const Row* late_msix(const std::vector<const Row*>& by_time) const;
  Outcome outcome(const std::vector<const Row*>& rows) const;
  std::string where(const Row& r) const;
  static int64_t cycle_of(const Row& r);

  uint64_t id_;
  uint64_t start_ps_ = 0, stop_ps_ = UINT64_MAX;
  bool windowed_ = false;
  std::vector<Row> rows_;
  std::vector<uint64_t> follow_;  // packets this one was merged into, in order
  // Per CPU: (time, context) at each change to or from softirq/ksoftirqd.
  std::vector<std::vector<std::pair<uint64_t, uint8_t>>> ctx_;
  uint64_t seq_ = 0;
};

}  // namespace rxpath::waves
