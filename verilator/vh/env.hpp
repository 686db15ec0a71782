// SPDX-License-Identifier: MIT
// The bare C++ test environment around one Verilated NIC: controller, XGMII
// source, AXI4-Lite master, AXI4 memory with its protocol checker, MSI-X sink.
#pragma once
#include <cstdint>
#include <stdexcept>
#include <string>

#include "rxpath/igb_regs.hpp"
#include "verilator/vh/axi.hpp"
#include "verilator/vh/axil.hpp"
#include "verilator/vh/sim_ctrl.hpp"
#include "verilator/vh/xgmii.hpp"

namespace rxpath::vh {

// Looks a register up by its generated name ("RDT0", "EITR[3]", "GPRC").
inline uint32_t reg_offset(const std::string& name) {
  for (const auto& r : rxpath::regs::kRegisters)
    if (name == r.name) return r.offset;
  throw std::invalid_argument("register '" + name + "' is not in igb_regs.toml");
}

template <class M>
class NicEnv {
 public:
  explicit NicEnv(AxiMemConfig mcfg = {}, bool with_checker = true)
      : xgmii(&sim.top().xgmii_rxd_i, &sim.top().xgmii_rxc_i),
        axil(axil_bus_),
        mem_agent(bus_, mem, mcfg),
        checker(bus_),
        msix(&sim.top().msix_valid_o, &sim.top().msix_vector_o, &sim.top().msix_ready_i, &sim.top().rst_ni) {
    // bundles first (members are built before the constructor body, but
    // the agents only keep references to the bundles)
    bus_.connect(sim.top());
    axil_bus_.connect(sim.top());
    sim.add(xgmii);
    sim.add(axil);
    sim.add(mem_agent);
    if (with_checker) sim.add(checker);
    sim.add(msix);
    // Initial input values before reset.
    for (Agent* a : {static_cast<Agent*>(&xgmii), static_cast<Agent*>(&axil), static_cast<Agent*>(&mem_agent),
                     static_cast<Agent*>(&msix)})
      a->drive(0);
    sim.settle();
    sim.on_cycle.push_back([this](uint64_t) { check_buses(); });
    sim.reset();
  }

  // Blocking MMIO, as a CPU sees it.
  void wr(uint32_t off, uint32_t v, uint64_t timeout = 1000) {
    axil.start_write(off, v);
    sim.run_until([&] { return !axil.busy(); }, timeout, "AXI-Lite write response at " + hex(off));
  }
  uint32_t rd(uint32_t off, uint64_t timeout = 1000) {
    axil.start_read(off);
    sim.run_until([&] { return !axil.busy(); }, timeout, "AXI-Lite read data at " + hex(off));
    return axil.last_rdata();
  }
  void wr(const std::string& name, uint32_t v) { wr(reg_offset(name), v); }
  uint32_t rd(const std::string& name) { return rd(reg_offset(name)); }

  // Throws on the first protocol violation of any bus (every test fails on it).
  void check_buses() {
    if (!checker.ok()) throw std::runtime_error("AXI4 checker: " + checker.violations().front());
    if (!axil.violations().empty()) throw std::runtime_error("AXI4-Lite: " + axil.violations().front());
    if (!msix.violations.empty()) throw std::runtime_error("MSI-X: " + msix.violations.front());
  }
  void run(uint64_t n) { sim.run(n); }
  static std::string hex(uint32_t v) {
    char b[16];
    std::snprintf(b, sizeof b, "0x%05x", v);
    return b;
  }

  SimCtrl<M> sim;
  SparseMem mem;

 private:
  AxiBus bus_{};
  AxilBus axil_bus_{};

 public:
  XgmiiSource xgmii;
  AxilMaster axil;
  AxiMem mem_agent;
  AxiChecker checker;
  MsixSink msix;
};

}  // namespace rxpath::vh
