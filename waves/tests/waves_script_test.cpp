// SPDX-License-Identifier: MIT
// waves/tests/waves_script_test.cpp: scripts/waves without GTKWave: its
// arguments (usage, unknown view, --png name, no trace) and, with -n, the
// zoom it opens a view at and the view copy it writes for a trace.
//
// The oracle for the zoom is the trace itself: the test writes an FST with
// fstapi (GTKWave's own writer) whose first and last time it chooses, in
// picoseconds and in nanoseconds, and scripts/waves must zoom to exactly
// those times (in ps), or to the view's own window (its rxpath-zoom line)
// where that lies inside them.
#define BOOST_TEST_MODULE waves_script
#include <boost/test/unit_test.hpp>

#include <gtkwave/fstapi.h>
#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>

namespace {

struct Run {
  int exit_code = -1;
  std::string out;  // stdout and stderr
};

// Runs `cmd` through the shell; scratch copies go under the test's folder.
Run sh(const std::string& cmd) {
  const std::string full = "cd " RXPATH_SOURCE_DIR " && TMPDIR=" SCRATCH_DIR " " + cmd + " 2>&1";
  Run r;
  FILE* p = popen(full.c_str(), "r");
  BOOST_REQUIRE(p);
  std::array<char, 4096> buf;
  size_t n;
  while ((n = fread(buf.data(), 1, buf.size(), p)) > 0) r.out.append(buf.data(), n);
  const int st = pclose(p);
  r.exit_code = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
  return r;
}

// An FST with one bit that changes at each of `times` (in units of 10^exp s).
std::string write_fst(const std::string& name, int exp, std::initializer_list<uint64_t> times) {
  const std::string path = std::string(SCRATCH_DIR) + "/" + name;
  void* ctx = fstWriterCreate(path.c_str(), 1);
  BOOST_REQUIRE(ctx);
  fstWriterSetTimescale(ctx, exp);
  fstWriterSetScope(ctx, FST_ST_VCD_MODULE, "nic", nullptr);
  const fstHandle h = fstWriterCreateVar(ctx, FST_VT_VCD_WIRE, FST_VD_IMPLICIT, 1, "x", 0);
  fstWriterSetUpscope(ctx);
  char v = '0';
  for (uint64_t t : times) {
    fstWriterEmitTimeChange(ctx, t);
    fstWriterEmitValueChange(ctx, h, &v);
    v = v == '0' ? '1' : '0';
  }
  fstWriterClose(ctx);
  return path;
}

std::string slurp(const std::string& path) {
  std::ifstream f(path);
  std::stringstream s;
  s << f.rdbuf();
  return s.str();
}

// The save-file copy named in -n's command ("gtkwave -a COPY -S ...").
std::string view_copy_of(const std::string& out) {
  const size_t a = out.find("gtkwave -a ");
  if (a == std::string::npos) return "";
  const size_t b = a + 11, e = out.find(' ', b);
  return out.substr(b, e - b);
}

}  // namespace

