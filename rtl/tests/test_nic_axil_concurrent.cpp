// SPDX-License-Identifier: MIT
// AXI4-Lite reads and writes accepted in the same clock. The AXI4-Lite read
// and write channels are independent (AMBA AXI and ACE specification, A3.3:
// "there is no ordering relationship between the read and write channels"),
// so a read issued with a write must decode its own address and see the
// registers as before the write; clear-on-read (EICR and the statistics,
// 82576 datasheet 8.8.1 and 8.19) must act on the register read, and
// write-1-to-clear EICR on the bits written, in the same clock as the other.
#define BOOST_TEST_MODULE nic_axil_concurrent
#include "rtl/tests/nic_fixture.hpp"

#include <algorithm>
#include <cstdio>
#include <map>
#include <random>

#include "Vnic_top.h"

using namespace rxt;
using Fix = NicFixture<Vnic_top>;

namespace {
// A write and a read presented together; returns the read data and checks
// that the NIC accepted both in the same clock (else the test proves nothing).
uint32_t pair(Fix& f, uint32_t waddr, uint32_t wdata, uint32_t raddr) {
  auto& m = f.env.axil;
  m.start_pair(waddr, wdata, raddr);
  f.env.sim.run_until([&] { return !m.busy(); }, 1000, "AXI-Lite write and read");
  BOOST_TEST(m.aw_cycle() == m.ar_cycle(), "write accepted at " << m.aw_cycle() << ", read at " << m.ar_cycle());
  BOOST_TEST(m.last_bresp() == 0u);
  BOOST_TEST(m.last_rresp() == 0u);
  return m.last_rdata();
}

constexpr uint32_t kVecMask = (1u << R::kMsixVectors) - 1;

// Frames sent with RCTL.EN clear, so the statistics have values to read:
// TPR 6, RXP_RXDIS 3 (good frames, receiver off), CRCERRS 2, RUC 1 (82576
// datasheet statistics: TPR counts every frame, CRCERRS bad FCS, RUC runts).
void load_statistics(Fix& f) {
  for (int i = 0; i < 3; ++i) f.env.xgmii.send(WireFrame{raw_frame(kStation, kPeer, 100, uint8_t(i))});
  for (int i = 0; i < 2; ++i) {
    WireFrame w{raw_frame(kStation, kPeer, 80, uint8_t(10 + i))};
    w.bad_fcs = true;
    f.env.xgmii.send(w);
  }
  f.env.xgmii.send(WireFrame{raw_frame(kStation, kPeer, 40)});  // 44 bytes with FCS: runt
  f.env.run(3000);
}

// What each register reads after a sequence of reads and writes.
struct Model {
  // Interrupt, ring, filter and statistics registers at reset (the
  // statistics after load_statistics); a test adds what else it uses.
  std::map<uint32_t, uint32_t> r = {{R::E1000_EICR, 0},
                                    {R::E1000_EIMS, 0},
                                    {R::E1000_EIAC, 0},
                                    {R::E1000_EIAM, 0},
                                    {R::E1000_IVAR0(0), 0},
                                    {R::E1000_IVAR0(1), 0},
                                    {R::E1000_RCTL, R::E1000_RCTL_RESET},
                                    {R::E1000_RXCSUM, R::E1000_RXCSUM_RESET},
                                    {R::E1000_RDBAL(0), 0},
                                    {R::E1000_RDBAH(0), 0},
                                    {R::E1000_RAL(1), 0},
                                    {R::E1000_TPR, 6},
                                    {R::E1000_RXP_RXDIS, 3},
                                    {R::E1000_CRCERRS, 2},
                                    {R::E1000_RUC, 1},
                                    {R::E1000_GPRC, 0}};
  static uint32_t byte_mask(uint8_t strb) {
    uint32_t m = 0;
    for (unsigned b = 0; b < 4; ++b)
      if (strb & (1u << b)) m |= 0xffu << (8 * b);
    return m;
  }
  uint32_t read(uint32_t a) {
    if (a == R::E1000_STATUS) return R::E1000_STATUS_RESET;
    if (!r.count(a)) return 0;  // an offset with no register
    uint32_t v = r[a];
    if (a == R::E1000_RDBAL(0) || a == R::E1000_RDBAL(5)) v &= ~0xfu;   // 16-byte aligned
    if (a == R::E1000_RAH(2)) v &= R::E1000_RAH_VAL | R::E1000_RAH_AV;  // the fields rxpath has
    const bool clear_on_read = a == R::E1000_EICR || a == R::E1000_TPR || a == R::E1000_RXP_RXDIS ||
                               a == R::E1000_CRCERRS || a == R::E1000_RUC || a == R::E1000_GPRC;
    if (clear_on_read) r[a] = 0;
    return v;
  }
  void write(uint32_t a, uint32_t v, uint8_t strb) {
    const uint32_t m = byte_mask(strb);
    const uint32_t ones = v & m;
    if (!r.count(a) && a != R::E1000_EICS && a != R::E1000_EIMC) return;  // nothing there
    if (a == R::E1000_EICS)
      r[R::E1000_EICR] |= ones & kVecMask;
    else if (a == R::E1000_EICR)
      r[a] &= ~ones;
    else if (a == R::E1000_EIMS)
      r[a] |= ones & kVecMask;
    else if (a == R::E1000_EIMC)
      r[R::E1000_EIMS] &= ~ones;
    else if (a == R::E1000_EIAC || a == R::E1000_EIAM)
      r[a] = ((r[a] & ~m) | ones) & kVecMask;
    else if (a == R::E1000_TPR || a == R::E1000_CRCERRS || a == R::E1000_RUC || a == R::E1000_GPRC ||
             a == R::E1000_RXP_RXDIS)
      return;  // statistics are read-only
    else
      r[a] = (r[a] & ~m) | ones;
  }
};
}  // namespace

