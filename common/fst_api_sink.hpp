// SPDX-License-Identifier: MIT
// FstApiSink: an FstSink over fstapi's writer (gtkwave/fstapi.h, shipped with
// Verilator). Header-only on purpose: it calls the fstapi of the binary that
// includes it, the Verilated model's copy in the NIC, the standalone one in
// tests, so one binary never holds two.
#pragma once

#include "common/fst_sink.hpp"
#include "gtkwave/fstapi.h"

namespace rxpath::common {

class FstApiSink final : public FstSink {
 public:
  explicit FstApiSink(void* writer) : w_(writer) {}
  void scope(const std::string& name) override { fstWriterSetScope(w_, FST_ST_VCD_MODULE, name.c_str(), nullptr); }
  void upscope() override { fstWriterSetUpscope(w_); }
  uint32_t var(const std::string& name, unsigned bits) override {
    if (bits == 0) return fstWriterCreateVar(w_, FST_VT_GEN_STRING, FST_VD_IMPLICIT, 0, name.c_str(), 0);
    return fstWriterCreateVar(w_, bits == 1 ? FST_VT_VCD_WIRE : FST_VT_VCD_REG, FST_VD_IMPLICIT, bits, name.c_str(), 0);
  }
  void time(uint64_t t) override { fstWriterEmitTimeChange(w_, t); }
  void value(uint32_t handle, unsigned bits, uint64_t v) override { fstWriterEmitValueChange64(w_, handle, bits, v); }
  void value(uint32_t handle, const std::string& s) override {
    fstWriterEmitVariableLengthValueChange(w_, handle, s.data(), static_cast<uint32_t>(s.size()));
  }

 private:
  void* w_;
};

}  // namespace rxpath::common
