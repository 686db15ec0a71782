// SPDX-License-Identifier: MIT
// bench/cosim/rxpath_child.hpp: runs the rxpath binary as a child process
// and measures its CPU time (user + system, from wait4), for the benches
// that compare whole rxpath runs with each other in the same run.
#pragma once

#include <fcntl.h>
#include <spawn.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <functional>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

extern char** environ;

namespace rxpath::bench {

// Runs rxpath with `args` (stdout to `out`), returns the child's CPU seconds.
inline double run_cpu(const char* rxpath_bin, std::vector<std::string> args, const std::string& out) {
  args.insert(args.begin(), rxpath_bin);
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 1, out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
  pid_t pid = 0;
  if (posix_spawn(&pid, rxpath_bin, &fa, nullptr, argv.data(), environ) != 0)
    throw std::runtime_error(std::string("cannot start ") + rxpath_bin);
  posix_spawn_file_actions_destroy(&fa);
  int st = 0;
  rusage ru{};
  if (wait4(pid, &st, 0, &ru) != pid) throw std::runtime_error("wait4 failed");
  if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) throw std::runtime_error("rxpath failed: " + args.back());
  return ru.ru_utime.tv_sec + ru.ru_utime.tv_usec * 1e-6 + ru.ru_stime.tv_sec + ru.ru_stime.tv_usec * 1e-6;
}

inline std::string slurp(const std::string& p) {
  std::ifstream f(p);
  std::stringstream s;
  s << f.rdbuf();
  return s.str();
}

// One side of a comparison: the binary and the arguments appended to every
// run of the case.
struct Side {
  const char* bin;
  std::vector<std::string> extra;
};

// The smallest CPU seconds of each side over `reps` alternating rounds (a
// round runs every run of `runs` on side a, then on side b, and sums them),
// and whether the first round's outputs were byte-identical run by run.
struct Compared {
  double a = 1e300, b = 1e300;
  bool same = true;
};

// `seen`, when given, gets the first round's two outputs of every run.
inline Compared compare_cpu(const std::vector<std::vector<std::string>>& runs, int reps, const Side& a, const Side& b,
                            const std::function<void(const std::string&, const std::string&)>& seen = {}) {
  Compared c;
  const std::string base = "/tmp/rxpath_bench." + std::to_string(getpid());
  for (int r = 0; r < reps; ++r) {
    double ta = 0, tb = 0;
    for (size_t i = 0; i < runs.size(); ++i) {
      const std::string oa = base + ".a", ob = base + ".b";
      auto args = runs[i];
      args.insert(args.end(), a.extra.begin(), a.extra.end());
      ta += run_cpu(a.bin, args, oa);
      args = runs[i];
      args.insert(args.end(), b.extra.begin(), b.extra.end());
      tb += run_cpu(b.bin, args, ob);
      if (r == 0) {
        const std::string xa = slurp(oa), xb = slurp(ob);
        c.same = c.same && xa == xb;
        if (seen) seen(xa, xb);
      }
      std::remove(oa.c_str());
      std::remove(ob.c_str());
    }
    c.a = std::min(c.a, ta);
    c.b = std::min(c.b, tb);
  }
  return c;
}

}  // namespace rxpath::bench
