// SPDX-License-Identifier: Apache-2.0
// stack/debug.hpp: the stack's debug categories, in the one registry
// (common/debug.hpp): switched on by `rxpath --debug napi,gro,udp`;
// `rxpath --debug help` lists them. Nothing is formatted unless the
// category is on.
//
// The switches are process-wide, not per Kernel: several Kernels in one test
// process share them (as the kernel's dynamic debug is per image, not per
// CPU).
#pragma once

#include <cstdint>

#include "common/debug.hpp"
#include "common/sim_time.hpp"

namespace rxpath::stack {

namespace dbg {
extern common::debug::Flag irq, softirq, sched, napi, gro, dev, arp, ip, udp, tcp, sock, poll, epoll;
}  // namespace dbg

}  // namespace rxpath::stack

// Usage: RXS_DBG(napi, "poll " << n << " work " << w);
#define RXS_DBG(cat, expr) RXPATH_DSTREAM(::rxpath::stack::dbg::cat, ::rxpath::common::now_ps(), expr)
