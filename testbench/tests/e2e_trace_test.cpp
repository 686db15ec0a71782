// SPDX-License-Identifier: MIT
// End-to-end tests of tracing: rxpath --trace writes one FST with the RTL
// (nic.*) and the host (host.*), inside the window only, the same host part
// for any quantum; a trigger places the window around its first occurrence;
// bad expressions are clear errors that leave no file; --journey follows one
// frame from the wire to recv() (or to the counter that dropped it);
// --timeline writes Chrome trace-event JSON.
//
// usage: e2e_trace_test -- <path of rxpath> <scratch folder> <scenarios folder>
#define BOOST_TEST_MODULE e2e_trace
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <functional>
#include <set>
#include <sstream>
#include <string>

#include <nlohmann/json.hpp>

#include "testing/rxpath_run.hpp"
#include "waves/fst_read.hpp"

using nlohmann::json;

namespace {

using rxpath::testing::exists;
using rxpath::testing::Run;
using rxpath::testing::slurp;

std::string arg(int i) {
  return rxpath::testing::test_arg(i, "usage: e2e_trace_test -- <rxpath> <scratch folder> <scenarios folder>");
}
std::string scratch(const std::string& name) { return rxpath::testing::scratch_in(arg(2), name); }
std::string scenario(const std::string& name) { return arg(3) + "/" + name; }

// Runs rxpath with `args` (quiet); stdout and stderr kept.
Run run(const std::string& name, const std::string& args) {
  const Run r = rxpath::testing::run_kept(arg(1) + " --quiet " + args, scratch(name));
  BOOST_TEST_MESSAGE("command: " << r.cmd);
  return r;
}

// Lines "<t> <path> <value>" of an FST dump.
struct Change {
  uint64_t t;
  std::string path, value;
};
std::vector<Change> changes(const std::string& dump) {
  std::vector<Change> v;
  std::istringstream in(dump);
  Change c;
  while (in >> c.t >> c.path) {
    std::getline(in, c.value);
    if (!c.value.empty() && c.value[0] == ' ') c.value.erase(0, 1);
    v.push_back(c);
  }
  return v;
}

const char* kLight = "--duration-us 60 --set traffic.rate_gbps=2 --set traffic.size=imix --set traffic.tcp_flows=1";

}  // namespace

BOOST_AUTO_TEST_CASE(trace_holds_rtl_and_host_inside_the_window_only) {
  const std::string f = scratch("window.fst");
  std::remove(f.c_str());
  const Run r = run("window", std::string(kLight) + " --trace " + f + " --trace-window 30:40");
  BOOST_TEST_INFO("stderr: " << r.err);
  BOOST_REQUIRE(r.exit_code == 0);
  BOOST_TEST(r.err.find("trace written to " + f) != std::string::npos);
  const auto vars = rxpath::waves::fst_vars(f);
  const auto rtl =
      std::count_if(vars.begin(), vars.end(), [](const std::string& v) { return v.rfind("nic.nic_top.", 0) == 0; });
  const auto host =
      std::count_if(vars.begin(), vars.end(), [](const std::string& v) { return v.rfind("host.", 0) == 0; });
  BOOST_TEST(rtl > 100);
  BOOST_TEST(host > 5);
  for (const char* want : {"host.cpu0.context", "host.cpu1.context"})
    BOOST_TEST((std::find(vars.begin(), vars.end(), want) != vars.end()), want);
  const auto all = changes(rxpath::waves::dump_fst(f));
  BOOST_REQUIRE(!all.empty());
  size_t host_changes = 0, rtl_changes = 0;
  for (const auto& c : all) {
    BOOST_TEST((c.t >= 30000000u && c.t <= 40000000u), c.t << " " << c.path);
    (c.path.rfind("host.", 0) == 0 ? host_changes : rtl_changes)++;
  }
  BOOST_TEST(rtl_changes > 1000u);
  // The host changes inside the window, not only its opening values.
  const auto inside = std::count_if(all.begin(), all.end(),
                                    [](const Change& c) { return c.path.rfind("host.", 0) == 0 && c.t > 30000000u; });
  BOOST_TEST(inside > 10);
}

// Every host signal has a value when the window opens, also a window that
// opens before the driver's first interrupt (none starts unknown).
BOOST_AUTO_TEST_CASE(every_host_signal_has_a_value_when_the_window_opens) {
  for (const char* window : {"0:20", "30:32"}) {
    const std::string f = scratch(std::string("open_") + window[0] + ".fst");
    const Run r =
        run(std::string("open_") + window[0], std::string(kLight) + " --trace " + f + " --trace-window " + window);
    BOOST_TEST_INFO("window " << window << " stderr: " << r.err);
    BOOST_REQUIRE(r.exit_code == 0);
    const auto vars = rxpath::waves::fst_vars(f);
    const auto all = changes(rxpath::waves::dump_fst(f, "host."));
    BOOST_REQUIRE(!all.empty());
    uint64_t t0 = UINT64_MAX;
    for (const auto& c : all) t0 = std::min(t0, c.t);
    std::set<std::string> opened;
    for (const auto& c : all)
      if (c.t == t0) opened.insert(c.path);
    size_t host = 0;
    for (const auto& v : vars)
      if (v.rfind("host.", 0) == 0) {
        ++host;
        BOOST_TEST(opened.count(v) == 1u, v << " has no value at the window's start (" << t0 << " ps)");
      }
    BOOST_TEST(host > 20u);
  }
}

