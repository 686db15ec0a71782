// SPDX-License-Identifier: MIT
// AXI4-Lite master and MSI-X sink.
#include "verilator/vh/axil.hpp"

#include <stdexcept>

#include "verilator/vh/debug.hpp"

namespace rxpath::vh {

void AxilMaster::start_write(uint32_t addr, uint32_t data, uint8_t strb) {
  if (wr_.on) throw std::logic_error("AxilMaster: write already in flight");
  wr_ = Op{};
  wr_.on = true;
  wr_.addr = addr;
  wr_.data = data;
  wr_.strb = strb;
  wr_.w_delay = unsigned(ops_ % 3);
  wr_.resp_delay = unsigned((ops_ / 3) % 4);
  ++ops_;
}

void AxilMaster::start_read(uint32_t addr) {
  if (rd_.on) throw std::logic_error("AxilMaster: read already in flight");
  rd_ = Op{};
  rd_.on = true;
  rd_.addr = addr;
  rd_.resp_delay = unsigned(ops_ % 4);
  ++ops_;
}

void AxilMaster::start_pair(uint32_t waddr, uint32_t wdata, uint32_t raddr, uint8_t wstrb) {
  start_write(waddr, wdata, wstrb);
  start_read(raddr);
  wr_.w_delay = 0;  // AW, W and AR all in the first clock
}

void AxilMaster::sample(uint64_t cycle) {
  const bool bv = *b_.bvalid, rv = *b_.rvalid;
  // Slave-side rules: a response holds until taken, and only answers a request.
  if (b_.rst_n && !*b_.rst_n) {  // in reset: the slave's outputs start as anything
    bv_prev_ = rv_prev_ = false;
    return;
  }
  if (bv_prev_ && !bv) v_.push_back("cycle " + std::to_string(cycle) + ": BVALID dropped before BREADY");
  if (rv_prev_ && !rv) v_.push_back("cycle " + std::to_string(cycle) + ": RVALID dropped before RREADY");
  bv_prev_ = bv && !*b_.bready;
  rv_prev_ = rv && !*b_.rready;
  if (bv && *b_.bready) {
    if (!wr_.on || !wr_.a_done || !wr_.w_done)
      v_.push_back("cycle " + std::to_string(cycle) + ": BVALID without a write");
    resp_ = bresp_ = *b_.bresp;
    RXP_DBG(axil, cycle, "write %05x <= %08x strb %x resp %u", wr_.addr, wr_.data, wr_.strb, bresp_);
    if (random_) {
      done.push_back({true, wr_.addr, wr_.data, wr_.strb, bresp_, aw_cycle_, wr_.w_cycle, cycle, wr_.a_delay > 0});
      wr_free_at_ = cycle + 1 + draw(rt_.max_gap);
    }
    wr_.on = false;
  }
  if (rv && *b_.rready) {
    if (!rd_.on || !rd_.a_done) v_.push_back("cycle " + std::to_string(cycle) + ": RVALID without a read");
    rdata_ = *b_.rdata;
    resp_ = rresp_ = *b_.rresp;
    RXP_DBG(axil, cycle, "read  %05x => %08x resp %u", rd_.addr, rdata_, rresp_);
    if (random_) {
      done.push_back({false, rd_.addr, rdata_, 0, rresp_, ar_cycle_, 0, cycle, false});
      rd_free_at_ = cycle + 1 + draw(rt_.max_gap);
    }
    rd_.on = false;
  }
  if (*b_.awvalid && *b_.awready) {
    wr_.a_done = true;
    aw_cycle_ = cycle;
  }
  if (*b_.wvalid && *b_.wready) {
    wr_.w_done = true;
    wr_.w_cycle = cycle;
  }
  if (*b_.arvalid && *b_.arready) {
    rd_.a_done = true;
    ar_cycle_ = cycle;
  }
}

void AxilMaster::start_queued(uint64_t cycle) {
  if (!wr_.on && !wq_.empty() && cycle >= wr_free_at_) {
    const Queued q = wq_.front();
    wq_.pop_front();
    start_write(q.addr, q.data, q.strb);
    if (random_) {
      const int skew = int(draw(2 * rt_.max_skew)) - int(rt_.max_skew);  // > 0: W after AW
      wr_.a_delay = skew < 0 ? unsigned(-skew) : 0;
      wr_.w_delay = skew > 0 ? unsigned(skew) : 0;
      wr_.resp_delay = draw(rt_.max_ready_delay);
    }
  }
  if (!rd_.on && !rq_.empty() && cycle >= rd_free_at_) {
    const Queued q = rq_.front();
    rq_.pop_front();
    start_read(q.addr);
    if (random_) rd_.resp_delay = draw(rt_.max_ready_delay);
  }
}

void AxilMaster::drive(uint64_t cycle) {
  // Idle with nothing queued and the pins already driven idle: nothing to
  // change (most clocks of a run: registers are written now and then).
  const bool idle = !wr_.on && !rd_.on && wq_.empty() && rq_.empty();
  if (idle && idle_driven_) return;
  idle_driven_ = idle;
  start_queued(cycle);
  *b_.awaddr = wr_.addr;
  *b_.wdata = wr_.data;
  *b_.wstrb = wr_.strb;
  *b_.araddr = rd_.addr;
  *b_.awvalid = wr_.on && !wr_.a_done && wr_.age >= wr_.a_delay;
  *b_.wvalid = wr_.on && !wr_.w_done && wr_.age >= wr_.w_delay;
  *b_.bready = wr_.on && wr_.age >= wr_.resp_delay;
  *b_.arvalid = rd_.on && !rd_.a_done;
  *b_.rready = rd_.on && rd_.age >= rd_.resp_delay;
  if (wr_.on) ++wr_.age;
  if (rd_.on) ++rd_.age;
}

void MsixSink::sample(uint64_t cycle) {
  if (rst_n_ && !*rst_n_) {
    held_ = false;
    return;
  }
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
