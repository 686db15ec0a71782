// SPDX-License-Identifier: MIT
// NicSc under SystemC: every frame's steps through the RTL with its id
// (on_event), and the FST trace window. One simulated system for the whole
// executable: the test cases run in order, each continuing the
// simulation where the previous one stopped.
#define BOOST_TEST_MODULE nic_events
#include "testing/sc_test.hpp"

#include <algorithm>
#include <cstdio>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include <systemc>

#include "common/eth.hpp"
#include "gtkwave/fstapi.h"
#include "rxpath/igb_regs.hpp"
#include "testing/tlm_host.hpp"
#include "verilator/sc/nic_sc.hpp"
#include "verilator/sc/nic_tracker.hpp"

using namespace sc_core;
using namespace rxpath;
using namespace rxpath::regs;
using nic::NicEvent;
using nic::NicStage;

namespace {

constexpr unsigned kRing = 64;  // descriptors
constexpr uint64_t kRingBase = 0x100000;
constexpr uint32_t kBsize = 1024;             // SRRCTL.BSIZEPKT = 1 KiB
constexpr uint64_t kTraceStart = 30'000'000;  // ps: the FST window
constexpr uint64_t kTraceStop = 45'000'000;
const sc_time kQuantum(64 * 6.4, SC_NS);
const sc_time kLink(1, SC_US);  // host messages arrive this far ahead
const eth::Mac kOurMac = {0x02, 0x00, 0x00, 0x00, 0x00, 0x01};
const eth::Mac kPeerMac = {0x02, 0x00, 0x00, 0x00, 0x00, 0x02};
const std::string kFst = "nic_events_test.fst";

// Queue 0: slot s's buffer at 0x200000 + s * kBsize.
testing::RxRing ring0() {
  testing::RxRing r;
  r.count = kRing;
  r.desc_base = kRingBase;
  r.buf_base = 0x200000;
  r.buf_stride = kBsize;
  r.buf_size = kBsize;
  return r;
}
uint64_t buf_of(unsigned slot) { return ring0().buf_addr(slot); }

struct Env {
  bridge::NicSc nic{"nic", kQuantum};
  testing::TlmHost host{"host", 8u << 20, kLink};
  std::vector<NicEvent> events;
  std::map<uint64_t, std::vector<NicEvent>> by_id;
  testing::RxRing rx = ring0();
  unsigned given = 0;  // descriptors handed to the NIC in total (RDT = given % kRing)
  unsigned written_back = 0;

  Env() {
    host.bind(nic);
    nic.on_event([this](const NicEvent& e) {
      events.push_back(e);
      by_id[e.frame_id].push_back(e);
      if (e.stage == NicStage::writeback) ++written_back;
    });
    std::remove(kFst.c_str());
    nic.trace_fst(kFst, kTraceStart, kTraceStop);
  }

  // The igb_configure_rx_ring / igb_setup_rctl / MSI-X steps the test needs.
  void init() { testing::configure_rx_ring(host, rx, kOurMac); }
  // igb_alloc_rx_buffers: n more descriptors (read format), then RDT.
  void refill(unsigned n) {
    BOOST_REQUIRE(given + n - written_back <= kRing - 1);
    testing::igb_alloc_rx_buffers(testing::rx_ring_io(host), rx, n);
    given += n;
  }
  void run_us(double us) { sc_start(sc_time(us, SC_US)); }

