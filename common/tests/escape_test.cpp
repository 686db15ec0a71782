// SPDX-License-Identifier: MIT
// common/escape.hpp against two independent parsers: nlohmann::json (JSON,
// RFC 8259) and toml++ (TOML 1.0) must each read the quoted, escaped text
// back as the original bytes, for every ASCII character.
#define BOOST_TEST_MODULE escape
#include <boost/test/unit_test.hpp>

#include <toml++/toml.h>
#include <nlohmann/json.hpp>

#include <string>

#include "common/escape.hpp"

namespace {

std::string quoted(const std::string& s) {
  std::string out = "\"";
  rxpath::common::append_escaped(out, s);
  return out + "\"";
}

// Every ASCII character but NUL (a C string, in TOML too, cannot hold it),
// each alone and all together.
std::string all_ascii() {
  std::string s;
  for (int c = 1; c < 0x80; ++c) s += static_cast<char>(c);
  return s;
}

}  // namespace

BOOST_AUTO_TEST_CASE(json_reads_back_every_ascii_character) {
  for (int c = 1; c < 0x80; ++c) {
    const std::string s(1, static_cast<char>(c));
    BOOST_TEST(nlohmann::json::parse(quoted(s)).get<std::string>() == s, "character " << c);
  }
  BOOST_TEST(nlohmann::json::parse(quoted(all_ascii())).get<std::string>() == all_ascii());
}

BOOST_AUTO_TEST_CASE(toml_reads_back_every_ascii_character) {
  for (int c = 1; c < 0x80; ++c) {
    const std::string s(1, static_cast<char>(c));
    const toml::parse_result t = toml::parse("k = " + quoted(s));
    BOOST_TEST(t["k"].value_or(std::string("<not a string>")) == s, "character " << c);
  }
  const toml::parse_result t = toml::parse("k = " + quoted(all_ascii()));
  BOOST_TEST(t["k"].value_or(std::string()) == all_ascii());
}

// UTF-8 passes through unchanged (both formats take it raw).
BOOST_AUTO_TEST_CASE(utf8_is_left_as_it_is) { BOOST_TEST(quoted("µs") == "\"µs\""); }
