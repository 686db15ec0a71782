// SPDX-License-Identifier: MIT
// Study files: parsing, the expansion of axes (values, linear and log
// ranges; grid and zip), replicas and seeds, and the errors that name the
// file, the line and the key before anything runs.
#define BOOST_TEST_MODULE study_test
#include "testing/sc_test.hpp"

#include <string>
#include <vector>

#include "study/study.hpp"
#include "testing/rxpath_run.hpp"

namespace rs = rxpath::study;
namespace tt = boost::test_tools;

namespace {

rs::Plan expand(const std::string& text) { return rs::expand_string(text, "s.toml", "."); }

// The error expand() throws ("" when it does not).
std::string error_of(const std::string& text) {
  try {
    expand(text);
  } catch (const rs::StudyError& e) {
    return e.what();
  }
  return "";
}

// The line of the scenario `key = ` in a run's scenario dump, within [table].
std::string knob_in(const std::string& scenario, const std::string& table, const std::string& leaf) {
  const size_t t = scenario.find("[" + table + "]\n");
  if (t == std::string::npos) return "";
  const size_t k = scenario.find("\n" + leaf + " = ", t);
  if (k == std::string::npos) return "";
  const size_t v = k + leaf.size() + 4, e = scenario.find('\n', v);
  return scenario.substr(v, e - v);
}

}  // namespace

// Oracle: numpy.linspace(0.5, 10, 8) = 0.5 + k * 9.5 / 7, written out by hand.
BOOST_AUTO_TEST_CASE(linear_range_is_linspace) {
  const std::vector<double> v = rs::range_values(0.5, 10.0, 8, "linear");
  const std::vector<double> want = {0.5,
                                    1.8571428571428572,
                                    3.2142857142857144,
                                    4.571428571428571,
                                    5.928571428571429,
                                    7.285714285714286,
                                    8.642857142857142,
                                    10.0};
  // range_values keeps 12 significant digits (e2961b3): a relative error
  // up to 5e-12 against linspace's full-precision values.
  BOOST_TEST(v == want, tt::tolerance(5e-12) << tt::per_element());
  BOOST_TEST(v.back() == 10.0);  // the end is exact, not a rounding
}

// Oracle: numpy.logspace(0, 3, 4) = 1, 10, 100, 1000; geomspace(64, 1024, 5)
// doubles each step.
BOOST_AUTO_TEST_CASE(log_range_is_geometric) {
  const std::vector<double> v = rs::range_values(1, 1000, 4, "log");
  const std::vector<double> want = {1, 10, 100, 1000};
  BOOST_TEST(v == want, tt::tolerance(1e-12) << tt::per_element());
  const rs::Plan p = expand(
      "[study]\nname = \"t\"\n[[axis]]\nknob = \"igb.rx_ring\"\n"
      "range = { from = 64, to = 1024, steps = 5, scale = \"log\" }\n");
  const std::vector<std::string> ring = {"64", "128", "256", "512", "1024"};
  BOOST_TEST(p.axes.at(0).values == ring, tt::per_element());
}

// A grid is the product (the last axis fastest); each run's scenario carries
// its axis values and traffic.seed = seed + replica.
BOOST_AUTO_TEST_CASE(grid_with_replicas) {
  const rs::Plan p = expand(
      "[study]\nname = \"g\"\nreplicas = 2\nseed = 7\n"
      "[scenario]\nrun.duration_us = 50\nnic.model = \"double\"\n"
      "[[axis]]\nknob = \"igb.rx_ring\"\nvalues = [64, 256, 1024]\n"
      "[[axis]]\nknob = \"app.mode\"\nvalues = [\"epoll\", \"select\"]\n");
  BOOST_TEST(p.points() == 6u);
  BOOST_REQUIRE(p.runs.size() == 12u);
  const rs::Run& r = p.runs[3];  // point 1 (ring 64, select), replica 1
  BOOST_TEST(r.id() == "001-r1");
  BOOST_TEST(r.seed == 8u);
  BOOST_TEST(knob_in(r.scenario, "igb", "rx_ring") == "64");
  BOOST_TEST(knob_in(r.scenario, "app", "mode") == "\"select\"");
  BOOST_TEST(knob_in(r.scenario, "traffic", "seed") == "8");
  BOOST_TEST(knob_in(r.scenario, "run", "duration_us") == "50.0");
  BOOST_TEST(knob_in(r.scenario, "nic", "model") == "\"double\"");
  BOOST_TEST(knob_in(p.runs[11].scenario, "igb", "rx_ring") == "1024");
  BOOST_TEST(knob_in(p.runs[11].scenario, "app", "mode") == "\"select\"");
  BOOST_TEST(rs::cell_text(r.axis_values[1]) == "select");
}

BOOST_AUTO_TEST_CASE(zip_pairs_values_and_fingerprint_follows_the_scenarios) {
  const std::string text =
      "[study]\nname = \"z\"\ncombine = \"zip\"\n"
      "[[axis]]\nknob = \"igb.rx_ring\"\nvalues = [64, 512]\n"
      "[[axis]]\nknob = \"traffic.rate_gbps\"\nrange = { from = 1, to = 2, steps = 2 }\n";
  const rs::Plan p = expand(text);
  BOOST_REQUIRE(p.runs.size() == 2u);
  BOOST_TEST(knob_in(p.runs[1].scenario, "igb", "rx_ring") == "512");
  BOOST_TEST(knob_in(p.runs[1].scenario, "traffic", "rate_gbps") == "2.0");
  BOOST_TEST(expand(text).fingerprint == p.fingerprint);
  std::string changed = text;
  changed.replace(changed.find("512"), 3, "1024");
  BOOST_TEST(expand(changed).fingerprint != p.fingerprint);
}

