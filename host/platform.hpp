// SPDX-License-Identifier: MIT
// HostPlatform: host memory + PCIe link + MSI-X interrupt controller, joined
// to the stack's CPU engine:
//   - the CPU sync hook applies every DMA write that has arrived (lazy writes);
//   - an MSI-X arriving at time t raises the hard IRQ of its vector on the
//     vector's affine CPU at exactly t (CpuEngine::raise_irq);
//   - an MMIO read stalls the issuing CPU (not preemptible) until its completion.
#pragma once

#include <string>
#include <vector>

#include "host/memory.hpp"
#include "host/pcie_link.hpp"
#include "stack/kernel.hpp"

namespace rxpath::host {

// The CPU whose modelled code is running now, or nullptr when the caller is
// not a CPU thread (sc_main between sc_start calls, an SC_METHOD, a test
// thread). stack::have_current_cpu() alone also answers for the last CPU that
// ran, so the process kind is checked as well.
// (sc_get_current_process_b, not a reference-counted sc_process_handle: this
// runs several times per packet.)
inline stack::Cpu* running_cpu() {
  if (!stack::have_current_cpu()) return nullptr;  // also: no process at all
  const sc_core::sc_process_b* p = sc_core::sc_get_current_process_b();
  if (!p || p->proc_kind() != sc_core::SC_THREAD_PROC_) return nullptr;
  return &stack::current_cpu();
}

class HostPlatform {
 public:
  HostPlatform(stack::Kernel& kernel, sc_core::sc_time latency = sc_core::sc_time(500, sc_core::SC_NS),
               const char* link_name = "pcie_link");

  HostMemory& mem() { return mem_; }
  PcieLink& link() { return link_; }
  stack::Kernel& kernel() { return k_; }

  // The interrupt controller's table (msi_domain + irq affinity): vector ->
  // (Linux irq, CPU). Throws std::invalid_argument on a bad CPU.
  void route_vector(unsigned vector, int irq, int cpu);
  uint64_t msix_unrouted() const { return unrouted_; }

 private:
  struct Route {
    int irq = -1;
    int cpu = 0;
  };
  void deliver(unsigned vector);

  stack::Kernel& k_;
  HostMemory mem_;
  PcieLink link_;
  std::vector<Route> routes_;
  uint64_t unrouted_ = 0;
};

}  // namespace rxpath::host
