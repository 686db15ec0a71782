// SPDX-License-Identifier: MIT
// Common fixture of the RTL tests: one Verilated NIC in the bare C++ harness,
// programmed by the igb driver double, with a scoreboard and DMA checks on
// every event: data B before the writeback AW of the same slot, every write
// inside a buffer or descriptor software gave, every read inside a ring.
// A test that ends with one of these errors (or a scoreboard error) not
// reported fails when the fixture goes away, whether it asked or not.
// check_msix_causal: each MSI-X message follows the write responses of the
// writebacks it reports.
#pragma once
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "rxpath/igb_regs.hpp"
#include "verilator/vh/env.hpp"
#include "verilator/vh/fst.hpp"
#include "verilator/vh/igb_double.hpp"
#include "verilator/vh/scoreboard.hpp"

namespace rxt {

using namespace rxpath::vh;
using namespace rxpath::eth;
namespace R = rxpath::regs;
namespace rss = rxpath::rss;

inline const Mac kStation{0x02, 0x00, 0x00, 0x00, 0x00, 0x01};
inline const Mac kPeer{0x02, 0x00, 0x00, 0x00, 0x00, 0x02};
inline const Mac kOther{0x02, 0x00, 0x00, 0x00, 0x00, 0x03};
inline const Mac kMulticast{0x01, 0x00, 0x5e, 0x00, 0x00, 0x01};

struct Setup {
  unsigned queues = 1;
  unsigned count = 64;
  unsigned buf_size = 2048;
  uint32_t rctl_extra = 0;
  bool secrc = true;
  bool drop_en = false;
  uint32_t eitr = 0;
  unsigned fill = ~0u;  // descriptors given at start (default count-1)
  uint32_t rlpml = 0;   // written when non-zero
  bool rss = false;     // program rss_cfg with igb_setup_mrqc (else MRQC stays 0: every frame to queue 0)
  rss::Config rss_cfg;
  // poll() re-enables a vector that sent a message since its last poll
  // (igb_poll -> napi_complete_done -> igb_ring_irq_enable writes EIMS;
  // EIAM masked it when the message went out), so interrupts keep coming.
  bool irq_rearm = false;
};

// Microsoft, "Verifying the RSS Hash Calculation": the verification key.
inline const rss::Key kMsKey = {0x6d, 0x5a, 0x56, 0xda, 0x25, 0x5b, 0x0e, 0xc2, 0x41, 0x67, 0x25, 0x3d, 0x43, 0xa3,
                                0x8f, 0xb0, 0xd0, 0xca, 0x2b, 0xcb, 0xae, 0x7b, 0x30, 0xb4, 0x77, 0xcb, 0x2d, 0xa3,
                                0x80, 0x30, 0xf2, 0x0c, 0x6a, 0x42, 0xb7, 0x3b, 0xbe, 0xac, 0x01, 0xfa};

// The RSS configuration of igb_setup_mrqc for n queues: IPv4, IPv4/TCP
// (and IPv4/UDP with udp4) hashed, key `key`, redirection table entry j ->
// queue j * n / 128 (igb_setup_mrqc's default table).
inline rss::Config igb_rss_config(unsigned n, const rss::Key& key, bool udp4 = false) {
  rss::Config c;
  c.mrqc = R::E1000_MRQC_RSS_FIELD_IPV4 | R::E1000_MRQC_RSS_FIELD_IPV4_TCP |
           (udp4 ? R::E1000_MRQC_RSS_FIELD_IPV4_UDP : 0u) | (n > 1 ? R::E1000_MRQC_ENABLE_RSS_MQ : 0u);
  for (unsigned i = 0; i < R::E1000_RSSRK_COUNT; ++i) c.rssrk[i] = rss::rssrk_of_key(key, i);
  for (unsigned j = 0; j < rss::kRetaEntries; ++j) c.reta[j / 4] |= (j * n / rss::kRetaEntries) << (8 * (j % 4));
  return c;
}

template <class M>
class NicFixture {
 public:
  explicit NicFixture(AxiMemConfig mc = {})
      : env(mc),
        drv([this](uint32_t o, uint32_t v) { env.wr(o, v); }, [this](uint32_t o) { return env.rd(o); }, env.mem),
        sb(NicConfig{}) {
    // Waves on request: RXPATH_FST=<file.fst> (one file per fixture; the
    // last test case of the executable wins). Debug: RXPATH_DEBUG=axi,nic_msix.
    if (const char* fst = std::getenv("RXPATH_FST")) enable_fst(env.sim, fst);
    env.mem_agent.on_event = [this](const AxiEvent& e) { on_axi(e); };
    env.mem_agent.on_write = [this](uint64_t a, const uint8_t*, size_t n, uint64_t c) {
      writes.push_back({a, n, c});
      check_write(a, n, c);
    };
  }
  // The DMA rules hold in every test: what a test left unreported fails it here.
  ~NicFixture() {
    if (std::uncaught_exceptions() == 0 && (!sb.errors.empty() || !order_errors.empty())) {
      BOOST_ERROR("errors the test did not check, reported as the fixture ends:");
      check_scoreboard();
    }
  }

