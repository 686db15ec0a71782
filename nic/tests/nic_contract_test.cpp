// SPDX-License-Identifier: MIT
// One contract, two NIC models (nic/nic_model.hpp). The Verilated NIC and the
// behavioural double run side by side in one simulation, each bound through
// NicModel to its own TLM host; the same driver steps and the same frames on
// the same sockets must leave the same descriptors and the same bytes in host
// memory, raise MSI-X on the same vector, and report each frame's wire start.
//
// The expected descriptor bytes are not computed here: the two models were
// written from the datasheet separately (RTL in rtl/, the double in
// nic/double/), so each is the other's oracle for the common receive subset.
// The frames' bytes are checked against the frame builder that made them.
#define BOOST_TEST_MODULE nic_contract
#include "testing/sc_test.hpp"

#include <algorithm>
#include <cstring>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <systemc>

#include "common/eth.hpp"
#include "common/rss.hpp"
#include "nic/double/nic_double.hpp"
#include "nic/nic_model.hpp"
#include "rxpath/igb_regs.hpp"
#include "testing/rx_ring.hpp"
#include "testing/tlm_host.hpp"
#include "verilator/sc/nic_sc.hpp"

using namespace sc_core;
using namespace rxpath;

namespace {

constexpr unsigned kRing = 64;
constexpr uint32_t kBsize = 2048;
constexpr unsigned kFrames = 24;
const sc_time kLink(500, SC_NS);
const eth::Mac kOurMac = {0x02, 0x00, 0x00, 0x00, 0x00, 0x01};
const eth::Mac kPeerMac = {0x02, 0x00, 0x00, 0x00, 0x00, 0x02};

// One NIC model with its host and its ring.
struct Side {
  std::unique_ptr<nic::NicModel> nic;
  testing::TlmHost host;
  testing::RxRing ring;
  std::vector<std::pair<uint64_t, uint64_t>> starts;  // (frame id, wire start ps)

  Side(const char* name, std::unique_ptr<nic::NicModel> model)
      : nic(std::move(model)), host((std::string(name) + "_host").c_str(), 1u << 20, kLink) {
    ring.count = kRing;
    ring.desc_base = 0x10000;
    ring.buf_base = 0x20000;
    ring.buf_stride = kBsize;
    ring.buf_size = kBsize;
    host.bind(*nic);
    nic->on_wire_start([this](uint64_t id, uint64_t t_ps) { starts.emplace_back(id, t_ps); });
  }
  const uint8_t* desc(unsigned slot) const { return &host.mem[ring.desc_addr(slot)]; }
  const uint8_t* buf(unsigned slot) const { return &host.mem[ring.buf_addr(slot)]; }
};

// Frame i: UDP of a length that walks from the minimum to the maximum.
eth::Bytes frame(unsigned i) {
  const size_t len = 60 + (i * 1454) / (kFrames - 1);
  return eth::udp_frame_len(kOurMac, kPeerMac, len, static_cast<uint8_t>(i));
}
uint64_t frame_start_ps(unsigned i) { return 20'000'000 + uint64_t(i) * 3'000'000; }  // 20 us, then every 3 us

struct Pair {
  Side rtl{"rtl", std::make_unique<bridge::NicSc>("nic_rtl", sc_time(64 * 6.4, SC_NS))};
  Side dbl{"dbl", std::make_unique<nic::NicDouble>("nic_dbl")};
  bool ran = false;

  // igb bring-up on both, kFrames frames on both wires at the same times.
  void run() {
    if (ran) return;
    ran = true;
    for (Side* s : {&rtl, &dbl}) {
      testing::configure_rx_ring(s->host, s->ring, kOurMac);
      testing::igb_alloc_rx_buffers(testing::rx_ring_io(s->host), s->ring, kRing - 1);
    }
    const uint64_t now = static_cast<uint64_t>(sc_time_stamp().value());
    for (unsigned i = 0; i < kFrames; ++i)
      for (Side* s : {&rtl, &dbl})
        s->host.send(i, frame(i), sc_time(static_cast<double>(frame_start_ps(i) - now), SC_PS));
    sc_start(sc_time(200, SC_US));
  }
};

// Receive-side scaling on both models: four queues (the Verilated NIC takes
// its 8-queue build), igb_setup_mrqc's registers, flows of many addresses
// and ports. Each model must put each frame on the same ring with the same
// writeback (hash, RSS type) and signal each ring's own vector.
constexpr unsigned kRssQueues = 4;
constexpr unsigned kRssFrames = 32;
constexpr unsigned kRssRing = 16;

struct RssSide {
  std::unique_ptr<nic::NicModel> nic;
  testing::TlmHost host;
  std::vector<testing::RxRing> rings;

