// SPDX-License-Identifier: Apache-2.0
// testing/tests/harness_test.cpp: the harness itself: what fails a test case
// (an unannounced warning, any error, an announced warning that never
// came), what does not (announced warnings, infos), and that what a test
// case spawned or owned ends with it.
#define BOOST_TEST_MODULE testing_harness
#include "testing/sc_test.hpp"

#include <memory>

namespace tt = rxpath::testing;
namespace ut = boost::unit_test;

BOOST_AUTO_TEST_CASE(unannounced_warning_fails, *ut::expected_failures(1)) {
  SC_REPORT_WARNING("rxpath/test", "not announced");
}

BOOST_AUTO_TEST_CASE(announced_warnings_and_infos_pass) {
  tt::ExpectWarnings w(2);
  SC_REPORT_WARNING("rxpath/test", "one");
  SC_REPORT_INFO("rxpath/test", "an info");
  SC_REPORT_WARNING("rxpath/test", "two");
}

BOOST_AUTO_TEST_CASE(announced_warning_missing_fails, *ut::expected_failures(1)) { tt::ExpectWarnings w(1); }

BOOST_AUTO_TEST_CASE(error_fails_and_is_thrown, *ut::expected_failures(1)) {
  BOOST_CHECK_THROW(SC_REPORT_ERROR("rxpath/test", "an error"), sc_core::sc_report);
}

BOOST_AUTO_TEST_CASE(time_helpers) {
  const sc_core::sc_time t0 = sc_core::sc_time_stamp();
  tt::run_for(100);
  BOOST_TEST((sc_core::sc_time_stamp() == t0 + tt::ns(100)));
  tt::run_until(tt::now_ns() + 150);
  BOOST_TEST((sc_core::sc_time_stamp() == t0 + tt::ns(250)));
  tt::run_until(0);  // already past: nothing
  BOOST_TEST((sc_core::sc_time_stamp() == t0 + tt::ns(250)));
  BOOST_TEST(tt::now_ns() == (t0 + tt::ns(250)).to_seconds() * 1e9);
  BOOST_TEST(tt::unique_name("x") != tt::unique_name("x"));
}

namespace {
auto g_ticks = std::make_shared<int>(0);
struct Counted {
  int& n;
  ~Counted() { ++n; }
};
int g_destroyed = 0;
}  // namespace

BOOST_AUTO_TEST_CASE(spawned_threads_and_owned_objects_end_with_the_test_case_1) {
  auto ticks = g_ticks;
  tt::spawn([ticks] {
    for (;;) {
      sc_core::wait(tt::ns(10));
      ++*ticks;
    }
  });
  tt::own(std::unique_ptr<Counted>(new Counted{g_destroyed}));
  tt::run_for(105);  // ticks at 10, 20, ..., 100 ns
  BOOST_TEST(*g_ticks == 10);
  BOOST_TEST(g_destroyed == 0);
}

BOOST_AUTO_TEST_CASE(spawned_threads_and_owned_objects_end_with_the_test_case_2) {
  tt::run_for(100);
  BOOST_TEST(*g_ticks == 10);  // the thread of the previous test case ended
  BOOST_TEST(g_destroyed == 1);
}

// A thread still waiting when its test case ends is killed from a harness
// process, not suspended: its frames unwind (what they hold is freed).
namespace {
int g_unwound = 0;
}
BOOST_AUTO_TEST_CASE(ended_threads_unwind_1) {
  tt::spawn([] {
    Counted c{g_unwound};
    sc_core::wait(tt::ns(1000));
  });
  tt::run_for(10);
  BOOST_TEST(g_unwound == 0);
}

BOOST_AUTO_TEST_CASE(ended_threads_unwind_2) { BOOST_TEST(g_unwound == 1); }

// Last: SystemC stops the simulation when a process ends by an exception.
BOOST_AUTO_TEST_CASE(error_in_a_process_fails, *ut::expected_failures(1)) {
  tt::spawn([] {
    sc_core::wait(tt::ns(10));
    SC_REPORT_ERROR("rxpath/test", "an error in a thread");
  });
  BOOST_CHECK_THROW(tt::run_for(20), sc_core::sc_report);
}
