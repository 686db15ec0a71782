// SPDX-License-Identifier: MIT
// A study: one scenario swept over knob axes. The study file (TOML) names a
// base scenario, knob settings over it, axes (lists of values or ranges,
// combined as a grid or zipped), replicas and plots; expanding it gives the
// plan: every run's full effective scenario, validated with the knob table
// rxpath itself uses before anything runs.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

namespace rxpath::study {

// A bad study file: what() reads "<file>:<line>:<column>: <key>: <message>".
class StudyError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct Axis {
  std::string knob;
  std::vector<std::string> values;  // each as a scenario file writes it ("64", "0.5", "\"epoll\"")
  std::vector<std::string> where;   // file:line:column of each value
};

struct Plot {
  std::string name, x, series, kind;
  std::vector<std::string> y;
};

// One run of the study: point `point`, replica `replica`.
struct Run {
  size_t point = 0, replica = 0;
  int width = 3;  // digits of the point in id(): 3, more for a study of 1000 points or more
  uint64_t seed = 0;
  std::vector<std::string> axis_values;  // the axes' values at this point, as written in the scenario
  std::string scenario;                  // the full effective scenario (rxpath --dump-scenario)
  std::string id() const;                // "003-r1": sorts in point order
};

struct Plan {
  std::string name, description, combine = "grid";
  size_t replicas = 1;
  uint64_t seed = 1;
  std::vector<Axis> axes;
  std::vector<Plot> plots;
  std::vector<Run> runs;    // point-major: every replica of point 0, then point 1, ...
  std::string fingerprint;  // hash of every run's id and scenario: a changed study differs
  size_t points() const { return replicas ? runs.size() / replicas : 0; }
};

// The values a range gives: `steps` values from `from` to `to`, both ends
// included, spaced evenly ("linear") or by a constant ratio ("log").
std::vector<double> range_values(double from, double to, size_t steps, const std::string& scale);

// Reads and expands a study file; every run's scenario is built (base, then
// [scenario], then the axes' values, then traffic.seed) and checked as rxpath
// checks a scenario. Throws StudyError naming the file, line and key.
Plan expand_file(const std::string& path);
Plan expand_string(const std::string& text, const std::string& name, const std::string& dir);

// results.csv: point,replica,seed, one column per axis, status,exit_code, the
// head metrics, drop.<counter> for every drop counter, counter.<name> for
// every counter of the measured window (select/poll/epoll work:
// "counter.select.vfs_poll"), the tail metrics and last the
// machine-dependent columns.
extern const std::vector<std::string> kHeadMetrics;
extern const std::vector<std::string> kTailMetrics;
extern const std::vector<std::string> kMachineColumns;

// A column results.csv has (drop.<anything> and counter.<anything> count:
// the counters come from the runs).
bool is_known_column(const Plan& plan, const std::string& column);

// The text of an axis value in a table: strings without their quotes.
std::string cell_text(const std::string& value);

// 64-bit FNV-1a as 16 hex digits.
std::string fnv1a_hex(const std::string& data);

}  // namespace rxpath::study
