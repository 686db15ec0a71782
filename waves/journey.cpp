// SPDX-License-Identifier: Apache-2.0
// waves/journey.cpp: see journey.hpp.
#include "waves/journey.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cinttypes>
#include <cstdio>
#include <cstring>
#include <ostream>

namespace rxpath::waves {

namespace {

bool ends_with(const std::string& s, const char* p) {
  size_t n = std::strlen(p);
  return s.size() >= n && s.compare(s.size() - n, n, p) == 0;
}

// "merged into 42" anywhere in the detail -> 42 (napi_gro_receive, H2).
bool merged_into(const std::string& detail, uint64_t* into) {
  static const char kKey[] = "merged into ";
  size_t p = detail.find(kKey);
  if (p == std::string::npos) return false;
  p += sizeof kKey - 1;
  if (p < detail.size() && detail[p] == '#') ++p;
  if (p >= detail.size() || detail[p] < '0' || detail[p] > '9') return false;
  uint64_t v = 0;
  while (p < detail.size() && detail[p] >= '0' && detail[p] <= '9') v = v * 10 + uint64_t(detail[p++] - '0');
  *into = v;
  return true;
}

// The user's receive copy ends a delivered packet's journey.
bool is_recv(const std::string& name) { return ends_with(name, "recvmsg"); }

// Picoseconds as nanoseconds with 3 decimals, exactly.
std::string ns3(uint64_t ps) {
  char b[32];
  std::snprintf(b, sizeof b, "%" PRIu64 ".%03" PRIu64, ps / 1000, ps % 1000);
  return b;
}

// The context a host stage runs in, from its kernel function: the ISR runs in
// hard IRQ, the syscalls and the receive copy in the process, the rest of the
// receive path in softirq (NET_RX, on IRQ exit or in ksoftirqd).
const char* host_context(const std::string& name) {
  // rps_trigger_softirq: the RPS IPI's handler on the target CPU.
  static const char* const kHardirq[] = {"igb_msix_ring", "igb_intr", "igb_msix_other", "rps_trigger_softirq"};
  static const char* const kProcess[] = {"epoll_wait",  "ep_poll",     "select",       "do_select",
                                         "poll",        "do_sys_poll", "recvmsg",      "recvfrom",
                                         "udp_recvmsg", "tcp_recvmsg", "sock_recvmsg", "skb_copy_datagram_iter"};
  for (const char* n : kHardirq)
    if (name == n) return "hardirq";
  for (const char* n : kProcess)
    if (name == n) return "process";
  return "softirq";
}

std::string skb_text(const stack::SkbView& v) {
  if (!v.valid) return "";
  char b[160];
  int n = std::snprintf(b, sizeof b, "head=0 data=+%u tail=+%u end=+%u len=%u", v.data, v.tail, v.end, v.len);
  if (v.data_len) n += std::snprintf(b + n, sizeof b - size_t(n), " data_len=%u", v.data_len);
  if (v.truesize) std::snprintf(b + n, sizeof b - size_t(n), " truesize=%u", v.truesize);
  return b;
}

}  // namespace

const char* nic_block(const char* s) {
  struct Map {
    const char* stage;
    const char* block;
  };
  static const Map kMap[] = {
      {"xgmii_start", "MAC"},
      {"mac_verdict", "MAC"},
      {"mac_drop", "MAC"},
      {"pktbuf_store", "packet buffer"},
      {"pktbuf_drop", "packet buffer"},
      {"rnbc_wait", "descriptors"},
      {"desc_assign", "descriptors"},
      {"desc_drop", "descriptors"},
      {"writeback", "descriptors"},
      {"dma_write", "DMA"},
      {"msix", "interrupts"},
  };
  if (s)
    for (const Map& m : kMap)
      if (std::strcmp(m.stage, s) == 0) return m.block;
  return "NIC";
}

uint64_t time_ps(const sc_core::sc_time& t) {
  // sc_time's value is in units of the time resolution (1 ps by default).
  static const sc_core::sc_time::value_type per_ps = sc_core::sc_time(1, sc_core::SC_PS).value();
  if (per_ps == 0) return uint64_t(t.to_seconds() * 1e12 + 0.5);  // resolution coarser than 1 ps
  return t.value() / per_ps;
}

Journey::Journey(uint64_t trace_id) : id_(trace_id) {}

void Journey::set_window(sc_core::sc_time start, sc_core::sc_time stop) {
  start_ps_ = time_ps(start);
  stop_ps_ = time_ps(stop);
  if (stop_ps_ >= kForeverPs) stop_ps_ = UINT64_MAX;  // sc_max_time() and the like: no end
  windowed_ = start_ps_ != 0 || stop_ps_ != UINT64_MAX;
}

bool Journey::wants(uint64_t trace_id) const {
  return trace_id == id_ || std::find(follow_.begin(), follow_.end(), trace_id) != follow_.end();
}

void Journey::add(const stack::Stage& s) {
  bool own = s.trace_id == id_;
  if (!own) {
    // After a GRO merge the packet's data travels as the head skb: keep that
    // packet's host stages from here on.
    if (s.cpu == stack::Stage::kNic || std::find(follow_.begin(), follow_.end(), s.trace_id) == follow_.end()) return;
  }
  Row r;
  r.t_ps = time_ps(s.t);
  if (r.t_ps < start_ps_ || r.t_ps > stop_ps_) return;
  r.seq = seq_++;
  r.packet = s.trace_id;
  r.cpu = s.cpu;
  r.cycle = s.cycle;
  r.name = s.name ? s.name : "";
  r.detail = s.detail;
  r.has_drop = s.drop != nullptr;
  if (s.drop) r.drop = s.drop;
  r.skb = s.skb;
  r.fields = s.fields;
  uint64_t into = 0;
  if (s.cpu != stack::Stage::kNic && merged_into(r.detail, &into) && into != id_ && !wants(into))
    follow_.push_back(into);
  rows_.push_back(std::move(r));
}

namespace {
// A stage's named value as JSON: its text, else its number.
nlohmann::ordered_json field_json(const stack::StageField& f) {
  return f.text ? nlohmann::ordered_json(f.text) : nlohmann::ordered_json(f.num);
}

// A stage of the interrupt/NAPI session, which serves every packet the poll
// finds: igb_msix_ring schedules the poll, napi_poll is its start.
bool is_session(const std::string& name) { return name == "igb_msix_ring" || name == "napi_poll"; }
// A reader's wait returning ready fds (do_select, do_sys_poll, ep_poll).
bool is_ready_return(const std::string& name) { return name == "epoll_wait" || name == "select" || name == "poll"; }
// The stages that queue the packet on its socket and make it readable.
bool is_queued(const std::string& name) {
  return name == "__udp_enqueue_schedule_skb" || name == "tcp_queue_rcv" || name == "sock_def_readable";
}
}  // namespace

Journey::Layout Journey::layout() const {
  std::vector<const Row*> v;
  v.reserve(rows_.size());
  for (const Row& r : rows_) v.push_back(&r);
  std::sort(v.begin(), v.end(),
            [](const Row* a, const Row* b) { return a->t_ps != b->t_ps ? a->t_ps < b->t_ps : a->seq < b->seq; });
  Layout l;
  // The NIC names the next MSI-X of the vector after the writeback. When the
  // driver cleaned the frame before that message (NAPI was polling with the
  // vector masked), the message did not report this frame: leave it out.
  l.late_msix = late_msix(v);
  const Row* wire = nullptr;  // xgmii_start
  uint64_t nic_last = 0;      // the last NIC step: the host cannot have handled the frame before
  uint64_t queued = UINT64_MAX, first_recv = UINT64_MAX;
  for (const Row* r : v) {
    if (r == l.late_msix) continue;
    if (r->cpu == stack::Stage::kNic) {
      nic_last = r->t_ps;
      if (!wire && r->name == "xgmii_start") wire = r;
    } else if (is_queued(r->name) && queued == UINT64_MAX) {
      queued = r->t_ps;
    } else if (is_recv(r->name) && first_recv == UINT64_MAX) {
      first_recv = r->t_ps;
    }
  }
  // The reader's return that reported this packet: the last one at or after
  // it was queued, before the first recv() that read it (the reader drains
  // the fd after each return).
  const Row* ready = nullptr;
  for (const Row* r : v)
    if (r->cpu != stack::Stage::kNic && is_ready_return(r->name) && (queued == UINT64_MAX || r->t_ps >= queued) &&
        r->t_ps <= first_recv)
      ready = r;
  for (const Row* r : v) {
    if (r == l.late_msix) continue;
    std::string why;
    if (r->cpu != stack::Stage::kNic && is_session(r->name) && r->t_ps < nic_last) {
      const char* before = wire && r->t_ps < wire->t_ps ? "before this frame reached the wire"
                                                        : "before the NIC was done with this frame";
      why = r->name == "napi_poll" ? std::string("this NAPI poll was already running, ") + before +
                                         "; it cleaned the frame at igb_clean_rx_irq"
                                   : std::string("the interrupt that scheduled the NAPI poll, ") + before;
    } else if (r->cpu != stack::Stage::kNic && is_ready_return(r->name) && r != ready) {
      if (queued != UINT64_MAX && r->t_ps < queued)
        why = "returned before this packet was queued (at " + ns3(queued) + " ns): not the return that reported it";
      else if (r->t_ps > first_recv)
        why = "a return after the first recv() of its data: the reader read the rest of it after this one";
      else
        why = "an earlier return while it was queued; the reader read it after a later one";
    }
    if (why.empty())
      l.steps.push_back(r);
    else
      l.context.emplace_back(r, std::move(why));
  }
  return l;
}

const Journey::Row* Journey::late_msix(const std::vector<const Row*>& by_time) const {
  uint64_t cleaned = UINT64_MAX;
  for (const Row* r : by_time)
    if (r->packet == id_ && r->cpu != stack::Stage::kNic && r->name == "igb_clean_rx_irq") {
      cleaned = r->t_ps;
      break;
    }
  for (const Row* r : by_time)
    if (r->packet == id_ && r->cpu == stack::Stage::kNic && r->name == "msix" && r->t_ps > cleaned) return r;
  return nullptr;
}

Journey::Outcome Journey::outcome(const std::vector<const Row*>& rows) const {
  Outcome o;
  for (const Row* r : rows)
    if (r->packet == id_ && r->name == "xgmii_start") {
      o.first = r;
      break;
    }
  if (!o.first && !rows.empty()) o.first = rows.front();
  const Row* merge = nullptr;
  for (const Row* r : rows) {
    if (r->has_drop) {  // a drop ends the journey
      o.kind = Outcome::dropped;
      o.at = r;
      return o;
    }
    if (is_recv(r->name)) {  // the last receive copy (a TCP skb may be read in parts)
      o.kind = Outcome::delivered;
      o.at = r;
    }
    uint64_t into = 0;
    if (!merge && r->packet == id_ && r->cpu != stack::Stage::kNic && merged_into(r->detail, &into)) {
      merge = r;
      o.into = into;
    }
  }
  if (o.kind == Outcome::in_flight && !merge) {
    bool host = false, written_back = false;
    for (const Row* r : rows) {
      host |= r->cpu != stack::Stage::kNic;
      written_back |= r->cpu == stack::Stage::kNic && r->name == "writeback";
    }
    if (written_back && !host) o.kind = Outcome::host_unknown;
  }
  if (merge) {
    o.followed = o.kind == Outcome::delivered;
    if (o.kind != Outcome::delivered) {
      o.kind = Outcome::merged;
      o.at = merge;
    }
  }
  return o;
}

int64_t Journey::cycle_of(const Row& r) {
  if (r.cpu == stack::Stage::kNic && r.cycle >= 0) return r.cycle;
  return int64_t(r.t_ps / kNicCyclePs);
}

namespace {
enum : uint8_t { kCtxOther, kCtxSoftirq, kCtxKsoftirqd };
}

void Journey::host_string(const std::string& path, const char* value, sc_core::sc_time t) {
  // host.cpu<N>.context
  static const char kPre[] = "host.cpu", kSuf[] = ".context";
  if (path.compare(0, sizeof kPre - 1, kPre) != 0 || !ends_with(path, kSuf)) return;
  size_t p = sizeof kPre - 1, e = path.size() - (sizeof kSuf - 1);
  if (p >= e || e - p > 4) return;
  int cpu = 0;
  for (; p < e; ++p) {
    if (path[p] < '0' || path[p] > '9') return;
    cpu = cpu * 10 + (path[p] - '0');
  }
  uint8_t c = kCtxOther;
  if (value && std::strcmp(value, "softirq") == 0)
    c = kCtxSoftirq;
  else if (value && std::strcmp(value, "ksoftirqd") == 0)
    c = kCtxKsoftirqd;
  if (size_t(cpu) >= ctx_.size()) ctx_.resize(size_t(cpu) + 1);
  auto& v = ctx_[size_t(cpu)];
  if (!v.empty() && v.back().second == c) return;
  uint64_t ps = time_ps(t);
  if (!v.empty() && ps < v.back().first) ps = v.back().first;  // per signal, times never go back
  v.emplace_back(ps, c);
}

std::string Journey::where(const Row& r) const {
  if (r.cpu == stack::Stage::kNic) return nic_block(r.name.c_str());
  std::string ctx = host_context(r.name);
  if (ctx == "softirq" && size_t(r.cpu) < ctx_.size()) {
    // The context the CPU was in at the stage's time, if it was running softirqs.
    const auto& v = ctx_[size_t(r.cpu)];
    auto it = std::upper_bound(v.begin(), v.end(), std::make_pair(r.t_ps, uint8_t(255)));
    if (it != v.begin() && std::prev(it)->second == kCtxKsoftirqd) ctx = "ksoftirqd";
  }
  return "cpu" + std::to_string(r.cpu) + " " + ctx;
}

std::string Journey::text() const {
  std::string out;
  char b[512];
  if (rows_.empty()) {
    std::snprintf(b, sizeof b, "packet %" PRIu64 ": no stages recorded%s\n", id_,
                  windowed_ ? " inside the trace window" : "");
    return b;
  }
  const Layout l = layout();
  const std::vector<const Row*>& rows = l.steps;
  Outcome o = outcome(rows);

  std::snprintf(b, sizeof b, "packet %" PRIu64 ": %zu steps", id_, rows.size());
  out += b;
  if (!l.context.empty()) out += " (and " + std::to_string(l.context.size()) + " stages of context, below)";
  if (windowed_)
    out += ", window [" + ns3(start_ps_) + ", " + (stop_ps_ == UINT64_MAX ? "end" : ns3(stop_ps_)) + "] ns";
  out += "\ncycle: NIC clock edge (6.4 ns); ~cycle: a host stage's time / 6.4 ns, rounded down\n";
  out += "skb: offsets from skb->head; to next: time until the next step\n\n";

  // Column widths from the content (steps and context share them).
  std::vector<const Row*> all = rows;
  for (const auto& c : l.context) all.push_back(c.first);
  std::vector<std::string> stage_col, skb_col, cycle_col;
  size_t w_stage = 5, w_skb = 3, w_where = 5, w_cycle = 5;
  for (const Row* r : all) {
    std::string st = r->name;
    if (r->packet != id_) st += " [#" + std::to_string(r->packet) + "]";
    stage_col.push_back(st);
    skb_col.push_back(skb_text(r->skb));
    bool host = !(r->cpu == stack::Stage::kNic && r->cycle >= 0);
    cycle_col.push_back((host ? "~" : "") + std::to_string(cycle_of(*r)));
    w_stage = std::max(w_stage, st.size());
    w_skb = std::max(w_skb, skb_col.back().size());
    w_where = std::max(w_where, where(*r).size());
    w_cycle = std::max(w_cycle, cycle_col.back().size());
  }
  auto line = [&](size_t i, const std::string& next, const std::string& detail) {
    const Row& r = *all[i];
    std::snprintf(b, sizeof b, "%14s %12s %*s  %-*s  %-*s  %-*s  ", ns3(r.t_ps).c_str(), next.c_str(), int(w_cycle),
                  cycle_col[i].c_str(), int(w_where), where(r).c_str(), int(w_stage), stage_col[i].c_str(), int(w_skb),
                  skb_col[i].c_str());
    std::string t = b;
    t += detail;
    while (!t.empty() && t.back() == ' ') t.pop_back();
    return t + "\n";
  };
  std::snprintf(b, sizeof b, "%14s %12s %*s  %-*s  %-*s  %-*s  %s\n", "t (ns)", "to next (ns)", int(w_cycle), "cycle",
                int(w_where), "where", int(w_stage), "stage", int(w_skb), "skb", "detail");
  out += b;
  for (size_t i = 0; i < rows.size(); ++i) {
    const Row& r = *rows[i];
    std::string next = i + 1 < rows.size() ? ns3(rows[i + 1]->t_ps - r.t_ps) : "";
    std::string detail = r.detail;
    if (r.has_drop) detail += (detail.empty() ? "" : "; ") + std::string("DROP: ") + r.drop;
    out += line(i, next, detail);
    uint64_t into = 0;
    if (r.packet == id_ && r.cpu != stack::Stage::kNic && merged_into(r.detail, &into))
      out += "                -- merged by GRO into packet " + std::to_string(into) +
             ": the rest of its data follows packet " + std::to_string(into) +
             (wants(into) ? " (stages marked [#" + std::to_string(into) + "])" : "") + "\n";
  }
  out += "\n";
  if (!l.context.empty()) {
    out += "context: stages that served this packet among others and are not its steps\n";
    for (size_t k = 0; k < l.context.size(); ++k) {
      const auto& c = l.context[k];
      out += line(rows.size() + k, "", c.first->detail);
      out += "                -- " + c.second + "\n";
    }
    out += "\n";
  }
  if (const Row* late = l.late_msix) {
    out += "no MSI-X reported it: NAPI found it while polling with the vector masked (the vector's next MSI-X, at " +
           ns3(late->t_ps) + " ns, came after the driver had cleaned it)\n";
  }
  switch (o.kind) {
    case Outcome::delivered:
      out += "delivered: wire -> recv " + ns3(o.at->t_ps - o.first->t_ps) + " ns (" + o.first->name + " at " +
             ns3(o.first->t_ps) + " ns -> " + o.at->name + " at " + ns3(o.at->t_ps) + " ns";
      if (o.at->packet != id_) out += ", as part of packet " + std::to_string(o.at->packet);
      if (o.first->name != "xgmii_start") out += "; the wire start is outside the trace";
      out += ")\n";
      break;
    case Outcome::dropped:
      out += "dropped: counted in " + o.at->drop + " (at " + o.at->name + ", " + ns3(o.at->t_ps) + " ns";
      if (o.at->packet != id_) out += ", as part of packet " + std::to_string(o.at->packet);
      out += ")\n";
      break;
    case Outcome::merged:
      out += "merged by GRO into packet " + std::to_string(o.into) + " at " + ns3(o.at->t_ps) +
             " ns: its data is delivered with packet " + std::to_string(o.into) + " (see its journey)\n";
      break;
    case Outcome::host_unknown: {
      const Row* wb = nullptr;
      for (const Row* r : rows)
        if (r->cpu == stack::Stage::kNic && r->name == "writeback") wb = r;
      out += "written back to host memory at " + ns3(wb->t_ps) +
             " ns; no host stage carries this frame's number, so its journey stops here: either the driver had "
             "not cleaned it by the end of the " +
             (windowed_ ? std::string("trace window") : std::string("run")) +
             ", or the frame carries no number the host can read (the frames of a replayed capture)\n";
      break;
    }
    case Outcome::in_flight: {
      const Row& last = *rows.back();
      out += std::string("in flight: neither delivered nor dropped by the end of the ") +
             (windowed_ ? "trace window" : "run") + "; last step " + last.name + " (" + where(last) + ") at " +
             ns3(last.t_ps) + " ns";
      bool host = false;
      for (const Row* r : rows) host |= r->cpu != stack::Stage::kNic;
      if (!host) out += "; no host stage carries this packet's id";
      out += "\n";
      break;
    }
  }
  return out;
}

void Journey::write_json(std::ostream& os) const {
  using json = nlohmann::ordered_json;
  json j;
  j["id"] = id_;
  if (windowed_) {
    j["window_ps"] = {start_ps_, stop_ps_};
  }
  const Layout l = layout();
  const std::vector<const Row*>& rows = l.steps;
  auto stage = [&](const Row& r) {
    json s;
    s["t_ps"] = r.t_ps;
    s["t_ns"] = double(r.t_ps) / 1000.0;
    s["cycle"] = cycle_of(r);
    s["cycle_from_host_time"] = !(r.cpu == stack::Stage::kNic && r.cycle >= 0);
    s["where"] = where(r);
    if (r.cpu != stack::Stage::kNic) s["cpu"] = r.cpu;
    s["name"] = r.name;
    if (r.packet != id_) s["packet"] = r.packet;
    if (r.skb.valid)
      s["skb"] =
          json{{"head", r.skb.head}, {"data", r.skb.data},         {"tail", r.skb.tail},        {"end", r.skb.end},
               {"len", r.skb.len},   {"data_len", r.skb.data_len}, {"truesize", r.skb.truesize}};
    else
      s["skb"] = nullptr;
    s["detail"] = r.detail;
    if (!r.fields.empty()) {
      json f = json::object();
      for (const auto& x : r.fields) f[x.key] = field_json(x);
      s["fields"] = std::move(f);
    }
    if (r.has_drop) s["drop"] = r.drop;
    return s;
  };
  json stages = json::array();
  for (size_t i = 0; i < rows.size(); ++i) {
    json s = stage(*rows[i]);
    if (i + 1 < rows.size()) s["to_next_ns"] = double(rows[i + 1]->t_ps - rows[i]->t_ps) / 1000.0;
    stages.push_back(std::move(s));
  }
  j["stages"] = std::move(stages);
  json context = json::array();
  for (const auto& c : l.context) {
    json s = stage(*c.first);
    s["why"] = c.second;
    context.push_back(std::move(s));
  }
  j["context"] = std::move(context);
  if (const Row* late = l.late_msix) {
    j["found_by_polling"] = true;
    j["next_msix_ns"] = double(late->t_ps) / 1000.0;
  }
  // The path in one object: the queue and descriptor, the MSI-X vector and
  // irq, the RSS hash and type the NIC wrote back, the RPS backlog, and the
  // CPU of each host stage that decides where the work runs (the first
  // value of each, steps before context).
  json path = json::object();
  auto take = [&](const char* key, const json& v) {
    if (!path.contains(key)) path[key] = v;
  };
  std::vector<const Row*> all = rows;
  for (const auto& c : l.context) all.push_back(c.first);
  for (const Row* r : all) {
    for (const auto& x : r->fields) take(x.key, field_json(x));
    if (r->name == "igb_msix_ring") take("hardirq_cpu", r->cpu);
    if (r->name == "igb_clean_rx_irq") take("napi_cpu", r->cpu);
    if (r->name == "ip_rcv") take("protocol_cpu", r->cpu);
  }
  json out;
  if (rows.empty()) {
    out["kind"] = "absent";
  } else {
    Outcome o = outcome(rows);
    switch (o.kind) {
      case Outcome::delivered:
        out["kind"] = "delivered";
        out["at"] = o.at->name;
        out["latency_ns"] = double(o.at->t_ps - o.first->t_ps) / 1000.0;
        out["from"] = o.first->name;
        if (o.at->packet != id_) out["as_packet"] = o.at->packet;
        if (o.at->cpu != stack::Stage::kNic) path["reader_cpu"] = o.at->cpu;
        break;
      case Outcome::dropped:
        out["kind"] = "dropped";
        out["at"] = o.at->name;
        out["counter"] = o.at->drop;
        out["t_ns"] = double(o.at->t_ps) / 1000.0;
        if (o.at->packet != id_) out["as_packet"] = o.at->packet;
        break;
      case Outcome::merged:
        out["kind"] = "merged";
        out["into"] = o.into;
        out["t_ns"] = double(o.at->t_ps) / 1000.0;
        break;
      case Outcome::host_unknown:
        out["kind"] = "host_unknown";
        out["last"] = rows.back()->name;
        out["t_ns"] = double(rows.back()->t_ps) / 1000.0;
        break;
      case Outcome::in_flight:
        out["kind"] = "in_flight";
        out["last"] = rows.back()->name;
        out["t_ns"] = double(rows.back()->t_ps) / 1000.0;
        break;
    }
  }
  j["path"] = std::move(path);
  j["outcome"] = std::move(out);
  os << j.dump(1) << '\n';
}

}  // namespace rxpath::waves
