// SPDX-License-Identifier: MIT
// PcieLink: timing and ordering of every message between host and NIC
// (see pcie_link.hpp and docs/theory/time.md).
#include "host/pcie_link.hpp"

#include <cstring>
#include <sstream>

#include "common/unaligned.hpp"
#include "host/debug.hpp"

namespace rxpath::host {

using sc_core::sc_time;
using sc_core::sc_time_stamp;

PcieLink::PcieLink(sc_core::sc_module_name name, HostMemory& mem, sc_time latency)
    : sc_module(name), dma("dma"), mmio("mmio"), msix("msix"), mem_(mem), L_(latency), tq_("tq") {
  if (latency <= sc_core::SC_ZERO_TIME) SC_REPORT_ERROR(this->name(), "PcieLink: latency L must be > 0");
  dma.register_b_transport(this, &PcieLink::dma_b_transport);
  dma.register_nb_transport_fw(this, &PcieLink::dma_nb_transport_fw);
  msix.register_b_transport(this, &PcieLink::msix_b_transport);
  mmio.register_nb_transport_bw(this, &PcieLink::mmio_nb_transport_bw);
  stall_ = [](sc_core::sc_event& ev) { sc_core::wait(ev); };
}

uint8_t* PcieLink::check_dma(tlm::tlm_generic_payload& p) {
  if (p.get_data_ptr() == nullptr || p.get_data_length() == 0) {
    ++st_.protocol_errors;
    p.set_response_status(tlm::TLM_GENERIC_ERROR_RESPONSE);
    SC_REPORT_WARNING(name(), "DMA transaction with no data (data_ptr null or length 0)");
    return nullptr;
  }
  if (p.get_byte_enable_ptr() != nullptr) {
    ++st_.protocol_errors;
    p.set_response_status(tlm::TLM_BYTE_ENABLE_ERROR_RESPONSE);
    SC_REPORT_WARNING(name(), "DMA transaction with byte enables (not supported)");
    return nullptr;
  }
  if (p.get_streaming_width() < p.get_data_length()) {
    ++st_.protocol_errors;
    p.set_response_status(tlm::TLM_BURST_ERROR_RESPONSE);
    SC_REPORT_WARNING(name(), "DMA transaction with streaming_width < data_length");
    return nullptr;
  }
  uint8_t* host = mem_.dmi(p.get_address(), p.get_data_length());
  if (!host) {
    ++st_.address_errors;
    p.set_response_status(tlm::TLM_ADDRESS_ERROR_RESPONSE);
    std::ostringstream os;
    os << "DMA " << (p.is_write() ? "write" : "read") << " at 0x" << std::hex << p.get_address() << std::dec
       << " length " << p.get_data_length() << " is outside every allocation";
    SC_REPORT_WARNING(name(), os.str().c_str());
    return nullptr;
  }
  return host;
}

// ---- NIC -> host: DMA write (posted, applied lazily at arrival)
void PcieLink::dma_b_transport(tlm::tlm_generic_payload& p, sc_time& delay) {
  if (!p.is_write()) {
    ++st_.protocol_errors;
    p.set_response_status(tlm::TLM_COMMAND_ERROR_RESPONSE);
    SC_REPORT_WARNING(name(), "DMA b_transport is for writes; reads use nb_transport_fw");
    return;
  }
  uint8_t* const dst = check_dma(p);
  if (!dst) return;
  const sc_time arrival = sc_time_stamp() + delay + L_;
  PendingWrite w;
  w.arrival = arrival;
  w.seq = up_seq_++;
  w.addr = p.get_address();
  w.dst = dst;
  w.mem_gen = mem_.generation();
  if (!spare_.empty()) {
    w.data = std::move(spare_.back());
    spare_.pop_back();
  }
  w.data.assign(p.get_data_ptr(), p.get_data_ptr() + p.get_data_length());
  // Keep (arrival, seq) order; the NIC sends in time order, so this is
  // almost always an append.
  auto it = wq_.end();
  while (it != wq_.begin() && std::prev(it)->arrival > arrival) --it;
  const uint64_t seq = w.seq;
  wq_.insert(it, std::move(w));
  // With an observer (tracing), a write is applied at its arrival time, so
  // the observer sees it then and not at the next CPU sync, which may come
  // much later on an idle CPU. What host code reads is the same either way:
  // every write with arrival <= now.
  if (write_obs_) tq_.post(arrival, [this, arrival, seq] { apply_writes(arrival, seq + 1); });
  ++st_.dma_writes;
  st_.dma_write_bytes += p.get_data_length();
  // Times in the debug output are all in us, like each line's timestamp.
  HOST_DPRINTF(link, "DMA write 0x%llx len %u, arrives at %.6f us", (unsigned long long)p.get_address(),
               p.get_data_length(), arrival.to_seconds() * 1e6);
  p.set_response_status(tlm::TLM_OK_RESPONSE);
}

void PcieLink::set_write_observer(write_observer_t o) {
  write_obs_ = std::move(o);
  if (!write_obs_) return;
  // Writes already in flight are applied at their arrival too.
  for (const PendingWrite& w : wq_) {
    const sc_time arrival = w.arrival;
    const uint64_t seq = w.seq;
    if (arrival >= sc_time_stamp()) tq_.post(arrival, [this, arrival, seq] { apply_writes(arrival, seq + 1); });
  }
}

void PcieLink::apply_writes(const sc_time& t, uint64_t seq_limit) {
  while (!wq_.empty()) {
    PendingWrite& w = wq_.front();
    if (w.arrival > t || (w.arrival == t && w.seq >= seq_limit)) break;
    uint8_t* dst = w.mem_gen == mem_.generation() ? w.dst : mem_.dmi(w.addr, w.data.size());
    if (dst) {
      std::memcpy(dst, w.data.data(), w.data.size());
      if (write_obs_) write_obs_(w.addr, w.data.data(), w.data.size(), w.arrival);
    } else {
      // The region was freed while the write was in flight.
      ++st_.address_errors;
      SC_REPORT_WARNING(name(), "DMA write arrived at a freed region; dropped");
    }
    if (spare_.size() < 256) spare_.push_back(std::move(w.data));
    wq_.pop_front();
  }
}

// ---- NIC -> host: DMA read (sampled at t + L, data back at t + 2L)
tlm::tlm_sync_enum PcieLink::dma_nb_transport_fw(tlm::tlm_generic_payload& p, tlm::tlm_phase& ph, sc_time& delay) {
  if (ph == tlm::END_RESP) return tlm::TLM_COMPLETED;
  if (ph != tlm::BEGIN_REQ) {
    ++st_.protocol_errors;
    SC_REPORT_WARNING(name(), "DMA nb_transport_fw: unexpected phase");
    p.set_response_status(tlm::TLM_GENERIC_ERROR_RESPONSE);
    return tlm::TLM_COMPLETED;
  }
  if (!p.is_read()) {
    ++st_.protocol_errors;
    p.set_response_status(tlm::TLM_COMMAND_ERROR_RESPONSE);
    SC_REPORT_WARNING(name(), "DMA nb_transport_fw is for reads; writes use b_transport");
    return tlm::TLM_COMPLETED;
  }
  if (!check_dma(p)) return tlm::TLM_COMPLETED;  // error status, at once
  const sc_time arrival = sc_time_stamp() + delay + L_;
  const uint64_t seq = up_seq_++;
  ++st_.dma_reads;
  st_.dma_read_bytes += p.get_data_length();
  tq_.post(arrival, [this, &p, arrival, seq] {
    apply_writes(arrival, seq);  // the read sees exactly what arrived before it
    const uint8_t* src = mem_.dmi(p.get_address(), p.get_data_length());
    if (src) {
      std::memcpy(p.get_data_ptr(), src, p.get_data_length());
      p.set_response_status(tlm::TLM_OK_RESPONSE);
    } else {
      ++st_.address_errors;
      p.set_response_status(tlm::TLM_ADDRESS_ERROR_RESPONSE);
      SC_REPORT_WARNING(name(), "DMA read reached a freed region");
    }
    tlm::tlm_phase rph = tlm::BEGIN_RESP;
    sc_time d = L_;
    HOST_DPRINTF(link, "DMA read 0x%llx len %u sampled, data to NIC at +%.6f us", (unsigned long long)p.get_address(),
                 p.get_data_length(), d.to_seconds() * 1e6);
    dma->nb_transport_bw(p, rph, d);  // TLM_COMPLETED or END_RESP later: both fine
  });
  ph = tlm::END_REQ;  // accept at once: the NIC may pipeline reads
  return tlm::TLM_UPDATED;
}

// ---- NIC -> host: MSI-X
void PcieLink::msix_b_transport(tlm::tlm_generic_payload& p, sc_time& delay) {
  if (!p.is_write() || p.get_data_length() != 4 || p.get_data_ptr() == nullptr || p.get_byte_enable_ptr() != nullptr) {
    ++st_.protocol_errors;
    p.set_response_status(!p.is_write() ? tlm::TLM_COMMAND_ERROR_RESPONSE : tlm::TLM_BURST_ERROR_RESPONSE);
    SC_REPORT_WARNING(name(), "MSI-X message must be a 4-byte write whose data is the vector");
    return;
  }
  const unsigned vector = get_unaligned_le32(p.get_data_ptr());
  const sc_time arrival = sc_time_stamp() + delay + L_;
  const uint64_t seq = up_seq_++;
  ++st_.msix;
  tq_.post(arrival, [this, vector, arrival, seq] {
    apply_writes(arrival, seq);  // never overtakes the DMA writes sent before it
    HOST_DPRINTF(msix, "MSI-X vector %u delivered", vector);
    if (msix_handler_) msix_handler_(vector);
  });
  p.set_response_status(tlm::TLM_OK_RESPONSE);
}

// ---- host -> NIC: MMIO
void PcieLink::mmio_write(uint32_t offset, uint32_t value) {
  tlm::tlm_generic_payload p;
  uint8_t buf[4];
  put_unaligned_le32(value, buf);
  p.set_command(tlm::TLM_WRITE_COMMAND);
  p.set_address(offset);
  p.set_data_ptr(buf);
  p.set_data_length(4);
  p.set_streaming_width(4);
  p.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
  sc_time d = L_;  // posted: the NIC applies it at s + L
  ++st_.mmio_writes;
  HOST_DPRINTF(link, "MMIO write 0x%05x = 0x%08x", offset, value);
  mmio->b_transport(p, d);
  if (p.get_response_status() != tlm::TLM_OK_RESPONSE) {
    ++st_.mmio_errors;
    std::ostringstream os;
    os << "MMIO write to 0x" << std::hex << offset << " answered " << p.get_response_string();
    SC_REPORT_WARNING(name(), os.str().c_str());
  }
}

uint32_t PcieLink::mmio_read(uint32_t offset) {
  MmioReadTxn t;
  uint8_t buf[4] = {0, 0, 0, 0};
  t.set_command(tlm::TLM_READ_COMMAND);
  t.set_address(offset);
  t.set_data_ptr(buf);
  t.set_data_length(4);
  t.set_streaming_width(4);
  t.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
  tlm::tlm_phase ph = tlm::BEGIN_REQ;
  sc_time d = L_;
  ++st_.mmio_reads;
  tlm::tlm_sync_enum r = mmio->nb_transport_fw(t, ph, d);
  if (r == tlm::TLM_COMPLETED) {  // answered in the call
    MmioReadTxn* tp = &t;
    tq_.post(sc_time_stamp() + d + L_, [tp] {
      tp->completed = true;
      tp->done.notify();
    });
  }
  while (!t.completed) stall_(t.done);
  if (t.get_response_status() != tlm::TLM_OK_RESPONSE) {
    ++st_.mmio_errors;
    std::ostringstream os;
    os << "MMIO read of 0x" << std::hex << offset << " answered " << t.get_response_string();
    SC_REPORT_WARNING(name(), os.str().c_str());
    return ~0u;  // as a PCIe read that fails
  }
  const uint32_t v = get_unaligned_le32(buf);
  HOST_DPRINTF(link, "MMIO read 0x%05x -> 0x%08x", offset, v);
  return v;
}

tlm::tlm_sync_enum PcieLink::mmio_nb_transport_bw(tlm::tlm_generic_payload& p, tlm::tlm_phase& ph, sc_time& delay) {
  if (ph == tlm::END_REQ) return tlm::TLM_ACCEPTED;
  if (ph != tlm::BEGIN_RESP) {
    ++st_.protocol_errors;
    SC_REPORT_WARNING(name(), "MMIO nb_transport_bw: unexpected phase");
    return tlm::TLM_COMPLETED;
  }
  // The completion leaves the NIC at now + delay and reaches the CPU L later.
  MmioReadTxn* tp = &static_cast<MmioReadTxn&>(p);
  tq_.post(sc_time_stamp() + delay + L_, [tp] {
    tp->completed = true;
    tp->done.notify();
  });
  return tlm::TLM_COMPLETED;
}

std::string PcieLink::report() const {
  std::ostringstream os;
  os << "pcie_link L=" << L_ << "\n"
     << "  dma_writes " << st_.dma_writes << " (" << st_.dma_write_bytes << " B)\n"
     << "  dma_reads " << st_.dma_reads << " (" << st_.dma_read_bytes << " B)\n"
     << "  msix " << st_.msix << "\n"
     << "  mmio_writes " << st_.mmio_writes << " mmio_reads " << st_.mmio_reads << "\n"
     << "  address_errors " << st_.address_errors << " protocol_errors " << st_.protocol_errors << " mmio_errors "
     << st_.mmio_errors << "\n";
  return os.str();
}

}  // namespace rxpath::host
