// SPDX-License-Identifier: MIT
// An output file that appears whole or not at all: everything is written to
// a temporary file beside the target, synced and renamed over it by commit().
// A run that fails (or throws, or is interrupted) leaves no half-written
// report, pcap or trace behind, not even on a full disk: every write, the
// sync and the close are checked.
//
// A target that is a symlink is written through (the temporary file goes
// beside the file it points to, which the rename replaces; the link stays).
// A character device or a FIFO (/dev/null, /dev/stdout, a named pipe) is
// written directly: there is nothing to rename. A folder, a block device, a
// socket or a dangling symlink is refused.
#pragma once

#include <cstdio>
#include <functional>
#include <ostream>
#include <stdexcept>
#include <string>

namespace rxpath::tb {

class OutputFile {
 public:
  // Throws std::runtime_error naming the file when the target is refused.
  explicit OutputFile(std::string path);
  ~OutputFile();  // removes the temporary file unless committed
  OutputFile(const OutputFile&) = delete;
  OutputFile& operator=(const OutputFile&) = delete;

  const std::string& path() const { return path_; }
  // Where to write until commit(): the temporary file, or the device or
  // FIFO itself.
  const std::string& temp_path() const { return tmp_; }
  // True when the target is a device or a FIFO, written directly.
  bool direct() const { return direct_; }
  // Syncs the temporary file (a full disk shows here on file systems that
  // allocate late) and renames it over the target. Throws std::runtime_error
  // naming the file when that fails; the temporary file is then removed.
  void commit();
  // A scratch file the writer keeps beside the temporary file (the FST
  // writer's temp_path() + ".hier"): removed with it, also on a signal.
  void scratch_beside(const std::string& suffix);
  // Writes `text` to the temporary file and commits.
  void write_all(const std::string& text);
  // Lets `write` stream into the temporary file, checks the stream and
  // commits (for outputs too large to hold twice in memory).
  void write_with(const std::function<void(std::ostream&)>& write);

  // Before a long run: throws std::runtime_error naming the file when
  // `path` could not be written (a refused target, a missing or read-only
  // folder). Creates and removes a temporary file; never touches the target.
  static void check(const std::string& path);
  // Removes every temporary file not yet committed. Async-signal-safe: for a
  // SIGINT or SIGTERM handler (rxpath run exits 130 or 143 after it).
  static void remove_partial_files() noexcept;

 private:
  [[noreturn]] void fail(const std::string& what, int err);
  std::string path_;    // as given (named in messages)
  std::string target_;  // the file renamed over: path_, or where its symlink points
  std::string tmp_;
  std::string scratch_;  // scratch_beside(), or empty
  bool direct_ = false;
  bool committed_ = false;
  int slot_ = -1;          // in the table remove_partial_files() reads
  int scratch_slot_ = -1;  // the same for scratch_
};

}  // namespace rxpath::tb