BOOST_AUTO_TEST_CASE(trace_does_not_depend_on_the_quantum) {
  // A light mix inside a window, and the default 10 GbE scenario whole.
  const std::string runs[2] = {std::string(kLight) + " --trace-window 20:45", "--duration-us 80"};
  for (int k = 0; k < 2; ++k) {
    std::string dumps[3];
    const char* q[3] = {"0", "64", "6.4"};
    for (int i = 0; i < 3; ++i) {
      const std::string name = "q" + std::to_string(k) + "_" + std::to_string(i);
      const std::string f = scratch(name + ".fst");
      const Run r = run(name, runs[k] + " --set run.quantum_ns=" + q[i] + " --trace " + f);
      BOOST_TEST_INFO("stderr: " << r.err);
      BOOST_REQUIRE(r.exit_code == 0);
      // Every host change went in at its own time (waves/host_fst.hpp).
      BOOST_TEST(r.err.find("came after the trace had passed") == std::string::npos);
      // The windowed run: the whole file, RTL and host; the long one: the host part.
      dumps[i] = rxpath::waves::dump_fst(f, k == 0 ? "" : "host.");
    }
    BOOST_TEST(dumps[0].size() > 1000u);
    BOOST_TEST((dumps[0] == dumps[1]), runs[k] << ": the trace differs between quantum 0 (the link latency) and 64 ns");
    BOOST_TEST((dumps[0] == dumps[2]),
               runs[k] << ": the trace differs between quantum 0 (the link latency) and 6.4 ns");
  }
}

BOOST_AUTO_TEST_CASE(trigger_mpc_places_the_window_around_the_first_mpc) {
  const std::string f = scratch("mpc.fst");
  std::remove(f.c_str());
  const Run r = run("mpc", scenario("ring-overflow.toml") +
                               " --duration-us 150 --trigger mpc --before-us 3 --after-us 2 --trace " + f);
  BOOST_TEST_INFO("stderr: " << r.err);
  BOOST_REQUIRE(r.exit_code == 0);
  // "rxpath: trigger 'mpc' fired at T us; tracing A .. B us" is printed without --quiet only: the file tells.
  const auto all = changes(rxpath::waves::dump_fst(f));
  BOOST_REQUIRE(!all.empty());
  uint64_t lo = UINT64_MAX, hi = 0;
  for (const auto& c : all) lo = std::min(lo, c.t), hi = std::max(hi, c.t);
  BOOST_TEST(hi - lo <= 5000000u);  // at most before + after
  BOOST_TEST(hi - lo >= 4000000u);
  // The packet buffer's MPC pulse rises inside the window, 3 µs (before_us) after it opens.
  uint64_t first = UINT64_MAX;
  for (const auto& c : all)
    if (c.path == "nic.nic_top.mpc" && c.value == "1") first = std::min(first, c.t);
  BOOST_REQUIRE(first != UINT64_MAX);
  BOOST_TEST(first >= lo + 3000000u - 2 * 6400u);
  BOOST_TEST(first <= lo + 3000000u + 2 * 6400u);
}

BOOST_AUTO_TEST_CASE(bad_trigger_is_a_clear_error_and_leaves_no_file) {
  const std::string f = scratch("bad.fst");
  std::remove(f.c_str());
  struct Case {
    const char* args;
    const char* says;
    int code;
  };
  const Case cases[] = {
      {"--trigger mcp", "--trigger 'mcp': unknown trigger", 2},
      {"--trigger 'host.cpu0.nope>=3'", "no numeric signal is named 'host.cpu0.nope'", 2},
      {"--trigger 'nic.bogus>=1'", "unknown NIC counter 'nic.bogus'", 2},
      {"--trigger packet:x", "packet number", 2},
      {"--trace-window 50:40", "trace.stop_us", 2},
      {"--trigger mpc --trace-window 1:2", "trace.trigger", 2},
      {"--trigger packet:99999999", "never fired", 3},
  };
  for (const Case& c : cases) {
    const Run r = run("bad", std::string(kLight) + " " + c.args + " --trace " + f);
    BOOST_TEST_INFO(c.args << " -> stderr: " << r.err);
    BOOST_TEST(r.exit_code == c.code);
    BOOST_TEST(r.err.find(c.says) != std::string::npos);
    BOOST_TEST(!exists(f));
  }
}

