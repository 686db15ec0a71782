// SPDX-License-Identifier: Apache-2.0
// waves/tests/timeline_test.cpp: the Chrome trace-event JSON parses, has the
// expected phases, balanced and nested B/E per thread (also after a wrong
// end()), flows s..t..f per packet in time order, metadata names, ts in
// microseconds, NIC slices, counters, the window, determinism and the memory
// per event.
#define BOOST_TEST_MODULE waves_timeline
#include "testing/sc_test.hpp"

#include "waves/tests/stage_builders.hpp"
#include "waves/timeline.hpp"

#include <nlohmann/json.hpp>

#include <map>
#include <set>
#include <sstream>

using nlohmann::json;
using rxpath::stack::Stage;
using rxpath::waves::Timeline;
using namespace rxpath::waves::testing;  // nic, host, skb
using sc_core::SC_NS;
using sc_core::sc_time;

namespace {

sc_time ns(double v) { return sc_time(v, SC_NS); }

// Two packets through NIC and host, spans on two CPUs, a counter.
void feed(Timeline& tl) {
  tl.counter("host.sock.fd5.rx_queue", 0, ns(0));
  for (uint64_t id : {1, 2}) {
    int64_t c0 = id == 1 ? 100 : 400;
    tl.stage(nic(id, "xgmii_start", c0, "lane 0"));
    tl.stage(nic(id, "mac_verdict", c0 + 190, "ok len=1514"));
    tl.stage(nic(id, "pktbuf_store", c0 + 191, "len=1514"));
    tl.stage(nic(id, "desc_assign", c0 + 200, "q0 desc " + std::to_string(id)));
    tl.stage(nic(id, "dma_write", c0 + 210, "addr 0x1000 len=1514"));
    tl.stage(nic(id, "writeback", c0 + 320, "q0 desc " + std::to_string(id)));
  }
  tl.stage(nic(1, "msix", 800, "vector 0"));  // one message reports both frames
  tl.stage(nic(2, "msix", 800, "vector 0"));
  double t = 800 * 6.4;
  tl.begin(0, "igb_msix_ring", ns(t + 10));
  tl.stage(host(1, "igb_msix_ring", 0, t + 12));
  tl.stage(host(2, "igb_msix_ring", 0, t + 12));
  tl.end(0, "igb_msix_ring", ns(t + 50));
  tl.begin(0, "net_rx_action", ns(t + 60));
  tl.begin(0, "igb_poll", ns(t + 70));
  tl.begin(0, "igb_clean_rx_irq", ns(t + 80));
  tl.stage(host(1, "igb_clean_rx_irq", 0, t + 90, skb(66, 1580, 1728, 1514), "q0 desc 1"));
  tl.stage(host(2, "igb_clean_rx_irq", 0, t + 95, {}, "q0 desc 2 \"quoted\""));
  tl.end(0, "igb_clean_rx_irq", ns(t + 100));
  tl.stage(host(1, "ip_rcv", 0, t + 110));
  tl.stage(host(2, "ip_rcv", 0, t + 120));
  tl.counter("host.sock.fd5.rx_queue", 2, ns(t + 130));
  tl.end(0, "igb_poll", ns(t + 140));
  tl.end(0, "net_rx_action", ns(t + 150));
  tl.begin(1, "recvmsg", ns(t + 200));
  tl.stage(host(1, "udp_recvmsg", 1, t + 210, {}, "1472 bytes"));
  tl.end(1, "recvmsg", ns(t + 220));
  tl.counter("host.sock.fd5.rx_queue", 1, ns(t + 220));
}

json written(const Timeline& tl, std::string* text = nullptr) {
  std::ostringstream os;
  tl.write(os);
  if (text) *text = os.str();
  return json::parse(os.str());
}

// Checks B/E balance and nesting per (pid, tid) in file order; returns the number of B.
size_t check_nesting(const json& ev) {
  std::map<std::pair<int, int>, std::vector<std::string>> st;
  std::map<std::pair<int, int>, double> last;
  size_t begins = 0;
  for (const json& e : ev) {
    std::string ph = e["ph"];
    if (ph != "B" && ph != "E") continue;
    auto key = std::make_pair(e["pid"].get<int>(), e["tid"].get<int>());
    double ts = e["ts"].get<double>();
    BOOST_TEST(ts >= last[key]);
    last[key] = ts;
    if (ph == "B") {
      st[key].push_back(e["name"]);
      ++begins;
    } else {
      BOOST_TEST_REQUIRE(!st[key].empty());
      BOOST_TEST(st[key].back() == e["name"].get<std::string>());
      st[key].pop_back();
    }
  }
  for (auto& [k, v] : st) BOOST_TEST(v.empty(), "thread " << k.second << " left " << v.size() << " spans open");
  return begins;
}

std::vector<json> of_phase(const json& ev, const std::string& ph) {
  std::vector<json> r;
  for (const json& e : ev)
    if (e["ph"] == ph) r.push_back(e);
  return r;
}

}  // namespace