  void setup(const Setup& s) {
    S = s;
    rings.assign(s.queues, IgbRing{});
    for (unsigned q = 0; q < s.queues; ++q) {
      IgbRing& r = rings[q];
      r.queue = q;
      r.count = s.count;
      r.desc_base = 0x100000000ull + q * 0x1000000ull;
      r.buf_base = r.desc_base + 0x100000;
      r.buf_size = s.buf_size;
      r.buf_stride = s.buf_size < 4096 ? 4096 : s.buf_size;
      r.drop_en = s.drop_en;
      r.vector = q;
    }
    drv.igb_rar_set(kStation, 0);
    if (s.rlpml) env.wr(R::E1000_RLPML, s.rlpml);
    for (auto& r : rings) drv.igb_configure_rx_ring(r, s.fill);
    for (auto& r : rings) drv.igb_configure_msix(r, s.eitr);
    if (s.rss) drv.igb_setup_mrqc(s.rss_cfg);
    drv.igb_setup_rctl(s.rctl_extra, s.secrc);
    NicConfig c;
    c.station = kStation;
    c.secrc = s.secrc;
    c.upe = s.rctl_extra & R::E1000_RCTL_UPE;
    c.mpe = s.rctl_extra & R::E1000_RCTL_MPE;
    c.lpe = s.rctl_extra & R::E1000_RCTL_LPE;
    c.bam = true;
    c.rlpml = s.rlpml ? s.rlpml : R::E1000_RLPML_RESET;
    c.buf_size = s.buf_size;
    if (s.rss) {
      c.rss = s.rss_cfg;
      c.pcsd = true;
    }
    sb.cfg = c;
    sb.ordered = s.queues == 1;
  }

  void send(const WireFrame& f) {
    sb.sent(f);
    env.xgmii.send(f);
  }
  // Host poll of every ring (igb_clean_rx_irq with refill).
  void poll(bool refill = true) {
    for (unsigned q = 0; q < rings.size(); ++q) {
      auto d = drv.igb_clean_rx_irq(rings[q], 1u << 30, refill);
      descs += d.size();
      per_ring[q] += d.size();
      sb.received(d, q);
    }
    if (S.irq_rearm) {
      uint32_t fired = 0;
      for (; msix_seen_ < env.msix.msgs.size(); ++msix_seen_) fired |= 1u << env.msix.msgs[msix_seen_].vector;
      if (fired) env.wr(R::E1000_EIMS, fired);
    }
  }
  // Run the wire empty and keep polling until nothing is left in flight.
  void drain(uint64_t timeout = 2000000, bool refill = true) {
    uint64_t start = env.sim.cycle(), quiet = 0;
    while (env.sim.cycle() - start < timeout) {
      env.run(256);
      uint64_t before = sb.delivered;
      poll(refill);
      bool idle = !env.xgmii.enc.busy() && env.mem_agent.idle();
      quiet = (idle && sb.delivered == before) ? quiet + 1 : 0;
      if (idle && sb.expected.empty() && quiet > 4) return;
      if (quiet > 40) return;  // nothing moves any more
    }
    BOOST_FAIL("drain: still busy after " << timeout << " cycles");
  }
  uint32_t rd(uint32_t off) { return env.rd(off); }
  void check_scoreboard() {
    for (auto& e : sb.errors) BOOST_ERROR("scoreboard: " << e);
    for (auto& e : order_errors) BOOST_ERROR("DMA order: " << e);
    sb.errors.clear();
    order_errors.clear();
  }
  bool in_ring(uint64_t a, unsigned& q, unsigned& slot) const {
    for (unsigned i = 0; i < rings.size(); ++i) {
      const auto& r = rings[i];
      if (a >= r.desc_base && a < r.desc_base + r.count * R::RX_DESC_BYTES) {
        q = i;
        slot = unsigned((a - r.desc_base) / R::RX_DESC_BYTES);
        return true;
      }
    }
    return false;
  }
  bool in_buf(uint64_t a, unsigned& q, unsigned& slot) const {
    for (unsigned i = 0; i < rings.size(); ++i) {
      const auto& r = rings[i];
      if (a >= r.buf_base && a < r.buf_base + r.count * r.buf_stride) {
        q = i;
        slot = unsigned((a - r.buf_base) / r.buf_stride);
        return true;
      }
    }
    return false;
  }

