// SPDX-License-Identifier: MIT
// Steady state in every run (issue 10, part A): the measured window after
// run.warmup_us, series.csv every run.sample_us, and the steady-state verdict
// (docs/rxpath.md, "Steady state"). Whole rxpath runs, one process each.
//
// usage: steady_test -- <path of rxpath> <scratch folder>
#define BOOST_TEST_MODULE steady
#include <boost/test/unit_test.hpp>

#include <cmath>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "testing/rxpath_run.hpp"

using nlohmann::json;

namespace {

using rxpath::testing::slurp;

std::string arg(int i) { return rxpath::testing::test_arg(i, "usage: steady_test -- <rxpath> <scratch folder>"); }
std::string scratch(const std::string& name) { return rxpath::testing::scratch_in(arg(2), name); }

struct Run {
  int status = -1;
  json report;
  std::string series;  // series.csv
  std::string err;
};

Run run(const std::string& name, const std::string& args) {
  Run r;
  const std::string dir = scratch(name);
  const rxpath::testing::Run ran = rxpath::testing::run_kept(arg(1) + " --quiet --out " + dir + " " + args, dir);
  r.status = ran.exit_code;
  r.err = ran.err;
  BOOST_TEST_INFO("command: " << ran.cmd << "\nstderr: " << ran.err);
  BOOST_REQUIRE_EQUAL(r.status, 0);
  r.report = json::parse(slurp(dir + "/report.json"));
  r.series = slurp(dir + "/series.csv");
  return r;
}

// series.csv as columns by name.
struct Csv {
  std::vector<std::string> header;
  std::vector<std::map<std::string, double>> rows;
};

Csv parse_csv(const std::string& text) {
  Csv c;
  std::istringstream is(text);
  std::string line;
  auto split = [](const std::string& l) {
    std::vector<std::string> f;
    std::string x;
    std::istringstream ls(l);
    while (std::getline(ls, x, ',')) f.push_back(x);
    return f;
  };
  if (std::getline(is, line)) c.header = split(line);
  while (std::getline(is, line)) {
    const std::vector<std::string> f = split(line);
    BOOST_REQUIRE_EQUAL(f.size(), c.header.size());
    std::map<std::string, double> row;
    for (size_t i = 0; i < f.size(); ++i) row[c.header[i]] = std::stod(f[i]);
    c.rows.push_back(row);
  }
  return c;
}

// Sum of `col` over the rows whose interval lies in (from_us, to_us].
double sum(const Csv& c, const std::string& col, double from_us, double to_us) {
  double s = 0;
  for (const auto& r : c.rows)
    if (r.at("t_us") > from_us + 1e-9 && r.at("t_us") <= to_us + 1e-9) s += r.at(col);
  return s;
}

bool has(const std::vector<std::string>& v, const std::string& x) {
  for (const auto& y : v)
    if (y == x) return true;
  return false;
}

// A load the host keeps up with: 1 Gb/s of IMIX UDP into the default ring.
const char* const kEasy =
    "--set run.duration_us=1510 --set run.warmup_us=500 --set run.sample_us=50 --set traffic.rate_gbps=1 "
    "--set traffic.size=imix --set traffic.tcp_flows=0";

}  // namespace

