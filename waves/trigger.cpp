// SPDX-License-Identifier: MIT
#include "waves/trigger.hpp"

#include <algorithm>
#include <cctype>
#include <stdexcept>

namespace rxpath::waves {

namespace {
std::string trim(const std::string& s) {
  size_t a = 0, b = s.size();
  while (a < b && std::isspace(static_cast<unsigned char>(s[a]))) ++a;
  while (b > a && std::isspace(static_cast<unsigned char>(s[b - 1]))) --b;
  return s.substr(a, b - a);
}
bool parse_u64(const std::string& s, uint64_t* v) {
  if (s.empty() || s.size() > 19 || !std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; }))
    return false;
  *v = std::stoull(s);
  return true;
}
}  // namespace

const std::vector<std::string>& Trigger::nic_counters() {
  static const std::vector<std::string> k = {"nic.mpc",    "nic.rnbc",   "nic.rqdpc", "nic.crcerrs",
                                             "nic.rxerrc", "nic.ruc",    "nic.roc",   "nic.rfc",
                                             "nic.rjc",    "nic.frames", "nic.msix",  "nic.drops"};
  return k;
}

Trigger Trigger::parse(const std::string& expr) {
  Trigger t;
  t.text_ = trim(expr);
  const std::string e = t.text_;
  auto bad = [&](const std::string& why) -> Trigger {
    throw std::invalid_argument("--trigger '" + expr + "': " + why +
                                " (expected mpc, rnbc, time_squeeze, packet:N or NAME>=X)");
  };
  if (e.empty()) return bad("empty");
  if (e == "mpc" || e == "rnbc") {
    t.name_ = "nic." + e;
    return t;
  }
  if (e == "time_squeeze") {
    t.name_ = "*.time_squeeze";
    return t;
  }
  if (e.rfind("packet:", 0) == 0) {
    t.kind_ = Kind::packet;
    if (!parse_u64(trim(e.substr(7)), &t.packet_)) return bad("packet number '" + e.substr(7) + "' is not a number");
    return t;
  }
  size_t p = e.find_first_of("><=");
  if (p == std::string::npos) return bad("unknown trigger");
  std::string op;
  size_t q = p;
  while (q < e.size() && (e[q] == '>' || e[q] == '=' || e[q] == '<')) op += e[q++];
  if (op == ">=")
    t.op_ = Op::ge;
  else if (op == ">")
    t.op_ = Op::gt;
  else if (op == "==" || op == "=")
    t.op_ = Op::eq;
  else
    return bad("operator '" + op + "' (use >=, > or ==)");
  t.name_ = trim(e.substr(0, p));
  if (t.name_.empty() || t.name_.find_first_of(" \t") != std::string::npos) return bad("no signal name before " + op);
  if (t.name_.find('.') == std::string::npos) return bad("'" + t.name_ + "' is not a signal name (host.* or nic.*)");
  if (!parse_u64(trim(e.substr(q)), &t.x_)) return bad("threshold '" + trim(e.substr(q)) + "' is not a whole number");
  if (t.is_nic_counter() && std::find(nic_counters().begin(), nic_counters().end(), t.name_) == nic_counters().end()) {
    std::string known;
    for (const auto& n : nic_counters()) known += (known.empty() ? "" : ", ") + n;
    return bad("unknown NIC counter '" + t.name_ + "' (known: " + known + ")");
  }
  return t;
}

bool Trigger::matches(const std::string& path) const {
  if (kind_ != Kind::threshold) return false;
  if (name_.rfind("*.", 0) == 0) {
    const std::string leaf = name_.substr(1);  // ".time_squeeze"
    return path.size() > leaf.size() && path.compare(path.size() - leaf.size(), leaf.size(), leaf) == 0;
  }
  return path == name_;
}

}  // namespace rxpath::waves
