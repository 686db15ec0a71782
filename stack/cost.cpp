// SPDX-License-Identifier: Apache-2.0
// stack/cost.cpp: the knob registry of the cost table.
#include "stack/cost.hpp"

#include <stdexcept>

namespace rxpath::stack {

namespace {
// Sources: "est." = estimate of this model, order of magnitude from
// published per-packet breakdowns of the Linux RX path on ~3 GHz x86
// (e.g. netdev conference talks on XDP/GRO, Brendan Gregg's softirq flame
// graphs): a full UDP receive costs ~1-3 us per packet in the kernel.
constexpr const char* EST = "estimate (order of magnitude of published per-packet RX breakdowns, ~3 GHz x86)";
}  // namespace

const std::vector<CostTable::Knob>& CostTable::knobs() {
  static const std::vector<Knob> k = {
      {"hardirq_entry", &CostTable::hardirq_entry, "ns/irq", "estimate: irq entry/exit + EOI ~0.3-0.5 us"},
      {"softirq_entry", &CostTable::softirq_entry, "ns/call", EST},
      {"net_rx_action", &CostTable::net_rx_action, "ns/call", EST},
      {"napi_poll", &CostTable::napi_poll, "ns/call", EST},
      {"wakeup", &CostTable::wakeup, "ns/wakeup", "estimate: try_to_wake_up ~0.5 us"},
      {"context_switch", &CostTable::context_switch, "ns/switch", "estimate: lmbench lat_ctx 1-2 us"},
      {"syscall", &CostTable::syscall, "ns/call", "estimate: syscall entry/exit with mitigations ~0.1 us"},
      {"skb_alloc", &CostTable::skb_alloc, "ns/skb", EST},
      {"skb_free", &CostTable::skb_free, "ns/skb", EST},
      {"gro_receive", &CostTable::gro_receive, "ns/pkt", EST},
      {"gro_merge", &CostTable::gro_merge, "ns/pkt", EST},
      {"netif_receive_skb", &CostTable::netif_receive_skb, "ns/skb", EST},
      {"arp_rcv", &CostTable::arp_rcv, "ns/pkt", EST},
      {"skb_flow_hash", &CostTable::skb_flow_hash, "ns/skb",
       "estimate: flow dissector over IPv4+L4 headers ~40 ns + SipHash-2-4 of 16 bytes ~25 ns (~3 GHz x86)"},
      {"enqueue_to_backlog", &CostTable::enqueue_to_backlog, "ns/skb",
       "estimate: get_rps_cpu + rps_lock (spinlock) + queueing an skb whose cache lines move to another CPU"},
      {"rps_ipi_send", &CostTable::rps_ipi_send, "ns/ipi",
       "estimate: smp_call_function_single_async = csd llist add + x2APIC ICR write (WRMSR) ~0.1-0.3 us on "
       "bare-metal x86; the target CPU then pays hardirq_entry for the IPI (CALL_FUNCTION_SINGLE_VECTOR)"},
      {"ip_rcv", &CostTable::ip_rcv, "ns/skb", EST},
      {"ip_defrag", &CostTable::ip_defrag, "ns/frag", EST},
      {"csum_per_byte", &CostTable::csum_per_byte, "ns/byte", "estimate: csum_partial ~12 GB/s"},
      {"udp_rcv", &CostTable::udp_rcv, "ns/pkt", EST},
      {"tcp_v4_rcv", &CostTable::tcp_v4_rcv, "ns/skb", EST},
      {"tcp_ofo", &CostTable::tcp_ofo, "ns/seg", EST},
      {"tcp_send_ack", &CostTable::tcp_send_ack, "ns/pkt", EST},
      {"icmp_send", &CostTable::icmp_send, "ns/pkt", EST},
      {"sock_def_readable", &CostTable::sock_def_readable, "ns/call", EST},
      {"waitq_add", &CostTable::waitq_add, "ns/entry", EST},
      {"waitq_remove", &CostTable::waitq_remove, "ns/entry", EST},
      {"vfs_poll", &CostTable::vfs_poll, "ns/fd", "estimate: select/poll scan ~30-50 ns per fd"},
      {"pollwake", &CostTable::pollwake, "ns/call", EST},
      {"ep_poll_callback", &CostTable::ep_poll_callback, "ns/call", EST},
      {"epoll_wait", &CostTable::epoll_wait, "ns/call", EST},
      {"ep_item_poll", &CostTable::ep_item_poll, "ns/item", EST},
      {"recvmsg", &CostTable::recvmsg, "ns/call", EST},
      {"copy_per_byte", &CostTable::copy_per_byte, "ns/byte", "estimate: copy_to_user ~8 GB/s"},
      {"user_per_packet", &CostTable::user_per_packet, "ns/msg", "application work, 0 by default"},
  };
  return k;
}

double CostTable::get(const std::string& name) const {
  for (const auto& k : knobs())
    if (name == k.name) return this->*k.field;
  throw std::invalid_argument("cost table: unknown knob '" + name + "'");
}

void CostTable::set(const std::string& name, double value) {
  for (const auto& k : knobs()) {
    if (name == k.name) {
      if (!(value >= 0)) throw std::invalid_argument("cost table: knob '" + name + "' must be >= 0");
      this->*k.field = value;
      return;
    }
  }
  throw std::invalid_argument("cost table: unknown knob '" + name + "'");
}

}  // namespace rxpath::stack
