#!/bin/sh
# A stand-in for `rxpath run SCENARIO --out DIR --quiet` in the sweep tests
# (RXPATH_SWEEP_EXE): it writes a report.json whose figures follow from the
# scenario (offered = the ring size, dropped = the seed), so the merge has
# known values, and runs in milliseconds.
#   FAKE_LOG=FILE        append "ring seed" of every run to FILE
#   FAKE_CRASH_RING=N    the run with igb.rx_ring = N dies of SIGSEGV
#   FAKE_FAIL_RING=N     the run with igb.rx_ring = N exits 1
#   FAKE_SLEEP=S         sleep S seconds first
#   FAKE_MEASURED=1      also a "measured" block and a steady verdict (the
#                        steady-state window of the report contract): offered
#                        = 2 x ring, dropped = 2 x seed over 50 us,
#                        counters select.vfs_poll = 3 x ring, epoll.ep_poll_callback = 0
scen=$2
out=$4
ring=$(sed -n '/^\[igb\]/,/^\[/s/^rx_ring = //p' "$scen")
seed=$(sed -n '/^\[traffic\]/,/^\[/s/^seed = //p' "$scen")
[ -n "$FAKE_LOG" ] && echo "$ring $seed" >> "$FAKE_LOG"
[ -n "$FAKE_SLEEP" ] && sleep "$FAKE_SLEEP"
if [ "$ring" = "$FAKE_CRASH_RING" ]; then
  echo "fake point: crashing" >&2
  kill -SEGV $$
fi
if [ "$ring" = "$FAKE_FAIL_RING" ]; then
  echo "fake point: failing" >&2
  exit 1
fi
measured=
if [ -n "$FAKE_MEASURED" ]; then
  measured='"measured": {"warmup_us": 10, "start_us": 20, "stop_us": 70, "length_us": 50,
  "offered_frames": '$((2 * ring))', "offered_pps": 7, "offered_gbps": 0.25,
  "delivered_frames": '$((2 * ring - 2 * seed))', "dropped_frames": '$((2 * seed))', "loss_ratio": 0.125,
  "drops": {"nic.RNBC_DROP": '$((2 * seed))'}, "msix_per_s": 11, "polls_per_s": 12, "time_squeeze": 13,
  "cpu_share": {"softirq": 0.5, "hardirq": 0.25, "ksoftirqd": 0, "process": 0.125, "idle": 0.125},
  "counters": {"select.vfs_poll": '$((3 * ring))', "epoll.ep_poll_callback": 0},
  "latency_ns": {"p50": 1, "p90": 2, "p99": 3, "p999": 4, "max": 5, "mean": 2}},
 "steady": {"verdict": "transient", "reasons": ["fake"], "suggestion": "none"},'
fi
cat > "$out/report.json" <<JSON
{$measured "seed": $seed, "sim_us": 100,
 "offered": {"frames": $ring, "bytes": $((ring * 64))},
 "delivered": {"frames": $((ring - seed))},
 "accounting": {"dropped": $seed, "drops": {"nic.MPC": $seed, "stack.rcvbuf": 0}},
 "interrupts": {"msix": 10, "napi_polls": 20, "time_squeeze": 1},
 "latency_ns": {"p50": 1000, "p99": 2000, "p999": 3000},
 "cpu_ns": {"cpu0.softirq": 300, "cpu0.idle": 700, "cpu1.process": 1000}}
JSON
