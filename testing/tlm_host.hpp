// SPDX-License-Identifier: MIT
// testing/tlm_host.hpp: a TLM host for either NIC model in tests and
// benches, with no kernel and no driver model: memory for DMA, register
// writes and reads over mmio, a log of MSI-X vectors, frames out on the wire;
// plus the access testing/rx_ring.hpp needs to program a ring on it.
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

#include <tlm_utils/simple_initiator_socket.h>
#include <tlm_utils/simple_target_socket.h>
#include <systemc>
#include <tlm>

#include "common/eth.hpp"
#include "common/unaligned.hpp"
#include "nic/frame_ext.hpp"
#include "nic/nic_model.hpp"
#include "rxpath/igb_regs.hpp"
#include "testing/rx_ring.hpp"

namespace rxpath::testing {

// The host side of a NIC model's four sockets.
struct TlmHost : sc_core::sc_module {
  tlm_utils::simple_initiator_socket<TlmHost> mmio{"mmio"}, wire{"wire"};
  tlm_utils::simple_target_socket<TlmHost> dma{"dma"}, msix{"msix"};
  std::vector<uint8_t> mem;            // host memory from address 0
  std::vector<unsigned> msix_vectors;  // the vector of every MSI-X message, in order
  uint64_t dma_errors = 0;             // DMA outside `mem` (answered with an address error)
  sc_core::sc_time link;               // register writes and frames arrive this far ahead

  TlmHost(sc_core::sc_module_name n, size_t mem_bytes, sc_core::sc_time link_latency)
      : sc_module(n), mem(mem_bytes), link(link_latency) {
    dma.register_b_transport(this, &TlmHost::dma_write);
    dma.register_nb_transport_fw(this, &TlmHost::dma_read);
    msix.register_b_transport(this, &TlmHost::msix_write);
    mmio.register_nb_transport_bw(this, &TlmHost::mmio_resp);
  }

  // Either NIC model, through its contract (nic/nic_model.hpp).
  void bind(nic::NicModel& nic) {
    mmio.bind(nic.mmio_socket());
    wire.bind(nic.wire_socket());
    nic.dma_socket().bind(dma);
    nic.msix_socket().bind(msix);
  }

  // ---- driver side
  void wr32(uint32_t addr, uint32_t v) {
    uint8_t d[4];
    put_unaligned_le32(v, d);
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
    return get_unaligned_le32(rd_data_);
  }
  void put64(uint64_t a, uint64_t v) { put_unaligned_le64(v, &mem[a]); }
  // One frame on the wire, its /S/ `at` from now (the NIC's encoder keeps
  // the gap between frames sent back to back).
  void send(uint64_t id, const eth::Bytes& data, const sc_core::sc_time& at, bool bad_fcs = false,
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
    rd_done_ = true;  // rd32 checks the response status
    ph = tlm::END_RESP;
    return tlm::TLM_COMPLETED;
  }
};

// The shared ring helper (testing/rx_ring.hpp) on this host: registers over
// mmio, descriptors straight into `mem`.
inline RxRingIo rx_ring_io(TlmHost& host) {
  return {[&host](uint32_t reg, uint32_t v) { host.wr32(reg, v); }, [&host](uint32_t reg) { return host.rd32(reg); },
          [&host](uint64_t a, const uint8_t* p, size_t n) {
            if (a + n > host.mem.size()) throw std::out_of_range("TlmHost: descriptor outside host memory");
            std::memcpy(&host.mem[a], p, n);
          }};
}

// Written back by the NIC (DD set in the descriptor's status byte).
inline bool rx_desc_done(const TlmHost& host, const RxRing& ring, unsigned slot) {
  return (host.mem[ring.desc_addr(slot) + regs::RXD_WB_STATUS_ERROR_BYTE] & regs::E1000_RXD_STAT_DD) != 0;
}

// The igb_rar_set / igb_configure_rx_ring / igb_configure_msix / igb_setup_rctl
// steps for one queue on vector 0: `mac` in RAR[0], the ring programmed by
// testing/rx_ring.hpp (no buffers yet), receiver enabled with SECRC.
inline void configure_rx_ring(TlmHost& host, RxRing& ring, const eth::Mac& mac) {
  using namespace regs;
  host.wr32(E1000_RAL(0), get_unaligned_le32(mac.data()));
  host.wr32(E1000_RAH(0), get_unaligned_le16(mac.data() + 4) | E1000_RAH_AV);
  igb_configure_rx_ring(rx_ring_io(host), ring);
  host.wr32(E1000_IVAR0(ring.queue), E1000_IVAR0_RX_VALID | 0);
  host.wr32(E1000_GPIE, E1000_GPIE_MSIX_MODE);
  host.wr32(E1000_EIMS, 1);
  host.wr32(E1000_RCTL, E1000_RCTL_EN | E1000_RCTL_BAM | E1000_RCTL_SECRC);
}

}  // namespace rxpath::testing
