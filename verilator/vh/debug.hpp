// SPDX-License-Identifier: MIT
// The NIC harness's debug categories, in the one registry (common/debug.hpp):
// switched on by `rxpath --debug xgmii,axi` or, in the RTL tests,
// RXPATH_DEBUG=axi,nic_msix; `rxpath --debug help` lists them.
#pragma once
#include <cstdint>

#include "common/debug.hpp"

namespace rxpath::vh {

namespace dbg {
extern common::debug::Flag xgmii, axi, axil, nic_msix, sb;
}  // namespace dbg

// The harness's time for a debug line: the start of clock cycle `cycle`.
uint64_t debug_cycle_ps(uint64_t cycle);

}  // namespace rxpath::vh

// RXP_DBG(axi, cycle, "AW id=%u", id): one line of category vh::dbg::axi at
// the cycle's time, if that category is on.
#define RXP_DBG(cat, cycle, ...) \
  RXPATH_DPRINTF(::rxpath::vh::dbg::cat, ::rxpath::vh::debug_cycle_ps(cycle), __VA_ARGS__)
