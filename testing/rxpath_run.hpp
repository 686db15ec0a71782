// SPDX-License-Identifier: MIT
// testing/rxpath_run.hpp: what the tests that run the rxpath command
// (and other programs) share: the test program's arguments after "--", a
// scratch folder, running a command with its stdout and stderr kept in
// files, reading a file whole.
#pragma once

#include <sys/stat.h>
#include <sys/wait.h>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <string>

#include <boost/test/unit_test.hpp>

namespace rxpath::testing {

// The test program's argument `i` (after "--" on the command line); a
// missing one fails the test case with `usage`.
inline std::string test_arg(int i, const char* usage) {
  auto& m = boost::unit_test::framework::master_test_suite();
  BOOST_REQUIRE_MESSAGE(m.argc > i, usage);
  return m.argv[i];
}

// dir/name, dir created if missing.
inline std::string scratch_in(const std::string& dir, const std::string& name) {
  ::mkdir(dir.c_str(), 0755);
  return dir + "/" + name;
}

// The whole file ("" when it cannot be read).
inline std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), {}};
}

inline bool exists(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0;
}

// Runs `cmd` with the shell; its exit code, -1 when it did not exit (a signal).
inline int run_command(const std::string& cmd) {
  const int st = std::system(cmd.c_str());
  return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

struct Run {
  std::string cmd;
  int exit_code = -1;
  std::string out, err;  // what it wrote to stdout and stderr
};

// Runs `cmd` with stdout in base.stdout and stderr in base.stderr (kept for
// a look after a failure) and reads both back.
inline Run run_kept(const std::string& cmd, const std::string& base) {
  Run r;
  r.cmd = cmd + " > " + base + ".stdout 2> " + base + ".stderr";
  r.exit_code = run_command(r.cmd);
  r.out = slurp(base + ".stdout");
  r.err = slurp(base + ".stderr");
  return r;
}

}  // namespace rxpath::testing
