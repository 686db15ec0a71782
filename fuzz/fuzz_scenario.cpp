// SPDX-License-Identifier: MIT
// fuzz_scenario: the input is a scenario file, optionally followed by a NUL
// byte and --set overrides one a line. It goes through what `rxpath` does
// before it builds a system: the knob table reads the file and the
// overrides, Scenario::finish() checks the knobs against each other.
//
// Either it is refused with a clean error (ScenarioError, or
// std::invalid_argument from finish(), with a message), or it is accepted,
// and then:
//   - the effective scenario (Knobs::dump_toml) reads back into a fresh
//     scenario, passes finish() again and dumps to the same text (the dump is
//     what a report records as "the scenario that ran");
//   - Knobs::dump_json is one JSON object (nlohmann::json parses it);
//   - the traffic source builds from it and makes its first frames.
// Anything else (another exception, a crash, a sanitizer report) is a finding.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include <nlohmann/json.hpp>

#include "testbench/scenario.hpp"
#include "testbench/traffic.hpp"

namespace {

using rxpath::tb::Knobs;
using rxpath::tb::Scenario;
using rxpath::tb::ScenarioError;

[[noreturn]] void finding(const std::string& what) {
  std::fprintf(stderr, "fuzz_scenario: %s\n", what.c_str());
  std::abort();
}

// A refusal must say what is wrong.
void clean(const std::exception& e) {
  if (std::string(e.what()).empty()) finding("an error without a message");
}

// A scenario with its knob table, built once: registering a few hundred
// knobs per input would cost most of the time. Every knob reads and writes
// only its field (Knobs' setters and getters), so putting the fields back to
// what they were after registration gives what a fresh table would.
struct Table {
  Scenario cfg;
  Knobs knobs;
  Scenario pristine;
  Table() {
    cfg.add_knobs(knobs);
    pristine = cfg;
  }
  void reset() { cfg = pristine; }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string in(reinterpret_cast<const char*>(data), size);
  const size_t nul = in.find('\0');
  const std::string toml = in.substr(0, nul);
  const std::string sets = nul == std::string::npos ? "" : in.substr(nul + 1);

  static Table first, second;
  first.reset();
  Scenario& cfg = first.cfg;
  Knobs& knobs = first.knobs;
  try {
    knobs.load_string(toml, "fuzz.toml");
    size_t pos = 0;
    while (pos < sets.size()) {
      size_t end = sets.find('\n', pos);
      if (end == std::string::npos) end = sets.size();
      knobs.apply_override(sets.substr(pos, end - pos));
      pos = end + 1;
    }
    cfg.finish();
  } catch (const ScenarioError& e) {
    clean(e);
    return 0;
  } catch (const std::invalid_argument& e) {
    clean(e);
    return 0;
  }

  // Accepted: the dump reads back as the same scenario.
  const std::string dump = knobs.dump_toml();
  second.reset();
  Scenario& again = second.cfg;
  Knobs& again_knobs = second.knobs;
  try {
    again_knobs.load_string(dump, "dump.toml");
    again.finish();
  } catch (const std::exception& e) {
    finding(std::string("the dump of an accepted scenario is refused: ") + e.what() + "\n--- dump\n" + dump);
  }
  if (again_knobs.dump_toml() != dump)
    finding("the dump reads back as another scenario:\n--- first\n" + dump + "--- again\n" + again_knobs.dump_toml());
  const auto json = nlohmann::json::parse(knobs.dump_json(), nullptr, false);
  if (json.is_discarded() || !json.is_object()) finding("dump_json is not a JSON object:\n" + knobs.dump_json());

  // The traffic source builds and makes frames (a replay would open a file
  // the input names: fuzz_pcap covers the replay).
  if (cfg.traffic.pattern != "pcap") {
    try {
      rxpath::tb::TrafficGen gen(cfg.traffic, rxpath::tb::parse_mac(cfg.host_mac), rxpath::tb::parse_ipv4(cfg.host_ip));
      rxpath::tb::GenFrame f;
      for (int i = 0; i < 16 && gen.next(f); ++i)
        if (f.data.size() < 14) finding("the traffic source made a frame shorter than an Ethernet header");
    } catch (const std::invalid_argument& e) {
      clean(e);  // impossible traffic parameters finish() lets through: refused before the run, cleanly
    }
  }
  return 0;
}
