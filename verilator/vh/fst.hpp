// SPDX-License-Identifier: MIT
// FST waveform on request, for models built with tracing (rxpath_vnic, _q8),
// and the FST writer settings Verilator 5.006 does not expose.
#pragma once
#include <memory>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <utility>

#include <verilated_fst_c.h>

#include "gtkwave/fstapi.h"
#include "verilator/vh/sim_ctrl.hpp"

namespace rxpath::vh {

namespace fst_detail {
namespace {
// VerilatedFst keeps its fstWriterContext* private (m_fst) and has no getter.
// An explicit instantiation may name a private member (C++17
// [temp.explicit]/14); the friend below hands the member pointer out. The
// unnamed namespace gives each translation unit its own instantiation.
struct WriterTag {
  using type = void* VerilatedFst::*;
  friend type member(WriterTag);
};
template <class Tag, typename Tag::type M>
struct Expose {
  friend typename Tag::type member(Tag) { return M; }
};
template struct Expose<WriterTag, &VerilatedFst::m_fst>;
}  // namespace
}  // namespace fst_detail

// The fstapi writer behind an open VerilatedFstC (nullptr when not open), for
// fstWriterSet*() calls. Only between open() and close().
inline void* fst_writer(VerilatedFstC& f) { return f.spTrace()->*member(fst_detail::WriterTag{}); }

// FST writer settings (fstapi.h). Verilator opens with LZ4 and no writer
// thread (unless the model was verilated with --trace-threads).
struct FstTuning {
  // fstapi's parallel mode (a block-compressing writer thread) is not
  // offered: on a VerilatedFstC it crashed at close in 14 of 15 runs
  // (fst_tune_test), and it cost more CPU than it saved wall time.
  // FST_WR_PT_LZ4 (Verilator's choice), FST_WR_PT_FASTLZ or FST_WR_PT_ZLIB.
  fstWriterPackType pack = FST_WR_PT_LZ4;
  // Re-compress the whole file with zlib at close (fstWriterSetRepackOnClose):
  // smaller file, slow close. Verilator leaves it off.
  bool repack_on_close = false;
};

// Applies `t` to an open VerilatedFstC (call right after open()).
inline void tune_fst(VerilatedFstC& f, const FstTuning& t) {
  void* w = fst_writer(f);
  if (!w) throw std::logic_error("tune_fst: the FST is not open");
  fstWriterSetPackType(w, t.pack);
  fstWriterSetRepackOnClose(w, t.repack_on_close ? 1 : 0);
}

// Whether a Verilated model was built with tracing (--trace-fst): the
// parameter matrix's models are not.
template <class M, class = void>
struct has_trace : std::false_type {};
template <class M>
struct has_trace<M, std::void_t<decltype(std::declval<M&>().trace(nullptr, 0))>> : std::true_type {};

template <class M>
void enable_fst(SimCtrl<M>& sim, const std::string& path, int levels = 99) {
  if constexpr (!has_trace<M>::value) {
    throw std::logic_error("enable_fst(" + path + "): this NIC model was built without tracing");
  } else {
    sim.ctx().traceEverOn(true);
    auto tfp = std::make_shared<VerilatedFstC>();
    sim.top().trace(tfp.get(), levels);
    tfp->open(path.c_str());
    sim.trace_dump = [tfp](uint64_t t) { tfp->dump(t); };
    sim.trace_close = [tfp]() { tfp->close(); };
  }
}

}  // namespace rxpath::vh
