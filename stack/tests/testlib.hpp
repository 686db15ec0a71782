// SPDX-License-Identifier: Apache-2.0
// stack/tests/testlib.hpp: helpers for the stack tests on top of the
// SystemC test harness (testing/sc_test.hpp: entry, report handler, time,
// per-test-case scope): frame builders, a fake NIC driver whose NAPI poll
// produces skbs from a list (no host/ needed), and a Kernel per test case.
#pragma once

#include "testing/kernel_fixture.hpp"
#include "testing/sc_test.hpp"

#include <systemc>

#include <cstdint>
#include <deque>
#include <string>
#include <vector>

#include "stack/kernel.hpp"
#include "stack/netdevice.hpp"

namespace rxpath::stack::test {

using rxpath::testing::now_ns;
using rxpath::testing::run_for;

constexpr uint32_t HOST_IP = 0x0A000001;  // 10.0.0.1
constexpr uint32_t PEER_IP = 0x0A000002;  // 10.0.0.2
extern const uint8_t HOST_MAC[6];
extern const uint8_t PEER_MAC[6];

struct Flow {
  uint32_t saddr = PEER_IP, daddr = HOST_IP;
  uint16_t sport = 40000, dport = 5001;
};

uint16_t inet_csum(const uint8_t* p, size_t n, uint32_t sum = 0);
// Ethernet + IPv4 (20-byte header) around an L4 payload; checksums right.
std::vector<uint8_t> ipv4_frame(uint8_t proto, uint32_t saddr, uint32_t daddr, const std::vector<uint8_t>& l4,
                                uint16_t ip_id = 1, uint16_t frag_off = 0x4000, const uint8_t* dst_mac = HOST_MAC);
std::vector<uint8_t> udp_frame(const Flow& f, const std::vector<uint8_t>& payload, uint16_t ip_id = 1);
std::vector<uint8_t> tcp_frame(const Flow& f, uint32_t seq, uint32_t ack, uint8_t flags,
                               const std::vector<uint8_t>& payload, uint16_t ip_id = 1);
std::vector<uint8_t> arp_request(uint32_t sender_ip, uint32_t target_ip);
std::vector<uint8_t> pattern(size_t n, uint32_t seed);  // deterministic payload bytes
uint32_t flow_hash(const std::vector<uint8_t>& frame);  // RSS-like hash of the 4-tuple

// A fake igb-shaped driver: frames "arrive" into a FIFO; an IRQ (auto-masked)
// schedules NAPI; poll builds skbs (napi_alloc_skb + copy), eth_type_trans,
// napi_gro_receive; napi_complete_done re-enables the IRQ.
class FakeNic {
 public:
  FakeNic(Kernel& k, int cpu = 0, int irq = 40, const std::string& name = "eth0");
  net_device dev;
  napi_struct napi;
  double per_packet_ns = 150;    // driver work per frame (igb_clean_rx_irq)
  bool csum_unnecessary = true;  // RXCSUM verified by "hardware"
  bool use_gro = true;           // napi_gro_receive vs netif_receive_skb
  bool l4_hash = false;          // the hash covers L4 (skb_set_hash PKT_HASH_TYPE_L4)
  uint16_t rx_queue = 0;         // skb_record_rx_queue
  uint64_t irqs = 0, frames_in = 0;

  // A frame arrives now (call from any SystemC thread).
  void arrive(std::vector<uint8_t> frame, uint64_t trace_id = 0);
  // Spawns a thread delivering frames at (offset from now in ns, frame); it
  // ends with the test case (testing::spawn).
  void inject(std::vector<std::pair<double, std::vector<uint8_t>>> frames);
  size_t fifo_len() const { return fifo_.size(); }

 private:
  int poll(napi_struct* n, int budget);
  Kernel& k_;
  int cpu_, irq_;
  bool irq_enabled_ = true;
  std::deque<std::pair<std::vector<uint8_t>, uint64_t>> fifo_;
  uint64_t next_trace_ = 1;
};

// A Kernel per test case (testing/kernel_fixture.hpp).
using rxpath::testing::KernelFixture;
using rxpath::testing::make_kernel;

}  // namespace rxpath::stack::test
