// SPDX-License-Identifier: MIT
// IgbCounters: RunCounters read from the igb driver model (per ring, per
// q_vector, the accumulated NIC statistics) and the kernel model (per-CPU
// softnet_data and CPU time, drop reasons, MIB counters, /proc files).
#pragma once

#include "host/igb.hpp"
#include "stack/kernel.hpp"
#include "testbench/report.hpp"

namespace rxpath::tb {

class IgbCounters : public RunCounters {
 public:
  IgbCounters(host::IgbAdapter& adapter, stack::Kernel& kernel) : adapter_(adapter), kernel_(kernel) {}
  unsigned num_queues() const override { return adapter_.num_rx_queues(); }
  unsigned num_vectors() const override { return adapter_.num_q_vectors(); }
  unsigned num_cpus() const override;
  QueueCounters queue(unsigned q) const override;
  VectorCounters vector(unsigned v) const override;
  CpuCounters cpu(unsigned c) const override;
  NicCounters nic() const override;
  StackCounters stack() const override;

 private:
  host::IgbAdapter& adapter_;
  stack::Kernel& kernel_;
};

}  // namespace rxpath::tb
