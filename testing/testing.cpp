// SPDX-License-Identifier: Apache-2.0
// testing/testing.cpp: the report handler, time helpers and test-case scope
// of testing/sc_test.hpp.
#include "testing/sc_test.hpp"

#include <iostream>
#include <vector>

#include "testing/testing_internal.hpp"

namespace rxpath::testing {

namespace {
int g_expected_warnings = 0;
bool g_failed_outside_test = false;
std::vector<sc_core::sc_process_handle> g_spawned;
std::vector<std::shared_ptr<void>> g_owned;
unsigned g_names = 0;

const char* severity_name(sc_core::sc_severity s) {
  switch (s) {
    case sc_core::SC_WARNING:
      return "warning";
    case sc_core::SC_ERROR:
      return "error";
    case sc_core::SC_FATAL:
      return "fatal";
    default:
      return "info";
  }
}

// Same rules as stack/cpu.cpp end_process: kill() only from inside another
// running process; from sc_main (a test body) suspend() (SystemC 2.3.4's
// kill() needs a calling process).
void end_process(sc_core::sc_process_handle& h) {
  if (!h.valid() || h.terminated()) return;
  sc_core::sc_process_handle self = sc_core::sc_get_current_process_handle();
  if (sc_core::sc_is_running() && self.valid() && self != h)
    h.kill();
  else
    h.suspend();
}
}  // namespace

void report_handler(const sc_core::sc_report& r, const sc_core::sc_actions& actions) {
  const sc_core::sc_severity sev = r.get_severity();
  if (sev == sc_core::SC_INFO) return;
  if (sev == sc_core::SC_WARNING && g_expected_warnings > 0) {
    --g_expected_warnings;
    return;
  }
  if (boost::unit_test::framework::test_in_progress()) {
    BOOST_ERROR("SystemC " << severity_name(sev) << ": " << r.get_msg_type() << ": " << r.get_msg());
  } else {
    std::cerr << "SystemC " << severity_name(sev) << " outside a test case: " << r.get_msg_type() << ": " << r.get_msg()
              << '\n';
    g_failed_outside_test = true;
  }
  // The code that reports an error or a fatal error does not expect to go on.
  if (sev >= sc_core::SC_ERROR) throw r;
  (void)actions;
}

bool failed_outside_test() { return g_failed_outside_test; }

ExpectWarnings::ExpectWarnings(int n) { g_expected_warnings += n; }

ExpectWarnings::~ExpectWarnings() {
  BOOST_CHECK_MESSAGE(g_expected_warnings == 0, "expected SystemC warnings not raised: " << g_expected_warnings);
  g_expected_warnings = 0;
}

void run_for(double v) { sc_core::sc_start(ns(v)); }

void run_until(double v) {
  double now = now_ns();
  if (v > now) sc_core::sc_start(ns(v - now));
}

double now_ns() { return sc_core::sc_time_stamp().to_seconds() * 1e9; }

sc_core::sc_process_handle spawn(std::function<void()> fn, const std::string& name) {
  sc_core::sc_spawn_options opt;
  sc_core::sc_process_handle h = name.empty() ? sc_core::sc_spawn(std::move(fn), nullptr, &opt)
                                              : sc_core::sc_spawn(std::move(fn), name.c_str(), &opt);
  g_spawned.push_back(h);
  return h;
}

void detail::own(std::shared_ptr<void> p) { g_owned.push_back(std::move(p)); }

std::string unique_name(const std::string& prefix) { return prefix + std::to_string(g_names++); }

namespace {
void end_scope_now() {
  for (auto& h : g_spawned) end_process(h);
  g_spawned.clear();
  while (!g_owned.empty()) g_owned.pop_back();  // reverse order of creation
}
}  // namespace

void end_in_process(const std::function<void()>& fn) {
  if (!sc_core::sc_is_running() || sc_core::sc_get_current_process_handle().valid() ||
      sc_core::sc_get_curr_simcontext()->get_error()) {
    fn();
    return;
  }
  bool started = false;
  sc_core::sc_spawn_options opt;
  sc_core::sc_spawn(
      [&] {
        started = true;
        fn();
      },
      unique_name("fixture_end").c_str(), &opt);
  try {
    sc_core::sc_start(sc_core::SC_ZERO_TIME);
  } catch (const std::exception& e) {
    std::cerr << "fixture teardown: " << e.what() << '\n';
    g_failed_outside_test = true;
  }
  if (!started) fn();  // the process never ran (nothing else could have)
}

// From the test body (sc_main) a thread can only be suspended: its frames
// are never unwound and what they hold (skbs, buffers) is lost, which
// LeakSanitizer reports at exit (make sanitize). Once the simulation runs,
// a process of the harness does the ending instead, in one delta cycle:
// the threads are killed and unwound while their owners still exist.
void end_test_case_scope() {
  if (g_spawned.empty() && g_owned.empty()) return;
  // Before the first sc_start (nothing ran), after sc_stop, already in a
  // process, or after an error ended the simulation (sc_start would only
  // report E548): as from the test body.
  if (!sc_core::sc_is_running() || sc_core::sc_get_current_process_handle().valid() ||
      sc_core::sc_get_curr_simcontext()->get_error()) {
    end_scope_now();
    return;
  }
  sc_core::sc_spawn_options opt;
  sc_core::sc_spawn(&end_scope_now, unique_name("test_case_end").c_str(), &opt);
  try {
    sc_core::sc_start(sc_core::SC_ZERO_TIME);
  } catch (const std::exception& e) {
    std::cerr << "test case teardown: " << e.what() << '\n';
    g_failed_outside_test = true;
  }
  end_scope_now();  // what the process did not get to (nothing, normally)
}

}  // namespace rxpath::testing
