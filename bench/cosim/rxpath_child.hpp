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

#include <fstream>
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

}  // namespace rxpath::bench
