// SPDX-License-Identifier: MIT
// fuzz_frame: random bytes on the wire. One simulated system for the whole
// fuzzing process (SystemC elaborates once; sc_start() runs on from input
// to input): the NIC (the behavioural double, or with RXPATH_FUZZ_RTL the
// Verilated RTL), the PCIe-like link, the igb driver, the kernel stack and a
// reader on four UDP sockets and one established TCP connection, as the
// default scenario has them.
//
// Each input is up to kMaxFrames frames, each a record
//   flags (1 byte) | length (2 bytes, little endian) | [error_at (2 bytes)] | bytes
// flags: 0x01 bad FCS, 0x02 the bytes end with their own FCS, 0x04 an /E/
// at error_at, 0x08 bad preamble, 0x10 bad SFD (those five the RTL only: the
// double has no MAC), 0x20 destination MAC := the host's, 0x40 the IPv4
// header checksum made right, 0x80 the UDP/TCP checksum made right (the
// last three let mutations get past the first checks into the stack).
// The frames go on the wire back to back; the system then runs until it is
// quiet, reads the NIC's statistics as ethtool -S does, and checks that every
// frame offered so far is accounted for: delivered, consumed by the stack,
// held by it (a fragment, an out-of-order segment) or in exactly one drop
// counter, with nothing left in the NIC (testbench/report.hpp's Accounting),
// that the NIC counted every frame it was offered (TPR), and that the stack's
// own accounting balances. A SystemC warning or error (a protocol error
// between the NIC and the host), a crash or a sanitizer report is a finding.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include <tlm_utils/simple_initiator_socket.h>
#include <systemc>

#include "common/eth.hpp"
#include "host/igb.hpp"
#include "host/platform.hpp"
#include "nic/double/nic_double.hpp"
#include "nic/frame_ext.hpp"
#include "stack/kernel.hpp"
#include "stack/process.hpp"
#include "testbench/igb_counters.hpp"
#include "testbench/report.hpp"
#ifdef RXPATH_FUZZ_RTL
#include "verilator/sc/nic_sc.hpp"
#endif

namespace {

using namespace rxpath;
using sc_core::SC_NS;
using sc_core::SC_PS;
using sc_core::sc_time;
using sc_core::SC_US;

constexpr size_t kMaxFrames = 4;
constexpr size_t kMaxLen = 16383;  // past every jumbo size: the MAC's oversize paths
constexpr double kLinkNs = 102.4;  // a short link (16 NIC cycles): quicker quiet windows
const eth::Mac kHostMac = {0x02, 0, 0, 0, 0, 0x10};
constexpr uint32_t kHostIp = 0x0a000102;  // 10.0.1.2
#ifdef RXPATH_FUZZ_RTL
constexpr bool kRtl = true;
#else
constexpr bool kRtl = false;
#endif

[[noreturn]] void finding(const std::string& what) {
  std::fprintf(stderr, "fuzz_frame: %s\n", what.c_str());
  std::abort();
}

struct Frame {
  std::vector<uint8_t> data;
  nic::FrameExt ext;
};

// Makes the IPv4 header checksum (and with `l4` the UDP/TCP checksum) of an
// untagged IPv4 frame right, as a sending host would; anything else is left.
void fix_checksums(std::vector<uint8_t>& d, bool ip, bool l4) {
  if (d.size() < 34 || d[12] != 0x08 || d[13] != 0x00 || (d[14] >> 4) != 4) return;
  const size_t ihl = (d[14] & 15) * 4u;
  if (ihl < 20 || 14 + ihl > d.size()) return;
  if (ip) {
    d[24] = d[25] = 0;
    const uint16_t c = static_cast<uint16_t>(~eth::csum_fold(eth::csum_add(0, &d[14], ihl)));
    d[24] = static_cast<uint8_t>(c >> 8), d[25] = static_cast<uint8_t>(c);
  }
  const size_t tot = size_t(d[16]) << 8 | d[17];
  const uint8_t proto = d[23];
  const bool fragment = ((d[20] & 0x1f) | d[21]) != 0 || (d[20] & 0x20);
  if (!l4 || fragment || tot < ihl || 14 + tot > d.size() || (proto != 17 && proto != 6)) return;
  const size_t off = 14 + ihl, len = tot - ihl, at = proto == 17 ? 6 : 16;
  if (len < at + 2) return;
  d[off + at] = d[off + at + 1] = 0;
  uint8_t pseudo[12] = {0};
  std::copy(&d[26], &d[34], pseudo);  // saddr, daddr
  pseudo[9] = proto;
  pseudo[10] = static_cast<uint8_t>(len >> 8), pseudo[11] = static_cast<uint8_t>(len);
  uint16_t c = static_cast<uint16_t>(~eth::csum_fold(eth::csum_add(eth::csum_add(0, pseudo, 12), &d[off], len)));
  if (proto == 17 && c == 0) c = 0xffff;  // RFC 768: a computed 0 is sent as all ones
  d[off + at] = static_cast<uint8_t>(c >> 8), d[off + at + 1] = static_cast<uint8_t>(c);
}

std::vector<Frame> parse_input(const uint8_t* p, size_t n) {
  std::vector<Frame> out;
  size_t i = 0;
  while (out.size() < kMaxFrames && i + 3 <= n) {
    const uint8_t flags = p[i];
    size_t len = (p[i + 1] | size_t(p[i + 2]) << 8) % (kMaxLen + 1);
    i += 3;
    int error_at = -1;
    if (flags & 0x04) {
      if (i + 2 > n) break;
      error_at = p[i] | p[i + 1] << 8;
      i += 2;
    }
    len = std::min(len, n - i);
    Frame f;
    f.data.assign(p + i, p + i + len);
    i += len;
    if (f.data.size() < 14) continue;  // both models take frames from the Ethernet header on
    if (flags & 0x20) std::copy(kHostMac.begin(), kHostMac.end(), f.data.begin());
    fix_checksums(f.data, flags & 0x40, flags & 0x80);
    if (kRtl) {
      f.ext.bad_fcs = flags & 0x01;
      f.ext.fcs_included = flags & 0x02;
      f.ext.error_at = error_at;
      f.ext.bad_preamble = flags & 0x08;
      f.ext.bad_sfd = flags & 0x10;
    }
    out.push_back(std::move(f));
  }
  return out;
}

struct Rig : sc_core::sc_module {
  SC_HAS_PROCESS(Rig);

