// SPDX-License-Identifier: MIT
// The igb driver as on an 82576 with MSI-X and RSS, checked against the
// kernel functions it follows (drivers/net/ethernet/intel/igb/igb_main.c,
// igb_ethtool.c) and ethtool's fill_indir_table: the q_vector layout and
// names for 1, 2, 4, 5 and 8 queues (igb_set_flag_queue_pairs,
// igb_set_interrupt_capability, igb_alloc_q_vectors, igb_request_msix), the
// IVAR / IVAR_MISC / EIMS values (igb_configure_msix, igb_assign_vector,
// igb_write_ivar), RSSRK / RETA / MRQC / RXCSUM / SRRCTL (igb_setup_mrqc,
// igb_write_rss_indir_tbl, igb_setup_srrctl), ethtool -X / -x / -N / -n,
// the default affinity and the igb.irq_affinity errors, and igb_rx_hash.
// Expected values are written out by hand (or by Python's struct for the
// key) from those sources, not computed with the driver's code.
#define BOOST_TEST_MODULE igb_rss
#include "testing/sc_test.hpp"

#include <memory>
#include <string>
#include <vector>

#include "common/unaligned.hpp"
#include "host/tests/igb_system.hpp"
#include "rxpath/igb_regs.hpp"

using namespace sc_core;
using namespace rxpath;
using namespace rxpath::regs;

namespace {

// A host with `cpus` CPUs, the NIC double and the driver, probed (no socket, no traffic).
struct Rig {
  stack::Kernel kernel;
  host::HostPlatform plat;
  nic::NicDouble nic;
  host::IgbAdapter igb;
  static stack::KernelConfig kcfg(int cpus) {
    stack::KernelConfig c;
    c.cpu.num_cpus = cpus;
    return c;
  }
  Rig(const std::string& n, const host::IgbConfig& ic, int cpus)
      : kernel(n + "_kernel", kcfg(cpus)),
        plat(kernel, sc_time(500, SC_NS), (n + "_link").c_str()),
        nic((n + "_nic").c_str()),
        igb(plat, ic) {
    nic.dma.bind(plat.link().dma);
    plat.link().mmio.bind(nic.mmio);
    nic.msix.bind(plat.link().msix);
    igb.netdev().ipv4_addr = 0x0A000001;
  }
};

host::IgbConfig queues(unsigned n) {
  host::IgbConfig c;
  c.rss_queues = n;  // ethtool -L combined n
  return c;
}

std::vector<std::unique_ptr<Rig>> rigs;  // 1, 2, 4, 5, 8 queues on 3 CPUs
Rig* rig_auto;                           // rss_queues left to igb: 3 CPUs -> 3 queues
Rig* rig_weight;                         // 4 queues, ethtool -X weight 1 1 2 0, -N udp4 sdfn
Rig* rig_affinity;                       // 2 queues, igb.irq_affinity = 2 2 1
test::IgbSystem* sys;                    // 2 CPUs, 2 queues, RETA all to queue 1, rx-1 on CPU 1, traffic

Rig& rig(unsigned q) {
  for (auto& r : rigs)
    if (r->igb.num_rx_queues() == q) return *r;
  throw std::logic_error("no rig");
}

struct Layout {
  unsigned q;
  std::vector<std::string> names;  // /proc/interrupts names of q_vector 0, 1, ...
  std::vector<uint32_t> ivar;      // IVAR0(0..q-1)
  uint32_t eims;                   // eims_enable_mask: other + every q_vector
};

// igb_set_flag_queue_pairs (82576, max_rss_queues 8): pairs above 4 queues.
// igb_set_interrupt_capability: q RX + q TX vectors unpaired, q paired; +1
// "other" at MSI-X entry 0. igb_alloc_q_vectors: the RX-only vectors first.
// igb_assign_vector (82576): IVAR0[queue & 7], RX lane at bit 0 (queue < 8),
// TX lane 8 bits above, (msix_vector | E1000_IVAR_VALID 0x80) in each.
const Layout kLayouts[] = {
    {1, {"eth0-rx-0", "eth0-tx-0"}, {0x8281}, 0x7},
    {2, {"eth0-rx-0", "eth0-rx-1", "eth0-tx-0", "eth0-tx-1"}, {0x8381, 0x8482}, 0x1f},
    {4,
     {"eth0-rx-0", "eth0-rx-1", "eth0-rx-2", "eth0-rx-3", "eth0-tx-0", "eth0-tx-1", "eth0-tx-2", "eth0-tx-3"},
     {0x8581, 0x8682, 0x8783, 0x8884},
     0x1ff},
    {5,
     {"eth0-TxRx-0", "eth0-TxRx-1", "eth0-TxRx-2", "eth0-TxRx-3", "eth0-TxRx-4"},
     {0x8181, 0x8282, 0x8383, 0x8484, 0x8585},
     0x3f},
    {8,
     {"eth0-TxRx-0", "eth0-TxRx-1", "eth0-TxRx-2", "eth0-TxRx-3", "eth0-TxRx-4", "eth0-TxRx-5", "eth0-TxRx-6",
      "eth0-TxRx-7"},
     {0x8181, 0x8282, 0x8383, 0x8484, 0x8585, 0x8686, 0x8787, 0x8888},
     0x1ff},
};

}  // namespace

