// SPDX-License-Identifier: MIT
// fst.hpp: the FST writer behind a VerilatedFstC (fst_writer) and the fstapi
// settings Verilator does not expose (tune_fst). A tuned FST of the NIC must
// read back with every clock edge.
#define BOOST_TEST_MODULE fst_tune
#include <boost/test/unit_test.hpp>

#include <cstdio>
#include <cstring>
#include <stdexcept>
#include <string>

#include "Vnic_top.h"
#include "verilator/vh/fst.hpp"
#include "verilator/vh/sim_ctrl.hpp"

using rxpath::vh::FstTuning;
using rxpath::vh::SimCtrl;

namespace {

constexpr uint64_t kCycles = 3000;

struct ClkCount {
  fstHandle clk = 0;
  uint64_t changes = 0, ones = 0, last_time = 0;
};

void count_clk(void* user, uint64_t time, fstHandle h, const unsigned char* v) {
  auto* c = static_cast<ClkCount*>(user);
  if (h != c->clk) return;
  ++c->changes;
  c->ones += v[0] == '1';
  c->last_time = time;
}

// Writes kCycles clocks of the NIC (held in reset, then idle) with `t`,
// flushing a block every 500 dumps, and reads nic.clk_i back.
ClkCount write_and_read(const std::string& path, const FstTuning& t) {
  std::remove(path.c_str());
  {
    SimCtrl<Vnic_top> sim;
    sim.ctx().traceEverOn(true);
    VerilatedFstC f;
    BOOST_TEST(rxpath::vh::fst_writer(f) == nullptr);
    BOOST_CHECK_THROW(rxpath::vh::tune_fst(f, t), std::logic_error);
    sim.top().trace(&f, 99);
    f.open(path.c_str());
    BOOST_REQUIRE(f.isOpen());
    BOOST_REQUIRE(rxpath::vh::fst_writer(f) != nullptr);
    rxpath::vh::tune_fst(f, t);
    unsigned dumps = 0;
    sim.trace_dump = [&](uint64_t time) {
      f.dump(time);
      if (++dumps % 500 == 0) f.flush();
    };
    sim.reset(8);
    sim.run(kCycles - 8);
    sim.trace_dump = nullptr;
    f.close();
    BOOST_TEST(rxpath::vh::fst_writer(f) == nullptr);
  }
  ClkCount c;
  void* r = fstReaderOpen(path.c_str());
  BOOST_REQUIRE_MESSAGE(r, "cannot read back " << path);
  std::string scope;
  while (fstHier* h = fstReaderIterateHier(r)) {
    if (h->htyp == FST_HT_SCOPE) scope = h->u.scope.name;
    if (h->htyp == FST_HT_VAR && scope == "nic" && std::strcmp(h->u.var.name, "clk_i") == 0) c.clk = h->u.var.handle;
  }
  BOOST_REQUIRE_MESSAGE(c.clk != 0, "nic.clk_i not in " << path);
  fstReaderSetFacProcessMaskAll(r);
  fstReaderIterBlocks(r, count_clk, &c, nullptr);
  fstReaderClose(r);
  std::remove(path.c_str());
  return c;
}

void check_every_edge(const ClkCount& c) {
  // Two dumps per clock (after the rising and after the falling edge), the
  // clock alternating: every dump is a change of clk_i.
  BOOST_TEST(c.changes == 2 * kCycles);
  BOOST_TEST(c.ones == kCycles);
  BOOST_TEST(c.last_time == kCycles * rxpath::vh::kPsPerCycle);
}

}  // namespace

BOOST_AUTO_TEST_CASE(verilator_defaults_read_back) {
  check_every_edge(write_and_read("fst_tune_default.fst", FstTuning{}));
}

BOOST_AUTO_TEST_CASE(fastlz_reads_back) {
  FstTuning t;
  t.pack = FST_WR_PT_FASTLZ;
  check_every_edge(write_and_read("fst_tune_fastlz.fst", t));
}

BOOST_AUTO_TEST_CASE(zlib_with_repack_on_close_reads_back) {
  FstTuning t;
  t.pack = FST_WR_PT_ZLIB;
  t.repack_on_close = true;
  check_every_edge(write_and_read("fst_tune_repack.fst", t));
}
