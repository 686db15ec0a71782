#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""waves/tools/timeline_png.py: draws a small timeline (CPU spans, NIC slices,
a flow) to a PNG, honours --start-us/--stop-us, and fails with a message naming
the problem for a missing file, a file that is not a trace, or a bad window.

    timeline_png_test.py TOOL SCRATCH_DIR [RXPATH]

With RXPATH, also a real run of 4 RSS queues on 4 CPUs: its timeline.json
names a lane for every CPU (cpu0..cpu3, each with events) and the picture
draws each of them; it fails when a CPU's lane is missing.
"""
import json
import os
import subprocess
import sys

TOOL, SCRATCH = sys.argv[1], sys.argv[2]
os.makedirs(SCRATCH, exist_ok=True)
failures = []


def check(cond, what):
    if not cond:
        failures.append(what)
        print("FAIL:", what)


def run(*args):
    return subprocess.run([sys.executable, TOOL, *args], capture_output=True, text=True)


events = [
    {"name": "process_name", "ph": "M", "pid": 1, "args": {"name": "host"}},
    {"name": "thread_name", "ph": "M", "pid": 1, "tid": 0, "args": {"name": "cpu0"}},
    {"name": "process_name", "ph": "M", "pid": 2, "args": {"name": "NIC"}},
    {"name": "thread_name", "ph": "M", "pid": 2, "tid": 1, "args": {"name": "MAC"}},
    {"name": "thread_name", "ph": "M", "pid": 2, "tid": 4, "args": {"name": "DMA"}},
    {"name": "frame #1", "ph": "X", "ts": 0.64, "dur": 1.2, "pid": 2, "tid": 1, "args": {"id": 1}},
    {"name": "packet", "cat": "packet", "ph": "s", "id": 1, "ts": 0.64, "pid": 2, "tid": 1, "bp": "e"},
    {"name": "dma_write #1", "ph": "X", "ts": 2.0, "dur": 0.6, "pid": 2, "tid": 4, "args": {"id": 1}},
    {"name": "packet", "cat": "packet", "ph": "t", "id": 1, "ts": 2.0, "pid": 2, "tid": 4, "bp": "e"},
    {"name": "net_rx_action", "ph": "B", "ts": 3.0, "pid": 1, "tid": 0},
    {"name": "ip_rcv", "ph": "i", "s": "t", "ts": 3.5, "pid": 1, "tid": 0, "args": {"id": 1}},
    {"name": "packet", "cat": "packet", "ph": "f", "id": 1, "ts": 3.5, "pid": 1, "tid": 0, "bp": "e"},
    {"name": "net_rx_action", "ph": "E", "ts": 4.0, "pid": 1, "tid": 0},
    {"name": "host.sock.fd5.rx_queue", "ph": "C", "ts": 3.6, "pid": 1, "args": {"value": 1}},
]
tl = os.path.join(SCRATCH, "tiny_timeline.json")
with open(tl, "w") as f:
    json.dump({"traceEvents": events, "displayTimeUnit": "ns"}, f)

png = os.path.join(SCRATCH, "tiny_timeline.png")
if os.path.exists(png):
    os.remove(png)
r = run(tl, png)
check(r.returncode == 0, f"draws a small timeline (rc {r.returncode}: {r.stderr.strip()})")
check(os.path.exists(png) and open(png, "rb").read(8) == b"\x89PNG\r\n\x1a\n", "writes a PNG")
check("3 lanes, 1 flows" in r.stdout, f"cpu0, MAC and DMA lanes and one flow: {r.stdout.strip()}")

r = run(tl, png, "--start-us", "2.7", "--stop-us", "4")
check(r.returncode == 0 and "1 lanes" in r.stdout, f"a window keeps only cpu0: {r.stdout.strip()} {r.stderr.strip()}")

r = run(os.path.join(SCRATCH, "no_such.json"), png)
check(r.returncode == 2 and "no_such.json" in r.stderr, f"missing file named: {r.stderr.strip()}")

bad = os.path.join(SCRATCH, "not_a_trace.json")
with open(bad, "w") as f:
    json.dump({"events": []}, f)
r = run(bad, png)
check(r.returncode == 2 and "traceEvents" in r.stderr, f"not a trace: {r.stderr.strip()}")

r = run(tl, png, "--start-us", "3", "--stop-us", "1")
check(r.returncode == 2 and "--stop-us" in r.stderr, f"bad window: {r.stderr.strip()}")

if len(sys.argv) > 3:
    RXPATH = sys.argv[3]
    run_json = os.path.join(SCRATCH, "four_cpus.json")
    r = subprocess.run([RXPATH, "--duration-us", "60", "--set", "igb.queues=4", "--set", "kernel.cpus=4",
                        "--set", "traffic.udp_flows=16", "--set", "traffic.tcp_flows=0",
                        "--set", "traffic.rate_gbps=1", "--timeline", run_json], capture_output=True, text=True)
    check(r.returncode == 0, f"rxpath --timeline of 4 queues on 4 CPUs (rc {r.returncode}: {r.stderr[-400:]})")
    if r.returncode == 0:
        ev = json.load(open(run_json))["traceEvents"]
        host = [e["pid"] for e in ev if e.get("name") == "process_name" and e["args"]["name"] == "host"]
        check(len(host) == 1, "one host process")
        lanes = {e["tid"]: e["args"]["name"] for e in ev
                 if host and e.get("name") == "thread_name" and e["pid"] == host[0]}
        busy = {e["tid"] for e in ev if host and e.get("pid") == host[0] and e.get("ph") in ("B", "X", "i")}
        for c in range(4):
            check(lanes.get(c) == f"cpu{c}", f"timeline.json has lane cpu{c}: {sorted(lanes.items())}")
            check(c in busy, f"cpu{c} has events (each CPU polls a queue)")
        png4 = os.path.join(SCRATCH, "four_cpus.png")
        r = run(run_json, png4, "--start-us", "10", "--stop-us", "40")
        check(r.returncode == 0, f"draws the 4-CPU timeline: {r.stderr.strip()}")
        drawn = r.stdout.split("lanes: ", 1)[-1].split(", ") if "lanes: " in r.stdout else []
        for c in range(4):
            check(f"host: cpu{c}" in [d.strip() for d in drawn], f"the picture has a lane for cpu{c}: {drawn}")

sys.exit(1 if failures else 0)
