// SPDX-License-Identifier: MIT
// One simulated host for the driver tests: Kernel (2 CPUs) + HostPlatform +
// NicDouble + IgbAdapter + a UDP socket read by an epoll process, a traffic
// source, an invariant checker and an "ethtool" task that runs
// igb_update_stats over MMIO on request.
#pragma once

#include <memory>
#include <vector>

#include "host/igb.hpp"
#include "nic/double/nic_double.hpp"
#include "nic/double/udp_frames.hpp"
#include "stack/process.hpp"

namespace rxpath::test {

// Sends `n` UDP frames of `len` bytes at `pps`, posting them to the NIC in
// batches ahead of time (cheap: one wait per batch).
struct Traffic : sc_core::sc_module {
  nic::NicDouble& nic;
  nic::UdpFlow flow;
  uint64_t sent = 0;
  bool busy = false;
  bool bad_udp_csum = false;  // send a wrong UDP checksum instead of none
  Traffic(sc_core::sc_module_name n, nic::NicDouble& nic_) : sc_module(n), nic(nic_) {
    SC_HAS_PROCESS(Traffic);
    SC_THREAD(run);
  }
  void start(uint64_t n, double pps, std::size_t len) {
    n_ = n;
    gap_ = sc_core::sc_time(1e9 / pps, sc_core::SC_NS);
    frame_ = nic::udp_frame(flow, len, 0);
    busy = true;
    go_.notify(sc_core::SC_ZERO_TIME);
  }

 private:
  void run() {
    for (;;) {
      while (!busy) wait(go_);
      sc_core::sc_time t = sc_core::sc_time_stamp() + gap_;
      for (uint64_t i = 0; i < n_;) {
        const uint64_t batch = std::min<uint64_t>(32, n_ - i);
        for (uint64_t j = 0; j < batch; ++j, ++i) {
          const uint32_t seq = uint32_t(sent);
          for (int b = 0; b < 4; ++b) frame_[42 + b] = uint8_t(seq >> (24 - 8 * b));
          // keep the UDP checksum valid: the NIC double checks it
          frame_[40] = 0;                        // no UDP checksum (allowed for IPv4) ...
          frame_[41] = bad_udp_csum ? 0x5A : 0;  // ... or a wrong one
          nic.receive_frame(frame_.data(), frame_.size(), t);
          ++sent;
          t += gap_;
        }
        wait(t - gap_ - sc_core::sc_time_stamp());
      }
      busy = false;
    }
  }
  uint64_t n_ = 0;
  sc_core::sc_time gap_;
  std::vector<uint8_t> frame_;
  sc_core::sc_event go_;
};

struct IgbSystem {
  stack::Kernel kernel;
  host::HostPlatform plat;
  nic::NicDouble nic;
  host::IgbAdapter igb;
  Traffic traffic;
  int fd = -1;
  std::unique_ptr<stack::UserProcess> reader;
  stack::Task* ethtool = nullptr;
  bool stats_request = false, stats_done = false;

  static stack::KernelConfig kcfg() {
    stack::KernelConfig c;
    c.cpu.num_cpus = 2;
    return c;
  }
  IgbSystem(const host::IgbConfig& icfg = {}, const nic::NicDoubleConfig& ncfg = {}, int64_t rcvbuf = -1,
            uint32_t mtu = 1500)
      : kernel("kernel", kcfg()), plat(kernel), nic("nic", ncfg), igb(plat, icfg), traffic("traffic", nic) {
    nic.dma.bind(plat.link().dma);
    plat.link().mmio.bind(nic.mmio);
    nic.msix.bind(plat.link().msix);
    igb.netdev().ipv4_addr = 0x0A000001;
    igb.netdev().mtu = mtu;
    igb.igb_probe();
    fd = kernel.udp_socket(0x0A000001, 9000, rcvbuf);
    stack::UserProcessConfig pc;
    pc.cpu = 1;
    pc.fds = {fd};
    reader = std::make_unique<stack::UserProcess>(kernel, pc);
    ethtool = &kernel.cpus().create_task("ethtool", 1, [this](stack::Task& t) {
      for (;;) {  // polls for requests (woken by its own timer, every 100 us)
        t.set_state(stack::TaskState::interruptible);
        t.schedule(100e3);
        if (stats_request) {
          stats_request = false;
          igb.igb_update_stats();
          stats_done = true;
        }
      }
    });
  }
  // igb_update_stats from the ethtool task; returns once done.
  void update_stats() {
    stats_request = true;
    stats_done = false;
    for (int i = 0; i < 1000 && !stats_done; ++i) sc_core::sc_start(sc_core::sc_time(10, sc_core::SC_US));
  }
  void run_until_idle(sc_core::sc_time step = sc_core::sc_time(100, sc_core::SC_US)) {
    while (traffic.busy) sc_core::sc_start(step);
    sc_core::sc_start(sc_core::sc_time(2, sc_core::SC_MS));  // drain
  }
};

}  // namespace rxpath::test