// 1. A load the host keeps up with is steady; and series.csv adds up.
BOOST_AUTO_TEST_CASE(easy_load_is_steady_and_series_adds_up) {
  const Run r = run("easy", kEasy);
  const json& m = r.report["measured"];
  const json& st = r.report["steady"];
  BOOST_TEST(st["verdict"].get<std::string>() == "steady");
  BOOST_TEST(st["reasons"].empty());
  BOOST_TEST(st["suggestion"].get<std::string>().empty());
  // The window: traffic start (10 us) + warm-up .. end of traffic.
  BOOST_TEST(m["start_us"].get<double>() == 510.0);
  BOOST_TEST(m["stop_us"].get<double>() == 1510.0);
  BOOST_TEST(m["length_us"].get<double>() == 1000.0);

  // 3. series.csv: the contract's columns, one row per 50 us on a grid
  // anchored at the window start (510 us): 10, 60, ..., 1510 us.
  const Csv c = parse_csv(r.series);
  for (const char* col : {"t_us", "offered", "delivered", "drop.nic.MPC", "drop.nic.RQDPC", "nic_held",
                          "done_not_cleaned", "pktbuf_bytes", "sock_rx_bytes", "cpu0.softirq_ns", "cpu1.process_ns",
                          "cpu0.hardirq_ns", "msix", "polls", "time_squeeze"})
    BOOST_TEST(has(c.header, col), "series.csv has no column " << col);
  BOOST_REQUIRE_EQUAL(c.rows.size(), 31u);
  BOOST_TEST(c.rows.front().at("t_us") == 10.0);
  BOOST_TEST(c.rows[10].at("t_us") == 510.0);
  BOOST_TEST(c.rows.back().at("t_us") == 1510.0);
  // Oracle: the per-interval deltas over all rows are the whole run's
  // offered frames (every frame is offered before the end of traffic), and
  // over the window's rows the measured section's.
  BOOST_TEST(sum(c, "offered", 0, 1510) == r.report["offered"]["frames"].get<double>());
  BOOST_TEST(sum(c, "offered", 510, 1510) == m["offered_frames"].get<double>());
  BOOST_TEST(sum(c, "delivered", 510, 1510) == m["delivered_frames"].get<double>());
  BOOST_TEST(sum(c, "msix", 510, 1510) == m["msix"].get<double>());
  BOOST_TEST(sum(c, "polls", 510, 1510) == m["napi_polls"].get<double>());
  // The host kept up: the ring never held more than a few polls' worth.
  for (const auto& row : c.rows) BOOST_TEST(row.at("done_not_cleaned") < 256);
  // CPU shares add up to the window's CPU time (oracle: 2 CPUs x 1000 us),
  // but for the part of a context still running at either end (a CPU's time
  // is booked when it leaves a context, idle excepted): well under 1 %.
  double share = 0;
  for (const auto& [_, v] : m["cpu_share"].items()) share += v.get<double>();
  BOOST_TEST(std::fabs(share - 1.0) < 0.01);
  BOOST_TEST(m["latency_ns"]["samples"].get<uint64_t>() > 0u);
}

// 1b. Overloaded but settled: 64-byte frames at line rate into a 64-entry
// ring lose frames at a steady rate once the buffers are full (within
// 100 us); a window after that is steady, and its drops add up. Both NIC
// models (each keeps the nic::NicModel::probe_at contract). One queue on
// both: with more, igb sets SRRCTL.DROP_EN and the double would drop in
// RQDPC instead of letting the packet buffer fill (MPC).
void settled_overload(const std::string& model) {
  const Run r =
      run("overload_" + model, "--set nic.model=" + model +
                                   " --set run.duration_us=610 --set run.warmup_us=200 --set run.sample_us=20 "
                                   "--set traffic.pattern=constant --set traffic.rate_gbps=10 --set traffic.size=64 "
                                   "--set traffic.tcp_flows=0 --set igb.rx_ring=64 --set igb.queues=1");
  const json& m = r.report["measured"];
  BOOST_TEST(r.report["steady"]["verdict"].get<std::string>() == "steady",
             "reasons: " << r.report["steady"]["reasons"].dump());
  BOOST_TEST(m["loss_ratio"].get<double>() > 0.3);
  const Csv c = parse_csv(r.series);
  // Oracle: the drop columns summed over the window are the measured drops;
  // over the whole series, the report's NIC drop counters (read from the
  // NIC's statistics registers by the driver after the run).
  double window = 0;
  for (const auto& [k, v] : m["drops"].items()) {
    BOOST_TEST(sum(c, "drop." + k, 210, 610) == v.get<double>(), k);
    window += v.get<double>();
  }
  BOOST_TEST(window == m["dropped_frames"].get<double>());
  BOOST_TEST(m["dropped_frames"].get<double>() / m["offered_frames"].get<double>() == m["loss_ratio"].get<double>(),
             boost::test_tools::tolerance(1e-12));
  // The series ends with traffic; a frame whose first bit went on the wire
  // before the end is dropped up to one frame time (67 ns) plus the MAC's
  // pipeline later, so the registers may count one or two more.
  const double mpc_run = r.report["accounting"]["drops"]["nic.MPC"].get<double>();
  const double mpc_series = sum(c, "drop.nic.MPC", 0, 610);
  BOOST_TEST(mpc_series <= mpc_run);
  BOOST_TEST(mpc_run - mpc_series <= 2);
  BOOST_TEST(r.report["accounting"]["drops"]["nic.MPC"].get<double>() > 0);
  // MPC means a frame found the 64 KiB packet buffer full; with frames
  // arriving ten times faster than the host takes them it stays within a
  // few frames of full at every sample of the window.
  for (const auto& row : c.rows)
    if (row.at("t_us") > 210) BOOST_TEST(row.at("pktbuf_bytes") >= 65536 - 1024, row.at("t_us"));
}

