// SPDX-License-Identifier: MIT
#include "testbench/output_file.hpp"

#include <unistd.h>
#include <cerrno>
#include <cstring>
#include <fstream>

namespace rxpath::tb {

OutputFile::OutputFile(std::string path)
    : path_(std::move(path)), tmp_(path_ + ".part." + std::to_string(::getpid())) {}

OutputFile::~OutputFile() {
  if (!committed_) std::remove(tmp_.c_str());
}

void OutputFile::commit() {
  if (std::rename(tmp_.c_str(), path_.c_str()) != 0)
    throw std::runtime_error(path_ + ": cannot write: " + std::strerror(errno));
  committed_ = true;
}

void OutputFile::write_all(const std::string& text) {
  {
    std::ofstream out(tmp_, std::ios::binary | std::ios::trunc);
    if (!out) throw std::runtime_error(path_ + ": cannot create: " + std::strerror(errno));
    out << text;
    out.flush();
    if (!out) throw std::runtime_error(path_ + ": write failed: " + std::strerror(errno));
  }
  commit();
}

}  // namespace rxpath::tb
