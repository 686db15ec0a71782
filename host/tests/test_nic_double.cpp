// SPDX-License-Identifier: MIT
// The behavioural NIC double against the igb datasheet, through the PCIe link
// (no driver): reset values and access types, descriptor fetch + data write +
// 16-byte writeback, RDH advance, EICR/EIMS/EIAC/EIAM, RNBC before MPC, DROP_EN
// -> RQDPC, EITR throttle, clear-on-read statistics over MMIO.
#define BOOST_TEST_MODULE nic_double
#include "testing/sc_test.hpp"

#include <cstring>
#include <functional>
#include <vector>

#include "host/pcie_link.hpp"
#include "nic/double/nic_double.hpp"
#include "rxpath/igb_regs.hpp"
#include "testing/rx_ring.hpp"

using namespace sc_core;
using namespace rxpath::regs;
using rxpath::host::HostMemory;
using rxpath::host::PcieLink;
using rxpath::nic::NicDouble;
using rxpath::nic::NicDoubleConfig;

namespace {

const sc_time L(500, SC_NS);

// Runs a script on a SystemC thread (MMIO reads stall it).
struct Runner : sc_module {
  std::function<void()> job;
  sc_event go;
  bool done = true;
  bool pending = false;
  SC_CTOR(Runner) { SC_THREAD(run); }
  void run() {
    for (;;) {
      if (pending) {  // checked first: a job posted before sc_start runs at once
        pending = false;
        job();
        done = true;
      }
      wait(go);
    }
  }
};

struct System {
  HostMemory mem;
  PcieLink link{"link", mem, L};
  NicDouble nic;
  Runner runner{"runner"};
  std::vector<sc_time> msix_times;
  uint64_t ring_dma = 0;
  uint8_t* ring = nullptr;
  std::vector<uint8_t*> bufs;
  std::vector<uint64_t> buf_dma;
  unsigned count = 64;
  rxpath::testing::RxRing rx;  // queue 0: ring_dma, 2 KiB buffers back to back

  static NicDoubleConfig cfg() {
    NicDoubleConfig c;
    c.rx_fifo_bytes = 4 * 1024;  // small, so overflow is quick
    return c;
  }
  System() : nic("nic", cfg()) {
    nic.dma.bind(link.dma);
    link.mmio.bind(nic.mmio);
    nic.msix.bind(link.msix);
    link.set_msix_handler([this](unsigned) { msix_times.push_back(sc_time_stamp()); });
    ring_dma = mem.dma_alloc_coherent(count * 16, &ring, "ring");
    uint8_t* p;
    rx.count = count;
    rx.desc_base = ring_dma;
    rx.buf_base = mem.dma_alloc_coherent(count * 2048, &p, "bufs");
    rx.buf_stride = 2048;
    rx.buf_size = 2048;
    for (unsigned i = 0; i < count; ++i) {
      buf_dma.push_back(rx.buf_addr(i));
      bufs.push_back(p + i * 2048);
      // Every slot has its buffer, for the tests that move RDT by hand.
      for (int b = 0; b < 8; ++b) ring[i * 16 + b] = uint8_t(buf_dma[i] >> (8 * b));
    }
  }
  // testing/rx_ring.hpp over the link; reads run on the Runner thread.
  rxpath::testing::RxRingIo rx_io() {
    return {[this](uint32_t r, uint32_t v) { link.mmio_write(r, v); },
            [this](uint32_t r) {
              uint32_t v = 0;
              run([&] { v = link.mmio_read(r); });
              return v;
            },
            [this](uint64_t a, const uint8_t* d, std::size_t n) { std::memcpy(ring + (a - ring_dma), d, n); }};
  }
  void run(std::function<void()> f) {
    runner.job = std::move(f);
    runner.done = false;
    runner.pending = true;
    runner.go.notify(SC_ZERO_TIME);
    while (!runner.done) sc_start(L);
  }
  void frame(std::size_t len, sc_time at, uint8_t fill) {
    std::vector<uint8_t> f(len, fill);
    f[0] = 0x02;  // unicast destination
    nic.receive_frame(f.data(), f.size(), at);
  }
  uint16_t desc_len(unsigned i) const { return uint16_t(ring[i * 16 + 12] | ring[i * 16 + 13] << 8); }
  uint32_t desc_status(unsigned i) const {
    const uint8_t* p = ring + i * 16 + 8;
    return p[0] | p[1] << 8 | p[2] << 16 | uint32_t(p[3]) << 24;
  }
};
System* sys;

void settle(sc_time t = sc_time(10, SC_US)) {
  sc_start(t);
  sys->link.sync(sc_time_stamp());
}

}  // namespace

