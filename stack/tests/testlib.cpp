// SPDX-License-Identifier: Apache-2.0
// stack/tests/testlib.cpp: see testlib.hpp.
#include "stack/tests/testlib.hpp"

#include <algorithm>
#include <cstring>
#include <memory>

namespace rxpath::stack::test {

const uint8_t HOST_MAC[6] = {0x02, 0x00, 0x00, 0x00, 0x00, 0x01};
const uint8_t PEER_MAC[6] = {0x02, 0x00, 0x00, 0x00, 0x00, 0x02};

namespace {
void put16(uint8_t* p, uint16_t v) {
  p[0] = uint8_t(v >> 8);
  p[1] = uint8_t(v);
}
void put32(uint8_t* p, uint32_t v) {
  p[0] = uint8_t(v >> 24);
  p[1] = uint8_t(v >> 16);
  p[2] = uint8_t(v >> 8);
  p[3] = uint8_t(v);
}
}  // namespace

uint16_t inet_csum(const uint8_t* p, size_t n, uint32_t sum) {
  uint64_t s = sum;
  for (size_t i = 0; i + 1 < n; i += 2) s += uint32_t(p[i] << 8 | p[i + 1]);
  if (n & 1) s += uint32_t(p[n - 1] << 8);
  while (s >> 16) s = (s & 0xffff) + (s >> 16);
  return uint16_t(~s);
}

std::vector<uint8_t> ipv4_frame(uint8_t proto, uint32_t saddr, uint32_t daddr, const std::vector<uint8_t>& l4,
                                uint16_t ip_id, uint16_t frag_off, const uint8_t* dst_mac) {
  std::vector<uint8_t> f(14 + 20 + l4.size());
  std::memcpy(f.data(), dst_mac, 6);
  std::memcpy(f.data() + 6, PEER_MAC, 6);
  put16(f.data() + 12, 0x0800);
  uint8_t* ip = f.data() + 14;
  ip[0] = 0x45;
  put16(ip + 2, uint16_t(20 + l4.size()));
  put16(ip + 4, ip_id);
  put16(ip + 6, frag_off);
  ip[8] = 64;
  ip[9] = proto;
  put32(ip + 12, saddr);
  put32(ip + 16, daddr);
  put16(ip + 10, inet_csum(ip, 20));
  std::copy(l4.begin(), l4.end(), ip + 20);
  return f;
}

static uint32_t pseudo(uint32_t s, uint32_t d, uint8_t proto, size_t len) {
  return (s >> 16) + (s & 0xffff) + (d >> 16) + (d & 0xffff) + proto + uint32_t(len);
}

std::vector<uint8_t> udp_frame(const Flow& f, const std::vector<uint8_t>& payload, uint16_t ip_id) {
  std::vector<uint8_t> u(8 + payload.size());
  put16(u.data(), f.sport);
  put16(u.data() + 2, f.dport);
  put16(u.data() + 4, uint16_t(u.size()));
  std::copy(payload.begin(), payload.end(), u.begin() + 8);
  uint16_t c = inet_csum(u.data(), u.size(), pseudo(f.saddr, f.daddr, 17, u.size()));
  put16(u.data() + 6, c ? c : 0xffff);
  return ipv4_frame(17, f.saddr, f.daddr, u, ip_id);
}

std::vector<uint8_t> tcp_frame(const Flow& f, uint32_t seq, uint32_t ack, uint8_t flags,
                               const std::vector<uint8_t>& payload, uint16_t ip_id) {
  std::vector<uint8_t> t(20 + payload.size());
  put16(t.data(), f.sport);
  put16(t.data() + 2, f.dport);
  put32(t.data() + 4, seq);
  put32(t.data() + 8, ack);
  t[12] = 5 << 4;
  t[13] = flags;
  put16(t.data() + 14, 0xffff);
  // std::copy, not memcpy: an empty payload's data() is null, and memcpy
  // from null is undefined even for 0 bytes (UBSan: nonnull-attribute).
  std::copy(payload.begin(), payload.end(), t.begin() + 20);
  put16(t.data() + 16, inet_csum(t.data(), t.size(), pseudo(f.saddr, f.daddr, 6, t.size())));
  return ipv4_frame(6, f.saddr, f.daddr, t, ip_id);
}

std::vector<uint8_t> arp_request(uint32_t sender_ip, uint32_t target_ip) {
  std::vector<uint8_t> f(60, 0);
  std::memset(f.data(), 0xff, 6);
  std::memcpy(f.data() + 6, PEER_MAC, 6);
  put16(f.data() + 12, 0x0806);
  uint8_t* a = f.data() + 14;
  put16(a, 1);
  put16(a + 2, 0x0800);
  a[4] = 6;
  a[5] = 4;
  put16(a + 6, 1);
  std::memcpy(a + 8, PEER_MAC, 6);
  put32(a + 14, sender_ip);
  put32(a + 24, target_ip);
  return f;
}

std::vector<uint8_t> pattern(size_t n, uint32_t seed) {
  std::vector<uint8_t> v(n);
  uint32_t x = seed * 2654435761u + 1;
  for (auto& b : v) {
    x = x * 1103515245u + 12345u;
    b = uint8_t(x >> 16);
  }
  return v;
}

uint32_t flow_hash(const std::vector<uint8_t>& f) {
  if (f.size() < 14 + 24) return 0;
  uint32_t h = 2166136261u;
  for (size_t i = 14 + 12; i < 14 + 24; ++i) h = (h ^ f[i]) * 16777619u;
  return h;
}

FakeNic::FakeNic(Kernel& k, int cpu, int irq, const std::string& name) : k_(k), cpu_(cpu), irq_(irq) {
  dev.name = name;
  std::memcpy(dev.dev_addr.data(), HOST_MAC, 6);
  dev.ipv4_addr = HOST_IP;
  k.register_netdev(&dev);
  netif_napi_add(&dev, &napi, [this](napi_struct* n, int budget) { return poll(n, budget); });
  napi_enable(&napi);
  k.cpus().request_irq(
      irq,
      [this](Cpu&, int) {  // igb_msix_ring
        ++irqs;
        napi_schedule(&napi);
      },
      name + "-rx-0");
}

void FakeNic::arrive(std::vector<uint8_t> frame, uint64_t trace_id) {
  ++frames_in;
  fifo_.emplace_back(std::move(frame), trace_id ? trace_id : next_trace_++);
  if (irq_enabled_) {
    irq_enabled_ = false;  // EIAM auto-mask
    k_.cpus().raise_irq(cpu_, irq_);
  }
}

void FakeNic::inject(std::vector<std::pair<double, std::vector<uint8_t>>> frames) {
  auto list = std::make_shared<std::vector<std::pair<double, std::vector<uint8_t>>>>(std::move(frames));
  double t0 = now_ns();
  rxpath::testing::spawn([this, list, t0] {
    for (auto& p : *list) {
      double at = t0 + p.first;
      double dt = at - now_ns();
      if (dt > 0) sc_core::wait(sc_core::sc_time(dt, sc_core::SC_NS));
      arrive(std::move(p.second));
    }
  });
}

int FakeNic::poll(napi_struct* n, int budget) {
  Cpu& c = current_cpu();
  int done = 0;
  while (done < budget && !fifo_.empty()) {
    auto fr = std::move(fifo_.front());
    fifo_.pop_front();
    c.defer(per_packet_ns);
    sk_buff* skb = napi_alloc_skb(static_cast<unsigned>(fr.first.size()));
    skb_put_data(skb, fr.first.data(), static_cast<unsigned>(fr.first.size()));
    skb->hash = flow_hash(fr.first);
    skb->l4_hash = l4_hash;
    skb->queue_mapping = rx_queue;
    skb->trace_id = fr.second;
    skb->ip_summed = csum_unnecessary ? CHECKSUM_UNNECESSARY : CHECKSUM_NONE;
    skb->protocol = eth_type_trans(skb, &dev);
    dev.stats.rx_packets++;
    dev.stats.rx_bytes += fr.first.size();
    if (use_gro)
      napi_gro_receive(n, skb);
    else
      netif_receive_skb(skb);
    ++done;
  }
  if (done < budget && napi_complete_done(n, done)) {
    irq_enabled_ = true;  // igb_ring_irq_enable: EIMS
    if (!fifo_.empty()) {
      irq_enabled_ = false;
      k_.cpus().raise_irq(cpu_, irq_);
    }
  }
  return done < budget ? done : budget;
}

}  // namespace rxpath::stack::test
