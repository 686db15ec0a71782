// SPDX-License-Identifier: Apache-2.0
// testing/kernel_fixture.hpp: a stack::Kernel per test case, on the harness
// of testing/sc_test.hpp. Header only: a test that uses it links rxpath_stack.
#pragma once

#include <memory>

#include "stack/kernel.hpp"
#include "testing/sc_test.hpp"

namespace rxpath::testing {

// A Kernel that lives until the current test case finishes (own): after the
// test's locals and its spawned threads, so a driver, a UserProcess or a
// traffic thread of the test is gone before it. Its name is unique in the
// executable ("k<n>"): a Kernel ended from the test body keeps its process
// names taken (stack/cpu.cpp end_process).
inline stack::Kernel& make_kernel(const stack::KernelConfig& cfg = {}, const stack::CostTable& cost = {}) {
  return own(std::make_unique<stack::Kernel>(unique_name("k"), cfg, cost));
}

// The same as a Boost.Test fixture: BOOST_FIXTURE_TEST_CASE(name, KernelFixture).
struct KernelFixture {
  stack::Kernel& kernel;
  explicit KernelFixture(const stack::KernelConfig& cfg = {}, const stack::CostTable& cost = {})
      : kernel(make_kernel(cfg, cost)) {}
};

}  // namespace rxpath::testing
