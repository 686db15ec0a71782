// SPDX-License-Identifier: Apache-2.0
// stack/cost.hpp: CPU cost table of the kernel stack model. Every modelled
// function charges time from a named knob (ns per call, per packet or per
// byte). Scenario files override knobs by name; an unknown name is an error.
#pragma once

#include <string>
#include <vector>

namespace rxpath::stack {

struct CostTable {
  // Hard IRQ / softirq / scheduler (kernel/irq, kernel/softirq.c, kernel/sched)
  double hardirq_entry = 400;    // ns per hard IRQ: entry + irq_enter/irq_exit + EOI
  double softirq_entry = 100;    // ns per __do_softirq round
  double net_rx_action = 150;    // ns per net_rx_action call
  double napi_poll = 80;         // ns per __napi_poll call (excluding driver work)
  double wakeup = 600;           // ns per try_to_wake_up of a sleeping task
  double context_switch = 1500;  // ns per schedule() that switches task
  double syscall = 120;          // ns per syscall entry/exit
  // Core receive (net/core/dev.c, net/core/gro.c, net/core/skbuff.c)
  double skb_alloc = 120;          // ns per build_skb / napi_alloc_skb
  double skb_free = 60;            // ns per kfree_skb / consume_skb
  double gro_receive = 90;         // ns per napi_gro_receive (lookup in bucket)
  double gro_merge = 60;           // ns per segment merged by skb_gro_receive
  double netif_receive_skb = 110;  // ns per skb in __netif_receive_skb_core
  double arp_rcv = 250;            // ns per ARP packet
  // RPS (net/core/dev.c)
  double skb_flow_hash = 70;        // ns per __skb_get_hash (flow dissector + siphash)
  double enqueue_to_backlog = 100;  // ns per skb: get_rps_cpu + rps_lock + queue to another CPU
  double rps_ipi_send = 250;        // ns per IPI sent (smp_call_function_single_async); the target pays hardirq_entry
  // IPv4 (net/ipv4/ip_input.c, ip_fragment.c)
  double ip_rcv = 180;          // ns per skb: ip_rcv_core + route + local deliver
  double ip_defrag = 250;       // ns per fragment queued
  double csum_per_byte = 0.08;  // ns per byte of software checksum
  // UDP / TCP (net/ipv4/udp.c, tcp_ipv4.c, tcp_input.c)
  double udp_rcv = 300;           // ns per datagram: lookup + enqueue
  double tcp_v4_rcv = 450;        // ns per skb: lookup + tcp_rcv_established
  double tcp_ofo = 250;           // ns per segment put into the out-of-order queue
  double tcp_send_ack = 500;      // ns per ACK/RST built and sent (transmit sink)
  double icmp_send = 600;         // ns per ICMP error built and sent
  double sock_def_readable = 80;  // ns per sk_data_ready call
  // Wait queues, select/poll, epoll (fs/select.c, fs/eventpoll.c)
  double waitq_add = 40;         // ns per wait-queue entry added
  double waitq_remove = 30;      // ns per wait-queue entry removed
  double vfs_poll = 35;          // ns per fd polled (tcp_poll / udp_poll)
  double pollwake = 60;          // ns per pollwake callback
  double ep_poll_callback = 90;  // ns per ep_poll_callback
  double epoll_wait = 150;       // ns per epoll_wait call (excluding items)
  double ep_item_poll = 50;      // ns per ready item polled in ep_send_events
  // User-side receive (net/socket.c, udp_recvmsg, tcp_recvmsg)
  double recvmsg = 350;         // ns per recvmsg call
  double copy_per_byte = 0.12;  // ns per byte copied to user (~8 GB/s)
  double user_per_packet = 0;   // ns of application work per message read

  struct Knob {
    const char* name;
    double CostTable::*field;
    const char* unit;
    const char* source;
  };
  // Every knob with its unit and the source of its default.
  static const std::vector<Knob>& knobs();

  // Value of knob `name`; throws std::invalid_argument naming it if unknown.
  double get(const std::string& name) const;
  // Sets knob `name`; throws std::invalid_argument if unknown or value < 0.
  void set(const std::string& name, double value);
};

}  // namespace rxpath::stack