BOOST_AUTO_TEST_CASE(settled_overload_is_steady_and_drops_add_up_rtl) { settled_overload("rtl"); }
BOOST_AUTO_TEST_CASE(settled_overload_is_steady_and_drops_add_up_double) { settled_overload("double"); }

// 2. The case: ring 4096 at 4 Gb/s of IMIX. The host cannot keep up
// (a 50 ms run loses ~25 %), but 4096 descriptors take ~10 ms to fill: a
// short run loses nothing and must be called a transient, naming the backlog.
BOOST_AUTO_TEST_CASE(filling_ring_is_transient) {
  const Run r = run("filling",
                    "--set run.duration_us=4010 --set igb.rx_ring=4096 --set traffic.rate_gbps=4 "
                    "--set traffic.size=imix");
  const json& st = r.report["steady"];
  BOOST_TEST(st["verdict"].get<std::string>() == "transient");
  BOOST_REQUIRE(!st["reasons"].empty());
  BOOST_TEST(st["reasons"][0].get<std::string>().find("backlog still rising: ring") != std::string::npos,
             st["reasons"].dump());
  BOOST_TEST(st["suggestion"].get<std::string>().find("run longer") == 0u);
  BOOST_TEST(st["ring_rise"].get<double>() > 0.1 * 4096);
  const std::string text = slurp(scratch("filling") + "/report.txt");
  BOOST_TEST(text.find("Steady state: TRANSIENT") != std::string::npos);
  BOOST_TEST(text.find("Measured window 10.0 .. 4010.0 us") != std::string::npos);
}

// 4. Snapshots at fixed simulated times: the measured section and the
// series do not depend on the NIC's run-ahead quantum.
BOOST_AUTO_TEST_CASE(measured_independent_of_quantum) {
  const std::string args =
      "--set run.duration_us=410 --set run.warmup_us=100 --set run.sample_us=20 --set traffic.rate_gbps=6 "
      "--set traffic.size=imix --set traffic.tcp_flows=0 --set igb.rx_ring=128";
  const Run a = run("quantum_a", args + " --set run.quantum_ns=499.2");
  const Run b = run("quantum_b", args + " --set run.quantum_ns=32");
  BOOST_TEST(a.report["measured"].dump() == b.report["measured"].dump());
  BOOST_TEST(a.report["steady"].dump() == b.report["steady"].dump());
  BOOST_TEST(a.series == b.series);
  BOOST_TEST(!a.series.empty());
}

// 5. The warm-up is left out: fixed-size frames at a constant rate.
BOOST_AUTO_TEST_CASE(warmup_excludes_the_start) {
  const Run r = run("warmup",
                    "--set run.duration_us=1010 --set run.warmup_us=400 --set traffic.pattern=constant "
                    "--set traffic.rate_gbps=2 --set traffic.size=512 --set traffic.tcp_flows=0");
  const json& m = r.report["measured"];
  BOOST_TEST(m["warmup_us"].get<double>() == 400.0);
  BOOST_TEST(m["offered_frames"].get<uint64_t>() < r.report["offered"]["frames"].get<uint64_t>());
  // Oracle: 10GbE wire arithmetic, 512-byte frames (FCS included) + 8 bytes
  // preamble/SFD + 12 bytes gap = 532 bytes = 4256 bits per frame at 2 Gb/s.
  const double pps = 2e9 / (532 * 8);
  BOOST_TEST(m["offered_pps"].get<double>() == pps, boost::test_tools::tolerance(0.005));
  BOOST_TEST(m["offered_gbps"].get<double>() == 2.0, boost::test_tools::tolerance(0.005));
  // 600 us of it: about 0.6 ms x pps frames, the whole run 1 ms x pps.
  BOOST_TEST(m["offered_frames"].get<double>() == pps * 600e-6, boost::test_tools::tolerance(0.005));
}

// Bad values name the knob.
BOOST_AUTO_TEST_CASE(bad_window_knobs_name_the_knob) {
  const std::string dir = scratch("bad");
  const auto a = rxpath::testing::run_kept(arg(1) + " --quiet --duration-us 110 --set run.warmup_us=100", dir);
  BOOST_TEST(a.exit_code != 0);
  BOOST_TEST(a.err.find("run.warmup_us") != std::string::npos, a.err);
  const auto b = rxpath::testing::run_kept(arg(1) + " --quiet --duration-us 110 --set run.sample_us=50", dir);
  BOOST_TEST(b.exit_code != 0);
  BOOST_TEST(b.err.find("run.sample_us") != std::string::npos, b.err);
}
