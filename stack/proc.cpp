// SPDX-License-Identifier: Apache-2.0
// stack/proc.cpp: counters in the formats of /proc/net/softnet_stat,
// /proc/net/snmp, /proc/net/netstat and /proc/net/dev.
#include <cstdio>
#include <sstream>

#include "stack/internal.hpp"

namespace rxpath::stack {

namespace {
template <class Row>
void mib_block(std::ostringstream& os, const char* name, const Row& rows) {
  os << name << ':';
  for (const auto& r : rows) os << ' ' << r.first;
  os << '\n' << name << ':';
  for (const auto& r : rows) os << ' ' << r.second;
  os << '\n';
}
using Rows = std::vector<std::pair<const char*, long long>>;
}  // namespace

// softnet_seq_show (net/core/net-procfs.c), v6.8: 15 hex columns:
// processed, dropped, time_squeeze, 0 x 6, received_rps, flow_limit_count,
// softnet_backlog_len (input_pkt_queue + process_queue), the CPU, then
// input_qlen and process_qlen.
std::string Kernel::proc_net_softnet_stat() const {
  std::ostringstream os;
  char b[256];
  for (size_t cpu = 0; cpu < softnet_.size(); ++cpu) {
    const softnet_data& sd = softnet_[cpu];
    std::snprintf(b, sizeof b, "%08x %08x %08x %08x %08x %08x %08x %08x %08x %08x %08x %08x %08x %08x %08x\n",
                  static_cast<unsigned>(sd.processed), static_cast<unsigned>(sd.dropped),
                  static_cast<unsigned>(sd.time_squeeze), 0u, 0u, 0u, 0u, 0u, 0u,
                  static_cast<unsigned>(sd.received_rps), static_cast<unsigned>(sd.flow_limit_count),
                  sd.input_pkt_queue.qlen + sd.process_queue.qlen, static_cast<unsigned>(cpu), sd.input_pkt_queue.qlen,
                  sd.process_queue.qlen);
    os << b;
  }
  return os.str();
}

// snmp_seq_show (net/ipv4/proc.c)
std::string Kernel::proc_net_snmp() const {
  std::ostringstream os;
  mib_block(os, "Ip",
            Rows{{"Forwarding", 2},
                 {"DefaultTTL", 64},
                 {"InReceives", (long long)ip.InReceives},
                 {"InHdrErrors", (long long)ip.InHdrErrors},
                 {"InAddrErrors", (long long)ip.InAddrErrors},
                 {"ForwDatagrams", (long long)ip.ForwDatagrams},
                 {"InUnknownProtos", (long long)ip.InUnknownProtos},
                 {"InDiscards", (long long)ip.InDiscards},
                 {"InDelivers", (long long)ip.InDelivers},
                 {"OutRequests", (long long)ip.OutRequests},
                 {"OutDiscards", 0},
                 {"OutNoRoutes", 0},
                 {"ReasmTimeout", (long long)ip.ReasmTimeout},
                 {"ReasmReqds", (long long)ip.ReasmReqds},
                 {"ReasmOKs", (long long)ip.ReasmOKs},
                 {"ReasmFails", (long long)ip.ReasmFails},
                 {"FragOKs", 0},
                 {"FragFails", 0},
                 {"FragCreates", 0},
                 {"OutTransmits", (long long)ip.OutRequests}});
  mib_block(os, "Tcp",
            Rows{{"RtoAlgorithm", 1},
                 {"RtoMin", 200},
                 {"RtoMax", 120000},
                 {"MaxConn", -1},
                 {"ActiveOpens", 0},
                 {"PassiveOpens", 0},
                 {"AttemptFails", 0},
                 {"EstabResets", 0},
                 {"CurrEstab", (long long)tcp.CurrEstab},
                 {"InSegs", (long long)tcp.InSegs},
                 {"OutSegs", (long long)tcp.OutSegs},
                 {"RetransSegs", 0},
                 {"InErrs", (long long)tcp.InErrs},
                 {"OutRsts", (long long)tcp.OutRsts},
                 {"InCsumErrors", (long long)tcp.InCsumErrors}});
  mib_block(os, "Udp",
            Rows{{"InDatagrams", (long long)udp.InDatagrams},
                 {"NoPorts", (long long)udp.NoPorts},
                 {"InErrors", (long long)udp.InErrors},
                 {"OutDatagrams", (long long)udp.OutDatagrams},
                 {"RcvbufErrors", (long long)udp.RcvbufErrors},
                 {"SndbufErrors", 0},
                 {"InCsumErrors", (long long)udp.InCsumErrors},
                 {"IgnoredMulti", (long long)udp.IgnoredMulti},
                 {"MemErrors", 0}});
  return os.str();
}

// netstat_seq_show (net/ipv4/proc.c): the TcpExt / IpExt fields modelled.
std::string Kernel::proc_net_netstat() const {
  std::ostringstream os;
  mib_block(os, "TcpExt",
            Rows{{"PruneCalled", (long long)tcpext.PruneCalled},
                 {"RcvPruned", (long long)tcpext.RcvPruned},
                 {"DelayedACKLost", (long long)tcpext.DelayedACKLost},
                 {"ListenOverflows", (long long)tcpext.ListenOverflows},
                 {"ListenDrops", (long long)tcpext.ListenDrops},
                 {"TCPHPHits", (long long)tcpext.TCPHPHits},
                 {"TCPBacklogDrop", (long long)tcpext.TCPBacklogDrop},
                 {"TCPOFOQueue", (long long)tcpext.TCPOFOQueue},
                 {"TCPOFODrop", (long long)tcpext.TCPOFODrop},
                 {"TCPRcvCoalesce", (long long)tcpext.TCPRcvCoalesce},
                 {"TCPZeroWindowDrop", (long long)tcpext.TCPZeroWindowDrop},
                 {"TCPRcvQDrop", (long long)tcpext.TCPRcvQDrop}});
  mib_block(os, "IpExt",
            Rows{{"InNoRoutes", (long long)ipext.InNoRoutes},
                 {"InTruncatedPkts", (long long)ipext.InTruncatedPkts},
                 {"InOctets", (long long)ipext.InOctets},
                 {"InCsumErrors", (long long)ipext.InCsumErrors},
                 {"InNoECTPkts", (long long)ipext.InNoECTPkts},
                 {"InECT1Pkts", (long long)ipext.InECT1Pkts},
                 {"InECT0Pkts", (long long)ipext.InECT0Pkts},
                 {"InCEPkts", (long long)ipext.InCEPkts}});
  return os.str();
}

// dev_seq_show (net/core/net-procfs.c)
std::string Kernel::proc_net_dev() const {
  std::ostringstream os;
  os << "Inter-|   Receive                                                |  Transmit\n"
     << " face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls "
        "carrier compressed\n";
  char b[512];
  for (const net_device* d : devs_) {
    rtnl_link_stats64 s = d->stats;
    if (d->get_stats64) d->get_stats64(s);
    s.rx_nohandler = d->stats.rx_nohandler;
    std::snprintf(
        b, sizeof b,
        "%6s: %7llu %7llu %4llu %4llu %4llu %5llu %10llu %9llu %8llu %7llu %4llu %4llu %4llu %5llu %7llu %10llu\n",
        d->name.c_str(), (unsigned long long)s.rx_bytes, (unsigned long long)s.rx_packets,
        (unsigned long long)s.rx_errors, (unsigned long long)(s.rx_dropped + s.rx_missed_errors),
        (unsigned long long)s.rx_fifo_errors,
        (unsigned long long)(s.rx_length_errors + s.rx_over_errors + s.rx_crc_errors + s.rx_frame_errors),
        (unsigned long long)s.rx_compressed, (unsigned long long)s.multicast, (unsigned long long)s.tx_bytes,
        (unsigned long long)s.tx_packets, (unsigned long long)s.tx_errors, (unsigned long long)s.tx_dropped, 0ull,
        (unsigned long long)s.collisions, 0ull, (unsigned long long)s.tx_compressed);
    os << b;
  }
  return os.str();
}

}  // namespace rxpath::stack
