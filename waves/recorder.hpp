// SPDX-License-Identifier: MIT
// waves::Recorder: the one observer the testbench attaches to the host model
// (Kernel::set_tracer) and to the NIC (NicSc::on_event -> nic()). It fans out
// to what the run asked for:
//   - host signals for the FST (HostSignals; HostFst writes them into the RTL's FST as the run goes),
//   - one packet's journey (waves::Journey, --journey N),
//   - the timeline (waves::Timeline, --timeline FILE.json),
//   - a trigger (waves::Trigger, pass 1 of --trigger).
// All obey one window [start, stop] (ps). With nothing asked for, every call
// returns after a test or two.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "nic/nic_events.hpp"
#include "stack/trace.hpp"
#include "waves/host_signals.hpp"
#include "waves/trigger.hpp"

namespace rxpath::waves {

class Journey;
class Timeline;

// An sc_time as whole picoseconds.
uint64_t ps_of(const sc_core::sc_time& t);

// A NIC event as a journey/timeline stage: cpu = Stage::kNic, name =
// nic_stage_name, cycle, t = cycle * 6.4 ns, detail with queue, index,
// address and length, drop = the counter for the drop stages.
stack::Stage stage_of(const nic::NicEvent& e);

class Recorder : public stack::Tracer {
 public:
  Recorder();
  ~Recorder() override;

  // ---- what to keep (before the run) ----
  // The window, ps (stop >= start; throws std::invalid_argument otherwise).
  void set_window(uint64_t start_ps, uint64_t stop_ps);
  uint64_t start_ps() const { return sig_.start_ps(); }
  uint64_t stop_ps() const { return sig_.stop_ps(); }
  // Keep host signal changes for the FST (off: values only, no history).
  void keep_signals(bool on) { sig_.set_recording(on); }
  // Follow frame `id` (its journey).
  void follow(uint64_t id);
  // Keep the timeline.
  void keep_timeline();
  // Watch a trigger; its signal is looked up among the declared ones.
  void watch(const Trigger& t);
  // After the model has declared its signals: throws std::invalid_argument
  // when the trigger names a signal nobody declared.
  void check_trigger() const;

  // ---- NIC side (the testbench calls it from NicSc::on_event) ----
  void nic(const nic::NicEvent& e);
  // Whether anything asked for needs the NIC's events (a journey, the
  // timeline, a NIC trigger); the FST alone does not (the RTL is in it), so
  // the bridge need not follow frames at all.
  bool wants_nic() const {
    return journey_ || timeline_ || (trig_ && (trig_->kind() == Trigger::Kind::packet || trig_->is_nic_counter()));
  }

  // The host model's packet id of frame `frame` (skb->trace_id, what the
  // driver's IgbAdapter::trace_id_of returns): the frame's number plus one,
  // so that frame 0 has one too (0 is "no packet's" in stack::Stage). The
  // Recorder turns them back into frame numbers: the journey and the
  // timeline name frames as the traffic and the NIC do.
  static constexpr uint64_t host_id(uint64_t frame) { return frame + 1; }

  // ---- stack::Tracer (host stages carry host_id()s) ----
  int signal(const std::string& path, unsigned bits) override;
  void set(int sig, uint64_t value, sc_core::sc_time t) override;
  void set_str(int sig, const char* value, sc_core::sc_time t) override;
  void begin(int cpu, const char* func, sc_core::sc_time t) override;
  void end(int cpu, const char* func, sc_core::sc_time t) override;
  bool wants(uint64_t trace_id) const override;
  void stage(const stack::Stage& s) override;

  // ---- results ----
  const HostSignals& signals() const { return sig_; }
  HostSignals& signals() { return sig_; }  // HostFst drains it while the run goes
  Journey* journey() { return journey_.get(); }
  Timeline* timeline() { return timeline_.get(); }
  const Trigger* trigger() const { return trig_.get(); }
  // NIC counters derived from the events so far (Trigger::nic_counters() order).
  uint64_t nic_counter(const std::string& name) const;

 private:
  void count(size_t k, uint64_t t_ps);

  HostSignals sig_;
  std::unique_ptr<Journey> journey_;
  std::unique_ptr<Timeline> timeline_;
  std::unique_ptr<Trigger> trig_;
  std::vector<uint8_t> watched_;    // host signal -> the trigger looks at it
  size_t trig_counter_ = SIZE_MAX;  // index of the NIC counter the trigger looks at
  std::vector<uint64_t> nic_counts_;
  double ps_per_unit_ = 1;  // sc_time value() units -> ps
};

}  // namespace rxpath::waves