BOOST_AUTO_TEST_CASE(json_has_phases_metadata_and_microseconds) {
  Timeline tl;
  feed(tl);
  json j = written(tl);
  BOOST_TEST(j["displayTimeUnit"] == "ns");
  const json& ev = j["traceEvents"];
  BOOST_TEST_REQUIRE(ev.is_array());
  std::set<std::string> phases;
  for (const json& e : ev) phases.insert(e["ph"].get<std::string>());
  for (const char* p : {"M", "B", "E", "i", "X", "C", "s", "t", "f"}) BOOST_TEST(phases.count(p) == 1u, p);

  // Metadata names.
  std::map<std::pair<int, int>, std::string> thread;
  std::map<int, std::string> process;
  for (const json& e : of_phase(ev, "M")) {
    if (e["name"] == "process_name") process[e["pid"]] = e["args"]["name"];
    if (e["name"] == "thread_name") thread[{e["pid"], e["tid"]}] = e["args"]["name"];
  }
  BOOST_TEST(process[1] == "host");
  BOOST_TEST(process[2] == "NIC");
  BOOST_TEST(thread[std::make_pair(1, 0)] == "cpu0");
  BOOST_TEST(thread[std::make_pair(1, 1)] == "cpu1");
  std::set<std::string> nic_threads;
  for (auto& [k, v] : thread)
    if (k.first == 2) nic_threads.insert(v);
  for (const char* n : {"MAC", "packet buffer", "descriptors", "DMA", "interrupts"})
    BOOST_TEST(nic_threads.count(n) == 1u, n);

  // ts in microseconds: xgmii_start of packet 1 at cycle 100 = 640 ns = 0.64 us; the frame lasts to the
  // end of its verdict cycle (191 cycles).
  bool found = false;
  for (const json& e : of_phase(ev, "X"))
    if (e["name"] == "frame #1") {
      found = true;
      BOOST_TEST(e["pid"] == 2);
      BOOST_TEST(e["ts"].get<double>() == 0.64, boost::test_tools::tolerance(1e-9));
      BOOST_TEST(e["dur"].get<double>() == 191 * 0.0064, boost::test_tools::tolerance(1e-9));
      BOOST_TEST(e["args"]["detail"] == "ok len=1514");
    }
  BOOST_TEST(found);
  // A DMA burst of 1514 bytes on a 16-byte bus: 95 cycles.
  for (const json& e : of_phase(ev, "X"))
    if (e["name"] == "dma_write #2")
      BOOST_TEST(e["dur"].get<double>() == 95 * 0.0064, boost::test_tools::tolerance(1e-9));
  // One MSI-X slice for the message that reports both frames.
  size_t msix = 0;
  for (const json& e : of_phase(ev, "X"))
    if (e["tid"] == 5 && e["pid"] == 2) ++msix;
  BOOST_TEST(msix == 1u);

  // Host stage instants on their CPU, thread scope, with args.
  for (const json& e : of_phase(ev, "i")) {
    BOOST_TEST(e["s"] == "t");
    BOOST_TEST(e["pid"] == 1);
    if (e["name"] == "igb_clean_rx_irq" && e["args"]["id"] == 1) {
      BOOST_TEST(e["args"]["skb"].get<std::string>() ==
                 "head=0 data=+66 tail=+1580 end=+1728 len=1514 data_len=0 truesize=0");
      BOOST_TEST(e["ts"].get<double>() == (800 * 6.4 + 90) / 1000.0, boost::test_tools::tolerance(1e-9));
    }
    if (e["name"] == "igb_clean_rx_irq" && e["args"]["id"] == 2)
      BOOST_TEST(e["args"]["detail"] == "q0 desc 2 \"quoted\"");
  }
  // Counters.
  std::vector<uint64_t> values;
  for (const json& e : of_phase(ev, "C")) {
    BOOST_TEST(e["name"] == "host.sock.fd5.rx_queue");
    values.push_back(e["args"]["value"]);
  }
  BOOST_TEST((values == std::vector<uint64_t>{0, 2, 1}));
  BOOST_TEST(check_nesting(ev) == 5u);
  BOOST_TEST(tl.repairs() == 0u);
}

