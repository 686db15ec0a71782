// SPDX-License-Identifier: Apache-2.0
// stack/gro.cpp: generic receive offload for IPv4/TCP (net/core/gro.c,
// net/ipv4/af_inet.c inet_gro_receive, net/ipv4/tcp_offload.c).
// UDP and everything else goes up unmerged (no UDP_GRO sockets modelled).
#include <stdexcept>

#include "stack/internal.hpp"

namespace rxpath::stack {

namespace {
void gro_list_del(gro_list& gl, sk_buff* p) {
  if (p->prev)
    p->prev->next = p->next;
  else
    gl.first = p->next;
  if (p->next)
    p->next->prev = p->prev;
  else
    gl.last = p->prev;
  p->next = p->prev = nullptr;
  --gl.count;
}
void gro_list_add_tail(gro_list& gl, sk_buff* p) {
  p->prev = gl.last;
  p->next = nullptr;
  if (gl.last)
    gl.last->next = p;
  else
    gl.first = p;
  gl.last = p;
  ++gl.count;
}
}  // namespace

// napi_gro_receive (net/core/gro.c)
gro_result_t napi_gro_receive(napi_struct* napi, sk_buff* skb) {
  if (!napi || !napi->dev || !napi->dev->kernel) throw std::logic_error("napi_gro_receive: napi not added");
  Kernel& k = *napi->dev->kernel;
  if (!skb->dev) skb->dev = napi->dev;
  skb->build_src = nullptr;
  k.offered_ += skb->frames;
  current_cpu().defer(k.cost().gro_receive);
  return k.dev_gro_receive(napi, skb);
}

// gro_normal_one (include/net/gro.h)
void Kernel::gro_normal_one(napi_struct* napi, sk_buff* skb, int segs) {
  __skb_queue_tail(&napi->rx_list, skb);
  napi->rx_count += segs;
  if (napi->rx_count >= cfg_.gro_normal_batch) gro_normal_list(napi);
}

// gro_normal_list (include/net/gro.h)
void Kernel::gro_normal_list(napi_struct* napi) {
  if (!napi->rx_count) return;
  netif_receive_skb_list_internal(&napi->rx_list);
  napi->rx_count = 0;
}

// napi_gro_complete + inet_gro_complete + tcp_gro_complete: fix up the
// merged super-packet's IP header and hand it up.
static void napi_gro_complete(Kernel& k, napi_struct* napi, sk_buff* p) {
  int count = p->cb.gro_count;
  if (count > 1) {
    uint8_t* iph = p->data_ptr();
    put_unaligned_be16(static_cast<uint16_t>(p->len), iph + 2);
    put_unaligned_be16(0, iph + 10);
    put_unaligned_be16(ip_fast_csum(iph, 5), iph + 10);
    p->shinfo.gso_segs = static_cast<uint16_t>(count);
    p->ip_summed = CHECKSUM_UNNECESSARY;
  } else {
    p->shinfo.gso_size = 0;
  }
  RXS_DBG(gro, "complete segs " << count << " len " << p->len);
  if (k.trace_hub()) k.trace_stagef("napi_gro_complete", p, "segs %d", count);
  k.gro_normal_one(napi, p, count);
}

// napi_gro_flush / __napi_gro_flush_chain (net/core/gro.c): oldest first;
// with flush_old, packets held since the current jiffy stay. jiffies are
// taken at the CPU's true time (now + deferred debt), the clock
// net_rx_action uses, here and when a packet is first held.
void Kernel::napi_gro_flush(napi_struct* napi, bool flush_old) {
  Cpu& c = current_cpu();
  TraceSpan span(th_, c, "napi_gro_flush");
  uint64_t now = engine_->jiffies_at(c.effective_time());
  for (int b = 0; b < GRO_HASH_BUCKETS; ++b) {
    if (!(napi->gro_bitmask & (1u << b))) continue;
    gro_list& gl = napi->gro_hash[b];
    while (sk_buff* p = gl.first) {
      if (flush_old && p->cb.gro_age == now) break;
      gro_list_del(gl, p);
      napi_gro_complete(*this, napi, p);
    }
    if (!gl.count) napi->gro_bitmask &= ~(1u << b);
  }
}

// dev_gro_receive (net/core/gro.c) with inet_gro_receive and tcp_gro_receive.
gro_result_t Kernel::dev_gro_receive(napi_struct* napi, sk_buff* skb) {
  Cpu& c = current_cpu();
  auto normal = [&]() {
    if (th_) trace_stage("napi_gro_receive", skb, "GRO_NORMAL");
    gro_normal_one(napi, skb, 1);
    return GRO_NORMAL;
  };
  if (!(skb->dev->features & NETIF_F_GRO) || skb->protocol != ETH_P_IP || skb->frames != 1) return normal();
  if (!pskb_may_pull(skb, 20)) return normal();
  const uint8_t* iph = skb->data_ptr();
  // inet_gro_receive: only plain 20-byte headers, good checksum, no fragments.
  if (iph[0] != 0x45 || ip_fast_csum(iph, 5) != 0) return normal();
  if (get_unaligned_be16(iph + 6) & 0x3fff) return normal();  // MF or offset
  if (iph[9] != IPPROTO_TCP_) return normal();                // UDP not aggregated
  // inet_gro_receive: tot_len != actual length (Ethernet padding) sets the
  // skb's flush; the flow lookup still runs, so a held packet of the same
  // flow is completed first and the padded segment never overtakes it.
  bool skb_flush = get_unaligned_be16(iph + 2) != skb->len;
  if (!pskb_may_pull(skb, 40)) return normal();
  iph = skb->data_ptr();
  const uint8_t* th = iph + 20;
  unsigned thlen = (th[12] >> 4) * 4u;
  if (thlen < 20 || !pskb_may_pull(skb, 20 + thlen)) return normal();
  iph = skb->data_ptr();
  th = iph + 20;
  unsigned hdrlen = 20 + thlen;
  unsigned len = skb->len - hdrlen;  // TCP payload
  // tcp4_gro_receive: skb_gro_checksum_validate (skipped when flushing anyway)
  if (!skb_flush && skb->ip_summed != CHECKSUM_UNNECESSARY) {
    c.defer(cost_.csum_per_byte * (skb->len - 20));
    uint32_t sum =
        csum_tcpudp_nofold(get_unaligned_be32(iph + 12), get_unaligned_be32(iph + 16), skb->len - 20, IPPROTO_TCP_, 0);
    if (csum_fold(skb_checksum(skb, 20, skb->len - 20, sum)) != 0) return normal();
    skb->ip_summed = CHECKSUM_UNNECESSARY;
  }
  uint8_t flags = th[13];
  uint32_t flag_word = get_unaligned_be32(th + 12);  // tcp_flag_word: doff, res, flags, window
  int b = skb->hash & (GRO_HASH_BUCKETS - 1);
  gro_list& gl = napi->gro_hash[b];

  // gro_list_prepare + inet_gro_receive + tcp_gro_receive: find the flow.
  sk_buff* p = nullptr;
  int pflush = 0;
  for (sk_buff* q = gl.first; q; q = q->next) {
    if (q->hash != skb->hash || q->dev != skb->dev) continue;
    if (std::memcmp(q->head_ptr() + q->mac_header, skb->head_ptr() + skb->mac_header, ETH_HLEN) != 0) continue;
    const uint8_t* iph2 = q->data_ptr();
    if (iph2[9] != iph[9] || get_unaligned_be32(iph2 + 12) != get_unaligned_be32(iph + 12) ||
        get_unaligned_be32(iph2 + 16) != get_unaligned_be32(iph + 16))
      continue;
    const uint8_t* th2 = iph2 + 20;
    if (get_unaligned_be32(th2) != get_unaligned_be32(th)) continue;  // ports
    p = q;
    // IP-level flush reasons (inet_gro_receive): TTL, TOS, DF, IP ID.
    pflush |= (iph2[8] != iph[8]) | (iph2[1] != iph[1]) |
              ((get_unaligned_be16(iph2 + 6) ^ get_unaligned_be16(iph + 6)) & 0x4000 ? 1 : 0);
    uint16_t id = get_unaligned_be16(iph + 4), id2 = get_unaligned_be16(iph2 + 4);
    bool df = get_unaligned_be16(iph + 6) & 0x4000;
    if (!(df && id == id2) && static_cast<uint16_t>(id - id2) != q->cb.gro_count) pflush |= 1;
    break;
  }

  sk_buff* pp = nullptr;  // held packet to complete now
  bool merged = false;
  unsigned mss = 1;
  int flush = 0;
  if (p) {
    const uint8_t* th2 = p->data_ptr() + 20;
    unsigned thlen2 = (th2[12] >> 4) * 4u;
    flush = pflush | skb_flush;
    flush |= flags & TCPHDR_CWR;
    // tcp_gro_receive compares the whole tcp_flag_word, so a different doff
    // or window blocks the merge as a flag change does.
    flush |=
        (flag_word ^ get_unaligned_be32(th2 + 12)) & ~uint32_t{(TCPHDR_CWR | TCPHDR_FIN | TCPHDR_PSH) << 16} ? 1 : 0;
    flush |= get_unaligned_be32(th + 8) != get_unaligned_be32(th2 + 8);           // ack_seq
    flush |= thlen != thlen2 || std::memcmp(th + 20, th2 + 20, thlen - 20) != 0;  // options
    mss = p->shinfo.gso_size;
    flush |= (len - 1) >= mss;  // payload > mss (or 0)
    unsigned plen = p->len - 20 - thlen2;
    flush |= (get_unaligned_be32(th2 + 4) + plen) != get_unaligned_be32(th + 4);  // seq continues
    bool too_big = p->len + len >= GRO_LEGACY_MAX_SIZE;
    if (flush || too_big) {
      mss = 1;
    } else {
      if (th_)
        trace_stagef("napi_gro_receive", skb, "GRO_MERGED_FREE merged into %llu", (unsigned long long)p->trace_id);
      // skb_gro_receive: payload of skb becomes frags of p; once p's frags
      // are full the segment is chained on p's frag_list (the merge: path).
      unsigned head_payload = skb->headlen() - hdrlen;
      p->truesize += skb->truesize;
      if (p->frag_list.empty() && p->shinfo.nr_frags + 1u + skb->shinfo.nr_frags <= MAX_SKB_FRAGS) {
        if (head_payload)
          p->shinfo.frags[p->shinfo.nr_frags++] = skb_frag_t{skb->buf, skb->data + hdrlen, head_payload};
        for (unsigned i = 0; i < skb->shinfo.nr_frags; ++i)
          p->shinfo.frags[p->shinfo.nr_frags++] = skb->shinfo.frags[i];
        skb->buf.reset();
        skb->shinfo = skb_shared_info{};
        skb->frames = 0;
        __kfree_skb(skb);  // NAPI_GRO_FREE_STOLEN_HEAD
      } else {
        skb_pull(skb, hdrlen);
        skb->frames = 0;  // counted in p
        p->frag_list.push_back(skb);
      }
      p->len += len;
      p->data_len += len;
      ++p->cb.gro_count;
      ++p->frames;
      p->data_ptr()[20 + 13] |= flags & (TCPHDR_FIN | TCPHDR_PSH);  // tcp_flag_word(th2) |= FIN|PSH
      merged = true;
      c.defer(cost_.gro_merge);
      RXS_DBG(gro, "merge seq " << get_unaligned_be32(th + 4) << " len " << len << " into " << p->len);
    }
  }
  // out_check_final
  int final_flush = (len < mss) | (flags & (TCPHDR_URG | TCPHDR_PSH | TCPHDR_RST | TCPHDR_SYN | TCPHDR_FIN));
  if (p && (!merged || final_flush)) pp = p;
  if (pp) {
    gro_list_del(gl, pp);
    if (!gl.count) napi->gro_bitmask &= ~(1u << b);
    napi_gro_complete(*this, napi, pp);
  }
  if (merged) return GRO_MERGED_FREE;
  if (final_flush || skb_flush) return normal();
  // Hold skb as a new flow; a full bucket completes its oldest first.
  if (gl.count >= MAX_GRO_SKBS) {
    sk_buff* old = gl.first;
    gro_list_del(gl, old);
    napi_gro_complete(*this, napi, old);
  }
  if (th_) trace_stagef("napi_gro_receive", skb, "GRO_HELD bucket %d", b);
  skb->cb.gro_count = 1;
  skb->cb.gro_age = engine_->jiffies_at(c.effective_time());
  skb->shinfo.gso_size = static_cast<uint16_t>(len);
  gro_list_add_tail(gl, skb);
  napi->gro_bitmask |= 1u << b;
  RXS_DBG(gro, "hold seq " << get_unaligned_be32(th + 4) << " len " << len << " bucket " << b);
  return GRO_HELD;
}

}  // namespace rxpath::stack
