// SPDX-License-Identifier: Apache-2.0
// waves/timeline.cpp: see timeline.hpp.
#include "waves/timeline.hpp"

#include "common/escape.hpp"
#include "waves/journey.hpp"  // nic_block, time_ps, kNicCyclePs

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cinttypes>
#include <cstdio>
#include <cstring>
#include <map>
#include <ostream>
#include <stdexcept>
#include <utility>

namespace rxpath::waves {

namespace {

constexpr uint8_t kHostPid = 1, kNicPid = 2;
enum NicTid : int16_t { kMac = 1, kPktBuf = 2, kDesc = 3, kDma = 4, kIrq = 5, kOther = 6 };
const char* const kNicThreadNames[] = {"", "MAC", "packet buffer", "descriptors", "DMA", "interrupts", "other"};

// Picoseconds as microseconds with their fractional part, exactly.
// (to_chars, not printf: the writer formats millions of numbers.)
void put_u64(std::string& out, uint64_t v) {
  char b[24];
  auto r = std::to_chars(b, b + sizeof b, v);
  out.append(b, r.ptr);
}

void put_us(std::string& out, uint64_t ps) {
  put_u64(out, ps / 1000000);
  char b[8] = {'.', '0', '0', '0', '0', '0', '0', 0};
  for (uint64_t f = ps % 1000000, i = 6; i > 0; --i, f /= 10) b[i] = char('0' + f % 10);
  out.append(b, 7);
}

// The byte count of a NIC stage from its detail ("len=1514" or "len 1514").
uint64_t detail_len(const std::string& d) {
  for (size_t p = d.find("len"); p != std::string::npos; p = d.find("len", p + 3)) {
    if (p > 0 && (std::isalnum(static_cast<unsigned char>(d[p - 1])) || d[p - 1] == '_')) continue;
    size_t q = p + 3;
    if (q < d.size() && (d[q] == '=' || d[q] == ' ' || d[q] == ':')) ++q;
    if (q >= d.size() || !std::isdigit(static_cast<unsigned char>(d[q]))) continue;
    uint64_t v = 0;
    while (q < d.size() && std::isdigit(static_cast<unsigned char>(d[q]))) v = v * 10 + uint64_t(d[q++] - '0');
    return v;
  }
  return 0;
}

}  // namespace

Timeline::Timeline() = default;

void Timeline::set_window(sc_core::sc_time start, sc_core::sc_time stop) {
  start_ps_ = time_ps(start);
  stop_ps_ = time_ps(stop);
  if (stop_ps_ >= kForeverPs) stop_ps_ = UINT64_MAX;  // sc_max_time() and the like: no end
  windowed_ = start_ps_ != 0 || stop_ps_ != UINT64_MAX;
}

void Timeline::set_dma_beat_bytes(unsigned bytes) { beat_bytes_ = bytes ? bytes : 16; }

size_t Timeline::memory_bytes() const {
  size_t n = ev_.bytes() + skbs_.bytes() + arena_.bytes();
  for (const std::string& s : names_) n += sizeof s + s.capacity();
  n += (name_by_ptr_.size() + name_by_text_.size()) * 64 + pending_.size() * 64;
  for (const Cpu& c : cpus_) n += sizeof c + c.stack.capacity() * sizeof(Open);
  return n;
}

uint32_t Timeline::intern(const char* s) {
  if (!s) s = "";
  auto p = name_by_ptr_.find(s);
  if (p != name_by_ptr_.end() && names_[p->second] == s) return p->second;  // same pointer, same text
  auto [it, added] = name_by_text_.emplace(s, uint32_t(names_.size()));
  if (added) names_.emplace_back(s);
  name_by_ptr_[s] = it->second;
  return it->second;
}

uint32_t Timeline::Arena::add(const std::string& a, const char* b) {
  size_t n = a.size() + 1 + (b ? std::strlen(b) + 1 : 0);
  if (n > (1u << 20)) throw std::invalid_argument("Timeline: stage detail longer than 1 MiB");
  if (used_ + n > (1u << 20)) {
    if (blocks_.size() >= 4096) throw std::length_error("Timeline: more than 4 GiB of stage details");
    blocks_.emplace_back(new char[1u << 20]);
    used_ = 0;
  }
  char* p = blocks_.back().get() + used_;
  std::memcpy(p, a.c_str(), a.size() + 1);
  if (b) std::memcpy(p + a.size() + 1, b, std::strlen(b) + 1);
  uint32_t off = uint32_t(((blocks_.size() - 1) << 20) | used_);
  used_ += n;
  return off;
}

// The detail (and drop counter) of an event in the arena; kNone when empty.
uint32_t Timeline::args(const std::string& detail, const char* drop, uint8_t* flags) {
  if (detail.empty() && !drop) return kNone;
  if (drop) *flags |= kHasDrop;
  return arena_.add(detail, drop);
}

void Timeline::problem(const std::string& what) {
  ++repairs_;
  if (first_problem_.empty()) first_problem_ = what;
}

Timeline::Cpu& Timeline::cpu_state(int cpu) {
  if (cpu < 0 || cpu > 4095)
    throw std::invalid_argument("Timeline: cpu " + std::to_string(cpu) + " out of range 0..4095");
  if (size_t(cpu) >= cpus_.size()) cpus_.resize(size_t(cpu) + 1);
  return cpus_[size_t(cpu)];
}

Timeline::Ev& Timeline::push(char ph, uint8_t pid, int16_t tid, uint64_t ts, uint32_t name) {
  Ev e{};
  e.ts = ts;
  e.name = name;
  e.args = kNone;
  e.skb = kNone;
  e.seq = seq_++;
  e.tid = tid;
  e.pid = pid;
  e.ph = ph;
  ev_.push_back(e);
  if (ts > max_ps_ && ts != kNoTime) max_ps_ = ts;
  return ev_.back();
}

// Spans that were open when the window opened on this CPU begin at its start.
void Timeline::open_window(int cpu, Cpu& c) {
  if (c.opened) return;
  c.opened = true;
  for (Open& o : c.stack) {
    if (o.emitted) continue;
    push('B', kHostPid, int16_t(cpu), start_ps_, o.name);
    o.emitted = true;
  }
}

void Timeline::begin(int cpu, const char* func, sc_core::sc_time t) {
  Cpu& c = cpu_state(cpu);
  uint64_t ps = time_ps(t);
  if (ps < c.last_ps) {  // spans of one CPU must not go back in time
    problem("begin " + std::string(func ? func : "") + " on cpu" + std::to_string(cpu) + " went back in time");
    ps = c.last_ps;
  }
  c.last_ps = ps;
  uint32_t name = intern(func);
  bool in = in_window(ps);
  if (in) open_window(cpu, c);
  c.stack.push_back({name, in});
  if (in) push('B', kHostPid, int16_t(cpu), ps, name);
}

void Timeline::end(int cpu, const char* func, sc_core::sc_time t) {
  Cpu& c = cpu_state(cpu);
  uint64_t ps = time_ps(t);
  std::string f = func ? func : "";
  if (ps < c.last_ps) {
    problem("end " + f + " on cpu" + std::to_string(cpu) + " went back in time");
    ps = c.last_ps;
  }
  c.last_ps = ps;
  uint32_t name = intern(func);
  size_t k = c.stack.size();
  while (k > 0 && c.stack[k - 1].name != name) --k;
  if (k == 0) {
    problem("end " + f + " on cpu" + std::to_string(cpu) + " with no open span of that name (ignored)");
    return;
  }
  bool in = in_window(ps);
  if (in) open_window(cpu, c);
  if (k != c.stack.size())
    problem("end " + f + " on cpu" + std::to_string(cpu) + " while " + names_[c.stack.back().name] +
            " was open (inner spans closed first)");
  while (c.stack.size() >= k) {
    Open o = c.stack.back();
    c.stack.pop_back();
    if (o.emitted && in) push('E', kHostPid, int16_t(cpu), ps, o.name);
  }
}

void Timeline::counter(const std::string& name, uint64_t value, sc_core::sc_time t) {
  uint64_t ps = time_ps(t);
  uint32_t n = intern(name.c_str());
  if (ps < start_ps_) {
    before_window_[n] = value;
    return;
  }
  if (ps > stop_ps_) return;
  uint8_t pid = name.compare(0, 4, "nic.") == 0 ? kNicPid : kHostPid;
  Ev& e = push('C', pid, 0, ps, n);
  e.dur = value;
}

void Timeline::stage(const stack::Stage& s, bool packet) {
  uint64_t ps = time_ps(s.t);
  if (s.cpu == stack::Stage::kNic) {
    nic_stage(s, ps);
    return;
  }
  Cpu& c = cpu_state(s.cpu);
  if (!in_window(ps)) return;
  open_window(s.cpu, c);
  Ev& e = push('i', kHostPid, int16_t(s.cpu), ps, intern(s.name));
  e.id = s.trace_id;
  e.flow = packet ? kFlow : 0;
  e.args = args(s.detail, s.drop, &e.flow);
  if (s.skb.valid) {
    e.skb = uint32_t(skbs_.size());
    skbs_.push_back({s.skb.data, s.skb.tail, s.skb.end, s.skb.len, s.skb.data_len, s.skb.truesize});
  }
}

// A NIC range [start, end] (end inclusive of its last clock cycle) as an X
// event, clipped to the window; its seq is the start's, so it sorts there.
void Timeline::nic_range(uint64_t start, uint32_t seq, uint64_t end, int16_t tid, const char* name, uint64_t id,
                         const stack::Stage* a) {
  if (end < start) end = start;
  uint64_t stop = end + kNicCyclePs;
  if (stop <= start_ps_ || start > stop_ps_) return;
  uint64_t ts = std::max(start, start_ps_);
  if (stop_ps_ != UINT64_MAX) stop = std::min(stop, stop_ps_);
  Ev& e = push('X', kNicPid, tid, ts, intern(name));
  e.seq = seq;
  --seq_;  // push took a new seq; the range keeps its start's
  e.dur = stop - ts;
  e.id = id;
  e.flow = kFlow;  // a NIC frame always has its id, 0 included
  if (a) e.args = args(a->detail, a->drop, &e.flow);
}

void Timeline::nic_stage(const stack::Stage& s, uint64_t ps) {
  const char* n = s.name ? s.name : "";
  uint64_t id = s.trace_id;
  auto is = [n](const char* x) { return std::strcmp(n, x) == 0; };

  // Ranges: remember their start, draw them when they end.
  if (is("xgmii_start") || is("pktbuf_store") || is("rnbc_wait")) {
    Pending& p = pending_[id];
    uint32_t seq = seq_++;
    if (is("xgmii_start")) {
      p.mac = ps, p.mac_seq = seq;
    } else if (is("pktbuf_store")) {
      p.pb = ps, p.pb_seq = seq;
    } else if (p.rnbc == kNoTime) {
      p.rnbc = ps, p.rnbc_seq = seq;
    }
    if (ps > max_ps_) max_ps_ = ps;
    return;
  }
  auto pend = pending_.find(id);
  Pending* p = pend == pending_.end() ? nullptr : &pend->second;
  if (is("mac_verdict")) {
    if (p && p->mac != kNoTime) {
      nic_range(p->mac, p->mac_seq, ps, kMac, "frame", id, &s);
      p->mac = kNoTime;
    } else if (in_window(ps)) {
      nic_range(ps, seq_++, ps, kMac, "frame", id, &s);
    }
  } else if (is("desc_assign") || is("desc_drop")) {
    if (p && p->pb != kNoTime) {
      nic_range(p->pb, p->pb_seq, ps, kPktBuf, "buffered", id, nullptr);
      p->pb = kNoTime;
    }
    if (p && p->rnbc != kNoTime) {
      nic_range(p->rnbc, p->rnbc_seq, ps, kDesc, "rnbc_wait", id, nullptr);
      p->rnbc = kNoTime;
    }
    if (in_window(ps)) nic_range(ps, seq_++, ps, kDesc, n, id, &s);
  } else if (in_window(ps)) {
    int16_t tid = kOther;
    const char* block = nic_block(n);
    if (std::strcmp(block, "MAC") == 0)
      tid = kMac;
    else if (std::strcmp(block, "packet buffer") == 0)
      tid = kPktBuf;
    else if (std::strcmp(block, "descriptors") == 0)
      tid = kDesc;
    else if (std::strcmp(block, "DMA") == 0)
      tid = kDma;
    else if (std::strcmp(block, "interrupts") == 0)
      tid = kIrq;
    else
      other_used_ = true;
    uint64_t last = ps;
    if (is("dma_write")) {
      uint64_t len = detail_len(s.detail);
      uint64_t beats = len ? (len + beat_bytes_ - 1) / beat_bytes_ : 1;
      last = ps + (beats - 1) * kNicCyclePs;
    }
    if (is("msix")) {
      // One MSI-X reports several frames: one slice, the others anchor their flows on it.
      for (size_t i = ev_.size(); i-- > 0 && ev_[i].ts == ps;)
        if (ev_[i].tid == kIrq && ev_[i].pid == kNicPid && (ev_[i].ph == 'X' || ev_[i].ph == 'a')) {
          uint32_t slice = ev_[i].ph == 'X' ? uint32_t(i) : ev_[i].skb;
          Ev& e = push('a', kNicPid, kIrq, ps, ev_[i].name);
          e.skb = slice;  // an anchor keeps the index of the slice it binds to
          e.id = id;
          e.flow = kFlow;
          return;
        }
    }
    nic_range(ps, seq_++, last, tid, n, id, &s);
  }
  if (p && p->mac == kNoTime && p->pb == kNoTime && p->rnbc == kNoTime) pending_.erase(pend);
}

// Timeline::write, phase by phase. First what the end of the trace adds
// (NIC ranges still open, counter values from before the window), the order
// of all events, the rows of the NIC lanes, the host spans still open and
// each packet's flow; then the JSON: metadata, the events each followed by
// its flow point, the spans closed at the end, otherData.
class Timeline::Writer {
 public:
  Writer(const Timeline& tl, std::ostream& os);
  void write();

