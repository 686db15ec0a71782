// SPDX-License-Identifier: MIT
// The registry of debug categories (see debug.hpp).
#include "common/debug.hpp"

#include <algorithm>
#include <cinttypes>
#include <cstdarg>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <stdexcept>

namespace rxpath::common::debug {

namespace {

// In registration order. A function-local static, so flags of other
// translation units may register during static initialisation.
std::vector<Flag*>& registry() {
  static std::vector<Flag*> r;
  return r;
}

std::function<void(const std::string&)>& sink() {
  static std::function<void(const std::string&)> s;
  return s;
}

Flag* find(std::string_view name) {
  for (Flag* f : registry())
    if (name == f->name()) return f;
  return nullptr;
}

std::string known_names() {
  std::vector<std::string> names;
  for (const Flag* f : registry()) names.emplace_back(f->name());
  std::sort(names.begin(), names.end());
  std::string s;
  for (const std::string& n : names) s += (s.empty() ? "" : ", ") + n;
  return s;
}

}  // namespace

Flag::Flag(const char* name, const char* layer, const char* description)
    : name_(name), layer_(layer), description_(description) {
  const std::string_view n(name);
  if (n.empty() || n.find(',') != std::string_view::npos || n == "all" || n == "help")
    throw std::logic_error("debug: '" + std::string(n) + "' cannot name a category");
  if (find(n))
    throw std::logic_error("debug: category '" + std::string(n) + "' registered twice (" + find(n)->layer() + ", " +
                           layer + ")");
  registry().push_back(this);
}

Flag::~Flag() {
  std::vector<Flag*>& r = registry();
  r.erase(std::remove(r.begin(), r.end(), this), r.end());
}

void enable(const std::string& list) {
  std::vector<Flag*> chosen;
  size_t pos = 0;
  while (pos <= list.size()) {
    size_t comma = list.find(',', pos);
    if (comma == std::string::npos) comma = list.size();
    const std::string item = list.substr(pos, comma - pos);
    pos = comma + 1;
    if (item.empty()) continue;
    if (item == "all") {
      chosen.insert(chosen.end(), registry().begin(), registry().end());
      continue;
    }
    Flag* f = find(item);
    if (!f) throw std::invalid_argument("debug: unknown category '" + item + "' (known: " + known_names() + ")");
    chosen.push_back(f);
  }
  for (Flag* f : chosen) f->set(true);
}

void enable_from_env() {
  static bool done = false;
  if (done) return;
  done = true;
  if (const char* e = std::getenv("RXPATH_DEBUG")) enable(e);
}

void disable_all() {
  for (Flag* f : registry()) f->set(false);
}

std::vector<const Flag*> flags() {
  std::vector<const Flag*> v(registry().begin(), registry().end());
  std::stable_sort(v.begin(), v.end(),
                   [](const Flag* a, const Flag* b) { return std::strcmp(a->layer(), b->layer()) < 0; });
  return v;
}

std::string help() {
  const std::vector<const Flag*> v = flags();
  size_t width = 0;
  for (const Flag* f : v) width = std::max(width, std::strlen(f->name()));
  std::string s;
  const char* layer = nullptr;
  for (const Flag* f : v) {
    if (!layer || std::strcmp(layer, f->layer()) != 0) {
      layer = f->layer();
      s += std::string(layer) + ":\n";
    }
    s += "  " + std::string(f->name()) + std::string(width + 2 - std::strlen(f->name()), ' ') + f->description() + "\n";
  }
  return s;
}

void set_sink(std::function<void(const std::string&)> s) { sink() = std::move(s); }

std::string format(uint64_t time_ps, const Flag& flag, std::string_view message) {
  char t[48];
  std::snprintf(t, sizeof t, "%6" PRIu64 ".%06" PRIu64 " us ", time_ps / 1000000, time_ps % 1000000);
  std::string line(t);
  line += flag.name();
  line += ' ';
  line += message;
  return line;
}

void print(const Flag& flag, uint64_t time_ps, std::string_view message) {
  const std::string line = format(time_ps, flag, message);
  if (sink()) {
    sink()(line);
  } else {
    std::fwrite(line.data(), 1, line.size(), stderr);
    std::fputc('\n', stderr);
  }
}

void print_fmt(const Flag& flag, uint64_t time_ps, const char* fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  va_list again;
  va_copy(again, ap);
  const int n = std::vsnprintf(nullptr, 0, fmt, ap);
  va_end(ap);
  std::string message(n > 0 ? size_t(n) : 0, '\0');
  if (n > 0) std::vsnprintf(message.data(), message.size() + 1, fmt, again);
  va_end(again);
  print(flag, time_ps, message);
}

}  // namespace rxpath::common::debug
