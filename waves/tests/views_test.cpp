// SPDX-License-Identifier: MIT
// waves_views_signals_exist: every signal each waves/*.gtkw view names is in
// the FST that rxpath writes for the view's scenario ("[*] rxpath-scenario:"
// line), checked with fst_signals --check; and the checker itself finds a
// wrong name, a wrong bit range, and reads GTKWave's alias, bit and vector
// syntax.
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>
#include <string>
#include <vector>

#include <unistd.h>

#include "testing/rxpath_run.hpp"
#include "waves/tools/fst_names.hpp"

namespace fs = std::filesystem;
using rxpath::testing::slurp;

namespace {

const fs::path kSource = RXPATH_SOURCE_DIR;
const fs::path kRxpath = RXPATH_EXE;
const fs::path kFstSignals = FST_SIGNALS_EXE;

// Short runs: long enough for frames to reach the sockets (a few us) and
// for an overflow scenario to drop; the views' "rxpath-args" may add more.
constexpr const char* kDuration = "--duration-us 40";

const fs::path& scratch_dir() {
  static const fs::path dir = fs::temp_directory_path() / ("rxpath-views-" + std::to_string(::getpid()));
  return dir;
}

fs::path scratch(const std::string& name) {
  fs::create_directories(scratch_dir());
  return scratch_dir() / name;
}

// Removes the traces and logs at the end unless a view failed: then they
// stay (a "keep" file marks it) and the path is printed.
struct ScratchCleanup {
  ~ScratchCleanup() {
    if (!fs::exists(scratch_dir())) return;
    if (fs::exists(scratch_dir() / "keep"))
      std::fprintf(stderr, "waves_views_signals_exist: traces and logs kept in %s\n", scratch_dir().c_str());
    else
      fs::remove_all(scratch_dir());
  }
};

int run(const std::string& cmd) {
  BOOST_TEST_MESSAGE("run: " << cmd);
  return rxpath::testing::run_command(cmd);
}

std::vector<fs::path> views() {
  std::vector<fs::path> out;
  for (const auto& e : fs::directory_iterator(kSource / "waves"))
    if (e.path().extension() == ".gtkw") out.push_back(e.path());
  std::sort(out.begin(), out.end());
  return out;
}

// A trace with a few known signals, written by rxpath once for the checker tests.
const std::string& small_trace() {
  static const std::string path = [] {
    const fs::path p = scratch("small.fst");
    const int rc = run(kRxpath.string() + " --duration-us 15 --trace " + p.string() + " > " +
                       scratch("small.log").string() + " 2>&1");
    if (rc != 0) throw std::runtime_error("rxpath --trace failed, see " + scratch("small.log").string());
    return p.string();
  }();
  return path;
}

}  // namespace

BOOST_TEST_GLOBAL_FIXTURE(ScratchCleanup);

