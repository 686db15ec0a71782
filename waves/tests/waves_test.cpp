// SPDX-License-Identifier: MIT
// waves: host signals and their window, triggers, and the FST merge (RTL
// hierarchy and changes copied, host scopes added, window applied).
#define BOOST_TEST_MODULE waves
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <cstdio>
#include <sstream>
#include <string>
#include <unistd.h>

#include "fst_merge.hpp"
#include "gtkwave/fstapi.h"
#include "host_signals.hpp"
#include "trigger.hpp"

using namespace rxpath::waves;

namespace {
std::string tmp(const std::string& name) { return "/tmp/waves_test_" + std::to_string(::getpid()) + "_" + name; }

// A small "RTL" FST: TOP.nic.clk toggling every 1000 ps, TOP.nic.cnt[3:0]
// counting on rising edges, timescale 1 ps.
std::string make_rtl(uint64_t until_ps) {
  const std::string p = tmp("rtl.fst");
  void* w = fstWriterCreate(p.c_str(), 1);
  BOOST_REQUIRE(w);
  fstWriterSetTimescale(w, -12);
  fstWriterSetScope(w, FST_ST_VCD_MODULE, "TOP", nullptr);
  fstWriterSetScope(w, FST_ST_VCD_MODULE, "nic", nullptr);
  const fstHandle clk = fstWriterCreateVar(w, FST_VT_VCD_WIRE, FST_VD_INPUT, 1, "clk", 0);
  const fstHandle cnt = fstWriterCreateVar(w, FST_VT_VCD_REG, FST_VD_IMPLICIT, 4, "cnt", 0);
  fstWriterCreateVar(w, FST_VT_VCD_REG, FST_VD_IMPLICIT, 4, "cnt_alias", cnt);
  fstWriterSetUpscope(w);
  fstWriterSetUpscope(w);
  unsigned c = 0;
  for (uint64_t t = 0; t <= until_ps; t += 1000) {
    fstWriterEmitTimeChange(w, t);
    const bool rise = (t / 1000) % 2 == 1;
    fstWriterEmitValueChange(w, clk, rise ? "1" : "0");
    if (rise) ++c;
    std::string v(4, '0');
    for (int i = 0; i < 4; ++i) v[3 - i] = (c >> i & 1) ? '1' : '0';
    fstWriterEmitValueChange(w, cnt, v.c_str());
  }
  fstWriterClose(w);
  return p;
}
}  // namespace

BOOST_AUTO_TEST_CASE(host_signals_keep_changes_inside_the_window_and_the_opening_value) {
  HostSignals h;
  const int a = h.declare("host.cpu0.context", 0);
  const int b = h.declare("host.ring.rx0.free", 16);
  BOOST_TEST(h.declare("host.ring.rx0.free", 16) == b);
  BOOST_CHECK_THROW(h.declare("host.ring.rx0.free", 8), std::invalid_argument);
  BOOST_CHECK_THROW(h.declare("nodots", 8), std::invalid_argument);
  BOOST_CHECK_THROW(h.declare("host..x", 8), std::invalid_argument);
  BOOST_CHECK_THROW(h.set_window(10, 5), std::invalid_argument);
  h.set_window(1000, 2000);
  h.set_str(a, "idle", 0);
  h.set(b, 255, 100);
  h.set(b, 250, 900);       // last value before the window: opens it
  h.set_str(a, "softirq", 1500);
  h.set(b, 250, 1600);      // no change: not kept
  h.set(b, 240, 1700);
  h.set(b, 7, 2500);        // after the window
  BOOST_TEST(h.kept() == 2u);
  const auto c = h.changes();
  BOOST_REQUIRE(c.size() == 4u);
  BOOST_TEST(c[0].t == 1000u);
  BOOST_TEST(c[1].t == 1000u);
  BOOST_TEST(c[2].t == 1500u);
  BOOST_TEST(h.str(c[2].value) == "softirq");
  BOOST_TEST(c[3].value == 240u);
  BOOST_TEST(h.value(b) == 7u);   // the current value is still tracked
}

BOOST_AUTO_TEST_CASE(changes_are_sorted_by_time_across_signals) {
  HostSignals h;
  const int a = h.declare("host.a.x", 8), b = h.declare("host.b.y", 8);
  h.set(a, 1, 500);   // a runs ahead (like the NIC)
  h.set(a, 2, 900);
  h.set(b, 1, 100);   // b arrives later with earlier times
  h.set(b, 2, 700);
  const auto c = h.changes();
  BOOST_REQUIRE(c.size() == 4u);
  for (size_t i = 1; i < c.size(); ++i) BOOST_TEST(c[i - 1].t <= c[i].t);
}

