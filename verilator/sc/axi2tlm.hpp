// SPDX-License-Identifier: MIT
// axi2tlm: the NIC's AXI4 DMA master pins on one side, TLM-2.0 generic
// payloads on the other. One AXI burst becomes one payload (or one per
// contiguous run of strobed bytes, since the link takes no byte enables).
// Writes are posted: the bridge answers B itself a few cycles after WLAST,
// with SLVERR when the link refused the write. Reads go out as
// nb_transport_fw BEGIN_REQ and their R beats start at the first clock edge
// at or after the completion's arrival time.
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <vector>

#include <tlm>

#include "verilator/vh/agent.hpp"
#include "verilator/vh/axi.hpp"

namespace rxpath::bridge {

class Axi2Tlm : public vh::Agent {
 public:
  // What the bridge provides: send a posted write / a read request at the
  // NIC-local time of clock edge `edge` (the bridge converts it into a TLM
  // annotated delay).
  struct Port {
    std::function<tlm::tlm_response_status(uint64_t edge, uint64_t addr, const uint8_t* p, size_t n)> write;
    std::function<void(uint64_t edge, tlm::tlm_generic_payload& p)> read;
  };

  Axi2Tlm(const vh::AxiBus& bus, Port port, unsigned b_latency = 2, unsigned max_reads = 32);

  // The link answered a read; `edge` is the first clock edge at or after its
  // arrival time.
  void read_done(tlm::tlm_generic_payload& p, uint64_t edge);

  // The edge from which drive() presents something the NIC waits for: the
  // R data of the oldest read once its completion has arrived, or the
  // oldest B response (UINT64_MAX: none known). The idle-skip ends no later
  // than the step making the edge before (its drive() sets the inputs).
  uint64_t due_edge() const {
    uint64_t e = UINT64_MAX;
    if (!reads_.empty() && reads_.front()->done) e = reads_.front()->ready_edge;
    if (!bq_.empty() && bq_.front().ready_edge < e) e = bq_.front().ready_edge;
    return e;
  }

  void sample(uint64_t cycle) override;
  void drive(uint64_t cycle) override;

  uint64_t write_bursts = 0, write_bytes = 0, read_bursts = 0, read_bytes = 0, errors = 0;

 private:
  struct WriteBurst {
    uint32_t id;
    uint64_t addr;
    unsigned beats;
    std::vector<uint8_t> data;  // beats * data_bytes
    std::vector<uint8_t> strb;  // one flag per byte
    unsigned got = 0;
  };
  struct Resp {
    uint32_t id;
    uint64_t ready_edge;
    uint8_t resp;
  };
  struct ReadTxn {
    tlm::tlm_generic_payload p;
    std::vector<uint8_t> buf;
    uint32_t id = 0;
    unsigned beats = 0, beat = 0;
    uint64_t ready_edge = UINT64_MAX;  // data usable from this edge on
    bool done = false;
    uint8_t resp = 0;
  };

  void finish_write(WriteBurst& w, uint64_t edge);
  std::unique_ptr<ReadTxn> new_read();

  const vh::AxiBus& b_;
  Port port_;
  unsigned b_latency_, max_reads_;
  std::deque<WriteBurst> aw_;                   // bursts whose address was accepted, in order
  std::deque<Resp> bq_;                         // write responses to give
  std::deque<std::unique_ptr<ReadTxn>> reads_;  // in AR order; R beats in this order
  std::vector<std::unique_ptr<ReadTxn>> pool_;
};

}  // namespace rxpath::bridge