BOOST_AUTO_TEST_CASE(vector_layout_names_ivar_and_eims_follow_igb) {
  sc_start(sc_time(20, SC_US));  // the posted writes reach the NICs
  for (const Layout& L : kLayouts) {
    BOOST_TEST_CONTEXT("rss_queues " << L.q) {
      Rig& r = rig(L.q);
      BOOST_TEST(r.igb.rss_queues() == L.q);
      BOOST_TEST(bool(r.igb.flags() & host::IGB_FLAG_QUEUE_PAIRS) == (L.q > 4));
      BOOST_REQUIRE_EQUAL(r.igb.num_q_vectors(), L.names.size());
      const std::string pi = r.kernel.proc_interrupts();
      for (unsigned v = 0; v < L.names.size(); ++v) {
        const host::igb_q_vector& qv = r.igb.q_vector(v);
        BOOST_TEST(qv.name == L.names[v]);
        BOOST_TEST(qv.msix_vector == v + 1);  // entry 0 is the other vector
        BOOST_TEST(qv.eims_value == (1u << (v + 1)));
        BOOST_TEST(qv.itr_register == E1000_EITR(v + 1));
        BOOST_TEST(pi.find(L.names[v]) != std::string::npos);
        BOOST_TEST(qv.cpu == int(v % 3));  // irqbalance-like default, 3 CPUs
      }
      for (unsigned n = 0; n < 8; ++n)
        BOOST_TEST(r.nic.peek(E1000_IVAR0(n)) == (n < L.q ? L.ivar[n] : 0u), "IVAR0(" << n << ")");
      BOOST_TEST(r.nic.peek(E1000_IVAR_MISC) == 0x8000u);  // (0 | E1000_IVAR_VALID) << 8
      BOOST_TEST(r.nic.peek(E1000_EIMS) == L.eims);
      BOOST_TEST(r.nic.peek(E1000_EIAC) == L.eims);
      BOOST_TEST(r.nic.peek(E1000_EIAM) == L.eims);
      BOOST_TEST(r.igb.other_irq() >= 0);
      // the other vector is named after the interface alone
      BOOST_TEST(pi.find("rxpath-msi  eth0\n") != std::string::npos);
    }
  }
  // igb_init_queue_configuration: min(8, online CPUs)
  BOOST_TEST(rig_auto->igb.rss_queues() == 3u);
}