BOOST_AUTO_TEST_CASE(read_eicr_while_writing_eiac) {
  Fix f;
  f.env.wr(R::E1000_EICS, 0x1);  // GPIE.MSIX_MODE clear: nothing fires, EICR keeps it
  BOOST_TEST(pair(f, R::E1000_EIAC, 0x1, R::E1000_EICR) == 0x1u);
  BOOST_TEST(f.rd(R::E1000_EICR) == 0u, "the EICR read did not clear it");
  BOOST_TEST(f.rd(R::E1000_EIAC) == 0x1u);
}

BOOST_AUTO_TEST_CASE(write_eicr_while_reading_status) {
  Fix f;
  f.env.wr(R::E1000_EICS, 0x7);
  BOOST_TEST(pair(f, R::E1000_EICR, 0x2, R::E1000_STATUS) == R::E1000_STATUS_RESET);
  BOOST_TEST(f.rd(R::E1000_EICR) == 0x5u, "writing 1 to EICR bit 1 cleared other causes");
}

BOOST_AUTO_TEST_CASE(read_tpr_while_writing_rctl) {
  Fix f;
  for (int i = 0; i < 3; ++i) f.env.xgmii.send(WireFrame{raw_frame(kStation, kPeer, 100, uint8_t(i))});
  f.env.run(2000);
  BOOST_TEST(pair(f, R::E1000_RCTL, R::E1000_RCTL_BAM, R::E1000_TPR) == 3u);
  BOOST_TEST(f.rd(R::E1000_TPR) == 0u, "TPR not cleared by its read");
  BOOST_TEST(f.rd(R::E1000_RCTL) == R::E1000_RCTL_BAM);
}