BOOST_AUTO_TEST_CASE(flows_link_each_packet_in_time_order) {
  Timeline tl;
  feed(tl);
  json ev = written(tl)["traceEvents"];
  std::map<uint64_t, std::vector<json>> flows;
  for (const json& e : ev) {
    std::string ph = e["ph"];
    if (ph == "s" || ph == "t" || ph == "f") {
      BOOST_TEST(e["cat"] == "packet");
      BOOST_TEST(e["bp"] == "e");
      flows[e["id"].get<uint64_t>()].push_back(e);
    }
  }
  BOOST_TEST_REQUIRE(flows.size() == 2u);
  // Each flow event comes right after the slice or instant it binds to (same thread, same time).
  const json* anchor = nullptr;
  for (const json& e : ev) {
    std::string ph = e["ph"];
    if (ph == "M") continue;
    if (ph != "s" && ph != "t" && ph != "f") {
      anchor = &e;
      continue;
    }
    BOOST_TEST_REQUIRE(anchor);
    BOOST_TEST((*anchor)["pid"] == e["pid"]);
    BOOST_TEST((*anchor)["tid"] == e["tid"]);
    BOOST_TEST((*anchor)["ts"].get<double>() == e["ts"].get<double>());
    BOOST_TEST(((*anchor)["ph"] == "X" || (*anchor)["ph"] == "i"));
  }
  for (auto& [id, f] : flows) {
    BOOST_TEST_REQUIRE(f.size() >= 2u);
    BOOST_TEST(f.front()["ph"] == "s");
    BOOST_TEST(f.back()["ph"] == "f");
    for (size_t i = 1; i + 1 < f.size(); ++i) BOOST_TEST(f[i]["ph"] == "t");
    for (size_t i = 1; i < f.size(); ++i) BOOST_TEST(f[i]["ts"].get<double>() >= f[i - 1]["ts"].get<double>());
    // starts at the frame's /S/ on the MAC lane
    BOOST_TEST(f.front()["pid"] == 2);
    BOOST_TEST(f.front()["tid"] == 1);
  }
  // packet 1: xgmii, buffered, desc, dma, writeback, msix, isr, clean, ip_rcv, recvmsg (on cpu1)
  BOOST_TEST(flows[1].size() == 10u);
  BOOST_TEST(flows[1].back()["tid"] == 1);
  BOOST_TEST(flows[1].back()["pid"] == 1);
  BOOST_TEST(flows[2].size() == 9u);
}

