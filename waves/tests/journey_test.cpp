// SPDX-License-Identifier: Apache-2.0
// waves/tests/journey_test.cpp: a packet's journey from a synthetic stage
// sequence: time order with ties by arrival, the delta column, NIC cycles and
// host ~cycles, the skb columns, delivered / dropped / merged outcomes, the
// window, and the JSON.
#define BOOST_TEST_MODULE waves_journey
#include "testing/sc_test.hpp"

#include "waves/journey.hpp"
#include "waves/tests/stage_builders.hpp"

#include <nlohmann/json.hpp>

#include <sstream>

using rxpath::stack::Stage;
using rxpath::waves::Journey;
using namespace rxpath::waves::testing;  // nic, host, skb
using sc_core::SC_NS;
using sc_core::sc_time;

namespace {

// The data lines of the table, in order (between the header line and the blank line).
std::vector<std::string> table(const std::string& text) {
  std::istringstream in(text);
  std::vector<std::string> rows;
  std::string line;
  bool in_table = false;
  while (std::getline(in, line)) {
    if (line.find("to next (ns)") != std::string::npos) {
      in_table = true;
      continue;
    }
    if (!in_table) continue;
    if (line.empty()) break;
    if (line.find(" -- ") != std::string::npos) continue;  // notes
    rows.push_back(line);
  }
  return rows;
}

// Feeds one delivered UDP packet 7, out of time order and mixed with packet 8.
void feed_delivered(Journey& j) {
  j.add(nic(7, "xgmii_start", 100, "lane 0"));
  j.add(nic(8, "xgmii_start", 110));
  j.add(nic(7, "mac_verdict", 290, "ok len 1514"));
  j.add(nic(7, "pktbuf_store", 291, "len 1514"));
  j.add(nic(7, "desc_assign", 300, "q0 desc 17"));
  // host stages come in before the NIC's later bursts are reported
  j.add(host(7, "igb_msix_ring", 0, 3000.0));
  j.add(host(7, "ip_rcv", 0, 3300.0, skb(80, 1594, 1728, 1514 - 14), "saddr 10.0.0.2"));
  j.add(host(7, "igb_clean_rx_irq", 0, 3100.0, skb(66, 1580, 1728, 1514), "q0 desc 17"));
  j.add(host(7, "udp_rcv", 0, 3300.0, skb(100, 1594, 1728, 1480)));  // same time as ip_rcv: after it
  j.add(host(7, "udp_recvmsg", 1, 5000.0, {}, "1472 bytes"));
  j.add(nic(7, "dma_write", 310, "addr 0x1000 len=1024"));
  j.add(nic(7, "dma_write", 380, "addr 0x1400 len=490"));
  j.add(nic(7, "writeback", 420, "q0 desc 17"));
  j.add(nic(7, "msix", 430, "vector 0"));
}

}  // namespace

BOOST_AUTO_TEST_CASE(delivered_journey_is_sorted_with_deltas_cycles_and_latency) {
  Journey j(7);
  BOOST_TEST(j.empty());
  BOOST_TEST(j.id() == 7u);
  feed_delivered(j);
  BOOST_TEST(!j.empty());
  std::string t = j.text();
  BOOST_TEST_MESSAGE(t);
  std::vector<std::string> rows = table(t);
  const char* expect[] = {"xgmii_start", "mac_verdict", "pktbuf_store", "desc_assign",   "dma_write",
                          "dma_write",   "writeback",   "msix",         "igb_msix_ring", "igb_clean_rx_irq",
                          "ip_rcv",      "udp_rcv",     "udp_recvmsg"};
  BOOST_TEST_REQUIRE(rows.size() == std::size(expect));
  for (size_t i = 0; i < rows.size(); ++i) BOOST_TEST(rows[i].find(expect[i]) != std::string::npos, rows[i]);
  // t, to next, cycle, where
  BOOST_TEST(rows[0].find("640.000") != std::string::npos);   // 100 * 6.4 ns
  BOOST_TEST(rows[0].find("1216.000") != std::string::npos);  // to mac_verdict: 190 cycles
  BOOST_TEST(rows[0].find(" 100 ") != std::string::npos);     // NIC cycle, exact
  BOOST_TEST(rows[0].find("MAC") != std::string::npos);
  BOOST_TEST(rows[4].find("DMA") != std::string::npos);
  BOOST_TEST(rows[7].find("interrupts") != std::string::npos);
  BOOST_TEST(rows[8].find("~468") != std::string::npos);  // floor(3000 / 6.4), marked as host time
  BOOST_TEST(rows[8].find("cpu0 hardirq") != std::string::npos);
  BOOST_TEST(rows[10].find("cpu0 softirq") != std::string::npos);
  BOOST_TEST(rows[12].find("cpu1 process") != std::string::npos);
  BOOST_TEST(rows[10].find("0.000") != std::string::npos);  // ip_rcv -> udp_rcv at the same time
  BOOST_TEST(rows[9].find("head=0 data=+66 tail=+1580 end=+1728 len=1514") != std::string::npos);
  BOOST_TEST(rows[10].find("data=+80") != std::string::npos);
  BOOST_TEST(rows[12].find("1472 bytes") != std::string::npos);
  BOOST_TEST(t.find("packet 7") == 0u);
  // wire (640 ns) -> recv (5000 ns)
  BOOST_TEST(t.find("delivered: wire -> recv 4360.000 ns") != std::string::npos, t);
}