BOOST_AUTO_TEST_CASE(rssrk_reta_mrqc_rxcsum_srrctl_as_igb_setup_mrqc) {
  // RSSRK(j) = the j-th little-endian u32 of the key (wr32 of rss_key[j]),
  // the Microsoft verification key; words from Python struct.unpack('<10I').
  const uint32_t rssrk[10] = {0xda565a6d, 0xc20e5b25, 0x3d256741, 0xb08fa343, 0xcb2bcad0,
                              0xb4307bae, 0xa32dcb77, 0x0cf23080, 0x3bb7426a, 0xfa01acbe};
  for (const Layout& L : kLayouts) {
    BOOST_TEST_CONTEXT("rss_queues " << L.q) {
      Rig& r = rig(L.q);
      for (unsigned j = 0; j < 10; ++j) BOOST_TEST(r.nic.peek(E1000_RSSRK(j)) == rssrk[j], "RSSRK(" << j << ")");
      // ENABLE_RSS_MQ 0x2 | RSS_FIELD_IPV4 0x20000 | RSS_FIELD_IPV4_TCP 0x10000, even with one queue
      BOOST_TEST(r.nic.peek(E1000_MRQC) == 0x00030002u);
      // IPOFLD 0x100 | TUOFL 0x200 | CRCOFL 0x800 | PCSD 0x2000
      BOOST_TEST(r.nic.peek(E1000_RXCSUM) == 0x2b00u);
      // igb_setup_srrctl: DROP_EN with more than one queue (no flow control)
      for (unsigned n = 0; n < L.q; ++n)
        BOOST_TEST(bool(r.nic.peek(E1000_SRRCTL(n)) & E1000_SRRCTL_DROP_EN) == (L.q > 1));
    }
  }
  // Default table, entry j = j * q / 128, four entries a register, entry 4i in the low byte.
  for (unsigned i = 0; i < 32; ++i) BOOST_TEST(rig(1).nic.peek(E1000_RETA(i)) == 0u);
  for (unsigned i = 0; i < 32; ++i)  // 2 queues: entries 0..63 -> 0, 64..127 -> 1
    BOOST_TEST(rig(2).nic.peek(E1000_RETA(i)) == (i < 16 ? 0u : 0x01010101u), "RETA(" << i << ")");
  // 5 queues: 0..25 -> 0, 26..51 -> 1, 52..76 -> 2, 77..102 -> 3, 103..127 -> 4
  // (words from Python: j * 5 // 128, four entries a word, entry 4i lowest)
  const uint32_t reta5[32] = {0x00000000, 0x00000000, 0x00000000, 0x00000000, 0x00000000, 0x00000000, 0x01010000,
                              0x01010101, 0x01010101, 0x01010101, 0x01010101, 0x01010101, 0x01010101, 0x02020202,
                              0x02020202, 0x02020202, 0x02020202, 0x02020202, 0x02020202, 0x03030302, 0x03030303,
                              0x03030303, 0x03030303, 0x03030303, 0x03030303, 0x04030303, 0x04040404, 0x04040404,
                              0x04040404, 0x04040404, 0x04040404, 0x04040404};
  for (unsigned i = 0; i < 32; ++i) BOOST_TEST(rig(5).nic.peek(E1000_RETA(i)) == reta5[i], "RETA(" << i << ")");
  // 8 queues: entry j -> j / 16: register i holds queue i / 4 four times
  for (unsigned i = 0; i < 32; ++i) BOOST_TEST(rig(8).nic.peek(E1000_RETA(i)) == (i / 4) * 0x01010101u);
}

BOOST_AUTO_TEST_CASE(ethtool_X_weight_and_equal_as_ethtool_computes_them) {
  // ethtool -X weight 1 1 2 0 (fill_indir_table): shares 1/4, 1/4, 1/2, 0 of 128
  Rig& r = *rig_weight;
  for (unsigned i = 0; i < 32; ++i) {
    const uint32_t want = i < 8 ? 0u : i < 16 ? 0x01010101u : 0x02020202u;
    BOOST_TEST(r.nic.peek(E1000_RETA(i)) == want, "RETA(" << i << ")");
  }
  // udp4 sdfn: IGB_FLAG_RSS_FIELD_IPV4_UDP adds RSS_FIELD_IPV4_UDP 0x400000
  BOOST_TEST(r.nic.peek(E1000_MRQC) == 0x00430002u);
  BOOST_TEST(r.igb.ethtool_n_udp4().find("L4 bytes 0 & 1 [TCP/UDP src port]") != std::string::npos);
  // ethtool -x: 8 entries a line, "%5u: " then " %5u" each
  const std::string x = r.igb.ethtool_x();
  BOOST_TEST(x.find("RX flow hash indirection table for eth0 with 4 RX ring(s):\n") == 0u);
  BOOST_TEST(x.find("\n   32:      1     1     1     1     1     1     1     1\n") != std::string::npos);
  BOOST_TEST(x.find("\n  120:      2     2     2     2     2     2     2     2\n") != std::string::npos);
  // ethtool -X equal 2 on the running device: i % 2, written at once
  BOOST_TEST(r.igb.igb_set_rxfh(host::ethtool_rxfh_indir_parse("equal 2")) == 0);
  // ethtool -N rx-flow-hash udp4 sd: the UDP field goes, the rest stays
  BOOST_TEST(r.igb.igb_set_rss_hash_opt_udp4("sd") == 0);
  std::string err;
  BOOST_TEST(r.igb.igb_set_rss_hash_opt_udp4("sdf", &err) == -22);
  sc_start(sc_time(5, SC_US));
  for (unsigned i = 0; i < 32; ++i) BOOST_TEST(r.nic.peek(E1000_RETA(i)) == 0x01000100u);
  BOOST_TEST(r.nic.peek(E1000_MRQC) == 0x00030002u);
  BOOST_TEST(r.igb.ethtool_n_udp4().find("L4 bytes") == std::string::npos);
  // igb_set_rxfh: an entry at or above rss_queues is EINVAL and changes nothing
  BOOST_TEST(r.igb.igb_set_rxfh(host::ethtool_rxfh_indir_parse("equal 5"), &err) == -22);
  BOOST_TEST(err.find("EINVAL") != std::string::npos);
  sc_start(sc_time(5, SC_US));
  BOOST_TEST(r.nic.peek(E1000_RETA(1)) == 0x01000100u);
  // ethtool's own checks on weights
  BOOST_CHECK_THROW(host::ethtool_rxfh_indir_parse("weight 0 0"), std::invalid_argument);
  BOOST_CHECK_THROW(host::ethtool_rxfh_indir_parse("weight 100 100"), std::invalid_argument);
  BOOST_CHECK_THROW(host::ethtool_rxfh_indir_parse("equal"), std::invalid_argument);
  // weight 1 0 1: the zero-weight ring gets nothing, ring 2 starts at 64
  const std::vector<uint32_t> w = host::ethtool_rxfh_indir_parse("weight 1 0 1");
  BOOST_TEST(w[63] == 0u);
  BOOST_TEST(w[64] == 2u);
}

