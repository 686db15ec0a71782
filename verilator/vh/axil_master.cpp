// SPDX-License-Identifier: MIT
// AXI4-Lite master and MSI-X sink.
#include "verilator/vh/axil.hpp"

#include <stdexcept>

#include "verilator/vh/debug.hpp"

namespace rxpath::vh {

void AxilMaster::start_write(uint32_t addr, uint32_t data) {
  if (op_ != NONE) throw std::logic_error("AxilMaster: operation already in flight");
  op_ = WR;
  addr_ = addr;
  data_ = data;
  aw_done_ = w_done_ = false;
  fresh_ = true;
  age_ = 0;
  w_delay_ = unsigned(ops_ % 3);
  resp_delay_ = unsigned((ops_ / 3) % 4);
  ++ops_;
}

void AxilMaster::start_read(uint32_t addr) {
  if (op_ != NONE) throw std::logic_error("AxilMaster: operation already in flight");
  op_ = RD;
  addr_ = addr;
  ar_done_ = false;
  fresh_ = true;
  age_ = 0;
  resp_delay_ = unsigned(ops_ % 4);
  ++ops_;
}

void AxilMaster::sample(uint64_t cycle) {
  const bool bv = *b_.bvalid, rv = *b_.rvalid;
  // Slave-side rules: a response holds until taken, and only answers a request.
  if (bv_prev_ && !bv) v_.push_back("cycle " + std::to_string(cycle) + ": BVALID dropped before BREADY");
  if (rv_prev_ && !rv) v_.push_back("cycle " + std::to_string(cycle) + ": RVALID dropped before RREADY");
  bv_prev_ = bv && !*b_.bready;
  rv_prev_ = rv && !*b_.rready;
  if (bv && *b_.bready) {
    if (op_ != WR || !aw_done_ || !w_done_) v_.push_back("cycle " + std::to_string(cycle) + ": BVALID without a write");
    resp_ = *b_.bresp;
    RXP_DBG(axil, cycle, "write %05x <= %08x resp %u", addr_, data_, resp_);
    op_ = NONE;
  }
  if (rv && *b_.rready) {
    if (op_ != RD || !ar_done_) v_.push_back("cycle " + std::to_string(cycle) + ": RVALID without a read");
    rdata_ = *b_.rdata;
    resp_ = *b_.rresp;
    RXP_DBG(axil, cycle, "read  %05x => %08x resp %u", addr_, rdata_, resp_);
    op_ = NONE;
  }
  if (*b_.awvalid && *b_.awready) aw_done_ = true;
  if (*b_.wvalid && *b_.wready) w_done_ = true;
  if (*b_.arvalid && *b_.arready) ar_done_ = true;
}

void AxilMaster::drive(uint64_t) {
  fresh_ = false;
  *b_.awaddr = addr_;
  *b_.wdata = data_;
  *b_.wstrb = 0xf;
  *b_.araddr = addr_;
  *b_.awvalid = op_ == WR && !aw_done_;
  *b_.wvalid = op_ == WR && !w_done_ && age_ >= w_delay_;
  *b_.bready = op_ == WR && age_ >= resp_delay_;
  *b_.arvalid = op_ == RD && !ar_done_;
  *b_.rready = op_ == RD && age_ >= resp_delay_;
  if (op_ != NONE) ++age_;
}

void MsixSink::sample(uint64_t cycle) {
  const bool v = *v_;
  if (held_ && (!v || *vec_ != held_vec_))
    violations.push_back("cycle " + std::to_string(cycle) + ": MSI-X request changed before ready");
  held_ = v && !*r_;
  held_vec_ = *vec_;
  if (v && *r_) {
    msgs.push_back({unsigned(*vec_), cycle});
    RXP_DBG(nic_msix, cycle, "MSI-X vector %u", unsigned(*vec_));
  }
}

}  // namespace rxpath::vh
