// SPDX-License-Identifier: MIT
// rxpath sweep end to end: the merge's figures, failure isolation, resume,
// a changed study, determinism (-j 1 = -j 2, run twice), Slurm submission
// with a fake sbatch and the task slices, SIGTERM, the command line. Most
// points are run by study/tests/fake_point.sh (milliseconds each); the
// determinism case runs the real rxpath with the NIC double.
#define BOOST_TEST_MODULE sweep_test
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "testing/rxpath_run.hpp"

namespace fs = std::filesystem;
using rxpath::testing::exists;
using rxpath::testing::Run;
using rxpath::testing::slurp;

namespace {

const char* const kUsage = "usage: sweep_test -- <rxpath> <scratch folder> <study/tests> <studies>";
std::string rxpath_bin() { return rxpath::testing::test_arg(1, kUsage); }
std::string scratch(const std::string& name) {
  const std::string dir = rxpath::testing::test_arg(2, kUsage);
  fs::create_directories(dir);
  return dir + "/" + name;
}
std::string tests_dir() { return rxpath::testing::test_arg(3, kUsage); }
std::string studies_dir() { return rxpath::testing::test_arg(4, kUsage); }

// `env` then rxpath with `args`, stdout and stderr kept beside `base`.
Run rx(const std::string& base, const std::string& args, const std::string& env = "") {
  return rxpath::testing::run_kept(env + " " + rxpath_bin() + " " + args, scratch(base));
}

std::string fake_env(const std::string& extra = "") {
  return "RXPATH_SWEEP_EXE=" + tests_dir() + "/fake_point.sh " + extra;
}

// A study of 3 rings x 2 replicas for the fake point program.
std::string fake_study(const std::string& name, const std::string& values = "[64, 128, 256]") {
  const std::string path = scratch(name + ".toml");
  std::ofstream(path) << "[study]\nname = \"" << name << "\"\nreplicas = 2\nseed = 5\n"
                      << "[scenario]\nrun.duration_us = 100\n"
                      << "[[axis]]\nknob = \"igb.rx_ring\"\nvalues = " << values << "\n";
  return path;
}

std::vector<std::vector<std::string>> csv(const std::string& path) {
  std::vector<std::vector<std::string>> rows;
  std::istringstream in(slurp(path));
  std::string line;
  while (std::getline(in, line)) {
    std::vector<std::string> cells;
    std::string c;
    std::istringstream ls(line);
    while (std::getline(ls, c, ',')) cells.push_back(c);
    if (!line.empty() && line.back() == ',') cells.push_back("");
    rows.push_back(cells);
  }
  return rows;
}

// results.csv without its last three (machine-dependent) columns.
std::string without_machine_columns(const std::string& path) {
  std::istringstream in(slurp(path));
  std::string line, out;
  while (std::getline(in, line)) {
    size_t cut = line.size();
    for (int i = 0; i < 3; ++i) cut = line.rfind(',', cut - 1);
    out += line.substr(0, cut) + "\n";
  }
  return out;
}

std::string get(const std::vector<std::vector<std::string>>& t, size_t row, const std::string& col) {
  for (size_t i = 0; i < t.at(0).size(); ++i)
    if (t[0][i] == col) return row < t.size() && i < t[row].size() ? t[row][i] : "<no cell>";
  return "<no column " + col + ">";
}

size_t lines(const std::string& path) {
  const std::string s = slurp(path);
  return static_cast<size_t>(std::count(s.begin(), s.end(), '\n'));
}

}  // namespace

