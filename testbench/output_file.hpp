// SPDX-License-Identifier: MIT
// An output file that appears whole or not at all: everything is written to
// a temporary file beside the target, renamed over it by commit(). A run that
// fails (or throws) leaves no half-written report, pcap or trace behind.
#pragma once

#include <cstdio>
#include <stdexcept>
#include <string>

namespace rxpath::tb {

class OutputFile {
 public:
  explicit OutputFile(std::string path);
  ~OutputFile();  // removes the temporary file unless committed
  OutputFile(const OutputFile&) = delete;
  OutputFile& operator=(const OutputFile&) = delete;

  const std::string& path() const { return path_; }
  // Where to write until commit().
  const std::string& temp_path() const { return tmp_; }
  // Renames the temporary file over path(). Throws std::runtime_error naming
  // the file when that fails.
  void commit();
  // Writes `text` to the temporary file and commits.
  void write_all(const std::string& text);

 private:
  std::string path_;
  std::string tmp_;
  bool committed_ = false;
};

}  // namespace rxpath::tb
