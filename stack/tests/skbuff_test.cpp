// SPDX-License-Identifier: Apache-2.0
// stack/tests/skbuff_test.cpp: sk_buff operations at their bounds, the cost
// table registry and the debug categories.
#define BOOST_TEST_MODULE stack_skbuff
#include "testing/sc_test.hpp"

#include "stack/cost.hpp"
#include "stack/debug.hpp"
#include "stack/netdevice.hpp"
#include "stack/skbuff.hpp"
#include "stack/tests/testlib.hpp"

using namespace rxpath::stack;

BOOST_AUTO_TEST_CASE(reserve_put_push_pull_bounds) {
  int64_t live = skb_live_count();
  sk_buff* skb = alloc_skb(128);
  BOOST_TEST(skb->headroom() == 0u);
  skb_reserve(skb, 32);
  BOOST_TEST(skb->data == 32u);
  BOOST_TEST(skb->tail == 32u);
  skb_put(skb, 96);  // exactly to end
  BOOST_TEST(skb->len == 96u);
  BOOST_CHECK_THROW(skb_put(skb, 1), SkbPanic);  // skb_over_panic
  skb_push(skb, 32);                             // exactly to head
  BOOST_TEST(skb->data == 0u);
  BOOST_TEST(skb->len == 128u);
  BOOST_CHECK_THROW(skb_push(skb, 1), SkbPanic);  // skb_under_panic
  BOOST_TEST(skb_pull(skb, 129) == nullptr);      // beyond len: NULL, unchanged
  BOOST_TEST(skb->len == 128u);
  BOOST_TEST(skb_pull(skb, 128) != nullptr);
  BOOST_TEST(skb->len == 0u);
  __kfree_skb(skb);
  BOOST_TEST(skb_live_count() == live);
}

BOOST_AUTO_TEST_CASE(truesize_and_napi_alloc) {
  BOOST_TEST(SKB_TRUESIZE(256) == 256u + 256u + 320u);
  sk_buff* skb = napi_alloc_skb(1500);
  BOOST_TEST(skb->headroom() == NET_SKB_PAD + NET_IP_ALIGN);
  BOOST_TEST(skb->tailroom() == 1500u);
  BOOST_CHECK_THROW(skb_reserve(skb, 4000), SkbPanic);
  __kfree_skb(skb);
  uint8_t page[2048] = {};
  sk_buff* b = build_skb(page, 2048);
  skb_reserve(b, 192);
  skb_put(b, 1514);
  BOOST_TEST(b->len == 1514u);
  BOOST_CHECK_THROW(skb_put(b, 2048 - 192 - 1514 + 1), SkbPanic);
  __kfree_skb(b);
}

BOOST_AUTO_TEST_CASE(frags_copy_and_pull) {
  sk_buff* skb = alloc_skb(64);
  uint8_t head[10] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9};
  skb_put_data(skb, head, 10);
  auto page = std::make_shared<std::vector<uint8_t>>(100);
  for (int i = 0; i < 100; ++i) (*page)[i] = uint8_t(100 + i);
  skb_add_rx_frag(skb, page, 20, 30, 2048);
  BOOST_TEST(skb->len == 40u);
  BOOST_TEST(skb->data_len == 30u);
  BOOST_TEST(skb->headlen() == 10u);
  BOOST_CHECK_THROW(skb_put(skb, 1), SkbPanic);  // SKB_LINEAR_ASSERT
  auto all = skb_linearize_copy(skb);
  BOOST_TEST(all[9] == 9);
  BOOST_TEST(all[10] == 120);
  BOOST_TEST(all[39] == 149);
  BOOST_TEST(pskb_may_pull(skb, 15));
  BOOST_TEST(skb->headlen() == 15u);
  BOOST_TEST(skb->data_ptr()[14] == 124);
  BOOST_TEST(skb_linearize_copy(skb) == all);
  BOOST_TEST(!pskb_may_pull(skb, 41));
  uint8_t out[4];
  BOOST_TEST(!skb_copy_bits(skb, 38, out, 4));
  skb_trim(skb, 12);
  BOOST_TEST(skb->len == 12u);
  BOOST_TEST(skb->data_len == 0u);
  __kfree_skb(skb);
  sk_buff* f = alloc_skb(8);
  for (unsigned i = 0; i < MAX_SKB_FRAGS; ++i) skb_add_rx_frag(f, page, 0, 1, 1);
  BOOST_CHECK_THROW(skb_add_rx_frag(f, page, 0, 1, 1), SkbPanic);
  __kfree_skb(f);
}

