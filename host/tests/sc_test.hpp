// SPDX-License-Identifier: MIT
// Boost.Test under SystemC (STYLE.md 14): include this once, in the test's
// .cpp, after defining BOOST_TEST_MODULE, before defining sc_main. A SystemC warning or error fails the current
// test unless the test announced it with ExpectWarnings.
#pragma once

#define BOOST_TEST_NO_MAIN
#define BOOST_TEST_ALTERNATIVE_INIT_API
#include <boost/test/unit_test.hpp>
#include <systemc>

namespace rxpath::test {

inline int& expected_warnings() {
    static int n = 0;
    return n;
}

// Scope guard: `n` SystemC warnings are expected inside the scope.
struct ExpectWarnings {
    explicit ExpectWarnings(int n) { expected_warnings() += n; }
    ~ExpectWarnings() {
        BOOST_CHECK_MESSAGE(expected_warnings() == 0,
                            "expected SystemC warnings not raised: " << expected_warnings());
        expected_warnings() = 0;
    }
};

inline void report_handler(const sc_core::sc_report& r, const sc_core::sc_actions& actions) {
    if (r.get_severity() == sc_core::SC_INFO) return;
    if (r.get_severity() == sc_core::SC_WARNING && expected_warnings() > 0) {
        --expected_warnings();
        return;
    }
    BOOST_ERROR("SystemC " << (r.get_severity() == sc_core::SC_WARNING ? "warning" : "error") << ": "
                           << r.get_msg_type() << ": " << r.get_msg());
    if (r.get_severity() == sc_core::SC_FATAL) sc_core::sc_report_handler::default_handler(r, actions);
}

inline void install_report_handler() {
    sc_core::sc_report_handler::set_handler(report_handler);
}

inline int run_tests(int argc, char* argv[]) {
    install_report_handler();
    return boost::unit_test::unit_test_main(&::init_unit_test, argc, argv);
}

}  // namespace rxpath::test
