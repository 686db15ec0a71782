// SPDX-License-Identifier: MIT
// Scenario knobs: every tunable of a run (NIC, link, host costs, driver,
// stack, application, traffic) is one named knob with a type, a default, a
// range and a line of documentation. A scenario file (TOML) and command-line
// overrides (`--set nic.ring_size=512`) set them; anything unknown or out of
// range is an error that names the file, the line and the key.
//
// Components register their knobs against their own config structs, so a
// knob's default lives beside the field it sets and nowhere else.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

namespace rxpath::tb {

// An error in a scenario file or an override: what() reads
// "<file>:<line>:<column>: <key>: <message>" (or "--set <arg>: ...").
class ScenarioError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class Knobs {
 public:
  // Integer knob in [min, max].
  void add_int(const std::string& key, int64_t* target, int64_t def, int64_t min, int64_t max, const std::string& doc);
  // Unsigned integer knob in [min, max] written into any unsigned field width.
  template <typename T>
  void add_uint(const std::string& key, T* target, uint64_t def, uint64_t min, uint64_t max, const std::string& doc) {
    *target = static_cast<T>(def);
    add_generic(
        key, Kind::integer, std::to_string(def), doc, range_text(min, max),
        [target, min, max, key](const Value& v) {
          if (v.i < 0 || static_cast<uint64_t>(v.i) < min || static_cast<uint64_t>(v.i) > max)
            throw std::out_of_range("must be in " + range_text(min, max));
          *target = static_cast<T>(v.i);
        },
        [target] { return std::to_string(*target); });
  }
  // Signed integer knob in [min, max] written into any signed field width.
  template <typename T>
  void add_sint(const std::string& key, T* target, int64_t def, int64_t min, int64_t max, const std::string& doc) {
    *target = static_cast<T>(def);
    const std::string range = "[" + std::to_string(min) + ", " + std::to_string(max) + "]";
    add_generic(
        key, Kind::integer, std::to_string(def), doc, range,
        [target, min, max, range](const Value& v) {
          if (v.i < min || v.i > max) throw std::out_of_range("must be in " + range);
          *target = static_cast<T>(v.i);
        },
        [target] { return std::to_string(*target); });
  }
  // Floating knob in [min, max].
  void add_double(const std::string& key, double* target, double def, double min, double max, const std::string& doc);
  void add_bool(const std::string& key, bool* target, bool def, const std::string& doc);
  // String knob; when `choices` is not empty the value must be one of them.
  void add_string(const std::string& key, std::string* target, const std::string& def, const std::string& doc,
                  std::vector<std::string> choices = {});

  // Reads a TOML scenario file. Throws ScenarioError naming file, line and key.
  void load_file(const std::string& path);
  // Reads TOML text (for tests and embedded scenarios); `name` stands for the file.
  void load_string(const std::string& text, const std::string& name);
  // Applies one "key=value" override from the command line.
  void apply_override(const std::string& assignment);
  // Sets `key` to `value`, written as in a scenario file ("64", "0.5",
  // "\"epoll\""; a string knob also takes it bare); errors read
  // "<where>: <key>: ...". Studies set axis values through it.
  void apply_value(const std::string& key, const std::string& value, const std::string& where);
  // "integer", "number", "boolean" or "string"; "" for an unknown key.
  std::string type_of(const std::string& key) const;

  bool has(const std::string& key) const { return knobs_.count(key) != 0; }
  // Where `key` was last set ("file.toml:3:1", "--set key=value"); empty
  // while it has its default. Errors that involve two knobs name both.
  std::string origin(const std::string& key) const;
  // The effective value of every knob (the field it sets, read now: after
  // Scenario::finish() a ring of 100 reads 104), as a TOML document sorted
  // by key, strings escaped; load_string() reads it back as the same scenario.
  std::string dump_toml() const;
  // The same effective values as one flat JSON object ("igb.rx_ring": 104):
  // a TOML value's text is a JSON value's text for every kind of knob.
  std::string dump_json() const;
  // A Markdown table of every knob: key, type, default, range, documentation.
  std::string docs_markdown() const;
  std::vector<std::string> keys() const;

 private:
  enum class Kind { integer, floating, boolean, string };
  struct Value {
    int64_t i = 0;
    double d = 0;
    bool b = false;
    std::string s;
  };
  struct Knob {
    Kind kind;
    std::string def_text;
    std::string doc;
    std::string range;
    std::function<void(const Value&)> set;
    std::string current;               // text of the value as set
    std::function<std::string()> get;  // text of the field's value now (TOML)
    std::string origin;                // where it was set; empty: the default
  };

  void add_generic(const std::string& key, Kind kind, const std::string& def_text, const std::string& doc,
                   const std::string& range, std::function<void(const Value&)> set,
                   std::function<std::string()> get = {});
  void assign(const std::string& key, const Value& v, const std::string& text, const std::string& where);
  std::string suggest(const std::string& key) const;
  static std::string range_text(uint64_t min, uint64_t max);

 public:
  // `s` as a TOML basic string, quotes included ("a\"b", "\u0001").
  static std::string toml_quote(const std::string& s);

 private:
  static const char* kind_name(Kind k);
  // A TOML value (toml::node; a template so this header needs no toml++) as
  // a knob of `kind` takes it: scenario files and --set share it.
  template <class TomlNode>
  static Value from_node(const TomlNode& node, Kind kind, const std::string& key, const std::string& where,
                         std::string* textv);

  std::map<std::string, Knob> knobs_;
};

}  // namespace rxpath::tb
