// SPDX-License-Identifier: MIT
// Registers: reset values from the generated table, unknown offsets read 0,
// clear-on-read statistics, write/read-back, CTRL.RST.
#define BOOST_TEST_MODULE nic_regs
#include "rtl/tests/nic_fixture.hpp"

#include "Vnic_top.h"

using namespace rxt;
using Fix = NicFixture<Vnic_top>;

namespace {
uint32_t expected_read_after_reset(const R::RegInfo& r) {
  switch (r.access) {
    case R::Access::rw:
    case R::Access::ro:
    case R::Access::w1s:
    case R::Access::rc:
    case R::Access::rcw1c:
      return r.reset;
    case R::Access::w1c:
    case R::Access::wo:
      return 0;
  }
  return 0;
}
}  // namespace

BOOST_AUTO_TEST_CASE(reset_values_from_the_generated_table) {
  Fix f;
  for (const auto& r : R::kRegisters) {
    uint32_t v = f.rd(r.offset);
    BOOST_TEST(v == expected_read_after_reset(r), r.name << " reads 0x" << std::hex << v << ", reset is 0x" << r.reset);
    BOOST_TEST(f.env.axil.last_resp() == 0u, r.name << " answered a non-OKAY response");
  }
}

BOOST_AUTO_TEST_CASE(unknown_offsets_read_zero_and_ignore_writes) {
  Fix f;
  for (uint32_t off : {0x00004u, 0x00010u, 0x00104u, 0x03000u, 0x04F80u, 0x08000u, 0x1FFFCu}) {
    f.env.wr(off, 0xdeadbeef);
    BOOST_TEST(f.rd(off) == 0u, "offset 0x" << std::hex << off);
  }
  BOOST_TEST(f.rd(R::E1000_RCTL) == R::E1000_RCTL_RESET);
}

BOOST_AUTO_TEST_CASE(write_and_read_back) {
  Fix f;
  f.env.wr(R::E1000_RDBAL(0), 0x12345678);
  BOOST_TEST(f.rd(R::E1000_RDBAL(0)) == 0x12345670u);  // bits 3:0 read as 0
  f.env.wr(R::E1000_RDBAH(0), 0x9abcdef0);
  BOOST_TEST(f.rd(R::E1000_RDBAH(0)) == 0x9abcdef0u);
  f.env.wr(R::E1000_RDLEN(0), 256 * 16);
  BOOST_TEST(f.rd(R::E1000_RDLEN(0)) == 4096u);
  f.env.wr(R::E1000_RCTL, R::E1000_RCTL_EN | R::E1000_RCTL_BAM | R::E1000_RCTL_SECRC);
  BOOST_TEST(f.rd(R::E1000_RCTL) == (R::E1000_RCTL_EN | R::E1000_RCTL_BAM | R::E1000_RCTL_SECRC));
  f.env.wr(R::E1000_EIMS, 0x5);
  f.env.wr(R::E1000_EIMS, 0x2);
  BOOST_TEST(f.rd(R::E1000_EIMS) == 0x7u);
  f.env.wr(R::E1000_EIMC, 0x4);
  BOOST_TEST(f.rd(R::E1000_EIMS) == 0x3u);
  f.env.wr(R::E1000_EITR(0), 648);
  BOOST_TEST(f.rd(R::E1000_EITR(0)) == 648u);
  f.env.wr(R::E1000_RAL(0), 0x00000002);
  f.env.wr(R::E1000_RAH(0), 0x80000100);
  BOOST_TEST(f.rd(R::E1000_RAH(0)) == 0x80000100u);
}

BOOST_AUTO_TEST_CASE(statistics_clear_on_read) {
  Fix f;
  f.setup(Setup{});
  for (int i = 0; i < 3; ++i) f.send(WireFrame{raw_frame(kStation, kPeer, 100, uint8_t(i))});
  WireFrame bad{raw_frame(kStation, kPeer, 100)};
  bad.bad_fcs = true;
  f.send(bad);
  f.drain();
  BOOST_TEST(f.rd(R::E1000_GPRC) == 3u);
  BOOST_TEST(f.rd(R::E1000_GPRC) == 0u);
  BOOST_TEST(f.rd(R::E1000_TPR) == 4u);
  BOOST_TEST(f.rd(R::E1000_TPR) == 0u);
  BOOST_TEST(f.rd(R::E1000_CRCERRS) == 1u);
  BOOST_TEST(f.rd(R::E1000_CRCERRS) == 0u);
  BOOST_TEST(f.rd(R::E1000_GORCL) == 3u * 104u);
  BOOST_TEST(f.rd(R::E1000_GORCH) == 0u);
  BOOST_TEST(f.rd(R::E1000_GORCL) == 0u);
}

BOOST_AUTO_TEST_CASE(ctrl_rst_restores_reset_values) {
  Fix f;
  f.setup(Setup{});
  f.send(WireFrame{raw_frame(kStation, kPeer, 100)});
  f.drain();
  f.env.wr(R::E1000_CTRL, R::E1000_CTRL_RST);
  f.env.run(200);
  BOOST_TEST((f.rd(R::E1000_CTRL) & R::E1000_CTRL_RST) == 0u);  // self-clearing
  for (const auto& r : R::kRegisters) {
    uint32_t v = f.rd(r.offset);
    BOOST_TEST(v == expected_read_after_reset(r), "after CTRL.RST " << r.name << " reads 0x" << std::hex << v);
  }
}
