// SPDX-License-Identifier: MIT
// FST waveform on request, for models built with tracing (rxpath_vnic, _q4).
#pragma once
#include <memory>
#include <string>

#include <verilated_fst_c.h>

#include "rxpath/vh/sim_ctrl.hpp"

namespace rxpath::vh {

template <class M>
void enable_fst(SimCtrl<M>& sim, const std::string& path, int levels = 99) {
    sim.ctx().traceEverOn(true);
    auto tfp = std::make_shared<VerilatedFstC>();
    sim.top().trace(tfp.get(), levels);
    tfp->open(path.c_str());
    sim.trace_dump = [tfp](uint64_t t) { tfp->dump(t); };
    sim.trace_close = [tfp]() { tfp->close(); };
}

}  // namespace rxpath::vh
