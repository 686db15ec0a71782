// SPDX-License-Identifier: MIT
// rxpath: run one scenario of the receive path from the wire to recv() and
// report where every frame went.
//
//   rxpath                         the default scenario (10 GbE, UDP + TCP, 256-entry ring)
//   rxpath my.toml --set igb.rx_ring=1024 --out results/
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iostream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include <systemc>

#include "common/debug.hpp"
#include "rxpath/version.hpp"
#include "testbench/output_file.hpp"
#include "testbench/system.hpp"
#include "waves/journey.hpp"
#include "waves/recorder.hpp"
#include "waves/timeline.hpp"

namespace {

const char* const kUsage = R"(usage: rxpath [SCENARIO.toml] [options]

Runs the receive path, wire to recv(), and prints a report.

options:
  --set KEY=VALUE     override one scenario knob (repeatable)
  --seed N            seed of the traffic (traffic.seed)
  --duration-us T     how long traffic is offered (run.duration_us)
  --out DIR           write report.txt, report.json, series.csv and the Linux counters into DIR
  --pcap              with --out: also wire.pcap and one socket-*.pcap per socket
  --json FILE         write the JSON report to FILE; "-": to stdout instead of the text report
  --counters          print the Linux-format counters after the report
  --trace FILE.fst    write one FST waveform: the NIC's RTL (nic.*) and the host state (host.*)
  --trace-window A:B  trace (and journey, timeline) only from A to B µs (trace.start_us/stop_us)
  --trigger EXPR      place the window around the first time EXPR happens (trace.trigger):
                      mpc, rnbc, time_squeeze, packet:N, or NAME>=X for a host signal
                      (host.sock.fd5.rx_queue>=100) or NIC counter (nic.mpc>=10, nic.rnbc, ...);
                      a first pass finds the time, the second traces around it
  --before-us X       with --trigger: µs kept before it (trace.before_us, default 20)
  --after-us Y        with --trigger: µs kept after it (trace.after_us, default 20)
  --journey N         print frame N's journey: every NIC and host stage with its time
  --journey-json FILE with --journey: also write the journey as JSON to FILE
                      (with --json the report carries it too)
  --timeline FILE     write a Chrome trace-event timeline (Perfetto, chrome://tracing)
  --debug CATS        debug output on stderr by category (comma list or "all");
                      --debug help lists the categories of every layer
  --list-knobs        print every knob with its default, range and meaning
  --dump-scenario     print the effective scenario as TOML and exit
  --quiet             no progress on stderr
  --version           the version and the commit it was built from
  -h, --help          this text

exit status:
  0  the run finished: every frame accounted for, every delivered byte as sent
  1  the run finished but frame conservation failed or a delivery differs from what was sent
  2  bad input: an unknown option or knob, a value out of range, an unreadable file
  3  --trigger never fired (no trace written)
)";

struct Args {
  std::string scenario;
  std::vector<std::string> sets;
  std::string out, json, trace, debug, journey_json, timeline;
  int64_t journey = -1;
  bool pcap = false, counters = false, list = false, dump = false, quiet = false;
};

[[noreturn]] void die(const std::string& msg) {
  std::cerr << "rxpath: error: " << msg << "\n";
  std::exit(2);
}

Args parse(int argc, char** argv) {
  Args a;
  auto value = [&](int& i, const char* opt) -> std::string {
    if (i + 1 >= argc) die(std::string(opt) + " needs a value");
    if (argv[i + 1][0] == 0) die(std::string(opt) + " needs a value, not an empty string");
    return argv[++i];
  };
  bool have_scenario = false;
  for (int i = 1; i < argc; ++i) {
    const std::string s = argv[i];
    if (s == "-h" || s == "--help") {
      std::cout << kUsage;
      std::exit(0);
    } else if (s == "--version") {
      std::cout << "rxpath " << RXPATH_VERSION << " (commit " << RXPATH_COMMIT << ")\n";
      std::exit(0);
    } else if (s == "--set")
      a.sets.push_back(value(i, "--set"));
    else if (s.rfind("--set=", 0) == 0)
      a.sets.push_back(s.substr(6));
    else if (s == "--seed")
      a.sets.push_back("traffic.seed=" + value(i, "--seed"));
    else if (s == "--duration-us")
      a.sets.push_back("run.duration_us=" + value(i, "--duration-us"));
    else if (s == "--out")
      a.out = value(i, "--out");
    else if (s == "--json")
      a.json = value(i, "--json");
    else if (s == "--trace")
      a.trace = value(i, "--trace");
    else if (s == "--trace-window") {
      const std::string w = value(i, "--trace-window");
      const size_t c = w.find(':');
      auto number = [](const std::string& x) {
        char* end = nullptr;
        const double v = std::strtod(x.c_str(), &end);
        return !x.empty() && *end == 0 && v >= 0;
      };
      if (c == std::string::npos || !number(w.substr(0, c)) || !number(w.substr(c + 1)))
        die("--trace-window '" + w + "': expected START:STOP in µs, e.g. 100:150");
      a.sets.push_back("trace.start_us=" + w.substr(0, c));
      a.sets.push_back("trace.stop_us=" + w.substr(c + 1));
    } else if (s == "--trigger")
      a.sets.push_back("trace.trigger=" + value(i, "--trigger"));
    else if (s == "--before-us")
      a.sets.push_back("trace.before_us=" + value(i, "--before-us"));
    else if (s == "--after-us")
      a.sets.push_back("trace.after_us=" + value(i, "--after-us"));
    else if (s == "--journey") {
      const std::string v = value(i, "--journey");
      char* end = nullptr;
      const long long n = std::strtoll(v.c_str(), &end, 10);
      if (v.empty() || *end || n < 0)
        die("--journey '" + v + "': expected a frame number (the traffic numbers frames from 0)");
      a.journey = n;
    } else if (s == "--journey-json")
      a.journey_json = value(i, "--journey-json");
    else if (s == "--timeline")
      a.timeline = value(i, "--timeline");
    else if (s == "--debug" || s.rfind("--debug=", 0) == 0) {
      a.debug = s == "--debug" ? value(i, "--debug") : s.substr(8);
      if (a.debug == "help") {
        std::cout << "debug categories (--debug NAME,NAME,... or --debug all), by layer; each line on stderr\n"
                     "reads '<simulated time> us <category> <message>':\n"
                  << rxpath::common::debug::help();
        std::exit(0);
      }
    } else if (s == "--pcap")
      a.pcap = true;
    else if (s == "--counters")
      a.counters = true;
    else if (s == "--list-knobs")
      a.list = true;
    else if (s == "--dump-scenario")
      a.dump = true;
    else if (s == "--quiet")
      a.quiet = true;
    else if (!s.empty() && s[0] == '-')
      die("unknown option '" + s + "' (see --help)");
    else if (!have_scenario) {
      // A scenario names a regular file: an empty argument or a folder is a
      // mistake, not "no scenario".
      struct stat st {};
      if (s.empty()) die("the scenario file is an empty string");
      if (::stat(s.c_str(), &st) != 0) die(s + ": cannot read the scenario file: " + std::strerror(errno));
      if (!S_ISREG(st.st_mode))
        die(s + ": the scenario must be a file" + (S_ISDIR(st.st_mode) ? ", not a folder" : ""));
      a.scenario = s;
      have_scenario = true;
    } else
      die("more than one scenario file: '" + a.scenario + "' and '" + s + "'");
  }
  return a;
}

std::string counters_text(const rxpath::tb::Report& r) {
  std::ostringstream os;
  for (const auto& [name, text] : r.counters) os << "==> " << name << " <==\n" << text << "\n";
  return os.str();
}

uint64_t us_to_ps(double us) { return static_cast<uint64_t>(us * 1e6 + 0.5); }
std::string us_text(uint64_t ps) {
  char b[32];
  std::snprintf(b, sizeof b, "%.6g", static_cast<double>(ps) / 1e6);
  return b;
}

// Pass 1 of a trigger: a child process (forked before anything is elaborated)
// runs the same deterministic scenario with only the trigger watched, and
// stops as soon as the trigger's time is final (every event before it has
// arrived once SystemC time has passed it). Returns the time in ps; dies with
// a clear message when the trigger is unknown or never fires.
uint64_t find_trigger(const rxpath::tb::Scenario& cfg, const std::string& scenario) {
  const std::string& expr = cfg.trace.trigger;
  int fds[2];
  if (::pipe(fds) != 0) die("--trigger: cannot create a pipe");
  std::cout.flush();
  std::cerr.flush();
  const pid_t pid = ::fork();
  if (pid < 0) die("--trigger: cannot fork the first pass");
  if (pid == 0) {
    ::close(fds[0]);
    std::string msg;
    try {
      rxpath::tb::System sys(cfg, scenario);
      rxpath::waves::Recorder rec;
      rec.keep_signals(false);
      rec.watch(rxpath::waves::Trigger::parse(expr));
      sys.attach(rec);
      // Every host signal is declared by now (the stack at set_tracer, the
      // driver at trace_attach): a misspelled name is an error before the run.
      rec.check_trigger();
      const rxpath::waves::Trigger& t = *rec.trigger();
      sys.stop_when([&] {
        return t.fired() &&
               sc_core::sc_time_stamp() >= sc_core::sc_time(static_cast<double>(t.time_ps()), sc_core::SC_PS);
      });
      sys.run(false);
      if (!t.fired()) rec.check_trigger();
      msg = t.fired() ? "T " + std::to_string(t.time_ps()) : "N";
    } catch (const std::exception& e) {
      msg = std::string("E ") + e.what();
    }
    const ssize_t n = ::write(fds[1], msg.data(), msg.size());
    (void)n;
    ::_exit(0);  // no destructors: the SystemC kernel is torn down with the process
  }
  ::close(fds[1]);
  std::string msg;
  char buf[4096];
  ssize_t n;
  while ((n = ::read(fds[0], buf, sizeof buf)) > 0) msg.append(buf, static_cast<size_t>(n));
  ::close(fds[0]);
  int status = 0;
  ::waitpid(pid, &status, 0);
  if (msg.rfind("T ", 0) == 0) return std::stoull(msg.substr(2));
  if (msg == "N") {
    std::cerr << "rxpath: error: --trigger '" << expr << "' never fired in the run (" << cfg.duration_us
              << " us of traffic and the drain); no trace written\n";
    std::exit(3);
  }
  if (msg.rfind("E ", 0) == 0) die(msg.substr(2));
  die("--trigger: the first pass ended without an answer (status " + std::to_string(status) + ")");
}

}  // namespace

