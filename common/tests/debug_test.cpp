// SPDX-License-Identifier: MIT
// The debug registry: registration, enable by list or "all", unknown names,
// help text and the one line format. Uses its own categories only.
#define BOOST_TEST_MODULE common_debug
#include <boost/test/unit_test.hpp>

#include <stdexcept>
#include <string>
#include <vector>

#include "common/debug.hpp"

namespace dbg = rxpath::common::debug;

namespace {

dbg::Flag alpha("t_alpha", "test layer b", "the first test category");
dbg::Flag beta("t_beta", "test layer b", "the second test category");
dbg::Flag gamma_flag("t_gamma", "test layer a", "a category of another layer");

// Every case starts with everything off and lines going to a vector.
struct Lines {
  std::vector<std::string> got;
  Lines() {
    dbg::disable_all();
    dbg::set_sink([this](const std::string& l) { got.push_back(l); });
  }
  ~Lines() {
    dbg::disable_all();
    dbg::set_sink({});
  }
};

}  // namespace

BOOST_FIXTURE_TEST_CASE(a_list_switches_on_what_it_names, Lines) {
  BOOST_TEST(!alpha.on());
  dbg::enable("t_alpha,,t_gamma");
  BOOST_TEST(alpha.on());
  BOOST_TEST(!beta.on());
  BOOST_TEST(gamma_flag.on());
  dbg::disable_all();
  BOOST_TEST(!alpha.on());
  BOOST_TEST(!gamma_flag.on());
}

BOOST_FIXTURE_TEST_CASE(all_switches_on_every_category, Lines) {
  dbg::enable("all");
  BOOST_TEST(alpha.on());
  BOOST_TEST(beta.on());
  BOOST_TEST(gamma_flag.on());
}

BOOST_FIXTURE_TEST_CASE(an_unknown_name_is_named_with_the_known_ones_and_changes_nothing, Lines) {
  try {
    dbg::enable("t_alpha,bogus");
    BOOST_FAIL("no exception");
  } catch (const std::invalid_argument& e) {
    const std::string m = e.what();
    BOOST_TEST(m.find("'bogus'") != std::string::npos, m);
    BOOST_TEST(m.find("t_alpha, t_beta, t_gamma") != std::string::npos, m);
  }
  BOOST_TEST(!alpha.on());
}

BOOST_AUTO_TEST_CASE(a_name_is_registered_once) {
  BOOST_CHECK_THROW(dbg::Flag("t_alpha", "test layer c", "again"), std::logic_error);
  BOOST_CHECK_THROW(dbg::Flag("all", "test layer c", "reserved"), std::logic_error);
  BOOST_CHECK_THROW(dbg::Flag("a,b", "test layer c", "a list"), std::logic_error);
  {
    dbg::Flag local("t_local", "test layer c", "lives in this scope");
    BOOST_TEST(dbg::flags().size() == 4u);
  }
  BOOST_TEST(dbg::flags().size() == 3u);
}

BOOST_AUTO_TEST_CASE(help_groups_by_layer_in_name_order) {
  BOOST_TEST(dbg::help() ==
             "test layer a:\n"
             "  t_gamma  a category of another layer\n"
             "test layer b:\n"
             "  t_alpha  the first test category\n"
             "  t_beta   the second test category\n");
}

BOOST_FIXTURE_TEST_CASE(one_line_format_time_in_us_then_category_then_message, Lines) {
  BOOST_TEST(dbg::format(12345600, alpha, "hello") == "    12.345600 us t_alpha hello");
  BOOST_TEST(dbg::format(0, alpha, "x") == "     0.000000 us t_alpha x");
  BOOST_TEST(dbg::format(1234567890123, beta, "y") == "1234567.890123 us t_beta y");
  dbg::enable("t_alpha");
  RXPATH_DPRINTF(alpha, 6400, "reg 0x%05x = %u", 0x818u, 7u);
  RXPATH_DSTREAM(alpha, 12800, "poll " << 3 << "/" << 64);
  RXPATH_DPRINTF(beta, 0, "not shown %d", 1);
  RXPATH_DSTREAM(beta, 0, "not shown");
  BOOST_TEST(got.size() == 2u);
  BOOST_TEST(got.at(0) == "     0.006400 us t_alpha reg 0x00818 = 7");
  BOOST_TEST(got.at(1) == "     0.012800 us t_alpha poll 3/64");
}

BOOST_FIXTURE_TEST_CASE(a_disabled_category_computes_nothing, Lines) {
  int evaluated = 0;
  auto count = [&] { return ++evaluated; };
  RXPATH_DPRINTF(alpha, count(), "%d", count());
  RXPATH_DSTREAM(alpha, count(), count());
  BOOST_TEST(evaluated == 0);
  BOOST_TEST(got.empty());
}
