// SPDX-License-Identifier: MIT
// PcieLink exactness: DMA write visible at exactly t + L and not one tick
// before; DMA read sampled at t + L and returned at t + 2L; MSI-X never
// before the data it reports; MMIO read round trip 2L (+ NIC response time);
// posted MMIO writes reach the NIC at s + L in order; malformed DMA refused.
#define BOOST_TEST_MODULE pcie_link
#include "testing/sc_test.hpp"

#include <cstring>
#include <vector>

#include "host/pcie_link.hpp"

using namespace sc_core;
using rxpath::host::HostMemory;
using rxpath::host::PcieLink;

namespace {

const sc_time L(500, SC_NS);
const sc_time TICK = sc_get_time_resolution();

// A scripted NIC: the three sockets, driven by the tests.
struct FakeNic : sc_module {
  tlm_utils::simple_initiator_socket<FakeNic> dma{"dma"};
  tlm_utils::simple_target_socket<FakeNic> mmio{"mmio"};
  tlm_utils::simple_initiator_socket<FakeNic> msix{"msix"};
  sc_time read_resp_time = SC_ZERO_TIME;  // when DMA read data reached the NIC
  bool read_done = false;
  sc_time mmio_response_delay = SC_ZERO_TIME;
  std::vector<std::pair<sc_time, uint32_t>> mmio_writes;  // (applied at, value)
  uint32_t reg_value = 0x12345678;
  std::vector<tlm::tlm_generic_payload*> reads_to_answer;

  SC_CTOR(FakeNic) {
    dma.register_nb_transport_bw(this, &FakeNic::dma_bw);
    mmio.register_b_transport(this, &FakeNic::mmio_b);
    mmio.register_nb_transport_fw(this, &FakeNic::mmio_fw);
    SC_METHOD(answer);
    sensitive << answer_ev;
    dont_initialize();
  }
  tlm::tlm_sync_enum dma_bw(tlm::tlm_generic_payload& p, tlm::tlm_phase& ph, sc_time& d) {
    BOOST_CHECK(ph == tlm::BEGIN_RESP);
    read_resp_time = sc_time_stamp() + d;
    read_done = true;
    return tlm::TLM_COMPLETED;
  }
  void mmio_b(tlm::tlm_generic_payload& p, sc_time& d) {
    uint32_t v;
    std::memcpy(&v, p.get_data_ptr(), 4);
    mmio_writes.emplace_back(sc_time_stamp() + d, v);
    p.set_response_status(tlm::TLM_OK_RESPONSE);
  }
  tlm::tlm_sync_enum mmio_fw(tlm::tlm_generic_payload& p, tlm::tlm_phase& ph, sc_time& d) {
    // answered when the request reaches the NIC (now + d), after its response time
    reads_to_answer.push_back(&p);
    answer_ev.notify(d);
    ph = tlm::END_REQ;
    return tlm::TLM_UPDATED;
  }
  void answer() {
    for (auto* p : reads_to_answer) {
      std::memcpy(p->get_data_ptr(), &reg_value, 4);
      p->set_response_status(tlm::TLM_OK_RESPONSE);
      tlm::tlm_phase ph = tlm::BEGIN_RESP;
      sc_time d = mmio_response_delay;
      mmio->nb_transport_bw(*p, ph, d);
    }
    reads_to_answer.clear();
  }
  sc_event answer_ev;

