// SPDX-License-Identifier: MIT
// Outputs of the rxpath command (issue 14): files appear whole or not at all
// (a full disk, a full /tmp under the FST writer, SIGINT and SIGTERM),
// symlinks, devices and FIFOs are written through, bad output paths are
// refused before the run, empty results say so with exit 3, the JSON report
// carries the version and a stable schema, the dumped scenario reloads, and
// --debug times are in one unit.
//
// The full-disk cases mount a small tmpfs in a private mount namespace
// (unshare -m): the mount goes away with the namespace's last process, even
// when the test fails. They need root (CAP_SYS_ADMIN) and are skipped,
// saying so, without it.
//
// usage: outputs_test -- <path of rxpath> <scratch folder>
#define BOOST_TEST_MODULE outputs
#include <boost/test/unit_test.hpp>

#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>
#include <fstream>
#include <regex>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "testing/rxpath_run.hpp"

using nlohmann::json;
using rxpath::testing::exists;
using rxpath::testing::slurp;

namespace {

std::string arg(int i) { return rxpath::testing::test_arg(i, "usage: outputs_test -- <rxpath> <scratch folder>"); }
std::string rxpath_cmd() { return arg(1); }
// A fresh folder scratch/name (emptied first).
std::string fresh(const std::string& name) {
  const std::string d = rxpath::testing::scratch_in(arg(2), name);
  rxpath::testing::run_command("rm -rf '" + d + "' && mkdir -p '" + d + "'");
  return d;
}

rxpath::testing::Run run(const std::string& dir, const std::string& args) {
  return rxpath::testing::run_kept(rxpath_cmd() + " " + args, dir + "/run");
}

// The names in `dir` but the test's own run.stdout/run.stderr.
std::vector<std::string> listing(const std::string& dir) {
  std::vector<std::string> v;
  if (DIR* d = ::opendir(dir.c_str())) {
    while (const dirent* e = ::readdir(d)) {
      const std::string n = e->d_name;
      if (n != "." && n != ".." && n.rfind("run.", 0) != 0) v.push_back(n);
    }
    ::closedir(d);
  }
  return v;
}

// The full-disk cases' precondition: skipped (and reported so) without it.
boost::test_tools::assertion_result can_mount(boost::unit_test::test_unit_id) {
  boost::test_tools::assertion_result ok =
      ::geteuid() == 0 && rxpath::testing::run_command("unshare -m true 2>/dev/null") == 0;
  if (!ok) ok.message() << "needs root (unshare -m, mount -t tmpfs)";
  return ok;
}

// Runs `script` (sh) in a private mount namespace with a tmpfs of `size`
// mounted on `mnt`; its stdout and stderr in dir/run.*. The mount dies with
// the namespace, whatever happens.
rxpath::testing::Run in_small_fs(const std::string& dir, const std::string& mnt, const std::string& size,
                                 const std::string& script) {
  return rxpath::testing::run_kept(
      "unshare -m sh -c 'mount -t tmpfs -o size=" + size + " tmpfs " + mnt + " && " + script + "'", dir + "/run");
}

const char* kQuick = "--quiet --duration-us 200";

}  // namespace

// A full disk under the FST: fstapi does not check its writes, so the cut
// file must be caught before it takes the final name.
BOOST_AUTO_TEST_CASE(trace_on_a_full_disk_is_an_error_and_leaves_nothing, *boost::unit_test::precondition(can_mount)) {
  const std::string d = fresh("full_trace"), small = d + "/small";
  ::mkdir(small.c_str(), 0755);
  const auto r = in_small_fs(d, small, "64k",
                             rxpath_cmd() + " " + kQuick + " --trace " + small + "/t.fst; echo rc=$?; ls -A " + small);
  BOOST_TEST_INFO("stderr: " << r.err << "\nstdout: " << r.out);
  BOOST_TEST(r.out.find("rc=2") != std::string::npos);
  BOOST_TEST(r.err.find("could not be written whole") != std::string::npos);
  BOOST_TEST(r.out.find("t.fst") == std::string::npos);  // neither t.fst nor t.fst.part.* nor .hier
}