  struct Write {
    uint64_t addr;
    size_t n;
    uint64_t cycle;
  };
  NicEnv<M> env;
  IgbDouble drv;
  Scoreboard sb;
  Setup S;
  std::vector<IgbRing> rings;
  std::vector<Write> writes;
  std::vector<std::string> order_errors;
  std::map<unsigned, uint64_t> per_ring;
  uint64_t descs = 0, wb_b = 0, last_wb_b_cycle = 0;
  std::vector<uint64_t> wb_b_cycles;
  std::map<unsigned, std::vector<uint64_t>> wb_b_by_queue;  // writeback B clocks per queue

 private:
  // Every byte written lies in one buffer (from its address for buf_size
  // bytes) or one descriptor of a ring software set up.
  void check_write(uint64_t a, size_t n, uint64_t cycle) {
    unsigned q, slot;
    if (in_ring(a, q, slot) && in_ring(a + n - 1, q, slot) &&
        (a - rings[q].desc_base) / R::RX_DESC_BYTES == (a + n - 1 - rings[q].desc_base) / R::RX_DESC_BYTES)
      return;
    if (in_buf(a, q, slot) && a + n <= rings[q].buf_addr(slot) + rings[q].buf_size) return;
    order_errors.push_back("stray write of " + std::to_string(n) + " bytes at 0x" + hexs(a) + " (cycle " +
                           std::to_string(cycle) + ") outside every buffer and descriptor");
  }
  // Ordering rules of the contract, checked on every DMA event.
  void on_axi(const AxiEvent& e) {
    unsigned q, slot;
    auto key = [](unsigned q, unsigned s) { return (uint64_t(q) << 32) | s; };
    // AWADDR is beat-aligned (rtl/README.md): the first beat's last byte
    // lies in the buffer the burst is for.
    const uint64_t probe = e.addr + env.mem_agent.beat_bytes() - 1;
    if (e.kind == AxiEvent::AW && in_buf(probe, q, slot)) {
      data_out_[key(q, slot)]++;
      aw_id_[e.id].push_back(key(q, slot));
    } else if (e.kind == AxiEvent::AW && in_ring(e.addr, q, slot)) {
      // A writeback: one descriptor in as few beats as the bus allows (a
      // 256-bit beat holds two descriptors; the strobes pick one, seen at
      // WDONE). Which data bursts are still unanswered now, for each
      // descriptor the burst covers.
      const uint32_t want = std::max<uint32_t>(R::RX_DESC_BYTES, env.mem_agent.beat_bytes());
      if (e.bytes != want)
        order_errors.push_back("writeback burst at slot " + std::to_string(slot) + " is " + std::to_string(e.bytes) +
                               " bytes, not " + std::to_string(want));
      RingAw w{q, slot, e.cycle, {}};
      for (unsigned i = 0; i < 2 && i * R::RX_DESC_BYTES < e.bytes; ++i)
        w.data_out[i] = data_out_[key(q, (slot + i) % rings[q].count)];
      ring_aw_.push_back(w);
      aw_id_[e.id].push_back(kWriteback | q);
    } else if (e.kind == AxiEvent::WDONE && in_ring(e.addr, q, slot)) {
      // W bursts come in AW order: this is the oldest writeback's.
      if (ring_aw_.empty()) {
        order_errors.push_back("writeback W without its AW");
        return;
      }
      const RingAw w = ring_aw_.front();
      ring_aw_.pop_front();
      unsigned wq, ws;
      if (e.strobed_bytes != R::RX_DESC_BYTES || (e.strobed_lo % R::RX_DESC_BYTES) != 0 ||
          !in_ring(e.strobed_lo, wq, ws) || wq != w.q || (ws != w.slot && ws != w.slot + 1)) {
        order_errors.push_back("writeback at cycle " + std::to_string(e.cycle) + " strobes " +
                               std::to_string(e.strobed_bytes) + " bytes at 0x" + hexs(e.strobed_lo) +
                               ", not one descriptor of the burst");
        return;
      }
      if (w.data_out[ws - w.slot] != 0)
        order_errors.push_back("writeback AW for slot " + std::to_string(ws) + " at cycle " + std::to_string(w.cycle) +
                               " before the data's write response");
    } else if (e.kind == AxiEvent::AW) {
      order_errors.push_back("DMA write outside rings and buffers at 0x" + hexs(e.addr));
      aw_id_[e.id].push_back(kStray);
    } else if (e.kind == AxiEvent::AR) {
      unsigned q2, slot2;
      if (!in_ring(e.addr, q, slot) || !in_ring(e.addr + e.bytes - 1, q2, slot2) || q2 != q)
        order_errors.push_back("descriptor read of " + std::to_string(e.bytes) + " bytes at 0x" + hexs(e.addr) +
                               " (cycle " + std::to_string(e.cycle) + ") outside the rings");
    } else if (e.kind == AxiEvent::B) {
      auto& l = aw_id_[e.id];
      if (!l.empty()) {
        uint64_t k = l.front();
        l.pop_front();
        if ((k & kWriteback) && k != kStray) {
          ++wb_b;
          wb_b_cycles.push_back(e.cycle);
          wb_b_by_queue[unsigned(k & 0xff)].push_back(e.cycle);
        } else if (k != kStray) {
          data_out_[k]--;
        }
      }
    }
  }
  static constexpr uint64_t kWriteback = 1ull << 62, kStray = ~0ull;  // aw_id_ entries that are not data
  struct RingAw {
    unsigned q, slot;      // the first descriptor the burst covers
    uint64_t cycle;        // of the AW
    unsigned data_out[2];  // data bursts unanswered then, for slot and slot + 1
  };
  std::deque<RingAw> ring_aw_;
  size_t msix_seen_ = 0;
  static std::string hexs(uint64_t v) {
    char b[24];
    std::snprintf(b, sizeof b, "%llx", (unsigned long long)v);
    return b;
  }
  std::map<uint64_t, unsigned> data_out_;
  std::map<uint32_t, std::deque<uint64_t>> aw_id_;
};

// Causal MSI-X, per vector, for tests whose interrupts come from traffic
// only (no EICS): a message on vector v reports the writebacks of v's queues
// (IVAR0, here queue q -> vector rings[q].vector) whose write responses came
// after v's previous message, so it must follow at least one (no message
// without a cause, none before its writeback is in memory). With
// all_reported (the vectors re-armed by poll(), Setup::irq_rearm), the last
// writeback response of each vector is followed by a message (none lost).
template <class F>
void check_msix_causal(F& f, bool all_reported = false) {
  std::map<unsigned, std::vector<uint64_t>> wb_by_vector, msg_by_vector;
  for (const auto& [q, cycles] : f.wb_b_by_queue)
    for (uint64_t c : cycles) wb_by_vector[f.rings.at(q).vector].push_back(c);
  for (const auto& m : f.env.msix.msgs) msg_by_vector[m.vector].push_back(m.cycle);
  for (auto& [v, wb] : wb_by_vector) std::sort(wb.begin(), wb.end());
  for (const auto& [v, msgs] : msg_by_vector) {
    const auto& wb = wb_by_vector[v];
    if (wb.empty()) {
      BOOST_ERROR(msgs.size() << " MSI-X message(s) on vector " << v << ", which no writeback reports to");
      continue;
    }
    uint64_t prev = 0;
    for (uint64_t m : msgs) {
      const auto it = std::lower_bound(wb.begin(), wb.end(), prev);
      BOOST_TEST((it != wb.end() && *it < m),
                 "MSI-X on vector " << v << " at cycle " << m << " with no writeback response since cycle " << prev
                                    << " (last before: " << (it == wb.begin() ? 0 : *(it - 1)) << ")");
      prev = m;
    }
  }
  if (all_reported)
    for (const auto& [v, wb] : wb_by_vector) {
      if (wb.empty()) continue;
      const auto& msgs = msg_by_vector[v];
      BOOST_TEST((!msgs.empty() && msgs.back() > wb.back()),
                 "vector " << v << ": the writeback answered at cycle " << wb.back() << " was never signalled");
    }
}

}  // namespace rxt