  std::vector<NicStage> stages(uint64_t id) const {
    std::vector<NicStage> s;
    auto it = by_id.find(id);
    if (it != by_id.end())
      for (const NicEvent& e : it->second) s.push_back(e.stage);
    return s;
  }
  size_t count(uint64_t id, NicStage st) const {
    auto s = stages(id);
    return static_cast<size_t>(std::count(s.begin(), s.end(), st));
  }
  const NicEvent* first(uint64_t id, NicStage st) const {
    auto it = by_id.find(id);
    if (it == by_id.end()) return nullptr;
    for (const NicEvent& e : it->second)
      if (e.stage == st) return &e;
    return nullptr;
  }
};

Env* g_env = nullptr;
Env& env() {
  if (!g_env) g_env = new Env;
  return *g_env;
}

eth::Bytes frame(size_t len, uint8_t seed, const eth::Mac& dst = kOurMac) {
  return eth::udp_frame_len(dst, kPeerMac, len, seed);
}

std::string stage_list(const Env& e, uint64_t id) {
  std::string s;
  for (NicStage st : e.stages(id)) s += std::string(nic::nic_stage_name(st)) + " ";
  return s;
}

// A delivered frame's steps, checked against the ring: descriptors from
// `slot` on, data in their buffers, writeback at the ring slot, one MSI-X.
void check_delivered(const Env& e, uint64_t id, size_t data_len, unsigned slot) {
  BOOST_TEST_CONTEXT("frame " << id << ": " << stage_list(e, id)) {
    const auto it = e.by_id.find(id);
    BOOST_REQUIRE(it != e.by_id.end());
    const std::vector<NicEvent>& ev = it->second;
    const unsigned ndesc = static_cast<unsigned>((data_len + kBsize - 1) / kBsize);
    BOOST_REQUIRE(ev.size() >= 5);
    BOOST_TEST(ev[0].stage == NicStage::xgmii_start);
    BOOST_TEST(ev[1].stage == NicStage::mac_verdict);
    BOOST_TEST(std::string(ev[1].verdict) == "ok");
    BOOST_TEST(ev[1].len == data_len + 4);
    BOOST_TEST(ev[2].stage == NicStage::pktbuf_store);
    BOOST_TEST(e.count(id, NicStage::desc_assign) == ndesc);
    BOOST_TEST(e.count(id, NicStage::writeback) == ndesc);
    BOOST_TEST(e.count(id, NicStage::msix) == 1u);
    BOOST_TEST(
        e.count(id, NicStage::mac_drop) + e.count(id, NicStage::pktbuf_drop) + e.count(id, NicStage::desc_drop) == 0u);
    BOOST_TEST(ev.back().stage == NicStage::msix);
    // Cycles never go back along a frame's journey.
    for (size_t i = 1; i < ev.size(); ++i) BOOST_TEST(ev[i].cycle >= ev[i - 1].cycle);
    BOOST_TEST(ev[1].cycle > ev[0].cycle);
    unsigned k = 0;
    size_t bytes = 0;
    for (const NicEvent& x : ev) {
      if (x.stage == NicStage::desc_assign) {
        const unsigned s = (slot + k++) % kRing;
        BOOST_TEST(x.index == s);
        BOOST_TEST(x.addr == buf_of(s));
      } else if (x.stage == NicStage::dma_write) {
        BOOST_TEST(x.addr >= buf_of(x.index));
        BOOST_TEST(x.addr + x.len <= buf_of(x.index) + kBsize);
        bytes += x.len;
      } else if (x.stage == NicStage::writeback) {
        BOOST_TEST(x.addr == kRingBase + 16 * x.index);
        BOOST_TEST(x.len == 16u);
        // The descriptor now holds DD (and EOP on the last one).
        const uint8_t st = e.host.mem[x.addr + RXD_WB_STATUS_ERROR_BYTE];
        BOOST_TEST((st & E1000_RXD_STAT_DD) != 0);
      } else if (x.stage == NicStage::msix) {
        BOOST_TEST(x.index == 0u);
        BOOST_TEST(x.cycle > e.first(id, NicStage::writeback)->cycle);
      }
    }
    BOOST_TEST(bytes == data_len);  // SECRC: the FCS is not written
  }
}

}  // namespace

BOOST_AUTO_TEST_CASE(good_frames_come_in_order_with_ids_and_addresses) {
  Env& e = env();
  e.init();
  e.refill(20);
  e.run_us(5);
  const std::vector<size_t> lens = {60, 100, 1000, 1500, 60, 200, 1514, 300};
  std::vector<eth::Bytes> frames;
  for (size_t i = 0; i < lens.size(); ++i) {
    frames.push_back(frame(lens[i], uint8_t(i)));
    e.host.send(100 + i, frames.back(), kLink);
  }
  e.run_us(40);
  unsigned slot = 0;
  for (size_t i = 0; i < lens.size(); ++i) {
    check_delivered(e, 100 + i, lens[i], slot);
    // The frame's bytes are in its buffers.
    const NicEvent* d = e.first(100 + i, NicStage::desc_assign);
    BOOST_REQUIRE(d);
    BOOST_TEST(std::equal(frames[i].begin(), frames[i].begin() + std::min<size_t>(lens[i], kBsize),
                          e.host.mem.begin() + static_cast<long>(d->addr)));
    slot += static_cast<unsigned>((lens[i] + kBsize - 1) / kBsize);
  }
  // Frames pass each stage in wire order.
  std::vector<uint64_t> order;
  for (const NicEvent& x : e.events)
    if (x.stage == NicStage::pktbuf_store) order.push_back(x.frame_id);
  BOOST_TEST(std::is_sorted(order.begin(), order.end()));
  BOOST_TEST(order.size() == lens.size());
  BOOST_TEST(e.host.msix_vectors.size() >= 1u);
}