BOOST_AUTO_TEST_CASE(trigger_parse_accepts_the_forms_and_names_the_fault) {
  BOOST_TEST(Trigger::parse("mpc").name() == "nic.mpc");
  BOOST_TEST(Trigger::parse("rnbc").name() == "nic.rnbc");
  BOOST_TEST(Trigger::parse("time_squeeze").matches("host.softnet.cpu0.time_squeeze"));
  BOOST_TEST(!Trigger::parse("time_squeeze").matches("host.softnet.cpu0.processed"));
  const Trigger p = Trigger::parse("packet:42");
  BOOST_TEST((p.kind() == Trigger::Kind::packet));
  BOOST_TEST(p.packet() == 42u);
  Trigger t = Trigger::parse(" host.sock.fd5.rx_queue >= 100 ");
  BOOST_TEST(t.name() == "host.sock.fd5.rx_queue");
  t.value(99, 10);
  BOOST_TEST(!t.fired());
  t.value(100, 20);
  t.value(150, 30);
  BOOST_TEST(t.fired());
  BOOST_TEST(t.time_ps() == 20u);
  Trigger n = Trigger::parse("nic.mpc>=10");
  BOOST_TEST(n.is_nic_counter());
  for (const char* bad : {"", "mcp", "packet:x", "packet:", "host.x >= y", "host.x <= 3", ">= 3", "nic.bogus >= 1", "x>=1"}) {
    BOOST_TEST_INFO("expression '" << bad << "'");
    try {
      Trigger::parse(bad);
      BOOST_TEST(false);
    } catch (const std::invalid_argument& e) {
      BOOST_TEST(std::string(e.what()).find("--trigger") != std::string::npos);
    }
  }
}

BOOST_AUTO_TEST_CASE(merge_copies_the_rtl_and_adds_host_scopes) {
  const std::string rtl = make_rtl(10000);
  HostSignals h;
  const int ctx = h.declare("host.cpu0.context", 0);
  const int fr = h.declare("host.ring.rx0.free", 16);
  const int irq = h.declare("host.irq.vec0.masked", 1);
  h.set_str(ctx, "idle", 0);
  h.set(fr, 256, 0);
  h.set(irq, 0, 0);
  h.set_str(ctx, "hardirq", 2500);   // between RTL times
  h.set(irq, 1, 2500);
  h.set(fr, 255, 3000);              // at an RTL time
  h.set(fr, 254, 20000);             // after the last RTL change
  const std::string out = tmp("merged.fst");
  const MergeStats st = merge_fst(rtl, h, out);
  BOOST_TEST(st.rtl_vars == 2u);
  BOOST_TEST(st.host_vars == 3u);
  BOOST_TEST(st.host_changes == 7u);
  const auto vars = fst_vars(out);
  for (const char* v : {"TOP.nic.clk", "TOP.nic.cnt", "TOP.nic.cnt_alias", "host.cpu0.context", "host.ring.rx0.free",
                        "host.irq.vec0.masked"})
    BOOST_TEST((std::find(vars.begin(), vars.end(), v) != vars.end()), v);
  const std::string host = dump_fst(out, "host.");
  BOOST_TEST(host ==
             "0 host.cpu0.context idle\n"
             "0 host.irq.vec0.masked 0\n"
             "0 host.ring.rx0.free 0000000100000000\n"
             "2500 host.cpu0.context hardirq\n"
             "2500 host.irq.vec0.masked 1\n"
             "3000 host.ring.rx0.free 0000000011111111\n"
             "20000 host.ring.rx0.free 0000000011111110\n");
  // The RTL part is the RTL file's, change for change (the alias too).
  BOOST_TEST(dump_fst(out, "TOP.") == dump_fst(rtl, "TOP."));
  std::remove(rtl.c_str());
  std::remove(out.c_str());
}

BOOST_AUTO_TEST_CASE(merge_window_keeps_inside_only_with_opening_values) {
  const std::string rtl = make_rtl(10000);
  HostSignals h;
  const int fr = h.declare("host.ring.rx0.free", 8);
  h.set_window(4000, 6000);
  h.set(fr, 9, 100);
  h.set(fr, 8, 5000);
  h.set(fr, 7, 7000);
  const std::string out = tmp("window.fst");
  merge_fst(rtl, h, out);
  const std::string d = dump_fst(out);
  BOOST_TEST_INFO(d);
  // Every change at 4000..6000; the counter opens with the value it had at 4000.
  std::istringstream in(d);
  std::string line;
  int n = 0;
  while (std::getline(in, line)) {
    const uint64_t t = std::stoull(line);
    BOOST_TEST((t >= 4000 && t <= 6000), line);
    ++n;
  }
  BOOST_TEST(n > 0);
  BOOST_TEST(d.find("4000 TOP.nic.cnt 0010\n") != std::string::npos);  // 2 rises by 3000 (t=1000, 3000)
  BOOST_TEST(d.find("4000 host.ring.rx0.free 00001001\n") != std::string::npos);
  BOOST_TEST(d.find("5000 host.ring.rx0.free 00001000\n") != std::string::npos);
  BOOST_TEST(d.find("00000111") == std::string::npos);
  std::remove(rtl.c_str());
  std::remove(out.c_str());
}

BOOST_AUTO_TEST_CASE(merge_of_a_missing_rtl_file_names_it) {
  HostSignals h;
  try {
    merge_fst("/nonexistent/rtl.fst", h, tmp("x.fst"));
    BOOST_TEST(false);
  } catch (const std::runtime_error& e) {
    BOOST_TEST(std::string(e.what()).find("/nonexistent/rtl.fst") != std::string::npos);
  }
}