// A full /tmp: the FST writer's mmapped scratch files fault (SIGBUS); rxpath
// says so, removes its partial files and exits 2 instead of crashing.
BOOST_AUTO_TEST_CASE(trace_with_a_full_tmp_is_an_error_not_a_crash, *boost::unit_test::precondition(can_mount)) {
  const std::string d = fresh("full_tmp");
  // rxpath and this scratch folder may themselves lie under /tmp (a clone in
  // /tmp, as CI makes): the mount would hide both. So the binary is opened as
  // fd 3 and run as /proc/self/fd/3, and the folder is the working directory,
  // both taken before the mount.
  const auto r = rxpath::testing::run_kept("cd " + d + " && unshare -m sh -c 'exec 3<" + rxpath_cmd() +
                                               " && mount -t tmpfs -o size=16k tmpfs /tmp && /proc/self/fd/3 " +
                                               kQuick + " --trace t.fst'",
                                           d + "/run");
  BOOST_TEST_INFO("stderr: " << r.err);
  BOOST_TEST(r.exit_code == 2);
  BOOST_TEST(r.err.find("SIGBUS") != std::string::npos);
  BOOST_TEST(listing(d).empty());
}

// The report files on a nearly full disk: the ones that fit are whole (the
// text report is the one printed on stdout), none is cut, no .part is left.
BOOST_AUTO_TEST_CASE(reports_on_a_full_disk_are_whole_or_absent, *boost::unit_test::precondition(can_mount)) {
  const std::string d = fresh("full_out"), small = d + "/small";
  ::mkdir(small.c_str(), 0755);
  // 64 KiB, 56 of them taken: report.txt fits, report.json does not.
  const auto r = in_small_fs(d, small, "64k",
                             "dd if=/dev/zero of=" + small + "/fill bs=1k count=56 2>/dev/null && " + rxpath_cmd() +
                                 " " + kQuick + " --out " + small + "/o > " + d + "/report.stdout; echo rc=$?; ls -A " +
                                 small + "/o; cat " + small + "/o/report.txt");
  BOOST_TEST_INFO("stderr: " << r.err << "\nstdout: " << r.out);
  BOOST_TEST(r.out.find("rc=2") != std::string::npos);
  BOOST_TEST(r.err.find("No space left on device") != std::string::npos);
  BOOST_TEST(r.out.find(".part.") == std::string::npos);
  BOOST_TEST(r.out.find("report.json") == std::string::npos);
  const std::string printed = slurp(d + "/report.stdout");
  BOOST_TEST(!printed.empty());
  BOOST_TEST(r.out.find(printed) != std::string::npos);  // report.txt == what was printed
}

// The pcaps on a disk too small for them (256 KiB; the run writes about
// 400 KiB of captures). libpcap's pcap_dump() returns nothing and its
// fclose() is unchecked, so a failed write once left wire.pcap cut under its
// final name, looking whole. Now the first failed record ends the run with
// the file named, exit 2, and no capture is left, whole-looking or partial.
BOOST_AUTO_TEST_CASE(pcaps_on_a_full_disk_are_an_error_and_leave_nothing, *boost::unit_test::precondition(can_mount)) {
  const std::string d = fresh("full_pcap"), small = d + "/small";
  ::mkdir(small.c_str(), 0755);
  const auto r = in_small_fs(
      d, small, "256k",
      rxpath_cmd() + " " + kQuick + " --pcap --out " + small + "/o > /dev/null; echo rc=$?; ls -A " + small + "/o");
  BOOST_TEST_INFO("stderr: " << r.err << "\nstdout: " << r.out);
  BOOST_TEST(r.out.find("rc=2") != std::string::npos);
  BOOST_TEST(r.err.find(".pcap: write failed: No space left on device") != std::string::npos);
  BOOST_TEST(r.err.find("E549") == std::string::npos);  // not SystemC's wrapper of it
  BOOST_TEST(r.out.find(".pcap") == std::string::npos);
  BOOST_TEST(r.out.find(".part.") == std::string::npos);
}