BOOST_AUTO_TEST_CASE(faulty_frames_end_at_the_counter_that_counts_them) {
  Env& e = env();
  (void)e.host.rd32(E1000_CRCERRS);  // clear on read
  (void)e.host.rd32(E1000_RXERRC);
  const unsigned slot = e.written_back;
  e.host.send(200, frame(200, 1), kLink);
  e.host.send(201, frame(200, 2), kLink, /*bad_fcs=*/true);
  e.host.send(202, frame(200, 3), kLink, false, /*bad_preamble=*/true);
  e.host.send(203, frame(200, 4, kPeerMac), kLink);  // not our address: the filter drops it
  e.host.send(204, frame(64, 5), kLink);
  e.run_us(20);
  check_delivered(e, 200, 200, slot);
  check_delivered(e, 204, 64, slot + 1);
  auto ends_at = [&](uint64_t id, const char* verdict, const char* counter) {
    BOOST_TEST_CONTEXT("frame " << id << ": " << stage_list(e, id)) {
      const auto& ev = e.by_id[id];
      BOOST_REQUIRE(ev.size() == 3u);
      BOOST_TEST(ev[0].stage == NicStage::xgmii_start);
      BOOST_TEST(ev[1].stage == NicStage::mac_verdict);
      BOOST_TEST(std::string(ev[1].verdict) == verdict);
      BOOST_TEST(ev[2].stage == NicStage::mac_drop);
      BOOST_TEST(std::string(ev[2].counter) == counter);
    }
  };
  ends_at(201, "crc", "CRCERRS");
  ends_at(202, "preamble", "RXERRC");
  ends_at(203, "ok", "RXP_AFDC");
  BOOST_TEST(e.host.rd32(E1000_CRCERRS) == 1u);
  BOOST_TEST(e.host.rd32(E1000_RXERRC) == 1u);
}

BOOST_AUTO_TEST_CASE(a_ring_without_descriptors_gives_rnbc_then_a_descriptor_later) {
  Env& e = env();
  // Hand out exactly what is still missing, so the NIC owns none.
  e.run_us(5);
  const unsigned owned = e.given - e.written_back;
  (void)e.host.rd32(E1000_RNBC);
  // Use up what the NIC still owns with small frames, then one more.
  for (unsigned i = 0; i < owned; ++i) e.host.send(2000 + i, frame(60, uint8_t(i)), kLink);
  e.host.send(300, frame(100, 9), kLink);
  e.run_us(20);
  BOOST_TEST_CONTEXT("frame 300: " << stage_list(e, 300)) {
    BOOST_TEST(e.count(300, NicStage::rnbc_wait) == 1u);
    BOOST_TEST(e.count(300, NicStage::desc_assign) == 0u);
    BOOST_TEST(e.host.rd32(E1000_RNBC) == 1u);
    const unsigned slot = e.given % kRing;
    e.refill(4);
    e.run_us(20);
    check_delivered(e, 300, 100, slot);
    BOOST_TEST(e.first(300, NicStage::rnbc_wait)->cycle + 100 < e.first(300, NicStage::desc_assign)->cycle);
    BOOST_TEST(e.count(300, NicStage::rnbc_wait) == 1u);
  }
}

