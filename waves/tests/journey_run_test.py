#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""--journey N against the run's own accounting, for several frames of several
scenarios (UDP and TCP, dropped frames, select and epoll readers, the reader
on the softirq's CPU or another).

For each (scenario, frame) rxpath runs with --out DIR --pcap --journey N
--journey-json, and the journey must agree with an oracle outside the
journey code:
  - the wire capture (wire.pcap, written by the testbench when the frame's
    first character is on the wire): the first step is xgmii_start, at that
    time (the capture has whole nanoseconds);
  - the socket captures (socket-*.pcap: what each recv() returned): a frame
    whose payload is there was delivered, one that is not was not;
  - report.json's drop counters: a dropped frame's counter counted something;
  - a journey that stops at the writeback without a verdict (host_unknown)
    is wrong for a frame a socket capture has (generated traffic: every
    frame is known to the host, short TCP segments by port and sequence).
And the steps' times never go back; a delivered journey ends with a recv.

usage: journey_run_test.py RXPATH SCENARIO_DIR SCRATCH_DIR
"""
import json
import os
import struct
import subprocess
import sys


def pcap_records(path):
    """(t_ns, bytes) of every record of a classic pcap (µs or ns stamps)."""
    with open(path, "rb") as f:
        data = f.read()
    magic = struct.unpack("<I", data[:4])[0]
    scale = {0xA1B2C3D4: 1000, 0xA1B23C4D: 1}[magic]  # ns per fraction unit
    off, out = 24, []
    while off + 16 <= len(data):
        sec, frac, incl, _ = struct.unpack("<IIII", data[off:off + 16])
        off += 16
        out.append((sec * 1_000_000_000 + frac * scale, data[off:off + incl]))
        off += incl
    return out


def l4_payload(frame):
    """The UDP or TCP payload of an Ethernet/IPv4 frame, or None."""
    if len(frame) < 34 or frame[12:14] != b"\x08\x00":
        return None
    ihl = (frame[14] & 15) * 4
    tot = frame[16] << 8 | frame[17]
    proto = frame[23]
    l4 = 14 + ihl
    end = 14 + tot
    if proto == 17:
        return frame[l4 + 8:end]
    if proto == 6:
        return frame[l4 + (frame[l4 + 12] >> 4) * 4:end]
    return None


def delivered_bytes(out_dir):
    """Everything recv() returned, per socket: UDP datagrams and TCP streams."""
    socks = []
    for name in sorted(os.listdir(out_dir)):
        if not (name.startswith("socket-") and name.endswith(".pcap")):
            continue
        recs = [l4_payload(r) for _, r in pcap_records(os.path.join(out_dir, name))]
        socks.append(b"".join(p for p in recs if p))
    return socks


HOPS = []  # the enqueue_to_backlog details seen (RPS hops)


def spread_checks(steps, bad):
    """RSS and RPS in the steps: the queue the NIC chose is the ring the driver
    cleaned, the MSI-X vector the NIC sent is the one the ISR names, the
    cleaned descriptor carries the RSS hash; an RPS hop goes enqueue_to_backlog
    (queue's CPU) -> [net_rps_send_ipi -> rps_trigger_softirq on the target,
    in hardirq, when this packet's enqueue owed the IPI] -> process_backlog on
    the CPU the enqueue named, and the stack runs there after it."""
    by = {}
    for i, s in enumerate(steps):
        by.setdefault(s["name"], []).append(i)
    if "desc_assign" in by and "igb_clean_rx_irq" in by:
        q = steps[by["desc_assign"][0]]["detail"].split()[1]
        d = steps[by["igb_clean_rx_irq"][0]]["detail"]
        if not d.startswith(f"q{q} "):
            bad(f"desc_assign queue {q}, igb_clean_rx_irq cleaned {d}")
        if " rss 0x" not in d:
            bad(f"igb_clean_rx_irq names no RSS hash: {d}")
    if "msix" in by and "igb_msix_ring" in by:
        v = steps[by["msix"][0]]["detail"]
        h = steps[by["igb_msix_ring"][0]]["detail"]
        if not h.startswith("MSI-X " + v + " "):
            bad(f"the NIC sent {v}, the ISR says {h}")
    if "enqueue_to_backlog" not in by:
        return
    e = by["enqueue_to_backlog"][0]
    detail = steps[e]["detail"]
    HOPS.append(detail)
    target = int(detail.split()[0][3:])
    if "process_backlog" not in by:
        bad(f"enqueue_to_backlog ({detail}) but no process_backlog step")
        return
    p = by["process_backlog"][0]
    if p < e or steps[p]["cpu"] != target:
        bad(f"process_backlog on cpu{steps[p]['cpu']} (step {p}), enqueue_to_backlog named cpu{target} (step {e})")
    if "IPI to" in detail:
        for name, cpu, where in (("net_rps_send_ipi", steps[e]["cpu"], "softirq"),
                                 ("rps_trigger_softirq", target, "hardirq")):
            ok = [i for i in by.get(name, []) if e < i < p and steps[i]["cpu"] == cpu and where in steps[i]["where"]]
            if not ok:
                bad(f"the enqueue owed an IPI to cpu{target}: no {name} on cpu{cpu} ({where}) before process_backlog")
    for s in steps[p:]:
        if s["name"] in ("ip_rcv", "udp_rcv", "__udp_enqueue_schedule_skb") and s["cpu"] != target:
            bad(f"{s['name']} on cpu{s['cpu']} after process_backlog on cpu{target}")


def check(rxpath, scenario, frame, extra, scratch, failures):
    tag = f"{os.path.basename(scenario) or 'default'} {' '.join(extra)} frame {frame}"
    out = os.path.join(scratch, "run")
    subprocess.run(["rm", "-rf", out], check=True)
    os.makedirs(out)
    jpath = os.path.join(out, "journey.json")
    args = [rxpath] + ([scenario] if scenario else []) + extra + [
        "--quiet", "--out", out, "--pcap", "--journey", str(frame), "--journey-json", jpath]
    run = subprocess.run(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    if run.returncode != 0:
        failures.append(f"{tag}: rxpath exit {run.returncode}: {run.stderr.strip()}")
        return None
    j = json.load(open(jpath))
    report = json.load(open(os.path.join(out, "report.json")))
    wire = pcap_records(os.path.join(out, "wire.pcap"))
    steps = j["stages"]
    bad = lambda why: failures.append(f"{tag}: {why}\n  journey: {json.dumps(j)[:2000]}")

    # Steps in time order, from the frame's first character on the wire.
    ts = [s["t_ps"] for s in steps]
    if ts != sorted(ts):
        bad(f"step times go back: {[(s['name'], s['t_ps']) for s in steps]}")
    if not steps or steps[0]["name"] != "xgmii_start":
        bad("the first step is not xgmii_start")
    elif steps[0]["t_ps"] // 1000 != wire[frame][0]:
        bad(f"xgmii_start at {steps[0]['t_ps']} ps, the wire capture has {wire[frame][0]} ns")
    for c in j.get("context", []):
        if not c.get("why"):
            bad(f"context stage {c['name']} says no why")

    spread_checks(steps, bad)

    payload = l4_payload(wire[frame][1])
    got = any(payload and payload in s for s in delivered_bytes(out))
    kind = j["outcome"]["kind"]
    if got and kind != "delivered":
        bad(f"the socket capture has the frame's payload, the journey says {kind}")
    if not got and kind == "delivered":
        bad("the journey says delivered, no socket capture has the frame's payload")
    if kind == "delivered" and not steps[-1]["name"].endswith("recvmsg"):
        bad(f"delivered, but the last step is {steps[-1]['name']}")
    if kind == "dropped":
        counter = j["outcome"]["counter"].split()[0]
        drops = report["accounting"]["drops"]
        n = drops.get("nic." + counter, drops.get("stack." + counter))
        if not n:
            bad(f"dropped in {counter}, which report.json counts {n}")
    return kind


def main():
    rxpath, scen, scratch = sys.argv[1:4]
    os.makedirs(scratch, exist_ok=True)
    S = lambda name: os.path.join(scen, name)
    cases = [
        # (scenario, extra args, frames)
        ("", ["--duration-us", "100"], [0, 1, 50, 200]),  # epoll reader on cpu1
        ("", ["--duration-us", "60", "--set", "traffic.rate_gbps=0.5", "--set", "app.cpu=0"], [0, 1, 5]),
        ("", ["--duration-us", "60", "--set", "kernel.cpus=4", "--set", "app.cpu=3"], [3, 40]),
        (S("select-vs-epoll.toml"), ["--duration-us", "300"], [0, 3, 10]),  # select over 513 fds
        (S("select-vs-epoll.toml"), ["--duration-us", "100", "--set", "app.mode=\"poll\""], [2]),
        (S("ring-overflow.toml"), ["--duration-us", "200"], [0, 100, 2000]),  # MPC drops
        (S("tcp-bulk.toml"), ["--duration-us", "100"], [0, 5, 29]),
        # 64-byte TCP segments (6 bytes of payload: no frame number; the
        # testbench finds them by port and sequence), merged by GRO
        ("", ["--duration-us", "100"], [77, 154]),
        (S("faults.toml"), ["--duration-us", "200"], [7, 19, 27]),  # IP_CSUM, RUC drops
        # RSS: 16 UDP flows on 4 queues and 4 CPUs (queue, vector, CPU, hash)
        ("", ["--duration-us", "60", "--set", "igb.queues=4", "--set", "kernel.cpus=4", "--set",
              "traffic.udp_flows=16", "--set", "traffic.tcp_flows=0", "--set", "traffic.rate_gbps=1"], [5, 6, 30]),
        # RPS: one queue on CPU 0, the stack on CPUs 1..3 (the hop, the IPI)
        ("", ["--duration-us", "60", "--set", "kernel.cpus=4", "--set", "kernel.rps_cpus=0xe", "--set",
              "traffic.udp_flows=16", "--set", "traffic.tcp_flows=0", "--set", "traffic.rate_gbps=1"], [0, 5, 30]),
    ]
    failures, kinds = [], {}
    for scenario, extra, frames in cases:
        for n in frames:
            k = check(rxpath, scenario, n, extra, scratch, failures)
            kinds[k] = kinds.get(k, 0) + 1
    print("outcomes:", kinds)
    if not any("IPI to" in h for h in HOPS):
        failures.append(f"the RPS case should show a hop with its IPI: {HOPS}")
    if "delivered" not in kinds or "dropped" not in kinds:
        failures.append(f"the cases should cover delivered and dropped frames: {kinds}")
    for f in failures:
        print("FAIL", f)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