// The columns in the contract's order, and each figure from the report:
// the fake reports offered = ring, dropped = seed over a 100 us window.
BOOST_AUTO_TEST_CASE(results_columns_and_figures) {
  const std::string dir = scratch("out-figures");
  fs::remove_all(dir);
  const Run r = rx("figures", "sweep " + fake_study("figures") + " -o " + dir + " -j 2 --no-plot", fake_env());
  BOOST_TEST(r.exit_code == 0, r.err);
  const auto t = csv(dir + "/results.csv");
  BOOST_REQUIRE(t.size() == 7u);
  const std::vector<std::string> head = {"point",
                                         "replica",
                                         "seed",
                                         "igb.rx_ring",
                                         "status",
                                         "exit_code",
                                         "offered_frames",
                                         "offered_pps",
                                         "offered_gbps",
                                         "delivered_frames",
                                         "dropped_frames",
                                         "loss_ratio",
                                         "drop.nic.MPC",
                                         "drop.stack.rcvbuf",
                                         "latency_p50_ns",
                                         "latency_p99_ns",
                                         "latency_p999_ns",
                                         "cpu_share.softirq",
                                         "cpu_share.hardirq",
                                         "cpu_share.ksoftirqd",
                                         "cpu_share.process",
                                         "cpu_share.idle",
                                         "msix_per_s",
                                         "polls_per_s",
                                         "time_squeeze",
                                         "steady",
                                         "window_us",
                                         "wall_s",
                                         "cpu_s",
                                         "max_rss_kb"};
  BOOST_TEST(t[0] == head, boost::test_tools::per_element());
  // Row 4: point 1 (ring 128), replica 1, seed 5 + 1.
  BOOST_TEST(get(t, 4, "point") == "1");
  BOOST_TEST(get(t, 4, "replica") == "1");
  BOOST_TEST(get(t, 4, "seed") == "6");
  BOOST_TEST(get(t, 4, "igb.rx_ring") == "128");
  BOOST_TEST(get(t, 4, "status") == "ok");
  BOOST_TEST(get(t, 4, "offered_frames") == "128");
  BOOST_TEST(get(t, 4, "dropped_frames") == "6");
  BOOST_TEST(get(t, 4, "drop.nic.MPC") == "6");
  BOOST_TEST(get(t, 4, "loss_ratio") == "0.046875");     // 6 / 128 by hand
  BOOST_TEST(get(t, 4, "offered_pps") == "1280000");     // 128 frames / 100 us
  BOOST_TEST(get(t, 4, "offered_gbps") == "0.65536");    // 128 * 64 B * 8 / 100 us
  BOOST_TEST(get(t, 4, "cpu_share.softirq") == "0.15");  // 300 / (300 + 700 + 1000)
  BOOST_TEST(get(t, 4, "cpu_share.process") == "0.5");   // 1000 / 2000
  BOOST_TEST(get(t, 4, "msix_per_s") == "100000");       // 10 / 100 us
  BOOST_TEST(get(t, 4, "window_us") == "100");
  BOOST_TEST(exists(dir + "/points/001-r1/status.json"));
  BOOST_TEST(exists(dir + "/points/001-r1/scenario.toml"));
  BOOST_TEST(exists(dir + "/points/001-r1/stderr.txt"));
  BOOST_TEST(exists(dir + "/study.toml"));
  BOOST_TEST(slurp(dir + "/results.json").find("\"igb.rx_ring\": 128") != std::string::npos);
}