BOOST_AUTO_TEST_CASE(a_full_packet_buffer_counts_mpc) {
  Env& e = env();
  (void)e.host.rd32(E1000_MPC);
  // The NIC owns 3 descriptors; 100 frames of 1000 bytes back to back: the
  // 64 KiB buffer (63 lines of 16 bytes each) holds about 65.
  const uint64_t id0 = 1000;
  const unsigned n = 100;
  for (unsigned i = 0; i < n; ++i) e.host.send(id0 + i, frame(1000, uint8_t(i)), kLink);
  e.run_us(120);
  unsigned stored = 0, dropped = 0;
  uint64_t first_drop = UINT64_MAX;
  for (unsigned i = 0; i < n; ++i) {
    const uint64_t id = id0 + i;
    BOOST_TEST_CONTEXT("frame " << id << ": " << stage_list(e, id)) {
      BOOST_TEST(e.count(id, NicStage::pktbuf_store) + e.count(id, NicStage::pktbuf_drop) == 1u);
      if (e.count(id, NicStage::pktbuf_drop)) {
        ++dropped;
        first_drop = std::min(first_drop, id);
        BOOST_TEST(std::string(e.first(id, NicStage::pktbuf_drop)->counter) == "MPC");
        BOOST_TEST(e.stages(id).size() == 3u);  // xgmii_start, mac_verdict, pktbuf_drop
      } else {
        ++stored;
      }
    }
  }
  const uint32_t mpc = e.host.rd32(E1000_MPC);
  BOOST_TEST_MESSAGE("stored " << stored << ", MPC " << dropped << " (register " << mpc << ")");
  BOOST_TEST(dropped > 20u);
  BOOST_TEST(mpc == dropped);
  BOOST_TEST(first_drop > id0 + 50);
  // The first frame that found no descriptor waited: RNBC once, for it.
  size_t rnbc = 0;
  for (unsigned i = 0; i < n; ++i) rnbc += e.count(id0 + i, NicStage::rnbc_wait);
  BOOST_TEST(rnbc == 1u);
  // Drain: every stored frame is written back and reported.
  for (int round = 0; round < 6; ++round) {
    e.refill(kRing - 1 - (e.given - e.written_back));
    e.run_us(60);
  }
  for (unsigned i = 0; i < n; ++i) {
    const uint64_t id = id0 + i;
    if (e.count(id, NicStage::pktbuf_store)) {
      BOOST_TEST_CONTEXT("frame " << id << ": " << stage_list(e, id)) {
        BOOST_TEST(e.count(id, NicStage::writeback) == 1u);
        BOOST_TEST(e.count(id, NicStage::msix) == 1u);
      }
    }
  }
}

BOOST_AUTO_TEST_CASE(drop_en_drops_into_rqdpc) {
  Env& e = env();
  // Use up the NIC's descriptors, then DROP_EN: the next frame is dropped.
  const unsigned owned = e.given - e.written_back;
  for (unsigned i = 0; i < owned; ++i) e.host.send(3000 + i, frame(60, uint8_t(i)), kLink);
  e.run_us(20);
  e.host.wr32(E1000_SRRCTL(0),
              E1000_SRRCTL_DESCTYPE_ADV_ONEBUF | E1000_SRRCTL_DROP_EN | (kBsize >> E1000_SRRCTL_BSIZEPKT_SHIFT));
  e.run_us(2);
  e.host.send(400, frame(100, 1), kLink);
  e.run_us(20);
  BOOST_TEST_CONTEXT("frame 400: " << stage_list(e, 400)) {
    const auto& ev = e.by_id[400];
    BOOST_REQUIRE(ev.size() == 5u);
    BOOST_TEST(ev[3].stage == NicStage::rnbc_wait);
    BOOST_TEST(ev[4].stage == NicStage::desc_drop);
    BOOST_TEST(std::string(ev[4].counter) == "RQDPC");
  }
}

// The FST holds only the window, in ps of true simulated time.
BOOST_AUTO_TEST_CASE(the_trace_window_bounds_the_fst) {
  Env& e = env();
  BOOST_REQUIRE(sc_time_stamp() > sc_time(double(kTraceStop), SC_PS));
  e.nic.trace_flush_close();
  e.nic.trace_flush_close();  // idempotent
  void* r = fstReaderOpen(kFst.c_str());
  BOOST_REQUIRE_MESSAGE(r, "cannot read " << kFst);
  const uint64_t t0 = fstReaderGetStartTime(r), t1 = fstReaderGetEndTime(r);
  BOOST_TEST_MESSAGE("FST " << kFst << ": " << t0 << " .. " << t1 << " (10^" << int(fstReaderGetTimescale(r)) << " s)");
  BOOST_TEST(int(fstReaderGetTimescale(r)) == -12);
  BOOST_TEST(t0 >= kTraceStart);
  BOOST_TEST(t0 < kTraceStart + bridge::NicSc::kPsPerCycle);
  BOOST_TEST(t0 % bridge::NicSc::kPsPerCycle == 0u);  // an edge n at n * 6400 ps
  BOOST_TEST(t1 <= kTraceStop);
  BOOST_TEST(t1 + bridge::NicSc::kPsPerCycle > kTraceStop);
  // The signals the waves/ views name.
  std::set<std::string> names;
  std::vector<std::string> scope;
  while (fstHier* h = fstReaderIterateHier(r)) {
    if (h->htyp == FST_HT_SCOPE)
      scope.push_back(h->u.scope.name);
    else if (h->htyp == FST_HT_UPSCOPE && !scope.empty())
      scope.pop_back();
    else if (h->htyp == FST_HT_VAR) {
      std::string n;
      for (const std::string& s : scope) n += s + ".";
      std::string v = h->u.var.name;
      const size_t sp = v.find(' ');  // "name [msb:lsb]"
      names.insert(n + v.substr(0, sp));
    }
  }
  fstReaderClose(r);
  if (const char* list = std::getenv("NIC_EVENTS_LIST_SIGNALS")) {
    FILE* f = std::fopen(list, "w");
    for (const std::string& n : names) std::fprintf(f, "%s\n", n.c_str());
    std::fclose(f);
  }
  for (const char* want : {"nic.clk_i",
                           "nic.nic_top.m_axi_awvalid",
                           "nic.nic_top.m_axi_wvalid",
                           "nic.nic_top.m_axi_bvalid",
                           "nic.nic_top.m_axi_arvalid",
                           "nic.nic_top.m_axi_rvalid",
                           "nic.nic_top.msix_valid_o",
                           "nic.nic_top.obs_mac_o",
                           "nic.nic_top.u_mac_rx.state_q",
                           "nic.nic_top.u_pktbuf.used",
                           "nic.nic_top.u_pktbuf.u_meta_fifo.fill",
                           "nic.nic_top.u_regs.rdh_q[0]",
                           "nic.nic_top.u_regs.rdt_q[0]",
                           "nic.nic_top.u_desc_fetch.trace_owned[0]",
                           "nic.nic_top.u_desc_fetch.trace_cached[0]",
                           "nic.nic_top.u_intr.eicr_q",
                           "nic.nic_top.u_intr.eims_q",
                           "nic.nic_top.u_intr.trace_eitr_left[0]",
                           "nic.nic_top.u_regs.trace_mpc",
                           "nic.nic_top.u_regs.trace_rnbc",
                           "nic.nic_top.u_regs.trace_crcerrs",
                           "nic.nic_top.u_rx_dma.state_q"})
    BOOST_TEST(names.count(want) == 1u, want);
}