  tlm::tlm_response_status write(uint64_t addr, const void* data, unsigned len, sc_time delay) {
    tlm::tlm_generic_payload p;
    p.set_command(tlm::TLM_WRITE_COMMAND);
    p.set_address(addr);
    p.set_data_ptr(static_cast<unsigned char*>(const_cast<void*>(data)));
    p.set_data_length(len);
    p.set_streaming_width(len);
    dma->b_transport(p, delay);
    return p.get_response_status();
  }
  void send_msix(uint32_t v, sc_time delay) {
    tlm::tlm_generic_payload p;
    p.set_command(tlm::TLM_WRITE_COMMAND);
    p.set_data_ptr(reinterpret_cast<unsigned char*>(&v));
    p.set_data_length(4);
    p.set_streaming_width(4);
    msix->b_transport(p, delay);
    BOOST_CHECK(p.get_response_status() == tlm::TLM_OK_RESPONSE);
  }
};

// A host CPU stand-in: runs MMIO reads from a thread.
struct FakeCpu : sc_module {
  PcieLink& link;
  sc_time issued, completed;
  uint32_t value = 0;
  sc_event go;
  FakeCpu(sc_module_name n, PcieLink& l) : sc_module(n), link(l) {
    SC_HAS_PROCESS(FakeCpu);
    SC_THREAD(run);
  }
  void run() {
    for (;;) {
      wait(go);
      issued = sc_time_stamp();
      value = link.mmio_read(0x1580);
      completed = sc_time_stamp();
    }
  }
};

struct System {
  HostMemory mem;
  PcieLink link{"link", mem, L};
  FakeNic nic{"nic"};
  FakeCpu cpu{"cpu", link};
  uint8_t* buf = nullptr;
  uint64_t dma = 0;
  std::vector<std::pair<sc_time, unsigned>> msix_seen;
  std::vector<uint8_t> data_at_msix;
  System() {
    nic.dma.bind(link.dma);
    link.mmio.bind(nic.mmio);
    nic.msix.bind(link.msix);
    dma = mem.dma_alloc_coherent(8192, &buf, "test");
    link.set_msix_handler([this](unsigned v) {
      msix_seen.emplace_back(sc_time_stamp(), v);
      data_at_msix.assign(buf, buf + 4);  // what host memory holds at delivery
    });
  }
};
System* sys;

}  // namespace

BOOST_AUTO_TEST_CASE(dma_write_visible_exactly_at_t_plus_L) {
  const sc_time t0 = sc_time_stamp();
  const sc_time offset(100, SC_NS);  // NIC local time offset
  const uint32_t v = 0xA5A5A5A5;
  BOOST_CHECK(sys->nic.write(sys->dma, &v, 4, offset) == tlm::TLM_OK_RESPONSE);
  const sc_time arrival = t0 + offset + L;
  sc_start(arrival - t0 - TICK);
  sys->link.sync(sc_time_stamp());
  uint32_t seen;
  std::memcpy(&seen, sys->buf, 4);
  BOOST_CHECK_EQUAL(seen, 0u);  // one tick before arrival: not there
  BOOST_CHECK_EQUAL(sys->link.writes_in_flight(), 1u);
  sc_start(TICK);
  BOOST_CHECK(sc_time_stamp() == arrival);
  sys->link.sync(sc_time_stamp());
  std::memcpy(&seen, sys->buf, 4);
  BOOST_CHECK_EQUAL(seen, v);
  BOOST_CHECK_EQUAL(sys->link.writes_in_flight(), 0u);
}

BOOST_AUTO_TEST_CASE(dma_read_sampled_at_t_plus_L_returned_at_2L) {
  std::memset(sys->buf, 0, 64);
  const sc_time t0 = sc_time_stamp();
  uint8_t rbuf[16] = {};
  tlm::tlm_generic_payload p;
  p.set_command(tlm::TLM_READ_COMMAND);
  p.set_address(sys->dma + 16);
  p.set_data_ptr(rbuf);
  p.set_data_length(16);
  p.set_streaming_width(16);
  tlm::tlm_phase ph = tlm::BEGIN_REQ;
  sc_time d = SC_ZERO_TIME;
  sys->nic.read_done = false;
  BOOST_CHECK(sys->nic.dma->nb_transport_fw(p, ph, d) == tlm::TLM_UPDATED);
  // The CPU changes memory one tick before the sample (seen) and at the
  // sample time + 1 tick (not seen).
  sc_start(L - TICK);
  sys->buf[16] = 0x11;
  sc_start(2 * TICK);
  sys->buf[16] = 0x22;
  sc_start(L);
  BOOST_REQUIRE(sys->nic.read_done);
  BOOST_CHECK(sys->nic.read_resp_time == t0 + 2 * L);
  BOOST_CHECK(p.get_response_status() == tlm::TLM_OK_RESPONSE);
  BOOST_CHECK_EQUAL(int(rbuf[0]), 0x11);
}

BOOST_AUTO_TEST_CASE(dma_read_sees_write_sent_before_it) {
  const sc_time t0 = sc_time_stamp();
  const uint32_t v = 0xBEEF;
  sys->nic.write(sys->dma + 32, &v, 4, SC_ZERO_TIME);
  uint8_t rbuf[4] = {};
  tlm::tlm_generic_payload p;
  p.set_command(tlm::TLM_READ_COMMAND);
  p.set_address(sys->dma + 32);
  p.set_data_ptr(rbuf);
  p.set_data_length(4);
  p.set_streaming_width(4);
  tlm::tlm_phase ph = tlm::BEGIN_REQ;
  sc_time d = SC_ZERO_TIME;
  sys->nic.read_done = false;
  sys->nic.dma->nb_transport_fw(p, ph, d);
  sc_start(2 * L);
  BOOST_REQUIRE(sys->nic.read_done);
  uint32_t got;
  std::memcpy(&got, rbuf, 4);
  BOOST_CHECK_EQUAL(got, v);
  (void)t0;
}

