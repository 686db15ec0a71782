// SPDX-License-Identifier: MIT
// The NIC harness's debug categories (see verilator/vh/debug.hpp).
#include "verilator/vh/debug.hpp"

#include "verilator/vh/sim_ctrl.hpp"

namespace rxpath::vh {

namespace dbg {
namespace {
constexpr const char* kLayer = "nic harness";
}  // namespace
common::debug::Flag xgmii("xgmii", kLayer, "XGMII into the RTL: every non-idle cycle's data and control");
common::debug::Flag axi("axi", kLayer, "the RTL's AXI4 DMA port: AW/AR requests, B responses, checker findings");
common::debug::Flag axil("axil", kLayer, "the RTL's AXI4-Lite register port: each read and write");
common::debug::Flag nic_msix("nic_msix", kLayer, "the RTL's MSI-X port: each vector the NIC raises");
common::debug::Flag sb("sb", kLayer, "the RTL tests' scoreboard: each frame checked");
}  // namespace dbg

uint64_t debug_cycle_ps(uint64_t cycle) { return cycle * kPsPerCycle; }

}  // namespace rxpath::vh
