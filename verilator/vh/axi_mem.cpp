// SPDX-License-Identifier: MIT
// Sparse host memory, AXI4 memory slave and AXI4 protocol checker.
#include <algorithm>
#include <sstream>

#include "verilator/vh/axi.hpp"
#include "verilator/vh/debug.hpp"

namespace rxpath::vh {

namespace {
constexpr uint64_t kPage = 4096;
constexpr uint8_t AXI_BURST_INCR = 1;
constexpr uint8_t AXI_RESP_OKAY = 0;

void append(std::vector<uint8_t>& v, const void* p, size_t n) {
  const uint8_t* b = static_cast<const uint8_t*>(p);
  v.insert(v.end(), b, b + n);
}
std::string hex(uint64_t v) {
  std::ostringstream s;
  s << "0x" << std::hex << v;
  return s.str();
}
}  // namespace

// ---------------------------------------------------------------- SparseMem
uint8_t* SparseMem::page(uint64_t pg) {
  if (pg == last_pg_) return last_ptr_;
  auto& p = pages_[pg];
  if (!p) {
    p.reset(new uint8_t[kPage]);
    std::memset(p.get(), 0, kPage);
  }
  last_pg_ = pg;
  last_ptr_ = p.get();
  return last_ptr_;
}

const uint8_t* SparseMem::find(uint64_t pg) const {
  if (pg == last_pg_) return last_ptr_;
  auto it = pages_.find(pg);
  if (it == pages_.end()) return nullptr;
  last_pg_ = pg;
  last_ptr_ = it->second.get();
  return last_ptr_;
}

void SparseMem::write(uint64_t addr, const uint8_t* p, size_t n) {
  while (n) {
    uint64_t pg = addr / kPage, off = addr % kPage;
    size_t k = std::min<size_t>(n, kPage - off);
    std::memcpy(page(pg) + off, p, k);
    addr += k;
    p += k;
    n -= k;
  }
}

void SparseMem::read(uint64_t addr, uint8_t* p, size_t n) const {
  while (n) {
    uint64_t pg = addr / kPage, off = addr % kPage;
    size_t k = std::min<size_t>(n, kPage - off);
    const uint8_t* src = find(pg);
    if (!src)
      std::memset(p, 0, k);
    else
      std::memcpy(p, src + off, k);
    addr += k;
    p += k;
    n -= k;
  }
}

std::vector<uint8_t> SparseMem::read(uint64_t addr, size_t n) const {
  std::vector<uint8_t> v(n);
  read(addr, v.data(), n);
  return v;
}

void SparseMem::fill(uint64_t addr, size_t n, uint8_t v) {
  std::vector<uint8_t> b(n, v);
  write(addr, b.data(), n);
}

// ---------------------------------------------------------------- AxiChecker
std::vector<uint8_t> AxiChecker::snap_aw() const {
  std::vector<uint8_t> v;
  append(v, b_.awid, b_.id_size);
  append(v, b_.awaddr, 8);
  append(v, b_.awlen, 1);
  append(v, b_.awsize, 1);
  append(v, b_.awburst, 1);
  return v;
}
std::vector<uint8_t> AxiChecker::snap_w() const {
  std::vector<uint8_t> v;
  append(v, b_.wdata, b_.data_bytes);
  append(v, b_.wstrb, b_.strb_size);
  append(v, b_.wlast, 1);
  return v;
}
std::vector<uint8_t> AxiChecker::snap_ar() const {
  std::vector<uint8_t> v;
  append(v, b_.arid, b_.id_size);
  append(v, b_.araddr, 8);
  append(v, b_.arlen, 1);
  append(v, b_.arsize, 1);
  append(v, b_.arburst, 1);
  return v;
}
std::vector<uint8_t> AxiChecker::snap_b() const {
  std::vector<uint8_t> v;
  append(v, b_.bid, b_.id_size);
  append(v, b_.bresp, 1);
  return v;
}
std::vector<uint8_t> AxiChecker::snap_r() const {
  std::vector<uint8_t> v;
  append(v, b_.rid, b_.id_size);
  append(v, b_.rdata, b_.data_bytes);
  append(v, b_.rresp, 1);
  append(v, b_.rlast, 1);
  return v;
}

void AxiChecker::fail(uint64_t cycle, const std::string& what) {
  if (v_.size() < 50) v_.push_back("cycle " + std::to_string(cycle) + ": " + what);
  RXP_DBG(axi, cycle, "CHECKER: %s", what.c_str());
}

void AxiChecker::hold(Held& h, bool valid, bool ready, const std::vector<uint8_t>& now, const char* ch,
                      uint64_t cycle) {
  if (h.pending) {
    if (!valid)
      fail(cycle, std::string(ch) + "VALID dropped before " + ch + "READY");
    else if (now != h.payload)
      fail(cycle, std::string(ch) + " payload changed while waiting for " + ch + "READY");
  }
  h.pending = valid && !ready;
  h.payload = now;
}

void AxiChecker::check_addr(uint64_t cycle, const char* ch, uint64_t addr, unsigned len, unsigned size,
                            unsigned burst) {
  const unsigned db = b_.data_bytes;
  if ((1u << size) != db)
    fail(cycle, std::string(ch) + "SIZE " + std::to_string(size) + " is not the full data width (" +
                    std::to_string(db) + " bytes)");
  if (burst != AXI_BURST_INCR) fail(cycle, std::string(ch) + "BURST " + std::to_string(burst) + " is not INCR");
  uint64_t last = (addr & ~uint64_t(db - 1)) + uint64_t(len + 1) * db - 1;
  if (last / kPage != addr / kPage)
    fail(cycle,
         std::string(ch) + " burst " + hex(addr) + " len " + std::to_string(len + 1) + " crosses a 4 KiB boundary");
}

void AxiChecker::sample(uint64_t cycle) {
  const bool awv = *b_.awvalid, awr = *b_.awready, wv = *b_.wvalid, wr = *b_.wready;
  const bool arv = *b_.arvalid, arr = *b_.arready, bv = *b_.bvalid, br = *b_.bready;
  const bool rv = *b_.rvalid, rr = *b_.rready;
  if (b_.rst_n && !*b_.rst_n) {
    // AMBA AXI A3.1.2: during reset the master drives ARVALID, AWVALID and
    // WVALID low; before the first clock edge of the reset the NIC's outputs
    // are whatever they started as. What was outstanding is gone.
    if (reset_clocks_++ > 0 && (awv || wv || arv)) fail(cycle, "VALID high during reset");
    aw_ = w_ = ar_ = b__ = r_ = Held{};
    aw_lens_.clear();
    aw_first_.clear();
    w_beats_ = 0;
    w_done_.clear();
    wr_out_.clear();
    rd_out_.clear();
    rd_lens_.clear();
    rd_beat_.clear();
    return;
  }
  reset_clocks_ = 0;
  hold(aw_, awv, awr, awv ? snap_aw() : std::vector<uint8_t>{}, "AW", cycle);
  hold(w_, wv, wr, wv ? snap_w() : std::vector<uint8_t>{}, "W", cycle);
  hold(ar_, arv, arr, arv ? snap_ar() : std::vector<uint8_t>{}, "AR", cycle);
  hold(b__, bv, br, bv ? snap_b() : std::vector<uint8_t>{}, "B", cycle);
  hold(r_, rv, rr, rv ? snap_r() : std::vector<uint8_t>{}, "R", cycle);

  if (awv && awr) {
    check_addr(cycle, "AW", *b_.awaddr, *b_.awlen, *b_.awsize, *b_.awburst);
    aw_lens_.push_back(unsigned(*b_.awlen) + 1);
    aw_first_.push_back({*b_.awaddr, 0});
    wr_out_[b_.get_id(b_.awid)]++;
  }
  if (wv && wr) {
    if (w_beats_ == 0 && !aw_first_.empty()) {
      // First beat: no strobes below the start address's byte lane.
      uint64_t a = aw_first_.front().first;
      unsigned off = unsigned(a % b_.data_bytes);
      uint64_t below = off ? ((uint64_t(1) << off) - 1) : 0;
      if (b_.get_strb() & below) fail(cycle, "WSTRB set below the start address " + hex(a) + " on the first beat");
    }
    ++w_beats_;
    if (*b_.wlast) {
      w_done_.push_back(w_beats_);
      w_beats_ = 0;
    } else if (aw_lens_.size() > w_done_.size() && w_beats_ == aw_lens_[w_done_.size()]) {
      fail(cycle,
           "WLAST missing on beat " + std::to_string(w_beats_) + " of a " + std::to_string(w_beats_) + "-beat burst");
    }
    if (w_beats_ == 0 && !aw_first_.empty()) aw_first_.pop_front();
  }
  while (!aw_lens_.empty() && !w_done_.empty()) {
    if (aw_lens_.front() != w_done_.front())
      fail(cycle, "WLAST on beat " + std::to_string(w_done_.front()) +
                      " of a burst with AWLEN+1 = " + std::to_string(aw_lens_.front()));
    aw_lens_.pop_front();
    w_done_.pop_front();
  }
  if (bv && br) {
    uint32_t id = b_.get_id(b_.bid);
    if (wr_out_[id] == 0)
      fail(cycle, "BID " + std::to_string(id) + " has no outstanding write");
    else
      --wr_out_[id];
  }
  if (arv && arr) {
    check_addr(cycle, "AR", *b_.araddr, *b_.arlen, *b_.arsize, *b_.arburst);
    rd_lens_[b_.get_id(b_.arid)].push_back(unsigned(*b_.arlen) + 1);
  }
  if (rv && rr) {
    uint32_t id = b_.get_id(b_.rid);
    auto& q = rd_lens_[id];
    if (q.empty()) {
      fail(cycle, "RID " + std::to_string(id) + " has no outstanding read");
    } else {
      unsigned beat = ++rd_beat_[id];
      bool last_expected = beat == q.front();
      if (bool(*b_.rlast) != last_expected) fail(cycle, "RLAST wrong on beat " + std::to_string(beat));
      if (last_expected) {
        q.pop_front();
        rd_beat_[id] = 0;
      }
    }
  }
}

// ---------------------------------------------------------------- AxiMem
AxiMem::AxiMem(const AxiBus& b, SparseMem& mem, AxiMemConfig cfg) : b_(b), mem_(mem), cfg_(cfg), rng_(cfg.seed) {}

void AxiMem::sample(uint64_t cycle) {
  const unsigned db = b_.data_bytes;
  if (in_reset()) {
    // AMBA AXI A3.1.2: nothing the master offers during reset is a
    // transaction (its outputs start as anything), and a reset ends every
    // transaction in flight.
    rq_.clear();
    wq_.clear();
    bq_.clear();
    r_cur_ = -1;
    aw_fire_ = w_fire_ = ar_fire_ = r_fire_ = b_fire_ = false;
    return;
  }
  aw_fire_ = *b_.awvalid && *b_.awready;
  w_fire_ = *b_.wvalid && *b_.wready;
  ar_fire_ = *b_.arvalid && *b_.arready;
  r_fire_ = *b_.rvalid && *b_.rready;
  b_fire_ = *b_.bvalid && *b_.bready;
  if (aw_fire_) {
    uint64_t a = *b_.awaddr;
    const uint64_t end = (a & ~uint64_t(db - 1)) + (uint64_t(*b_.awlen) + 1) * db;
    bool err = a < err_hi_ && end > err_lo_;
    wq_.push_back({b_.get_id(b_.awid), a, unsigned(*b_.awlen) + 1, 0, 0, err});
    RXP_DBG(axi, cycle, "AW id=%u addr=%llx beats=%u", wq_.back().id, (unsigned long long)a, wq_.back().len);
    if (on_event) on_event({AxiEvent::AW, cycle, a, uint32_t(wq_.back().len * db), wq_.back().id});
  }
  if (w_fire_ && !wq_.empty()) {
    Burst& w = wq_.front();
    uint64_t base = (w.addr & ~uint64_t(db - 1)) + uint64_t(w.beat) * db;
    uint8_t data[128];
    std::memcpy(data, b_.wdata, db);
    uint64_t strb = b_.get_strb();
    if (strb) {
      w.lo = std::min(w.lo, base + unsigned(__builtin_ctzll(strb)));
      w.hi = std::max(w.hi, base + 64u - unsigned(__builtin_clzll(strb)));
    }
    if (!w.err) {
      unsigned i = 0;
      while (i < db) {
        if (!((strb >> i) & 1)) {
          ++i;
          continue;
        }
        unsigned j = i;
        while (j < db && ((strb >> j) & 1)) ++j;
        mem_.write(base + i, data + i, j - i);
        if (on_write) on_write(base + i, data + i, j - i, cycle);
        i = j;
      }
    }
    ++w.beat;
    if (*b_.wlast || w.beat >= w.len) {
      w.ready = cycle + cfg_.wr_latency;
      if (on_event)
        on_event({AxiEvent::WDONE, cycle, w.addr, uint32_t(w.len * db), w.id, w.hi ? w.lo : 0,
                  w.hi ? uint32_t(w.hi - w.lo) : 0});
      bq_.push_back(w);
      wq_.pop_front();
      ++writes;
    }
  }
  if (ar_fire_) {
    uint64_t a = *b_.araddr;
    bool err = a >= err_lo_ && a < err_hi_;
    rq_.push_back({b_.get_id(b_.arid), a, unsigned(*b_.arlen) + 1, 0, cycle + cfg_.rd_latency, err});
    RXP_DBG(axi, cycle, "AR id=%u addr=%llx beats=%u", rq_.back().id, (unsigned long long)a, rq_.back().len);
    if (on_event) on_event({AxiEvent::AR, cycle, a, uint32_t(rq_.back().len * db), rq_.back().id});
  }
  if (r_fire_ && r_cur_ >= 0) {
    Burst& r = rq_[size_t(r_cur_)];
    if (++r.beat >= r.len) {
      if (on_event) on_event({AxiEvent::RDONE, cycle, r.addr, uint32_t(r.len * db), r.id});
      rq_.erase(rq_.begin() + r_cur_);
      r_cur_ = -1;
      ++reads;
    }
  }
  if (b_fire_ && !bq_.empty()) {
    if (on_event) on_event({AxiEvent::B, cycle, bq_.front().addr, uint32_t(bq_.front().len * db), bq_.front().id});
    RXP_DBG(axi, cycle, "B id=%u addr=%llx", bq_.front().id, (unsigned long long)bq_.front().addr);
    bq_.pop_front();
  }
}

void AxiMem::drive(uint64_t cycle) {
  const unsigned db = b_.data_bytes;
  if (in_reset()) {  // the slave drives RVALID and BVALID low, and takes nothing
    *b_.awready = *b_.wready = *b_.arready = 0;
    *b_.rvalid = rvalid_ = false;
    *b_.bvalid = bvalid_ = false;
    return;
  }
  *b_.awready = coin(cfg_.aw_ready_p);
  *b_.wready = !wq_.empty() && coin(cfg_.w_ready_p);
  *b_.arready = rq_.size() < cfg_.max_reads && coin(cfg_.ar_ready_p);

  // R: hold a presented beat until it is taken. (What this slave presents
  // is its own state, not read back from the pins: a model started from
  // random initial values has random inputs until the first drive.)
  if (!(rvalid_ && !r_fire_)) {
    *b_.rvalid = rvalid_ = false;
    if (r_cur_ < 0 && !rq_.empty() && !cfg_.ooo_ids) {
      // In order: only the oldest read may start. Same draw as below
      // (one candidate), so the random sequence does not change.
      if (rq_.front().ready <= cycle) r_cur_ = int(std::uniform_int_distribution<size_t>(0, 0)(rng_));
    } else if (r_cur_ < 0 && !rq_.empty()) {
      std::vector<int> cand;
      std::unordered_map<uint32_t, bool> seen;
      for (size_t i = 0; i < rq_.size(); ++i) {
        bool oldest_of_id = !seen[rq_[i].id];
        seen[rq_[i].id] = true;
        if (!oldest_of_id || rq_[i].ready > cycle) continue;
        if (!cfg_.ooo_ids && i != 0) continue;
        cand.push_back(int(i));
      }
      if (!cand.empty()) r_cur_ = cand[std::uniform_int_distribution<size_t>(0, cand.size() - 1)(rng_)];
    }
    if (r_cur_ >= 0 && coin(cfg_.r_valid_p)) {
      const Burst& r = rq_[size_t(r_cur_)];
      uint64_t a = (r.addr & ~uint64_t(db - 1)) + uint64_t(r.beat) * db;
      const bool err = r.err || (a >= err_lo_ && a < err_hi_);
      uint8_t data[128];
      if (err)
        std::memset(data, 0, db);
      else
        mem_.read(a, data, db);
      std::memcpy(b_.rdata, data, db);
      b_.set_id(b_.rid, r.id);
      *b_.rresp = err ? err_resp_ : AXI_RESP_OKAY;
      *b_.rlast = r.beat + 1 == r.len;
      *b_.rvalid = rvalid_ = true;
    }
  }
  // B: in order.
  if (!(bvalid_ && !b_fire_)) {
    *b_.bvalid = bvalid_ = false;
    if (!bq_.empty() && bq_.front().ready <= cycle && coin(cfg_.b_valid_p)) {
      b_.set_id(b_.bid, bq_.front().id);
      *b_.bresp = bq_.front().err ? err_resp_ : AXI_RESP_OKAY;
      *b_.bvalid = bvalid_ = true;
    }
  }
}

}  // namespace rxpath::vh