// A register model predicts every read of a random mix of lone writes, lone
// reads and write+read pairs over interrupt, ring, filter and statistics
// registers; the statistics from load_statistics.
BOOST_AUTO_TEST_CASE(random_mix_against_a_register_model) {
  Fix f;
  load_statistics(f);

  Model model;
  model.r.insert({{R::E1000_EITR(0), 0}, {R::E1000_EITR(3), 0}});
  const std::vector<uint32_t> writable = {R::E1000_EICS,     R::E1000_EICR,     R::E1000_EIMS,    R::E1000_EIMC,
                                          R::E1000_EIAC,     R::E1000_EIAM,     R::E1000_EITR(0), R::E1000_EITR(3),
                                          R::E1000_IVAR0(0), R::E1000_IVAR0(1), R::E1000_RXCSUM,  R::E1000_RDBAL(0),
                                          R::E1000_RDBAH(0), R::E1000_RAL(1),   R::E1000_RCTL};
  std::vector<uint32_t> readable = {R::E1000_STATUS};
  for (const auto& [a, v] : model.r) readable.push_back(a);

  std::mt19937 rng(12);
  unsigned pairs = 0, mismatches = 0;
  for (int step = 0; step < 600; ++step) {
    const unsigned kind = rng() % 3;  // 0 pair, 1 lone write, 2 lone read
    const uint32_t wa = writable[rng() % writable.size()];
    uint32_t wv = rng();
    if (wa == R::E1000_EITR(0) || wa == R::E1000_EITR(3)) wv &= R::E1000_EITR_INTERVAL;
    if (wa == R::E1000_RCTL) wv &= ~R::E1000_RCTL_EN;  // no frames are sent during the mix anyway
    const uint32_t ra = readable[rng() % readable.size()];
    if (kind == 0) {
      const uint32_t want = model.read(ra);
      model.write(wa, wv, 0xf);
      const uint32_t got = pair(f, wa, wv, ra);
      ++pairs;
      if (got != want) {
        ++mismatches;
        BOOST_ERROR("step " << step << ": read 0x" << std::hex << ra << " with write 0x" << wa << " <= 0x" << wv
                            << ": got 0x" << got << ", model 0x" << want);
      }
    } else if (kind == 1) {
      model.write(wa, wv, 0xf);
      f.env.wr(wa, wv);
    } else {
      const uint32_t want = model.read(ra);
      const uint32_t got = f.rd(ra);
      if (got != want) {
        ++mismatches;
        BOOST_ERROR("step " << step << ": read 0x" << std::hex << ra << ": got 0x" << got << ", model 0x" << want);
      }
    }
    if (mismatches > 10) break;
  }
  BOOST_TEST(pairs > 150u);
  BOOST_TEST(f.env.axil.violations().empty());
}

