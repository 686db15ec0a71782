// SPDX-License-Identifier: MIT
// AXI4 DMA bus bundle, sparse host memory, memory slave and protocol checker.
#pragma once
#include <cstdint>
#include <cstring>
#include <deque>
#include <functional>
#include <memory>
#include <random>
#include <string>
#include <unordered_map>
#include <vector>

#include "common/unaligned.hpp"
#include "verilator/vh/agent.hpp"

namespace rxpath::vh {

// Pointers into a Verilated model's AXI4 master ports (NIC side = master).
// Wide fields are reached through memcpy of their byte size, so the bundle
// works for 64/128/256-bit data whatever C type Verilator chose.
struct AxiBus {
  unsigned data_bytes = 0, strb_size = 0, id_size = 0;
  // AW
  const void* awid;
  const uint64_t* awaddr;
  const uint8_t* awlen;
  const uint8_t* awsize;
  const uint8_t* awburst;
  const uint8_t* awvalid;
  uint8_t* awready;
  // W
  const void* wdata;
  const void* wstrb;
  const uint8_t* wlast;
  const uint8_t* wvalid;
  uint8_t* wready;
  // B
  void* bid;
  uint8_t* bresp;
  uint8_t* bvalid;
  const uint8_t* bready;
  // AR
  const void* arid;
  const uint64_t* araddr;
  const uint8_t* arlen;
  const uint8_t* arsize;
  const uint8_t* arburst;
  const uint8_t* arvalid;
  uint8_t* arready;
  // R
  void* rid;
  void* rdata;
  uint8_t* rresp;
  uint8_t* rlast;
  uint8_t* rvalid;
  const uint8_t* rready;
  const uint8_t* rst_n = nullptr;  // the NIC's reset: no rule holds while it is low

  template <class M>
  void connect(M& m) {
    rst_n = &m.rst_ni;
    data_bytes = sizeof(m.m_axi_wdata);
    strb_size = sizeof(m.m_axi_wstrb);
    id_size = sizeof(m.m_axi_awid);
    awid = &m.m_axi_awid;
    awaddr = &m.m_axi_awaddr;
    awlen = &m.m_axi_awlen;
    awsize = &m.m_axi_awsize;
    awburst = &m.m_axi_awburst;
    awvalid = &m.m_axi_awvalid;
    awready = &m.m_axi_awready;
    wdata = &m.m_axi_wdata;
    wstrb = &m.m_axi_wstrb;
    wlast = &m.m_axi_wlast;
    wvalid = &m.m_axi_wvalid;
    wready = &m.m_axi_wready;
    bid = &m.m_axi_bid;
    bresp = &m.m_axi_bresp;
    bvalid = &m.m_axi_bvalid;
    bready = &m.m_axi_bready;
    arid = &m.m_axi_arid;
    araddr = &m.m_axi_araddr;
    arlen = &m.m_axi_arlen;
    arsize = &m.m_axi_arsize;
    arburst = &m.m_axi_arburst;
    arvalid = &m.m_axi_arvalid;
    arready = &m.m_axi_arready;
    rid = &m.m_axi_rid;
    rdata = &m.m_axi_rdata;
    rresp = &m.m_axi_rresp;
    rlast = &m.m_axi_rlast;
    rvalid = &m.m_axi_rvalid;
    rready = &m.m_axi_rready;
  }
  uint32_t get_id(const void* p) const {
    uint32_t v = 0;
    std::memcpy(&v, p, id_size);
    return v;
  }
  void set_id(void* p, uint32_t v) const { std::memcpy(p, &v, id_size); }
  uint64_t get_strb() const {
    uint64_t v = 0;
    std::memcpy(&v, wstrb, strb_size);
    return v;
  }
};

// Host memory: sparse 4 KiB pages, zero where never written.
class SparseMem {
 public:
  void write(uint64_t addr, const uint8_t* p, size_t n);
  void read(uint64_t addr, uint8_t* p, size_t n) const;
  std::vector<uint8_t> read(uint64_t addr, size_t n) const;
  // Little-endian fields (descriptors, as the NIC writes them).
  uint64_t rd64(uint64_t a) const {
    uint8_t b[8];
    read(a, b, 8);
    return get_unaligned_le64(b);
  }
  uint32_t rd32(uint64_t a) const {
    uint8_t b[4];
    read(a, b, 4);
    return get_unaligned_le32(b);
  }
  uint16_t rd16(uint64_t a) const {
    uint8_t b[2];
    read(a, b, 2);
    return get_unaligned_le16(b);
  }
  void wr64(uint64_t a, uint64_t v) {
    uint8_t b[8];
    put_unaligned_le64(v, b);
    write(a, b, 8);
  }
  void fill(uint64_t addr, size_t n, uint8_t v);

 private:
  uint8_t* page(uint64_t pg);              // creates a zeroed page
  const uint8_t* find(uint64_t pg) const;  // nullptr when never written
  std::unordered_map<uint64_t, std::unique_ptr<uint8_t[]>> pages_;
  mutable uint64_t last_pg_ = ~0ull;  // one-entry lookup cache
  mutable uint8_t* last_ptr_ = nullptr;
};

// Protocol checker on every channel of one AXI4 bus (passive; sample only).
class AxiChecker : public Agent {
 public:
  explicit AxiChecker(const AxiBus& b) : b_(b) {}
  void sample(uint64_t cycle) override;
  void drive(uint64_t) override {}
  const std::vector<std::string>& violations() const { return v_; }
  bool ok() const { return v_.empty(); }