BOOST_AUTO_TEST_CASE(parses_alias_bit_vector_and_comment_lines) {
  const fs::path p = scratch("syntax.gtkw");
  std::ofstream(p) << "[*] rxpath-view: syntax sample\n"
                      "[*] rxpath-scenario: testbench/scenarios/ring-overflow.toml\n"
                      "[*] rxpath-args: --set igb.rx_ring=64\n"
                      "[dumpfile] \"x.fst\"\n"
                      "*-20.000000 100 -1\n"
                      "[treeopen] TOP.\n"
                      "@800200\n"
                      "-MAC\n"
                      "@28\n"
                      "TOP.a.clk\n"
                      "[color] 3\n"
                      "@22\n"
                      "+{RDH} TOP.a.rdh_q[15:0]\n"
                      "(3)TOP.a.ctl[7:0]\n"
                      "#{pair} TOP.a.x (0)TOP.a.y[1:0]\n"
                      "@2022\n"
                      "^1 waves/filters/ctx.txt\n"
                      "host.cpu0.ctx[2:0]\n"
                      "@1000200\n"
                      "-MAC\n";
  const waves::GtkwView v = waves::parse_gtkw(p.string());
  BOOST_TEST(v.title == "syntax sample");
  BOOST_TEST(v.scenario == "testbench/scenarios/ring-overflow.toml");
  BOOST_TEST(v.args == "--set igb.rx_ring=64");
  std::vector<std::string> names;
  for (const auto& s : v.signals) names.push_back(s.name);
  const std::vector<std::string> want = {"TOP.a.clk", "TOP.a.rdh_q[15:0]", "TOP.a.ctl[7:0]",
                                         "TOP.a.x",   "TOP.a.y[1:0]",      "host.cpu0.ctx[2:0]"};
  BOOST_TEST(names == want, boost::test_tools::per_element());
  BOOST_TEST(v.signals.at(1).line == 13);
  BOOST_TEST(v.filters == std::vector<std::string>{"waves/filters/ctx.txt"}, boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(bad_line_is_an_error_naming_file_and_line) {
  const fs::path p = scratch("bad.gtkw");
  std::ofstream(p) << "@28\n+{unterminated TOP.a.b\n";
  try {
    waves::parse_gtkw(p.string());
    BOOST_FAIL("no error for an unterminated alias");
  } catch (const std::runtime_error& e) {
    BOOST_TEST(std::string(e.what()).find("bad.gtkw:2:") != std::string::npos, e.what());
  }
}

BOOST_AUTO_TEST_CASE(missing_names_and_wrong_ranges_are_reported) {
  const std::set<std::string> have = {"TOP.a.clk", "TOP.a.rdh_q[15:0]", "host.cpu0.context"};
  waves::GtkwView v;
  v.signals = {{"TOP.a.clk", 1}, {"TOP.a.rdh_q[7:0]", 2}, {"TOP.a.nope", 3}, {"host.cpu0.context", 4}};
  const auto miss = waves::missing_signals(v, have);
  BOOST_TEST_REQUIRE(miss.size() == 2u);
  BOOST_TEST(miss[0] == "line 2: TOP.a.rdh_q[7:0] (trace has TOP.a.rdh_q[15:0])");
  BOOST_TEST(miss[1] == "line 3: TOP.a.nope");
}

BOOST_AUTO_TEST_CASE(fst_signals_lists_a_real_trace_and_check_fails_on_a_wrong_name) {
  const auto names = waves::fst_signal_names(small_trace());
  BOOST_TEST_REQUIRE(names.size() > 50u);
  // Full dotted names, no blank before a range.
  for (const auto& n : names) BOOST_TEST(n.find(' ') == std::string::npos, n);
  BOOST_TEST(std::count_if(names.begin(), names.end(),
                           [](const std::string& n) { return n.find(".nic_top.u_mac_rx.") != std::string::npos; }) > 0);

  // A view naming one real signal passes; the same with one letter changed fails.
  const std::string real = names.front();
  const fs::path good = scratch("good.gtkw"), bad = scratch("wrong.gtkw");
  std::ofstream(good) << "@28\n" << real << "\n";
  std::ofstream(bad) << "@28\n" << real << "\n" << real << "_typo\n";
  BOOST_TEST(run(kFstSignals.string() + " " + small_trace() + " --check " + good.string()) == 0);
  BOOST_TEST(run(kFstSignals.string() + " " + small_trace() + " --check " + bad.string() + " 2> " +
                 scratch("wrong.err").string()) == 1);
  const std::string text = slurp(scratch("wrong.err"));
  BOOST_TEST(text.find("line 3: " + real + "_typo") != std::string::npos, text);
  BOOST_TEST(run(kFstSignals.string() + " /nonexistent.fst") == 2);
}

// scripts/waves: --list names every view; -n prints the GTKWave command it
// would run with (a copy of) the view and the trace (a file, or the newest
// *.fst of a folder); a wrong view or a missing trace is an error that says so.
BOOST_AUTO_TEST_CASE(open_command_lists_views_and_picks_the_trace) {
  // -n keeps its scratch copy (the command can be run): in the test's folder.
  const std::string waves = "TMPDIR=" + scratch("").string() + " " + (kSource / "scripts/waves").string();
  const fs::path out = scratch("waves.out"), err = scratch("waves.err");
  const std::string to = " > " + out.string() + " 2> " + err.string();

  BOOST_TEST_REQUIRE(run(waves + " --list" + to) == 0);
  const std::string list = slurp(out);
  for (const auto& v : views()) BOOST_TEST(list.find(v.stem().string() + " ") != std::string::npos, list);

  // GTKWave runs in the trace's folder with a scratch copy of the view and
  // its zoom script (waves_script_test checks the zoom itself).
  BOOST_TEST_REQUIRE(run(waves + " -n mac_rx " + small_trace() + to) == 0);
  const fs::path small(small_trace());
  BOOST_TEST(slurp(out).find("cd " + small.parent_path().string() + " && gtkwave -a ") != std::string::npos,
             slurp(out));
  BOOST_TEST(slurp(out).find("/mac_rx.gtkw -S ") != std::string::npos, slurp(out));
  BOOST_TEST(slurp(out).find("/mac_rx.tcl " + small.filename().string() + "\n") != std::string::npos, slurp(out));

  const fs::path dir = scratch("traces");
  fs::create_directories(dir);
  fs::copy_file(small_trace(), dir / "old.fst", fs::copy_options::overwrite_existing);
  fs::copy_file(small_trace(), dir / "new.fst", fs::copy_options::overwrite_existing);
  fs::last_write_time(dir / "old.fst", fs::last_write_time(dir / "new.fst") - std::chrono::hours(1));
  BOOST_TEST_REQUIRE(run(waves + " -n irq_napi " + dir.string() + to) == 0);
  BOOST_TEST(slurp(out).find("cd " + dir.string() + " && ") != std::string::npos, slurp(out));
  BOOST_TEST(slurp(out).find(" new.fst\n") != std::string::npos, slurp(out));

  BOOST_TEST(run(waves + " -n no_such_view " + small_trace() + to) != 0);
  BOOST_TEST(slurp(err).find("no view 'no_such_view'") != std::string::npos, slurp(err));
  BOOST_TEST(run(waves + " -n mac_rx " + scratch("missing.fst").string() + to) != 0);
  BOOST_TEST(slurp(err).find("no trace") != std::string::npos, slurp(err));
}

// The register-name filter is generated from the register description; a
// register added or moved there must reach the filter.
BOOST_AUTO_TEST_CASE(register_name_filter_is_up_to_date) {
  BOOST_TEST(run(std::string(RXPATH_PYTHON) + " " + (kSource / "waves/filters/igb_regs.py").string() + " --check") == 0,
             "waves/filters/igb_regs.txt is stale: run waves/filters/igb_regs.py");
}

BOOST_AUTO_TEST_CASE(every_view_signal_exists_in_its_scenario_trace) {
  const auto vs = views();
  BOOST_TEST_REQUIRE(vs.size() >= 5u, "waves/ holds " << vs.size() << " views");
  for (const auto& path : vs) {
    BOOST_TEST_CONTEXT("view " << path.filename().string()) {
      const waves::GtkwView v = waves::parse_gtkw(path.string());
      BOOST_TEST(!v.title.empty(), "no '[*] rxpath-view:' line");
      BOOST_TEST_REQUIRE(!v.scenario.empty(), "no '[*] rxpath-scenario:' line");
      for (const auto& f : v.filters) BOOST_TEST(fs::exists(kSource / f), "filter file " << f << " missing");
      // GTKWave shows only what follows the last dot of a name, aliases too.
      std::ifstream lines(path);
      int n = 0;
      for (std::string l; std::getline(lines, l);) {
        ++n;
        if (l.size() > 2 && (l[0] == '+' || l[0] == '#') && l[1] == '{') {
          const std::string name = l.substr(2, l.find('}') - 2);
          BOOST_TEST(name.find('.') == std::string::npos, "line " << n << ": the name '" << name << "' has a dot");
        }
      }
      std::string scenario;
      if (v.scenario != "default") {
        BOOST_TEST_REQUIRE(fs::exists(kSource / v.scenario), "scenario " << v.scenario << " missing");
        scenario = (kSource / v.scenario).string();
      }
      const fs::path fst = scratch(path.stem().string() + ".fst");
      const fs::path log = scratch(path.stem().string() + ".log");
      const int ran = run("cd " + kSource.string() + " && " + kRxpath.string() + " " + scenario + " " + kDuration +
                          " " + v.args + " --trace " + fst.string() + " > " + log.string() + " 2>&1");
      if (ran != 0) std::ofstream(scratch("keep")) << path.string() << "\n";
      BOOST_TEST_REQUIRE(ran == 0, "rxpath failed, see " << log.string());
      const fs::path err = scratch(path.stem().string() + ".missing");
      const int rc =
          run(kFstSignals.string() + " " + fst.string() + " --check " + path.string() + " 2> " + err.string());
      const std::string text = slurp(err);
      BOOST_TEST(rc == 0, "signals missing from the trace:\n" << text);
      if (rc != 0) std::ofstream(scratch("keep")) << path.string() << "\n";
    }
  }
}

// A multi-queue run: the host signals cover every CPU and queue (names as
// docs/waves.md lists them), and every view, the per-queue-0 ones included,
// finds all its signals in a trace of 4 RSS queues on 4 CPUs (the run the
// `queues` view is made for).
BOOST_AUTO_TEST_CASE(every_view_works_on_a_four_queue_four_cpu_trace) {
  const waves::GtkwView q = waves::parse_gtkw((kSource / "waves/queues.gtkw").string());
  BOOST_TEST_REQUIRE(q.args.find("igb.queues=4") != std::string::npos, q.args);
  BOOST_TEST_REQUIRE(q.args.find("kernel.cpus=4") != std::string::npos, q.args);
  const fs::path fst = scratch("four_queues.fst"), log = scratch("four_queues.log");
  const int ran = run("cd " + kSource.string() + " && " + kRxpath.string() + " " + kDuration + " " + q.args +
                      " --trace " + fst.string() + " > " + log.string() + " 2>&1");
  if (ran != 0) std::ofstream(scratch("keep")) << "four_queues\n";
  BOOST_TEST_REQUIRE(ran == 0, "rxpath failed, see " << log.string());

  const auto list = waves::fst_signal_names(fst.string());
  const std::set<std::string> names(list.begin(), list.end());
  std::vector<std::string> want;
  for (int i = 0; i < 4; ++i) {
    const std::string c = std::to_string(i), v = std::to_string(i + 1);
    for (const char* s : {".context", ".ctx[2:0]", ".ksoftirqd"}) want.push_back("host.cpu" + c + s);
    for (const char* s : {"processed", "time_squeeze", "dropped", "backlog"})
      want.push_back("host.softnet.cpu" + c + "." + s + "[31:0]");
    for (const char* s : {"next_to_use", "next_to_clean", "rdt", "free", "held_by_nic", "done_not_cleaned"})
      want.push_back("host.igb.q" + c + "." + s + "[15:0]");
    want.push_back("host.igb.vec" + c + ".masked");
    for (const char* s : {".scheduled", ".polling", ".work[15:0]", ".budget[15:0]", ".cpu[7:0]"})
      want.push_back("host.napi.rx" + c + s);
    want.push_back("nic.nic_top.u_regs.rdh_q[" + c + "][15:0]");
    want.push_back("nic.nic_top.u_regs.rdt_q[" + c + "][15:0]");
    want.push_back("nic.nic_top.u_desc_fetch.trace_owned[" + c + "][15:0]");
    want.push_back("nic.nic_top.u_intr.eitr_q[" + v + "][31:0]");
    want.push_back("nic.nic_top.u_intr.trace_eitr_left[" + v + "][15:0]");
  }
  for (const auto& w : want) BOOST_TEST(names.count(w) == 1u, "not in the 4-queue trace: " << w);

  for (const auto& path : views()) {
    const fs::path err = scratch(path.stem().string() + ".q4.missing");
    const int rc = run(kFstSignals.string() + " " + fst.string() + " --check " + path.string() + " 2> " + err.string());
    BOOST_TEST(rc == 0, "view " << path.filename().string() << " on the 4-queue trace:\n" << slurp(err));
    if (rc != 0) std::ofstream(scratch("keep")) << path.string() << "\n";
  }
}
