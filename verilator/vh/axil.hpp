// SPDX-License-Identifier: MIT
// AXI4-Lite master for register access, with a checker on its five channels.
#pragma once
#include <cstdint>
#include <deque>
#include <random>
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
  const uint8_t* rst_n = nullptr;  // the NIC's reset: responses are checked only outside it
  template <class M>
  void connect(M& m) {
    rst_n = &m.rst_ni;
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

// Register operations as MMIOs from a CPU: one write and one read may be in
// flight at once (the AXI4-Lite write and read channels are independent).
// start_write / start_read each time their channel as one MMIO would;
// start_pair presents AWVALID, WVALID and ARVALID in the same clock, so a
// slave that answers both channels alike accepts the read and the write in
// the same clock (aw_cycle() == ar_cycle() tells whether it did).
class AxilMaster : public Agent {
 public:
  explicit AxilMaster(const AxilBus& b) : b_(b) {}
  void start_write(uint32_t addr, uint32_t data, uint8_t strb = 0xf);
  void start_read(uint32_t addr);
  void start_pair(uint32_t waddr, uint32_t wdata, uint32_t raddr, uint8_t wstrb = 0xf);
  bool busy() const { return wr_.on || rd_.on; }
  bool write_busy() const { return wr_.on; }
  bool read_busy() const { return rd_.on; }
  uint32_t last_rdata() const { return rdata_; }
  uint8_t last_resp() const { return resp_; }  // of the operation that ended last
  uint8_t last_bresp() const { return bresp_; }
  uint8_t last_rresp() const { return rresp_; }
  uint64_t aw_cycle() const { return aw_cycle_; }  // clock of the last AW handshake
  uint64_t ar_cycle() const { return ar_cycle_; }  // clock of the last AR handshake
  void sample(uint64_t cycle) override;
  void drive(uint64_t cycle) override;
  const std::vector<std::string>& violations() const { return v_; }

  // Random traffic (the register stress test): operations queued on each
  // channel pair start on their own, the write and the read streams
  // independent of each other. With random timing, each waits 0..max_gap
  // clocks after the previous one of its stream, W leads or trails AW by up
  // to max_skew clocks (AXI allows W before AW), and BREADY/RREADY come
  // 0..max_ready_delay clocks after the operation started.
  struct RandomTiming {
    uint64_t seed = 1;
    unsigned max_gap = 4, max_skew = 3, max_ready_delay = 4;
  };
  void randomize(const RandomTiming& t) {
    rt_ = t;
    rng_.seed(t.seed);
    random_ = true;
  }
  void queue_write(uint32_t addr, uint32_t data, uint8_t strb = 0xf) { wq_.push_back({addr, data, strb}); }
  void queue_read(uint32_t addr) { rq_.push_back({addr, 0, 0}); }
  bool queues_empty() const { return wq_.empty() && rq_.empty() && !busy(); }
  // Every operation that ended, in the order they ended, with the clocks of
  // its handshakes (as sampled before that clock's edge).
  struct Done {
    bool write;
    uint32_t addr, data;  // data: written, or read
    uint8_t strb, resp;
    uint64_t a_cycle, w_cycle, resp_cycle;  // AW or AR; W (writes); B or R
    bool w_led;                             // WVALID was offered before AWVALID
  };
  std::vector<Done> done;

 private:
  // One channel pair's operation in flight (write: AW+W+B, read: AR+R).
  struct Op {
    bool on = false;
    uint32_t addr = 0, data = 0;
    uint8_t strb = 0xf;
    bool a_done = false, w_done = false;
    unsigned age = 0, a_delay = 0, w_delay = 0, resp_delay = 0;
    uint64_t w_cycle = 0;
  };
  struct Queued {
    uint32_t addr, data;
    uint8_t strb;
  };
  void start_queued(uint64_t cycle);
  unsigned draw(unsigned max) { return max ? unsigned(rng_() % (max + 1)) : 0; }
  const AxilBus& b_;
  Op wr_, rd_;
  std::deque<Queued> wq_, rq_;
  uint64_t wr_free_at_ = 0, rd_free_at_ = 0;  // earliest clock the next queued operation may start
  bool random_ = false;
  bool idle_driven_ = false;  // the pins hold the idle values (no VALID, no READY)
  RandomTiming rt_;
  std::mt19937_64 rng_;
  uint32_t rdata_ = 0;
  uint8_t resp_ = 0, bresp_ = 0, rresp_ = 0;
  uint64_t aw_cycle_ = 0, ar_cycle_ = 0;
  // Timing variation per operation (deterministic): WVALID 0..2 cycles after
  // AWVALID, BREADY/RREADY 0..3 cycles late, so the slave sees AW and W
  // apart and must hold its responses.
  uint64_t ops_ = 0;
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
  // rst_n: the NIC's reset, during which no request is one.
  MsixSink(const uint8_t* valid, const uint8_t* vector, uint8_t* ready, const uint8_t* rst_n = nullptr)
      : v_(valid), vec_(vector), r_(ready), rst_n_(rst_n) {}
  template <class M>
  static MsixSink connect(M& m) {
    return MsixSink(&m.msix_valid_o, &m.msix_vector_o, &m.msix_ready_i, &m.rst_ni);
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
  const uint8_t* rst_n_;
  bool held_ = false;
  uint8_t held_vec_ = 0;
};

}  // namespace rxpath::vh
