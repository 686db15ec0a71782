// SPDX-License-Identifier: MIT
// rxpath: run one scenario of the receive path from the wire to recv() and
// report where every frame went.
//
//   rxpath                         the default scenario (10 GbE, UDP + TCP, 256-entry ring)
//   rxpath my.toml --set igb.rx_ring=1024 --out results/
//   rxpath sweep studies/ring-overflow.toml -o out/ring -j 2
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <algorithm>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>
#include <systemc>

#include "common/debug.hpp"
#include "rxpath/version.hpp"
#include "study/sweep.hpp"
#include "testbench/output_file.hpp"
#include "testbench/system.hpp"
#include "waves/journey.hpp"
#include "waves/recorder.hpp"
#include "waves/timeline.hpp"

namespace {

const char* const kExitStatus = R"(exit status:
  0  the run finished: every frame accounted for, every delivered byte as sent
  1  the run finished but frame conservation failed or a delivery differs from what was sent
  2  bad input: an unknown option or knob, a value out of range, an unreadable file; or an
     output that cannot be written (a refused path, a full disk): nothing is left half-written
  3  an asked-for output came out empty and was not written: --trigger never fired, the trace
     window holds no samples, --journey N names a frame with no stages (the report still is)
  130/143  interrupted by SIGINT/SIGTERM: partial output files removed

subcommands (each has --help):
  rxpath [run] [SCENARIO.toml] [options]   one run (the default)
  rxpath sweep STUDY.toml -o DIR [-j N]    a study: the scenario over knob axes, results.csv
  rxpath plot DIR                          a study's plots and index.html
)";

struct Args {
  std::string scenario;
  std::vector<std::string> sets;
  std::string out, json, trace, debug, journey_json, timeline;
  int64_t journey = -1;
  bool pcap = false, counters = false, list = false, dump = false, quiet = false;
};

// SIGINT, SIGTERM: remove the partial output files and exit 128 + the
// signal (130, 143), as a shell reports a process the signal killed.
extern "C" void on_stop_signal(int sig) {
  rxpath::tb::OutputFile::remove_partial_files();
  const char* m = sig == SIGINT ? "\nrxpath: interrupted (SIGINT); partial output files removed\n"
                                : "\nrxpath: terminated (SIGTERM); partial output files removed\n";
  const ssize_t n = ::write(2, m, std::strlen(m));
  (void)n;
  ::_exit(128 + sig);
}

// SIGBUS: the FST writer keeps scratch files in /tmp mapped in memory; on a
// full /tmp a store into them faults. A clear error instead of a crash.
extern "C" void on_sigbus(int) {
  rxpath::tb::OutputFile::remove_partial_files();
  const char* m =
      "\nrxpath: error: a memory-mapped scratch file ran out of space (SIGBUS; the FST writer's files in /tmp: "
      "is /tmp full?); partial output files removed\n";
  const ssize_t n = ::write(2, m, std::strlen(m));
  (void)n;
  ::_exit(2);
}

void install_signal_handlers() {
  struct sigaction sa {};
  sigemptyset(&sa.sa_mask);
  sa.sa_handler = on_stop_signal;
  ::sigaction(SIGINT, &sa, nullptr);
  ::sigaction(SIGTERM, &sa, nullptr);
  sa.sa_handler = on_sigbus;
  ::sigaction(SIGBUS, &sa, nullptr);
}

[[noreturn]] void die(const std::string& msg) {
  std::cerr << "rxpath: error: " << msg << "\n";
  std::exit(2);
}

// CLI11 reads the arguments in reverse order; argv[0] is not one of them.
std::vector<std::string> reversed_args(int argc, char** argv, int first) {
  std::vector<std::string> v;
  for (int i = argc - 1; i >= first; --i) v.emplace_back(argv[i]);
  return v;
}