  static stack::KernelConfig kernel_config() {
    stack::KernelConfig c;
    c.cpu.num_cpus = 2;
    return c;
  }
  static host::IgbConfig igb_config() {
    host::IgbConfig c;
    c.rx_itr_setting = 0;  // no interrupt throttling: the host answers at once (a shorter quiet window)
    c.rss_queues = 1;      // the Verilated NIC is built with one queue
    return c;
  }

  explicit Rig(sc_core::sc_module_name nm)
      : sc_module(nm), kernel("host", kernel_config()), plat(kernel, sc_time(kLinkNs, SC_NS)), wire("wire") {
#ifdef RXPATH_FUZZ_RTL
    auto rtl = std::make_unique<bridge::NicSc>("nic", sc_time(kLinkNs, SC_NS));
    rtl->idle_skip(true);  // as rxpath runs it (run.idle_skip); the quiet windows cost next to nothing
    nic = std::move(rtl);
#else
    nic = std::make_unique<nic::NicDouble>("nic", nic::NicDoubleConfig{});
#endif
    nic->dma_socket().bind(plat.link().dma);
    plat.link().mmio.bind(nic->mmio_socket());
    nic->msix_socket().bind(plat.link().msix);
    wire.bind(nic->wire_socket());
    igb = std::make_unique<host::IgbAdapter>(plat, igb_config());
    for (int i = 0; i < 6; ++i) igb->netdev().dev_addr[i] = kHostMac[i];
    igb->netdev().ipv4_addr = kHostIp;
    counters = std::make_unique<tb::IgbCounters>(*igb, kernel);
    stack::UserProcessConfig uc;
    uc.cpu = 1;
    for (uint16_t port = 9000; port < 9004; ++port) uc.fds.push_back(kernel.udp_socket(kHostIp, port));
    uc.fds.push_back(kernel.tcp_established(kHostIp, 5001, 0x0a000005, 40000, 1000000, 0));
    reader = std::make_unique<stack::UserProcess>(kernel, uc);
    ethtool = &kernel.cpus().create_task("ethtool", 0, [this](stack::Task& t) {
      for (;;) {
        t.set_state(stack::TaskState::interruptible);
        t.schedule();
        igb->igb_update_stats();
        stats_done = true;
      }
    });
    igb->igb_probe();
    SC_THREAD(control);
  }

  // Frames onto the wire and the statistics read, asked from outside by `go`.
  void control() {
    for (;;) {
      sc_core::wait(go);
      if (want_stats) {
        want_stats = false;
        stack::wake_up_process(ethtool);
        continue;
      }
      // Back to back, the first a link latency ahead (frames must reach the
      // NIC a quantum before their wire time).
      uint64_t t_ps = static_cast<uint64_t>(kLinkNs * 1000) * 2;
      for (Frame& f : pending) {
        auto* ext = new nic::FrameExt(f.ext);
        ext->id = ++offered;
        tlm::tlm_generic_payload p;
        p.set_command(tlm::TLM_WRITE_COMMAND);
        p.set_data_ptr(f.data.data());
        p.set_data_length(static_cast<unsigned>(f.data.size()));
        p.set_streaming_width(static_cast<unsigned>(f.data.size()));
        p.set_extension(ext);
        sc_time d(static_cast<double>(t_ps), SC_PS);
        wire->b_transport(p, d);
        if (p.get_response_status() != tlm::TLM_OK_RESPONSE) finding("the NIC refused a frame");
        t_ps += (f.data.size() + 4 + 8 + 12 + 4) * 800;  // preamble, FCS, gap, and a word of slack
      }
      pending.clear();
    }
  }

  uint64_t handed_up() const { return counters->queue(0).rx_packets; }