// Two independent random streams, one of writes and one of reads, each with
// its own gaps, W before or after AW, and late BREADY/RREADY: they meet in
// every relative timing, the same clock included. A register model replays
// them in the order the NIC took them (AMBA AXI A3.3: the channels are
// independent; a write takes effect in the clock its address and data have
// both been accepted, a read returns the registers as in the clock its
// address was accepted, so in one clock the read sees the registers before
// the write) and predicts every read. WSTRB: a byte whose strobe is low is
// not written (AXI A3.4.3); for write-1-to-set/clear registers it writes no
// ones. The statistics from load_statistics, as in the test above.
namespace {

void independent_streams(const AxilMaster::RandomTiming& timing, unsigned n) {
  Fix f;
  load_statistics(f);

  Model m;
  m.r.insert({{R::E1000_RDBAL(5), 0}, {R::E1000_RAH(2), 0}, {R::E1000_RETA(3), 0}});
  const uint32_t kHole = 0x0f000;  // no register there: reads 0, writes ignored
  std::vector<uint32_t> writable = {R::E1000_EICS, R::E1000_EICR, R::E1000_EIMS, R::E1000_EIMC, R::E1000_TPR, kHole};
  std::vector<uint32_t> readable = {R::E1000_STATUS, kHole};
  for (const auto& [a, v] : m.r) {
    readable.push_back(a);
    if (a != R::E1000_EICR && a != R::E1000_TPR) writable.push_back(a);
  }

  std::mt19937 rng(uint32_t(timing.seed));
  for (unsigned i = 0; i < n; ++i) {
    const uint32_t a = writable[rng() % writable.size()];
    uint32_t v = rng();
    if (a == R::E1000_RCTL) v &= ~R::E1000_RCTL_EN;  // no frames while the streams run
    if (a == R::E1000_RAH(2)) v &= ~R::E1000_RAH_AV;
    const uint8_t strb = (rng() % 3 == 0) ? uint8_t(1 + rng() % 15) : uint8_t(0xf);
    f.env.axil.queue_write(a, v, strb);
    f.env.axil.queue_read(readable[rng() % readable.size()]);
  }
  f.env.axil.randomize(timing);
  f.env.sim.run_until([&] { return f.env.axil.queues_empty(); }, 100ull * n, "the two AXI-Lite streams");

  // Replay in the NIC's order: by the clock each took effect, reads first.
  struct Ev {
    uint64_t cycle;
    bool write;
    const AxilMaster::Done* d;
  };
  std::vector<Ev> ev;
  for (const auto& d : f.env.axil.done)
    ev.push_back({d.write ? std::max(d.a_cycle, d.w_cycle) : d.a_cycle, d.write, &d});
  std::stable_sort(ev.begin(), ev.end(), [](const Ev& x, const Ev& y) {
    return x.cycle != y.cycle ? x.cycle < y.cycle : (!x.write && y.write);
  });
  std::map<uint64_t, unsigned> writes_at;
  for (const auto& e : ev)
    if (e.write) writes_at[e.cycle]++;
  unsigned mismatches = 0, same_clock = 0, w_first = 0;
  for (const auto& e : ev) {
    const auto& d = *e.d;
    BOOST_TEST(d.resp == 0u);
    if (e.write) {
      w_first += d.w_led;
      m.write(d.addr, d.data, d.strb);
      continue;
    }
    same_clock += writes_at.count(e.cycle);
    const uint32_t want = m.read(d.addr);
    if (d.data != want && ++mismatches <= 10)
      BOOST_ERROR("read 0x" << std::hex << d.addr << " accepted at clock " << std::dec << e.cycle << ": got 0x"
                            << std::hex << d.data << ", model 0x" << want);
  }
  BOOST_TEST(mismatches == 0u);
  BOOST_TEST(f.env.axil.done.size() == 2u * n);
  std::printf(
      "axil streams (seed %llu): %u writes, %u reads, %u reads in a write's clock, %u with W offered before AW\n",
      (unsigned long long)timing.seed, n, n, same_clock, w_first);
  BOOST_TEST(same_clock > n / 20, "the streams met in the same clock only " << same_clock << " times");
  if (timing.max_skew) BOOST_TEST(w_first > 0u);
}
}  // namespace

BOOST_AUTO_TEST_CASE(independent_random_streams_against_a_register_model) {
  for (uint64_t seed : {1, 2, 3}) independent_streams({seed, 4, 3, 4}, 3000);
}

BOOST_AUTO_TEST_CASE(back_to_back_streams_against_a_register_model) {
  for (uint64_t seed : {11, 12}) independent_streams({seed, 0, 1, 1}, 3000);
}

// RXP_PERR is clear on read too: a bit latched in the clock of the read (here
// a refused RDT write issued with it) stays for the next read, and the bits
// the read returned are gone.
BOOST_AUTO_TEST_CASE(rxp_perr_read_with_a_refused_rdt_write) {
  Fix f;
  // Queue enabled with RDLEN 0 and the legacy descriptor type of SRRCTL's
  // reset value: RDLEN and DESCTYPE latch.
  f.env.wr(R::E1000_RXDCTL(0), R::E1000_RXDCTL_QUEUE_ENABLE);
  f.env.run(10);
  const uint32_t before = R::E1000_RXP_PERR_RDLEN | R::E1000_RXP_PERR_DESCTYPE;
  // RDT 5 on a ring of 0 descriptors is refused: RXP_PERR.RDT latches.
  BOOST_TEST(pair(f, R::E1000_RDT(0), 5, R::E1000_RXP_PERR) == before);
  BOOST_TEST(f.rd(R::E1000_RXP_PERR) == R::E1000_RXP_PERR_RDT);
  BOOST_TEST(f.rd(R::E1000_RXP_PERR) == 0u);
}
