// SPDX-License-Identifier: Apache-2.0
// stack/skbuff.cpp: sk_buff allocation and the pointer operations
// (net/core/skbuff.c, include/linux/skbuff.h, net/ethernet/eth.c).
#include "stack/skbuff.hpp"

#include <cstring>

#include "stack/netdevice.hpp"

namespace rxpath::stack {

namespace {
int64_t g_live = 0;

// Free lists in place of the kernel's slab caches (skbuff_head_cache for the
// sk_buff, page_frag/kmalloc for the head buffer): a freed skb's storage is
// reused by the next allocation instead of going back to malloc.
struct SkbCaches {
  std::vector<void*> heads;   // sk_buff storage
  std::vector<skb_buf> data;  // head buffers nobody else references, emptied
};
// Never destroyed, so skbs freed by static destructors still find it.
SkbCaches& g_cache = *new SkbCaches;
constexpr std::size_t kSkbCacheMax = 1024;

// A zero-filled head buffer of n bytes (as make_shared<vector>(n)).
skb_buf alloc_skb_data(std::size_t n) {
  if (g_cache.data.empty()) return std::make_shared<std::vector<uint8_t>>(n);
  skb_buf b = std::move(g_cache.data.back());
  g_cache.data.pop_back();
  b->resize(n);
  return b;
}

sk_buff* new_skb(unsigned bufsize) {
  auto* skb = new sk_buff;
  ++g_live;
  skb->buf = alloc_skb_data(bufsize);
  skb->end = bufsize;
  skb->truesize = SKB_TRUESIZE(SKB_DATA_ALIGN(bufsize));
  return skb;
}
}  // namespace

int64_t skb_live_count() { return g_live; }

// kmem_cache_alloc(skbuff_head_cache) / kmem_cache_free: storage only; the
// sk_buff is constructed and destroyed as usual.
void* sk_buff::operator new(std::size_t size) {
  if (size == sizeof(sk_buff) && !g_cache.heads.empty()) {
    void* p = g_cache.heads.back();
    g_cache.heads.pop_back();
    return p;
  }
  return ::operator new(size);
}

void sk_buff::operator delete(void* p, std::size_t size) {
  if (size == sizeof(sk_buff) && g_cache.heads.size() < kSkbCacheMax) {
    g_cache.heads.push_back(p);
    return;
  }
  ::operator delete(p);
}

// __alloc_skb (net/core/skbuff.c)
sk_buff* alloc_skb(unsigned size) { return new_skb(size); }

// build_skb / __build_skb_around (net/core/skbuff.c): the buffer becomes the
// head; truesize is SKB_TRUESIZE of the fragment minus shared info, as the
// kernel computes from frag_size.
sk_buff* build_skb(const uint8_t* buffer, unsigned frag_size) {
  if (frag_size == 0) throw SkbPanic("build_skb: frag_size 0");
  auto* skb = new sk_buff;
  ++g_live;
  skb->buf = alloc_skb_data(0);
  skb->end = frag_size;
  skb->build_src = buffer;
  skb->truesize = SKB_TRUESIZE(frag_size > SKB_DATA_ALIGN(SIZEOF_SKB_SHARED_INFO)
                                   ? frag_size - SKB_DATA_ALIGN(SIZEOF_SKB_SHARED_INFO)
                                   : frag_size);
  return skb;
}

namespace {
// Makes buf cover [0, upto): copies from the build_skb source if any.
void skb_cover(sk_buff* skb, unsigned upto) {
  size_t have = skb->buf->size();
  if (have >= upto) return;
  if (skb->buf.use_count() > 1) skb->buf = std::make_shared<std::vector<uint8_t>>(*skb->buf);
  skb->buf->resize(upto);
  if (skb->build_src) std::memcpy(skb->buf->data() + have, skb->build_src + have, upto - have);
}
}  // namespace

// __napi_alloc_skb (net/core/skbuff.c): NET_SKB_PAD + NET_IP_ALIGN headroom.
sk_buff* napi_alloc_skb(unsigned length) {
  sk_buff* skb = new_skb(length + NET_SKB_PAD + NET_IP_ALIGN);
  skb_reserve(skb, NET_SKB_PAD + NET_IP_ALIGN);
  return skb;
}

sk_buff* skb_clone(const sk_buff* skb) {
  auto* n = new sk_buff(*skb);
  ++g_live;
  n->next = n->prev = nullptr;
  n->sk = nullptr;
  n->frames = 0;
  if (skb->buf) n->buf = std::make_shared<std::vector<uint8_t>>(*skb->buf);
  n->frag_list.clear();
  for (const sk_buff* f : skb->frag_list) n->frag_list.push_back(skb_clone(f));
  return n;
}

bool skb_vlan_untag(sk_buff* skb) {
  if (skb->vlan_present) return true;
  // vlan_set_encap_proto reads the two bytes after the 4-byte tag.
  if (!pskb_may_pull(skb, eth::VLAN_HLEN + 2)) return false;
  const uint8_t* vhdr = skb->data_ptr();
  skb->vlan_present = true;
  skb->vlan_proto = skb->protocol;
  skb->vlan_tci = static_cast<uint16_t>(vhdr[0] << 8 | vhdr[1]);
  const uint16_t inner = static_cast<uint16_t>(vhdr[2] << 8 | vhdr[3]);
  skb_pull(skb, eth::VLAN_HLEN);
  // vlan_set_encap_proto: a value below 0x600 is an 802.3 length (LLC).
  skb->protocol = inner >= eth::ETH_P_802_3_MIN ? inner : eth::ETH_P_802_2;
  // skb_reorder_vlan_header: the two addresses move up by VLAN_HLEN.
  const unsigned mac_len = skb->data - skb->mac_header;
  if (skb->mac_header != 0xFFFF && mac_len > eth::VLAN_HLEN + 2u) {
    uint8_t* mac = skb->head_ptr() + skb->mac_header;
    std::memmove(mac + eth::VLAN_HLEN, mac, mac_len - eth::VLAN_HLEN - 2);
    skb->mac_header = static_cast<uint16_t>(skb->mac_header + eth::VLAN_HLEN);
  }
  skb->reset_network_header();
  return true;
}

void __kfree_skb(sk_buff* skb) {
  if (!skb) return;
  for (sk_buff* f : skb->frag_list) __kfree_skb(f);
  if (skb->buf && skb->buf.use_count() == 1 && g_cache.data.size() < kSkbCacheMax) {
    skb->buf->clear();
    g_cache.data.push_back(std::move(skb->buf));
  }
  delete skb;
  --g_live;
}

// skb_reserve (include/linux/skbuff.h)
void skb_reserve(sk_buff* skb, unsigned len) {
  if (skb->len || skb->data + len > skb->end)
    throw SkbPanic("skb_reserve: " + std::to_string(len) + " bytes on a non-empty or too small skb");
  skb->data += len;
  skb->tail += len;
}

// skb_put (net/core/skbuff.c): skb_over_panic if tail passes end.
uint8_t* skb_put(sk_buff* skb, unsigned len) {
  if (skb->data_len) throw SkbPanic("skb_put: skb has paged data (SKB_LINEAR_ASSERT)");
  if (static_cast<uint64_t>(skb->tail) + len > skb->end)
    throw SkbPanic("skb_over_panic: put " + std::to_string(len) + " tail " + std::to_string(skb->tail) + " end " +
                   std::to_string(skb->end));
  skb_cover(skb, skb->tail + len);
  uint8_t* p = skb->tail_ptr();
  skb->tail += len;
  skb->len += len;
  return p;
}

uint8_t* skb_put_data(sk_buff* skb, const void* d, unsigned len) {
  uint8_t* p = skb_put(skb, len);
  std::memcpy(p, d, len);
  return p;
}

// skb_push (net/core/skbuff.c): skb_under_panic if data passes head.
uint8_t* skb_push(sk_buff* skb, unsigned len) {
  if (len > skb->data)
    throw SkbPanic("skb_under_panic: push " + std::to_string(len) + " headroom " + std::to_string(skb->data));
  skb->data -= len;
  skb->len += len;
  return skb->data_ptr();
}

// skb_pull (net/core/skbuff.c): NULL if len > skb->len. Pulling into paged
// data first makes the head long enough (__pskb_pull_tail).
uint8_t* skb_pull(sk_buff* skb, unsigned len) {
  if (len > skb->len) return nullptr;
  if (len > skb->headlen() && !pskb_may_pull(skb, len)) return nullptr;
  skb->len -= len;
  skb->data += len;
  return skb->data_ptr();
}

// pskb_may_pull (include/linux/skbuff.h): make `len` bytes linear.
bool pskb_may_pull(sk_buff* skb, unsigned len) {
  if (len <= skb->headlen()) return true;
  if (len > skb->len) return false;
  unsigned need = len - skb->headlen();
  if (skb->tail + need <= skb->end) skb_cover(skb, skb->tail + need);
  if (skb->tail + need > skb->end) {  // grow head (pskb_expand_head)
    skb->buf = std::make_shared<std::vector<uint8_t>>(*skb->buf);
    skb->buf->resize(skb->tail + need);
    skb->end = skb->tail + need;
  } else if (skb->buf.use_count() > 1) {
    skb->buf = std::make_shared<std::vector<uint8_t>>(*skb->buf);
  }
  // move bytes from the frags into the linear part
  unsigned moved = 0;
  while (moved < need) {
    skb_frag_t& f = skb->shinfo.frags[0];
    unsigned take = std::min(f.size, need - moved);
    std::memcpy(skb->buf->data() + skb->tail, f.page->data() + f.offset, take);
    skb->tail += take;
    moved += take;
    f.offset += take;
    f.size -= take;
    if (f.size == 0) {
      for (unsigned i = 1; i < skb->shinfo.nr_frags; ++i) skb->shinfo.frags[i - 1] = skb->shinfo.frags[i];
      skb->shinfo.frags[--skb->shinfo.nr_frags] = skb_frag_t{};
    }
  }
  skb->data_len -= need;
  return true;
}

// pskb_trim (include/linux/skbuff.h)
void skb_trim(sk_buff* skb, unsigned len) {
  if (len >= skb->len) return;
  if (!skb->frag_list.empty()) throw SkbPanic("skb_trim: trimming into a frag_list is not modelled");
  if (len <= skb->headlen()) {
    for (unsigned i = 0; i < skb->shinfo.nr_frags; ++i) skb->shinfo.frags[i] = skb_frag_t{};
    skb->shinfo.nr_frags = 0;
    skb->data_len = 0;
    skb->len = len;
    skb->tail = skb->data + len;
    return;
  }
  unsigned left = len - skb->headlen();
  unsigned i = 0;
  for (; i < skb->shinfo.nr_frags; ++i) {
    if (skb->shinfo.frags[i].size >= left) {
      skb->shinfo.frags[i].size = left;
      ++i;
      break;
    }
    left -= skb->shinfo.frags[i].size;
  }
  for (unsigned j = i; j < skb->shinfo.nr_frags; ++j) skb->shinfo.frags[j] = skb_frag_t{};
  skb->shinfo.nr_frags = static_cast<uint8_t>(i);
  skb->data_len = len - skb->headlen();
  skb->len = len;
}

// skb_add_rx_frag (net/core/skbuff.c)
void skb_add_rx_frag(sk_buff* skb, skb_buf page, unsigned off, unsigned size, unsigned truesize) {
  if (skb->shinfo.nr_frags >= MAX_SKB_FRAGS) throw SkbPanic("skb_add_rx_frag: more than MAX_SKB_FRAGS frags");
  if (off + size > page->size()) throw SkbPanic("skb_add_rx_frag: frag beyond its page");
  skb->shinfo.frags[skb->shinfo.nr_frags++] = skb_frag_t{std::move(page), off, size};
  skb->len += size;
  skb->data_len += size;
  skb->truesize += truesize;
}

// skb_copy_bits (net/core/skbuff.c)
bool skb_copy_bits(const sk_buff* skb, unsigned offset, void* to, unsigned len) {
  if (static_cast<uint64_t>(offset) + len > skb->len) return false;
  auto* out = static_cast<uint8_t*>(to);
  unsigned hl = skb->headlen();
  if (offset < hl) {
    unsigned n = std::min(len, hl - offset);
    std::memcpy(out, skb->data_ptr() + offset, n);
    out += n;
    len -= n;
    offset = hl;
  }
  unsigned pos = hl;
  for (unsigned i = 0; i < skb->shinfo.nr_frags && len; ++i) {
    const skb_frag_t& f = skb->shinfo.frags[i];
    if (offset < pos + f.size) {
      unsigned in = offset - pos;
      unsigned n = std::min(len, f.size - in);
      std::memcpy(out, f.page->data() + f.offset + in, n);
      out += n;
      len -= n;
      offset += n;
    }
    pos += f.size;
  }
  // frag_list members (GRO chains past MAX_SKB_FRAGS): their data..len follow.
  for (const sk_buff* m : skb->frag_list) {
    if (!len) break;
    if (offset < pos + m->len) {
      unsigned in = offset - pos;
      unsigned n = std::min(len, m->len - in);
      if (!skb_copy_bits(m, in, out, n)) return false;
      out += n;
      len -= n;
      offset += n;
    }
    pos += m->len;
  }
  return len == 0;
}

std::vector<uint8_t> skb_linearize_copy(const sk_buff* skb) {
  std::vector<uint8_t> v(skb->len);
  if (skb->len) skb_copy_bits(skb, 0, v.data(), skb->len);
  return v;
}

// eth_type_trans (net/ethernet/eth.c)
uint16_t eth_type_trans(sk_buff* skb, net_device* dev) {
  skb->dev = dev;
  skb->build_src = nullptr;  // everything the driver put is copied by now
  skb->reset_mac_header();
  if (!pskb_may_pull(skb, ETH_HLEN)) throw SkbPanic("eth_type_trans: frame shorter than 14 bytes");
  const uint8_t* eth = skb->data_ptr();
  skb_pull(skb, ETH_HLEN);
  if (eth[0] & 1) {
    static const uint8_t bcast[6] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
    skb->pkt_type = std::memcmp(eth, bcast, 6) == 0 ? PACKET_BROADCAST : PACKET_MULTICAST;
  } else if (std::memcmp(eth, dev->dev_addr.data(), 6) != 0) {
    skb->pkt_type = PACKET_OTHERHOST;
  } else {
    skb->pkt_type = PACKET_HOST;
  }
  skb->protocol = static_cast<uint16_t>(eth[12] << 8 | eth[13]);
  return skb->protocol;
}

// sk_buff_head helpers (include/linux/skbuff.h)
void __skb_queue_tail(sk_buff_head* q, sk_buff* skb) { __skb_insert_before(q, nullptr, skb); }

void __skb_insert_before(sk_buff_head* q, sk_buff* pos, sk_buff* skb) {
  if (!pos) {
    skb->prev = q->last;
    skb->next = nullptr;
    if (q->last)
      q->last->next = skb;
    else
      q->first = skb;
    q->last = skb;
  } else {
    skb->next = pos;
    skb->prev = pos->prev;
    if (pos->prev)
      pos->prev->next = skb;
    else
      q->first = skb;
    pos->prev = skb;
  }
  ++q->qlen;
}

void skb_queue_splice_tail_init(sk_buff_head* list, sk_buff_head* head) {
  if (!list->first) return;
  list->first->prev = head->last;
  if (head->last)
    head->last->next = list->first;
  else
    head->first = list->first;
  head->last = list->last;
  head->qlen += list->qlen;
  *list = sk_buff_head{};
}

sk_buff* __skb_dequeue(sk_buff_head* q) {
  sk_buff* skb = q->first;
  if (skb) __skb_unlink(skb, q);
  return skb;
}

void __skb_unlink(sk_buff* skb, sk_buff_head* q) {
  if (skb->prev)
    skb->prev->next = skb->next;
  else
    q->first = skb->next;
  if (skb->next)
    skb->next->prev = skb->prev;
  else
    q->last = skb->prev;
  skb->next = skb->prev = nullptr;
  --q->qlen;
}

}  // namespace rxpath::stack