BOOST_AUTO_TEST_CASE(softirq_stages_say_ksoftirqd_when_it_ran_them) {
  Journey j(7);
  j.host_string("host.cpu0.context", "idle", sc_time(0, SC_NS));
  j.host_string("host.cpu0.context", "hardirq", sc_time(2990, SC_NS));
  j.host_string("host.cpu0.context", "softirq", sc_time(3050, SC_NS));
  j.host_string("host.cpu0.context", "ksoftirqd", sc_time(3200, SC_NS));
  j.host_string("host.cpu0.ctx", "ignored", sc_time(3250, SC_NS));
  j.host_string("host.cpu1.context", "process", sc_time(4000, SC_NS));
  feed_delivered(j);
  std::vector<std::string> rows = table(j.text());
  BOOST_TEST_REQUIRE(rows.size() == 13u);
  BOOST_TEST(rows[8].find("cpu0 hardirq") != std::string::npos);     // by its function
  BOOST_TEST(rows[9].find("cpu0 softirq") != std::string::npos);     // 3100 ns: on IRQ exit
  BOOST_TEST(rows[10].find("cpu0 ksoftirqd") != std::string::npos);  // 3300 ns
  BOOST_TEST(rows[11].find("cpu0 ksoftirqd") != std::string::npos);
  BOOST_TEST(rows[12].find("cpu1 process") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(dropped_journey_ends_at_its_counter) {
  Journey j(3);
  j.add(nic(3, "xgmii_start", 10));
  j.add(nic(3, "mac_verdict", 30, "ok len 64"));
  j.add(nic(3, "pktbuf_drop", 31, "len 64", "MPC"));
  std::string t = j.text();
  BOOST_TEST(t.find("dropped: counted in MPC") != std::string::npos, t);
  BOOST_TEST(t.find("delivered") == std::string::npos);
  std::vector<std::string> rows = table(t);
  BOOST_TEST_REQUIRE(rows.size() == 3u);
  BOOST_TEST(rows[2].find("DROP: MPC") != std::string::npos);
  std::ostringstream js;
  j.write_json(js);
  auto o = nlohmann::json::parse(js.str());
  BOOST_TEST(o["outcome"]["kind"] == "dropped");
  BOOST_TEST(o["outcome"]["counter"] == "MPC");
  BOOST_TEST(o["outcome"]["at"] == "pktbuf_drop");

  Journey h(4);  // a host drop
  h.add(host(4, "udp_rcv", 0, 100.0, skb(42, 100, 512, 58)));
  h.add(host(4, "kfree_skb_reason", 0, 150.0, skb(42, 100, 512, 58), "", "SOCKET_RCVBUFF (Udp: RcvbufErrors)"));
  BOOST_TEST(h.text().find("dropped: counted in SOCKET_RCVBUFF (Udp: RcvbufErrors)") != std::string::npos, h.text());
}

BOOST_AUTO_TEST_CASE(window_keeps_only_stages_inside) {
  Journey j(7);
  j.set_window(sc_time(1000, SC_NS), sc_time(4000, SC_NS));
  feed_delivered(j);
  std::vector<std::string> rows = table(j.text());
  // inside [1000, 4000] ns: mac_verdict (1856) .. udp_rcv (3300); not xgmii_start (640) nor recvmsg (5000)
  BOOST_TEST_REQUIRE(rows.size() == 11u);
  BOOST_TEST(rows.front().find("mac_verdict") != std::string::npos);
  BOOST_TEST(rows.back().find("udp_rcv") != std::string::npos);
  BOOST_TEST(j.text().find("in flight") != std::string::npos);
  BOOST_TEST(j.text().find("last step udp_rcv (cpu0 softirq) at 3300.000 ns") != std::string::npos, j.text());
  BOOST_TEST(j.text().find("window [1000.000, 4000.000] ns") != std::string::npos);

  Journey all(7);  // a window of everything is no window
  all.set_window(sc_core::SC_ZERO_TIME, sc_core::sc_max_time());
  feed_delivered(all);
  BOOST_TEST(table(all.text()).size() == 13u);
  BOOST_TEST(all.text().find("window") == std::string::npos);

  Journey none(7);
  none.set_window(sc_time(10, SC_NS), sc_time(20, SC_NS));
  feed_delivered(none);
  BOOST_TEST(none.empty());
  BOOST_TEST(none.text().find("no stages") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(absent_packet_is_empty) {
  Journey j(99);
  feed_delivered(j);
  BOOST_TEST(j.empty());
  std::ostringstream js;
  j.write_json(js);
  auto o = nlohmann::json::parse(js.str());
  BOOST_TEST(o["stages"].empty());
  BOOST_TEST(o["outcome"]["kind"] == "absent");
}

// The Recorder hands the journey frame numbers (host ids minus one): frame 0
// has host stages like any other, and a frame that reached recv() is
// delivered, not "in flight" (issue 14: --journey 0 said in flight).
BOOST_AUTO_TEST_CASE(packet_zero_is_followed_to_recv) {
  Journey j(0);
  j.add(nic(0, "xgmii_start", 10));
  j.add(nic(0, "writeback", 40));
  j.add(host(0, "ip_rcv", 0, 500.0));
  j.add(host(0, "udp_recvmsg", 1, 900.0));
  j.add(host(1, "ip_rcv", 0, 600.0));  // another frame's
  BOOST_TEST(table(j.text()).size() == 4u, j.text());
  BOOST_TEST(j.text().find("delivered: wire -> recv 836.000 ns") != std::string::npos, j.text());
}

// Issue 14, as the default scenario showed it for packet 50: the interrupt
// and the NAPI poll that cleaned the frame began before the frame was on the
// wire, and the reader's epoll_wait returned (for earlier packets) before
// this one was queued. Those are context, not steps; the steps go wire ->
// ... -> recv with times that never go back.
BOOST_AUTO_TEST_CASE(session_and_early_reader_return_are_context) {
  Journey j(50);
  j.add(host(50, "igb_msix_ring", 0, 11152.8, {}, "vector 0 irq 40, scheduled the poll"));
  j.add(host(50, "napi_poll", 0, 11662.8, {}, "poll #1 budget 64"));
  j.add(nic(50, "xgmii_start", 3314));
  j.add(nic(50, "writeback", 3447));
  j.add(host(50, "igb_clean_rx_irq", 0, 57937.8, skb(192, 782, 2048, 590)));
  j.add(host(50, "ip_local_deliver", 0, 63202.8));
  j.add(host(50, "epoll_wait", 1, 63454.24, skb(234, 782, 2048, 548), "returns fd 2 ready, 4 events"));
  j.add(host(50, "udp_rcv", 0, 63502.8));
  j.add(host(50, "__udp_enqueue_schedule_skb", 0, 63502.8, {}, "fd 2 qlen 1"));
  j.add(host(50, "sock_def_readable", 0, 63582.8));
  j.add(host(50, "ep_poll_callback", 0, 63672.8, {}, "fd 2"));
  j.add(host(50, "udp_recvmsg", 1, 65052.16));
  const std::string t = j.text();
  BOOST_TEST_MESSAGE(t);
  const std::vector<std::string> rows = table(t);
  const char* expect[] = {"xgmii_start",       "writeback",        "igb_clean_rx_irq",
                          "ip_local_deliver",  "udp_rcv",          "__udp_enqueue_schedule_skb",
                          "sock_def_readable", "ep_poll_callback", "udp_recvmsg"};
  BOOST_TEST_REQUIRE(rows.size() == std::size(expect), t);
  for (size_t i = 0; i < rows.size(); ++i) BOOST_TEST(rows[i].find(expect[i]) != std::string::npos, rows[i]);
  const size_t ctx = t.find("context:");
  BOOST_TEST_REQUIRE(ctx != std::string::npos, t);
  for (const char* c : {"igb_msix_ring", "napi_poll", "epoll_wait"}) BOOST_TEST(t.find(c, ctx) != std::string::npos, c);
  BOOST_TEST(t.find("before this frame reached the wire") != std::string::npos);
  BOOST_TEST(t.find("returned before this packet was queued (at 63502.800 ns)") != std::string::npos, t);
  BOOST_TEST(t.find("delivered: wire -> recv") != std::string::npos);

  std::ostringstream js;
  j.write_json(js);
  auto o = nlohmann::json::parse(js.str());
  BOOST_TEST_REQUIRE(o["stages"].size() == std::size(expect));
  for (size_t i = 1; i < o["stages"].size(); ++i)
    BOOST_TEST(o["stages"][i]["t_ps"].get<uint64_t>() >= o["stages"][i - 1]["t_ps"].get<uint64_t>());
  BOOST_TEST_REQUIRE(o["context"].size() == 3u);
  BOOST_TEST(o["context"][0]["name"] == "igb_msix_ring");
  BOOST_TEST(o["context"][2]["name"] == "epoll_wait");
  BOOST_TEST(!o["context"][2]["why"].get<std::string>().empty());
}

// A reader that was asleep: the epoll_wait return after the enqueue is the
// step that reported it; a poll that began after the writeback is a step.
BOOST_AUTO_TEST_CASE(wakeup_after_the_enqueue_is_a_step) {
  Journey j(4);
  j.add(nic(4, "xgmii_start", 100));
  j.add(nic(4, "writeback", 200));
  j.add(nic(4, "msix", 210));
  j.add(host(4, "igb_msix_ring", 0, 1900.0));
  j.add(host(4, "napi_poll", 0, 2400.0));
  j.add(host(4, "igb_clean_rx_irq", 0, 2600.0));
  j.add(host(4, "__udp_enqueue_schedule_skb", 0, 3000.0));
  j.add(host(4, "sock_def_readable", 0, 3080.0));
  j.add(host(4, "ep_poll_callback", 0, 3170.0, {}, "wakes epoll_wait, fd 0"));
  j.add(host(4, "epoll_wait", 1, 5000.0, {}, "returns fd 0 ready, 1 events"));
  j.add(host(4, "udp_recvmsg", 1, 5500.0));
  const std::string t = j.text();
  BOOST_TEST(table(t).size() == 11u, t);
  BOOST_TEST(t.find("context:") == std::string::npos, t);
}

BOOST_AUTO_TEST_CASE(gro_merged_packet_follows_the_head) {
  Journey j(11);
  j.add(nic(11, "xgmii_start", 100));
  j.add(host(10, "ip_rcv", 0, 1500.0));  // the head's stage before the merge: not ours
  j.add(host(11, "napi_gro_receive", 0, 2000.0, skb(66, 1580, 1728, 1514), "GRO_MERGED merged into 10"));
  BOOST_TEST(j.wants(10));
  BOOST_TEST(!j.wants(12));
  j.add(nic(10, "dma_write", 500));  // the head's NIC stages are not ours
  j.add(host(10, "ip_rcv", 0, 2500.0));
  j.add(host(10, "tcp_recvmsg", 1, 4000.0));
  std::string t = j.text();
  std::vector<std::string> rows = table(t);
  BOOST_TEST_REQUIRE(rows.size() == 4u, t);
  BOOST_TEST(rows[2].find("ip_rcv [#10]") != std::string::npos);
  BOOST_TEST(t.find("merged by GRO into packet 10") != std::string::npos);
  BOOST_TEST(t.find("delivered: wire -> recv 3360.000 ns") != std::string::npos, t);
  BOOST_TEST(t.find("as part of packet 10") != std::string::npos);

  Journey m(11);  // no follow-up seen: the outcome says where it went
  m.add(nic(11, "xgmii_start", 100));
  m.add(host(11, "napi_gro_receive", 0, 2000.0, {}, "GRO_MERGED merged into 10"));
  BOOST_TEST(m.text().find("merged by GRO into packet 10 at 2000.000 ns") != std::string::npos, m.text());
}

BOOST_AUTO_TEST_CASE(json_has_sorted_stages_and_outcome) {
  Journey j(7);
  feed_delivered(j);
  std::ostringstream js;
  j.write_json(js);
  auto o = nlohmann::json::parse(js.str());
  BOOST_TEST(o["id"] == 7);
  auto& st = o["stages"];
  BOOST_TEST_REQUIRE(st.size() == 13u);
  for (size_t i = 1; i < st.size(); ++i) BOOST_TEST(st[i]["t_ps"].get<uint64_t>() >= st[i - 1]["t_ps"].get<uint64_t>());
  BOOST_TEST(st[0]["name"] == "xgmii_start");
  BOOST_TEST(st[0]["cycle"] == 100);
  BOOST_TEST(st[0]["t_ns"].get<double>() == 640.0);
  BOOST_TEST(st[0]["where"] == "MAC");
  BOOST_TEST(st[0]["skb"].is_null());
  BOOST_TEST(st[0]["cycle_from_host_time"] == false);
  BOOST_TEST(st[9]["name"] == "igb_clean_rx_irq");
  BOOST_TEST(st[9]["skb"]["data"] == 66);
  BOOST_TEST(st[9]["skb"]["len"] == 1514);
  BOOST_TEST(st[9]["cycle_from_host_time"] == true);
  BOOST_TEST(st[9]["detail"] == "q0 desc 17");
  BOOST_TEST(o["outcome"]["kind"] == "delivered");
  BOOST_TEST(o["outcome"]["latency_ns"].get<double>() == 4360.0);
  std::ostringstream again;
  j.write_json(again);
  BOOST_TEST(again.str() == js.str());
}

// An MSI-X the NIC names for a frame the driver had already cleaned while
// polling is not part of the journey; the text and JSON say it was polled.
BOOST_AUTO_TEST_CASE(msix_after_the_driver_cleaned_it_is_left_out) {
  Journey j(9);
  j.add(nic(9, "xgmii_start", 100));
  j.add(nic(9, "writeback", 400, "queue 0 desc 3"));
  j.add(host(9, "igb_clean_rx_irq", 0, 4000.0, skb(192, 782, 2048, 590)));
  j.add(host(9, "udp_recvmsg", 1, 9000.0, skb(234, 782, 2048, 548)));
  j.add(nic(9, "msix", 100000, "vector 0"));  // 640 us: long after recv
  const std::string t = j.text();
  for (const std::string& row : table(t)) BOOST_TEST(row.find("msix") == std::string::npos, row);
  BOOST_TEST(t.find("no MSI-X reported it") != std::string::npos);
  BOOST_TEST(t.find("delivered") != std::string::npos);
  std::ostringstream os;
  j.write_json(os);
  auto js = nlohmann::json::parse(os.str());
  BOOST_TEST(js["found_by_polling"].get<bool>());
  BOOST_TEST(js["stages"].size() == 4u);

  // Before the driver cleaned it, the MSI-X is the one that reported it: kept.
  Journey k(9);
  k.add(nic(9, "writeback", 400));
  k.add(nic(9, "msix", 410, "vector 0"));
  k.add(host(9, "igb_clean_rx_irq", 0, 4000.0, skb(192, 782, 2048, 590)));
  BOOST_TEST(k.text().find("no MSI-X reported it") == std::string::npos);
  BOOST_TEST(table(k.text()).size() == 3u);
}

// A frame the NIC wrote back but no host stage names (a replayed capture's
// frames carry no number; or the driver had not cleaned it yet) is not said to
// be in flight: the journey says it cannot tell. Without a writeback it is
// in flight (still in the NIC).
BOOST_AUTO_TEST_CASE(written_back_without_host_stages_is_host_unknown) {
  Journey j(77);
  j.add(nic(77, "xgmii_start", 4606));
  j.add(nic(77, "writeback", 4681));
  const std::string t = j.text();
  BOOST_TEST(t.find("written back to host memory at 29958.400 ns; no host stage carries") != std::string::npos, t);
  BOOST_TEST(t.find("in flight") == std::string::npos, t);
  std::ostringstream js;
  j.write_json(js);
  BOOST_TEST(nlohmann::json::parse(js.str())["outcome"]["kind"] == "host_unknown");

  Journey k(78);
  k.add(nic(78, "xgmii_start", 4700));
  k.add(nic(78, "desc_assign", 4720));
  BOOST_TEST(k.text().find("in flight") != std::string::npos, k.text());
}
