// SPDX-License-Identifier: MIT
// testing/tlm_host.hpp: a TLM host for NicSc in tests and
// benches, with no kernel and no driver model: memory for DMA, register
// writes and reads over mmio, a log of MSI-X vectors, frames out on the wire;
// plus the few igb driver steps such a host needs (igb_configure_rx_ring-like
// queue 0 setup, igb_alloc_rx_buffers-like descriptor refill).
//
// Driver-side calls (wr32, rd32, send, the igb steps) are made between
// sc_start runs. A transaction the NIC refuses throws std::runtime_error
// naming it (a Boost test case fails with the message; a bench stops).
#pragma once

#include <cstdint>
#include <cstdio>
#include <cstring>
#include <stdexcept>
#include <string>
#include <vector>

#include <systemc>
#include <tlm>
#include <tlm_utils/simple_initiator_socket.h>
#include <tlm_utils/simple_target_socket.h>

#include "nic/frame_ext.hpp"
#include "nic_sc.hpp"
#include "rxpath/igb_regs.hpp"
#include "rxpath/vh/eth.hpp"

namespace rxpath::bridge::testing {

// The host side of NicSc's four sockets.
struct TlmHost : sc_core::sc_module {
  tlm_utils::simple_initiator_socket<TlmHost> mmio{"mmio"}, wire{"wire"};
  tlm_utils::simple_target_socket<TlmHost> dma{"dma"}, msix{"msix"};
  std::vector<uint8_t> mem;              // host memory from address 0
  std::vector<unsigned> msix_vectors;    // the vector of every MSI-X message, in order
  uint64_t dma_errors = 0;               // DMA outside `mem` (answered with an address error)
  sc_core::sc_time link;                 // register writes and frames arrive this far ahead

  TlmHost(sc_core::sc_module_name n, size_t mem_bytes, sc_core::sc_time link_latency)
      : sc_module(n), mem(mem_bytes), link(link_latency) {
    dma.register_b_transport(this, &TlmHost::dma_write);
    dma.register_nb_transport_fw(this, &TlmHost::dma_read);
    msix.register_b_transport(this, &TlmHost::msix_write);
    mmio.register_nb_transport_bw(this, &TlmHost::mmio_resp);
  }

  void bind(NicSc& nic) {
    mmio.bind(nic.mmio);
    wire.bind(nic.wire);
    nic.dma.bind(dma);
    nic.msix.bind(msix);
  }

  // ---- driver side
  void wr32(uint32_t addr, uint32_t v) {
    uint8_t d[4] = {uint8_t(v), uint8_t(v >> 8), uint8_t(v >> 16), uint8_t(v >> 24)};
    tlm::tlm_generic_payload p;
    p.set_command(tlm::TLM_WRITE_COMMAND);
    p.set_address(addr);
    p.set_data_ptr(d);
    p.set_data_length(4);
    p.set_streaming_width(4);
    sc_core::sc_time delay = link;
    mmio->b_transport(p, delay);
    if (p.get_response_status() != tlm::TLM_OK_RESPONSE)
      throw std::runtime_error("TlmHost::wr32: register " + hex(addr) + ": " + p.get_response_string());
  }
  // A register read: the NIC answers on nb_transport_bw; runs the simulation
  // one link latency at a time until it does (100 at most).
  uint32_t rd32(uint32_t addr) {
    rd_.set_command(tlm::TLM_READ_COMMAND);
    rd_.set_address(addr);
    rd_.set_data_ptr(rd_data_);
    rd_.set_data_length(4);
    rd_.set_streaming_width(4);
    rd_.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
    rd_done_ = false;
    tlm::tlm_phase ph = tlm::BEGIN_REQ;
    sc_core::sc_time delay = link;
    mmio->nb_transport_fw(rd_, ph, delay);
    for (int i = 0; i < 100 && !rd_done_; ++i) sc_core::sc_start(link);
    if (!rd_done_) throw std::runtime_error("TlmHost::rd32: register " + hex(addr) + ": no answer");
    if (rd_.get_response_status() != tlm::TLM_OK_RESPONSE)
      throw std::runtime_error("TlmHost::rd32: register " + hex(addr) + ": " + rd_.get_response_string());
    return rd_data_[0] | rd_data_[1] << 8 | rd_data_[2] << 16 | uint32_t(rd_data_[3]) << 24;
  }
  void put64(uint64_t a, uint64_t v) {
    for (int i = 0; i < 8; ++i) mem[a + i] = uint8_t(v >> (8 * i));
  }
  // One frame on the wire, its /S/ `at` from now (the NIC's encoder keeps
  // the gap between frames sent back to back).
  void send(uint64_t id, const vh::Bytes& data, const sc_core::sc_time& at, bool bad_fcs = false,
            bool bad_preamble = false) {
    nic::FrameExt ext;
    ext.id = id;
    ext.bad_fcs = bad_fcs;
    ext.bad_preamble = bad_preamble;
    tlm::tlm_generic_payload p;
    p.set_command(tlm::TLM_WRITE_COMMAND);
    p.set_data_ptr(const_cast<uint8_t*>(data.data()));
    p.set_data_length(static_cast<unsigned>(data.size()));
    p.set_streaming_width(static_cast<unsigned>(data.size()));
    p.set_extension(&ext);
    sc_core::sc_time delay = at;
    wire->b_transport(p, delay);
    p.clear_extension(&ext);
    if (p.get_response_status() != tlm::TLM_OK_RESPONSE)
      throw std::runtime_error("TlmHost::send: frame " + std::to_string(id) + ": " + p.get_response_string());
  }