BOOST_AUTO_TEST_CASE(irq_affinity_knob_and_its_errors) {
  // q_vectors rx-0, rx-1, tx-0, tx-1; three given, the fourth by default (3 % 3 = 0)
  BOOST_TEST(rig_affinity->igb.q_vector(0).cpu == 2);
  BOOST_TEST(rig_affinity->igb.q_vector(1).cpu == 2);
  BOOST_TEST(rig_affinity->igb.q_vector(2).cpu == 1);
  BOOST_TEST(rig_affinity->igb.q_vector(3).cpu == 0);
  // ethtool -X weight 0 1: every RETA entry is queue 1, so the NIC puts
  // every frame there whatever its hash (the queue is RETA[hash & 127]);
  // rx-1's hard IRQ, and so NAPI and its softirq, run on its CPU (1), rx-0
  // (CPU 0) never fires.
  const host::igb_q_vector& qv = sys->igb.q_vector(1);
  BOOST_TEST(qv.name == "eth0-rx-1");
  BOOST_TEST(qv.cpu == 1);
  sys->traffic.start(50, 20000, 100);
  sys->run_until_idle();
  BOOST_TEST(qv.irqs > 0u);
  BOOST_TEST(sys->kernel.cpu(1).irq_count(qv.irq) == qv.irqs);
  BOOST_TEST(sys->kernel.cpu(0).irq_count(qv.irq) == 0u);
  BOOST_TEST(sys->igb.q_vector(0).irqs == 0u);
  BOOST_TEST(sys->kernel.softnet(1).processed > 0u);
  BOOST_TEST(sys->kernel.softnet(0).processed == 0u);
  BOOST_TEST(sys->reader->messages() == 50u);
}

BOOST_AUTO_TEST_CASE(igb_rx_hash_sets_hash_and_l4_by_rss_type) {
  // igb_rx_hash with the RSS type: nothing for type 0, L4 for the TCP and
  // UDP types (IGB_RSS_L4_TYPES), L3 for IPv4 alone; only with NETIF_F_RXHASH.
  stack::net_device dev;
  uint8_t desc[16] = {};
  auto hash_of = [&](unsigned rss_type, uint32_t rss, bool& l4) {
    put_unaligned_le16(uint16_t(0x10 | rss_type), desc + RXD_WB_PKT_INFO_BYTE);  // PKTTYPE_IPV4 | type
    put_unaligned_le32(rss, desc + RXD_WB_RSS_BYTE);
    stack::sk_buff skb;
    host::IgbAdapter::igb_rx_hash(dev, desc, &skb);
    l4 = skb.l4_hash;
    return skb.hash;
  };
  bool l4 = true;
  // the Microsoft verification vector 66.9.149.187:2794 -> 161.142.100.80:1766
  BOOST_TEST(hash_of(E1000_RXDADV_RSSTYPE_IPV4_TCP, 0x51ccc178, l4) == 0x51ccc178u);
  BOOST_TEST(l4);
  BOOST_TEST(hash_of(E1000_RXDADV_RSSTYPE_IPV4_UDP, 0x1234, l4) == 0x1234u);
  BOOST_TEST(l4);
  BOOST_TEST(hash_of(E1000_RXDADV_RSSTYPE_IPV4, 0x323e8fc2, l4) == 0x323e8fc2u);
  BOOST_TEST(!l4);
  BOOST_TEST(hash_of(0, 0x5555, l4) == 0u);  // no RSS type: no hash
  dev.features &= ~stack::NETIF_F_RXHASH;
  BOOST_TEST(hash_of(E1000_RXDADV_RSSTYPE_IPV4_TCP, 0x51ccc178, l4) == 0u);
}