 private:
  static constexpr int kRowStride = 16, kMaxRows = 12;

  // ---- what to write, in which order, on which row ----
  void add_open_nic_ranges();
  void add_counters_before_window();
  void sort_events();
  void fit_mac_slices();
  void assign_rows();
  void close_open_spans();
  void mark_flows();

  // ---- the JSON ----
  void write_metadata();
  void write_events();
  void write_other_data();
  void meta(const char* what, uint8_t pid, int tid, const std::string& value, bool sort, int index);
  void common(const Ev& e, int16_t tid, const char* name_suffix_id);
  void event(const Ev& e, int16_t tid, uint64_t dur);
  void flow_point(const Ev& e, uint32_t i);
  void open_ev();
  void flush(bool force);

  // A kept event (index < tl_.ev_.size()) or one the end of the trace adds.
  const Ev& at(uint32_t i) const { return i < tl_.ev_.size() ? tl_.ev_[i] : extra_[i - tl_.ev_.size()]; }
  const std::string& name_of(uint32_t n) const {
    return n < tl_.names_.size() ? tl_.names_[n] : extra_names_[n - tl_.names_.size()];
  }
  uint32_t extra_name(const char* s);

  const Timeline& tl_;
  std::ostream& os_;
  uint64_t end_ps_;                                 // where what is still open ends
  std::vector<Ev> extra_;                           // events the end of the trace adds
  std::vector<std::string> extra_names_;            // names only the writer uses
  uint32_t total_ = 0;                              // kept + extra events
  std::vector<uint32_t> order_;                     // by time, ties in input order
  std::vector<int16_t> tid_of_;                     // per event: its lane's row
  std::unordered_map<uint32_t, uint64_t> dur_fix_;  // slices drawn shorter than they are
  std::vector<std::vector<uint64_t>> row_end_;      // per NIC lane, per row: end of its last slice
  std::vector<Ev> closing_;                         // host spans still open, closed at the end
  std::vector<char> flow_ph_;                       // per event: its flow point ('s' 't' 'f'), 0 if none
  std::string out_;
  bool first_ = true;  // no event written yet
};

Timeline::Writer::Writer(const Timeline& tl, std::ostream& os)
    : tl_(tl), os_(os), end_ps_(tl.windowed_ && tl.stop_ps_ != UINT64_MAX ? tl.stop_ps_ : tl.max_ps_) {}

void Timeline::write(std::ostream& os) const { Writer(*this, os).write(); }

void Timeline::Writer::write() {
  add_open_nic_ranges();
  add_counters_before_window();
  sort_events();
  fit_mac_slices();
  assign_rows();
  close_open_spans();
  mark_flows();
  out_.reserve(1 << 20);
  out_ += "{\"traceEvents\":[";
  write_metadata();
  write_events();
  write_other_data();
  flush(true);
}

uint32_t Timeline::Writer::extra_name(const char* s) {
  for (uint32_t i = 0; i < tl_.names_.size(); ++i)
    if (tl_.names_[i] == s) return i;
  for (uint32_t i = 0; i < extra_names_.size(); ++i)
    if (extra_names_[i] == s) return uint32_t(tl_.names_.size() + i);
  extra_names_.emplace_back(s);
  return uint32_t(tl_.names_.size() + extra_names_.size() - 1);
}

// NIC ranges still open: drawn until the end, in frame order.
void Timeline::Writer::add_open_nic_ranges() {
  std::vector<std::pair<uint64_t, const Pending*>> open;
  for (const auto& [id, p] : tl_.pending_) open.emplace_back(id, &p);
  std::sort(open.begin(), open.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  auto add_range = [&](uint64_t start, uint32_t sq, int16_t tid, const char* name, uint64_t id) {
    if (start == kNoTime || start > end_ps_ || start > tl_.stop_ps_) return;
    uint64_t ts = std::max(start, tl_.start_ps_);
    Ev e{};
    e.ts = ts;
    e.dur = std::max<uint64_t>(end_ps_ - ts, kNicCyclePs);
    e.id = id;
    e.name = extra_name(name);
    e.args = kNone;
    e.skb = kNone;
    e.seq = sq;
    e.tid = tid;
    e.pid = kNicPid;
    e.ph = 'X';
    e.flow = kFlow;
    extra_.push_back(e);
  };
  for (const auto& [id, p] : open) {
    add_range(p->mac, p->mac_seq, kMac, "frame", id);
    add_range(p->pb, p->pb_seq, kPktBuf, "buffered", id);
    add_range(p->rnbc, p->rnbc_seq, kDesc, "rnbc_wait", id);
  }
}

// Counter values from before the window, at its start.
void Timeline::Writer::add_counters_before_window() {
  std::vector<std::pair<uint32_t, uint64_t>> before(tl_.before_window_.begin(), tl_.before_window_.end());
  std::sort(before.begin(), before.end());
  for (const auto& [n, v] : before) {
    Ev e{};
    e.ts = tl_.start_ps_;
    e.dur = v;
    e.name = n;
    e.args = kNone;
    e.skb = kNone;
    e.seq = 0;
    e.pid = name_of(n).compare(0, 4, "nic.") == 0 ? kNicPid : kHostPid;
    e.ph = 'C';
    extra_.push_back(e);
  }
}

// Sorted by time, ties in input order.
void Timeline::Writer::sort_events() {
  total_ = uint32_t(tl_.ev_.size() + extra_.size());
  order_.reserve(total_);
  for (uint32_t i = 0; i < total_; ++i) order_.push_back(i);
  std::sort(order_.begin(), order_.end(), [&](uint32_t a, uint32_t b) {
    const Ev &x = at(a), &y = at(b);
    return x.ts != y.ts ? x.ts < y.ts : x.seq != y.seq ? x.seq < y.seq : a < b;
  });
}

// A frame's MAC slice runs from /S/ to its verdict, which comes a few cycles
// into the next frame: on the lane the frame ends where the next begins.
void Timeline::Writer::fit_mac_slices() {
  uint32_t last_mac = kNone;
  for (uint32_t i : order_) {
    const Ev& e = at(i);
    if (e.pid != kNicPid || e.ph != 'X' || e.tid != kMac) continue;
    if (last_mac != kNone && at(last_mac).ts + at(last_mac).dur > e.ts && at(last_mac).ts < e.ts)
      dur_fix_[last_mac] = e.ts - at(last_mac).ts;
    last_mac = i;
  }
}

// NIC slices that overlap on one lane (frames side by side in the packet
// buffer, pipelined DMA bursts) go to further rows of that lane ("packet
// buffer 2", ...): slices on one thread must nest, and these do not. When
// kMaxRows are busy (an overloaded NIC holds a hundred frames) a slice is
// drawn for its first clock cycle only, in a last row "... (more)".
void Timeline::Writer::assign_rows() {
  tid_of_.assign(total_, 0);
  row_end_.assign(kOther + 1, {});
  for (uint32_t i : order_) {
    const Ev& e = at(i);
    tid_of_[i] = e.tid;
    if (e.pid != kNicPid) continue;
    if (e.ph == 'a') {  // the row of its slice (sorted before it)
      tid_of_[i] = tid_of_[e.skb];
      continue;
    }
    if (e.ph != 'X' || e.tid < kMac || e.tid > kOther) continue;
    std::vector<uint64_t>& rows = row_end_[size_t(e.tid)];
    size_t k = 0;
    while (k < rows.size() && rows[k] > e.ts) ++k;
    auto fix = dur_fix_.find(i);
    uint64_t end = e.ts + (fix == dur_fix_.end() ? e.dur : fix->second);
    if (k == rows.size() && rows.size() < kMaxRows) rows.push_back(0);
    if (k >= kMaxRows) {
      if (rows.size() == kMaxRows) rows.push_back(0);
      k = kMaxRows;
      end = std::min(end, e.ts + kNicCyclePs);
      dur_fix_[i] = end - e.ts;
    }
    rows[k] = std::max(rows[k], end);
    tid_of_[i] = int16_t(e.tid + kRowStride * int(k));
  }
}

// Spans still open at the end close there, innermost first.
void Timeline::Writer::close_open_spans() {
  std::map<int, std::vector<uint32_t>> open_spans;
  for (uint32_t i : order_) {
    const Ev& e = at(i);
    if (e.ph == 'B')
      open_spans[e.tid].push_back(e.name);
    else if (e.ph == 'E' && !open_spans[e.tid].empty())
      open_spans[e.tid].pop_back();
  }
  uint32_t seq = tl_.seq_;
  for (const auto& [tid, st] : open_spans)
    for (size_t k = st.size(); k-- > 0;) {
      Ev e{};
      e.ts = end_ps_;
      e.name = st[k];
      e.args = kNone;
      e.skb = kNone;
      e.seq = seq++;
      e.tid = int16_t(tid);
      e.pid = kHostPid;
      e.ph = 'E';
      closing_.push_back(e);
    }
}

// Flows: each packet's points in time order, s .. t .. f (a packet with one
// point has no flow).
void Timeline::Writer::mark_flows() {
  flow_ph_.assign(total_, 0);
  std::vector<std::pair<uint64_t, uint32_t>> points;  // (packet id, event index)
  for (uint32_t i = 0; i < total_; ++i)
    if (at(i).flow & kFlow) points.emplace_back(at(i).id, i);
  std::sort(points.begin(), points.end(), [&](const auto& a, const auto& b) {
    if (a.first != b.first) return a.first < b.first;
    const Ev &x = at(a.second), &y = at(b.second);
    return x.ts != y.ts ? x.ts < y.ts : x.seq != y.seq ? x.seq < y.seq : a.second < b.second;
  });
  for (size_t i = 0; i < points.size();) {
    size_t j = i;
    while (j < points.size() && points[j].first == points[i].first) ++j;
    if (j - i >= 2)
      for (size_t k = i; k < j; ++k) flow_ph_[points[k].second] = k == i ? 's' : k + 1 == j ? 'f' : 't';
    i = j;
  }
}

void Timeline::Writer::flush(bool force) {
  if (force || out_.size() > (1u << 20)) {
    os_.write(out_.data(), std::streamsize(out_.size()));
    out_.clear();
  }
}

void Timeline::Writer::open_ev() {
  out_ += first_ ? "\n{" : ",\n{";
  first_ = false;
}

void Timeline::Writer::meta(const char* what, uint8_t pid, int tid, const std::string& value, bool sort, int index) {
  open_ev();
  out_ += "\"name\":\"";
  out_ += what;
  out_ += "\",\"ph\":\"M\",\"pid\":";
  put_u64(out_, pid);
  if (tid >= 0) {
    out_ += ",\"tid\":";
    put_u64(out_, uint64_t(tid));
  }
  out_ += ",\"args\":{";
  if (sort) {
    out_ += "\"sort_index\":";
    put_u64(out_, uint64_t(index));
  } else {
    out_ += "\"name\":\"";
    common::append_escaped(out_, value.c_str());
    out_ += '"';
  }
  out_ += "}}";
}

// Metadata: processes and threads by name, in a fixed order.
void Timeline::Writer::write_metadata() {
  meta("process_name", kHostPid, -1, "host", false, 0);
  meta("process_sort_index", kHostPid, -1, "", true, 1);
  for (size_t c = 0; c < tl_.cpus_.size(); ++c) {
    meta("thread_name", kHostPid, int(c), "cpu" + std::to_string(c), false, 0);
    meta("thread_sort_index", kHostPid, int(c), "", true, int(c));
  }
  meta("process_name", kNicPid, -1, "NIC", false, 0);
  meta("process_sort_index", kNicPid, -1, "", true, 2);
  for (int t = kMac; t <= (tl_.other_used_ ? kOther : kIrq); ++t)
    for (size_t k = 0; k < std::max<size_t>(1, row_end_[size_t(t)].size()); ++k) {
      std::string name = kNicThreadNames[t];
      if (k == kMaxRows)
        name += " (more: first cycle of each)";
      else if (k)
        name += " " + std::to_string(k + 1);
      meta("thread_name", kNicPid, t + kRowStride * int(k), name, false, 0);
      meta("thread_sort_index", kNicPid, t + kRowStride * int(k), "", true, t * 4096 + int(k));
    }
}

void Timeline::Writer::common(const Ev& e, int16_t tid, const char* name_suffix_id) {
  out_ += "\"name\":\"";
  common::append_escaped(out_, name_of(e.name).c_str());
  if (name_suffix_id) {  // NIC slices: their frame, 0 included
    out_ += " #";
    put_u64(out_, e.id);
  }
  out_ += "\",\"ph\":\"";
  out_ += e.ph;
  out_ += "\",\"ts\":";
  put_us(out_, e.ts);
  out_ += ",\"pid\":";
  put_u64(out_, e.pid);
  out_ += ",\"tid\":";
  put_u64(out_, uint64_t(tid));
}

void Timeline::Writer::event(const Ev& e, int16_t tid, uint64_t dur) {
  open_ev();
  switch (e.ph) {
    case 'B':
    case 'E':
      common(e, tid, nullptr);
      break;
    case 'C':
      out_ += "\"name\":\"";
      common::append_escaped(out_, name_of(e.name).c_str());
      out_ += "\",\"ph\":\"C\",\"ts\":";
      put_us(out_, e.ts);
      out_ += ",\"pid\":";
      put_u64(out_, e.pid);
      out_ += ",\"args\":{\"value\":";
      put_u64(out_, e.dur);
      out_ += '}';
      break;
    case 'X':
    case 'i': {
      common(e, tid, e.ph == 'X' ? "#" : nullptr);
      if (e.ph == 'X') {
        out_ += ",\"dur\":";
        put_us(out_, dur);
      } else {
        out_ += ",\"s\":\"t\"";
      }
      bool any = false;
      auto sep = [&]() {
        out_ += any ? "," : ",\"args\":{";
        any = true;
      };
      if (e.id || e.pid == kNicPid) {
        sep();
        out_ += "\"id\":";
        put_u64(out_, e.id);
      }
      if (e.args != kNone) {
        const char* detail = tl_.arena_.at(e.args);
        if (*detail) {
          sep();
          out_ += "\"detail\":\"";
          common::append_escaped(out_, detail);
          out_ += '"';
        }
        if (e.flow & kHasDrop) {
          sep();
          out_ += "\"drop\":\"";
          common::append_escaped(out_, detail + std::strlen(detail) + 1);
          out_ += '"';
        }
      }
      if (e.skb != kNone) {
        const Skb& k = tl_.skbs_[e.skb];
        sep();
        const std::pair<const char*, uint32_t> fields[] = {{"head=0 data=+", k.data},  {" tail=+", k.tail},
                                                           {" end=+", k.end},          {" len=", k.len},
                                                           {" data_len=", k.data_len}, {" truesize=", k.truesize}};
        out_ += "\"skb\":\"";
        for (const auto& [label, v] : fields) {
          out_ += label;
          put_u64(out_, v);
        }
        out_ += '"';
      }
      if (any) out_ += '}';
      break;
    }
    default:
      break;
  }
  out_ += '}';
  flush(false);
}

// A flow event, written right after the slice or instant it binds to
// (viewers bind a flow event to the slice open on its thread when they read it).
void Timeline::Writer::flow_point(const Ev& e, uint32_t i) {
  open_ev();
  out_ += "\"name\":\"packet\",\"cat\":\"packet\",\"ph\":\"";
  out_ += flow_ph_[i];
  out_ += "\",\"id\":";
  put_u64(out_, e.id);
  out_ += ",\"ts\":";
  put_us(out_, e.ts);
  out_ += ",\"pid\":";
  put_u64(out_, e.pid);
  out_ += ",\"tid\":";
  put_u64(out_, uint64_t(tid_of_[i]));
  out_ += ",\"bp\":\"e\"}";
  flush(false);
}

// The events in order, each followed by its flow point; then the spans the
// end of the trace closes.
void Timeline::Writer::write_events() {
  for (uint32_t i : order_) {
    const Ev& e = at(i);
    if (e.ph != 'a') {
      uint64_t dur = e.dur;
      if (e.ph == 'X' && e.pid == kNicPid) {
        auto fix = dur_fix_.find(i);
        if (fix != dur_fix_.end()) dur = fix->second;
      }
      event(e, tid_of_[i], dur);
    }
    if (flow_ph_[i]) flow_point(e, i);
  }
  for (const Ev& e : closing_) event(e, e.tid, 0);
}

void Timeline::Writer::write_other_data() {
  out_ += "\n],\"displayTimeUnit\":\"ns\",\"otherData\":{\"generator\":\"rxpath waves::Timeline\"";
  if (tl_.windowed_) {
    out_ += ",\"window_start_us\":\"";
    put_us(out_, tl_.start_ps_);
    out_ += "\",\"window_stop_us\":\"";
    if (tl_.stop_ps_ == UINT64_MAX)
      out_ += "end";
    else
      put_us(out_, tl_.stop_ps_);
    out_ += '"';
  }
  out_ += ",\"nesting_repairs\":\"";
  put_u64(out_, tl_.repairs_);
  out_ += '"';
  if (!tl_.first_problem_.empty()) {
    out_ += ",\"first_problem\":\"";
    common::append_escaped(out_, tl_.first_problem_.c_str());
    out_ += '"';
  }
  out_ += "}}\n";
}

}  // namespace rxpath::waves
