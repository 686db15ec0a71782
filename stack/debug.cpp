// SPDX-License-Identifier: Apache-2.0
// stack/debug.cpp: the stack's debug categories (see debug.hpp).
#include "stack/debug.hpp"

#include <systemc>

namespace rxpath::stack {

namespace dbg {
namespace {
constexpr const char* kLayer = "stack";
}  // namespace
common::debug::Flag irq("irq", kLayer, "hard interrupts: a CPU enters hardirq, the driver's ISR runs (igb_msix_ring)");
common::debug::Flag softirq("softirq", kLayer, "softirqs: each one a CPU runs and where, ksoftirqd wake-ups");
common::debug::Flag sched("sched", kLayer, "the scheduler: task wake-ups and switches");
common::debug::Flag napi(
    "napi", kLayer,
    "NAPI: napi_schedule, each poll and the driver's igb_clean_rx_irq, napi_complete_done, time_squeeze");
common::debug::Flag gro("gro", kLayer, "GRO: segments held, merged and completed");
common::debug::Flag dev("dev", kLayer,
                        "__netif_receive_skb: unknown protocols; every kfree_skb_reason drop with its reason");
common::debug::Flag arp("arp", kLayer, "ARP replies");
common::debug::Flag ip("ip", kLayer, "IPv4 input: header errors and reassembly");
common::debug::Flag udp("udp", kLayer, "UDP input: checksum errors, NoPorts, RcvbufErrors, each enqueue");
common::debug::Flag tcp("tcp", kLayer, "TCP input: checksum errors, RSTs sent, backlog");
common::debug::Flag sock("sock", kLayer, "sockets: readable wake-ups and each recvmsg");
common::debug::Flag poll("poll", kLayer,
                         "select() and poll() (do_select, do_sys_poll): each pass over the fds and what was ready, "
                         "each sleep, each pollwake and the task it wakes");
common::debug::Flag epoll("epoll", kLayer,
                          "epoll: epoll_ctl ADD/MOD/DEL (ep_insert: the set-up), each ep_poll_callback, each "
                          "epoll_wait's events returned and each sleep");
}  // namespace dbg

}  // namespace rxpath::stack
