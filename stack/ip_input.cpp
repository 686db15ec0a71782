// SPDX-License-Identifier: Apache-2.0
// stack/ip_input.cpp: IPv4 input (net/ipv4/ip_input.c), reassembly
// (net/ipv4/ip_fragment.c) and ICMP errors through the sink (net/ipv4/icmp.c).
#include "stack/internal.hpp"

namespace rxpath::stack {

// ip_rcv + ip_rcv_core (net/ipv4/ip_input.c): the checks in kernel order.
void Kernel::ip_rcv(sk_buff* skb) {
  Cpu& c = current_cpu();
  if (th_) trace_stage("ip_rcv", skb);
  c.defer(cost_.ip_rcv);
  if (skb->pkt_type == PACKET_OTHERHOST) {
    ++skb->dev->stats.rx_otherhost_dropped;
    kfree_skb_reason(skb, Drop::OTHERHOST);
    return;
  }
  ++ip.InReceives;
  ipext.InOctets += skb->len;
  auto inhdr_error = [&]() {
    ++ip.InHdrErrors;
    RXS_DBG(ip, "InHdrErrors trace " << skb->trace_id);
    kfree_skb_reason(skb, Drop::IP_INHDR);
  };
  if (!pskb_may_pull(skb, 20)) return inhdr_error();
  const uint8_t* iph = skb->data_ptr();
  unsigned ihl = iph[0] & 0xf;
  if (ihl < 5 || (iph[0] >> 4) != 4) return inhdr_error();
  // IPSTATS_MIB_NOECTPKTS + (tos & INET_ECN_MASK), by wire segments.
  uint64_t segs = skb->shinfo.gso_segs ? skb->shinfo.gso_segs : 1;
  switch (iph[1] & 3) {
    case 0:
      ipext.InNoECTPkts += segs;
      break;
    case 1:
      ipext.InECT1Pkts += segs;
      break;
    case 2:
      ipext.InECT0Pkts += segs;
      break;
    default:
      ipext.InCEPkts += segs;
      break;
  }
  if (!pskb_may_pull(skb, ihl * 4)) return inhdr_error();
  iph = skb->data_ptr();
  if (ip_fast_csum(iph, ihl) != 0) {
    ++ipext.InCsumErrors;
    ++ip.InHdrErrors;
    RXS_DBG(ip, "header checksum error trace " << skb->trace_id);
    kfree_skb_reason(skb, Drop::IP_CSUM);
    return;
  }
  unsigned tot_len = get_unaligned_be16(iph + 2);
  if (skb->len < tot_len) {
    ++ipext.InTruncatedPkts;
    kfree_skb_reason(skb, Drop::PKT_TOO_SMALL);
    return;
  }
  if (tot_len < ihl * 4) return inhdr_error();
  skb_trim(skb, tot_len);  // pskb_trim_rcsum: Ethernet padding goes
  skb->transport_header = static_cast<uint16_t>(skb->network_header + ihl * 4);

  // ip_rcv_finish -> ip_route_input_noref: local, broadcast, else no forwarding.
  uint32_t daddr = get_unaligned_be32(iph + 16);
  uint32_t our = skb->dev->ipv4_addr;
  // 224.0.0.1 (INADDR_ALLHOSTS_GROUP) is joined on every interface
  // (ip_mc_up); no socket joins other groups here (ip_check_mc_rcu fails).
  bool local = daddr == our || daddr == 0xffffffffu || daddr == 0xe0000001u;
  if (!local) {
    if ((daddr >> 28) == 0xe) {  // multicast group not joined
      kfree_skb_reason(skb, Drop::NOT_SPECIFIED);
      return;
    }
    ++ip.InAddrErrors;  // ip_error: EHOSTUNREACH with forwarding off
    kfree_skb_reason(skb, Drop::IP_INADDRERRORS);
    return;
  }
  if (daddr == 0xffffffffu && skb->pkt_type == PACKET_HOST) skb->pkt_type = PACKET_BROADCAST;
  ip_local_deliver(skb);
}

// ip_local_deliver (net/ipv4/ip_input.c): reassemble, then deliver.
void Kernel::ip_local_deliver(sk_buff* skb) {
  const uint8_t* iph = skb->data_ptr();
  uint16_t frag_off = get_unaligned_be16(iph + 6);
  if (th_) trace_stage("ip_local_deliver", skb, (frag_off & 0x3fff) ? "fragment" : "");
  if (frag_off & 0x3fff) {  // ip_is_fragment
    Cpu& c = current_cpu();
    c.defer(cost_.ip_defrag);
    ++ip.ReasmReqds;
    ip_expire_frags();
    unsigned ihl = (iph[0] & 0xf) * 4u;
    // ip_find -> inet_frag_find: no queue once frag_mem > high_thresh (the
    // arriving fragment not counted) -> ReasmFails.
    if (impl_->frag_mem > cfg_.ipfrag_high_thresh) {
      ++ip.ReasmFails;
      kfree_skb_reason(skb, Drop::IP_FRAG_FAIL);
      return;
    }
    auto key = std::make_tuple(get_unaligned_be32(iph + 12), get_unaligned_be32(iph + 16), get_unaligned_be16(iph + 4),
                               iph[9]);
    auto it = impl_->frag_queues.find(key);
    if (it == impl_->frag_queues.end()) {
      it = impl_->frag_queues.emplace(key, ipq{}).first;
      it->second.created = sc_core::sc_time_stamp();
      // inet_frag_find -> mod_timer(&q->timer, jiffies + fqdir->timeout):
      // an event keeps the earliest of its pending notifications.
      impl_->frag_timer->ev.notify(sc_core::sc_time(cfg_.ipfrag_time_s, sc_core::SC_SEC));
    }
    ipq& q = it->second;
    uint32_t off = (frag_off & 0x1fff) * 8u;
    uint32_t plen = skb->len - ihl;
    uint32_t end = off + plen;
    bool more = frag_off & 0x2000;
    auto kill_queue = [&](Drop why) {
      for (auto& kv : q.frags) kfree_skb_reason(kv.second, why);
      impl_->frag_mem -= q.mem;
      impl_->frag_queues.erase(it);
      ++ip.ReasmFails;
    };
    // ip_frag_queue: a last fragment fixes the length; inconsistent -> fail.
    if ((!more && q.total_len >= 0 && q.total_len != end) || (more && (plen % 8 != 0 || plen == 0)) ||
        (q.total_len >= 0 && end > q.total_len)) {
      kfree_skb_reason(skb, Drop::IP_FRAG_FAIL);
      kill_queue(Drop::IP_FRAG_FAIL);
      return;
    }
    // inet_frag_queue_insert: exact duplicate -> drop; overlap -> kill queue.
    for (auto& kv : q.frags) {
      uint32_t o = kv.first, e = o + kv.second->len - ((kv.second->data_ptr()[0] & 0xf) * 4u);
      if (o == off && e == end) {
        kfree_skb_reason(skb, Drop::IP_FRAG_DUP);
        return;
      }
      if (off < e && o < end) {
        kfree_skb_reason(skb, Drop::IP_FRAG_FAIL);
        kill_queue(Drop::IP_FRAG_FAIL);
        return;
      }
    }
    if (!more) q.total_len = end;
    q.frags.emplace(off, skb);
    q.meat += plen;
    q.frames += skb->frames;
    q.mem += skb->truesize;
    impl_->frag_mem += skb->truesize;  // add_frag_mem_limit(fqdir, skb->truesize)
    if (th_) trace_stagef("ip_defrag", skb, "queued offset %u have %u", off, q.meat);
    if (q.total_len < 0 || q.meat != static_cast<uint32_t>(q.total_len)) return;
    // ip_frag_reasm: header of the first fragment + all payloads in order.
    sk_buff* first = q.frags.begin()->second;
    unsigned fihl = (first->data_ptr()[0] & 0xf) * 4u;
    sk_buff* head = alloc_skb(NET_SKB_PAD + fihl + q.total_len);
    skb_reserve(head, NET_SKB_PAD);
    skb_put_data(head, first->data_ptr(), fihl);
    uint32_t frames = 0;
    uint64_t trace = first->trace_id;
    for (auto& kv : q.frags) {
      sk_buff* f = kv.second;
      unsigned fh = (f->data_ptr()[0] & 0xf) * 4u;
      uint8_t* dst = skb_put(head, f->len - fh);
      skb_copy_bits(f, fh, dst, f->len - fh);
      frames += f->frames;
      head->truesize += f->truesize;
    }
    head->dev = first->dev;
    head->protocol = first->protocol;
    head->pkt_type = first->pkt_type;
    head->hash = first->hash;
    head->trace_id = trace;
    head->frames = frames;
    head->tstamp = first->tstamp;
    head->reset_network_header();
    // Linux reassembles into the first fragment's skb, so the datagram keeps
    // that frame's link-layer header (an ICMP error answers its sender).
    if (first->mac_header != 0xFFFF && first->network_header >= first->mac_header + ETH_HLEN) {
      head->mac_header = static_cast<uint16_t>(head->network_header - ETH_HLEN);
      std::memcpy(head->head_ptr() + head->mac_header, first->head_ptr() + first->mac_header, ETH_HLEN);
    }
    uint8_t* h = head->data_ptr();
    put_unaligned_be16(static_cast<uint16_t>(fihl + q.total_len), h + 2);
    put_unaligned_be16(get_unaligned_be16(h + 6) & 0x4000, h + 6);
    put_unaligned_be16(0, h + 10);
    put_unaligned_be16(ip_fast_csum(h, fihl / 4), h + 10);
    head->transport_header = static_cast<uint16_t>(head->network_header + fihl);
    for (auto& kv : q.frags) {  // frames moved into head
      if (th_ && kv.second != first)
        trace_stagef("ip_frag_reasm", kv.second, "merged into %llu", (unsigned long long)trace);
      __kfree_skb(kv.second);
    }
    impl_->frag_mem -= q.mem;
    impl_->frag_queues.erase(it);
    ++ip.ReasmOKs;
    RXS_DBG(ip, "reassembled " << head->len << " bytes from " << frames << " fragments");
    skb = head;
  }
  ip_local_deliver_finish(skb);
}

// ip_expire (net/ipv4/ip_fragment.c): a queue whose timer ran out (ipfrag_time
// after its first fragment) fails with ReasmTimeout + ReasmFails and its
// fragments are freed. Run by the timer and before a fragment is queued.
void Kernel::ip_expire_frags() {
  const sc_core::sc_time now = sc_core::sc_time_stamp(), timeout(cfg_.ipfrag_time_s, sc_core::SC_SEC);
  for (auto it = impl_->frag_queues.begin(); it != impl_->frag_queues.end();) {
    if (now >= it->second.created + timeout) {
      for (auto& kv : it->second.frags) kfree_skb_reason(kv.second, Drop::IP_FRAG_TIMEOUT);
      impl_->frag_mem -= it->second.mem;
      ++ip.ReasmTimeout;
      ++ip.ReasmFails;
      it = impl_->frag_queues.erase(it);
    } else {
      ++it;
    }
  }
  // Re-arm for the oldest queue left.
  const sc_core::sc_time next = next_frag_expiry();
  if (next != sc_core::sc_max_time()) impl_->frag_timer->ev.notify(next - now);
}

uint64_t Kernel::frames_in_reassembly() const {
  uint64_t n = 0;
  for (const auto& kv : impl_->frag_queues) n += kv.second.frames;
  return n;
}

sc_core::sc_time Kernel::next_frag_expiry() const {
  sc_core::sc_time first = sc_core::sc_max_time();
  for (const auto& kv : impl_->frag_queues) first = std::min(first, kv.second.created);
  return first == sc_core::sc_max_time() ? first : first + sc_core::sc_time(cfg_.ipfrag_time_s, sc_core::SC_SEC);
}

// ip_local_deliver_finish + ip_protocol_deliver_rcu (net/ipv4/ip_input.c)
void Kernel::ip_local_deliver_finish(sk_buff* skb) {
  const uint8_t* iph = skb->data_ptr();
  unsigned ihl = (iph[0] & 0xf) * 4u;
  uint8_t proto = iph[9];
  skb_pull(skb, ihl);
  skb->reset_transport_header();
  switch (proto) {
    case IPPROTO_UDP_:
      ++ip.InDelivers;
      udp_rcv(skb);
      return;
    case IPPROTO_TCP_:
      ++ip.InDelivers;
      tcp_v4_rcv(skb);
      return;
    case IPPROTO_ICMP_:
      ++ip.InDelivers;
      icmp_rcv(skb);
      return;
    default:
      ++ip.InUnknownProtos;
      icmp_send_unreach(skb, 2);  // ICMP_PROT_UNREACH
      kfree_skb_reason(skb, Drop::IP_NOPROTO);
  }
}

// icmp_rcv (net/ipv4/icmp.c, v6.8): InMsgs; the checksum over the whole
// message (skb_checksum_simple_validate: igb verifies no ICMP checksum) ->
// InCsumErrors + InErrors; IcmpMsg InType<type>; a type above NR_ICMP_TYPES
// (18) is discarded (UNHANDLED_PROTO, InErrors); to a broadcast address
// only echo, timestamp and address-mask messages are taken, and echo and
// timestamp not while icmp_echo_ignore_broadcasts (1) holds
// (INVALID_PROTO, InErrors). The handlers: icmp_echo answers with an echo
// reply (icmp_reply; no rate limit for type 0: icmp_ratemask); the others
// (icmp_unreach, icmp_redirect, icmp_timestamp, icmp_discard) consume the
// message without effect in the model: no socket errors are reported, no
// timestamp reply is sent, no route is changed.
void Kernel::icmp_rcv(sk_buff* skb) {
  Cpu& c = current_cpu();
  ++icmp.InMsgs;
  c.defer(cost_.csum_per_byte * skb->len);
  if (skb->len < 8) {  // pskb_pull of the header fails: error
    ++icmp.InErrors;
    kfree_skb_reason(skb, Drop::PKT_TOO_SMALL, "Icmp: InErrors");
    return;
  }
  if (csum_fold(skb_checksum(skb, 0, skb->len, 0)) != 0) {
    ++icmp.InCsumErrors;
    ++icmp.InErrors;
    kfree_skb_reason(skb, Drop::ICMP_CSUM);
    return;
  }
  const uint8_t type = skb->data_ptr()[0];
  ++icmpmsg.in(type);
  if (type > 18) {  // NR_ICMP_TYPES
    ++icmp.InErrors;
    kfree_skb_reason(skb, Drop::UNHANDLED_PROTO, "Icmp: InErrors");
    return;
  }
  // The route's RTCF_BROADCAST / RTCF_MULTICAST: the IP destination.
  const uint32_t daddr = get_unaligned_be32(skb->head_ptr() + skb->network_header + 16);
  if ((daddr == 0xffffffffu || (daddr >> 28) == 0xe) && type != 17 && type != 18) {  // ICMP_ADDRESS(REPLY)
    ++icmp.InErrors;
    kfree_skb_reason(skb, Drop::INVALID_PROTO);
    return;
  }
  if (type == 8) icmp_echo_reply(skb);  // icmp_echo
  consume_skb(skb);
}

// The frame of an ICMP message back to the sender of `skb`: Ethernet to
// its source MAC, IPv4 from the host's address with `tos`, TTL 64 and its
// header checksum; the `icmp_len` bytes after that are the caller's to fill.
std::vector<uint8_t> Kernel::icmp_frame_to_sender(sk_buff* skb, uint8_t tos, unsigned icmp_len) {
  const uint8_t* iph = skb->head_ptr() + skb->network_header;
  const uint8_t* eth = skb->head_ptr() + skb->mac_header;
  std::vector<uint8_t> f(14 + 20 + icmp_len, 0);
  std::memcpy(f.data(), eth + 6, 6);
  std::memcpy(f.data() + 6, skb->dev->dev_addr.data(), 6);
  put_unaligned_be16(ETH_P_IP, f.data() + 12);
  uint8_t* ip4 = f.data() + 14;
  ip4[0] = 0x45;
  ip4[1] = tos;
  put_unaligned_be16(static_cast<uint16_t>(20 + icmp_len), ip4 + 2);
  ip4[8] = 64;
  ip4[9] = IPPROTO_ICMP_;
  put_unaligned_be32(skb->dev->ipv4_addr, ip4 + 12);
  std::memcpy(ip4 + 16, iph + 12, 4);
  put_unaligned_be16(ip_fast_csum(ip4, 5), ip4 + 10);
  return f;
}

// icmp_push_reply and icmp_out_count: the ICMP checksum, OutRequests,
// OutMsgs and IcmpMsg OutType<type>, then the frame to the transmit sink.
// No rate limit is modelled (icmpv4_xrlim_allow).
void Kernel::icmp_xmit(std::vector<uint8_t> f, TxKind kind) {
  uint8_t* ic = f.data() + 14 + 20;
  const size_t len = f.size() - 14 - 20;
  ic[2] = ic[3] = 0;
  put_unaligned_be16(csum_fold(csum_partial(ic, len, 0)), ic + 2);
  ++ip.OutRequests;
  ++icmp.OutMsgs;
  ++icmpmsg.out(ic[0]);
  tx_emit(kind, std::move(f));
}

// icmp_echo -> icmp_reply (net/ipv4/icmp.c): the same identifier, sequence
// and data back to the sender, type 0, with the request's TOS, from the
// address it was sent to (ours: icmp_rcv refused broadcast and multicast).
void Kernel::icmp_echo_reply(sk_buff* skb) {
  if (skb->mac_header == 0xFFFF) return;  // no link-layer header to answer
  current_cpu().defer(cost_.icmp_send + cost_.csum_per_byte * skb->len);
  const uint8_t tos = skb->head_ptr()[skb->network_header + 1];
  std::vector<uint8_t> f = icmp_frame_to_sender(skb, tos, skb->len);
  uint8_t* ic = f.data() + 14 + 20;
  skb_copy_bits(skb, 0, ic, skb->len);
  ic[0] = 0;  // ICMP_ECHOREPLY
  icmp_xmit(std::move(f), TxKind::ICMP_ECHO_REPLY);
}

// icmp_send (net/ipv4/icmp.c): destination unreachable with the offending
// IP header + 8 bytes, to the sender; never for broadcast/multicast. OutType3
// shows as Icmp OutDestUnreachs.
void Kernel::icmp_send_unreach(sk_buff* skb, uint8_t code) {
  if (skb->pkt_type != PACKET_HOST || skb->mac_header == 0xFFFF) return;  // no sender to address
  current_cpu().defer(cost_.icmp_send);
  const uint8_t* iph = skb->head_ptr() + skb->network_header;
  unsigned ihl = (iph[0] & 0xf) * 4u;
  unsigned avail = skb->len + (skb->data - skb->network_header);
  unsigned quote = std::min(avail, ihl + 8);
  std::vector<uint8_t> f = icmp_frame_to_sender(skb, 0xc0, 8 + quote);
  uint8_t* ic = f.data() + 14 + 20;
  ic[0] = 3;  // ICMP_DEST_UNREACH
  ic[1] = code;
  std::memcpy(ic + 8, iph, quote);
  icmp_xmit(std::move(f), code == 3 ? TxKind::ICMP_PORT_UNREACH : TxKind::ICMP_PROTO_UNREACH);
}

}  // namespace rxpath::stack
