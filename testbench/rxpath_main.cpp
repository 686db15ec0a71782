// SPDX-License-Identifier: MIT
// rxpath: run one scenario of the receive path from the wire to recv() and
// report where every frame went.
//
//   rxpath                         the default scenario (10 GbE, UDP + TCP, 256-entry ring)
//   rxpath my.toml --set igb.rx_ring=1024 --out results/
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <sys/stat.h>
#include <vector>

#include <systemc>

#include "output_file.hpp"
#include "system.hpp"

namespace {

const char* const kUsage = R"(usage: rxpath [SCENARIO.toml] [options]

Runs the receive path, wire to recv(), and prints a report.

options:
  --set KEY=VALUE     override one scenario knob (repeatable)
  --seed N            seed of the traffic (traffic.seed)
  --duration-us T     how long traffic is offered (run.duration_us)
  --out DIR           write report.txt, report.json and the Linux counters into DIR
  --pcap              with --out: also wire.pcap and one socket-*.pcap per socket
  --json FILE         write the JSON report to FILE
  --counters          print the Linux-format counters after the report
  --trace FILE.fst    write an FST waveform of the NIC's RTL
  --list-knobs        print every knob with its default, range and meaning
  --dump-scenario     print the effective scenario as TOML and exit
  --quiet             no progress on stderr
  -h, --help          this text
)";

struct Args {
  std::string scenario;
  std::vector<std::string> sets;
  std::string out, json, trace;
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
    return argv[++i];
  };
  for (int i = 1; i < argc; ++i) {
    const std::string s = argv[i];
    if (s == "-h" || s == "--help") {
      std::cout << kUsage;
      std::exit(0);
    } else if (s == "--set") a.sets.push_back(value(i, "--set"));
    else if (s.rfind("--set=", 0) == 0) a.sets.push_back(s.substr(6));
    else if (s == "--seed") a.sets.push_back("traffic.seed=" + value(i, "--seed"));
    else if (s == "--duration-us") a.sets.push_back("run.duration_us=" + value(i, "--duration-us"));
    else if (s == "--out") a.out = value(i, "--out");
    else if (s == "--json") a.json = value(i, "--json");
    else if (s == "--trace") a.trace = value(i, "--trace");
    else if (s == "--pcap") a.pcap = true;
    else if (s == "--counters") a.counters = true;
    else if (s == "--list-knobs") a.list = true;
    else if (s == "--dump-scenario") a.dump = true;
    else if (s == "--quiet") a.quiet = true;
    else if (!s.empty() && s[0] == '-') die("unknown option '" + s + "' (see --help)");
    else if (a.scenario.empty()) a.scenario = s;
    else die("more than one scenario file: '" + a.scenario + "' and '" + s + "'");
  }
  return a;
}

std::string counters_text(const rxpath::tb::Report& r) {
  std::ostringstream os;
  for (const auto& [name, text] : r.counters) os << "==> " << name << " <==\n" << text << "\n";
  return os.str();
}

}  // namespace

int sc_main(int argc, char** argv) {
  const Args a = parse(argc, argv);
  rxpath::tb::Knobs knobs;
  rxpath::tb::SystemConfig cfg;
  cfg.add_knobs(knobs);
  if (a.list) {
    std::cout << knobs.docs_markdown();
    return 0;
  }
  try {
    if (!a.scenario.empty()) knobs.load_file(a.scenario);
    for (const auto& s : a.sets) knobs.apply_override(s);
    cfg.finish();
  } catch (const std::exception& e) {
    die(e.what());
  }
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
  try {
    rxpath::tb::System sys(cfg, scenario);
    if (a.pcap) {
      if (a.out.empty()) die("--pcap needs --out DIR");
      sys.capture_wire(a.out + "/wire.pcap");
      sys.capture_sockets(a.out);
    }
    if (!a.trace.empty()) sys.trace_fst(a.trace);
    const rxpath::tb::Report r = sys.run(!a.quiet);
    std::cout << r.text();
    if (a.counters) std::cout << "\n" << counters_text(r);
    if (!a.json.empty()) rxpath::tb::OutputFile(a.json).write_all(r.json());
    if (!a.out.empty()) {
      rxpath::tb::OutputFile(a.out + "/report.txt").write_all(r.text());
      rxpath::tb::OutputFile(a.out + "/report.json").write_all(r.json());
      rxpath::tb::OutputFile(a.out + "/counters.txt").write_all(counters_text(r));
      rxpath::tb::OutputFile(a.out + "/scenario.toml").write_all(scenario);
    }
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
