// SPDX-License-Identifier: MIT
// The driver's side of tracing, with the NIC double: the testbench's
// trace_id_of hook names each frame; a frame's journey starts at the ISR that
// scheduled the poll that cleaned it, then the poll, then igb_clean_rx_irq
// with the skb as build_skb made it (data at IGB_SKB_PAD, the whole frame),
// then eth_type_trans's 14 bytes; the ring signals (next_to_use,
// next_to_clean, rdt, free, held_by_nic, done_not_cleaned) add up, the vector
// is masked by the MSI-X and unmasked by igb_ring_irq_enable; the driver's
// spans nest inside the CPU's.
#define BOOST_TEST_MODULE igb_trace
#include "testing/sc_test.hpp"

#include <algorithm>
#include <cstring>

#include "host/tests/igb_system.hpp"
#include "stack/tests/recording_tracer.hpp"

using namespace sc_core;
using namespace rxpath;
using stack::test::RecordingTracer;

namespace {
test::IgbSystem* sys;
RecordingTracer* tr;

std::vector<uint64_t> values(const std::string& path) {
  std::vector<uint64_t> r;
  const auto* s = tr->sig(path);
  BOOST_REQUIRE_MESSAGE(s, "signal " << path << " declared");
  for (auto& v : s->vals) r.push_back(v.second);
  return r;
}
const stack::Stage* find(const std::vector<const stack::Stage*>& st, const char* name) {
  for (const auto* s : st)
    if (std::strcmp(s->name, name) == 0) return s;
  return nullptr;
}
}  // namespace

BOOST_AUTO_TEST_CASE(frame_journey_ring_signals_and_vector_mask) {
  unsigned hook_calls = 0;
  // the testbench's hook: the frame's sequence number (UDP payload) + 1
  sys->igb.trace_id_of = [&](const uint8_t* f, size_t len) -> uint64_t {
    ++hook_calls;
    BOOST_REQUIRE(len >= 46);
    return (uint64_t(f[42]) << 24 | uint64_t(f[43]) << 16 | uint64_t(f[44]) << 8 | f[45]) + 1;
  };
  const uint64_t n = 40;
  sys->traffic.start(n, 2e5, 200);  // one frame every 5 us
  sys->run_until_idle();
  BOOST_REQUIRE_EQUAL(sys->reader->messages(), n);
  BOOST_TEST(hook_calls == n);
  for (const auto& e : tr->errors) BOOST_ERROR("tracer contract: " << e);

  // the journey of frame 1 (sequence 0)
  auto st = tr->stages_of(1);
  BOOST_REQUIRE(st.size() >= 5u);
  BOOST_TEST(st[0]->name == std::string("igb_msix_ring"));
  BOOST_TEST(st[1]->name == std::string("napi_poll"));
  BOOST_TEST(st[2]->name == std::string("igb_clean_rx_irq"));
  BOOST_TEST(st[3]->name == std::string("napi_gro_receive"));
  BOOST_TEST(st.back()->name == std::string("udp_recvmsg"));
  for (size_t i = 1; i < st.size(); ++i) BOOST_TEST(st[i - 1]->t <= st[i]->t, st[i]->name);
  const stack::SkbView built = st[2]->skb;
  BOOST_TEST(built.valid);
  BOOST_TEST(built.data == host::IGB_SKB_PAD);
  BOOST_TEST(built.len == 200u);
  BOOST_TEST(built.truesize >= 2048u);
  // queue, descriptor, then the RSS hash and type of the writeback (igb_setup_mrqc
  // enables IPv4 hashing even with one queue, so a UDP datagram has one).
  BOOST_TEST(st[2]->detail.find("q0 desc 0 rss 0x") == 0u, st[2]->detail);
  BOOST_TEST(st[2]->detail.find(" IPV4 poll #") != std::string::npos, st[2]->detail);
  const stack::SkbView core = find(st, "__netif_receive_skb_core")->skb;
  BOOST_TEST(core.data == built.data + 14);
  BOOST_TEST(core.len == built.len - 14);
  BOOST_TEST(find(st, "udp_rcv")->skb.data == core.data + 20);
  BOOST_TEST(find(st, "udp_recvmsg")->skb.data == core.data + 28);
  BOOST_TEST(find(st, "udp_recvmsg")->cpu == 1);  // the reader's CPU
  BOOST_TEST(st[0]->cpu == 0);                    // vector 0's CPU
  for (uint64_t id = 1; id <= n; ++id) BOOST_TEST(!tr->stages_of(id).empty(), id);

  // ring signals: what the driver handed out adds up to the ring
  const std::string q = "host.igb.q0.";
  const uint64_t count = sys->igb.rx_ring(0).count;
  auto held = values(q + "held_by_nic"), done = values(q + "done_not_cleaned"), fr = values(q + "free");
  BOOST_TEST(*std::max_element(done.begin(), done.end()) >= 1u);
  BOOST_TEST(done.back() == 0u);
  BOOST_TEST(held.back() + done.back() + fr.back() == count - 1);
  BOOST_TEST(*std::min_element(held.begin(), held.end()) < *std::max_element(held.begin(), held.end()));
  BOOST_TEST(values(q + "rdt").back() == sys->igb.rx_ring(0).next_to_use);
  BOOST_TEST(values(q + "next_to_use").back() == sys->igb.rx_ring(0).next_to_use);
  BOOST_TEST(values(q + "next_to_clean").back() == sys->igb.rx_ring(0).next_to_clean);
  BOOST_TEST(values(q + "next_to_clean").back() == n % count);

  // the vector: masked by each MSI-X, unmasked by igb_ring_irq_enable
  auto masked = values("host.igb.vec0.masked");
  BOOST_TEST(std::count(masked.begin(), masked.end(), 1u) >= 2);
  BOOST_TEST(masked.back() == 0u);
  auto sched = values("host.napi.rx0.scheduled");
  BOOST_TEST(sched.back() == 0u);

  // spans: the driver's inside the softirq's, ISR spans on CPU 0
  BOOST_TEST(tr->count_spans("igb_msix_ring") == sys->igb.q_vector(0).irqs);
  BOOST_TEST(tr->count_spans("igb_poll") == sys->igb.q_vector(0).polls);
  BOOST_TEST(tr->count_spans("igb_clean_rx_irq") == sys->igb.q_vector(0).polls);
  BOOST_TEST(tr->open_spans(0) == 0u);
  bool nested = false;  // an igb_poll begins while napi_poll and net_rx_action are open
  std::vector<std::string> open;
  for (const auto& s : tr->spans) {
    if (s.cpu != 0) continue;
    if (s.begin) {
      if (s.func == "igb_poll" && open.size() >= 2 && open.back() == "napi_poll" &&
          open[open.size() - 2] == "net_rx_action")
        nested = true;
      open.push_back(s.func);
    } else {
      open.pop_back();
    }
  }
  BOOST_TEST(nested);
}

// One simulated system for the executable, built before the first test case,
// with the recording tracer attached for all of them.
struct Elaborate {
  std::unique_ptr<test::IgbSystem> s = std::make_unique<test::IgbSystem>();
  RecordingTracer t;
  Elaborate() {
    sys = s.get();
    tr = &t;
    s->kernel.set_tracer(&t);
  }
  // The system ends inside a process, so its threads are unwound (testing/sc_test.hpp).
  ~Elaborate() {
    s->kernel.set_tracer(nullptr);
    rxpath::testing::end_in_process([this] { s.reset(); });
  }
};
BOOST_TEST_GLOBAL_FIXTURE(Elaborate);
