// SPDX-License-Identifier: Apache-2.0
// stack/netdevice.hpp: struct net_device, struct napi_struct, softnet_data
// and the NAPI entry points a driver uses (include/linux/netdevice.h,
// net/core/dev.c, net/core/gro.c).
//
// Driver pattern (igb): ISR -> napi_schedule(napi); poll(napi, budget) ->
// napi_gro_receive(napi, skb) per frame -> if work < budget:
// napi_complete_done(napi, work) and re-enable the IRQ if it returned true.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <string>

#include "stack/skbuff.hpp"
#include "stack/tracing.hpp"

namespace rxpath::stack {

class Kernel;
class Cpu;
struct napi_struct;

// netdev_features_t bits (include/linux/netdev_features.h), as flags.
enum netdev_features : uint64_t {
  NETIF_F_RXCSUM = 1ull << 0,
  NETIF_F_GRO = 1ull << 1,
  NETIF_F_RXHASH = 1ull << 2,
  NETIF_F_RXALL = 1ull << 3,
};

// struct rtnl_link_stats64 (include/uapi/linux/if_link.h), RX fields + tx.
struct rtnl_link_stats64 {
  uint64_t rx_packets = 0, tx_packets = 0, rx_bytes = 0, tx_bytes = 0;
  uint64_t rx_errors = 0, tx_errors = 0, rx_dropped = 0, tx_dropped = 0;
  uint64_t multicast = 0, collisions = 0;
  uint64_t rx_length_errors = 0, rx_over_errors = 0, rx_crc_errors = 0;
  uint64_t rx_frame_errors = 0, rx_fifo_errors = 0, rx_missed_errors = 0;
  uint64_t rx_compressed = 0, tx_compressed = 0, rx_nohandler = 0;
  uint64_t rx_otherhost_dropped = 0;
};

class net_device {
 public:
  std::string name = "eth0";
  std::array<uint8_t, 6> dev_addr{{0x02, 0x00, 0x00, 0x00, 0x00, 0x01}};
  uint32_t ipv4_addr = 0;  // host byte order, e.g. 10.0.0.1 = 0x0A000001
  uint32_t mtu = 1500;
  uint64_t features = NETIF_F_RXCSUM | NETIF_F_GRO | NETIF_F_RXHASH;
  int ifindex = 0;
  // The driver updates these (ring sums, as igb_get_stats64 reports);
  // the stack adds rx_dropped / rx_nohandler / rx_otherhost_dropped.
  rtnl_link_stats64 stats;
  // Optional: the driver's extra stats folded into /proc/net/dev
  // (igb_get_stats64 fills rx_missed/fifo from hardware registers).
  std::function<void(rtnl_link_stats64&)> get_stats64;
  Kernel* kernel = nullptr;  // set by Kernel::register_netdev (dev_net)
};

constexpr int NAPI_POLL_WEIGHT = 64;
constexpr int GRO_HASH_BUCKETS = 8;
constexpr int MAX_GRO_SKBS = 8;
constexpr unsigned GRO_LEGACY_MAX_SIZE = 65536;

// NAPI_STATE_* bits.
enum : unsigned long { NAPI_STATE_SCHED = 1ul << 0, NAPI_STATE_MISSED = 1ul << 1, NAPI_STATE_DISABLE = 1ul << 2 };

struct gro_list {
  sk_buff* first = nullptr;  // oldest first
  sk_buff* last = nullptr;
  int count = 0;
};

using napi_poll_t = std::function<int(napi_struct* napi, int budget)>;

struct napi_struct {
  net_device* dev = nullptr;
  napi_poll_t poll;
  int weight = NAPI_POLL_WEIGHT;
  unsigned long state = 0;
  int cpu = -1;                      // CPU whose poll_list holds it while scheduled
  napi_struct* poll_next = nullptr;  // softnet_data.poll_list linkage
  bool on_poll_list = false;
  // GRO state (struct napi_struct gro_hash / gro_bitmask / rx_list / rx_count)
  std::array<gro_list, GRO_HASH_BUCKETS> gro_hash{};
  unsigned gro_bitmask = 0;
  sk_buff_head rx_list;
  int rx_count = 0;  // segments on rx_list
  // statistics of the model; work_hist: polls by the work they did, in
  // buckets 0, 1, 2-3, 4-7, 8-15, 16-31, 32-63, 64+ (napi_work_bucket)
  uint64_t polls = 0, complete_done = 0, missed = 0, repolls = 0;
  std::array<uint64_t, 8> work_hist{};
  // tracing: host.napi.<name>.{scheduled,polling,work,budget,cpu}; name set
  // by the driver before netif_napi_add ("rx0"), empty = "rx<registration
  // index>"; cpu: the CPU it was last scheduled on (where it is polled), 255
  // before its first schedule
  std::string name;
  TraceSig t_scheduled, t_polling, t_work, t_budget, t_cpu;
};

// The work_hist bucket of a poll that took `work` packets.
inline unsigned napi_work_bucket(int work) {
  unsigned b = 0;
  for (int w = work; w > 0 && b < 7; w >>= 1) ++b;
  return b;
}

// A list of NAPI instances (the poll_list's list_head).
struct napi_list {
  napi_struct* poll_first = nullptr;
  napi_struct* poll_last = nullptr;
};

// struct softnet_data (include/linux/netdevice.h), per CPU. The RPS part
// (input_pkt_queue, process_queue, backlog, rps_ipi_list/next) is used only
// when KernelConfig::rps_cpus is set.
struct softnet_data : napi_list {
  bool in_net_rx_action = false;
  uint64_t processed = 0, dropped = 0, time_squeeze = 0, received_rps = 0, flow_limit_count = 0;
  uint64_t net_rx_action_calls = 0, budget_exhausted = 0;
  // RPS (CONFIG_RPS): the backlog of skbs other CPUs steered here, the NAPI
  // that drains it (process_backlog), and the CPUs this one owes an IPI.
  int cpu = 0;
  sk_buff_head input_pkt_queue;  // enqueue_to_backlog adds here
  sk_buff_head process_queue;    // process_backlog works from here
  napi_struct* backlog = nullptr;
  softnet_data* rps_ipi_list = nullptr;  // CPUs to send an IPI to at the end of net_rx_action
  softnet_data* rps_ipi_next = nullptr;  // linkage on another CPU's rps_ipi_list
  uint64_t ipis_sent = 0;                // model: IPIs this CPU sent (net_rps_send_ipi)
  int rps_ipi_from = -1;                 // the CPU that sent the last IPI here (tracing)
};

// netif_napi_add_weight (net/core/dev.c); weight default NAPI_POLL_WEIGHT.
void netif_napi_add(net_device* dev, napi_struct* napi, napi_poll_t poll, int weight = NAPI_POLL_WEIGHT);
void napi_enable(napi_struct* napi);
void napi_disable(napi_struct* napi);
// __netif_napi_del (net/core/dev.c): frees what the instance holds (GRO, rx_list).
void netif_napi_del(napi_struct* napi);
// napi_schedule_prep: sets SCHED; if already set sets MISSED and returns false.
bool napi_schedule_prep(napi_struct* napi);
// __napi_schedule: puts napi on the current CPU's poll_list, raises NET_RX.
void __napi_schedule(napi_struct* napi);
// napi_schedule: prep + __napi_schedule. Returns true if scheduled.
bool napi_schedule(napi_struct* napi);
// napi_complete_done: flush GRO, gro_normal_list, clear SCHED; false if
// MISSED (napi rescheduled) or if the poll must keep going.
bool napi_complete_done(napi_struct* napi, int work_done);

enum gro_result_t { GRO_MERGED, GRO_MERGED_FREE, GRO_HELD, GRO_NORMAL, GRO_CONSUMED };
// napi_gro_receive (net/core/gro.c): consumes the skb (GRO or straight up).
gro_result_t napi_gro_receive(napi_struct* napi, sk_buff* skb);
// netif_receive_skb (net/core/dev.c): no GRO.
void netif_receive_skb(sk_buff* skb);

}  // namespace rxpath::stack
