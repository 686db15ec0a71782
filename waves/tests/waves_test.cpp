// SPDX-License-Identifier: MIT
// waves: host signals and their window, triggers, and HostFst (host signals
// written into the RTL's FST between its samples, at their own times).
#define BOOST_TEST_MODULE waves
#include <boost/test/unit_test.hpp>

#include <unistd.h>
#include <algorithm>
#include <cstdio>
#include <sstream>
#include <string>

#include "common/fst_api_sink.hpp"
#include "gtkwave/fstapi.h"
#include "waves/fst_read.hpp"
#include "waves/host_fst.hpp"
#include "waves/host_signals.hpp"
#include "waves/trigger.hpp"

using namespace rxpath::waves;

namespace {
std::string tmp(const std::string& name) { return "/tmp/waves_test_" + std::to_string(::getpid()) + "_" + name; }

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
  h.set(b, 250, 900);  // last value before the window: opens it
  h.set_str(a, "softirq", 1500);
  h.set(b, 250, 1600);  // no change: not kept
  h.set(b, 240, 1700);
  h.set(b, 7, 2500);  // after the window
  BOOST_TEST(h.kept() == 2u);
  const auto c = h.changes();
  BOOST_REQUIRE(c.size() == 4u);
  BOOST_TEST(c[0].t == 1000u);
  BOOST_TEST(c[1].t == 1000u);
  BOOST_TEST(c[2].t == 1500u);
  BOOST_TEST(h.str(c[2].value) == "softirq");
  BOOST_TEST(c[3].value == 240u);
  BOOST_TEST(h.value(b) == 7u);  // the current value is still tracked
}

BOOST_AUTO_TEST_CASE(changes_are_sorted_by_time_across_signals) {
  HostSignals h;
  const int a = h.declare("host.a.x", 8), b = h.declare("host.b.y", 8);
  h.set(a, 1, 500);  // a runs ahead (like the NIC)
  h.set(a, 2, 900);
  h.set(b, 1, 100);  // b arrives later with earlier times
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
  for (const char* bad :
       {"", "mcp", "packet:x", "packet:", "host.x >= y", "host.x <= 3", ">= 3", "nic.bogus >= 1", "x>=1"}) {
    BOOST_TEST_INFO("expression '" << bad << "'");
    try {
      Trigger::parse(bad);
      BOOST_TEST(false);
    } catch (const std::invalid_argument& e) {
      BOOST_TEST(std::string(e.what()).find("--trigger") != std::string::npos);
    }
  }
}

// Plays NicSc's part: one RTL sample per "clock" (every 1000 ps, counter
// TOP.nic.cnt), HostFst::on_dump before each sample and once after the
// first, host changes made as a simulation would make them (a change at time
// h is known before the sample at any t > h), then the closing call.
struct Run {
  std::string path = tmp("hostfst.fst");
  void* w = nullptr;
  fstHandle cnt = 0;
  Run() {
    w = fstWriterCreate(path.c_str(), 1);
    BOOST_REQUIRE(w);
    fstWriterSetTimescale(w, -12);
    fstWriterSetScope(w, FST_ST_VCD_MODULE, "TOP", nullptr);
    fstWriterSetScope(w, FST_ST_VCD_MODULE, "nic", nullptr);
    cnt = fstWriterCreateVar(w, FST_VT_VCD_REG, FST_VD_IMPLICIT, 4, "cnt", 0);
    fstWriterSetUpscope(w);
    fstWriterSetUpscope(w);
  }
  void sample(uint64_t t) {
    fstWriterEmitTimeChange(w, t);
    std::string v(4, '0');
    const unsigned c = static_cast<unsigned>(t / 1000);
    for (int i = 0; i < 4; ++i) v[3 - i] = (c >> i & 1) ? '1' : '0';
    fstWriterEmitValueChange(w, cnt, v.c_str());
  }
  // Samples from `from` to `to`; before each sample at t, `host(t)` makes the
  // host changes whose time is below t.
  template <class F>
  void run(HostFst& hf, uint64_t from, uint64_t to, F&& host) {
    rxpath::common::FstApiSink sink(w);
    for (uint64_t t = from; t <= to; t += 1000) {
      host(t);
      if (t != from) hf.on_dump(sink, t, false);
      sample(t);
      if (t == from) hf.on_dump(sink, t, true);
    }
    hf.on_dump(sink, UINT64_MAX, false);
    fstWriterClose(w);
  }
  ~Run() { std::remove(path.c_str()); }
};