// Every mistake is found before a run, with file:line and the key.
BOOST_AUTO_TEST_CASE(errors_name_file_line_and_key) {
  struct Case {
    const char* text;
    const char* says;
  };
  const Case cases[] = {
      {"[study]\nname = \"e\"\n[[axis]]\nknob = \"igb.rx_rign\"\nvalues = [64]\n", "s.toml:4:"},
      {"[study]\nname = \"e\"\n[[axis]]\nknob = \"igb.rx_rign\"\nvalues = [64]\n", "did you mean igb.rx_ring"},
      {"[study]\nname = \"e\"\n[[axis]]\nknob = \"igb.rx_ring\"\nvalues = []\n", "s.toml:5:"},
      {"[study]\nname = \"e\"\n[[axis]]\nknob = \"igb.rx_ring\"\nvalues = []\n", "empty axis"},
      {"[study]\nname = \"e\"\n[[axis]]\nknob = \"igb.rx_ring\"\nvalues = [64,\n 8192]\n", "s.toml:6:2: igb.rx_ring"},
      {"[study]\nname = \"e\"\n[[axis]]\nknob = \"igb.rx_ring\"\nvalues = [64]\n[[plot]]\nname = \"p\"\n"
       "x = \"offered_gbps\"\ny = [\"loss_ratio\", \"lossratio\"]\n",
       "s.toml:9:20:"},
      {"[study]\nname = \"e\"\n[[axis]]\nknob = \"igb.rx_ring\"\nvalues = [64]\n[[plot]]\nname = \"p\"\n"
       "x = \"offered_gbps\"\ny = [\"loss_ratio\", \"lossratio\"]\n",
       "no column 'lossratio'"},
      {"[study]\nname = \"e\"\ncombine = \"zip\"\n[[axis]]\nknob = \"igb.rx_ring\"\nvalues = [64, 128]\n"
       "[[axis]]\nknob = \"app.mode\"\nvalues = [\"epoll\"]\n",
       "s.toml:9:"},
      {"[study]\nname = \"e\"\ncombine = \"zip\"\n[[axis]]\nknob = \"igb.rx_ring\"\nvalues = [64, 128]\n"
       "[[axis]]\nknob = \"app.mode\"\nvalues = [\"epoll\"]\n",
       "app.mode has 1 values"},
      {"[study]\nname = \"e\"\n[scenario]\nigb.rx_ring = 5\n", "s.toml:4:"},
      {"[study]\nname = \"e\"\n[scenario]\nigb.bogus = 5\n", "igb.bogus: unknown key"},
      {"[study]\nname = \"e\"\nreplica = 2\n", "s.toml:3:11: study.replica: unknown key"},
      {"[study]\nname = \"e\"\n[[axis]]\nknob = \"app.mode\"\nrange = { from = 1, to = 2, steps = 2 }\n",
       "a range needs a numeric one"},
      {"[study]\nname = \"e\"\n[[axis]]\nknob = \"igb.rx_ring\"\nrange = { from = 0, to = 2, steps = 2, scale = "
       "\"log\" }\n",
       "log range needs from > 0"},
      {"[study]\nname = \"e\"\n[[axis]]\nknob = \"igb.rx_usecs\"\nvalues = [3, 5]\n", "point 1 (igb.rx_usecs = 5)"},
      {"[study]\nname = \"e\"\n[[axis]]\nknob = \"igb.rx_ring\"\nvalues = [64]\n[[axis]]\nknob = "
       "\"igb.rx_ring\"\nvalues = [128]\n",
       "swept twice"},
      {"[study\n", "s.toml:1:"},
  };
  for (const Case& c : cases) {
    const std::string err = error_of(c.text);
    BOOST_TEST_INFO(c.text);
    BOOST_TEST(err.find(c.says) != std::string::npos, "'" << c.says << "' in: " << err);
  }
}

// Point folders sort in point order: 4 digits from 1000 points on.
BOOST_AUTO_TEST_CASE(ids_sort_in_point_order) {
  const rs::Plan small = expand(
      "[study]\nname = \"w\"\n[[axis]]\nknob = \"app.idle_fds\"\nrange = { from = 0, to = 999, steps = 1000 }\n");
  BOOST_TEST(small.runs.back().id() == "999-r0");
  const rs::Plan big = expand(
      "[study]\nname = \"w\"\n[[axis]]\nknob = \"app.idle_fds\"\nrange = { from = 0, to = 1000, steps = 1001 }\n");
  BOOST_TEST(big.runs.front().id() == "0000-r0");
  BOOST_TEST(big.runs.back().id() == "1000-r0");
}

// The base scenario is read relative to the study file.
BOOST_AUTO_TEST_CASE(base_is_relative_to_the_study) {
  const std::string dir = rxpath::testing::test_arg(1, "usage: study_test -- <study/tests>");
  const rs::Plan p = rs::expand_file(dir + "/tiny.toml");
  BOOST_REQUIRE(!p.runs.empty());
  BOOST_TEST(knob_in(p.runs[0].scenario, "nic", "model") == "\"double\"");  // from tiny-base.toml
  BOOST_TEST(knob_in(p.runs[0].scenario, "run", "duration_us") == "40.0");  // [scenario] over the base
}