BOOST_AUTO_TEST_CASE(overlapping_nic_slices_get_rows_of_their_lane) {
  Timeline tl;
  // Frames 1..3 wait in the packet buffer together; their DMA bursts overlap too.
  for (uint64_t id = 1; id <= 3; ++id) tl.stage(nic(id, "pktbuf_store", int64_t(100 + id * 10)));
  for (uint64_t id = 1; id <= 3; ++id) tl.stage(nic(id, "desc_assign", int64_t(200 + id * 10)));
  for (uint64_t id = 1; id <= 3; ++id) tl.stage(nic(id, "dma_write", int64_t(300 + id * 5), "len 1024"));
  json ev = written(tl)["traceEvents"];
  std::map<std::pair<int, int>, std::vector<std::pair<double, double>>> x;
  std::map<int, std::string> names;
  for (const json& e : ev) {
    if (e["ph"] == "X")
      x[{e["pid"], e["tid"]}].push_back({e["ts"].get<double>(), e["ts"].get<double>() + e["dur"].get<double>()});
    if (e["ph"] == "M" && e["name"] == "thread_name" && e["pid"] == 2) names[e["tid"]] = e["args"]["name"];
  }
  size_t buffer_rows = 0, dma_rows = 0;
  for (auto& [k, v] : x) {
    std::sort(v.begin(), v.end());
    for (size_t i = 1; i < v.size(); ++i)
      BOOST_TEST(v[i].first >= v[i - 1].second - 1e-9, "overlap on tid " << k.second);
    BOOST_TEST(names.count(k.second) == 1u, "no thread name for tid " << k.second);
    if (names[k.second].rfind("packet buffer", 0) == 0) ++buffer_rows;
    if (names[k.second].rfind("DMA", 0) == 0) ++dma_rows;
  }
  BOOST_TEST(buffer_rows == 3u);
  BOOST_TEST(dma_rows == 3u);  // 64 cycles each, 5 cycles apart
  bool named = false;
  for (auto& [tid, n] : names) named |= n == "packet buffer 3";
  BOOST_TEST(named);
  // flows still bind: each flow event's thread has a slice at its time
  for (const json& e : ev) {
    std::string ph = e["ph"];
    if (ph != "s" && ph != "t" && ph != "f") continue;
    bool inside = false;
    for (auto& [a, b] : x[{e["pid"], e["tid"]}]) inside |= a <= e["ts"].get<double>() && e["ts"].get<double>() <= b;
    BOOST_TEST(inside, e.dump());
  }
}

BOOST_AUTO_TEST_CASE(mac_frame_ends_where_the_next_begins) {
  Timeline tl;  // the verdict comes two cycles into the next frame
  tl.stage(nic(1, "xgmii_start", 100));
  tl.stage(nic(2, "xgmii_start", 110));
  tl.stage(nic(1, "mac_verdict", 112, "ok, 64 bytes"));
  tl.stage(nic(2, "mac_verdict", 122, "ok, 64 bytes"));
  json ev = written(tl)["traceEvents"];
  std::vector<json> mac;
  for (const json& e : ev)
    if (e["ph"] == "X") mac.push_back(e);
  BOOST_TEST_REQUIRE(mac.size() == 2u);
  BOOST_TEST(mac[0]["tid"] == 1);
  BOOST_TEST(mac[1]["tid"] == 1);  // one row
  BOOST_TEST(mac[0]["dur"].get<double>() == 10 * 0.0064, boost::test_tools::tolerance(1e-9));
  BOOST_TEST(mac[1]["dur"].get<double>() == 13 * 0.0064, boost::test_tools::tolerance(1e-9));
}

BOOST_AUTO_TEST_CASE(frame_zero_is_a_frame_but_host_id_zero_is_no_packet) {
  Timeline tl;
  tl.stage(nic(0, "xgmii_start", 100));
  tl.stage(nic(0, "mac_verdict", 110));
  tl.stage(nic(0, "pktbuf_store", 111));
  tl.stage(nic(0, "desc_assign", 120));
  tl.begin(0, "net_rx_action", ns(1000));
  tl.stage(host(0, "ip_rcv", 0, 1100));  // an skb nobody could name
  tl.end(0, "net_rx_action", ns(1200));
  json ev = written(tl)["traceEvents"];
  bool named = false;
  std::vector<json> flow;
  for (const json& e : ev) {
    if (e["ph"] == "X" && e["name"] == "frame #0") named = e["args"]["id"] == 0;
    std::string ph = e["ph"];
    if (ph == "s" || ph == "t" || ph == "f") flow.push_back(e);
  }
  BOOST_TEST(named);
  BOOST_TEST_REQUIRE(flow.size() == 3u);  // frame, buffered, desc_assign; not the host's ip_rcv
  for (const json& e : flow) BOOST_TEST(e["pid"] == 2);
}