// Parses with CLI11: --help prints the help and exits 0, a bad option exits 2.
void parse_or_exit(CLI::App& app, std::vector<std::string> args) {
  try {
    app.parse(args);
  } catch (const CLI::CallForHelp&) {
    std::cout << app.help();
    std::exit(0);
  } catch (const CLI::ParseError& e) {
    die(std::string(e.what()) + " (see " + app.get_name() + " --help)");
  }
}

Args parse(int argc, char** argv) {
  // "rxpath run ..." and "rxpath ..." are the same command.
  const int first = argc > 1 && std::string(argv[1]) == "run" ? 2 : 1;
  CLI::App app("Runs the receive path, wire to recv(), and prints a report.", first == 2 ? "rxpath run" : "rxpath");
  app.footer(kExitStatus);
  app.get_formatter()->column_width(26);
  // Every option with a value takes exactly one per occurrence; they are read
  // back in command-line order, so a later one wins as it always did.
  std::vector<std::pair<CLI::Option*, std::string>> valued;
  auto opt = [&](const std::string& name, const std::string& type, const std::string& doc) {
    CLI::Option* o =
        app.add_option(name, doc)->type_name(type)->expected(1)->allow_extra_args(false)->multi_option_policy(
            CLI::MultiOptionPolicy::TakeAll);
    valued.emplace_back(o, name);
    return o;
  };
  std::string scenario;
  app.add_option("SCENARIO", scenario, "the scenario file (TOML); none: the default scenario")->type_name("");
  opt("--set", "KEY=VALUE", "override one scenario knob (repeatable)");
  opt("--seed", "N", "seed of the traffic (traffic.seed)");
  opt("--duration-us", "T", "when traffic ends, µs of simulated time (run.duration_us: an end, not a length)");
  opt("--out", "DIR", "write report.txt, report.json, series.csv and the Linux counters into DIR");
  bool pcap = false, counters = false, list = false, dump = false, quiet = false, version = false;
  app.add_flag("--pcap", pcap,
               "with --out: also wire.pcap, one socket-*.pcap per socket and tx.pcap (what the host sent)");
  opt("--json", "FILE", "write the JSON report to FILE; \"-\": to stdout instead of the text report");
  app.add_flag("--counters", counters, "print the Linux-format counters after the report");
  opt("--trace", "FILE.fst", "write one FST waveform: the NIC's RTL (nic.*) and the host state (host.*)");
  opt("--trace-window", "A:B", "trace (and journey, timeline) only from A to B µs (trace.start_us/stop_us)");
  opt("--trigger", "EXPR",
      "place the window around the first time EXPR happens (trace.trigger): mpc, rnbc, time_squeeze, packet:N, "
      "NAME>=X (docs/waves.md)");
  opt("--before-us", "X", "with --trigger: µs kept before it (trace.before_us, default 20)");
  opt("--after-us", "Y", "with --trigger: µs kept after it (trace.after_us, default 20)");
  opt("--journey", "N", "print frame N's journey: every NIC and host stage with its time");
  opt("--journey-json", "FILE",
      "with --journey: also write the journey as JSON to FILE (with --json the report "
      "carries it too)");
  opt("--timeline", "FILE", "write a Chrome trace-event timeline (Perfetto, chrome://tracing)");
  opt("--debug", "CATS",
      "debug output on stderr by category (comma list or \"all\"); --debug help lists the categories of every "
      "layer");
  app.add_flag("--list-knobs", list, "print every knob with its default, range and meaning");
  app.add_flag("--dump-scenario", dump, "print the effective scenario as TOML and exit");
  app.add_flag("--quiet", quiet, "no progress on stderr");
  app.add_flag("--version", version, "the version and the commit it was built from");
  parse_or_exit(app, reversed_args(argc, argv, first));
  if (version) {
    std::cout << "rxpath " << RXPATH_VERSION << " (commit " << RXPATH_COMMIT << ")\n";
    std::exit(0);
  }
  Args a;
  a.pcap = pcap, a.counters = counters, a.list = list, a.dump = dump, a.quiet = quiet;
  std::map<const CLI::Option*, size_t> seen;
  for (const CLI::Option* o : app.parse_order()) {
    auto it = std::find_if(valued.begin(), valued.end(), [&](const auto& v) { return v.first == o; });
    if (it == valued.end()) continue;
    const std::string& s = it->second;
    const std::string v = o->results().at(seen[o]++);
    if (v.empty()) die(s + " needs a value, not an empty string");
    if (s == "--set")
      a.sets.push_back(v);
    else if (s == "--seed")
      a.sets.push_back("traffic.seed=" + v);
    else if (s == "--duration-us")
      a.sets.push_back("run.duration_us=" + v);
    else if (s == "--out")
      a.out = v;
    else if (s == "--json")
      a.json = v;
    else if (s == "--trace")
      a.trace = v;
    else if (s == "--trace-window") {
      const size_t c = v.find(':');
      auto number = [](const std::string& x) {
        char* end = nullptr;
        const double d = std::strtod(x.c_str(), &end);
        return !x.empty() && *end == 0 && d >= 0;
      };
      if (c == std::string::npos || !number(v.substr(0, c)) || !number(v.substr(c + 1)))
        die("--trace-window '" + v + "': expected START:STOP in µs, e.g. 100:150");
      a.sets.push_back("trace.start_us=" + v.substr(0, c));
      a.sets.push_back("trace.stop_us=" + v.substr(c + 1));
    } else if (s == "--trigger")
      a.sets.push_back("trace.trigger=" + v);
    else if (s == "--before-us")
      a.sets.push_back("trace.before_us=" + v);
    else if (s == "--after-us")
      a.sets.push_back("trace.after_us=" + v);
    else if (s == "--journey") {
      char* end = nullptr;
      const long long n = std::strtoll(v.c_str(), &end, 10);
      if (*end || n < 0) die("--journey '" + v + "': expected a frame number (the traffic numbers frames from 0)");
      a.journey = n;
    } else if (s == "--journey-json")
      a.journey_json = v;
    else if (s == "--timeline")
      a.timeline = v;
    else if (s == "--debug") {
      a.debug = v;
      if (a.debug == "help") {
        std::cout << "debug categories (--debug NAME,NAME,... or --debug all), by layer; each line on stderr\n"
                     "reads '<simulated time> us <category> <message>':\n"
                  << rxpath::common::debug::help();
        std::exit(0);
      }
    }
  }
  if (app.get_option("SCENARIO")->count()) {
    // A scenario names a regular file: an empty argument or a folder is a
    // mistake, not "no scenario".
    struct stat st {};
    if (scenario.empty()) die("the scenario file is an empty string");
    if (::stat(scenario.c_str(), &st) != 0) die(scenario + ": cannot read the scenario file: " + std::strerror(errno));
    if (!S_ISREG(st.st_mode))
      die(scenario + ": the scenario must be a file" + (S_ISDIR(st.st_mode) ? ", not a folder" : ""));
    a.scenario = scenario;
  }
  return a;
}