  // Runs until nothing has moved for a quiet window (every frame through or dropped).
  void run_until_quiet() {
    const sc_time step(5, SC_US), quiet(30, SC_US);
    stack::FrameAccount last{};
    uint64_t last_up = UINT64_MAX;
    sc_time since = sc_core::sc_time_stamp();
    for (int i = 0; i < 4000; ++i) {
      sc_core::sc_start(step);
      const stack::FrameAccount a = kernel.frame_account();
      const uint64_t up = handed_up();
      const bool same = up == last_up && a.offered == last.offered && a.delivered == last.delivered &&
                        a.dropped == last.dropped && a.consumed == last.consumed && plat.link().writes_in_flight() == 0;
      if (!same)
        since = sc_core::sc_time_stamp();
      else if (sc_core::sc_time_stamp() - since >= quiet)
        return;
      last = a, last_up = up;
    }
    finding("the system did not come to rest within 20 ms of simulated time");
  }

  void read_stats() {
    stats_done = false;
    want_stats = true;
    go.notify(sc_core::SC_ZERO_TIME);
    for (int i = 0; i < 1000 && !stats_done; ++i) sc_core::sc_start(sc_time(1, SC_US));
    if (!stats_done) finding("igb_update_stats did not finish in 1 ms");
  }

  void offer(std::vector<Frame> frames) {
    pending = std::move(frames);
    go.notify(sc_core::SC_ZERO_TIME);
    run_until_quiet();
    read_stats();
    check();
  }

  void check() {
    tb::TrafficFigures t;
    t.offered_frames = offered;
    tb::Report r;
    tb::fill_report(r, *counters, t);
    const tb::NicCounters hw = counters->nic();
    const stack::FrameAccount st = kernel.frame_account();
    std::string why;
    if (hw.tpr != offered) why = "the NIC counted " + std::to_string(hw.tpr) + " frames (TPR)";
    if (r.acct.in_flight_nic != 0) why = std::to_string(r.acct.in_flight_nic) + " frames left in the NIC";
    if (!r.acct.balanced()) why = "the accounting does not balance";
    if (!st.balanced()) why = "the stack's accounting does not balance";
    if (st.offered != handed_up()) why = "the driver handed up other frames than the stack took";
    if (why.empty()) return;
    std::string s = why + " after " + std::to_string(offered) + " frames offered:\n  delivered " +
                    std::to_string(r.acct.delivered) + ", consumed " + std::to_string(r.acct.consumed) +
                    ", in flight " + std::to_string(r.acct.in_flight) + " (NIC " +
                    std::to_string(r.acct.in_flight_nic) + "), TPR " + std::to_string(hw.tpr) + ", handed up " +
                    std::to_string(handed_up()) + "\n";
    for (const auto& [name, n] : r.acct.drops)
      if (n) s += "  " + name + " " + std::to_string(n) + "\n";
    finding(s + kernel.frame_account_report());
  }

  stack::Kernel kernel;
  host::HostPlatform plat;
  std::unique_ptr<nic::NicModel> nic;
  std::unique_ptr<host::IgbAdapter> igb;
  std::unique_ptr<tb::IgbCounters> counters;
  std::unique_ptr<stack::UserProcess> reader;
  tlm_utils::simple_initiator_socket<Rig> wire;
  stack::Task* ethtool = nullptr;
  sc_core::sc_event go;
  std::vector<Frame> pending;
  bool want_stats = false, stats_done = false;
  uint64_t offered = 0;
};

Rig* rig = nullptr;

// Where the frames of the whole run went, printed when libFuzzer exits (a
// run that delivers nothing would check nothing).
void summary() {
  if (!rig || rig->offered == 0) return;
  tb::TrafficFigures t;
  t.offered_frames = rig->offered;
  tb::Report r;
  tb::fill_report(r, *rig->counters, t);
  std::string s = "fuzz_frame: " + std::to_string(rig->offered) + " frames offered: delivered " +
                  std::to_string(r.acct.delivered) + ", consumed " + std::to_string(r.acct.consumed) + ", held " +
                  std::to_string(r.acct.in_flight);
  for (const auto& [name, n] : r.acct.drops)
    if (n) s += ", " + name + " " + std::to_string(n);
  std::fprintf(stderr, "%s\n", s.c_str());
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  // A warning or an error between the NIC and the host is a finding.
  sc_core::sc_report_handler::set_actions(sc_core::SC_WARNING, sc_core::SC_DISPLAY | sc_core::SC_ABORT);
  sc_core::sc_report_handler::set_actions(sc_core::SC_ERROR, sc_core::SC_DISPLAY | sc_core::SC_ABORT);
  sc_core::sc_report_handler::set_actions(sc_core::SC_FATAL, sc_core::SC_DISPLAY | sc_core::SC_ABORT);
  rig = new Rig("fuzz");
  std::atexit(summary);
  sc_core::sc_start(sc_time(30, SC_US));  // the driver brings the NIC up
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::vector<Frame> frames = parse_input(data, size);
  if (frames.empty()) return 0;
  rig->offer(std::move(frames));
  return 0;
}
