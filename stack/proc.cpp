// SPDX-License-Identifier: Apache-2.0
// stack/proc.cpp: counters in the formats of /proc/net/softnet_stat,
// /proc/net/snmp, /proc/net/netstat and /proc/net/dev.
#include <cstdio>
#include <cstring>
#include <initializer_list>
#include <sstream>
#include <stdexcept>
#include <string>

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

namespace {
// Counters by name, in the order of a kernel list; the ones the model does
// not keep are 0. Every modelled counter must name an entry of the list.
Rows in_kernel_order(const char* group, std::initializer_list<const char*> kernel_list, const Rows& modelled) {
  Rows rows;
  size_t found = 0;
  for (const char* name : kernel_list) {
    long long v = 0;
    for (const auto& m : modelled)
      if (std::strcmp(m.first, name) == 0) v = m.second, ++found;
    rows.emplace_back(name, v);
  }
  if (found != modelled.size()) throw std::logic_error(std::string(group) + ": a modelled counter is not in the list");
  return rows;
}

// icmpmibmap (net/ipv4/proc.c): the types icmp_put shows, in its order.
constexpr struct {
  const char* name;
  uint8_t type;
} kIcmpMibMap[] = {{"DestUnreachs", 3},   {"TimeExcds", 11}, {"ParmProbs", 12},   {"SrcQuenchs", 4},
                   {"Redirects", 5},      {"Echos", 8},      {"EchoReps", 0},     {"Timestamps", 13},
                   {"TimestampReps", 14}, {"AddrMasks", 17}, {"AddrMaskReps", 18}};
}  // namespace

// snmp_seq_show (net/ipv4/proc.c, v6.8): Ip, Icmp, IcmpMsg, Tcp, Udp, UdpLite.
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
  // icmp_put: InMsgs InErrors InCsumErrors, In<type> for each icmpmibmap
  // entry, OutMsgs OutErrors OutRateLimitGlobal OutRateLimitHost, Out<type>.
  // The per-type columns are the IcmpMsg counters.
  using Named = std::vector<std::pair<std::string, long long>>;
  const uint64_t* msg = icmpmsg.v;  // [type] in, [256 + type] out
  Named icmp_rows{{"InMsgs", (long long)icmp.InMsgs},
                  {"InErrors", (long long)icmp.InErrors},
                  {"InCsumErrors", (long long)icmp.InCsumErrors}};
  for (const auto& m : kIcmpMibMap) icmp_rows.emplace_back(std::string("In") + m.name, (long long)msg[m.type]);
  icmp_rows.emplace_back("OutMsgs", (long long)icmp.OutMsgs);
  icmp_rows.emplace_back("OutErrors", (long long)icmp.OutErrors);
  icmp_rows.emplace_back("OutRateLimitGlobal", (long long)icmp.OutRateLimitGlobal);
  icmp_rows.emplace_back("OutRateLimitHost", (long long)icmp.OutRateLimitHost);
  for (const auto& m : kIcmpMibMap) icmp_rows.emplace_back(std::string("Out") + m.name, (long long)msg[256 + m.type]);
  mib_block(os, "Icmp", icmp_rows);
  // icmpmsg_put: the nonzero ones of the 512 counters (In types 0-255, then
  // Out), named InType<n> / OutType<n>, at most 16 (PERLINE) to a pair of
  // lines; none at all gives no IcmpMsg lines.
  Named line;
  for (int i = 0; i < 512; ++i) {
    if (msg[i]) line.emplace_back((i & 0x100 ? "OutType" : "InType") + std::to_string(i & 0xff), (long long)msg[i]);
    if (line.size() == 16) {
      mib_block(os, "IcmpMsg", line);
      line.clear();
    }
  }
  if (!line.empty()) mib_block(os, "IcmpMsg", line);
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
  Rows udp_rows{{"InDatagrams", (long long)udp.InDatagrams},
                {"NoPorts", (long long)udp.NoPorts},
                {"InErrors", (long long)udp.InErrors},
                {"OutDatagrams", (long long)udp.OutDatagrams},
                {"RcvbufErrors", (long long)udp.RcvbufErrors},
                {"SndbufErrors", 0},
                {"InCsumErrors", (long long)udp.InCsumErrors},
                {"IgnoredMulti", (long long)udp.IgnoredMulti},
                {"MemErrors", 0}};
  mib_block(os, "Udp", udp_rows);
  for (auto& r : udp_rows) r.second = 0;  // the UDP-Lite MIB: same fields, no UDP-Lite modelled
  mib_block(os, "UdpLite", udp_rows);
  return os.str();
}