BOOST_AUTO_TEST_CASE(msix_never_before_the_data_it_reports) {
  std::memset(sys->buf, 0, 4);
  sys->msix_seen.clear();
  const sc_time t0 = sc_time_stamp();
  const uint32_t v = 0xC0FFEE;
  const sc_time off(40, SC_NS);
  sys->nic.write(sys->dma, &v, 4, off);
  sys->nic.send_msix(3, off);  // same send time as the write
  sc_start(off + L - TICK);
  BOOST_CHECK(sys->msix_seen.empty());
  sc_start(2 * TICK);
  BOOST_REQUIRE_EQUAL(sys->msix_seen.size(), 1u);
  BOOST_CHECK(sys->msix_seen[0].first == t0 + off + L);
  BOOST_CHECK_EQUAL(sys->msix_seen[0].second, 3u);
  uint32_t seen;
  std::memcpy(&seen, sys->data_at_msix.data(), 4);
  BOOST_CHECK_EQUAL(seen, v);  // the write was applied before the vector was raised
}

BOOST_AUTO_TEST_CASE(mmio_read_round_trip_is_2L_plus_nic_time) {
  sys->nic.mmio_response_delay = SC_ZERO_TIME;
  sys->cpu.go.notify(SC_ZERO_TIME);
  sc_start(3 * L);
  BOOST_CHECK(sys->cpu.completed - sys->cpu.issued == 2 * L);
  BOOST_CHECK_EQUAL(sys->cpu.value, 0x12345678u);
  sys->nic.mmio_response_delay = sc_time(30, SC_NS);
  sys->cpu.go.notify(SC_ZERO_TIME);
  sc_start(3 * L);
  BOOST_CHECK(sys->cpu.completed - sys->cpu.issued == 2 * L + sc_time(30, SC_NS));
}

BOOST_AUTO_TEST_CASE(posted_mmio_writes_arrive_at_s_plus_L_in_order) {
  sys->nic.mmio_writes.clear();
  const sc_time s = sc_time_stamp();
  sys->link.mmio_write(0x2818, 1);
  sys->link.mmio_write(0x2818, 2);
  BOOST_REQUIRE_EQUAL(sys->nic.mmio_writes.size(), 2u);
  BOOST_CHECK(sys->nic.mmio_writes[0].first == s + L);
  BOOST_CHECK_EQUAL(sys->nic.mmio_writes[0].second, 1u);
  BOOST_CHECK_EQUAL(sys->nic.mmio_writes[1].second, 2u);
}

BOOST_AUTO_TEST_CASE(malformed_dma_is_refused_and_counted) {
  const uint64_t before = sys->link.stats().address_errors;
  const uint32_t v = 1;
  {
    rxpath::testing::ExpectWarnings w(2);
    // outside any allocation, and across the end of one (into the guard page)
    BOOST_CHECK(sys->nic.write(0x10, &v, 4, SC_ZERO_TIME) == tlm::TLM_ADDRESS_ERROR_RESPONSE);
    BOOST_CHECK(sys->nic.write(sys->dma + 8190, &v, 4, SC_ZERO_TIME) == tlm::TLM_ADDRESS_ERROR_RESPONSE);
  }
  BOOST_CHECK_EQUAL(sys->link.stats().address_errors, before + 2);
  {
    rxpath::testing::ExpectWarnings w(1);
    tlm::tlm_generic_payload p;  // a 2-byte MSI-X is not an MSI-X
    uint16_t h = 1;
    p.set_command(tlm::TLM_WRITE_COMMAND);
    p.set_data_ptr(reinterpret_cast<unsigned char*>(&h));
    p.set_data_length(2);
    p.set_streaming_width(2);
    sc_time d = SC_ZERO_TIME;
    sys->nic.msix->b_transport(p, d);
    BOOST_CHECK(p.get_response_status() == tlm::TLM_BURST_ERROR_RESPONSE);
  }
  BOOST_CHECK(sys->link.report().find("address_errors 2") != std::string::npos);
}

// One simulated system for the executable, built before the first test case.
struct Elaborate {
  System s;
  Elaborate() { sys = &s; }
};
BOOST_TEST_GLOBAL_FIXTURE(Elaborate);