BOOST_AUTO_TEST_CASE(an_overloaded_lane_keeps_a_bounded_number_of_rows) {
  Timeline tl;
  for (uint64_t id = 1; id <= 100; ++id) tl.stage(nic(id, "pktbuf_store", int64_t(100 + id * 10)));
  for (uint64_t id = 1; id <= 100; ++id) tl.stage(nic(id, "desc_assign", int64_t(5000 + id * 10)));
  json ev = written(tl)["traceEvents"];
  std::map<int, std::vector<std::pair<double, double>>> x;
  size_t rows = 0;
  for (const json& e : ev) {
    if (e["ph"] == "X" && e["tid"].get<int>() % 16 == 2)
      x[e["tid"]].push_back({e["ts"].get<double>(), e["ts"].get<double>() + e["dur"].get<double>()});
    if (e["ph"] == "M" && e["name"] == "thread_name" && e["pid"] == 2 &&
        e["args"]["name"].get<std::string>().rfind("packet buffer", 0) == 0)
      ++rows;
  }
  BOOST_TEST(rows == 13u);  // 12 rows and one for the first cycle of the rest
  size_t slices = 0;
  for (auto& [tid, v] : x) {
    std::sort(v.begin(), v.end());
    slices += v.size();
    for (size_t i = 1; i < v.size(); ++i) BOOST_TEST(v[i].first >= v[i - 1].second - 1e-9, "overlap on tid " << tid);
  }
  BOOST_TEST(slices == 100u);
}

BOOST_AUTO_TEST_CASE(wrong_end_is_repaired_and_open_spans_closed) {
  Timeline tl;
  tl.begin(0, "net_rx_action", ns(10));
  tl.begin(0, "igb_poll", ns(20));
  tl.end(0, "net_rx_action", ns(30));  // igb_poll still open: closed first
  tl.end(0, "igb_poll", ns(40));       // nothing open of that name: ignored
  tl.begin(0, "epoll_wait", ns(50));   // never ended: closed at the end
  tl.begin(1, "recvmsg", ns(60));
  tl.end(1, "recvmsg", ns(55));  // goes back in time: clamped
  BOOST_TEST(tl.repairs() == 3u);
  BOOST_TEST(!tl.first_problem().empty());
  std::string text;
  json j = written(tl, &text);
  BOOST_TEST(check_nesting(j["traceEvents"]) == 4u);
  BOOST_TEST(j["otherData"]["nesting_repairs"] == "3");
}

BOOST_AUTO_TEST_CASE(window_keeps_only_inside) {
  Timeline tl;
  tl.set_window(ns(2000), ns(5200));
  tl.begin(0, "ksoftirqd", ns(1000));  // open across the start: begins at 2000 ns
  feed(tl);
  tl.counter("host.sock.fd5.rx_queue", 7, ns(100));  // the last value before: shown at the window start
  tl.end(0, "ksoftirqd", ns(9000));                  // after the stop: closed at 5200 ns
  json ev = written(tl)["traceEvents"];
  check_nesting(ev);
  for (const json& e : ev) {
    if (e["ph"] == "M") continue;
    double ts = e["ts"].get<double>();
    BOOST_TEST(ts >= 2.0 - 1e-12, e.dump());
    BOOST_TEST(ts <= 5.2 + 1e-12, e.dump());
    if (e["ph"] == "X") BOOST_TEST(ts + e["dur"].get<double>() <= 5.2 + 1e-9, e.dump());
  }
  bool ksoftirqd = false, before = false, host_after = false, frame1 = false;
  for (const json& e : ev) {
    if (e["ph"] == "B" && e["name"] == "ksoftirqd") ksoftirqd = e["ts"].get<double>() == 2.0;
    if (e["ph"] == "C" && e["args"]["value"] == 7) before = e["ts"].get<double>() == 2.0;
    if (e["ph"] == "i") host_after = true;  // host stages are after 5120 + 12 ns: only the ISR ones
    if (e["ph"] == "X" && e["name"] == "frame #1") frame1 = true;  // 640..1862 ns: outside
  }
  BOOST_TEST(ksoftirqd);
  BOOST_TEST(before);
  BOOST_TEST(host_after);
  BOOST_TEST(!frame1);
  size_t instants = of_phase(ev, "i").size();
  BOOST_TEST(instants == 2u);  // igb_msix_ring of both packets at 5132 ns; the rest is after 5200 ns
}

