// SPDX-License-Identifier: MIT
#include "study/sweep.hpp"

#include <fcntl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <set>
#include <sstream>
#include <thread>
#include <vector>

#include <toml++/toml.h>
#include <nlohmann/json.hpp>

#include "testbench/output_file.hpp"

#ifndef RXPATH_SOURCE_DIR
#define RXPATH_SOURCE_DIR "."
#endif

namespace fs = std::filesystem;
using json = nlohmann::ordered_json;

namespace rxpath::study {

namespace {

// Bad input: exit status 2.
struct InputError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void write_file(const std::string& path, const std::string& text) { tb::OutputFile(path).write_all(text); }

// Shortest text that reads back as the same double; integers stay integers.
std::string num_text(double d) {
  char b[40];
  for (int prec = 15; prec <= 17; ++prec) {
    std::snprintf(b, sizeof b, "%.*g", prec, d);
    if (std::strtod(b, nullptr) == d) break;
  }
  return b;
}

std::string cell(const json& v) {
  if (v.is_null()) return "";
  if (v.is_number_integer() || v.is_number_unsigned()) return v.dump();
  if (v.is_number()) return num_text(v.get<double>());
  if (v.is_string()) return v.get<std::string>();
  if (v.is_boolean()) return v.get<bool>() ? "true" : "false";
  return v.dump();
}

double num(const json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_number() ? it->get<double>() : 0.0;
}

// This rxpath binary (what a Slurm array task runs).
std::string self_exe() {
  std::error_code ec;
  const fs::path p = fs::read_symlink("/proc/self/exe", ec);
  if (ec) throw std::runtime_error("cannot find the rxpath binary (/proc/self/exe): " + ec.message());
  return p.string();
}

// The program each point runs as `PROGRAM run SCENARIO --out DIR --quiet`:
// this rxpath, or RXPATH_SWEEP_EXE (the tests' fake points).
std::string point_exe() {
  if (const char* e = std::getenv("RXPATH_SWEEP_EXE"); e && *e) return e;
  return self_exe();
}

std::string abs_path(const std::string& p) { return fs::absolute(p).lexically_normal().string(); }

// ---- the plan, as DIR/plan.json keeps it ---------------------------------

json plan_json(const Plan& p) {
  json j;
  j["name"] = p.name;
  j["description"] = p.description;
  j["fingerprint"] = p.fingerprint;
  j["replicas"] = p.replicas;
  json axes = json::array();
  for (const Axis& a : p.axes) axes.push_back(a.knob);
  j["axes"] = axes;
  json plots = json::array();
  for (const Plot& pl : p.plots)
    plots.push_back({{"name", pl.name}, {"x", pl.x}, {"y", pl.y}, {"series", pl.series}, {"kind", pl.kind}});
  j["plots"] = plots;
  json runs = json::array();
  for (const Run& r : p.runs)
    runs.push_back({{"id", r.id()},
                    {"point", r.point},
                    {"replica", r.replica},
                    {"width", r.width},
                    {"seed", r.seed},
                    {"axis_values", r.axis_values},
                    {"scenario", r.scenario}});
  j["runs"] = runs;
  return j;
}

Plan load_plan(const std::string& dir) {
  const std::string path = dir + "/plan.json";
  const std::string text = slurp(path);
  if (text.empty()) throw InputError(path + ": no plan (is " + dir + " a study folder made by rxpath sweep?)");
  try {
    const json j = json::parse(text);
    Plan p;
    p.name = j.at("name").get<std::string>();
    p.description = j.at("description").get<std::string>();
    p.fingerprint = j.at("fingerprint").get<std::string>();
    p.replicas = j.at("replicas").get<size_t>();
    for (const auto& a : j.at("axes")) p.axes.push_back(Axis{a.get<std::string>(), {}, {}});
    for (const auto& pl : j.at("plots"))
      p.plots.push_back(
          Plot{pl.at("name"), pl.at("x"), pl.at("series"), pl.at("kind"), pl.at("y").get<std::vector<std::string>>()});
    for (const auto& r : j.at("runs")) {
      Run run;
      run.point = r.at("point").get<size_t>();
      run.replica = r.at("replica").get<size_t>();
      run.width = r.at("width").get<int>();
      run.seed = r.at("seed").get<uint64_t>();
      run.axis_values = r.at("axis_values").get<std::vector<std::string>>();
      run.scenario = r.at("scenario").get<std::string>();
      p.runs.push_back(std::move(run));
    }
    return p;
  } catch (const json::exception& e) {
    throw InputError(path + ": unreadable plan: " + e.what());
  }
}

// ---- running points ------------------------------------------------------

volatile std::sig_atomic_t g_stop = 0;
constexpr int kMaxJobs = 1024;
volatile pid_t g_children[kMaxJobs];

void on_signal(int sig) {
  g_stop = sig;
  for (int i = 0; i < kMaxJobs; ++i)
    if (g_children[i] > 0) ::kill(g_children[i], SIGTERM);
}

std::string clock_text(double s) {
  const long t = static_cast<long>(s + 0.5);
  char b[32];
  if (t >= 3600)
    std::snprintf(b, sizeof b, "%ld:%02ld:%02ld", t / 3600, t / 60 % 60, t % 60);
  else
    std::snprintf(b, sizeof b, "%02ld:%02ld", t / 60, t % 60);
  return b;
}

struct Outcome {
  size_t ran = 0, failed = 0;
  int interrupted = 0;  // the signal that stopped the sweep
};

// Runs `todo` (indices into plan.runs), `jobs` at a time, each into
// DIR/points/.tmp-ID renamed to DIR/points/ID when it ends.
Outcome run_points(const std::string& dir, const Plan& plan, const std::vector<size_t>& todo, int jobs, bool quiet) {
  const std::string exe = point_exe();
  const std::string points = dir + "/points";
  fs::create_directories(points);
  struct Child {
    size_t run;
    std::string tmp;
    std::chrono::steady_clock::time_point start;
  };
  std::map<pid_t, Child> running;
  g_stop = 0;
  for (int i = 0; i < kMaxJobs; ++i) g_children[i] = 0;
  struct sigaction sa {
  }, old_int{}, old_term{};
  sa.sa_handler = on_signal;  // no SA_RESTART: wait4 returns at once
  sigemptyset(&sa.sa_mask);
  ::sigaction(SIGINT, &sa, &old_int);
  ::sigaction(SIGTERM, &sa, &old_term);
  const bool tty = ::isatty(2);
  const auto t0 = std::chrono::steady_clock::now();
  Outcome out;
  size_t next = 0;
  auto progress = [&](bool last) {
    if (quiet) return;
    const double el = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    std::string line = "sweep: " + std::to_string(out.ran) + "/" + std::to_string(todo.size()) + " points, " +
                       std::to_string(out.failed) + " failed, " + clock_text(el) + " elapsed";
    if (out.ran > 0 && out.ran < todo.size())
      line += ", ETA " + clock_text(el / static_cast<double>(out.ran) * static_cast<double>(todo.size() - out.ran));
    if (tty)
      std::cerr << "\r\033[K" << line << (last ? "\n" : "") << std::flush;
    else
      std::cerr << line << "\n";
  };
  jobs = std::max(1, std::min(jobs, kMaxJobs));
  progress(todo.empty());
  while (!g_stop && (next < todo.size() || !running.empty())) {
    while (!g_stop && running.size() < static_cast<size_t>(jobs) && next < todo.size()) {
      const Run& r = plan.runs[todo[next++]];
      const std::string tmp = points + "/.tmp-" + r.id();
      fs::remove_all(tmp);
      fs::create_directories(tmp);
      write_file(tmp + "/scenario.toml", r.scenario);
      const std::string scen = tmp + "/scenario.toml", err = tmp + "/stderr.txt";
      std::cout.flush();
      std::cerr.flush();
      const pid_t pid = ::fork();
      if (pid < 0) throw std::runtime_error(std::string("fork: ") + std::strerror(errno));
      if (pid == 0) {
        ::signal(SIGINT, SIG_DFL);
        ::signal(SIGTERM, SIG_DFL);
        const int devnull = ::open("/dev/null", O_RDWR);
        const int efd = ::open(err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
        if (devnull >= 0) ::dup2(devnull, 0), ::dup2(devnull, 1);
        if (efd >= 0) ::dup2(efd, 2);
        const char* argv[] = {exe.c_str(), "run", scen.c_str(), "--out", tmp.c_str(), "--quiet", nullptr};
        ::execv(exe.c_str(), const_cast<char* const*>(argv));
        std::fprintf(stderr, "rxpath sweep: cannot run %s: %s\n", exe.c_str(), std::strerror(errno));
        ::_exit(127);
      }
      for (int i = 0; i < kMaxJobs; ++i)
        if (g_children[i] == 0) {
          g_children[i] = pid;
          break;
        }
      running[pid] = Child{todo[next - 1], tmp, std::chrono::steady_clock::now()};
    }
    int status = 0;
    struct rusage ru {};
    const pid_t pid = ::wait4(-1, &status, 0, &ru);
    if (pid < 0) {
      if (errno == EINTR) continue;
      break;
    }
    auto it = running.find(pid);
    if (it == running.end()) continue;
    for (int i = 0; i < kMaxJobs; ++i)
      if (g_children[i] == pid) g_children[i] = 0;
    const Child c = it->second;
    running.erase(it);
    if (g_stop) {  // killed by us: not a result
      fs::remove_all(c.tmp);
      continue;
    }
    const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - c.start).count();
    json st;
    if (WIFEXITED(status)) {
      st["exit_code"] = WEXITSTATUS(status);
    } else {
      st["exit_code"] = 128 + WTERMSIG(status);
      st["signal"] = WTERMSIG(status);
    }
    st["wall_s"] = wall;
    st["cpu_s"] = static_cast<double>(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
                  static_cast<double>(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
    st["max_rss_kb"] = ru.ru_maxrss;
    write_file(c.tmp + "/status.json", st.dump(2) + "\n");
    const std::string final_dir = points + "/" + plan.runs[c.run].id();
    fs::remove_all(final_dir);
    fs::rename(c.tmp, final_dir);
    ++out.ran;
    if (st["exit_code"] != 0) ++out.failed;
    progress(next == todo.size() && running.empty());
  }
  if (g_stop) {
    for (const auto& [pid, c] : running) ::kill(pid, SIGTERM);
    for (const auto& [pid, c] : running) {
      int st = 0;
      ::waitpid(pid, &st, 0);
      fs::remove_all(c.tmp);
    }
    out.interrupted = g_stop;
    if (!quiet && tty) std::cerr << "\n";
  }
  ::sigaction(SIGINT, &old_int, nullptr);
  ::sigaction(SIGTERM, &old_term, nullptr);
  return out;
}

// The runs of DIR's plan that have no point folder yet (stale .tmp-* removed).
std::vector<size_t> pending(const std::string& dir, const Plan& plan, int task, int tasks) {
  const std::string points = dir + "/points";
  std::error_code ec;
  if (task < 0)
    for (const auto& e : fs::directory_iterator(points, ec))
      if (e.path().filename().string().rfind(".tmp-", 0) == 0) fs::remove_all(e.path());
  std::vector<size_t> todo;
  for (size_t i = 0; i < plan.runs.size(); ++i) {
    if (task >= 0 && static_cast<int>(i % static_cast<size_t>(tasks)) != task) continue;
    if (!fs::exists(points + "/" + plan.runs[i].id())) todo.push_back(i);
  }
  return todo;
}

// ---- merging -------------------------------------------------------------

struct Row {
  std::map<std::string, json> cells;
};

// The metrics of one report. Until every report carries "measured" (the
// steady-state window), the whole run stands in: traffic's duration is the
// window, the whole-run counters the figures.
void metrics(const json& r, const std::string& scenario, Row& row) {
  auto& c = row.cells;
  if (r.contains("measured") && r["measured"].is_object()) {
    const json& m = r["measured"];
    for (const char* k : {"offered_frames", "offered_pps", "offered_gbps", "delivered_frames", "dropped_frames",
                          "loss_ratio", "msix_per_s", "polls_per_s", "time_squeeze"})
      if (m.contains(k)) c[k] = m[k];
    if (m.contains("drops"))
      for (const auto& [k, v] : m["drops"].items()) c["drop." + k] = v;
    if (m.contains("latency_ns")) {
      c["latency_p50_ns"] = m["latency_ns"].value("p50", json());
      c["latency_p99_ns"] = m["latency_ns"].value("p99", json());
      c["latency_p999_ns"] = m["latency_ns"].value("p999", json());
    }
    if (m.contains("cpu_share"))
      for (const auto& [k, v] : m["cpu_share"].items()) c["cpu_share." + k] = v;
    if (m.contains("counters") && m["counters"].is_object())  // select/poll/epoll work in the window
      for (const auto& [k, v] : m["counters"].items()) c["counter." + k] = v;
    if (m.contains("length_us")) c["window_us"] = m["length_us"];
    if (r.contains("steady")) c["steady"] = r["steady"].value("verdict", json());
    return;
  }
  double window_us = 0;
  try {
    const toml::table t = toml::parse(scenario);
    window_us = t["run"]["duration_us"].value_or(0.0);
  } catch (const toml::parse_error&) {
  }
  // value() returns a copy: each block is kept by value.
  const json off = r.value("offered", json::object());
  const json acct = r.value("accounting", json::object());
  const json irq = r.value("interrupts", json::object());
  const json delivered = r.value("delivered", json::object());
  const json lat = r.value("latency_ns", json::object());
  const json cpu_ns = r.value("cpu_ns", json::object());
  // Per second of the window: n * 1e6 / window_us (1e-6 is not exact in binary).
  const double frames = num(off, "frames"), w = window_us;
  auto per_s = [&](double n) { return w > 0 ? json(n * 1e6 / w) : json(); };
  c["offered_frames"] = off.value("frames", json());
  c["offered_pps"] = per_s(frames);
  c["offered_gbps"] = w > 0 ? json(num(off, "bytes") * 8 / (w * 1e3)) : json();
  c["delivered_frames"] = delivered.value("frames", json());
  c["dropped_frames"] = acct.value("dropped", json());
  c["loss_ratio"] = frames > 0 ? json(num(acct, "dropped") / frames) : json(0.0);
  if (acct.contains("drops"))
    for (const auto& [k, v] : acct["drops"].items()) c["drop." + k] = v;
  c["latency_p50_ns"] = lat.value("p50", json());
  c["latency_p99_ns"] = lat.value("p99", json());
  c["latency_p999_ns"] = lat.value("p999", json());
  std::map<std::string, double> by_ctx;
  double total = 0;
  for (const auto& [k, v] : cpu_ns.items()) {
    const size_t dot = k.find('.');
    if (dot == std::string::npos || !v.is_number()) continue;
    by_ctx[k.substr(dot + 1)] += v.get<double>();
    total += v.get<double>();
  }
  for (const char* ctx : {"softirq", "hardirq", "ksoftirqd", "process", "idle"})
    c[std::string("cpu_share.") + ctx] = total > 0 ? json(by_ctx[ctx] / total) : json();
  c["msix_per_s"] = per_s(num(irq, "msix"));
  c["polls_per_s"] = per_s(num(irq, "napi_polls"));
  c["time_squeeze"] = irq.value("time_squeeze", json());
  c["window_us"] = window_us;
}

std::string csv_field(const std::string& s) {
  if (s.find_first_of(",\"\n") == std::string::npos) return s;
  std::string out = "\"";
  for (char ch : s) out += ch == '"' ? std::string("\"\"") : std::string(1, ch);
  return out + "\"";
}

}  // namespace

size_t merge(const std::string& dir) {
  const Plan plan = load_plan(dir);
  std::vector<Row> rows;
  std::set<std::string> drops, counters;
  size_t failed = 0;
  for (const Run& r : plan.runs) {
    Row row;
    auto& c = row.cells;
    c["point"] = r.point;
    c["replica"] = r.replica;
    c["seed"] = r.seed;
    for (size_t a = 0; a < plan.axes.size(); ++a) c[plan.axes[a].knob] = cell_text(r.axis_values[a]);
    const std::string pd = dir + "/points/" + r.id();
    json status, report;
    try {
      status = json::parse(slurp(pd + "/status.json"));
    } catch (const json::exception&) {
    }
    if (status.is_object() && status.value("exit_code", -1) == 0) {
      try {
        report = json::parse(slurp(pd + "/report.json"));
      } catch (const json::exception&) {
      }
    }
    const bool ok = report.is_object();
    c["status"] = ok ? "ok" : "failed";
    c["exit_code"] = status.is_object() ? status.value("exit_code", json()) : json();
    if (ok) metrics(report, r.scenario, row);
    if (!ok) ++failed;
    if (status.is_object())
      for (const std::string& k : kMachineColumns) c[k] = status.value(k, json());
    for (const auto& [k, v] : c) {
      if (k.rfind("drop.", 0) == 0) drops.insert(k);
      if (k.rfind("counter.", 0) == 0) counters.insert(k);
    }
    rows.push_back(std::move(row));
  }
  std::vector<std::string> cols = {"point", "replica", "seed"};
  for (const Axis& a : plan.axes) cols.push_back(a.knob);
  cols.push_back("status");
  cols.push_back("exit_code");
  cols.insert(cols.end(), kHeadMetrics.begin(), kHeadMetrics.end());
  cols.insert(cols.end(), drops.begin(), drops.end());
  cols.insert(cols.end(), counters.begin(), counters.end());
  cols.insert(cols.end(), kTailMetrics.begin(), kTailMetrics.end());
  cols.insert(cols.end(), kMachineColumns.begin(), kMachineColumns.end());
  std::string csv;
  for (size_t i = 0; i < cols.size(); ++i) csv += (i ? "," : "") + csv_field(cols[i]);
  csv += "\n";
  json all = json::array();
  for (Row& row : rows) {
    const bool ok = row.cells["status"] == "ok";
    json obj = json::object();
    for (size_t i = 0; i < cols.size(); ++i) {
      auto it = row.cells.find(cols[i]);
      // A drop counter a successful run does not have counted nothing.
      json v = it != row.cells.end() ? it->second : (ok && cols[i].rfind("drop.", 0) == 0 ? json(0) : json());
      csv += (i ? "," : "") + csv_field(cell(v));
      // JSON keeps numbers as numbers; an axis value that reads as one is one.
      if (v.is_string() && i >= 3 && i < 3 + plan.axes.size()) {
        const std::string s = v.get<std::string>();
        char* end = nullptr;
        const double d = std::strtod(s.c_str(), &end);
        if (!s.empty() && *end == 0) v = d;
      }
      obj[cols[i]] = v;
    }
    csv += "\n";
    all.push_back(obj);
  }
  write_file(dir + "/results.csv", csv);
  write_file(dir + "/results.json", all.dump(1) + "\n");
  return failed;
}

std::string slurm_script(const std::string& exe, const std::string& dir, const std::string& name, size_t tasks,
                         int max_parallel, const std::string& partition, const std::string& time) {
  std::ostringstream os;
  os << "#!/bin/bash\n"
     << "# rxpath sweep of study '" << name << "': one array task per slice of the points\n"
     << "#SBATCH --job-name=rxpath-" << name << "\n"
     << "#SBATCH --array=0-" << (tasks - 1);
  if (max_parallel > 0) os << "%" << max_parallel;
  os << "\n#SBATCH --cpus-per-task=1\n"
     << "#SBATCH --output=" << dir << "/slurm/task-%A_%a.out\n"
     << "#SBATCH --error=" << dir << "/slurm/task-%A_%a.err\n";
  if (!partition.empty()) os << "#SBATCH --partition=" << partition << "\n";
  if (!time.empty()) os << "#SBATCH --time=" << time << "\n";
  os << "exec '" << exe << "' sweep --quiet -j 1 --task \"$SLURM_ARRAY_TASK_ID\" --tasks " << tasks << " '" << dir
     << "'\n";
  return os.str();
}

namespace {

// Runs argv (PATH searched) with stdout captured; the exit status, -1 when
// the program is not found.
int capture(const std::vector<std::string>& args, std::string* out) {
  int fds[2];
  if (::pipe(fds) != 0) return -1;
  const pid_t pid = ::fork();
  if (pid == 0) {
    ::dup2(fds[1], 1);
    ::close(fds[0]);
    ::close(fds[1]);
    std::vector<char*> argv;
    for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    ::execvp(argv[0], argv.data());
    ::_exit(127);
  }
  ::close(fds[1]);
  char buf[4096];
  ssize_t n;
  while ((n = ::read(fds[0], buf, sizeof buf)) > 0) out->append(buf, static_cast<size_t>(n));
  ::close(fds[0]);
  int st = 0;
  ::waitpid(pid, &st, 0);
  return WIFEXITED(st) ? WEXITSTATUS(st) : 128;
}

bool on_path(const std::string& prog) {
  const char* path = std::getenv("PATH");
  std::stringstream ss(path ? path : "");
  std::string d;
  while (std::getline(ss, d, ':'))
    if (!d.empty() && ::access((d + "/" + prog).c_str(), X_OK) == 0) return true;
  return false;
}

// Writes the plan into DIR (a new study, or the same one again); a changed
// study is refused unless `force`, which discards the old points.
void prepare(const Plan& plan, const SweepOptions& o) {
  fs::create_directories(o.dir);
  const std::string old = slurp(o.dir + "/plan.json");
  if (!old.empty()) {
    std::string fp;
    try {
      fp = json::parse(old).value("fingerprint", "");
    } catch (const json::exception&) {
    }
    if (fp != plan.fingerprint) {
      if (!o.force)
        throw InputError(o.dir + " holds the points of a different study (fingerprint " + fp + ", now " +
                         plan.fingerprint + "): the study file or its base changed. Use --force to discard the " +
                         "old points, or another -o folder");
      std::cerr << "rxpath sweep: the study changed: discarding the old points in " << o.dir << "\n";
      for (const char* f : {"points", "results.csv", "results.json", "plots", "index.html", "slurm"})
        fs::remove_all(o.dir + "/" + f);
    }
  }
  write_file(o.dir + "/study.toml", slurp(o.study));
  write_file(o.dir + "/plan.json", plan_json(plan).dump(1) + "\n");
  write_file(o.dir + "/fingerprint", plan.fingerprint + "\n");
  fs::create_directories(o.dir + "/points");
}

int finish(const std::string& dir, const SweepOptions& o) {
  const size_t failed = merge(dir);
  const Plan plan = load_plan(dir);
  if (!o.quiet || failed) {
    std::cerr << "rxpath sweep: " << plan.runs.size() - failed << "/" << plan.runs.size() << " runs ok";
    if (failed) std::cerr << ", " << failed << " failed (see points/*/stderr.txt)";
    std::cerr << "; results in " << dir << "/results.csv\n";
  }
  if (!o.no_plot) {
    const int p = plot(dir);
    if (p != 0) std::cerr << "rxpath sweep: warning: no plots (rxpath plot " << dir << " exited " << p << ")\n";
  }
  return failed ? 1 : 0;
}

int sweep_or_throw(const SweepOptions& o) {
  unsigned cores = std::thread::hardware_concurrency();
  const int jobs = o.jobs > 0 ? o.jobs : static_cast<int>(cores ? cores : 1);
  if (!o.collect.empty()) return finish(o.collect, o);
  if (o.task >= 0) {
    if (o.tasks <= 0 || o.task >= o.tasks) throw InputError("--task K needs --tasks T with 0 <= K < T");
    const Plan plan = load_plan(o.dir);
    const Outcome out = run_points(o.dir, plan, pending(o.dir, plan, o.task, o.tasks), jobs, o.quiet);
    if (out.interrupted) return 128 + out.interrupted;
    return out.failed ? 1 : 0;
  }
  if (o.study.empty()) throw InputError("sweep needs a study file (rxpath sweep STUDY.toml -o DIR)");
  if (o.dir.empty() && !o.dry_run) throw InputError("sweep needs -o DIR, the folder of the results");
  Plan plan;
  try {
    plan = expand_file(o.study);
  } catch (const StudyError& e) {
    throw InputError(e.what());
  }
  if (o.dry_run) {
    std::cout << plan.name << ": " << plan.points() << " points x " << plan.replicas
              << " replicas = " << plan.runs.size() << " runs (fingerprint " << plan.fingerprint << ")\n";
    return 0;
  }
  if (o.slurm) {
    if (!on_path("sbatch"))
      throw InputError("--slurm: sbatch is not on PATH (no Slurm here? run without --slurm to sweep locally)");
    prepare(plan, o);
    const std::string dir = abs_path(o.dir);
    fs::create_directories(dir + "/slurm");
    const size_t tasks = std::min<size_t>(plan.runs.size(), 1000);
    const std::string script = dir + "/slurm/sweep.sbatch";
    write_file(script, slurm_script(abs_path(self_exe()), dir, plan.name, tasks, o.max_parallel, o.partition, o.time));
    std::string out;
    const int rc = capture({"sbatch", "--parsable", script}, &out);
    while (!out.empty() && (out.back() == '\n' || out.back() == '\r')) out.pop_back();
    const std::string job = out.substr(0, out.find(';'));
    if (rc != 0 || job.empty())
      throw std::runtime_error("sbatch --parsable " + script + " failed (exit " + std::to_string(rc) + ")");
    write_file(dir + "/slurm/job_id", job + "\n");
    std::cerr << "rxpath sweep: submitted job " << job << " (" << tasks << " array tasks, " << plan.runs.size()
              << " runs); collect with: rxpath sweep --collect " << dir << "\n";
    if (!o.wait) return 0;
    for (;;) {
      std::string q;
      const int qrc = capture({"squeue", "-h", "-j", job, "-o", "%i"}, &q);
      if (qrc != 0 || q.find_first_not_of(" \n") == std::string::npos) break;
      if (!o.quiet) {
        size_t done = 0;
        for (const Run& r : plan.runs) done += fs::exists(dir + "/points/" + r.id());
        std::cerr << "rxpath sweep: job " << job << ": " << done << "/" << plan.runs.size() << " runs done\n";
      }
      std::this_thread::sleep_for(std::chrono::seconds(5));
    }
    return finish(dir, o);
  }
  prepare(plan, o);
  const std::vector<size_t> todo = pending(o.dir, plan, -1, 0);
  if (todo.size() < plan.runs.size() && !o.quiet)
    std::cerr << "rxpath sweep: resuming: " << plan.runs.size() - todo.size() << " of " << plan.runs.size()
              << " runs already done\n";
  const Outcome out = run_points(o.dir, plan, todo, jobs, o.quiet);
  if (out.interrupted) {
    std::cerr << "rxpath sweep: interrupted; " << out.ran << " runs finished. Run the same command to resume.\n";
    return 128 + out.interrupted;
  }
  return finish(o.dir, o);
}

}  // namespace

int sweep(const SweepOptions& o) {
  try {
    return sweep_or_throw(o);
  } catch (const InputError& e) {
    std::cerr << "rxpath: error: " << e.what() << "\n";
    return 2;
  } catch (const std::exception& e) {
    std::cerr << "rxpath: error: " << e.what() << "\n";
    return 2;
  }
}

int plot(const std::string& dir) {
  const char* env = std::getenv("RXPATH_PLOT_PY");
  const std::string script = env && *env ? env : std::string(RXPATH_SOURCE_DIR) + "/study/plot.py";
  if (!fs::exists(script)) {
    std::cerr << "rxpath: error: plot: " << script
              << " does not exist (study/plot.py draws a study's plots; set RXPATH_PLOT_PY to its path)\n";
    return 2;
  }
  if (!fs::exists(dir + "/results.csv")) {
    std::cerr << "rxpath: error: plot: " << dir << "/results.csv does not exist (run rxpath sweep first)\n";
    return 2;
  }
  std::cout.flush();
  const pid_t pid = ::fork();
  if (pid == 0) {
    // The Python that has matplotlib: the system's (found when rxpath was
    // configured), not whatever python3 comes first on PATH; RXPATH_PYTHON overrides.
    const char* py_env = std::getenv("RXPATH_PYTHON");
    const std::string py = py_env && *py_env ? py_env : RXPATH_PYTHON3;
    const char* argv[] = {py.c_str(), script.c_str(), dir.c_str(), nullptr};
    ::execvp(py.c_str(), const_cast<char* const*>(argv));
    std::fprintf(stderr, "rxpath: error: plot: cannot run %s: %s\n", py.c_str(), std::strerror(errno));
    ::_exit(127);
  }
  int st = 0;
  ::waitpid(pid, &st, 0);
  return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

}  // namespace rxpath::study
