// SPDX-License-Identifier: MIT
#include "verilator/sc/axi2tlm.hpp"

#include <cstring>

namespace rxpath::bridge {

namespace {
constexpr uint8_t kOkay = 0, kSlvErr = 2;
}

Axi2Tlm::Axi2Tlm(const vh::AxiBus& bus, Port port, unsigned b_latency, unsigned max_reads)
    : b_(bus), port_(std::move(port)), b_latency_(b_latency), max_reads_(max_reads) {}

std::unique_ptr<Axi2Tlm::ReadTxn> Axi2Tlm::new_read() {
  if (!pool_.empty()) {
    auto t = std::move(pool_.back());
    pool_.pop_back();
    return t;
  }
  return std::make_unique<ReadTxn>();
}

void Axi2Tlm::finish_write(WriteBurst& w, uint64_t edge) {
  // One payload per contiguous run of strobed bytes (usually exactly one).
  uint8_t resp = kOkay;
  const size_t n = w.data.size();
  size_t i = 0;
  while (i < n) {
    while (i < n && !w.strb[i]) ++i;
    size_t j = i;
    while (j < n && w.strb[j]) ++j;
    if (j > i) {
      const auto st = port_.write(edge, w.addr + i, w.data.data() + i, j - i);
      if (st != tlm::TLM_OK_RESPONSE) resp = kSlvErr;
      write_bytes += j - i;
    }
    i = j;
  }
  ++write_bursts;
  if (resp != kOkay) ++errors;
  bq_.push_back({w.id, edge + b_latency_, resp});
}

void Axi2Tlm::read_done(tlm::tlm_generic_payload& p, uint64_t edge) {
  for (auto& t : reads_) {
    if (&t->p == &p) {
      t->ready_edge = edge;
      t->done = true;
      t->resp = p.get_response_status() == tlm::TLM_OK_RESPONSE ? kOkay : kSlvErr;
      if (t->resp != kOkay) ++errors;
      return;
    }
  }
}

void Axi2Tlm::sample(uint64_t cycle) {
  const uint64_t edge = cycle + 1;  // the transfer happens at the coming edge
  const unsigned db = b_.data_bytes;
  // AW
  if (*b_.awvalid && *b_.awready) {
    WriteBurst w;
    w.id = b_.get_id(b_.awid);
    w.addr = *b_.awaddr & ~uint64_t(db - 1);  // beats are data-width aligned; WSTRB marks the bytes
    w.beats = unsigned(*b_.awlen) + 1;
    w.data.assign(size_t(w.beats) * db, 0);
    w.strb.assign(size_t(w.beats) * db, 0);
    aw_.push_back(std::move(w));
  }
  // W (accepted only while a burst address is waiting for data)
  if (*b_.wvalid && *b_.wready && !aw_.empty()) {
    WriteBurst& w = aw_.front();
    const uint64_t strb = b_.get_strb();
    uint8_t beat[128];
    std::memcpy(beat, b_.wdata, db);
    const size_t off = size_t(w.got) * db;
    for (unsigned k = 0; k < db; ++k) {
      if ((strb >> k) & 1) {
        w.data[off + k] = beat[k];
        w.strb[off + k] = 1;
      }
    }
    ++w.got;
    if (*b_.wlast || w.got == w.beats) {
      finish_write(w, edge);
      aw_.pop_front();
    }
  }
  // B
  if (*b_.bvalid && *b_.bready) bq_.pop_front();
  // AR
  if (*b_.arvalid && *b_.arready) {
    auto t = new_read();
    t->id = b_.get_id(b_.arid);
    t->beats = unsigned(*b_.arlen) + 1;
    t->beat = 0;
    t->done = false;
    t->ready_edge = UINT64_MAX;
    t->buf.assign(size_t(t->beats) * db, 0);
    tlm::tlm_generic_payload& p = t->p;
    p.set_command(tlm::TLM_READ_COMMAND);
    p.set_address(*b_.araddr & ~uint64_t(db - 1));
    p.set_data_ptr(t->buf.data());
    p.set_data_length(unsigned(t->buf.size()));
    p.set_streaming_width(unsigned(t->buf.size()));
    p.set_byte_enable_ptr(nullptr);
    p.set_dmi_allowed(false);
    p.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
    ReadTxn* raw = t.get();
    reads_.push_back(std::move(t));
    ++read_bursts;
    read_bytes += raw->buf.size();
    port_.read(edge, raw->p);  // may call read_done() at once with an error
  }
  // R
  if (*b_.rvalid && *b_.rready && !reads_.empty()) {
    ReadTxn& t = *reads_.front();
    if (++t.beat == t.beats) {
      pool_.push_back(std::move(reads_.front()));
      reads_.pop_front();
    }
  }
}

void Axi2Tlm::drive(uint64_t cycle) {
  const uint64_t edge = cycle + 1;  // inputs set now are seen at this edge
  const unsigned db = b_.data_bytes;
  *b_.awready = aw_.size() < 8;
  *b_.wready = !aw_.empty();
  *b_.arready = reads_.size() < max_reads_;
  // B
  if (!bq_.empty() && bq_.front().ready_edge <= edge) {
    *b_.bvalid = 1;
    b_.set_id(b_.bid, bq_.front().id);
    *b_.bresp = bq_.front().resp;
  } else {
    *b_.bvalid = 0;
  }
  // R: in AR order, once the front burst's data has arrived
  if (!reads_.empty() && reads_.front()->done && reads_.front()->ready_edge <= edge) {
    ReadTxn& t = *reads_.front();
    *b_.rvalid = 1;
    b_.set_id(b_.rid, t.id);
    std::memcpy(b_.rdata, t.buf.data() + size_t(t.beat) * db, db);
    *b_.rresp = t.resp;
    *b_.rlast = t.beat + 1 == t.beats;
  } else {
    *b_.rvalid = 0;
    *b_.rlast = 0;
  }
}

}  // namespace rxpath::bridge