// rxpath sweep ...: a study (study/sweep.hpp).
int sweep_main(int argc, char** argv) {
  CLI::App app(
      "Runs a study: one scenario swept over knob axes, each point a separate rxpath run, N at a time or as a "
      "Slurm job array; writes DIR/results.csv, results.json and (study/plot.py) the plots. Re-running the "
      "same command resumes.",
      "rxpath sweep");
  app.footer(R"(usage:
  rxpath sweep STUDY.toml -o DIR [-j N] [--force] [--no-plot]
  rxpath sweep STUDY.toml -o DIR --slurm [--partition P] [--time T] [--max-parallel N] [--wait]
  rxpath sweep --collect DIR          merge DIR's points into results.csv (after a Slurm job)
  rxpath sweep --task K --tasks T DIR run the points with index % T == K (one Slurm array task)

exit status:
  0  every run ok
  1  some runs failed (recorded in results.csv with their exit code; points/*/stderr.txt)
  2  bad input: a bad option or study file (file:line:key), a changed study without --force, no sbatch
  130/143  interrupted by SIGINT/SIGTERM (finished points stay; run again to resume)
)");
  rxpath::study::SweepOptions o;
  std::string path;
  app.add_option("STUDY", path, "the study file (TOML); with --task, the study folder DIR");
  app.add_option("-o,--out", o.dir, "the study folder: plan, points/, results.csv, plots")->type_name("DIR");
  app.add_option("-j,--jobs", o.jobs, "runs at a time (default: the number of cores)")
      ->type_name("N")
      ->check(CLI::Range(1, 1024));
  app.add_flag("--force", o.force, "a changed study: discard the old points instead of refusing");
  app.add_flag("--no-plot", o.no_plot, "do not run study/plot.py at the end");
  app.add_flag("--quiet", o.quiet, "no progress line");
  app.add_flag("--dry-run", o.dry_run, "expand and check the study, print the number of runs, run nothing");
  app.add_flag("--slurm", o.slurm, "submit one Slurm job array (sbatch) instead of running here");
  app.add_option("--partition", o.partition, "with --slurm: the partition")->type_name("P");
  app.add_option("--time", o.time, "with --slurm: each array task's time limit (e.g. 00:30:00)")->type_name("T");
  app.add_option("--max-parallel", o.max_parallel, "with --slurm: array tasks at a time")
      ->type_name("N")
      ->check(CLI::Range(1, 100000));
  app.add_flag("--wait", o.wait, "with --slurm: wait for the job to end, then collect");
  app.add_option("--collect", o.collect, "merge DIR's points into results.csv and results.json")->type_name("DIR");
  app.add_option("--task", o.task, "run one slice of DIR's points (a Slurm array task)")
      ->type_name("K")
      ->check(CLI::Range(0, 1000000));
  app.add_option("--tasks", o.tasks, "with --task: the number of slices")
      ->type_name("T")
      ->check(CLI::Range(1, 1000000));
  parse_or_exit(app, reversed_args(argc, argv, 1));
  const bool task = app.get_option("--task")->count() != 0;
  if (task)
    o.dir = path;
  else
    o.study = path;
  if ((o.wait || !o.partition.empty() || !o.time.empty() || o.max_parallel) && !o.slurm)
    die("--wait, --partition, --time and --max-parallel go with --slurm");
  if (!o.collect.empty() && (!path.empty() || task || o.slurm))
    die("--collect DIR takes no study file, --task or --slurm");
  if (task && (o.slurm || o.dir.empty())) die("--task K --tasks T needs the study folder DIR");
  return rxpath::study::sweep(o);
}

// rxpath plot DIR.
int plot_main(int argc, char** argv) {
  CLI::App app(
      "Draws a study's plots (DIR/plots/) and DIR/index.html with study/plot.py (python3, matplotlib); "
      "RXPATH_PLOT_PY names another script.",
      "rxpath plot");
  std::string dir;
  app.add_option("DIR", dir, "the study folder (rxpath sweep -o DIR)")->required();
  parse_or_exit(app, reversed_args(argc, argv, 1));
  return rxpath::study::plot(dir);
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
    cfg.finish(&knobs);
  } catch (const std::exception& e) {
    die(e.what());
  }
  for (const std::string& w : cfg.warnings) std::cerr << "rxpath: warning: " << w << "\n";
  const std::string scenario = knobs.dump_toml();
  if (a.dump) {
    std::cout << scenario;
    return 0;
  }
  install_signal_handlers();
  if (!a.out.empty()) {
    struct stat st {};
    if (::stat(a.out.c_str(), &st) == 0) {
      if (!S_ISDIR(st.st_mode)) die("--out " + a.out + ": not a folder");
    } else if (::mkdir(a.out.c_str(), 0755) != 0) {
      die("--out " + a.out + ": cannot create the folder: " + std::strerror(errno));
    }
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
  // Output files: each must be writable (its folder takes a file, the path
  // is not a folder, a socket...) before a long run, not after it.
  std::vector<std::pair<std::string, std::string>> outputs = {{"--trace", a.trace},
                                                              {"--timeline", a.timeline},
                                                              {"--journey-json", a.journey_json},
                                                              {"--json", a.json == "-" ? std::string() : a.json}};
  if (!a.out.empty())
    for (const char* f : {"report.txt", "report.json", "counters.txt", "scenario.toml", "series.csv"})
      outputs.emplace_back("--out", a.out + "/" + f);
  if (a.pcap) outputs.emplace_back("--pcap", a.out + "/wire.pcap");
  for (const auto& [opt, path] : outputs) {
    if (path.empty()) continue;
    try {
      rxpath::tb::OutputFile::check(path);
      if (opt == "--trace" && rxpath::tb::OutputFile(path).direct())
        die("--trace " + path + ": needs a regular file (the FST writer seeks back into it), not a device or FIFO");
    } catch (const std::exception& e) {
      die(opt + " " + e.what());
    }
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
    r.scenario_json = knobs.dump_json();
    r.version = RXPATH_VERSION;
    r.commit = RXPATH_COMMIT;
    std::string journey_text, journey_json;
    // An asked-for output that came out empty: said on stderr, not written, exit 3.
    std::vector<std::string> empty;
    const uint64_t end_ps = us_to_ps(r.sim_us);
    const bool window_empty = tracing && start_ps >= end_ps;
    const std::string window_text = us_text(start_ps) + " .. " +
                                    (stop_ps == UINT64_MAX ? std::string("end") : us_text(stop_ps)) +
                                    " us holds no samples (the run ended at " + us_text(end_ps) + " us)";
    if (!a.trace.empty() && window_empty) empty.push_back("--trace: the window " + window_text + "; no trace written");
    if (!a.timeline.empty() && window_empty)
      empty.push_back("--timeline: the window " + window_text + "; no timeline written");
    if (a.journey >= 0) {
      rxpath::waves::Journey& j = *rec->journey();
      if (j.empty()) {
        const auto n = static_cast<uint64_t>(a.journey);
        journey_text =
            "journey: frame " + std::to_string(a.journey) +
            (n >= r.offered_frames ? " does not exist (the traffic offered " + std::to_string(r.offered_frames) +
                                         " frames, numbered from 0)"
                                   : std::string(" has no stages") +
                                         (start_ps != 0 || stop_ps != UINT64_MAX ? " inside the window" : "")) +
            "\n";
        empty.push_back("--journey " + journey_text.substr(9, journey_text.size() - 10) +
                        (a.journey_json.empty() ? "" : "; no --journey-json written"));
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
    if (!a.timeline.empty() && !window_empty) {
      // Streamed to the temporary file: a 10 ms timeline is ~65 MB of JSON,
      // not to be held in memory twice.
      rxpath::tb::OutputFile(a.timeline).write_with([&](std::ostream& ts) { rec->timeline()->write(ts); });
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
    for (const std::string& e : empty) std::cerr << "rxpath: error: " << e << "\n";
    if (!empty.empty()) return 3;
  } catch (const sc_core::sc_report& e) {
    // An error thrown inside a simulation process (a pcap writer on a full
    // disk) comes back wrapped by SystemC: say what it was, not where in
    // the kernel it was caught.
    std::string msg = e.get_msg();
    const std::string wrapped = "uncaught exception: ";
    if (msg.rfind(wrapped, 0) == 0) msg.erase(0, wrapped.size());
    die(msg);
  } catch (const std::exception& e) {
    die(e.what());
  }
  return 0;
}

// SystemC prints its banner before sc_main unless told not to; the report on
// stdout should be the report alone.
int main(int argc, char** argv) {
  // Studies never elaborate a system here: each point is its own process.
  if (argc > 1 && std::string(argv[1]) == "sweep") return sweep_main(argc - 1, argv + 1);
  if (argc > 1 && std::string(argv[1]) == "plot") return plot_main(argc - 1, argv + 1);
  ::setenv("SYSTEMC_DISABLE_COPYRIGHT_MESSAGE", "1", 1);
  return sc_core::sc_elab_and_sim(argc, argv);
}
