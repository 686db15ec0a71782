// SPDX-License-Identifier: Apache-2.0
// testing/sc_test.hpp: Boost.Test under SystemC, the one harness
// of every SystemC test. A test's .cpp defines BOOST_TEST_MODULE, includes
// this header first, and links rxpath_testing_main (whose sc_main runs the
// tests); it defines no sc_main of its own.
//
// One report semantic for all tests: an SC_ERROR or SC_FATAL fails the
// current test case (and is thrown, so the test case stops there); an
// SC_WARNING fails it unless announced with ExpectWarnings; SC_INFO is quiet.
//
// One SystemC simulation per executable: sc_start after sc_stop is never
// called. Objects a test case hands to own() and processes it starts with
// spawn() are ended when the test case finishes, so nothing of one test case
// runs on into the next.
#pragma once

#ifndef BOOST_TEST_NO_MAIN
#define BOOST_TEST_NO_MAIN
#endif
#ifndef BOOST_TEST_ALTERNATIVE_INIT_API
#define BOOST_TEST_ALTERNATIVE_INIT_API
#endif
#include <boost/test/unit_test.hpp>
#include <systemc>

#include <functional>
#include <memory>
#include <string>

namespace rxpath::testing {

// Scope guard: `n` SystemC warnings are expected inside the scope; fewer
// fails the test when the scope ends, more fails it when they are reported.
class ExpectWarnings {
 public:
  explicit ExpectWarnings(int n);
  ~ExpectWarnings();
  ExpectWarnings(const ExpectWarnings&) = delete;
  ExpectWarnings& operator=(const ExpectWarnings&) = delete;
};

// ---- time ----
// Runs the simulation for ns more nanoseconds (sc_start).
void run_for(double ns);
// Runs the simulation until SystemC time reaches ns (nothing if already past).
void run_until(double ns);
// SystemC time in nanoseconds.
double now_ns();
inline sc_core::sc_time ns(double v) { return sc_core::sc_time(v, sc_core::SC_NS); }

// ---- what lives as long as the current test case ----
// Starts a SystemC thread that is ended (sc_core::sc_process_handle::kill or
// suspend, see stack/cpu.cpp end_process) when the test case finishes, before
// the objects given to own() go: a thread may capture the test's locals.
sc_core::sc_process_handle spawn(std::function<void()> fn, const std::string& name = {});

namespace detail {
void own(std::shared_ptr<void> p);
}
// Keeps `p` until the current test case finishes; objects go in reverse order.
template <class T>
T& own(std::unique_ptr<T> p) {
  T& r = *p;
  detail::own(std::shared_ptr<T>(std::move(p)));
  return r;
}
// A name unique in this executable ("<prefix><n>"): process names of an ended
// test case may still be taken (a suspended process keeps its name).
std::string unique_name(const std::string& prefix);

// Ends the current test case's spawned processes and owned objects now (the
// harness does this when a test case finishes).
void end_test_case_scope();

// Runs `fn` inside a process of the harness, at once: for a global fixture's
// teardown, so the threads of the system it destroys are killed and unwound
// (from sc_main they could only be suspended, and what their frames hold
// would leak).
void end_in_process(const std::function<void()>& fn);

}  // namespace rxpath::testing
