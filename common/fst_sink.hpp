// SPDX-License-Identifier: MIT
// FstSink: the few calls of an FST writer that code outside the NIC needs to
// put its own signals into the NIC's FST (waves::HostFst). The writer and its
// fstapi belong to whoever opened the file (the Verilated NIC in rxpath, a
// test's own writer in waves' tests), so the code that writes through a sink
// links no FST library of its own.
#pragma once

#include <cstdint>
#include <string>

namespace rxpath::common {

class FstSink {
 public:
  virtual ~FstSink() = default;
  // Opens a module scope below the current one / closes the current one.
  virtual void scope(const std::string& name) = 0;
  virtual void upscope() = 0;
  // Declares a variable in the current scope: `bits` wide (1: a wire, more:
  // a reg), 0 for a string. Returns its handle.
  virtual uint32_t var(const std::string& name, unsigned bits) = 0;
  // Moves the file's time to `t` (in its timescale; never backwards).
  virtual void time(uint64_t t) = 0;
  virtual void value(uint32_t handle, unsigned bits, uint64_t v) = 0;
  virtual void value(uint32_t handle, const std::string& s) = 0;
};

}  // namespace rxpath::common