BOOST_AUTO_TEST_CASE(reset_values_and_access_types) {
  uint32_t srrctl = 0, rxcsum = 0, status = 0, eimc = 0;
  sys->link.mmio_write(E1000_STATUS, 0);  // read-only: ignored
  sys->run([&] {
    srrctl = sys->link.mmio_read(E1000_SRRCTL(0));
    rxcsum = sys->link.mmio_read(E1000_RXCSUM);
    status = sys->link.mmio_read(E1000_STATUS);
    eimc = sys->link.mmio_read(E1000_EIMC);
  });
  BOOST_CHECK_EQUAL(srrctl, E1000_SRRCTL_RESET);
  BOOST_CHECK_EQUAL(rxcsum, E1000_RXCSUM_RESET);
  BOOST_CHECK_EQUAL(status, E1000_STATUS_RESET);
  BOOST_CHECK_EQUAL(eimc, 0u);
  {
    rxpath::testing::ExpectWarnings w(2);  // link warns, NIC warns
    uint32_t v = 0;
    sys->run([&] { v = sys->link.mmio_read(0x1FFFC); });  // no register there
    BOOST_CHECK_EQUAL(v, ~0u);
  }
}

BOOST_AUTO_TEST_CASE(ring_setup_frames_written_back_and_msix_automasked) {
  PcieLink& l = sys->link;
  rxpath::testing::igb_configure_rx_ring(sys->rx_io(), sys->rx);
  l.mmio_write(E1000_RCTL, E1000_RCTL_EN | E1000_RCTL_LPE | E1000_RCTL_UPE);  // long frames: RLPML; any unicast
  l.mmio_write(E1000_GPIE, E1000_GPIE_MSIX_MODE | E1000_GPIE_EIAME | E1000_GPIE_NSICR | E1000_GPIE_PBA);
  l.mmio_write(E1000_IVAR0(0), 0 | E1000_IVAR0_RX_VALID);
  l.mmio_write(E1000_EIAC, 1);
  l.mmio_write(E1000_EIAM, 1);
  l.mmio_write(E1000_EIMS, 1);
  rxpath::testing::igb_alloc_rx_buffers(sys->rx_io(), sys->rx, 4);  // RDT = 4: 4 descriptors for the NIC
  settle();
  const sc_time t = sc_time_stamp();
  sys->frame(100, t + sc_time(1, SC_US), 0xAB);
  sys->frame(3000, t + sc_time(2, SC_US), 0xCD);  // two buffers
  settle();
  BOOST_CHECK_EQUAL(sys->desc_len(0), 100);
  BOOST_CHECK_EQUAL(sys->desc_status(0) & (E1000_RXD_STAT_DD | E1000_RXD_STAT_EOP),
                    E1000_RXD_STAT_DD | E1000_RXD_STAT_EOP);
  BOOST_CHECK_EQUAL(int(sys->bufs[0][50]), 0xAB);
  BOOST_CHECK_EQUAL(sys->desc_len(1), 2048);
  BOOST_CHECK_EQUAL(sys->desc_status(1) & E1000_RXD_STAT_EOP, 0u);  // not the last buffer
  BOOST_CHECK_EQUAL(sys->desc_len(2), 3000 - 2048);
  BOOST_CHECK(sys->desc_status(2) & E1000_RXD_STAT_EOP);
  BOOST_CHECK_EQUAL(sys->nic.peek(E1000_RDH(0)), 3u);
  // One MSI-X for the first frame; EIAM masked the vector, so the second
  // frame's cause waits in EICR (EIAC cleared the first).
  BOOST_CHECK_EQUAL(sys->msix_times.size(), 1u);
  BOOST_CHECK_EQUAL(sys->nic.peek(E1000_EIMS) & 1, 0u);
  BOOST_CHECK_EQUAL(sys->nic.peek(E1000_EICR) & 1, 1u);
  // MSI-X arrived L after the frame was written (frame at t+1us, zero NIC time)
  BOOST_CHECK(sys->msix_times[0] == t + sc_time(1, SC_US) + L);
  l.mmio_write(E1000_EIMS, 1);  // re-enable: the pending cause fires
  settle();
  BOOST_CHECK_EQUAL(sys->msix_times.size(), 2u);
}

BOOST_AUTO_TEST_CASE(full_ring_rnbc_first_then_mpc_on_fifo_overflow) {
  // One descriptor left (RDT=4, RDH=3). Frames of 1000 B: the first takes the
  // last descriptor, the next waits (RNBC), the FIFO (4 KiB) fills, then MPC.
  const sc_time t = sc_time_stamp();
  uint32_t rnbc = 0, mpc = 0;
  for (int i = 0; i < 10; ++i) sys->frame(1000, t + sc_time(1 + i, SC_US), uint8_t(i));
  sc_start(sc_time(3, SC_US) + sc_time(500, SC_NS));
  BOOST_CHECK_GE(sys->nic.peek(E1000_RNBC), 1u);
  BOOST_CHECK_EQUAL(sys->nic.peek(E1000_MPC), 0u);  // FIFO not yet full
  settle(sc_time(20, SC_US));
  BOOST_CHECK_EQUAL(sys->nic.fifo_frames(), 4u);  // 4 x 1000 B fit in 4 KiB
  sys->run([&] {
    rnbc = sys->link.mmio_read(E1000_RNBC);
    mpc = sys->link.mmio_read(E1000_MPC);
  });
  BOOST_CHECK_EQUAL(rnbc, 1u);  // the RTL's rule: once, for the frame at the head without a descriptor
  BOOST_CHECK_EQUAL(mpc, 5u);   // 10 - 1 delivered - 4 waiting
  BOOST_CHECK_EQUAL(sys->nic.peek(E1000_MPC), 0u);  // clear on read
  // Refill: the waiting frames go to host memory.
  sys->link.mmio_write(E1000_RDT(0), 20);
  settle();
  BOOST_CHECK_EQUAL(sys->nic.fifo_frames(), 0u);
  BOOST_CHECK_EQUAL(sys->nic.peek(E1000_RDH(0)), 8u);
}

