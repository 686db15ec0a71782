// SPDX-License-Identifier: MIT
#include "testbench/output_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <atomic>
#include <cerrno>
#include <climits>
#include <cstring>
#include <fstream>

namespace rxpath::tb {

namespace {

// The temporary files not yet committed, for remove_partial_files() in a
// signal handler: a fixed table of pointers, no allocation, no locks.
constexpr int kSlots = 256;
std::atomic<const char*> g_live[kSlots];

int enlist(const char* p) {
  for (int i = 0; i < kSlots; ++i) {
    const char* expected = nullptr;
    if (g_live[i].compare_exchange_strong(expected, p)) return i;
  }
  return -1;  // more than kSlots at once: not removed on a signal
}

void delist(int& slot) {
  if (slot >= 0) g_live[slot].store(nullptr);
  slot = -1;
}

std::string folder_of(const std::string& p) {
  const size_t s = p.rfind('/');
  return s == std::string::npos ? "." : s == 0 ? "/" : p.substr(0, s);
}

// Follows symlinks to the file they name (which may not exist yet).
std::string resolve(const std::string& path, const std::string& shown) {
  std::string p = path;
  for (int hops = 0;; ++hops) {
    struct stat st {};
    if (::lstat(p.c_str(), &st) != 0 || !S_ISLNK(st.st_mode)) return p;
    if (hops == 40) throw std::runtime_error(shown + ": too many levels of symbolic links");
    char buf[PATH_MAX];
    const ssize_t n = ::readlink(p.c_str(), buf, sizeof buf - 1);
    if (n < 0) throw std::runtime_error(shown + ": cannot read the symbolic link: " + std::strerror(errno));
    const std::string t(buf, static_cast<size_t>(n));
    p = !t.empty() && t[0] == '/' ? t : folder_of(p) + "/" + t;
  }
}

// Writes all of [p, p+n) to fd; returns 0 or an errno.
int write_fully(int fd, const char* p, size_t n) {
  while (n > 0) {
    const ssize_t w = ::write(fd, p, n);
    if (w < 0) {
      if (errno == EINTR) continue;
      return errno;
    }
    p += w;
    n -= static_cast<size_t>(w);
  }
  return 0;
}

}  // namespace

OutputFile::OutputFile(std::string path) : path_(std::move(path)) {
  if (path_.empty()) throw std::runtime_error("an output path is an empty string");
  target_ = resolve(path_, path_);
  struct stat st {};
  if (::stat(target_.c_str(), &st) == 0) {
    if (S_ISDIR(st.st_mode)) throw std::runtime_error(path_ + ": is a folder, not a file");
    if (S_ISCHR(st.st_mode) || S_ISFIFO(st.st_mode))
      direct_ = true;
    else if (!S_ISREG(st.st_mode))
      throw std::runtime_error(path_ + ": not a regular file, a character device or a FIFO; refused");
  }
  if (direct_) {
    tmp_ = target_;
    return;
  }
  tmp_ = target_ + ".part." + std::to_string(::getpid());
  slot_ = enlist(tmp_.c_str());
}

OutputFile::~OutputFile() {
  if (!committed_ && !direct_) {
    delist(slot_);
    std::remove(tmp_.c_str());
  }
  if (!scratch_.empty()) {
    delist(scratch_slot_);
    std::remove(scratch_.c_str());
  }
}

void OutputFile::scratch_beside(const std::string& suffix) {
  if (direct_ || !scratch_.empty()) return;
  scratch_ = tmp_ + suffix;
  scratch_slot_ = enlist(scratch_.c_str());
}

void OutputFile::fail(const std::string& what, int err) {
  if (!direct_) {
    delist(slot_);
    std::remove(tmp_.c_str());
  }
  committed_ = true;  // nothing left to remove
  throw std::runtime_error(path_ + ": " + what + (err ? std::string(": ") + std::strerror(err) : std::string()));
}

void OutputFile::commit() {
  if (committed_) return;
  if (direct_) {
    committed_ = true;
    return;
  }
  const int fd = ::open(tmp_.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) fail("cannot write", errno);
  const int synced = ::fsync(fd) == 0 ? 0 : errno;
  const int closed = ::close(fd) == 0 ? 0 : errno;
  if (synced || closed) fail("write failed", synced ? synced : closed);
  if (std::rename(tmp_.c_str(), target_.c_str()) != 0) fail("cannot write", errno);
  delist(slot_);
  committed_ = true;
}

void OutputFile::write_all(const std::string& text) {
  const int fd = direct_ ? ::open(tmp_.c_str(), O_WRONLY | O_CLOEXEC)
                         : ::open(tmp_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
  if (fd < 0) fail("cannot create", errno);
  const int written = write_fully(fd, text.data(), text.size());
  const int closed = ::close(fd) == 0 ? 0 : errno;
  if (written || closed) fail("write failed", written ? written : closed);
  commit();
}

void OutputFile::write_with(const std::function<void(std::ostream&)>& write) {
  {
    std::ofstream out(tmp_, std::ios::binary | (direct_ ? std::ios::openmode() : std::ios::trunc));
    if (!out) fail("cannot create", errno);
    write(out);
    out.flush();
    if (!out) fail("write failed", errno);
    out.close();
    if (!out) fail("write failed", errno);
  }
  commit();
}

void OutputFile::check(const std::string& path) {
  OutputFile f(path);
  if (f.direct_) {
    if (::access(f.tmp_.c_str(), W_OK) != 0) f.fail("cannot write", errno);
    return;
  }
  const int fd = ::open(f.tmp_.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
  if (fd < 0) f.fail("cannot create the file", errno);
  ::close(fd);
  // ~OutputFile removes it.
}

void OutputFile::remove_partial_files() noexcept {
  for (auto& slot : g_live) {
    const char* p = slot.load();
    if (p) ::unlink(p);
  }
}

}  // namespace rxpath::tb