// A report with the steady-state window ("measured"): its figures, not the
// whole run's, fill the table (values set by fake_point.sh).
BOOST_AUTO_TEST_CASE(measured_window_is_preferred) {
  const std::string dir = scratch("out-measured");
  fs::remove_all(dir);
  const Run r =
      rx("measured", "sweep " + fake_study("measured") + " -o " + dir + " --no-plot", fake_env("FAKE_MEASURED=1"));
  BOOST_TEST(r.exit_code == 0, r.err);
  const auto t = csv(dir + "/results.csv");
  BOOST_REQUIRE(t.size() == 7u);
  BOOST_TEST(get(t, 4, "offered_frames") == "256");  // 2 x ring 128
  BOOST_TEST(get(t, 4, "dropped_frames") == "12");   // 2 x seed 6
  BOOST_TEST(get(t, 4, "offered_pps") == "7");
  BOOST_TEST(get(t, 4, "loss_ratio") == "0.125");
  BOOST_TEST(get(t, 4, "drop.nic.RNBC_DROP") == "12");
  BOOST_TEST(get(t, 4, "drop.nic.MPC") == "<no column drop.nic.MPC>");  // the whole run's counters are not used
  BOOST_TEST(get(t, 4, "cpu_share.hardirq") == "0.25");
  BOOST_TEST(get(t, 4, "latency_p999_ns") == "4");
  BOOST_TEST(get(t, 4, "polls_per_s") == "12");
  BOOST_TEST(get(t, 4, "time_squeeze") == "13");
  BOOST_TEST(get(t, 4, "steady") == "transient");
  BOOST_TEST(get(t, 4, "window_us") == "50");
  // the window's counters, a column each (after the drops, before the latency)
  BOOST_TEST(get(t, 4, "counter.select.vfs_poll") == "384");  // 3 x ring 128
  BOOST_TEST(get(t, 4, "counter.epoll.ep_poll_callback") == "0");
  const auto col = [&](const std::string& c) { return std::find(t[0].begin(), t[0].end(), c) - t[0].begin(); };
  BOOST_TEST(col("drop.nic.RNBC_DROP") < col("counter.epoll.ep_poll_callback"));
  BOOST_TEST(col("counter.select.vfs_poll") < col("latency_p50_ns"));
}

// A crashing and a failing point are recorded; the others run; exit 1.
BOOST_AUTO_TEST_CASE(failures_are_isolated) {
  const std::string dir = scratch("out-fail");
  fs::remove_all(dir);
  const Run r = rx("fail", "sweep " + fake_study("fail") + " -o " + dir + " -j 2 --no-plot",
                   fake_env("FAKE_CRASH_RING=128 FAKE_FAIL_RING=256"));
  BOOST_TEST(r.exit_code == 1, r.err);
  const auto t = csv(dir + "/results.csv");
  BOOST_REQUIRE(t.size() == 7u);
  BOOST_TEST(get(t, 1, "status") == "ok");
  BOOST_TEST(get(t, 2, "status") == "ok");
  BOOST_TEST(get(t, 3, "status") == "failed");
  BOOST_TEST(get(t, 3, "exit_code") == "139");  // 128 + SIGSEGV
  BOOST_TEST(get(t, 3, "igb.rx_ring") == "128");
  BOOST_TEST(get(t, 3, "offered_frames") == "");
  BOOST_TEST(get(t, 5, "exit_code") == "1");
  BOOST_TEST(slurp(dir + "/points/001-r0/stderr.txt").find("crashing") != std::string::npos);
  BOOST_TEST(slurp(dir + "/points/001-r0/status.json").find("\"signal\": 11") != std::string::npos);
}

// Re-running runs nothing; a deleted point runs again, alone.
BOOST_AUTO_TEST_CASE(resume_runs_only_missing_points) {
  const std::string dir = scratch("out-resume"), log = scratch("resume.log");
  fs::remove_all(dir);
  fs::remove(log);
  const std::string study = fake_study("resume"), args = "sweep " + study + " -o " + dir + " -j 2 --no-plot";
  BOOST_TEST(rx("resume1", args, fake_env("FAKE_LOG=" + log)).exit_code == 0);
  BOOST_TEST(lines(log) == 6u);
  const std::string first = without_machine_columns(dir + "/results.csv");
  BOOST_TEST(rx("resume2", args, fake_env("FAKE_LOG=" + log)).exit_code == 0);
  BOOST_TEST(lines(log) == 6u);  // nothing ran again
  fs::remove_all(dir + "/points/001-r0");
  fs::create_directories(dir + "/points/.tmp-002-r0");  // left by a killed sweep
  BOOST_TEST(rx("resume3", args, fake_env("FAKE_LOG=" + log)).exit_code == 0);
  BOOST_TEST(lines(log) == 7u);
  BOOST_TEST(slurp(log).substr(slurp(log).rfind('\n', slurp(log).size() - 2) + 1) == "128 5\n");
  BOOST_TEST(!exists(dir + "/points/.tmp-002-r0"));
  BOOST_TEST(without_machine_columns(dir + "/results.csv") == first);
}