BOOST_AUTO_TEST_CASE(window_of_everything_closes_at_the_last_event) {
  Timeline tl;
  tl.set_window(sc_core::SC_ZERO_TIME, sc_core::sc_max_time());
  tl.begin(0, "ksoftirqd", ns(100));
  tl.stage(host(1, "ip_rcv", 0, 150));
  json ev = written(tl)["traceEvents"];
  check_nesting(ev);
  for (const json& e : ev)
    if (e["ph"] == "E") BOOST_TEST(e["ts"].get<double>() == 0.15, boost::test_tools::tolerance(1e-9));
}

// A 4-CPU host whose CPUs 1 and 3 run nothing still has a lane for each:
// the Recorder declares every host.cpu<N>.context (add_cpu). Without it
// the lanes end at the last CPU that ran something.
BOOST_AUTO_TEST_CASE(every_cpu_has_a_lane_busy_or_not) {
  auto lanes_of = [](bool declare) {
    Timeline tl;
    tl.set_window(ns(1000), ns(2000));
    if (declare)
      for (int c = 0; c < 4; ++c) tl.add_cpu(c);
    tl.begin(0, "net_rx_action", ns(1100));
    tl.end(0, "net_rx_action", ns(1200));
    tl.begin(2, "net_rx_action", ns(1300));
    tl.end(2, "net_rx_action", ns(1400));
    std::set<std::string> lanes;
    const json j = written(tl);
    for (const json& e : j["traceEvents"])
      if (e["ph"] == "M" && e["name"] == "thread_name" && e["pid"] == 1) {
        BOOST_TEST(e["tid"].get<int>() == std::stoi(e["args"]["name"].get<std::string>().substr(3)));
        lanes.insert(e["args"]["name"].get<std::string>());
      }
    return lanes;
  };
  const std::set<std::string> all = {"cpu0", "cpu1", "cpu2", "cpu3"}, busy = {"cpu0", "cpu1", "cpu2"};
  BOOST_TEST(lanes_of(true) == all, boost::test_tools::per_element());
  BOOST_TEST(lanes_of(false) == busy, boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(output_is_deterministic) {
  Timeline a, b;
  feed(a);
  feed(b);
  std::string ta, ta2, tb;
  written(a, &ta);
  written(a, &ta2);
  written(b, &tb);
  BOOST_TEST(ta == ta2);
  BOOST_TEST(ta == tb);
}

BOOST_AUTO_TEST_CASE(events_are_stored_compactly) {
  Timeline tl;
  const int n = 200000;
  for (int i = 0; i < n; ++i) {
    uint64_t id = uint64_t(i / 20 + 1);
    if (i % 2)
      tl.stage(nic(id, "dma_write", i, "addr 0x1000 len=256"));
    else
      tl.stage(host(id, "ip_rcv", i % 4 / 2, i * 6.4, {}, "fd 5 qlen 3"));
  }
  double per_event = double(tl.memory_bytes()) / double(tl.events());
  BOOST_TEST_MESSAGE("bytes per stage event: " << per_event);
  BOOST_TEST(per_event < 90.0);  // 48-byte events + detail text; was 102 with pre-rendered JSON args
}