  RssSide(const char* name, std::unique_ptr<nic::NicModel> model)
      : nic(std::move(model)), host((std::string(name) + "_host").c_str(), 1u << 20, kLink), rings(kRssQueues) {
    for (unsigned q = 0; q < kRssQueues; ++q) {
      testing::RxRing& r = rings[q];
      r.queue = q;
      r.count = kRssRing;
      r.desc_base = 0x4000 + q * 0x1000;
      r.buf_base = 0x10000 + q * 0x10000;
      r.buf_stride = kBsize;
      r.buf_size = kBsize;
      r.drop_en = true;  // igb_setup_srrctl with more than one queue
    }
    host.bind(*nic);
  }
  unsigned done(unsigned q) const {
    unsigned n = 0;
    while (n < kRssRing && testing::rx_desc_done(host, rings[q], n)) ++n;
    return n;
  }
};

eth::Bytes rss_frame(unsigned i) {
  eth::Ipv4Opts ip;
  ip.saddr = 0x0a000001 + i * 0x01010101u;
  ip.daddr = 0xc0a80001 + (i % 5);
  eth::L4Opts l4;
  l4.sport = uint16_t(1000 + 97 * i);
  l4.dport = uint16_t(80 + i % 3);
  const eth::Bytes pl(20 + 40 * (i % 7), uint8_t(i));
  return (i % 3 == 2) ? eth::udp_frame(kOurMac, kPeerMac, pl, ip, l4) : eth::tcp_frame(kOurMac, kPeerMac, pl, ip, l4);
}

struct RssPair {
  RssSide rtl{"rss_rtl", std::make_unique<bridge::NicSc>("nic_rss_rtl", sc_time(64 * 6.4, SC_NS), kRssQueues)};
  RssSide dbl{"rss_dbl", std::make_unique<nic::NicDouble>("nic_rss_dbl")};

  void program() {
    using namespace regs;
    for (RssSide* s : {&rtl, &dbl}) {
      testing::TlmHost& h = s->host;
      h.wr32(E1000_RAL(0), get_unaligned_le32(kOurMac.data()));
      h.wr32(E1000_RAH(0), get_unaligned_le16(kOurMac.data() + 4) | E1000_RAH_AV);
      for (testing::RxRing& r : s->rings) {
        testing::igb_configure_rx_ring(testing::rx_ring_io(h), r);
        testing::igb_alloc_rx_buffers(testing::rx_ring_io(h), r, kRssRing - 1);
        h.wr32(E1000_IVAR0(r.queue), E1000_IVAR0_RX_VALID | r.queue);
      }
      // igb_setup_mrqc: key, redirection table (entry j -> j * n / 128), PCSD, MRQC.
      for (unsigned j = 0; j < E1000_RSSRK_COUNT; ++j) h.wr32(E1000_RSSRK(j), 0x9e3779b9u * (j + 1));
      for (unsigned j = 0; j < E1000_RETA_COUNT; ++j) {
        uint32_t v = 0;
        for (unsigned k = 0; k < 4; ++k) v |= ((4 * j + k) * kRssQueues / rss::kRetaEntries) << (8 * k);
        h.wr32(E1000_RETA(j), v);
      }
      h.wr32(E1000_RXCSUM, h.rd32(E1000_RXCSUM) | E1000_RXCSUM_PCSD);
      h.wr32(E1000_MRQC, E1000_MRQC_ENABLE_RSS_MQ | E1000_MRQC_RSS_FIELD_IPV4 | E1000_MRQC_RSS_FIELD_IPV4_TCP |
                             E1000_MRQC_RSS_FIELD_IPV4_UDP);
      h.wr32(E1000_GPIE, E1000_GPIE_MSIX_MODE);
      h.wr32(E1000_EIMS, (1u << kRssQueues) - 1);
      h.wr32(E1000_RCTL, E1000_RCTL_EN | E1000_RCTL_BAM | E1000_RCTL_SECRC);
    }
    const uint64_t now = static_cast<uint64_t>(sc_time_stamp().value());
    for (unsigned i = 0; i < kRssFrames; ++i)
      for (RssSide* s : {&rtl, &dbl})
        s->host.send(100 + i, rss_frame(i), sc_time(static_cast<double>(frame_start_ps(i) - now), SC_PS));
  }
};

struct World {
  Pair p;
  RssPair r;
  bool ran = false;
  void run() {
    if (ran) return;
    ran = true;
    r.program();
    p.run();  // its sc_start runs both pairs
  }
};

World& world() {
  static World* w = new World;  // one simulation for the executable
  w->run();
  return *w;
}

Pair& pair() { return world().p; }

}  // namespace