// A changed study is refused unless --force, which runs everything again.
BOOST_AUTO_TEST_CASE(changed_study_needs_force) {
  const std::string dir = scratch("out-changed"), log = scratch("changed.log");
  fs::remove_all(dir);
  fs::remove(log);
  BOOST_TEST(rx("changed1", "sweep " + fake_study("changed") + " -o " + dir + " --no-plot", fake_env()).exit_code == 0);
  const std::string args = "sweep " + fake_study("changed", "[64, 512]") + " -o " + dir + " --no-plot";
  const Run r = rx("changed2", args, fake_env("FAKE_LOG=" + log));
  BOOST_TEST(r.exit_code == 2);
  BOOST_TEST(r.err.find("different study") != std::string::npos, r.err);
  BOOST_TEST(r.err.find("--force") != std::string::npos, r.err);
  BOOST_TEST(!exists(log));
  BOOST_TEST(rx("changed3", args + " --force", fake_env("FAKE_LOG=" + log)).exit_code == 0);
  BOOST_TEST(lines(log) == 4u);
  BOOST_TEST(csv(dir + "/results.csv").size() == 5u);
}

// The real rxpath (NIC double, 40 us): -j 1 and -j 2 give the same table,
// and so does running again.
BOOST_AUTO_TEST_CASE(real_runs_are_deterministic) {
  const std::string a = scratch("out-det1"), b = scratch("out-det2");
  fs::remove_all(a);
  fs::remove_all(b);
  const std::string study = tests_dir() + "/tiny.toml";
  const Run r1 = rx("det1", "sweep " + study + " -o " + a + " -j 1 --no-plot");
  BOOST_TEST(r1.exit_code == 0, r1.err);
  const Run r2 = rx("det2", "sweep " + study + " -o " + b + " -j 2 --no-plot");
  BOOST_TEST(r2.exit_code == 0, r2.err);
  const auto t = csv(a + "/results.csv");
  BOOST_REQUIRE(t.size() == 5u);
  BOOST_TEST(get(t, 1, "status") == "ok");
  BOOST_TEST(get(t, 4, "traffic.rate_gbps") == "4.0");
  BOOST_TEST(std::stod(get(t, 1, "offered_frames")) > 0);
  BOOST_TEST(without_machine_columns(a + "/results.csv") == without_machine_columns(b + "/results.csv"));
}