// /dev/full fails every write with ENOSPC: a clear error, exit 2, and the
// device is still a device.
BOOST_AUTO_TEST_CASE(json_to_dev_full_is_an_error) {
  const std::string d = fresh("dev_full");
  const auto r = run(d, std::string(kQuick) + " --json /dev/full");
  BOOST_TEST_INFO("stderr: " << r.err);
  BOOST_TEST(r.exit_code == 2);
  BOOST_TEST(r.err.find("/dev/full: write failed: No space left on device") != std::string::npos);
  struct stat st {};
  BOOST_TEST(::stat("/dev/full", &st) == 0);
  BOOST_TEST(S_ISCHR(st.st_mode));
}

// A symlink is written through (the link stays, its target gets the
// report); a FIFO is written into, not replaced by a regular file.
BOOST_AUTO_TEST_CASE(symlinks_and_fifos_are_written_through) {
  const std::string d = fresh("links");
  BOOST_REQUIRE(::symlink("real.json", (d + "/link.json").c_str()) == 0);
  BOOST_REQUIRE(::mkfifo((d + "/pipe.json").c_str(), 0644) == 0);
  const auto r =
      rxpath::testing::run_kept("((timeout 60 cat " + d + "/pipe.json > " + d + "/from_pipe 2>&1 &) ; " + rxpath_cmd() +
                                    " " + kQuick + " --json " + d + "/link.json --timeline " + d + "/pipe.json)",
                                d + "/run");
  BOOST_TEST_INFO("stderr: " << r.err);
  BOOST_TEST(r.exit_code == 0);
  struct stat st {};
  BOOST_TEST(::lstat((d + "/link.json").c_str(), &st) == 0);
  BOOST_TEST(S_ISLNK(st.st_mode));
  BOOST_TEST(json::parse(slurp(d + "/real.json"))["accounting"]["balanced"].get<bool>());
  BOOST_TEST(::lstat((d + "/pipe.json").c_str(), &st) == 0);
  BOOST_TEST(S_ISFIFO(st.st_mode));
  rxpath::testing::run_command("sleep 0.2");
  BOOST_TEST(json::parse(slurp(d + "/from_pipe")).contains("traceEvents"));
}

// Output paths that cannot be written are refused before the simulation:
// nothing on stdout (no report), exit 2.
BOOST_AUTO_TEST_CASE(bad_output_paths_are_refused_before_the_run) {
  const std::string d = fresh("refused");
  ::mkdir((d + "/folder").c_str(), 0755);
  rxpath::testing::run_command("touch " + d + "/file");
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"--json " + d + "/folder", "is a folder"},
      {"--timeline " + d + "/folder", "is a folder"},
      {"--journey 3 --journey-json " + d + "/missing/j.json", "No such file or directory"},
      {"--out " + d + "/file", "not a folder"},
      {"--trace /dev/null", "needs a regular file"}};
  for (const auto& [opts, why] : cases) {
    const auto r = run(d, std::string(kQuick) + " " + opts);
    BOOST_TEST_INFO(opts << "\nstderr: " << r.err);
    BOOST_TEST(r.exit_code == 2);
    BOOST_TEST(r.out.empty());
    BOOST_TEST(r.err.find(why) != std::string::npos);
  }
  BOOST_TEST(!exists(d + "/file.part." + std::to_string(::getpid())));
}