BOOST_AUTO_TEST_CASE(skb_queue_mapping_is_the_ring) {
  // The ring of queue 1 cleaned every frame (skb_record_rx_queue in
  // igb_process_skb_fields gives the skb that ring's index), queue 0 none.
  BOOST_TEST(sys->igb.rx_ring(1).rx_stats.packets == 50u);
  BOOST_TEST(sys->igb.rx_ring(0).rx_stats.packets == 0u);
  const std::string s = sys->igb.ethtool_S();
  BOOST_TEST(s.find("rx_queue_1_packets: 50\n") != std::string::npos);
  BOOST_TEST(s.find("rx_queue_0_packets: 0\n") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(bad_configurations_name_the_knob) {
  // The adapter is no SystemC module: a refused one can be made at any time.
  host::HostPlatform& plat = rig(1).plat;
  auto refused = [&](const host::IgbConfig& c, const std::string& what) {
    try {
      host::IgbAdapter a(plat, c);
      a.igb_probe();  // igb_sw_init refuses before anything is registered
    } catch (const std::invalid_argument& e) {
      BOOST_TEST_MESSAGE(e.what());
      return std::string(e.what()).find(what) != std::string::npos;
    }
    return false;
  };
  BOOST_TEST(refused(queues(9), "igb.queues: 9 is more than the 82576's 8"));
  host::IgbConfig c = queues(1);
  c.irq_affinity = {3};  // CPUs 0..2
  BOOST_TEST(refused(c, "igb.irq_affinity: CPU 3 (vector 0) does not exist"));
  c.irq_affinity = {0, 1, 2};  // one queue: rx-0 and tx-0 only
  BOOST_TEST(refused(c, "igb.irq_affinity: 3 CPUs for 2 queue vectors"));
  c = queues(2);
  c.rss_indir_tbl = host::ethtool_rxfh_indir_parse("equal 3");
  BOOST_TEST(refused(c, "igb.rxfh_indir: entry 2 is queue 2, not below igb.queues = 2"));
}

// The rigs are built before the simulation starts (SystemC elaboration).
struct Elaborate {
  std::unique_ptr<test::IgbSystem> s;
  Elaborate() {
    for (unsigned q : {1u, 2u, 4u, 5u, 8u}) {
      rigs.push_back(std::make_unique<Rig>("q" + std::to_string(q), queues(q), 3));
      rigs.back()->igb.igb_probe();
    }
    rigs.push_back(std::make_unique<Rig>("auto", host::IgbConfig{}, 3));
    rig_auto = rigs.back().get();
    rig_auto->igb.igb_probe();
    host::IgbConfig w = queues(4);
    w.rss_indir_tbl = host::ethtool_rxfh_indir_parse("weight 1 1 2 0");
    w.rss_field_ipv4_udp = true;
    rigs.push_back(std::make_unique<Rig>("weight", w, 3));
    rig_weight = rigs.back().get();
    rig_weight->igb.igb_probe();
    host::IgbConfig a = queues(2);
    a.irq_affinity = {2, 2, 1};
    rigs.push_back(std::make_unique<Rig>("affinity", a, 3));
    rig_affinity = rigs.back().get();
    rig_affinity->igb.igb_probe();
    host::IgbConfig two = queues(2);
    two.irq_affinity = {0, 1};  // rx-0 on CPU 0, rx-1 on CPU 1 (the reader's CPU)
    two.rss_indir_tbl = host::ethtool_rxfh_indir_parse("weight 0 1");
    s = std::make_unique<test::IgbSystem>(two);
    sys = s.get();
  }
  // The systems end inside a process, so their threads are unwound (testing/sc_test.hpp).
  ~Elaborate() {
    rxpath::testing::end_in_process([this] {
      s.reset();
      rigs.clear();
    });
  }
};
BOOST_TEST_GLOBAL_FIXTURE(Elaborate);
