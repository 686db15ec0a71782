// SPDX-License-Identifier: Apache-2.0
// stack/skbuff.hpp: struct sk_buff (include/linux/skbuff.h, net/core/skbuff.c).
//
// The linear part is a buffer [head, end) with data/tail offsets as in the
// kernel; paged data are frags that share the buffers of other skbs (what
// skb_gro_receive does with page frags). skb_shared_info (frags, gso_size,
// gso_segs) lives in `shinfo`. Bounds violations of skb_put/skb_push raise
// SkbPanic (skb_over_panic / skb_under_panic); skb_pull beyond len returns
// nullptr as in the kernel.
#pragma once

#include <systemc>

#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "common/eth.hpp"

namespace rxpath::stack {

class net_device;
struct sock;

constexpr unsigned MAX_SKB_FRAGS = 17;            // include/linux/skbuff.h
constexpr unsigned NET_SKB_PAD = 64;              // max(32, L1_CACHE_BYTES) on x86-64
constexpr unsigned NET_IP_ALIGN = 0;              // x86/arm64
constexpr unsigned SKB_DATA_ALIGN_TO = 64;        // SMP_CACHE_BYTES
constexpr unsigned SIZEOF_SK_BUFF = 232;          // sizeof(struct sk_buff), x86-64 v6.8
constexpr unsigned SIZEOF_SKB_SHARED_INFO = 320;  // sizeof(struct skb_shared_info), x86-64 v6.8
using eth::ETH_HLEN;
using eth::ETH_P_8021AD;
using eth::ETH_P_8021Q;
using eth::ETH_P_ARP;
using eth::ETH_P_IP;
using eth::ETH_P_IPV6;

constexpr unsigned SKB_DATA_ALIGN(unsigned x) { return (x + SKB_DATA_ALIGN_TO - 1) & ~(SKB_DATA_ALIGN_TO - 1); }
// SKB_TRUESIZE(X) = X + aligned sk_buff + aligned skb_shared_info.
constexpr unsigned SKB_TRUESIZE(unsigned x) {
  return x + SKB_DATA_ALIGN(SIZEOF_SK_BUFF) + SKB_DATA_ALIGN(SIZEOF_SKB_SHARED_INFO);
}

// pkt_type (include/uapi/linux/if_packet.h)
enum : uint8_t { PACKET_HOST = 0, PACKET_BROADCAST = 1, PACKET_MULTICAST = 2, PACKET_OTHERHOST = 3 };
// ip_summed
enum : uint8_t { CHECKSUM_NONE = 0, CHECKSUM_UNNECESSARY = 1, CHECKSUM_COMPLETE = 2 };

// skb_over_panic / skb_under_panic: a model error, never silently ignored.
struct SkbPanic : std::logic_error {
  using std::logic_error::logic_error;
};

using skb_buf = std::shared_ptr<std::vector<uint8_t>>;

struct skb_frag_t {
  skb_buf page;  // shared storage
  uint32_t offset = 0;
  uint32_t size = 0;
};

struct skb_shared_info {
  uint8_t nr_frags = 0;
  skb_frag_t frags[MAX_SKB_FRAGS];
  uint16_t gso_size = 0;
  uint16_t gso_segs = 0;
};

// NAPI_GRO_CB (include/net/gro.h) plus TCP_SKB_CB (include/net/tcp.h) scratch.
struct skb_cb {
  // GRO
  uint16_t gro_count = 0;  // segments held in this skb (NAPI_GRO_CB(skb)->count)
  uint8_t gro_flush = 0;
  uint8_t gro_same_flow = 0;
  uint64_t gro_age = 0;  // jiffies when first held
  uint16_t gro_data_offset = 0;
  // TCP
  uint32_t seq = 0, end_seq = 0, ack_seq = 0;
  uint8_t tcp_flags = 0;
};

struct sk_buff {
  sk_buff* next = nullptr;  // list linkage (sk_buff_head, GRO lists, rx_list)
  sk_buff* prev = nullptr;
  net_device* dev = nullptr;
  sock* sk = nullptr;

  // linear buffer: head is offset 0 of `buf`
  skb_buf buf;
  uint32_t data = 0, tail = 0, end = 0;  // offsets from head
  uint32_t len = 0, data_len = 0;
  uint32_t truesize = 0;
  uint16_t mac_header = 0xFFFF, network_header = 0xFFFF, transport_header = 0xFFFF;

  uint16_t protocol = 0;  // network byte order value as host integer (ETH_P_*)
  // The VLAN tag taken off by skb_vlan_untag (__vlan_hwaccel_put_tag):
  // vlan_present is skb_vlan_tag_present, vlan_tci the tag's TCI.
  bool vlan_present = false;
  uint16_t vlan_proto = 0, vlan_tci = 0;
  uint8_t pkt_type = PACKET_HOST;
  uint8_t ip_summed = CHECKSUM_NONE;
  uint32_t hash = 0;
  bool l4_hash = false;  // hash covers the 4-tuple (skb_set_hash PKT_HASH_TYPE_L4)
  bool sw_hash = false;  // hash computed by the stack (__skb_get_hash)
  uint16_t queue_mapping = 0;
  uint64_t trace_id = 0;  // per-packet journey id (set by the driver/testbench)
  sc_core::sc_time tstamp{sc_core::SC_ZERO_TIME};
  uint32_t frames = 1;  // wire frames this skb stands for (GRO, reassembly)
  skb_cb cb;
  skb_shared_info shinfo;
  std::vector<sk_buff*> frag_list;  // skb_shinfo()->frag_list: GRO chains segments here past MAX_SKB_FRAGS
  // build_skb copies lazily: bytes of the driver's buffer are copied when
  // skb_put covers them (the buffer must stay valid until the skb is handed
  // to the stack). `buf` may be shorter than `end`; it always covers tail.
  const uint8_t* build_src = nullptr;