// SIGINT and SIGTERM in the middle of a run: the partial files (the pcaps and
// the trace being written) are removed, the exit code is 130 or 143.
BOOST_AUTO_TEST_CASE(signals_remove_partial_files) {
  for (const auto& [sig, code] : {std::pair<std::string, int>{"INT", 130}, {"TERM", 143}}) {
    const std::string d = fresh("signal_" + sig);
    // Long enough that it is still running when its first progress line is
    // out (waited for, up to 60 s: a loaded machine starts it slowly), then
    // the signal; progress on (not --quiet).
    const std::string err = d + "/rxpath.err";
    const auto r = rxpath::testing::run_kept(
        "(" + rxpath_cmd() + " --duration-us 100000 --out " + d + "/o --pcap --trace " + d + "/t.fst 2> " + err +
            " & pid=$!; for i in $(seq 600); do grep -q ETA " + err + " && break; sleep 0.1; done; kill -" + sig +
            " $pid; wait $pid; echo rc=$?; cat " + err + " >&2; rm " + err + "; ls -A " + d + "/o " + d + ")",
        d + "/run");
    BOOST_TEST_INFO("signal " << sig << "\nstderr: " << r.err << "\nstdout: " << r.out);
    BOOST_TEST(r.out.find("rc=" + std::to_string(code)) != std::string::npos);
    BOOST_TEST(r.out.find(".part.") == std::string::npos);
    BOOST_TEST(r.out.find("t.fst") == std::string::npos);
    BOOST_TEST(r.err.find("partial output files removed") != std::string::npos);
    // The progress line: percent of the simulated time and an ETA.
    BOOST_TEST(std::regex_search(r.err, std::regex(R"([0-9]+% of 100000 us simulated.*ETA [0-9]+ s)")));
  }
}

// Empty results: a trace window after the end of the run, a journey of a
// frame that was never offered: said on stderr, not written, exit 3; the
// report still is.
BOOST_AUTO_TEST_CASE(empty_results_exit_3) {
  const std::string d = fresh("empty");
  auto r =
      run(d, std::string(kQuick) + " --trace-window 5000:6000 --trace " + d + "/t.fst --timeline " + d + "/t.json");
  BOOST_TEST_INFO("stderr: " << r.err);
  BOOST_TEST(r.exit_code == 3);
  BOOST_TEST(r.err.find("holds no samples") != std::string::npos);
  BOOST_TEST(r.out.find("rxpath report") != std::string::npos);
  BOOST_TEST(listing(d).empty());
  r = run(d, std::string(kQuick) + " --journey 1000000000 --journey-json " + d + "/j.json");
  BOOST_TEST_INFO("stderr: " << r.err);
  BOOST_TEST(r.exit_code == 3);
  BOOST_TEST(r.err.find("frame 1000000000 does not exist") != std::string::npos);
  BOOST_TEST(listing(d).empty());
  // A frame that exists: exit 0 and the file (the oracle: frame 3 of 200 us
  // of 10 GbE traffic is offered and delivered).
  r = run(d, std::string(kQuick) + " --journey 3 --journey-json " + d + "/j.json");
  BOOST_TEST(r.exit_code == 0);
  BOOST_TEST(exists(d + "/j.json"));
}