BOOST_AUTO_TEST_CASE(every_frame_has_one_outcome) {
  Env& e = env();
  // Delivered (writeback with EOP, then MSI-X) or dropped in exactly one counter.
  for (const auto& [id, ev] : e.by_id) {
    BOOST_TEST_CONTEXT("frame " << id << ": " << stage_list(e, id)) {
      const size_t drops =
          e.count(id, NicStage::mac_drop) + e.count(id, NicStage::pktbuf_drop) + e.count(id, NicStage::desc_drop);
      BOOST_TEST(e.count(id, NicStage::xgmii_start) == 1u);
      BOOST_TEST(e.count(id, NicStage::mac_verdict) == 1u);
      BOOST_TEST(drops + e.count(id, NicStage::msix) == 1u);
    }
  }
}

// The matching itself, without the RTL: a frame whose /S/ the MAC never saw
// is reported and the next verdict goes to the next frame, not to it; a
// verdict that does not fit the frame, and a DMA write to no descriptor, are
// errors too.
BOOST_AUTO_TEST_CASE(the_tracker_reports_what_it_cannot_attribute) {
  std::vector<NicEvent> ev;
  std::vector<std::string> errors;
  bridge::NicTracker t([&](const NicEvent& e) { ev.push_back(e); }, [&](const std::string& m) { errors.push_back(m); });
  t.wire_frame(1, 100, 110, 64, false);
  t.wire_frame(2, 120, 130, 64, false);
  t.announce(125);
  BOOST_TEST(ev.size() == 2u);  // both /S/ announced
  bridge::ObsSample s;
  s.mac = true;
  s.mac_class = 8;  // RXC_GOOD
  s.mac_len = 64;
  t.observe(132, s);
  BOOST_REQUIRE(errors.size() == 1u);
  BOOST_TEST(errors[0].find("frame 1 ") != std::string::npos, errors[0]);
  BOOST_REQUIRE(ev.size() == 4u);
  BOOST_TEST(ev[2].stage == NicStage::mac_drop);
  BOOST_TEST(ev[2].frame_id == 1u);
  BOOST_TEST(std::string(ev[2].counter) == "none");
  BOOST_TEST(ev[3].stage == NicStage::mac_verdict);
  BOOST_TEST(ev[3].frame_id == 2u);
  // A verdict with another length than the frame sent.
  t.wire_frame(3, 140, 150, 100, false);
  s.mac_len = 90;
  t.observe(152, s);
  BOOST_TEST(errors.size() == 2u);
  // A verdict with no frame on the wire.
  t.observe(160, s);
  BOOST_TEST(errors.size() == 3u);
  // A DMA write that matches no assigned descriptor.
  t.dma_write(170, 0x12345000, 64);
  BOOST_TEST(errors.size() == 4u);
}