 private:
  struct Held {
    bool pending = false;
    std::vector<uint8_t> payload;
  };
  std::vector<uint8_t> snap_aw() const, snap_w() const, snap_ar() const, snap_b() const, snap_r() const;
  void hold(Held& h, bool valid, bool ready, const std::vector<uint8_t>& now, const char* ch, uint64_t cycle);
  void fail(uint64_t cycle, const std::string& what);
  void check_addr(uint64_t cycle, const char* ch, uint64_t addr, unsigned len, unsigned size, unsigned burst);
  const AxiBus& b_;
  unsigned reset_clocks_ = 0;  // clocks sampled in the current reset
  Held aw_, w_, ar_, b__, r_;
  std::deque<unsigned> aw_lens_;                        // beats expected per burst, AW order
  std::deque<std::pair<uint64_t, unsigned>> aw_first_;  // addr of bursts whose first W beat is pending
  unsigned w_beats_ = 0;
  std::deque<unsigned> w_done_;                             // beats seen per finished W burst
  std::unordered_map<uint32_t, unsigned> wr_out_, rd_out_;  // outstanding per ID
  std::unordered_map<uint32_t, std::deque<unsigned>> rd_lens_;
  std::unordered_map<uint32_t, unsigned> rd_beat_;
  std::vector<std::string> v_;
};

struct AxiMemConfig {
  unsigned rd_latency = 16;  // cycles from AR handshake to the first R beat
  unsigned wr_latency = 4;   // cycles from the last W beat to B
  double aw_ready_p = 1.0;   // probability of ready in a cycle (back-pressure)
  double w_ready_p = 1.0;
  double ar_ready_p = 1.0;
  double r_valid_p = 1.0;   // gaps between R beats
  double b_valid_p = 1.0;   // gaps before a due B response (the slave's B channel stalls)
  bool ooo_ids = false;     // return different IDs out of order
  unsigned max_reads = 16;  // outstanding read bursts accepted
  uint64_t seed = 1;
};

// Everything the memory saw, for ordering checks (writeback after data B).
struct AxiEvent {
  enum Kind { AW, WDONE, B, AR, RDONE } kind;
  uint64_t cycle, addr;
  uint32_t bytes, id;
  // WDONE: the bytes the burst's strobes enabled, from the lowest to the
  // highest (written or, for an error response, not); strobed_bytes 0: none.
  uint64_t strobed_lo = 0;
  uint32_t strobed_bytes = 0;
};

// AXI4 slave backed by SparseMem: latency, back-pressure, multiple
// outstanding reads, in-order per ID. Error responses for a configured range.
class AxiMem : public Agent {
 public:
  AxiMem(const AxiBus& b, SparseMem& mem, AxiMemConfig cfg = {});
  void sample(uint64_t cycle) override;
  void drive(uint64_t cycle) override;
  void set_config(const AxiMemConfig& c) {
    cfg_ = c;
    rng_.seed(c.seed);
  }
  // Response codes (AMBA AXI spec, RRESP/BRESP encoding).
  static constexpr uint8_t RESP_OKAY = 0, RESP_SLVERR = 2, RESP_DECERR = 3;
  // Addresses [lo, hi) answer `resp` (SLVERR or DECERR): a write burst that
  // overlaps the range writes nothing; a read beat whose address is in
  // the range carries `resp` and zero data (so a burst that starts before the
  // range answers OKAY beats, then error beats, as the AXI spec allows: each
  // beat has its own RRESP and the slave still returns every beat).
  void set_error_range(uint64_t lo, uint64_t hi, uint8_t resp = RESP_SLVERR) {
    err_lo_ = lo;
    err_hi_ = hi;
    err_resp_ = resp;
  }
  std::function<void(const AxiEvent&)> on_event;
  // Called for every byte range written (addr, bytes as strobed).
  std::function<void(uint64_t addr, const uint8_t* p, size_t n, uint64_t cycle)> on_write;
  uint64_t reads = 0, writes = 0;
  uint64_t outstanding_writes() const { return wq_.size() + bq_.size(); }
  bool idle() const { return rq_.empty() && wq_.empty() && bq_.empty(); }
  unsigned beat_bytes() const { return b_.data_bytes; }

 private:
  struct Burst {
    uint32_t id;
    uint64_t addr;
    unsigned len, beat;
    uint64_t ready;
    bool err;
    uint64_t lo = ~0ull, hi = 0;  // strobed bytes seen [lo, hi)
  };
  bool coin(double p) { return p >= 1.0 || std::uniform_real_distribution<double>(0, 1)(rng_) < p; }
  bool in_reset() const { return b_.rst_n && !*b_.rst_n; }
  const AxiBus& b_;
  SparseMem& mem_;
  AxiMemConfig cfg_;
  std::mt19937_64 rng_;
  uint64_t err_lo_ = 0, err_hi_ = 0;
  uint8_t err_resp_ = RESP_SLVERR;
  std::deque<Burst> rq_;  // accepted reads
  std::deque<Burst> wq_;  // accepted AW waiting for data
  std::deque<Burst> bq_;  // write responses to send
  int r_cur_ = -1;        // index into rq_ of the burst being returned
  bool aw_fire_ = false, w_fire_ = false, ar_fire_ = false, r_fire_ = false, b_fire_ = false;
  bool rvalid_ = false, bvalid_ = false;  // what this slave presents
};

}  // namespace rxpath::vh
