// SPDX-License-Identifier: MIT
// Trace triggers: an event whose first occurrence places the trace window.
//
//   mpc              the first frame the packet buffer drops (MPC)
//   rnbc             the first frame that finds no descriptor (RNBC)
//   time_squeeze     the first net_rx_action that runs out of time
//                    (a host signal named *.time_squeeze becoming >= 1)
//   packet:N         frame N's first character on XGMII (xgmii_start)
//   NAME >= X        a host signal (host.sock.fd5.rx_queue) or a NIC counter
//                    counted from NicEvents (nic.mpc, nic.rnbc, nic.rqdpc,
//                    nic.crcerrs, ..., nic.frames, nic.msix) reaching X
//                    (also >, ==)
//
// The simulation is deterministic: a first pass watches the trigger only and
// finds its time T; the second pass traces [T - before, T + after].
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace rxpath::waves {

class Trigger {
 public:
  enum class Kind { threshold, packet };
  enum class Op { ge, gt, eq };

  // Parses `expr`; throws std::invalid_argument ("--trigger 'x': ...") when
  // it is not one of the forms above.
  static Trigger parse(const std::string& expr);

  const std::string& text() const { return text_; }
  Kind kind() const { return kind_; }
  // threshold: the signal or counter name; "*.time_squeeze" matches any
  // signal whose last part is time_squeeze.
  const std::string& name() const { return name_; }
  uint64_t packet() const { return packet_; }
  bool is_nic_counter() const { return name_.rfind("nic.", 0) == 0; }
  bool matches(const std::string& signal_path) const;

  // The NIC counters the recorder derives from NicEvents.
  static const std::vector<std::string>& nic_counters();

  // Observations (per source, times never go back). The trigger time is the
  // earliest over everything observed.
  void value(uint64_t v, uint64_t t_ps) {
    if (hit(v)) fire(t_ps);
  }
  void frame_start(uint64_t id, uint64_t t_ps) {
    if (kind_ == Kind::packet && id == packet_) fire(t_ps);
  }
  bool fired() const { return fired_; }
  uint64_t time_ps() const { return t_ps_; }

 private:
  bool hit(uint64_t v) const { return op_ == Op::ge ? v >= x_ : op_ == Op::gt ? v > x_ : v == x_; }
  void fire(uint64_t t) {
    if (!fired_ || t < t_ps_) t_ps_ = t;
    fired_ = true;
  }
  std::string text_, name_;
  Kind kind_ = Kind::threshold;
  Op op_ = Op::ge;
  uint64_t x_ = 1, packet_ = 0;
  bool fired_ = false;
  uint64_t t_ps_ = 0;
};

}  // namespace rxpath::waves