// The JSON report: version, commit, wall time, the scenario as a table, and
// the same keys in every run. Oracle for the keys: a run with stack drops
// (closed ports) and one without have the same set of drop keys.
BOOST_AUTO_TEST_CASE(json_report_schema) {
  const std::string d = fresh("schema");
  const auto a = run(d, std::string(kQuick) + " --set igb.rx_ring=100 --json -");
  const auto b = run(d, std::string(kQuick) + " --set traffic.closed_udp_ppm=200000 --json -");
  BOOST_REQUIRE(a.exit_code == 0);
  BOOST_REQUIRE(b.exit_code == 0);
  const json ja = json::parse(a.out), jb = json::parse(b.out);
  const auto v = run(d, "--version");
  BOOST_TEST(v.out.find(ja["version"].get<std::string>()) != std::string::npos);
  BOOST_TEST(v.out.find(ja["commit"].get<std::string>()) != std::string::npos);
  BOOST_TEST(ja["wall_s"].get<double>() > 0);
  BOOST_TEST(ja["scenario_knobs"]["igb.rx_ring"].get<int>() == 104);  // rounded up to a multiple of 8
  BOOST_TEST(ja["scenario"].get<std::string>().find("rx_ring = 104") != std::string::npos);
  std::set<std::string> ka, kb;
  for (const auto& [k, _] : ja["accounting"]["drops"].items()) ka.insert(k);
  for (const auto& [k, _] : jb["accounting"]["drops"].items()) kb.insert(k);
  BOOST_TEST(jb["accounting"]["drops"]["stack.NO_SOCKET"].get<uint64_t>() > 0u);
  BOOST_TEST(ja["accounting"]["drops"]["stack.NO_SOCKET"].get<uint64_t>() == 0u);
  BOOST_TEST((ka == kb));
  // The select/poll/epoll counters (named after the kernel functions): every
  // name in every report, 0 or not, whole run and measured window alike.
  std::set<std::string> wa, wb, wm;
  for (const auto& [k, _] : ja["counters"].items()) wa.insert(k);
  for (const auto& [k, _] : jb["counters"].items()) wb.insert(k);
  for (const auto& [k, _] : ja["measured"]["counters"].items()) wm.insert(k);
  BOOST_TEST((wa == wb));
  for (const char* k : {"select.do_select", "select.vfs_poll", "poll.__pollwait", "poll.pollwake", "epoll.ep_insert",
                        "epoll.do_epoll_wait", "epoll.ep_poll_callback", "epoll.ep_send_events"}) {
    BOOST_TEST(wa.count(k) == 1u, k);
    BOOST_TEST(wm.count(k) == 1u, k);
  }
  BOOST_TEST(ja["counters"]["select.do_select"].get<uint64_t>() == 0u);  // the default reader uses epoll
  BOOST_TEST(ja["counters"]["epoll.ep_insert"].get<uint64_t>() >= 1u);
}

// --dump-scenario shows effective values, escapes strings, and reads back as
// the same scenario (dump, reload, dump again: identical).
BOOST_AUTO_TEST_CASE(dumped_scenario_reloads) {
  const std::string d = fresh("dump");
  {
    std::ofstream f(d + "/in.toml");
    f << "[traffic]\npcap = \"we\\\"ird\\\\na\\tme\\u0001.pcap\"\n[igb]\nrx_ring = 100\n";
  }
  const auto one = run(d, d + "/in.toml --dump-scenario");
  BOOST_REQUIRE(one.exit_code == 0);
  // By hand: the TOML basic-string escapes of the value, and 100 -> 104.
  BOOST_TEST(one.out.find("pcap = \"we\\\"ird\\\\na\\tme\\u0001.pcap\"\n") != std::string::npos);
  BOOST_TEST(one.out.find("rx_ring = 104\n") != std::string::npos);
  {
    std::ofstream f(d + "/one.toml");
    f << one.out;
  }
  const auto two = run(d, d + "/one.toml --dump-scenario");
  BOOST_TEST(two.exit_code == 0);
  BOOST_TEST(two.out == one.out);
}

// Rates below 0.1 Mpps are shown in kpps (here 0.05 Gb/s of imix: a few
// kpps, by hand ~ 50e6 / 8 / (~350 + 20) bytes ~ 17 kpps).
BOOST_AUTO_TEST_CASE(low_rates_in_kpps) {
  const std::string d = fresh("kpps");
  const auto r = run(d, "--quiet --duration-us 1000 --set traffic.rate_gbps=0.05");
  BOOST_TEST_INFO("stdout: " << r.out);
  BOOST_TEST(r.exit_code == 0);
  BOOST_TEST(std::regex_search(r.out, std::regex(R"(offered .*\([0-9.]+ kpps\))")));
  BOOST_TEST(r.out.find(" 0.0 Mpps") == std::string::npos);
}

// --debug: every time in the output is in us, like each line's timestamp
// (the link's arrival times were in ps).
BOOST_AUTO_TEST_CASE(debug_times_in_one_unit) {
  const std::string d = fresh("debug");
  const auto r = run(d, "--quiet --duration-us 20 --debug link");
  BOOST_TEST(r.exit_code == 0);
  BOOST_TEST(r.err.find(" us link DMA write") != std::string::npos);
  BOOST_TEST(!std::regex_search(r.err, std::regex(R"([0-9] ?(ps|ns|ms)\b)")));
}