BOOST_AUTO_TEST_CASE(both_models_write_the_same_descriptors_and_bytes) {
  Pair& p = pair();
  for (unsigned i = 0; i < kFrames; ++i) {
    BOOST_TEST_CONTEXT("frame " << i) {
      const eth::Bytes f = frame(i);
      for (const Side* s : {&p.rtl, &p.dbl}) {
        const uint8_t* d = s->desc(i);
        BOOST_TEST((d[regs::RXD_WB_STATUS_ERROR_BYTE] & regs::E1000_RXD_STAT_DD) != 0);
        // SECRC: the buffer holds the frame without its FCS.
        BOOST_TEST(get_unaligned_le16(d + regs::RXD_WB_LENGTH_BYTE) == f.size());
        BOOST_TEST(std::memcmp(s->buf(i), f.data(), f.size()) == 0);
      }
      // The whole 16-byte writeback: packet type, RSS, status and errors,
      // length, VLAN.
      const std::vector<uint8_t> wb_rtl(p.rtl.desc(i), p.rtl.desc(i) + 16);
      const std::vector<uint8_t> wb_dbl(p.dbl.desc(i), p.dbl.desc(i) + 16);
      BOOST_TEST(wb_rtl == wb_dbl, boost::test_tools::per_element());
    }
  }
  // The slot after the last frame is still the driver's (read format, no DD).
  for (const Side* s : {&p.rtl, &p.dbl})
    BOOST_TEST((s->desc(kFrames)[regs::RXD_WB_STATUS_ERROR_BYTE] & regs::E1000_RXD_STAT_DD) == 0);
}

BOOST_AUTO_TEST_CASE(both_models_interrupt_on_the_programmed_vector) {
  Pair& p = pair();
  for (const Side* s : {&p.rtl, &p.dbl}) {
    BOOST_TEST(!s->host.msix_vectors.empty());
    for (unsigned v : s->host.msix_vectors) BOOST_TEST(v == 0u);
    BOOST_TEST(s->host.dma_errors == 0u);
  }
}

// The wire start is when the frame's first character is on the wire: the
// double takes the time it was given, the RTL the clock edge of the XGMII
// word that carries /S/ (the first edge at or after that time).
BOOST_AUTO_TEST_CASE(both_models_report_each_wire_start) {
  Pair& p = pair();
  BOOST_TEST_REQUIRE(p.rtl.starts.size() == kFrames);
  BOOST_TEST_REQUIRE(p.dbl.starts.size() == kFrames);
  for (unsigned i = 0; i < kFrames; ++i) {
    BOOST_TEST_CONTEXT("frame " << i) {
      BOOST_TEST(p.dbl.starts[i].first == i);
      BOOST_TEST(p.dbl.starts[i].second == frame_start_ps(i));
      BOOST_TEST(p.rtl.starts[i].first == i);
      BOOST_TEST(p.rtl.starts[i].second >= frame_start_ps(i));
      BOOST_TEST(p.rtl.starts[i].second < frame_start_ps(i) + 2 * bridge::NicSc::kPsPerCycle);
      BOOST_TEST(p.rtl.starts[i].second % bridge::NicSc::kPsPerCycle == 0u);
    }
  }
  BOOST_TEST(p.rtl.nic->cycle() > 0u);
  BOOST_TEST(p.dbl.nic->cycle() == 0u);  // no clock
}