BOOST_AUTO_TEST_CASE(journey_of_a_delivered_udp_frame_goes_from_the_wire_to_recv) {
  const std::string jf = scratch("journey.json");
  const Run r = run("journey",
                    "--duration-us 40 --set traffic.rate_gbps=1 --set traffic.tcp_flows=0 "
                    "--set traffic.size=594 --journey 3 --journey-json " +
                        jf);
  BOOST_TEST_INFO("stderr: " << r.err);
  BOOST_REQUIRE(r.exit_code == 0);
  const json j = json::parse(slurp(jf));
  BOOST_TEST(j["id"].get<uint64_t>() == 3u);
  const json& st = j["stages"];
  BOOST_REQUIRE(st.size() >= 8u);
  BOOST_TEST(st.front()["name"].get<std::string>() == "xgmii_start");
  std::vector<std::string> names;
  uint64_t last = 0;
  for (const auto& s : st) {
    BOOST_TEST(s["t_ps"].get<uint64_t>() >= last);
    last = s["t_ps"].get<uint64_t>();
    names.push_back(s["name"].get<std::string>());
  }
  auto at = [&](const char* n) { return std::find(names.begin(), names.end(), n) - names.begin(); };
  for (const char* n :
       {"mac_verdict", "pktbuf_store", "desc_assign", "dma_write", "writeback", "msix", "ip_rcv", "udp_rcv"})
    BOOST_TEST((at(n) < static_cast<long>(names.size())), "stage " << n << " missing");
  BOOST_TEST(at("xgmii_start") < at("writeback"));
  BOOST_TEST(at("writeback") < at("ip_rcv"));
  BOOST_TEST(at("ip_rcv") < at("udp_rcv"));
  BOOST_TEST(names.back().find("recv") != std::string::npos, "last stage " << names.back());
  BOOST_TEST(r.out.find("xgmii_start") != std::string::npos);  // the text on stdout
}

BOOST_AUTO_TEST_CASE(journey_of_a_dropped_frame_ends_at_its_counter) {
  const std::string jf = scratch("journey_drop.json");
  const Run r = run("journey_drop",
                    "--duration-us 40 --set traffic.rate_gbps=1 --set traffic.tcp_flows=0 "
                    "--set traffic.bad_fcs_ppm=1000000 --journey 5 --journey-json " +
                        jf);
  BOOST_TEST_INFO("stderr: " << r.err);
  BOOST_REQUIRE(r.exit_code == 0);
  const json j = json::parse(slurp(jf));
  const json& st = j["stages"];
  BOOST_REQUIRE(!st.empty());
  BOOST_TEST(st.front()["name"].get<std::string>() == "xgmii_start");
  BOOST_REQUIRE(st.back().contains("drop"));
  BOOST_TEST(st.back()["drop"].get<std::string>() == "CRCERRS");
}

// Following a frame (or tracing) only watches: every output file, the time
// series included, is the same with and without it. The series once read
// host memory as of the last CPU sync, and a journey's watcher applies DMA
// writes at their arrival, so the ring levels in series.csv differed.
BOOST_AUTO_TEST_CASE(a_journey_changes_no_output) {
  const std::string args = "--set traffic.rate_gbps=9 --set traffic.size=imix --duration-us 300 --out ";
  const Run plain = run("journey_off", args + scratch("journey_off"));
  const Run traced = run("journey_on", args + scratch("journey_on") + " --journey 200");
  BOOST_REQUIRE(plain.exit_code == 0);
  BOOST_REQUIRE(traced.exit_code == 0);
  for (const char* f : {"series.csv", "report.txt"}) {
    const std::string a = slurp(scratch("journey_off") + "/" + f), b = slurp(scratch("journey_on") + "/" + f);
    BOOST_TEST(!a.empty(), f);
    BOOST_TEST((a == b), f << " differs with --journey");
  }
  // report.json: the same but for the journey it carries and the wall time.
  std::function<void(json&)> strip = [&](json& j) {
    if (!j.is_object()) return;
    j.erase("journey");
    j.erase("wall_s");
    for (auto& [k, v] : j.items()) strip(v);
  };
  json a = json::parse(slurp(scratch("journey_off") + "/report.json"));
  json b = json::parse(slurp(scratch("journey_on") + "/report.json"));
  strip(a);
  strip(b);
  BOOST_TEST((a == b), "report.json differs with --journey: " << json::diff(a, b).dump().substr(0, 400));
}

BOOST_AUTO_TEST_CASE(timeline_is_chrome_trace_json) {
  const std::string tf = scratch("timeline.json");
  std::remove(tf.c_str());
  const Run r = run("timeline", std::string(kLight) + " --timeline " + tf + " --trace-window 20:30");
  BOOST_TEST_INFO("stderr: " << r.err);
  BOOST_REQUIRE(r.exit_code == 0);
  const json j = json::parse(slurp(tf));
  BOOST_REQUIRE(j.contains("traceEvents"));
  BOOST_TEST(j["traceEvents"].is_array());
  BOOST_TEST(j["traceEvents"].size() > 100u);
}