BOOST_AUTO_TEST_CASE(drop_en_counts_rqdpc) {
  sys->link.mmio_write(E1000_SRRCTL(0), 2 | E1000_SRRCTL_DESCTYPE_ADV_ONEBUF | E1000_SRRCTL_DROP_EN);
  sys->link.mmio_write(E1000_RXDCTL(0), 0);
  sys->link.mmio_write(E1000_RDH(0), 8);
  sys->link.mmio_write(E1000_RDT(0), 12);  // ignored: the queue is disabled (the RTL ignores it too)
  sys->link.mmio_write(E1000_RXDCTL(0), E1000_RXDCTL_QUEUE_ENABLE);
  sys->link.mmio_write(E1000_RDT(0), 9);  // one descriptor, given once the queue is enabled
  settle();
  const sc_time t = sc_time_stamp();
  for (int i = 0; i < 3; ++i) sys->frame(200, t + sc_time(1 + i, SC_US), 1);
  settle();
  BOOST_CHECK_EQUAL(sys->nic.peek(E1000_RQDPC(0)), 2u);
  BOOST_CHECK_EQUAL(sys->nic.peek(E1000_RNBC), 2u);  // RTL: a dropped frame counts RNBC once too
  BOOST_CHECK_EQUAL(sys->nic.fifo_frames(), 0u);
}

BOOST_AUTO_TEST_CASE(eitr_throttles_msix_as_programmed) {
  sys->link.mmio_write(E1000_RDT(0), 8);  // give the whole ring around
  sys->link.mmio_write(E1000_EITR(0), (50u << E1000_EITR_INTERVAL_LSB) | E1000_EITR_CNT_IGNR);
  sys->link.mmio_write(E1000_EIAM, 0);  // no auto-mask: only EITR limits the rate
  sys->link.mmio_write(E1000_EIMS, 1);
  settle();
  sys->msix_times.clear();
  const sc_time t = sc_time_stamp();
  for (int i = 0; i < 50; ++i) sys->frame(100, t + sc_time(4 * (i + 1), SC_US), 2);  // one per 4 us
  settle(sc_time(300, SC_US));
  BOOST_REQUIRE_GE(sys->msix_times.size(), 3u);
  for (std::size_t i = 1; i < sys->msix_times.size(); ++i)
    BOOST_CHECK(sys->msix_times[i] - sys->msix_times[i - 1] >= sc_time(50, SC_US));
  BOOST_CHECK_LE(sys->msix_times.size(), 5u);  // 200 us of traffic / 50 us
}

BOOST_AUTO_TEST_CASE(address_filter_counts_afdc) {
  sys->link.mmio_write(E1000_RCTL, E1000_RCTL_EN | E1000_RCTL_LPE);  // no UPE, no BAM
  sys->link.mmio_write(E1000_RAL(0), 0x00000002);                    // 02:00:00:00:00:01
  sys->link.mmio_write(E1000_RAH(0), 0x0100 | E1000_RAH_AV);
  settle();
  const uint32_t afdc0 = sys->nic.peek(E1000_RXP_AFDC), gprc0 = sys->nic.peek(E1000_GPRC);
  const sc_time t = sc_time_stamp();
  std::vector<uint8_t> f(100, 0);
  f[0] = 0x02;
  f[5] = 0x01;  // our station address
  sys->nic.receive_frame(f.data(), f.size(), t + sc_time(1, SC_US));
  f[5] = 0x07;  // another station
  sys->nic.receive_frame(f.data(), f.size(), t + sc_time(2, SC_US));
  std::fill(f.begin(), f.begin() + 6, 0xFF);  // broadcast without BAM
  sys->nic.receive_frame(f.data(), f.size(), t + sc_time(3, SC_US));
  settle();
  BOOST_CHECK_EQUAL(sys->nic.peek(E1000_RXP_AFDC) - afdc0, 2u);
  BOOST_CHECK_EQUAL(sys->nic.peek(E1000_GPRC) - gprc0, 1u);
}

// One simulated system for the executable, built before the first test case.
struct Elaborate {
  System s;
  Elaborate() { sys = &s; }
};
BOOST_TEST_GLOBAL_FIXTURE(Elaborate);