// What only a MAC can do, the double refuses through the contract's error
// response rather than pretend.
// Frames asked to start together go on the wire one after the other, each
// after the previous one's preamble, data, FCS and an inter-frame gap of at
// least 9 bytes (IEEE 802.3 clause 46: 12 on average, the deficit idle count
// may shorten one to 9); the RTL reports the clock edge of the word that
// carries /S/, up to half a word (3.2 ns) before the character itself.
BOOST_AUTO_TEST_CASE(frames_asked_together_are_serialized_on_the_wire) {
  Pair& p = pair();
  const size_t before_rtl = p.rtl.starts.size(), before_dbl = p.dbl.starts.size();
  const uint64_t at = static_cast<uint64_t>(sc_time_stamp().value()) + 5'000'000;
  const unsigned n = 4;
  for (unsigned i = 0; i < n; ++i)
    for (Side* s : {&p.rtl, &p.dbl})
      s->host.send(2000 + i, frame(i), sc_time(static_cast<double>(at - sc_time_stamp().value()), SC_PS));
  sc_start(sc_time(20, SC_US));
  for (const Side* s : {&p.rtl, &p.dbl}) {
    BOOST_TEST_REQUIRE(s->starts.size() == (s == &p.rtl ? before_rtl : before_dbl) + n);
    for (unsigned i = 1; i < n; ++i) {
      const auto& prev = s->starts[s->starts.size() - n + i - 1];
      const auto& cur = s->starts[s->starts.size() - n + i];
      const uint64_t min_gap_ps = (8 + frame(i - 1).size() + 4 + 9) * 800 - 3200;
      BOOST_TEST_CONTEXT((s == &p.rtl ? "rtl" : "double") << " frame " << cur.first) {
        BOOST_TEST(cur.second - prev.second >= min_gap_ps);
      }
    }
  }
}

BOOST_AUTO_TEST_CASE(the_double_refuses_wire_faults) {
  Pair& p = pair();
  const eth::Bytes f = frame(0);
  rxpath::testing::ExpectWarnings said_why(2);  // "the behavioural NIC has no MAC"
  BOOST_CHECK_THROW(p.dbl.host.send(1000, f, sc_time(1, SC_US), /*bad_fcs=*/true), std::runtime_error);
  BOOST_CHECK_THROW(p.dbl.host.send(1001, f, sc_time(1, SC_US), false, /*bad_preamble=*/true), std::runtime_error);
}

BOOST_AUTO_TEST_CASE(both_models_steer_by_rss_to_the_same_rings) {
  RssPair& r = world().r;
  unsigned total = 0, used = 0;
  for (unsigned q = 0; q < kRssQueues; ++q) {
    BOOST_TEST_CONTEXT("queue " << q) {
      const unsigned n = r.rtl.done(q);
      BOOST_TEST(r.dbl.done(q) == n);
      total += n;
      used += n > 0;
      for (unsigned slot = 0; slot < n; ++slot) {
        const uint8_t* a = &r.rtl.host.mem[r.rtl.rings[q].desc_addr(slot)];
        const uint8_t* b = &r.dbl.host.mem[r.dbl.rings[q].desc_addr(slot)];
        const std::vector<uint8_t> wa(a, a + 16), wb(b, b + 16);
        BOOST_TEST(wa == wb, boost::test_tools::per_element());
        BOOST_TEST((get_unaligned_le16(a + regs::RXD_WB_PKT_INFO_BYTE) & regs::E1000_RXDADV_RSSTYPE_MASK) != 0u);
        BOOST_TEST(get_unaligned_le32(a + regs::RXD_WB_RSS_BYTE) != 0u);
      }
    }
  }
  BOOST_TEST(total == kRssFrames);
  BOOST_TEST(used >= 2u, "RSS spread the flows over " << used << " queue(s)");
  for (const RssSide* s : {&r.rtl, &r.dbl}) {
    BOOST_TEST(s->host.dma_errors == 0u);
    for (unsigned v : s->host.msix_vectors) BOOST_TEST(v < kRssQueues);
  }
  std::vector<unsigned> va = r.rtl.host.msix_vectors, vb = r.dbl.host.msix_vectors;
  std::sort(va.begin(), va.end());
  va.erase(std::unique(va.begin(), va.end()), va.end());
  std::sort(vb.begin(), vb.end());
  vb.erase(std::unique(vb.begin(), vb.end()), vb.end());
  BOOST_TEST(va == vb, boost::test_tools::per_element());
  BOOST_TEST(va.size() == used);
}
