// SPDX-License-Identifier: MIT
// AXI4-Lite master for register access, with a checker on its five channels.
#pragma once
#include <cstdint>
#include <deque>
#include <string>
#include <vector>

#include "verilator/vh/agent.hpp"

namespace rxpath::vh {

struct AxilBus {
  uint32_t* awaddr;
  uint8_t* awvalid;
  const uint8_t* awready;
  uint32_t* wdata;
  uint8_t* wstrb;
  uint8_t* wvalid;
  const uint8_t* wready;
  const uint8_t* bresp;
  const uint8_t* bvalid;
  uint8_t* bready;
  uint32_t* araddr;
  uint8_t* arvalid;
  const uint8_t* arready;
  const uint32_t* rdata;
  const uint8_t* rresp;
  const uint8_t* rvalid;
  uint8_t* rready;
  template <class M>
  void connect(M& m) {
    awaddr = &m.s_axil_awaddr;
    awvalid = &m.s_axil_awvalid;
    awready = &m.s_axil_awready;
    wdata = &m.s_axil_wdata;
    wstrb = &m.s_axil_wstrb;
    wvalid = &m.s_axil_wvalid;
    wready = &m.s_axil_wready;
    bresp = &m.s_axil_bresp;
    bvalid = &m.s_axil_bvalid;
    bready = &m.s_axil_bready;
    araddr = &m.s_axil_araddr;
    arvalid = &m.s_axil_arvalid;
    arready = &m.s_axil_arready;
    rdata = &m.s_axil_rdata;
    rresp = &m.s_axil_rresp;
    rvalid = &m.s_axil_rvalid;
    rready = &m.s_axil_rready;
  }
};

// One register operation at a time, as an MMIO from a CPU would be.
class AxilMaster : public Agent {
 public:
  explicit AxilMaster(const AxilBus& b) : b_(b) {}
  void start_write(uint32_t addr, uint32_t data);
  void start_read(uint32_t addr);
  bool busy() const { return op_ != NONE; }
  uint32_t last_rdata() const { return rdata_; }
  uint8_t last_resp() const { return resp_; }
  void sample(uint64_t cycle) override;
  void drive(uint64_t cycle) override;
  const std::vector<std::string>& violations() const { return v_; }

 private:
  enum Op { NONE, WR, RD } op_ = NONE;
  const AxilBus& b_;
  uint32_t addr_ = 0, data_ = 0, rdata_ = 0;
  uint8_t resp_ = 0;
  bool aw_done_ = false, w_done_ = false, ar_done_ = false, fresh_ = false;
  // Timing variation per operation (deterministic): WVALID 0..2 cycles after
  // AWVALID, BREADY/RREADY 0..3 cycles late, so the slave sees AW and W
  // apart and must hold its responses.
  uint64_t ops_ = 0;
  unsigned age_ = 0, w_delay_ = 0, resp_delay_ = 0;
  bool bv_prev_ = false, rv_prev_ = false;
  std::vector<std::string> v_;
};

// MSI-X request sink: records every message with its vector and cycle.
struct MsixMsg {
  unsigned vector;
  uint64_t cycle;
};
class MsixSink : public Agent {
 public:
  MsixSink(const uint8_t* valid, const uint8_t* vector, uint8_t* ready) : v_(valid), vec_(vector), r_(ready) {}
  template <class M>
  static MsixSink connect(M& m) {
    return MsixSink(&m.msix_valid_o, &m.msix_vector_o, &m.msix_ready_i);
  }
  void sample(uint64_t cycle) override;
  void drive(uint64_t) override { *r_ = ready ? 1 : 0; }
  std::vector<MsixMsg> msgs;
  bool ready = true;
  std::vector<std::string> violations;

 private:
  const uint8_t* v_;
  const uint8_t* vec_;
  uint8_t* r_;
  bool held_ = false;
  uint8_t held_vec_ = 0;
};

}  // namespace rxpath::vh
