// SPDX-License-Identifier: MIT
// What every pin-level model plugs into the simulation controller.
#pragma once
#include <cstdint>

namespace rxpath::vh {

// The controller calls, each cycle: sample() just before the rising edge (all
// inputs and registered outputs are settled; a valid&ready seen here is a
// transfer at this edge), then after the edge drive() to set the inputs for
// the next cycle. Inputs therefore never change at the active edge.
class Agent {
 public:
  virtual ~Agent() = default;
  virtual void sample(uint64_t cycle) = 0;
  virtual void drive(uint64_t cycle) = 0;
};

}  // namespace rxpath::vh
