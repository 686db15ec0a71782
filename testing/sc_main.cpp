// SPDX-License-Identifier: Apache-2.0
// testing/sc_main.cpp: the entry point of every SystemC test:
// SystemC's main calls sc_main, which installs the report handler and runs
// Boost.Test. Compiled into each test executable (rxpath_testing_main): the
// test's translation unit defines init_unit_test (BOOST_TEST_MODULE).
#include "testing/sc_test.hpp"

#include "testing/testing_internal.hpp"

bool init_unit_test();

namespace {
// Ends what a test case left behind when it finishes, pass or fail.
struct TestCaseScope : boost::unit_test::test_observer {
  void test_unit_finish(const boost::unit_test::test_unit& tu, unsigned long) override {
    if (tu.p_type == boost::unit_test::TUT_CASE) rxpath::testing::end_test_case_scope();
  }
  void test_unit_aborted(const boost::unit_test::test_unit& tu) override {
    if (tu.p_type == boost::unit_test::TUT_CASE) rxpath::testing::end_test_case_scope();
  }
};
TestCaseScope g_scope;

bool init() {
  boost::unit_test::framework::register_observer(g_scope);
  return init_unit_test();
}
}  // namespace

int sc_main(int argc, char* argv[]) {
  sc_core::sc_report_handler::set_handler(rxpath::testing::report_handler);
  int r = boost::unit_test::unit_test_main(&init, argc, argv);
  return r != 0 ? r : rxpath::testing::failed_outside_test() ? 1 : 0;
}
