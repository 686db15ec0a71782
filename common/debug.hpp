// SPDX-License-Identifier: MIT
// The one registry of debug categories, for every layer.
//
// A layer defines each of its categories once, as a namespace-scope Flag with
// a name (unique across all layers), the layer's name and a one-line
// description: the NIC harness in verilator/vh/debug.cpp, the NIC double in
// nic/double/nic_double.cpp, the host in host/debug.cpp, the stack in
// stack/debug.cpp. The flags register themselves before main(), so
// `rxpath --debug help` prints whatever the program links.
//
//   debug::enable("napi,gro")   switches categories on ("all": every one);
//                               an unknown name throws std::invalid_argument
//                               naming it and the known ones, and switches
//                               nothing on.
//   RXPATH_DPRINTF(flag, time_ps, fmt, ...)   printf-style line
//   RXPATH_DSTREAM(flag, time_ps, a << b)     ostream-style line
//
// Every debug line has one format:
//
//   <time> us <category> <message>
//
// <time> is the simulated time in microseconds with six decimals (exact to
// the picosecond), right-aligned in 13 columns, e.g.
//
//         2.406400 us axil write 00818 <= 00000100 resp 0
//        12.345600 us napi cpu0 poll eth0 work 3/64
//
// The layer supplies the time (the harness its cycle, the host and stack
// SystemC time), so this file needs no SystemC and the plain-C++ RTL tests
// use it too. Lines go to stderr, or to a sink a test sets.
//
// Cost when off: the macros test Flag::on(), an inline read of one bool in a
// static object, so a disabled category is a load and a branch at the call
// site; the time and the message are not computed. The printing functions are
// out of line and cold.
//
// The registry is process-wide, not per simulated system: several Kernels in
// one test process share the switches (and print to the same sink). Not
// thread-safe; SystemC and the harness run in one thread.
#pragma once

#include <cstdint>
#include <functional>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

namespace rxpath::common::debug {

class Flag {
 public:
  // Registers the category. An empty name, one with a comma, "all",
  // "help", or a name already registered throws std::logic_error (at
  // start-up for a namespace-scope flag: a programming error).
  Flag(const char* name, const char* layer, const char* description);
  ~Flag();
  Flag(const Flag&) = delete;
  Flag& operator=(const Flag&) = delete;

  bool on() const { return on_; }
  void set(bool on) { on_ = on; }
  const char* name() const { return name_; }
  const char* layer() const { return layer_; }
  const char* description() const { return description_; }

 private:
  const char* name_;
  const char* layer_;
  const char* description_;
  bool on_ = false;
};

// Switches on the categories of a comma list ("napi,gro"); "all" switches on
// every one. Empty items are skipped. An unknown name throws
// std::invalid_argument("debug: unknown category 'x' (known: a, b, ...)")
// before anything is switched on.
void enable(const std::string& list);
// enable() with $RXPATH_DEBUG, the first time it is called in the process
// (the RTL tests' switch; they have no command line of their own).
void enable_from_env();
void disable_all();

// The registered categories, grouped by layer (layers in name order, each
// layer's categories in the order it defines them).
std::vector<const Flag*> flags();
// `--debug help`: the categories as a table, one "  name  description" line
// each under a line naming its layer.
std::string help();

// Where lines go: a sink receives each line without its newline; an empty
// function restores stderr.
void set_sink(std::function<void(const std::string&)> sink);
// One line in the format above, without the newline.
std::string format(uint64_t time_ps, const Flag& flag, std::string_view message);
// The slow paths of the macros; call them only when flag.on().
[[gnu::cold]] void print(const Flag& flag, uint64_t time_ps, std::string_view message);
[[gnu::cold]] void print_fmt(const Flag& flag, uint64_t time_ps, const char* fmt, ...)
    __attribute__((format(printf, 3, 4)));

}  // namespace rxpath::common::debug

#define RXPATH_DPRINTF(flag, time_ps, ...)                                                                    \
  do {                                                                                                        \
    if (__builtin_expect((flag).on(), 0)) ::rxpath::common::debug::print_fmt((flag), (time_ps), __VA_ARGS__); \
  } while (0)

#define RXPATH_DSTREAM(flag, time_ps, expr)                                    \
  do {                                                                         \
    if (__builtin_expect((flag).on(), 0)) {                                    \
      std::ostringstream rxpath_dbg_os_;                                       \
      rxpath_dbg_os_ << expr;                                                  \
      ::rxpath::common::debug::print((flag), (time_ps), rxpath_dbg_os_.str()); \
    }                                                                          \
  } while (0)