int sc_main(int argc, char** argv) {
  const Args a = parse(argc, argv);
  rxpath::tb::Knobs knobs;
  rxpath::tb::Scenario cfg;
  cfg.add_knobs(knobs);
  if (a.list) {
    std::cout << "# Scenario knobs\n\n<!-- Generated by `rxpath --list-knobs` (make docs). Do not edit. -->\n\n"
              << "Every knob a scenario file (`[table]` = the part before the last dot) or `--set KEY=VALUE` "
                 "can set. Costs are CPU nanoseconds charged by the modelled functions; each names its source.\n\n"
              << knobs.docs_markdown();
    return 0;
  }
  try {
    if (!a.scenario.empty()) knobs.load_file(a.scenario);
    for (const auto& s : a.sets) knobs.apply_override(s);
    cfg.finish();
  } catch (const std::exception& e) {
    die(e.what());
  }
  for (const std::string& w : cfg.warnings) std::cerr << "rxpath: warning: " << w << "\n";
  const std::string scenario = knobs.dump_toml();
  if (a.dump) {
    std::cout << scenario;
    return 0;
  }
  if (!a.out.empty()) {
    struct stat st {};
    if (::stat(a.out.c_str(), &st) != 0 && ::mkdir(a.out.c_str(), 0755) != 0)
      die("--out " + a.out + ": cannot create the folder: " + std::strerror(errno));
  }
  sc_core::sc_report_handler::set_actions(sc_core::SC_ID_INSTANCE_EXISTS_, sc_core::SC_DO_NOTHING);
  const bool tracing = !a.trace.empty() || a.journey >= 0 || !a.timeline.empty();
  if (!a.journey_json.empty() && a.journey < 0) die("--journey-json needs --journey N");
  if (!cfg.trace.trigger.empty() && !tracing) die("--trigger needs --trace, --journey or --timeline");
  if ((cfg.trace.start_us != 0 || cfg.trace.stop_us != 0) && !tracing)
    die("--trace-window (trace.start_us/stop_us) needs --trace, --journey or --timeline");
  if (!a.trace.empty() && cfg.nic_model != "rtl")
    die("--trace needs nic.model = \"rtl\" (the double has no RTL to trace)");
  if (a.pcap && a.out.empty()) die("--pcap needs --out DIR");
  // Output files: their folder must take a file before a long run.
  for (const auto& [opt, path] : {std::pair<const char*, std::string>{"--trace", a.trace},
                                  {"--timeline", a.timeline},
                                  {"--journey-json", a.journey_json},
                                  {"--json", a.json == "-" ? std::string() : a.json}}) {
    if (path.empty()) continue;
    const rxpath::tb::OutputFile probe(path);  // removes its temporary file
    if (!std::ofstream(probe.temp_path()))
      die(std::string(opt) + " " + path + ": cannot create the file: " + std::strerror(errno));
  }
  // The window: given, or placed around the trigger by a first pass.
  uint64_t start_ps = us_to_ps(cfg.trace.start_us);
  uint64_t stop_ps = cfg.trace.stop_us == 0 ? UINT64_MAX : us_to_ps(cfg.trace.stop_us);
  if (!cfg.trace.trigger.empty()) {
    const uint64_t t = find_trigger(cfg, scenario);
    const uint64_t before = us_to_ps(cfg.trace.before_us), after = us_to_ps(cfg.trace.after_us);
    start_ps = t > before ? t - before : 0;
    stop_ps = t + after;
    if (!a.quiet)
      std::cerr << "rxpath: trigger '" << cfg.trace.trigger << "' fired at " << us_text(t) << " us; tracing "
                << us_text(start_ps) << " .. " << us_text(stop_ps) << " us\n";
  }
  try {
    rxpath::tb::System sys(cfg, scenario);
    std::unique_ptr<rxpath::waves::Recorder> rec;
    if (tracing) {
      rec = std::make_unique<rxpath::waves::Recorder>();
      rec->keep_signals(!a.trace.empty());
      if (a.journey >= 0) rec->follow(static_cast<uint64_t>(a.journey));
      if (!a.timeline.empty()) rec->keep_timeline();
      rec->set_window(start_ps, stop_ps);
      sys.attach(*rec);
    }
    if (a.pcap) {
      sys.capture_wire(a.out + "/wire.pcap");
      sys.capture_sockets(a.out);
    }
    if (!a.trace.empty()) sys.trace_fst(a.trace);
    if (!a.debug.empty()) sys.debug(a.debug);
    rxpath::tb::Report r = sys.run(!a.quiet);
    std::string journey_text, journey_json;
    if (a.journey >= 0) {
      rxpath::waves::Journey& j = *rec->journey();
      if (j.empty()) {
        journey_text = "journey: frame " + std::to_string(a.journey) + " has no stages" +
                       (start_ps != 0 || stop_ps != UINT64_MAX ? " inside the window" : "") + "\n";
      } else {
        journey_text = j.text();
        std::ostringstream js;
        j.write_json(js);
        journey_json = js.str();
        r.journey_json = journey_json;
      }
    }
    if (a.json == "-") {
      std::cout << r.json();  // stdout holds the JSON alone, for a pipe
    } else {
      std::cout << r.text();
      if (!journey_text.empty()) std::cout << "\n" << journey_text;
      if (a.counters) std::cout << "\n" << counters_text(r);
      if (!a.json.empty()) rxpath::tb::OutputFile(a.json).write_all(r.json());
    }
    if (!a.out.empty()) {
      rxpath::tb::OutputFile(a.out + "/report.txt").write_all(r.text());
      rxpath::tb::OutputFile(a.out + "/report.json").write_all(r.json());
      rxpath::tb::OutputFile(a.out + "/counters.txt").write_all(counters_text(r));
      rxpath::tb::OutputFile(a.out + "/scenario.toml").write_all(scenario);
      if (!r.series_csv.empty()) rxpath::tb::OutputFile(a.out + "/series.csv").write_all(r.series_csv);
    }
    if (!a.journey_json.empty() && !journey_json.empty())
      rxpath::tb::OutputFile(a.journey_json).write_all(journey_json);
    if (!a.timeline.empty()) {
      // Streamed to the temporary file: a 10 ms timeline is ~65 MB of JSON,
      // not to be held in memory twice.
      rxpath::tb::OutputFile tf(a.timeline);
      {
        std::ofstream ts(tf.temp_path(), std::ios::binary);
        rec->timeline()->write(ts);
        ts.flush();
        if (!ts) throw std::runtime_error(a.timeline + ": write failed");
      }
      tf.commit();
      std::cerr << "rxpath: timeline written to " << a.timeline << " (open it in https://ui.perfetto.dev)\n";
    }
    if (!r.trace_path.empty())
      std::cerr << "rxpath: trace written to " << r.trace_path << " (RTL nic.* and host.*"
                << (start_ps != 0 || stop_ps != UINT64_MAX
                        ? ", " + us_text(start_ps) + " .. " +
                              (stop_ps == UINT64_MAX ? std::string("end") : us_text(stop_ps)) + " us"
                        : std::string())
                << "; " << r.trace_host_changes << " host signal changes)\n";
    if (r.trace_host_late)
      std::cerr << "rxpath: warning: " << r.trace_host_late
                << " host signal changes came after the trace had passed their time\n";
    if (!a.quiet) std::cerr << "rxpath: " << r.sim_us << " us simulated in " << r.wall_s << " s wall\n";
    if (!r.acct.balanced()) {
      std::cerr << "rxpath: error: frame conservation violated (see the report)\n";
      return 1;
    }
    if (r.delivery_errors) {
      std::cerr << "rxpath: error: " << r.delivery_errors << " deliveries differ from what was sent\n";
      return 1;
    }
  } catch (const std::exception& e) {
    die(e.what());
  }
  return 0;
}

// SystemC prints its banner before sc_main unless told not to; the report on
// stdout should be the report alone.
int main(int argc, char** argv) {
  ::setenv("SYSTEMC_DISABLE_COPYRIGHT_MESSAGE", "1", 1);
  return sc_core::sc_elab_and_sim(argc, argv);
}
