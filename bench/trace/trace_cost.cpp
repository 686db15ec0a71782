// SPDX-License-Identifier: MIT
// trace_cost: what waveform tracing costs the co-simulation.
//
// Runs the default scenario (rxpath with no scenario file) for D µs of
// traffic three ways, each best of N runs, one process per run:
//   none   no tracing (no tracer attached)
//   full   --trace FILE.fst: the RTL FST with the host signals written into it
//   late   --trace FILE.fst --trace-window 0.95D:D: only the last 5% traced
// and prints wall and CPU seconds (the child's user + system time) and the
// ratios to `none` (targets: full <= 2x, late <= 1.05x), plus the FST size.
//
// usage: trace_cost [duration_us, default 2000] [repeats, default 3] [rxpath path]
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

namespace {

struct Cost {
  double wall = 1e300, cpu = 1e300;
};

double cpu_of(const rusage& u) {
  return u.ru_utime.tv_sec + u.ru_utime.tv_usec / 1e6 + u.ru_stime.tv_sec + u.ru_stime.tv_usec / 1e6;
}

std::string g_log;  // the children's stderr (shown when one fails)

// Runs argv once; returns wall and CPU seconds of the child.
Cost run_once(const std::vector<std::string>& args) {
  std::vector<char*> argv;
  for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  std::fflush(stdout);
  std::fflush(stderr);
  const auto t0 = std::chrono::steady_clock::now();
  const pid_t pid = ::fork();
  if (pid < 0) {
    std::perror("trace_cost: fork");
    std::exit(1);
  }
  if (pid == 0) {
    if (!std::freopen("/dev/null", "w", stdout) || !std::freopen(g_log.c_str(), "w", stderr)) ::_exit(126);
    ::execv(argv[0], argv.data());
    ::_exit(127);
  }
  int status = 0;
  rusage u{};
  ::wait4(pid, &status, 0, &u);
  const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    std::string cmd;
    for (const auto& a : args) cmd += a + " ";
    std::fprintf(stderr, "trace_cost: failed (status %d): %s\n", status, cmd.c_str());
    if (FILE* f = std::fopen(g_log.c_str(), "r")) {
      char line[512];
      while (std::fgets(line, sizeof line, f)) std::fputs(line, stderr);
      std::fclose(f);
    }
    std::exit(1);
  }
  return Cost{wall, cpu_of(u)};
}

double file_mib(const std::string& p) {
  struct stat st {};
  return ::stat(p.c_str(), &st) == 0 ? st.st_size / 1048576.0 : 0;
}

}  // namespace

int main(int argc, char** argv) {
  const double dur = argc > 1 ? std::atof(argv[1]) : 2000;
  const int reps = argc > 2 ? std::atoi(argv[2]) : 3;
  const std::string exe = argc > 3 ? argv[3] : RXPATH_EXE;
  if (!(dur >= 20) || reps < 1) {
    std::fprintf(stderr, "usage: trace_cost [duration_us >= 20, default 2000] [repeats, default 3] [rxpath]\n");
    return 2;
  }
  char tmpl[] = "/tmp/trace_cost.XXXXXX";
  if (!::mkdtemp(tmpl)) {
    std::perror("trace_cost: mkdtemp");
    return 1;
  }
  const std::string dir = tmpl;
  const std::string fst_full = dir + "/full.fst", fst_late = dir + "/late.fst";
  g_log = dir + "/stderr.txt";
  char d[64], w[128];
  std::snprintf(d, sizeof d, "%g", dur);
  std::snprintf(w, sizeof w, "%g:%g", dur * 0.95, dur);
  const std::vector<std::string> base = {exe, "--quiet", "--duration-us", d};
  auto with = [&](std::vector<std::string> extra) {
    std::vector<std::string> a = base;
    a.insert(a.end(), extra.begin(), extra.end());
    return a;
  };
  std::printf("trace_cost: default scenario, %g us of traffic, best of %d (%s)\n", dur, reps, exe.c_str());
  // Interleave the three so a busy machine hurts each alike.
  Cost none, full, late;
  for (int i = 0; i < reps; ++i) {
    const Cost a = run_once(base);
    const Cost b = run_once(with({"--trace", fst_full}));
    const Cost c = run_once(with({"--trace", fst_late, "--trace-window", w}));
    none.wall = std::min(none.wall, a.wall), none.cpu = std::min(none.cpu, a.cpu);
    full.wall = std::min(full.wall, b.wall), full.cpu = std::min(full.cpu, b.cpu);
    late.wall = std::min(late.wall, c.wall), late.cpu = std::min(late.cpu, c.cpu);
  }
  std::printf("  %-34s %9s %9s %9s %9s %9s\n", "run", "wall s", "CPU s", "wall x", "CPU x", "FST MiB");
  auto row = [&](const char* name, const Cost& c, double mib) {
    std::printf("  %-34s %9.2f %9.2f %9.3f %9.3f %9.1f\n", name, c.wall, c.cpu, c.wall / none.wall, c.cpu / none.cpu,
                mib);
  };
  row("none (no tracing)", none, 0);
  row("full --trace (RTL + host)", full, file_mib(fst_full));
  std::string late_name = std::string("late window --trace-window ") + w;
  row(late_name.c_str(), late, file_mib(fst_late));
  std::printf("  targets: full <= 2x (CPU %.2fx: %s), late window <= 1.05x (CPU %.3fx: %s)\n", full.cpu / none.cpu,
              full.cpu / none.cpu <= 2 ? "met" : "NOT met", late.cpu / none.cpu,
              late.cpu / none.cpu <= 1.05 ? "met" : "NOT met");
  std::remove(fst_full.c_str());
  std::remove(fst_late.c_str());
  std::remove(g_log.c_str());
  ::rmdir(dir.c_str());
  return 0;
}
