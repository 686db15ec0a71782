// SPDX-License-Identifier: Apache-2.0
// testing/testing_internal.hpp: between testing.cpp and sc_main.cpp.
#pragma once

#include <systemc>

namespace rxpath::testing {
void report_handler(const sc_core::sc_report& r, const sc_core::sc_actions& actions);
// A SystemC warning or error was reported while no test case ran.
bool failed_outside_test();
}  // namespace rxpath::testing
