// SPDX-License-Identifier: MIT
#include "testbench/igb_counters.hpp"

namespace rxpath::tb {

unsigned IgbCounters::num_cpus() const { return static_cast<unsigned>(kernel_.cpus().num_cpus()); }

QueueCounters IgbCounters::queue(unsigned q) const {
  QueueCounters c;
  c.rx_packets = adapter_.rx_ring(q).rx_stats.packets;
  c.rqdpc = adapter_.rqdpc(q);
  return c;
}

VectorCounters IgbCounters::vector(unsigned v) const {
  const host::igb_q_vector& qv = adapter_.q_vector(v);
  VectorCounters c;
  c.name = qv.name;
  c.cpu = qv.cpu;
  c.irqs = qv.irqs;
  c.polls = qv.polls;
  c.polls_full = qv.polls_full;
  return c;
}

CpuCounters IgbCounters::cpu(unsigned cpu) const {
  const int i = static_cast<int>(cpu);
  const stack::softnet_data& sd = kernel_.softnet(i);
  CpuCounters c;
  c.net_rx_action = sd.net_rx_action_calls;
  c.budget_exhausted = sd.budget_exhausted;
  c.time_squeeze = sd.time_squeeze;
  c.processed = sd.processed;
  c.dropped = sd.dropped;
  c.received_rps = sd.received_rps;
  c.ipis_sent = sd.ipis_sent;
  for (int x = 0; x < static_cast<int>(stack::Ctx::count); ++x) {
    const auto ctx = static_cast<stack::Ctx>(x);
    c.ns_by_context.emplace_back(stack::ctx_name(ctx), kernel_.cpu(i).time_in(ctx).to_seconds() * 1e9);
  }
  return c;
}

NicCounters IgbCounters::nic() const {
  const host::e1000_hw_stats& hw = adapter_.hw_stats();
  NicCounters c;
  c.crcerrs = hw.crcerrs;
  c.rxerrc = hw.rxerrc;
  c.ruc = hw.ruc;
  c.rfc = hw.rfc;
  c.roc = hw.roc;
  c.rjc = hw.rjc;
  c.mpc = hw.mpc;
  c.rnbc = hw.rnbc;
  c.tpr = hw.tpr;
  c.gprc = hw.gprc;
  c.afdc = hw.afdc;
  c.rxdis = hw.rxdis;
  return c;
}

StackCounters IgbCounters::stack() const {
  stack::Kernel& k = kernel_;
  StackCounters c;
  const stack::FrameAccount fa = k.frame_account();
  c.delivered = fa.delivered;
  c.consumed = fa.consumed;
  c.in_flight = fa.in_flight;
  c.in_reassembly = fa.in_reassembly;
  for (int d = 0; d < static_cast<int>(stack::Drop::count); ++d) {
    const uint64_t n = k.drop_count(static_cast<stack::Drop>(d));
    // Every reason, 0 or not: the report's drop keys are the same in every run.
    c.drops.emplace_back(stack::drop_name(static_cast<stack::Drop>(d)), n);
  }
  c.mib = {{"Ip.InReceives", k.ip.InReceives},
           {"Ip.InHdrErrors", k.ip.InHdrErrors},
           {"Ip.ReasmReqds", k.ip.ReasmReqds},
           {"Ip.ReasmOKs", k.ip.ReasmOKs},
           {"Ip.ReasmFails", k.ip.ReasmFails},
           {"Ip.ReasmTimeout", k.ip.ReasmTimeout},
           {"Ip.InDelivers", k.ip.InDelivers},
           {"Ip.InUnknownProtos", k.ip.InUnknownProtos},
           {"IpExt.InCsumErrors", k.ipext.InCsumErrors},
           {"IpExt.InNoECTPkts", k.ipext.InNoECTPkts},
           {"Udp.InDatagrams", k.udp.InDatagrams},
           {"Udp.NoPorts", k.udp.NoPorts},
           {"Udp.InErrors", k.udp.InErrors},
           {"Udp.RcvbufErrors", k.udp.RcvbufErrors},
           {"Tcp.InSegs", k.tcp.InSegs},
           {"Tcp.OutRsts", k.tcp.OutRsts},
           {"Tcp.InErrs", k.tcp.InErrs},
           {"TcpExt.TCPRcvQDrop", k.tcpext.TCPRcvQDrop},
           {"TcpExt.TCPHPHits", k.tcpext.TCPHPHits},
           {"tx.ICMP_PORT_UNREACH", k.tx_count(stack::TxKind::ICMP_PORT_UNREACH)},
           {"tx.ICMP_ECHO_REPLY", k.tx_count(stack::TxKind::ICMP_ECHO_REPLY)},
           {"Icmp.InMsgs", k.icmp.InMsgs},
           {"Icmp.InErrors", k.icmp.InErrors},
           {"Icmp.InCsumErrors", k.icmp.InCsumErrors},
           {"Icmp.OutMsgs", k.icmp.OutMsgs},
           {"tx.TCP_RST", k.tx_count(stack::TxKind::TCP_RST)},
           {"tx.TCP_ACK", k.tx_count(stack::TxKind::TCP_ACK)}};
  c.wait = k.wait_counters();
  c.softirq = k.softirq_counters();
  c.linux_files = {{"/proc/net/softnet_stat", k.proc_net_softnet_stat()},
                   {"/proc/net/snmp", k.proc_net_snmp()},
                   {"/proc/net/netstat", k.proc_net_netstat()},
                   {"/proc/net/dev", k.proc_net_dev()},
                   {"/proc/interrupts", k.proc_interrupts()},
                   {"/proc/softirqs", k.proc_softirqs()},
                   {"ethtool -S eth0", adapter_.ethtool_S()},
                   {"ethtool -x eth0", adapter_.ethtool_x()},
                   {"ethtool -n eth0 rx-flow-hash udp4", adapter_.ethtool_n_udp4()}};
  return c;
}

}  // namespace rxpath::tb