BOOST_AUTO_TEST_CASE(host_signals_go_into_the_fst_at_their_own_times) {
  HostSignals h;
  const int ctx = h.declare("host.cpu0.context", 0);
  const int fr = h.declare("host.ring.rx0.free", 16);
  h.set_str(ctx, "idle", 0);
  h.set(fr, 256, 0);
  HostFst hf(h);
  Run r;
  int late_sig = -1;
  r.run(hf, 0, 5000, [&](uint64_t t) {
    if (t == 3000) {
      h.set_str(ctx, "hardirq", 2500);                     // between two samples
      h.set(fr, 255, 2000);                                // at a sample's time, made after that sample
      late_sig = h.declare("host.sock.fd4.rx_queue", 32);  // declared mid-run
      h.set(late_sig, 3, 2600);
    }
    if (t == 5000) h.set(fr, 254, 4999);
  });
  BOOST_TEST(hf.late() == 0u);
  BOOST_TEST(hf.vars() == 3u);
  BOOST_TEST(hf.changes() == 6u);
  const auto vars = fst_vars(r.path);
  for (const char* v : {"TOP.nic.cnt", "host.cpu0.context", "host.ring.rx0.free", "host.sock.fd4.rx_queue"})
    BOOST_TEST((std::find(vars.begin(), vars.end(), v) != vars.end()), v);
  BOOST_TEST(dump_fst(r.path, "host.") ==
             "0 host.cpu0.context idle\n"
             "0 host.ring.rx0.free 0000000100000000\n"
             "2000 host.ring.rx0.free 0000000011111111\n"
             "2500 host.cpu0.context hardirq\n"
             "2600 host.sock.fd4.rx_queue 00000000000000000000000000000011\n"
             "4999 host.ring.rx0.free 0000000011111110\n");
  // The RTL samples are untouched: one per 1000 ps.
  const std::string rtl = dump_fst(r.path, "TOP.");
  BOOST_TEST(rtl.find("3000 TOP.nic.cnt 0011\n") != std::string::npos);
  BOOST_TEST(rtl.find("5000 TOP.nic.cnt 0101\n") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(host_fst_window_opens_with_the_values_from_before_it) {
  HostSignals h;
  const int fr = h.declare("host.ring.rx0.free", 8);
  h.set_window(4000, 6000);
  h.set(fr, 9, 100);
  HostFst hf(h);
  Run r;
  r.run(hf, 4000, 6000, [&](uint64_t t) {
    if (t == 6000) h.set(fr, 8, 5000);
  });
  h.set(fr, 7, 7000);  // after the window: not kept
  const std::string d = dump_fst(r.path, "host.");
  BOOST_TEST(d == "4000 host.ring.rx0.free 00001001\n5000 host.ring.rx0.free 00001000\n");
  BOOST_TEST(hf.late() == 0u);
}

BOOST_AUTO_TEST_CASE(a_change_that_comes_too_late_is_counted) {
  HostSignals h;
  const int fr = h.declare("host.ring.rx0.free", 8);
  HostFst hf(h);
  Run r;
  r.run(hf, 0, 3000, [&](uint64_t t) {
    if (t == 3000) h.set(fr, 5, 1000);  // known only after the sample at 2000: a broken schedule
  });
  BOOST_TEST(hf.late() == 1u);
  BOOST_TEST(dump_fst(r.path, "host.") == "2000 host.ring.rx0.free 00000101\n");
}

BOOST_AUTO_TEST_CASE(reading_a_missing_fst_names_it) {
  try {
    (void)fst_vars("/nonexistent/rtl.fst");
    BOOST_TEST(false);
  } catch (const std::runtime_error& e) {
    BOOST_TEST(std::string(e.what()).find("/nonexistent/rtl.fst") != std::string::npos);
  }
}
