// SPDX-License-Identifier: MIT
// Idle-skip helpers shared by the SystemC bridge (verilator/sc/nic_sc.cpp)
// and the RTL test of quiescence (rtl/tests/test_nic_quiescent.cpp).
#pragma once
#include <algorithm>
#include <cstdint>

namespace rxpath::vh {

// How many clocks after the current one a skip may cover at most, counting
// the evaluated last clock (so a skip ends at clock c + skip_limit_eitr() at
// the latest): for every vector that waits to fire (pending, its cause set,
// enabled) while its EITR interval runs, the clock whose microsecond tick
// ends the interval; the message then goes one clock later, as without the
// skip. rxp_intr's time base: tick j after the current clock comes k =
// ceil((625 j - acc_q) / 4) clocks on. A white-box read of rxp_intr's
// registers (they are only read). UINT64_MAX when no vector waits.
template <class Root>
uint64_t skip_limit_eitr(const Root& r) {
  const uint32_t wait = r.nic_top__DOT__u_intr__DOT__pend_q & r.nic_top__DOT__u_intr__DOT__eicr_q &
                        r.nic_top__DOT__u_intr__DOT__eims_q & r.nic_top__DOT__u_intr__DOT__busy_q;
  if (wait == 0) return UINT64_MAX;
  const uint64_t acc = r.nic_top__DOT__u_intr__DOT__acc_q;
  const uint16_t now = r.nic_top__DOT__u_intr__DOT__now_q;
  uint64_t lim = UINT64_MAX;
  for (unsigned v = 0; (wait >> v) != 0; ++v) {
    if (!((wait >> v) & 1)) continue;
    const uint64_t d = static_cast<uint16_t>(r.nic_top__DOT__u_intr__DOT__exp_q[v] - now);  // ticks left, >= 1
    lim = std::min(lim, (625 * d - acc + 3) / 4);
  }
  return lim;
}

}  // namespace rxpath::vh