// netstat_seq_show (net/ipv4/proc.c, v6.8): TcpExt is snmp4_net_list and
// IpExt snmp4_ipextstats_list, every field in the kernel's order; the model
// keeps some of them, the rest read 0.
std::string Kernel::proc_net_netstat() const {
  std::ostringstream os;
  mib_block(os, "TcpExt",
            in_kernel_order("TcpExt",
                            {
                                "SyncookiesSent",
                                "SyncookiesRecv",
                                "SyncookiesFailed",
                                "EmbryonicRsts",
                                "PruneCalled",
                                "RcvPruned",
                                "OfoPruned",
                                "OutOfWindowIcmps",
                                "LockDroppedIcmps",
                                "ArpFilter",
                                "TW",
                                "TWRecycled",
                                "TWKilled",
                                "PAWSActive",
                                "PAWSEstab",
                                "DelayedACKs",
                                "DelayedACKLocked",
                                "DelayedACKLost",
                                "ListenOverflows",
                                "ListenDrops",
                                "TCPHPHits",
                                "TCPPureAcks",
                                "TCPHPAcks",
                                "TCPRenoRecovery",
                                "TCPSackRecovery",
                                "TCPSACKReneging",
                                "TCPSACKReorder",
                                "TCPRenoReorder",
                                "TCPTSReorder",
                                "TCPFullUndo",
                                "TCPPartialUndo",
                                "TCPDSACKUndo",
                                "TCPLossUndo",
                                "TCPLostRetransmit",
                                "TCPRenoFailures",
                                "TCPSackFailures",
                                "TCPLossFailures",
                                "TCPFastRetrans",
                                "TCPSlowStartRetrans",
                                "TCPTimeouts",
                                "TCPLossProbes",
                                "TCPLossProbeRecovery",
                                "TCPRenoRecoveryFail",
                                "TCPSackRecoveryFail",
                                "TCPRcvCollapsed",
                                "TCPBacklogCoalesce",
                                "TCPDSACKOldSent",
                                "TCPDSACKOfoSent",
                                "TCPDSACKRecv",
                                "TCPDSACKOfoRecv",
                                "TCPAbortOnData",
                                "TCPAbortOnClose",
                                "TCPAbortOnMemory",
                                "TCPAbortOnTimeout",
                                "TCPAbortOnLinger",
                                "TCPAbortFailed",
                                "TCPMemoryPressures",
                                "TCPMemoryPressuresChrono",
                                "TCPSACKDiscard",
                                "TCPDSACKIgnoredOld",
                                "TCPDSACKIgnoredNoUndo",
                                "TCPSpuriousRTOs",
                                "TCPMD5NotFound",
                                "TCPMD5Unexpected",
                                "TCPMD5Failure",
                                "TCPSackShifted",
                                "TCPSackMerged",
                                "TCPSackShiftFallback",
                                "TCPBacklogDrop",
                                "PFMemallocDrop",
                                "TCPMinTTLDrop",
                                "TCPDeferAcceptDrop",
                                "IPReversePathFilter",
                                "TCPTimeWaitOverflow",
                                "TCPReqQFullDoCookies",
                                "TCPReqQFullDrop",
                                "TCPRetransFail",
                                "TCPRcvCoalesce",
                                "TCPOFOQueue",
                                "TCPOFODrop",
                                "TCPOFOMerge",
                                "TCPChallengeACK",
                                "TCPSYNChallenge",
                                "TCPFastOpenActive",
                                "TCPFastOpenActiveFail",
                                "TCPFastOpenPassive",
                                "TCPFastOpenPassiveFail",
                                "TCPFastOpenListenOverflow",
                                "TCPFastOpenCookieReqd",
                                "TCPFastOpenBlackhole",
                                "TCPSpuriousRtxHostQueues",
                                "BusyPollRxPackets",
                                "TCPAutoCorking",
                                "TCPFromZeroWindowAdv",
                                "TCPToZeroWindowAdv",
                                "TCPWantZeroWindowAdv",
                                "TCPSynRetrans",
                                "TCPOrigDataSent",
                                "TCPHystartTrainDetect",
                                "TCPHystartTrainCwnd",
                                "TCPHystartDelayDetect",
                                "TCPHystartDelayCwnd",
                                "TCPACKSkippedSynRecv",
                                "TCPACKSkippedPAWS",
                                "TCPACKSkippedSeq",
                                "TCPACKSkippedFinWait2",
                                "TCPACKSkippedTimeWait",
                                "TCPACKSkippedChallenge",
                                "TCPWinProbe",
                                "TCPKeepAlive",
                                "TCPMTUPFail",
                                "TCPMTUPSuccess",
                                "TCPDelivered",
                                "TCPDeliveredCE",
                                "TCPAckCompressed",
                                "TCPZeroWindowDrop",
                                "TCPRcvQDrop",
                                "TCPWqueueTooBig",
                                "TCPFastOpenPassiveAltKey",
                                "TcpTimeoutRehash",
                                "TcpDuplicateDataRehash",
                                "TCPDSACKRecvSegs",
                                "TCPDSACKIgnoredDubious",
                                "TCPMigrateReqSuccess",
                                "TCPMigrateReqFailure",
                                "TCPPLBRehash",
                                "TCPAORequired",
                                "TCPAOBad",
                                "TCPAOKeyNotFound",
                                "TCPAOGood",
                                "TCPAODroppedIcmps",
                            },
                            Rows{{"PruneCalled", (long long)tcpext.PruneCalled},
                                 {"RcvPruned", (long long)tcpext.RcvPruned},
                                 {"DelayedACKs", (long long)tcpext.DelayedACKs},
                                 {"DelayedACKLocked", (long long)tcpext.DelayedACKLocked},
                                 {"DelayedACKLost", (long long)tcpext.DelayedACKLost},
                                 {"ListenOverflows", (long long)tcpext.ListenOverflows},
                                 {"ListenDrops", (long long)tcpext.ListenDrops},
                                 {"TCPHPHits", (long long)tcpext.TCPHPHits},
                                 {"TCPBacklogDrop", (long long)tcpext.TCPBacklogDrop},
                                 {"TCPOFOQueue", (long long)tcpext.TCPOFOQueue},
                                 {"TCPOFODrop", (long long)tcpext.TCPOFODrop},
                                 {"TCPRcvCoalesce", (long long)tcpext.TCPRcvCoalesce},
                                 {"TCPZeroWindowDrop", (long long)tcpext.TCPZeroWindowDrop},
                                 {"TCPRcvQDrop", (long long)tcpext.TCPRcvQDrop}}));
  mib_block(os, "IpExt",
            in_kernel_order("IpExt",
                            {
                                "InNoRoutes",
                                "InTruncatedPkts",
                                "InMcastPkts",
                                "OutMcastPkts",
                                "InBcastPkts",
                                "OutBcastPkts",
                                "InOctets",
                                "OutOctets",
                                "InMcastOctets",
                                "OutMcastOctets",
                                "InBcastOctets",
                                "OutBcastOctets",
                                "InCsumErrors",
                                "InNoECTPkts",
                                "InECT1Pkts",
                                "InECT0Pkts",
                                "InCEPkts",
                                "ReasmOverlaps",
                            },
                            Rows{{"InNoRoutes", (long long)ipext.InNoRoutes},
                                 {"InTruncatedPkts", (long long)ipext.InTruncatedPkts},
                                 {"InOctets", (long long)ipext.InOctets},
                                 {"InCsumErrors", (long long)ipext.InCsumErrors},
                                 {"InNoECTPkts", (long long)ipext.InNoECTPkts},
                                 {"InECT1Pkts", (long long)ipext.InECT1Pkts},
                                 {"InECT0Pkts", (long long)ipext.InECT0Pkts},
                                 {"InCEPkts", (long long)ipext.InCEPkts}}));
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
