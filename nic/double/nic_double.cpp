// SPDX-License-Identifier: MIT
// NicDouble: behavioural igb receive path (see nic_double.hpp).
#include "nic/double/nic_double.hpp"
#include "nic/frame_ext.hpp"

#include <algorithm>
#include <cstring>
#include <sstream>
#include <stdexcept>

#include "common/debug.hpp"
#include "common/eth.hpp"
#include "common/sim_time.hpp"
#include "common/unaligned.hpp"

namespace rxpath::nic {

using namespace rxpath::regs;
using sc_core::sc_time;
using sc_core::sc_time_stamp;

namespace {
// One's-complement sum of 16-bit big-endian words: the harness's helpers.
using rxpath::eth::csum_add;
using rxpath::eth::csum_fold;
constexpr std::size_t kEthHdr = 14;
constexpr std::size_t kMinFrame = 60;    // 64 on the wire with FCS
constexpr std::size_t kMaxFrame = 1514;  // 1518 on the wire with FCS
constexpr std::size_t kFcs = 4;
constexpr uint64_t kPsPerByte = 800;   // 10 Gb/s
constexpr uint64_t kMinIfgBytes = 12;  // IEEE 802.3 minimum inter-frame gap

common::debug::Flag dbg_nic_double(
    "nic_double", "nic double", "the behavioural NIC: register writes, queue setup, descriptor fetch, frames, MSI-X");
}  // namespace

// NIC_DPRINTF(fmt, ...): one line of category nic_double at the current time.
#define NIC_DPRINTF(...) RXPATH_DPRINTF(dbg_nic_double, common::now_ps(), __VA_ARGS__)

NicDouble::NicDouble(sc_core::sc_module_name name, const NicDoubleConfig& cfg)
    : sc_module(name),
      dma("dma"),
      mmio("mmio"),
      msix("msix"),
      wire("wire"),
      cfg_(cfg),
      tq_("tq"),
      regs_(kRegWords, 0),
      access_(kRegWords, Access::rw),
      known_(kRegWords, false),
      q_(kMaxRxQueues),
      vec_(kMsixVectors) {
  if (cfg_.rx_fifo_bytes < kMaxFrame)
    throw std::invalid_argument("NicDoubleConfig.rx_fifo_bytes must hold one maximum frame (>= 1514)");
  if (cfg_.desc_cache == 0) throw std::invalid_argument("NicDoubleConfig.desc_cache must be > 0");
  mmio.register_b_transport(this, &NicDouble::mmio_b_transport);
  mmio.register_nb_transport_fw(this, &NicDouble::mmio_nb_transport_fw);
  dma.register_nb_transport_bw(this, &NicDouble::dma_nb_transport_bw);
  wire.register_b_transport(this, &NicDouble::wire_b_transport);
  for (const RegInfo& r : kRegisters) {
    access_[r.offset >> 2] = r.access;
    known_[r.offset >> 2] = true;
  }
  reset();
}

void NicDouble::reset() {
  for (const RegInfo& r : kRegisters) regs_[r.offset >> 2] = r.reset;
  gorc_ = tor_ = 0;
  for (Queue& q : q_) {
    q.enabled = false;
    q.fetching = false;
    q.cache.clear();
    q.head = q.fetch = 0;
  }
  for (Vector& v : vec_) v = Vector{};
  fifo_.clear();
  fifo_bytes_ = 0;
  rnbc_head_counted_ = false;
  ++generation_;
}

uint32_t NicDouble::peek(uint32_t offset) const {
  if (offset == E1000_GORCL) return uint32_t(gorc_);
  if (offset == E1000_GORCH) return uint32_t(gorc_ >> 32);
  if (offset == E1000_TORL) return uint32_t(tor_);
  if (offset == E1000_TORH) return uint32_t(tor_ >> 32);
  return (offset >> 2) < kRegWords ? R(offset) : 0;
}

void NicDouble::count(uint32_t off, uint64_t n) {
  switch (off) {
    case E1000_CRCERRS:
      totals_.crcerrs += n;
      break;
    case E1000_RXERRC:
      totals_.rxerrc += n;
      break;
    case E1000_RUC:
      totals_.ruc += n;
      break;
    case E1000_RFC:
      totals_.rfc += n;
      break;
    case E1000_ROC:
      totals_.roc += n;
      break;
    case E1000_RJC:
      totals_.rjc += n;
      break;
    case E1000_MPC:
      totals_.mpc += n;
      break;
    case E1000_RXP_AFDC:
      totals_.afdc += n;
      break;
    case E1000_RXP_RXDIS:
      totals_.rxdis += n;
      break;
    default:
      for (unsigned q = 0; q < kMaxRxQueues; ++q)
        if (off == E1000_RQDPC(q)) totals_.rqdpc += n;
  }
  uint32_t& r = R(off);
  r = (uint64_t(r) + n > 0xFFFFFFFFull) ? 0xFFFFFFFFu : uint32_t(r + n);
}

void NicDouble::probe_at(std::vector<uint64_t> times_ps, ProbeFn f) {
  sc_core::sc_spawn(
      [this, times = std::move(times_ps), f = std::move(f)] {
        for (const uint64_t t : times) {
          const uint64_t now = static_cast<uint64_t>(sc_core::sc_time_stamp().to_seconds() * 1e12 + 0.5);
          if (t > now) sc_core::wait(sc_core::sc_time(static_cast<double>(t - now), sc_core::SC_PS));
          Probe p = totals_;
          p.pktbuf_bytes = fifo_bytes_;
          f(t, p);
        }
      },
      sc_core::sc_gen_unique_name("probe"));
}

// ---------------------------------------------------------------- MMIO
bool NicDouble::check_mmio(tlm::tlm_generic_payload& p) {
  const uint64_t a = p.get_address();
  const char* why = nullptr;
  if (p.get_data_length() != 4 || p.get_data_ptr() == nullptr || p.get_byte_enable_ptr())
    why = "register access must be 4 bytes without byte enables";
  else if ((a & 3) || a >= (1ull << kAddrWidth) || !known_[a >> 2])
    why = "no register at this offset";
  if (!why) return true;
  ++st_.mmio_errors;
  p.set_response_status(p.get_data_length() != 4 ? tlm::TLM_BURST_ERROR_RESPONSE : tlm::TLM_ADDRESS_ERROR_RESPONSE);
  std::ostringstream os;
  os << "MMIO " << (p.is_write() ? "write" : "read") << " at 0x" << std::hex << a << ": " << why;
  SC_REPORT_WARNING(name(), os.str().c_str());
  return false;
}

void NicDouble::mmio_b_transport(tlm::tlm_generic_payload& p, sc_time& delay) {
  if (!p.is_write()) {  // reads take the non-blocking path: they need a completion
    p.set_response_status(tlm::TLM_COMMAND_ERROR_RESPONSE);
    ++st_.mmio_errors;
    SC_REPORT_WARNING(name(), "MMIO reads use nb_transport_fw (a completion crosses the link)");
    return;
  }
  if (!check_mmio(p)) return;
  const uint32_t v = get_unaligned_le32(p.get_data_ptr());
  const uint32_t off = uint32_t(p.get_address());
  // Posted: takes effect when it reaches the NIC.
  tq_.post(sc_time_stamp() + delay, [this, off, v] { reg_write(off, v); });
  p.set_response_status(tlm::TLM_OK_RESPONSE);
}

tlm::tlm_sync_enum NicDouble::mmio_nb_transport_fw(tlm::tlm_generic_payload& p, tlm::tlm_phase& ph, sc_time& delay) {
  if (ph == tlm::END_RESP) return tlm::TLM_COMPLETED;
  if (ph != tlm::BEGIN_REQ || !p.is_read()) {
    ++st_.mmio_errors;
    p.set_response_status(tlm::TLM_COMMAND_ERROR_RESPONSE);
    SC_REPORT_WARNING(name(), "MMIO nb_transport_fw: only BEGIN_REQ reads");
    return tlm::TLM_COMPLETED;
  }
  if (!check_mmio(p)) return tlm::TLM_COMPLETED;
  tq_.post(sc_time_stamp() + delay, [this, &p] {
    const uint32_t v = reg_read(uint32_t(p.get_address()));
    put_unaligned_le32(v, p.get_data_ptr());
    p.set_response_status(tlm::TLM_OK_RESPONSE);
    tlm::tlm_phase rph = tlm::BEGIN_RESP;
    sc_time d = sc_core::SC_ZERO_TIME;  // the double answers in zero time
    mmio->nb_transport_bw(p, rph, d);
  });
  ph = tlm::END_REQ;
  return tlm::TLM_UPDATED;
}

uint32_t NicDouble::reg_read(uint32_t off) {
  uint32_t& r = R(off);
  switch (access_[off >> 2]) {
    case Access::wo:
    case Access::w1c:
      return 0;
    case Access::rc: {
      if (off == E1000_GORCL || off == E1000_TORL) {
        uint64_t& c = off == E1000_GORCL ? gorc_ : tor_;
        const uint32_t lo = uint32_t(c);
        c -= lo;
        return lo;
      }
      if (off == E1000_GORCH || off == E1000_TORH) {
        uint64_t& c = off == E1000_GORCH ? gorc_ : tor_;
        const uint32_t hi = uint32_t(c >> 32);
        c &= 0xFFFFFFFFull;
        return hi;
      }
      const uint32_t v = r;
      r = 0;
      return v;
    }
    case Access::rcw1c: {  // EICR: read clears (GPIE.NSICR: always, in MSI-X mode)
      const uint32_t v = r;
      r = 0;
      return v;
    }
    default:
      return r;
  }
}

void NicDouble::reg_write(uint32_t off, uint32_t v) {
  NIC_DPRINTF("reg write 0x%05x = 0x%08x", off, v);
  switch (access_[off >> 2]) {
    case Access::ro:
    case Access::rc:
      return;
    case Access::w1s:  // EIMS
      R(off) |= v;
      for (unsigned i = 0; i < kMsixVectors; ++i)
        if (v >> i & 1) check_irq(i);
      return;
    case Access::w1c:  // EIMC
      R(E1000_EIMS) &= ~v;
      return;
    case Access::wo:  // EICS
      R(E1000_EICR) |= v;
      for (unsigned i = 0; i < kMsixVectors; ++i)
        if (v >> i & 1) check_irq(i);
      return;
    case Access::rcw1c:  // EICR
      R(off) &= ~v;
      return;
    case Access::rw:
      break;
  }
  const uint32_t old = R(off);
  R(off) = v;
  if (off == E1000_CTRL && (v & E1000_CTRL_RST)) {
    reset();
    return;
  }
  if (off == E1000_RCTL) {
    if (v & E1000_RCTL_EN) process_rx();
    return;
  }
  if (off >= E1000_EITR(0) && off <= E1000_EITR(kMsixVectors - 1)) {
    const unsigned i = (off - E1000_EITR(0)) / 4;
    // Without CNT_IGNR the write restarts the counter: it expires at once.
    if (!(v & E1000_EITR_CNT_IGNR)) vec_[i].fired_once = false;
    R(off) = v & ~E1000_EITR_CNT_IGNR;
    return;
  }
  for (unsigned q = 0; q < kMaxRxQueues; ++q) {
    if (off == E1000_RXDCTL(q)) {
      const bool was = old & E1000_RXDCTL_QUEUE_ENABLE, now = v & E1000_RXDCTL_QUEUE_ENABLE;
      if (now && !was) queue_enable(q);
      if (!now) {
        q_[q].enabled = false;
        q_[q].cache.clear();
      }
      return;
    }
    if (off == E1000_RDT(q)) {
      // As the RTL (rtl/README.md): a tail written while the queue is
      // disabled is ignored; enabling the queue sets RDT = RDH.
      if (!q_[q].enabled) return;
      R(off) = v & E1000_RDT_VAL;
      if (q_[q].enabled && R(off) >= q_[q].count) {
        R(E1000_RXP_PERR) |= E1000_RXP_PERR_RDT;
        SC_REPORT_WARNING(name(), "RDT written beyond the ring (RXP_PERR.RDT)");
        R(off) = old;
        return;
      }
      try_fetch(q);
      process_rx();
      return;
    }
    if (off == E1000_RDH(q)) {
      R(off) = v & E1000_RDH_VAL;
      if (!q_[q].enabled) q_[q].head = q_[q].fetch = R(off);
      return;
    }
  }
}

void NicDouble::queue_enable(unsigned qi) {
  Queue& q = q_[qi];
  const uint32_t rdlen = R(E1000_RDLEN(qi));
  const uint32_t srr = R(E1000_SRRCTL(qi));
  uint32_t perr = 0;
  if (rdlen == 0 || (rdlen & 127)) perr |= E1000_RXP_PERR_RDLEN;
  if ((srr & E1000_SRRCTL_DESCTYPE) != E1000_SRRCTL_DESCTYPE_ADV_ONEBUF) perr |= E1000_RXP_PERR_DESCTYPE;
  if ((srr & E1000_SRRCTL_BSIZEPKT) == 0) perr |= E1000_RXP_PERR_BSIZE;
  if (perr) {
    R(E1000_RXP_PERR) |= perr;
    R(E1000_RXDCTL(qi)) &= ~E1000_RXDCTL_QUEUE_ENABLE;
    std::ostringstream os;
    os << "queue " << qi << " enable refused: RXP_PERR 0x" << std::hex << perr
       << " (RDLEN, SRRCTL.DESCTYPE or SRRCTL.BSIZEPKT)";
    SC_REPORT_WARNING(name(), os.str().c_str());
    return;
  }
  q.enabled = true;
  q.base = uint64_t(R(E1000_RDBAH(qi))) << 32 | (R(E1000_RDBAL(qi)) & ~0xFu);
  q.count = rdlen / RX_DESC_BYTES;
  q.bufsize = ((srr & E1000_SRRCTL_BSIZEPKT) >> E1000_SRRCTL_BSIZEPKT_LSB) << E1000_SRRCTL_BSIZEPKT_SHIFT;
  q.drop_en = srr & E1000_SRRCTL_DROP_EN;
  q.head = q.fetch = R(E1000_RDH(qi)) % q.count;
  R(E1000_RDT(qi)) = q.head;  // no stale tail: the driver gives descriptors after enabling
  q.cache.clear();
  q.fetching = false;
  NIC_DPRINTF("queue %u enabled: base 0x%llx count %u buf %u", qi, (unsigned long long)q.base, q.count, q.bufsize);
  try_fetch(qi);
}

// ---------------------------------------------------------------- descriptors
void NicDouble::try_fetch(unsigned qi) {
  Queue& q = q_[qi];
  if (!q.enabled || q.fetching) return;
  const uint32_t tail = R(E1000_RDT(qi));
  if (q.fetch == tail || q.cache.size() >= cfg_.desc_cache) return;
  // RXDCTL thresholds: fetch when fewer than PTHRESH descriptors are cached
  // and at least HTHRESH are available in host memory (or the cache is
  // empty, so a frame never waits on a threshold).
  const uint32_t rxdctl = R(E1000_RXDCTL(qi));
  const uint32_t pthresh = (rxdctl & E1000_RXDCTL_PTHRESH) >> E1000_RXDCTL_PTHRESH_LSB;
  const uint32_t hthresh = (rxdctl & E1000_RXDCTL_HTHRESH) >> E1000_RXDCTL_HTHRESH_LSB;
  const uint32_t in_host = (tail + q.count - q.fetch) % q.count;
  if (!q.cache.empty()) {
    if (pthresh && q.cache.size() >= pthresh) return;
    if (in_host < hthresh) return;
  }
  const uint32_t avail = tail > q.fetch ? tail - q.fetch : q.count - q.fetch;  // contiguous
  const uint32_t n = std::min<uint32_t>(avail, cfg_.desc_cache - uint32_t(q.cache.size()));
  q.fetch_first = q.fetch;
  q.fetch_n = n;
  q.fetch_buf.resize(n * RX_DESC_BYTES);
  tlm::tlm_generic_payload& p = q.fetch_txn;
  p.set_command(tlm::TLM_READ_COMMAND);
  p.set_address(q.base + uint64_t(q.fetch) * RX_DESC_BYTES);
  p.set_data_ptr(q.fetch_buf.data());
  p.set_data_length(n * RX_DESC_BYTES);
  p.set_streaming_width(n * RX_DESC_BYTES);
  p.set_byte_enable_ptr(nullptr);
  p.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
  q.fetching = true;
  ++st_.desc_fetches;
  tlm::tlm_phase ph = tlm::BEGIN_REQ;
  sc_time d = sc_core::SC_ZERO_TIME;
  const uint64_t gen = generation_;
  tlm::tlm_sync_enum r = dma->nb_transport_fw(p, ph, d);
  if (r == tlm::TLM_COMPLETED) {  // refused at once (error status)
    tq_.post(sc_time_stamp() + d, [this, qi, gen] {
      if (gen == generation_) fetch_done(qi);
    });
  }
}

tlm::tlm_sync_enum NicDouble::dma_nb_transport_bw(tlm::tlm_generic_payload& p, tlm::tlm_phase& ph, sc_time& delay) {
  if (ph != tlm::BEGIN_RESP) return tlm::TLM_ACCEPTED;
  for (unsigned qi = 0; qi < q_.size(); ++qi) {
    if (&q_[qi].fetch_txn == &p) {
      const uint64_t gen = generation_;
      tq_.post(sc_time_stamp() + delay, [this, qi, gen] {
        if (gen == generation_) fetch_done(qi);
      });
      break;
    }
  }
  return tlm::TLM_COMPLETED;
}

void NicDouble::fetch_done(unsigned qi) {
  Queue& q = q_[qi];
  q.fetching = false;
  if (!q.enabled) return;
  if (q.fetch_txn.get_response_status() != tlm::TLM_OK_RESPONSE) {
    ++st_.dma_errors;
    R(E1000_RXP_PERR) |= E1000_RXP_PERR_DMA;
    SC_REPORT_WARNING(name(), "descriptor fetch failed (RXP_PERR.DMA); queue stopped");
    q.enabled = false;
    return;
  }
  for (uint32_t i = 0; i < q.fetch_n; ++i) {
    const uint32_t idx = (q.fetch_first + i) % q.count;
    q.cache.push_back(CachedDesc{idx, get_unaligned_le64(&q.fetch_buf[i * RX_DESC_BYTES + RXD_RD_PKT_ADDR_BYTE])});
  }
  q.fetch = (q.fetch_first + q.fetch_n) % q.count;
  NIC_DPRINTF("fetched %u descriptors from %u", q.fetch_n, q.fetch_first);
  process_rx();
  try_fetch(qi);
}

// ---------------------------------------------------------------- receive
void NicDouble::receive_frame(const uint8_t* data, std::size_t len, const sc_time& arrival) {
  if (len == 0 || data == nullptr) throw std::invalid_argument("receive_frame: empty frame");
  if (arrival < sc_time_stamp())
    throw std::invalid_argument("receive_frame: arrival " + arrival.to_string() + " is in the past");
  if (!input_.empty() && arrival < input_.back().arrival)
    throw std::invalid_argument("receive_frame: arrivals must not decrease");
  Frame f;
  if (!spare_.empty()) {
    f.bytes = std::move(spare_.back());
    spare_.pop_back();
  }
  f.bytes.assign(data, data + len);
  f.arrival = arrival;
  input_.push_back(std::move(f));
  ++st_.frames_in;
  tq_.post(arrival, [this] { on_frame_arrival(); });
}

void NicDouble::wire_b_transport(tlm::tlm_generic_payload& p, sc_time& delay) {
  FrameExt* ext = nullptr;
  p.get_extension(ext);
  const std::size_t len = p.get_data_length();
  if (!p.is_write() || len == 0 || p.get_data_ptr() == nullptr) {
    p.set_response_status(tlm::TLM_COMMAND_ERROR_RESPONSE);
    return;
  }
  if (ext && (ext->fcs_included || ext->bad_fcs || ext->error_at >= 0 || ext->bad_preamble || ext->bad_sfd)) {
    SC_REPORT_WARNING(name(), "wire: the behavioural NIC has no MAC: it takes no FCS and no fault");
    p.set_response_status(tlm::TLM_GENERIC_ERROR_RESPONSE);
    return;
  }
  // One frame at a time on the wire: a frame asked to start before the
  // previous one and its inter-frame gap have passed waits for them, as the
  // RTL's XGMII encoder makes it wait (there with the deficit idle count).
  const sc_time asked = sc_time_stamp() + delay;
  const uint64_t start_ps = std::max(common::to_ps(asked), wire_free_ps_);
  if (wire_start_) wire_start_(ext ? ext->id : 0, start_ps);
  // Preamble and SFD (8 bytes), the frame and its FCS, 800 ps a byte.
  const uint64_t last_ps = start_ps + (8 + len + kFcs) * kPsPerByte;
  wire_free_ps_ = last_ps + kMinIfgBytes * kPsPerByte;
  receive_frame(p.get_data_ptr(), len, sc_time(static_cast<double>(last_ps), sc_core::SC_PS));
  p.set_response_status(tlm::TLM_OK_RESPONSE);
}

void NicDouble::on_frame_arrival() {
  Frame f = std::move(input_.front());
  input_.pop_front();
  const std::size_t len = f.bytes.size();
  count(E1000_TPR);
  tor_ += len + kFcs;
  auto recycle = [this](Frame& fr) {
    if (spare_.size() < 64) spare_.push_back(std::move(fr.bytes));
  };
  const std::size_t max = (R(E1000_RCTL) & E1000_RCTL_LPE) ? (R(E1000_RLPML) & E1000_RLPML_VAL) - kFcs : kMaxFrame;
  if (len < kMinFrame) {
    count(E1000_RUC);
    recycle(f);
    return;
  }
  if (len > max) {
    count(E1000_ROC);
    recycle(f);
    return;
  }
  // Precedence as the RTL (rtl/README.md): receiver disabled, address
  // filter, then the frame's queue (RSS) not enabled.
  if (!(R(E1000_RCTL) & E1000_RCTL_EN)) {
    count(E1000_RXP_RXDIS);
    recycle(f);
    return;
  }
  if (!address_accepted(f.bytes.data())) {
    count(E1000_RXP_AFDC);
    recycle(f);
    return;
  }
  f.rss = rss::classify(f.bytes.data(), len, rss_config());
  if (!q_[f.rss.queue].enabled) {
    count(E1000_RXP_RXDIS);
    recycle(f);
    return;
  }
  if (fifo_bytes_ + len > cfg_.rx_fifo_bytes) {
    count(E1000_MPC);
    recycle(f);
    return;
  }
  count(E1000_GPRC);
  gorc_ += len + kFcs;
  if (is_broadcast(f.bytes.data()))
    count(E1000_BPRC);
  else if (f.bytes[0] & 1)
    count(E1000_MPRC);
  fifo_bytes_ += len;
  fifo_.push_back(std::move(f));
  process_rx();
}

rss::Config NicDouble::rss_config() const {
  rss::Config c;
  c.mrqc = R(E1000_MRQC);
  for (unsigned i = 0; i < E1000_RETA_COUNT; ++i) c.reta[i] = R(E1000_RETA(i));
  for (unsigned i = 0; i < E1000_RSSRK_COUNT; ++i) c.rssrk[i] = R(E1000_RSSRK(i));
  return c;
}

bool NicDouble::is_broadcast(const uint8_t* da) {
  for (int i = 0; i < 6; ++i)
    if (da[i] != 0xFF) return false;
  return true;
}

// Destination address filter: broadcast needs RCTL.BAM, multicast RCTL.MPE
// (no multicast table in the model), unicast RCTL.UPE or a valid RAL/RAH match.
bool NicDouble::address_accepted(const uint8_t* da) const {
  const uint32_t rctl = R(E1000_RCTL);
  if (is_broadcast(da)) return rctl & E1000_RCTL_BAM;
  if (da[0] & 1) return rctl & E1000_RCTL_MPE;
  if (rctl & E1000_RCTL_UPE) return true;
  const uint32_t lo = da[0] | da[1] << 8 | da[2] << 16 | uint32_t(da[3]) << 24;
  const uint32_t hi = da[4] | da[5] << 8;
  for (unsigned i = 0; i < E1000_RAL_COUNT; ++i) {
    const uint32_t rah = R(E1000_RAH(i));
    if ((rah & E1000_RAH_AV) && R(E1000_RAL(i)) == lo && (rah & E1000_RAH_VAL) == hi) return true;
  }
  return false;
}

void NicDouble::process_rx() {
  uint32_t delivered = 0;  // queues that delivered a frame
  while (!fifo_.empty() && (R(E1000_RCTL) & E1000_RCTL_EN)) {
    Frame& f = fifo_.front();
    const unsigned qi = f.rss.queue;
    Queue& q = q_[qi];
    if (!q.enabled) break;  // the head frame waits for its queue
    const std::size_t need = (f.bytes.size() + q.bufsize - 1) / q.bufsize;
    if (q.cache.size() < need) {
      if (q.fetching || q.fetch != R(E1000_RDT(qi))) {
        try_fetch(qi);
        break;  // descriptors exist in host memory: wait for the fetch
      }
      // RNBC as the RTL counts it (rtl/README.md): once for the frame at
      // the head of the packet buffer that finds too few descriptors;
      // frames behind it are counted only when they reach the head.
      if (!rnbc_head_counted_) {
        count(E1000_RNBC);
        rnbc_head_counted_ = true;
        NIC_DPRINTF("no descriptor: RNBC, %s", q.drop_en ? "frame dropped" : "frames wait");
      }
      if (q.drop_en) {
        count(E1000_RQDPC(qi));
        fifo_bytes_ -= f.bytes.size();
        if (spare_.size() < 64) spare_.push_back(std::move(f.bytes));
        fifo_.pop_front();
        rnbc_head_counted_ = false;
        continue;
      }
      break;
    }
    deliver(qi, f);
    delivered |= 1u << qi;
    fifo_bytes_ -= f.bytes.size();
    if (spare_.size() < 64) spare_.push_back(std::move(f.bytes));
    fifo_.pop_front();
    rnbc_head_counted_ = false;
  }
  for (unsigned qi = 0; qi < kMaxRxQueues; ++qi) {
    if (!(delivered >> qi & 1)) continue;
    const int v = queue_vector(qi);
    if (v >= 0) raise_cause(unsigned(v));
    try_fetch(qi);
  }
}

void NicDouble::csum_info(const Frame& f, uint16_t& pkt_info, uint32_t& status) const {
  pkt_info = 0;
  status = 0;
  const uint8_t* b = f.bytes.data();
  const std::size_t len = f.bytes.size();
  if (len < kEthHdr + 20 || b[12] != 0x08 || b[13] != 0x00) return;
  const uint8_t* ip = b + kEthHdr;
  if ((ip[0] >> 4) != 4) return;
  const std::size_t ihl = (ip[0] & 0xF) * 4u;
  if (ihl < 20 || kEthHdr + ihl > len) return;
  pkt_info |= ihl > 20 ? E1000_RXDADV_PKTTYPE_IPV4_EX : E1000_RXDADV_PKTTYPE_IPV4;
  const uint32_t rxcsum = R(E1000_RXCSUM);
  if (rxcsum & E1000_RXCSUM_IPOFLD) {
    status |= E1000_RXD_STAT_IPCS;
    if (csum_fold(csum_add(0, ip, ihl)) != 0xFFFF) status |= E1000_RXDEXT_STATERR_IPE;
  }
  const uint8_t proto = ip[9];
  const bool frag = ((ip[6] & 0x3F) | ip[7]) != 0;  // MF or offset
  const std::size_t tot = std::size_t(ip[2]) << 8 | ip[3];
  if (frag || tot < ihl || kEthHdr + tot > len) return;
  if (proto == 6)
    pkt_info |= E1000_RXDADV_PKTTYPE_TCP;
  else if (proto == 17)
    pkt_info |= E1000_RXDADV_PKTTYPE_UDP;
  else
    return;
  if (!(rxcsum & E1000_RXCSUM_TUOFL)) return;
  const uint8_t* l4 = ip + ihl;
  const std::size_t l4len = tot - ihl;
  if (l4len < (proto == 6 ? 20u : 8u)) return;
  if (proto == 17 && l4[6] == 0 && l4[7] == 0) {  // UDP without checksum
    status |= E1000_RXD_STAT_UDPCS;
    return;
  }
  uint32_t sum = csum_add(0, ip + 12, 8);
  sum += proto;
  sum += uint32_t(l4len);
  sum = csum_add(sum, l4, l4len);
  status |= proto == 6 ? E1000_RXD_STAT_TCPCS : E1000_RXD_STAT_UDPCS;
  if (csum_fold(sum) != 0xFFFF) status |= E1000_RXDEXT_STATERR_TCPE;
}

bool NicDouble::deliver(unsigned qi, Frame& f) {
  Queue& q = q_[qi];
  uint16_t pkt_info;
  uint32_t csum_status;
  csum_info(f, pkt_info, csum_status);
  pkt_info |= uint16_t(f.rss.type);
  // The RSS field holds the hash with RXCSUM.PCSD (igb_setup_mrqc sets it), else 0.
  const uint32_t rss_field = (R(E1000_RXCSUM) & E1000_RXCSUM_PCSD) ? f.rss.hash : 0;
  std::size_t off = 0;
  const std::size_t len = f.bytes.size();
  while (off < len) {
    const CachedDesc d = q.cache.front();
    q.cache.pop_front();
    const std::size_t chunk = std::min<std::size_t>(q.bufsize, len - off);
    const bool eop = off + chunk == len;
    dma_write(d.pkt_addr, f.bytes.data() + off, chunk);
    uint8_t wb[RX_DESC_BYTES] = {};
    uint32_t st = E1000_RXD_STAT_DD;
    if (eop) st |= E1000_RXD_STAT_EOP | csum_status;  // status/errors only on EOP
    if (eop) {
      put_unaligned_le16(pkt_info, wb + RXD_WB_PKT_INFO_BYTE);
      put_unaligned_le32(rss_field, wb + RXD_WB_RSS_BYTE);
    }
    put_unaligned_le32(st, wb + RXD_WB_STATUS_ERROR_BYTE);
    put_unaligned_le16(uint16_t(chunk), wb + RXD_WB_LENGTH_BYTE);
    dma_write(q.base + uint64_t(d.idx) * RX_DESC_BYTES, wb, RX_DESC_BYTES);
    q.head = (d.idx + 1) % q.count;
    off += chunk;
  }
  R(E1000_RDH(qi)) = q.head;
  ++st_.frames_to_host;
  NIC_DPRINTF("frame %zu B to host, RDH %u", len, q.head);
  return true;
}

void NicDouble::dma_write(uint64_t addr, const uint8_t* data, std::size_t len) {
  tlm::tlm_generic_payload& p = wr_txn_;
  p.set_command(tlm::TLM_WRITE_COMMAND);
  p.set_address(addr);
  p.set_data_ptr(const_cast<uint8_t*>(data));
  p.set_data_length(unsigned(len));
  p.set_streaming_width(unsigned(len));
  p.set_byte_enable_ptr(nullptr);
  p.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
  sc_time d = sc_core::SC_ZERO_TIME;
  dma->b_transport(p, d);
  if (p.get_response_status() != tlm::TLM_OK_RESPONSE) {
    ++st_.dma_errors;
    R(E1000_RXP_PERR) |= E1000_RXP_PERR_DMA;
  }
}

// ---------------------------------------------------------------- interrupts
int NicDouble::queue_vector(unsigned q) const {
  const uint32_t ivar = R(E1000_IVAR0(q));
  if (!(ivar & E1000_IVAR0_RX_VALID)) return -1;
  return int((ivar & E1000_IVAR0_RX_VECTOR) >> E1000_IVAR0_RX_VECTOR_LSB);
}

void NicDouble::raise_cause(unsigned v) {
  R(E1000_EICR) |= 1u << v;
  check_irq(v);
}

void NicDouble::check_irq(unsigned v) {
  if (v >= kMsixVectors) return;
  const uint32_t bit = 1u << v;
  if (!(R(E1000_EICR) & bit) || !(R(E1000_EIMS) & bit)) return;
  if (!(R(E1000_GPIE) & E1000_GPIE_MSIX_MODE)) return;  // the double models MSI-X only
  Vector& vs = vec_[v];
  const uint32_t interval_us = (R(E1000_EITR(v)) & E1000_EITR_INTERVAL) >> E1000_EITR_INTERVAL_LSB;
  const sc_time now = sc_time_stamp();
  const sc_time earliest = vs.last_fire + sc_time(double(interval_us), sc_core::SC_US);
  if (!vs.fired_once || interval_us == 0 || now >= earliest) {
    fire(v);
    return;
  }
  if (!vs.timer_pending) {  // the cause is held until the interval expires
    vs.timer_pending = true;
    const uint64_t gen = generation_;
    tq_.post(earliest, [this, v, gen] {
      if (gen != generation_) return;
      vec_[v].timer_pending = false;
      check_irq(v);
    });
  }
}

void NicDouble::fire(unsigned v) {
  const uint32_t bit = 1u << v;
  Vector& vs = vec_[v];
  vs.last_fire = sc_time_stamp();
  vs.fired_once = true;
  if (R(E1000_EIAC) & bit) R(E1000_EICR) &= ~bit;
  if ((R(E1000_GPIE) & E1000_GPIE_EIAME) && (R(E1000_EIAM) & bit)) R(E1000_EIMS) &= ~bit;
  uint8_t buf[4];
  put_unaligned_le32(v, buf);
  tlm::tlm_generic_payload& p = msix_txn_;
  p.set_command(tlm::TLM_WRITE_COMMAND);
  p.set_address(0);
  p.set_data_ptr(buf);
  p.set_data_length(4);
  p.set_streaming_width(4);
  p.set_byte_enable_ptr(nullptr);
  p.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
  sc_time d = sc_core::SC_ZERO_TIME;
  msix->b_transport(p, d);
  ++st_.msix_sent;
  NIC_DPRINTF("MSI-X vector %u sent", v);
}

}  // namespace rxpath::nic
