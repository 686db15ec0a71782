// SPDX-License-Identifier: MIT
#include "waves/recorder.hpp"

#include <algorithm>
#include <cstdio>
#include <stdexcept>

#include "waves/journey.hpp"
#include "waves/timeline.hpp"

namespace rxpath::waves {

uint64_t ps_of(const sc_core::sc_time& t) {
  static const double unit = sc_core::sc_get_time_resolution().to_seconds() * 1e12;
  return static_cast<uint64_t>(static_cast<double>(t.value()) * unit + 0.5);
}

stack::Stage stage_of(const nic::NicEvent& e) {
  using nic::NicStage;
  stack::Stage s;
  s.trace_id = e.frame_id;
  s.name = nic::nic_stage_name(e.stage);
  s.cpu = stack::Stage::kNic;
  s.cycle = static_cast<int64_t>(e.cycle);
  s.t = sc_core::sc_time(static_cast<double>(e.cycle * 6400), sc_core::SC_PS);
  char buf[128];
  switch (e.stage) {
    case NicStage::xgmii_start:
      std::snprintf(buf, sizeof buf, "lane %u", e.index);
      break;
    case NicStage::mac_verdict:
      std::snprintf(buf, sizeof buf, "%s, %u bytes", e.verdict ? e.verdict : "", e.len);
      break;
    case NicStage::pktbuf_store:
      std::snprintf(buf, sizeof buf, "%u bytes", e.len);
      break;
    case NicStage::pktbuf_drop:
    case NicStage::mac_drop:
      std::snprintf(buf, sizeof buf, "counted in %s", e.counter ? e.counter : "?");
      break;
    case NicStage::rnbc_wait:
    case NicStage::desc_drop:
      std::snprintf(buf, sizeof buf, "queue %u", e.queue);
      s.fields = {{"queue", e.queue}};
      break;
    case NicStage::desc_assign:
      std::snprintf(buf, sizeof buf, "queue %u desc %u buf 0x%llx", e.queue, e.index,
                    static_cast<unsigned long long>(e.addr));
      s.fields = {{"queue", e.queue}, {"desc", e.index}};
      break;
    case NicStage::dma_write:
      std::snprintf(buf, sizeof buf, "addr 0x%llx len %u", static_cast<unsigned long long>(e.addr), e.len);
      break;
    case NicStage::writeback:
      std::snprintf(buf, sizeof buf, "queue %u desc %u at 0x%llx", e.queue, e.index,
                    static_cast<unsigned long long>(e.addr));
      s.fields = {{"queue", e.queue}, {"desc", e.index}};
      break;
    case NicStage::msix:
      std::snprintf(buf, sizeof buf, "vector %u", e.index);
      s.fields = {{"vector", e.index}};
      break;
    default:
      buf[0] = 0;
  }
  s.detail = buf;
  if (e.stage == NicStage::pktbuf_drop || e.stage == NicStage::mac_drop || e.stage == NicStage::desc_drop)
    s.drop = e.counter && *e.counter ? e.counter : (e.stage == NicStage::desc_drop ? "RQDPC" : "MPC");
  return s;
}

namespace {
// Index of a NIC counter in Trigger::nic_counters().
size_t counter_index(const std::string& name) {
  const auto& k = Trigger::nic_counters();
  return static_cast<size_t>(std::find(k.begin(), k.end(), name) - k.begin());
}
std::string lower(const char* s) {
  std::string r = s ? s : "";
  for (char& c : r) c = static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
  return r;
}
}  // namespace

Recorder::Recorder() : nic_counts_(Trigger::nic_counters().size(), 0) {
  ps_per_unit_ = sc_core::sc_get_time_resolution().to_seconds() * 1e12;
}
Recorder::~Recorder() = default;

void Recorder::set_window(uint64_t start_ps, uint64_t stop_ps) {
  if (stop_ps < start_ps) throw std::invalid_argument("trace window: stop before start");
  sig_.set_window(start_ps, stop_ps);
  const sc_core::sc_time a(static_cast<double>(start_ps), sc_core::SC_PS);
  const sc_core::sc_time b(stop_ps == UINT64_MAX ? sc_core::sc_max_time()
                                                 : sc_core::sc_time(static_cast<double>(stop_ps), sc_core::SC_PS));
  if (journey_) journey_->set_window(a, b);
  if (timeline_) timeline_->set_window(a, b);
}

void Recorder::follow(uint64_t id) {
  journey_ = std::make_unique<Journey>(id);
  if (sig_.start_ps() != 0 || sig_.stop_ps() != HostSignals::kForever) set_window(sig_.start_ps(), sig_.stop_ps());
}

namespace {
// "host.cpu<N>.context" -> N; -1 for any other path.
int context_cpu(const std::string& path) {
  static const char kPre[] = "host.cpu", kSuf[] = ".context";
  const size_t p = sizeof kPre - 1, s = sizeof kSuf - 1;
  if (path.size() <= p + s || path.compare(0, p, kPre) != 0 || path.compare(path.size() - s, s, kSuf) != 0) return -1;
  int cpu = 0;
  for (size_t i = p; i < path.size() - s; ++i) {
    if (path[i] < '0' || path[i] > '9' || cpu > 4095) return -1;
    cpu = cpu * 10 + (path[i] - '0');
  }
  return cpu;
}
}  // namespace

void Recorder::keep_timeline() {
  timeline_ = std::make_unique<Timeline>();
  if (sig_.start_ps() != 0 || sig_.stop_ps() != HostSignals::kForever) set_window(sig_.start_ps(), sig_.stop_ps());
  for (const auto& i : sig_.info())
    if (const int cpu = context_cpu(i.path); cpu >= 0) timeline_->add_cpu(cpu);
}

void Recorder::watch(const Trigger& t) {
  trig_ = std::make_unique<Trigger>(t);
  trig_counter_ = SIZE_MAX;
  if (t.kind() == Trigger::Kind::threshold && t.is_nic_counter()) trig_counter_ = counter_index(t.name());
  watched_.assign(sig_.info().size(), 0);
  for (size_t i = 0; i < sig_.info().size(); ++i) watched_[i] = trig_->matches(sig_.info()[i].path);
}

void Recorder::check_trigger() const {
  if (!trig_ || trig_->kind() != Trigger::Kind::threshold || trig_->is_nic_counter()) return;
  if (std::any_of(watched_.begin(), watched_.end(), [](uint8_t w) { return w != 0; })) return;
  // Name the signals nearest to what was asked: those sharing its first two
  // parts ("host.sock"), else every numeric one.
  const std::string& want = trig_->name();
  const size_t d1 = want.find('.'), d2 = d1 == std::string::npos ? d1 : want.find('.', d1 + 1);
  const std::string near = d2 == std::string::npos ? std::string() : want.substr(0, d2 + 1);
  std::vector<std::string> names;
  for (const auto& i : sig_.info())
    if (i.bits > 0 && (near.empty() || i.path.rfind(near, 0) == 0)) names.push_back(i.path);
  if (names.empty())
    for (const auto& i : sig_.info())
      if (i.bits > 0) names.push_back(i.path);
  std::sort(names.begin(), names.end());
  std::string known;
  for (size_t k = 0; k < names.size() && k < 40; ++k) known += "\n  " + names[k];
  if (names.size() > 40) known += "\n  ... (" + std::to_string(names.size() - 40) + " more)";
  throw std::invalid_argument("--trigger '" + trig_->text() + "': no numeric signal is named '" + want +
                              "'; signals of the host:" + (known.empty() ? std::string(" none") : known) +
                              "\nand the NIC counters nic.mpc, nic.rnbc, nic.rqdpc, ... (see --help)");
}

uint64_t Recorder::nic_counter(const std::string& name) const {
  const size_t k = counter_index(name);
  return k < nic_counts_.size() ? nic_counts_[k] : 0;
}

void Recorder::count(size_t k, uint64_t t_ps) {
  if (k >= nic_counts_.size()) return;
  const uint64_t v = ++nic_counts_[k];
  if (k == trig_counter_) trig_->value(v, t_ps);
  if (timeline_)
    timeline_->counter(Trigger::nic_counters()[k], v, sc_core::sc_time(static_cast<double>(t_ps), sc_core::SC_PS));
}

void Recorder::nic(const nic::NicEvent& e) {
  using nic::NicStage;
  const uint64_t t = e.cycle * 6400;
  static const size_t kFrames = counter_index("nic.frames"), kMsix = counter_index("nic.msix"),
                      kRnbc = counter_index("nic.rnbc"), kDrops = counter_index("nic.drops");
  switch (e.stage) {
    case NicStage::xgmii_start:
      count(kFrames, t);
      if (trig_) trig_->frame_start(e.frame_id, t);
      break;
    case NicStage::rnbc_wait:
      count(kRnbc, t);
      break;
    case NicStage::msix:
      count(kMsix, t);
      break;
    case NicStage::pktbuf_drop:
    case NicStage::mac_drop:
    case NicStage::desc_drop: {
      const char* c = e.counter && *e.counter ? e.counter : (e.stage == NicStage::desc_drop ? "RQDPC" : "MPC");
      count(counter_index("nic." + lower(c)), t);
      count(kDrops, t);
      break;
    }
    default:
      break;
  }
  const bool j = journey_ && journey_->wants(e.frame_id);
  if (!j && !timeline_) return;
  const stack::Stage s = stage_of(e);
  if (j) journey_->add(s);
  if (timeline_) timeline_->stage(s);
}

int Recorder::signal(const std::string& path, unsigned bits) {
  const int h = sig_.declare(path, bits);
  // Every CPU of the host has a timeline lane, busy or not.
  if (timeline_) {
    const int cpu = context_cpu(path);
    if (cpu >= 0) timeline_->add_cpu(cpu);
  }
  if (static_cast<size_t>(h) >= watched_.size()) watched_.resize(static_cast<size_t>(h) + 1, 0);
  if (trig_ && bits > 0) watched_[static_cast<size_t>(h)] = trig_->matches(path);
  return h;
}

void Recorder::set(int sig, uint64_t value, sc_core::sc_time t) {
  const uint64_t tp = static_cast<uint64_t>(static_cast<double>(t.value()) * ps_per_unit_ + 0.5);
  sig_.set(sig, value, tp);
  if (watched_[static_cast<size_t>(sig)]) trig_->value(value, tp);
  if (timeline_) timeline_->counter(sig_.info()[static_cast<size_t>(sig)].path, value, t);
}

void Recorder::set_str(int sig, const char* value, sc_core::sc_time t) {
  const uint64_t tp = static_cast<uint64_t>(static_cast<double>(t.value()) * ps_per_unit_ + 0.5);
  sig_.set_str(sig, value, tp);
  if (journey_) journey_->host_string(sig_.info()[static_cast<size_t>(sig)].path, value, t);  // softirq vs ksoftirqd
}

void Recorder::begin(int cpu, const char* func, sc_core::sc_time t) {
  if (timeline_) timeline_->begin(cpu, func, t);
}
void Recorder::end(int cpu, const char* func, sc_core::sc_time t) {
  if (timeline_) timeline_->end(cpu, func, t);
}

bool Recorder::wants(uint64_t trace_id) const {
  return timeline_ || (journey_ && trace_id != 0 && journey_->wants(trace_id - 1));
}

namespace {
// "... merged into <host id>" (GRO, IP reassembly) -> the frame's number.
void frame_numbers_in_detail(std::string& d) {
  static const char kKey[] = "merged into ";
  const size_t p = d.find(kKey);
  if (p == std::string::npos) return;
  const size_t a = p + sizeof kKey - 1;
  size_t e = a;
  uint64_t v = 0;
  while (e < d.size() && d[e] >= '0' && d[e] <= '9') v = v * 10 + uint64_t(d[e++] - '0');
  if (e == a || v == 0) return;
  d.replace(a, e - a, std::to_string(v - 1));
}
}  // namespace

void Recorder::stage(const stack::Stage& host) {
  // A host stage without a packet (trace_id 0) goes to the timeline only.
  if (host.trace_id == 0) {
    if (timeline_) timeline_->stage(host, false);
    return;
  }
  stack::Stage s = host;
  s.trace_id = host.trace_id - 1;
  frame_numbers_in_detail(s.detail);
  if (journey_ && journey_->wants(s.trace_id)) journey_->add(s);
  if (timeline_) timeline_->stage(s, true);
}

}  // namespace rxpath::waves