// --slurm writes one job array and submits it with sbatch --parsable; each
// array task runs its slice; --collect merges what a local run merges.
BOOST_AUTO_TEST_CASE(slurm_submission_and_task_slices) {
  const std::string bin = scratch("fakebin"), dir = scratch("out-slurm"), local = scratch("out-slurm-local");
  fs::remove_all(dir);
  fs::remove_all(local);
  fs::create_directories(bin);
  std::ofstream(bin + "/sbatch") << "#!/bin/sh\necho \"$@\" > " << bin << "/sbatch.args\necho '4242;cluster'\n";
  fs::permissions(bin + "/sbatch", fs::perms::owner_all);
  const std::string study = fake_study("slurm");
  const Run r =
      rx("slurm",
         "sweep " + study + " -o " + dir + " --slurm --partition debug --time 00:05:00 --max-parallel 2 --no-plot",
         fake_env("PATH=" + bin + ":$PATH"));
  BOOST_TEST(r.exit_code == 0, r.err);
  const std::string abs = fs::absolute(dir).lexically_normal().string();
  BOOST_TEST(slurp(dir + "/slurm/job_id") == "4242\n");
  BOOST_TEST(slurp(bin + "/sbatch.args") == "--parsable " + abs + "/slurm/sweep.sbatch\n");
  const std::string s = slurp(dir + "/slurm/sweep.sbatch");
  for (const std::string& want :
       {std::string("#SBATCH --array=0-5%2\n"), std::string("#SBATCH --partition=debug\n"),
        std::string("#SBATCH --time=00:05:00\n"), "#SBATCH --output=" + abs + "/slurm/task-%A_%a.out\n",
        "--task \"$SLURM_ARRAY_TASK_ID\" --tasks 6 '" + abs + "'\n",
        "exec '" + fs::canonical(rxpath_bin()).string() + "' sweep"})
    BOOST_TEST(s.find(want) != std::string::npos, want << " in\n" << s);
  BOOST_TEST(!exists(dir + "/points/000-r0"));  // nothing ran here
  // Task 1 of 4: runs 1 and 5 (000-r1, 002-r1).
  const Run t1 = rx("task1", "sweep --quiet --task 1 --tasks 4 " + dir, fake_env());
  BOOST_TEST(t1.exit_code == 0, t1.err);
  std::vector<std::string> ran;
  for (const auto& e : fs::directory_iterator(dir + "/points")) ran.push_back(e.path().filename().string());
  std::sort(ran.begin(), ran.end());
  BOOST_TEST(ran == (std::vector<std::string>{"000-r1", "002-r1"}), boost::test_tools::per_element());
  BOOST_TEST(rx("collect1", "sweep --collect " + dir + " --no-plot").exit_code == 1);  // 4 runs missing
  for (int k : {0, 2, 3})
    BOOST_TEST(rx("task", "sweep --quiet --task " + std::to_string(k) + " --tasks 4 " + dir, fake_env()).exit_code ==
               0);
  BOOST_TEST(rx("collect2", "sweep --collect " + dir + " --no-plot").exit_code == 0);
  BOOST_TEST(rx("slurm-local", "sweep " + study + " -o " + local + " --no-plot", fake_env()).exit_code == 0);
  BOOST_TEST(without_machine_columns(dir + "/results.csv") == without_machine_columns(local + "/results.csv"));
  // No sbatch: said plainly, exit 2.
  const Run none = rx("nosbatch", "sweep " + study + " -o " + scratch("out-nosbatch") + " --slurm",
                      "PATH=" + scratch("empty-path-dir"));
  BOOST_TEST(none.exit_code == 2);
  BOOST_TEST(none.err.find("sbatch is not on PATH") != std::string::npos, none.err);
}

// --slurm --wait end to end: a fake sbatch runs every array task of the
// script it is given (as Slurm would, one after another), a fake squeue
// says the job has ended; the results equal a local sweep's.
BOOST_AUTO_TEST_CASE(slurm_wait_runs_the_script_and_collects) {
  const std::string bin = scratch("fakebin-wait"), dir = scratch("out-wait"), local = scratch("out-wait-local");
  fs::remove_all(dir);
  fs::remove_all(local);
  fs::create_directories(bin);
  std::ofstream(bin + "/sbatch") << "#!/bin/sh\nscript=$2\n"
                                 << "n=$(sed -n 's/^#SBATCH --array=0-\\([0-9]*\\).*/\\1/p' \"$script\")\n"
                                 << "k=0\nwhile [ $k -le $n ]; do SLURM_ARRAY_TASK_ID=$k bash \"$script\" || exit 1; "
                                    "k=$((k+1)); done\necho 777\n";
  std::ofstream(bin + "/squeue") << "#!/bin/sh\nexit 0\n";
  fs::permissions(bin + "/sbatch", fs::perms::owner_all);
  fs::permissions(bin + "/squeue", fs::perms::owner_all);
  const std::string study = fake_study("wait");
  const Run r =
      rx("wait", "sweep " + study + " -o " + dir + " --slurm --wait --no-plot", fake_env("PATH=" + bin + ":$PATH"));
  BOOST_TEST(r.exit_code == 0, r.err);
  BOOST_TEST(slurp(dir + "/slurm/job_id") == "777\n");
  BOOST_TEST(rx("wait-local", "sweep " + study + " -o " + local + " --no-plot", fake_env()).exit_code == 0);
  BOOST_TEST(csv(dir + "/results.csv").size() == 7u);
  BOOST_TEST(without_machine_columns(dir + "/results.csv") == without_machine_columns(local + "/results.csv"));
}