BOOST_AUTO_TEST_CASE(eth_type_trans_pkt_types) {
  net_device dev;
  std::memcpy(dev.dev_addr.data(), test::HOST_MAC, 6);
  auto mk = [&](const uint8_t* dst) {
    auto f = test::ipv4_frame(17, test::PEER_IP, test::HOST_IP, std::vector<uint8_t>(8), 1, 0x4000, dst);
    sk_buff* skb = napi_alloc_skb(unsigned(f.size()));
    skb_put_data(skb, f.data(), unsigned(f.size()));
    return skb;
  };
  const uint8_t bcast[6] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
  const uint8_t mcast[6] = {0x01, 0x00, 0x5e, 0x00, 0x00, 0x01};
  const uint8_t other[6] = {0x02, 0x00, 0x00, 0x00, 0x00, 0x09};
  struct {
    const uint8_t* mac;
    uint8_t type;
  } cases[] = {
      {test::HOST_MAC, PACKET_HOST}, {bcast, PACKET_BROADCAST}, {mcast, PACKET_MULTICAST}, {other, PACKET_OTHERHOST}};
  for (auto& c : cases) {
    sk_buff* skb = mk(c.mac);
    unsigned len = skb->len;
    BOOST_TEST(eth_type_trans(skb, &dev) == ETH_P_IP);
    BOOST_TEST(skb->pkt_type == c.type);
    BOOST_TEST(skb->len == len - ETH_HLEN);
    __kfree_skb(skb);
  }
  sk_buff* runt = alloc_skb(10);
  skb_put(runt, 10);
  BOOST_CHECK_THROW(eth_type_trans(runt, &dev), SkbPanic);
  __kfree_skb(runt);
}

BOOST_AUTO_TEST_CASE(cost_table_by_name) {
  CostTable c;
  BOOST_TEST(c.get("udp_rcv") == c.udp_rcv);
  c.set("udp_rcv", 123);
  BOOST_TEST(c.udp_rcv == 123);
  BOOST_CHECK_THROW(c.set("no_such_knob", 1), std::invalid_argument);
  BOOST_CHECK_THROW(c.get("no_such_knob"), std::invalid_argument);
  BOOST_CHECK_THROW(c.set("udp_rcv", -1), std::invalid_argument);
  for (const auto& k : CostTable::knobs()) {
    BOOST_TEST(std::string(k.source).size() > 0u);
    BOOST_TEST(c.get(k.name) >= 0);
  }
  try {
    c.set("bogus", 1);
  } catch (const std::invalid_argument& e) {
    BOOST_TEST(std::string(e.what()).find("bogus") != std::string::npos);
  }
}

BOOST_AUTO_TEST_CASE(debug_categories) {
  namespace debug = rxpath::common::debug;
  BOOST_TEST(!dbg::napi.on());
  debug::enable("napi,udp");
  BOOST_TEST(dbg::napi.on());
  BOOST_TEST(dbg::udp.on());
  BOOST_TEST(!dbg::tcp.on());
  std::vector<std::string> lines;
  debug::set_sink([&](const std::string& l) { lines.push_back(l); });
  RXS_DBG(napi, "hello " << 42);
  RXS_DBG(tcp, "not shown");
  BOOST_TEST(lines.size() == 1u);
  BOOST_TEST(lines[0].find("napi hello 42") != std::string::npos);
  BOOST_CHECK_THROW(debug::enable("napi,bogus"), std::invalid_argument);
  debug::enable("all");
  BOOST_TEST(dbg::sock.on());  // the process-wide switches: off again for the next case
  debug::disable_all();
  debug::set_sink({});
}