  // Storage comes from a free list (skbuff_head_cache), see skbuff.cpp.
  static void* operator new(std::size_t size);
  static void operator delete(void* p, std::size_t size);

  uint8_t* head_ptr() { return buf->data(); }
  uint8_t* data_ptr() { return buf->data() + data; }
  const uint8_t* data_ptr() const { return buf->data() + data; }
  uint8_t* tail_ptr() { return buf->data() + tail; }
  uint32_t headlen() const { return len - data_len; }              // skb_headlen
  uint32_t headroom() const { return data; }                       // skb_headroom
  uint32_t tailroom() const { return data_len ? 0 : end - tail; }  // skb_tailroom
  uint8_t* network_ptr() { return buf->data() + network_header; }
  uint8_t* transport_ptr() { return buf->data() + transport_header; }
  void reset_network_header() { network_header = static_cast<uint16_t>(data); }
  void reset_transport_header() { transport_header = static_cast<uint16_t>(data); }
  void reset_mac_header() { mac_header = static_cast<uint16_t>(data); }
};

// alloc_skb (net/core/skbuff.c): linear buffer of `size` bytes (+ no headroom).
sk_buff* alloc_skb(unsigned size);
// build_skb (net/core/skbuff.c): wraps a filled buffer of frag_size bytes
// (the driver's half page); the skb's data starts at the buffer start
// (the caller then does skb_reserve(headroom) and skb_put(len)).
// The bytes are copied so the driver may recycle its page.
sk_buff* build_skb(const uint8_t* buffer, unsigned frag_size);
// napi_alloc_skb (net/core/skbuff.c): NET_SKB_PAD + NET_IP_ALIGN headroom reserved.
sk_buff* napi_alloc_skb(unsigned length);
// skb_clone (net/core/skbuff.c): a second sk_buff over the same data. The
// clone stands for no wire frame of its own (frames = 0): the frame is
// accounted where the original ends (__udp4_lib_mcast_deliver gives the
// original to one socket and clones to the others). The head is copied
// rather than shared, so neither can see the other's header edits.
sk_buff* skb_clone(const sk_buff* skb);
// skb_vlan_untag (net/core/skbuff.c): moves an in-band 802.1Q/802.1ad tag
// at skb->data into vlan_tci, sets the protocol to the encapsulated one
// (vlan_set_encap_proto) and moves the MAC addresses up over the tag
// (skb_reorder_vlan_header), so the MAC header is again 14 bytes before the
// network header. Returns false when the frame is too short for the tag and
// the following type (the caller frees it); leaves an skb that already has a
// tag alone.
bool skb_vlan_untag(sk_buff* skb);
// Frees an skb without accounting (use kfree_skb_reason / consume_skb in the stack).
void __kfree_skb(sk_buff* skb);

void skb_reserve(sk_buff* skb, unsigned len);  // include/linux/skbuff.h
uint8_t* skb_put(sk_buff* skb, unsigned len);  // net/core/skbuff.c, SkbPanic on overflow
uint8_t* skb_put_data(sk_buff* skb, const void* d, unsigned len);
uint8_t* skb_push(sk_buff* skb, unsigned len);   // SkbPanic on underflow
uint8_t* skb_pull(sk_buff* skb, unsigned len);   // nullptr if len > skb->len
bool pskb_may_pull(sk_buff* skb, unsigned len);  // linear part >= len (pulls frags in)
void skb_trim(sk_buff* skb, unsigned len);       // pskb_trim for linear+frags
// skb_add_rx_frag (net/core/skbuff.c): appends a page frag.
void skb_add_rx_frag(sk_buff* skb, skb_buf page, unsigned off, unsigned size, unsigned truesize);
// skb_copy_bits: copies len bytes from offset (linear then frags); false if out of range.
bool skb_copy_bits(const sk_buff* skb, unsigned offset, void* to, unsigned len);
// All bytes from data to the end (linear + frags), for tests and captures.
std::vector<uint8_t> skb_linearize_copy(const sk_buff* skb);
// eth_type_trans (net/ethernet/eth.c): sets pkt_type against dev's MAC,
// pulls 14 bytes, returns the protocol (host-order ETH_P_*).
uint16_t eth_type_trans(sk_buff* skb, net_device* dev);

// sk_buff_head (include/linux/skbuff.h): FIFO queue of skbs.
struct sk_buff_head {
  sk_buff* first = nullptr;
  sk_buff* last = nullptr;
  uint32_t qlen = 0;
  bool empty() const { return qlen == 0; }
};
void __skb_queue_tail(sk_buff_head* q, sk_buff* skb);
sk_buff* __skb_dequeue(sk_buff_head* q);
void __skb_unlink(sk_buff* skb, sk_buff_head* q);
void __skb_insert_before(sk_buff_head* q, sk_buff* pos, sk_buff* skb);  // pos nullptr = tail
// skb_queue_splice_tail_init: `list`'s skbs go to the tail of `head`, in
// order; `list` is left empty.
void skb_queue_splice_tail_init(sk_buff_head* list, sk_buff_head* head);

// Live skb count (leak check in tests).
int64_t skb_live_count();

}  // namespace rxpath::stack
