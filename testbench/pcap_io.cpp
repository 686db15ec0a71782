// SPDX-License-Identifier: MIT
#include "testbench/pcap_io.hpp"

#include <pcap/pcap.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

namespace rxpath::tb {

CaptureReader::CaptureReader(const std::string& path) : path_(path) {
  char err[PCAP_ERRBUF_SIZE] = {0};
  p_ = pcap_open_offline_with_tstamp_precision(path.c_str(), PCAP_TSTAMP_PRECISION_NANO, err);
  if (!p_) {
    const std::string e = err;  // libpcap names the file itself when it cannot open it
    throw PcapError(e.rfind(path + ": ", 0) == 0 ? e : path + ": " + e);
  }
  if (pcap_datalink(p_) != DLT_EN10MB) {
    const int lt = pcap_datalink(p_);
    const char* name = pcap_datalink_val_to_name(lt);
    pcap_close(p_);
    p_ = nullptr;
    throw PcapError(path + ": link type " + (name ? name : std::to_string(lt)) +
                    " is not Ethernet (DLT_EN10MB): rxpath replays Ethernet frames only");
  }
}

CaptureReader::~CaptureReader() {
  if (p_) pcap_close(p_);
}

bool CaptureReader::next(CapturedFrame& f) {
  pcap_pkthdr* h = nullptr;
  const u_char* data = nullptr;
  const int rc = pcap_next_ex(p_, &h, &data);
  if (rc == PCAP_ERROR_BREAK) return false;  // end of file
  const std::string rec = path_ + ": record " + std::to_string(n_ + 1) + ": ";
  if (rc != 1) throw PcapError(rec + pcap_geterr(p_));
  ++n_;
  if (h->caplen < h->len)
    throw PcapError(rec + "captured " + std::to_string(h->caplen) + " of " + std::to_string(h->len) +
                    " bytes (snapshot length too small to replay)");
  // A record cannot hold more of a frame than the frame had (pcap-savefile(5):
  // caplen is the part of len saved); libpcap passes such a record on.
  if (h->caplen > h->len)
    throw PcapError(rec + "captured " + std::to_string(h->caplen) + " bytes of a " + std::to_string(h->len) +
                    "-byte frame (a corrupt record)");
  if (h->len < 14) throw PcapError(rec + std::to_string(h->len) + " bytes is shorter than an Ethernet header");
  f.ts_ns = static_cast<uint64_t>(h->ts.tv_sec) * 1000000000ull + static_cast<uint64_t>(h->ts.tv_usec);
  f.orig_len = h->len;
  f.data.assign(data, data + h->caplen);
  return true;
}

std::vector<CapturedFrame> read_capture(const std::string& path) {
  CaptureReader r(path);
  std::vector<CapturedFrame> out;
  CapturedFrame f;
  while (r.next(f)) out.push_back(f);
  return out;
}

PcapWriter::PcapWriter(const std::string& path, uint32_t snaplen) : out_(path), snaplen_(snaplen) {
  dead_ = pcap_open_dead_with_tstamp_precision(DLT_EN10MB, static_cast<int>(snaplen), PCAP_TSTAMP_PRECISION_NANO);
  if (!dead_) throw PcapError(path + ": cannot create pcap handle");
  dumper_ = pcap_dump_open(dead_, out_.temp_path().c_str());
  if (!dumper_) {
    std::string e = pcap_geterr(dead_);
    pcap_close(dead_);
    throw PcapError(path + ": " + e);
  }
}

PcapWriter::~PcapWriter() {
  if (dumper_) pcap_dump_close(dumper_);
  if (dead_) pcap_close(dead_);
}

void PcapWriter::write(uint64_t ts_ns, const uint8_t* data, size_t len) {
  pcap_pkthdr h{};
  h.ts.tv_sec = static_cast<time_t>(ts_ns / 1000000000ull);
  h.ts.tv_usec = static_cast<suseconds_t>(ts_ns % 1000000000ull);  // nanoseconds with NANO precision
  h.len = static_cast<uint32_t>(len);
  h.caplen = static_cast<uint32_t>(len < snaplen_ ? len : snaplen_);
  pcap_dump(reinterpret_cast<u_char*>(dumper_), &h, data);
  // pcap_dump() is fwrite() and returns nothing: a write that failed (a
  // full disk) shows only in the stream's error flag, and a later fflush()
  // of the next buffer may well succeed, leaving a cut file that looks whole.
  // So the flag is read after every record, and the first failure ends the
  // run.
  if (std::ferror(pcap_dump_file(dumper_))) fail_write(errno);
  ++frames_;
}

void PcapWriter::fail_write(int err) {
  const std::string why = err ? std::string(": ") + std::strerror(err) : std::string();
  pcap_dump_close(dumper_);  // the temporary file goes with out_
  dumper_ = nullptr;
  throw PcapError(out_.path() + ": write failed" + why);
}

void PcapWriter::close() {
  if (!dumper_) return;
  FILE* f = pcap_dump_file(dumper_);
  errno = 0;
  if (pcap_dump_flush(dumper_) != 0 || std::ferror(f)) fail_write(errno);
  // fclose() inside pcap_dump_close() is not checked by libpcap: sync first,
  // so what a late-allocating file system could still refuse shows here.
  if (!out_.direct() && ::fsync(fileno(f)) != 0) fail_write(errno);
  pcap_dump_close(dumper_);
  dumper_ = nullptr;
  out_.commit();
}

}  // namespace rxpath::tb
