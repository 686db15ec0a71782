// SPDX-License-Identifier: MIT
// HostPlatform (see platform.hpp).
#include "host/platform.hpp"

#include <stdexcept>

#include "host/debug.hpp"

namespace rxpath::host {

HostPlatform::HostPlatform(stack::Kernel& kernel, sc_core::sc_time latency, const char* link_name)
    : k_(kernel), link_(link_name, mem_, latency) {
  k_.cpus().add_sync_hook([this](sc_core::sc_time now) { link_.sync(now); });
  link_.set_msix_handler([this](unsigned v) { deliver(v); });
  link_.set_stall([this](sc_core::sc_event& ev) {
    // Non-preemptible: the CPU thread waits for the completion itself; a
    // hard IRQ arriving meanwhile is taken at the next preemptible point.
    stack::Cpu* cpu = running_cpu();
    const sc_core::sc_time start = sc_core::sc_time_stamp();
    sc_core::wait(ev);
    if (!cpu) {  // not on a CPU (tests)
      link_.sync(sc_core::sc_time_stamp());
      return;
    }
    cpu->account_stall(start);  // the stalled time belongs to the issuing context
    // A zero-length stall puts this thread back as the CPU's current code
    // (other CPUs ran meanwhile) and runs the sync hooks (DMA writes).
    cpu->stall(0);
  });
}

void HostPlatform::route_vector(unsigned vector, int irq, int cpu) {
  if (cpu < 0 || cpu >= k_.cpus().num_cpus())
    throw std::invalid_argument("route_vector: cpu " + std::to_string(cpu) + " does not exist");
  if (routes_.size() <= vector) routes_.resize(vector + 1);
  routes_[vector] = Route{irq, cpu};
}

void HostPlatform::deliver(unsigned vector) {
  if (vector >= routes_.size() || routes_[vector].irq < 0) {
    ++unrouted_;
    SC_REPORT_WARNING("host_platform", ("MSI-X for unrouted vector " + std::to_string(vector)).c_str());
    return;
  }
  const Route& r = routes_[vector];
  HOST_DPRINTF(msix, "vector %u -> irq %d on cpu %d", vector, r.irq, r.cpu);
  k_.cpus().raise_irq(r.cpu, r.irq);
}

}  // namespace rxpath::host