// SIGTERM: running points are killed, finished ones stay, no half point;
// the same command then finishes the study.
// The signal comes once a point is running (a .tmp- folder in points/), not
// after a fixed delay: a slow build (the sanitizers) starts later.
BOOST_AUTO_TEST_CASE(sigterm_stops_and_a_rerun_resumes) {
  const std::string dir = scratch("out-term"), rc = scratch("term.rc");
  fs::remove_all(dir);
  const std::string study = fake_study("term");
  const std::string cmd = "(" + fake_env("FAKE_SLEEP=3") + " " + rxpath_bin() + " sweep " + study + " -o " + dir +
                          " -j 2 --no-plot 2> " + scratch("term.err") + " & p=$!; for i in $(seq 300); do ls -A " +
                          dir +
                          "/points 2>/dev/null | grep -q '^\\.tmp-' && break; sleep 0.1; done; kill -TERM $p; wait $p; "
                          "echo $? > " +
                          rc + ")";
  rxpath::testing::run_command(cmd);
  BOOST_TEST(slurp(rc) == "143\n", slurp(scratch("term.err")));
  size_t points = 0;
  for (const auto& e : fs::directory_iterator(dir + "/points")) {
    BOOST_TEST(e.path().filename().string().rfind(".tmp-", 0) != 0u, e.path());
    ++points;
  }
  BOOST_TEST(points == 0u);
  BOOST_TEST(!exists(dir + "/results.csv"));
  BOOST_TEST(rx("term2", "sweep " + study + " -o " + dir + " -j 2 --no-plot", fake_env()).exit_code == 0);
  BOOST_TEST(csv(dir + "/results.csv").size() == 7u);
}

// Bad input is found before any point runs.
BOOST_AUTO_TEST_CASE(bad_input_exits_2_before_running) {
  const std::string bad = scratch("bad.toml"), dir = scratch("out-bad");
  fs::remove_all(dir);
  std::ofstream(bad) << "[study]\nname = \"bad\"\n[[axis]]\nknob = \"igb.rx_ring\"\nvalues = [64, 99999]\n";
  const Run r = rx("bad", "sweep " + bad + " -o " + dir, fake_env());
  BOOST_TEST(r.exit_code == 2);
  BOOST_TEST(r.err.find(bad + ":5:") != std::string::npos, r.err);
  BOOST_TEST(r.err.find("igb.rx_ring") != std::string::npos, r.err);
  BOOST_TEST(!exists(dir));
  BOOST_TEST(rx("noarg", "sweep").exit_code == 2);
  BOOST_TEST(rx("bogus", "sweep --bogus").exit_code == 2);
  const Run h = rx("sweephelp", "sweep --help");
  BOOST_TEST(h.exit_code == 0);
  BOOST_TEST(h.out.find("--slurm") != std::string::npos, h.out);
  BOOST_TEST(h.out.find("--collect") != std::string::npos, h.out);
  const Run runhelp = rx("runhelp", "run --help");
  BOOST_TEST(runhelp.exit_code == 0);
  BOOST_TEST(runhelp.out.find("--trace-window") != std::string::npos, runhelp.out);
  const Run p = rx("plot", "plot " + dir, "RXPATH_PLOT_PY=/nonexistent/plot.py");
  BOOST_TEST(p.exit_code == 2);
  BOOST_TEST(p.err.find("/nonexistent/plot.py does not exist") != std::string::npos, p.err);
}

// The example studies expand and validate.
BOOST_AUTO_TEST_CASE(example_studies_validate) {
  for (const char* s : {"ring-overflow", "napi-budget", "select-vs-epoll"}) {
    const Run r = rx(std::string("dry-") + s, std::string("sweep --dry-run ") + studies_dir() + "/" + s + ".toml");
    BOOST_TEST(r.exit_code == 0, s << ": " << r.err);
    BOOST_TEST(r.out.find(" runs") != std::string::npos, r.out);
  }
}