BOOST_AUTO_TEST_CASE(dry_run_zooms_to_the_traces_first_and_last_time) {
  // A window like a trigger's: 67.4304 us .. 92.4288 us (ps timescale).
  const std::string fst = write_fst("window_ps.fst", -12, {67430400, 70000000, 92428800});
  const Run r = sh("scripts/waves -n desc_ring " + fst);
  BOOST_TEST_INFO(r.out);
  BOOST_TEST(r.exit_code == 0);
  BOOST_TEST(r.out.find("# zoom: 67430400 .. 92428800 ps") != std::string::npos);
  const std::string copy = view_copy_of(r.out);
  BOOST_TEST_REQUIRE(!copy.empty());
  const std::string tcl = copy.substr(0, copy.size() - 5) + ".tcl";
  BOOST_TEST(slurp(tcl).find("gtkwave::setZoomRangeTimes 67430400 92428800") != std::string::npos);
  // desc_ring's marker (87.4304 us) is inside this window: kept.
  const std::string view = slurp(copy);
  BOOST_TEST(view.find("\n*-25.200000 87430400 ") != std::string::npos);

  // Nanoseconds in the file, picoseconds in the zoom; a marker outside is dropped.
  const std::string ns = write_fst("window_ns.fst", -9, {3, 40});
  const Run n = sh("scripts/waves -n desc_ring " + ns);
  BOOST_TEST_INFO(n.out);
  BOOST_TEST(n.exit_code == 0);
  BOOST_TEST(n.out.find("# zoom: 3000 .. 40000 ps") != std::string::npos);
  const std::string v2 = slurp(view_copy_of(n.out));
  BOOST_TEST(v2.find("\n*-25.200000 -1 ") != std::string::npos);
  // The translate filters by absolute path: GTKWave runs from the trace's folder.
  BOOST_TEST(slurp(RXPATH_SOURCE_DIR "/waves/mac_rx.gtkw").find("^1 waves/filters/") != std::string::npos);
  const Run m = sh("scripts/waves -n mac_rx " + ns);
  BOOST_TEST(slurp(view_copy_of(m.out)).find("^1 " RXPATH_SOURCE_DIR "/waves/filters/") != std::string::npos);
  BOOST_TEST(m.out.find("cd " SCRATCH_DIR " && gtkwave") != std::string::npos, m.out);
}

// A view's own window (rxpath-zoom) where it overlaps the trace: whole_path
// shows frame 1 close up in a run that holds it, and a trace of another
// time whole.
BOOST_AUTO_TEST_CASE(dry_run_keeps_the_views_window_inside_the_trace) {
  const std::string run = write_fst("run.fst", -12, {6400, 60000000});
  const Run r = sh("scripts/waves -n whole_path " + run);
  BOOST_TEST_INFO(r.out);
  BOOST_TEST(r.out.find("# zoom: 11200000 .. 20650000 ps") != std::string::npos);
  BOOST_TEST(slurp(view_copy_of(r.out)).find("\n*-20.700000 11353600 ") != std::string::npos);  // marker kept

  const std::string late = write_fst("late.fst", -12, {30000000, 50000000});
  const Run l = sh("scripts/waves -n whole_path " + late);
  BOOST_TEST_INFO(l.out);
  BOOST_TEST(l.out.find("# zoom: 30000000 .. 50000000 ps") != std::string::npos);
  BOOST_TEST(slurp(view_copy_of(l.out)).find("\n*-20.700000 -1 ") != std::string::npos);  // marker outside: none
}

BOOST_AUTO_TEST_CASE(arguments_are_checked_before_gtkwave_is_needed) {
  const std::string fst = write_fst("args.fst", -12, {6400, 12800});
  struct Case {
    std::string args;
    int code;
    const char* says;
  } cases[] = {
      {"--help", 0, "--png OUT.png VIEW"},
      {"", 2, "scripts/waves --list"},
      {"--list", 0, "desc_ring"},
      {"no_such_view " + fst, 1, "no view 'no_such_view'"},
      {"desc_ring " + std::string(SCRATCH_DIR) + "/missing.fst", 1, "no trace"},
      {"--png", 2, "--png needs a file name"},
      {"--png out.jpg desc_ring " + fst, 1, "must end in .png"},
      {"--png /no/such/dir/x.png desc_ring " + fst, 1, "no folder /no/such/dir"},
      {"--bogus desc_ring", 2, "unknown option --bogus"},
      {"-n desc_ring " + std::string(RXPATH_SOURCE_DIR) + "/README.md", 1, "not an FST trace"},
  };
  for (const Case& c : cases) {
    const Run r = sh("scripts/waves " + c.args);
    BOOST_TEST_INFO("scripts/waves " << c.args << "\n" << r.out);
    BOOST_TEST(r.exit_code == c.code);
    BOOST_TEST(r.out.find(c.says) != std::string::npos);
  }
}
