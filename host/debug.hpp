// SPDX-License-Identifier: MIT
// The host's debug categories, in the one registry (common/debug.hpp):
// switched on by `rxpath --debug link,desc` (host_bench --debug=...);
// `rxpath --debug help` lists them.
//   HOST_DPRINTF(cat, fmt, ...) prints one line of category host::dbg::cat at
//   the current SystemC time, if that category is on (a load and a branch
//   when it is off).
// The driver's ISR and its NAPI poll print under the stack's irq and napi
// (stack/debug.hpp): they are the same hard interrupt and the same poll.
#pragma once

#include <cstdint>

#include "common/debug.hpp"
#include "common/sim_time.hpp"
#include "stack/debug.hpp"

namespace rxpath::host {

namespace dbg {
extern common::debug::Flag link, msix, desc, itr;
using stack::dbg::irq;
using stack::dbg::napi;
}  // namespace dbg

}  // namespace rxpath::host

#define HOST_DPRINTF(cat, ...) RXPATH_DPRINTF(::rxpath::host::dbg::cat, ::rxpath::common::now_ps(), __VA_ARGS__)