 private:
  tlm::tlm_generic_payload rd_;
  uint8_t rd_data_[4] = {};
  bool rd_done_ = false;

  static std::string hex(uint32_t v) {
    char b[16];
    std::snprintf(b, sizeof b, "0x%05x", v);
    return b;
  }
  bool in_mem(uint64_t a, size_t n) const { return a + n <= mem.size(); }
  void dma_write(tlm::tlm_generic_payload& p, sc_core::sc_time&) {
    if (!in_mem(p.get_address(), p.get_data_length())) {
      ++dma_errors;
      p.set_response_status(tlm::TLM_ADDRESS_ERROR_RESPONSE);
      return;
    }
    std::memcpy(&mem[p.get_address()], p.get_data_ptr(), p.get_data_length());
    p.set_response_status(tlm::TLM_OK_RESPONSE);
  }
  tlm::tlm_sync_enum dma_read(tlm::tlm_generic_payload& p, tlm::tlm_phase&, sc_core::sc_time& d) {
    if (!in_mem(p.get_address(), p.get_data_length())) {
      ++dma_errors;
      p.set_response_status(tlm::TLM_ADDRESS_ERROR_RESPONSE);
    } else {
      std::memcpy(p.get_data_ptr(), &mem[p.get_address()], p.get_data_length());
      p.set_response_status(tlm::TLM_OK_RESPONSE);
    }
    d += sc_core::sc_time(200, sc_core::SC_NS);
    return tlm::TLM_COMPLETED;
  }
  void msix_write(tlm::tlm_generic_payload& p, sc_core::sc_time&) {
    msix_vectors.push_back(p.get_data_ptr()[0]);
    p.set_response_status(tlm::TLM_OK_RESPONSE);
  }
  tlm::tlm_sync_enum mmio_resp(tlm::tlm_generic_payload&, tlm::tlm_phase& ph, sc_core::sc_time&) {
    rd_done_ = true;   // rd32 checks the response status
    ph = tlm::END_RESP;
    return tlm::TLM_COMPLETED;
  }
};

// Receive queue 0 as the tests lay it out: `count` descriptors at
// `desc_base`, slot s's buffer at buf_base + s * bsize.
struct RxRing {
  uint64_t desc_base = 0;
  uint64_t buf_base = 0;
  unsigned count = 0;   // descriptors
  uint32_t bsize = 0;   // bytes per buffer (SRRCTL.BSIZEPKT, 1 KiB steps)

  uint64_t desc_of(unsigned slot) const { return desc_base + 16 * uint64_t(slot); }
  uint64_t buf_of(unsigned slot) const { return buf_base + uint64_t(slot) * bsize; }
  // Written back by the NIC (DD set in the descriptor's status byte).
  bool done(const TlmHost& host, unsigned slot) const {
    return (host.mem[desc_of(slot) + regs::RXD_WB_STATUS_ERROR_BYTE] & regs::E1000_RXD_STAT_DD) != 0;
  }
};

// The igb_configure_rx_ring / igb_setup_rctl / receive-address / MSI-X
// steps for queue 0 on vector 0: `mac` in RAR[0], one-buffer advanced
// descriptors, queue and receiver enabled, SECRC. RDT stays 0 (no buffers).
inline void configure_rx_ring(TlmHost& host, const RxRing& ring, const vh::Mac& mac) {
  using namespace regs;
  host.wr32(E1000_RAL(0), mac[0] | mac[1] << 8 | mac[2] << 16 | uint32_t(mac[3]) << 24);
  host.wr32(E1000_RAH(0), mac[4] | mac[5] << 8 | E1000_RAH_AV);
  host.wr32(E1000_RDBAL(0), static_cast<uint32_t>(ring.desc_base));
  host.wr32(E1000_RDBAH(0), static_cast<uint32_t>(ring.desc_base >> 32));
  host.wr32(E1000_RDLEN(0), ring.count * 16);
  host.wr32(E1000_SRRCTL(0), E1000_SRRCTL_DESCTYPE_ADV_ONEBUF | (ring.bsize >> E1000_SRRCTL_BSIZEPKT_SHIFT));
  host.wr32(E1000_RDH(0), 0);
  host.wr32(E1000_RXDCTL(0), E1000_RXDCTL_QUEUE_ENABLE);
  host.wr32(E1000_IVAR0(0), E1000_IVAR0_RX_VALID | 0);
  host.wr32(E1000_GPIE, E1000_GPIE_MSIX_MODE);
  host.wr32(E1000_EIMS, 1);
  host.wr32(E1000_RCTL, E1000_RCTL_EN | E1000_RCTL_BAM | E1000_RCTL_SECRC);
}

// igb_alloc_rx_buffers-like: `n` descriptors from slot `first` on (wrapping)
// in read format, each pointing at its slot's buffer. The caller moves RDT.
inline void alloc_rx_buffers(TlmHost& host, const RxRing& ring, unsigned first, unsigned n) {
  for (unsigned i = 0; i < n; ++i) {
    const unsigned slot = (first + i) % ring.count;
    host.put64(ring.desc_of(slot), ring.buf_of(slot));
    host.put64(ring.desc_of(slot) + 8, 0);
  }
}

}  // namespace rxpath::bridge::testing
