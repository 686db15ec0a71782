#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""Draw a timeline JSON (rxpath --timeline, Chrome trace-event format) as a
Gantt-like PNG for the docs: one lane per CPU with its function spans (nested
spans stacked), one lane per NIC block (MAC, packet buffer, descriptors, DMA,
interrupts) with its slices, packet stages as ticks, and each packet's flow as
a line through its stages.

    waves/tools/timeline_png.py TIMELINE.json OUT.png [--start-us A --stop-us B]

Needs matplotlib (Debian: python3-matplotlib, installed by scripts/install-deps).
"""
import argparse
import json
import sys


def fail(msg):
    print(f"timeline_png: {msg}", file=sys.stderr)
    sys.exit(2)


def load(path):
    try:
        with open(path, encoding="utf-8") as f:
            doc = json.load(f)
    except OSError as e:
        fail(f"{path}: {e.strerror}")
    except json.JSONDecodeError as e:
        fail(f"{path}: not JSON: line {e.lineno} column {e.colno}: {e.msg}")
    if isinstance(doc, list):  # the JSON Array format
        return doc
    if not isinstance(doc, dict) or not isinstance(doc.get("traceEvents"), list):
        fail(f"{path}: no 'traceEvents' array (not a Chrome trace-event file)")
    return doc["traceEvents"]


PALETTE = {}  # name -> index into the 20-colour map, in sorted name order (distinct up to 20 names)


def colour(name, cmap):
    return cmap(PALETTE.get(name, 0) % 20)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("timeline", help="timeline JSON written by rxpath --timeline")
    ap.add_argument("out", help="PNG to write")
    ap.add_argument("--start-us", type=float, default=None, help="left edge (microseconds)")
    ap.add_argument("--stop-us", type=float, default=None, help="right edge (microseconds)")
    ap.add_argument("--width", type=float, default=16.0, help="figure width in inches (default 16)")
    ap.add_argument("--max-flows", type=int, default=400, help="draw at most this many packet flows (default 400)")
    a = ap.parse_args()
    if a.start_us is not None and a.stop_us is not None and a.stop_us <= a.start_us:
        fail(f"--stop-us {a.stop_us} must be after --start-us {a.start_us}")

    events = load(a.timeline)
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
        from matplotlib.collections import LineCollection
    except ImportError:
        fail("matplotlib is missing (Debian: apt-get install python3-matplotlib, or scripts/install-deps)")

    proc_names, thread_names, sort_index = {}, {}, {}
    spans, slices, ticks, flows = [], [], [], {}
    open_spans = {}
    t_min, t_max = None, None
    for n, e in enumerate(events):
        if not isinstance(e, dict) or "ph" not in e:
            fail(f"{a.timeline}: traceEvents[{n}] has no 'ph'")
        ph = e["ph"]
        if ph == "M":
            args = e.get("args", {})
            if e.get("name") == "process_name":
                proc_names[e["pid"]] = args.get("name", str(e["pid"]))
            elif e.get("name") == "thread_name":
                thread_names[(e["pid"], e["tid"])] = args.get("name", str(e["tid"]))
            elif e.get("name") == "thread_sort_index":
                sort_index[(e["pid"], e["tid"])] = args.get("sort_index", 0)
            continue
        if "ts" not in e:
            fail(f"{a.timeline}: traceEvents[{n}] ({ph}) has no 'ts'")
        ts = float(e["ts"])
        key = (e.get("pid", 0), e.get("tid", 0))
        end = ts + float(e.get("dur", 0.0)) if ph == "X" else ts
        t_min = ts if t_min is None else min(t_min, ts)
        t_max = end if t_max is None else max(t_max, end)
        if ph == "B":
            open_spans.setdefault(key, []).append((e.get("name", ""), ts))
        elif ph == "E":
            st = open_spans.get(key)
            if st:
                name, t0 = st.pop()
                spans.append((key, len(st), t0, ts, name))
        elif ph == "X":
            slices.append((key, ts, end, e.get("name", "")))
        elif ph == "i":
            ticks.append((key, ts, e.get("name", "")))
        elif ph in ("s", "t", "f"):
            flows.setdefault(e.get("id"), []).append((key, ts))
    if t_min is None:
        fail(f"{a.timeline}: no timed events")
    for key, st in open_spans.items():  # never closed: to the end
        for depth, (name, t0) in enumerate(st):
            spans.append((key, depth, t0, t_max, name))

    names = sorted({n for *_, n in spans} | {n.split(" #")[0] for *_, n in slices})
    PALETTE.update({n: i for i, n in enumerate(names)})

    lo = a.start_us if a.start_us is not None else t_min
    hi = a.stop_us if a.stop_us is not None else t_max
    if hi <= lo:
        hi = lo + 1e-3

    # Lanes: host CPUs first, then the NIC blocks, each in its sort order.
    # Only lanes with something in the picture (a NIC lane's extra rows are
    # often empty in a short window); the CPUs always.
    keys = set(k for k, d, t0, t1, n in spans if t1 >= lo and t0 <= hi)
    keys |= set(k for k, t0, t1, n in slices if t1 >= lo and t0 <= hi)
    keys |= set(k for k, t, n in ticks if lo <= t <= hi)
    keys |= set(k for k, n in thread_names.items() if k[0] == 1 and n.startswith("cpu"))
    if not keys:
        fail(f"{a.timeline}: nothing between {lo:.3f} and {hi:.3f} µs")
    lanes = sorted(keys, key=lambda k: (k[0], sort_index.get(k, k[1]), k[1]))
    lane_y = {k: len(lanes) - 1 - i for i, k in enumerate(lanes)}
    max_depth = {}
    for key, depth, *_ in spans:
        max_depth[key] = max(max_depth.get(key, 0), depth)

    fig_h = max(2.5, 0.55 * len(lanes) + 1.2)
    fig, ax = plt.subplots(figsize=(a.width, fig_h))
    cmap = plt.get_cmap("tab20")

    def visible(t0, t1):
        return t1 >= lo and t0 <= hi

    for key, depth, t0, t1, name in spans:
        if not visible(t0, t1):
            continue
        levels = max_depth.get(key, 0) + 1
        h = 0.8 / levels
        y = lane_y[key] - 0.4 + depth * h
        ax.broken_barh([(t0, max(t1 - t0, 1e-6))], (y, h * 0.95), facecolors=colour(name, cmap), edgecolor="none")
        if (min(t1, hi) - max(t0, lo)) > (hi - lo) * 0.06:
            ax.text(max(t0, lo) + (hi - lo) * 0.002, y + h * 0.45, name, fontsize=6, va="center", clip_on=True)
    for key, t0, t1, name in slices:
        if not visible(t0, t1):
            continue
        base = name.split(" #")[0]
        ax.broken_barh([(t0, max(t1 - t0, 1e-6))], (lane_y[key] - 0.3, 0.6), facecolors=colour(base, cmap),
                       edgecolor="black", linewidth=0.2)
        if (min(t1, hi) - max(t0, lo)) > (hi - lo) * 0.05:
            ax.text(max(t0, lo) + (hi - lo) * 0.002, lane_y[key], name, fontsize=6, va="center", clip_on=True)
    tx = [(t, lane_y[k]) for k, t, _ in ticks if lo <= t <= hi]
    if tx:
        ax.plot([t for t, _ in tx], [y + 0.42 for _, y in tx], "v", markersize=2.5, color="black", linestyle="none")

    lines = []
    for fid in sorted(flows, key=lambda v: (str(type(v)), v)):
        pts = [(t, lane_y[k]) for k, t in flows[fid] if k in lane_y]
        if len(pts) < 2 or not any(lo <= t <= hi for t, _ in pts):
            continue
        lines.append(pts)
        if len(lines) >= a.max_flows:
            break
    if lines:
        ax.add_collection(LineCollection(lines, colors="black", linewidths=0.5, alpha=0.4))

    def lane_label(k):
        p = proc_names.get(k[0], f"pid {k[0]}")
        return f"{p}: {thread_names.get(k, 'tid ' + str(k[1]))}"

    # A legend of the span and slice names drawn, so narrow ones are named too.
    from matplotlib.patches import Patch
    shown = sorted({name for key, depth, t0, t1, name in spans if visible(t0, t1)} |
                   {name.split(" #")[0] for key, t0, t1, name in slices if visible(t0, t1)})
    if shown:
        ax.legend(handles=[Patch(color=colour(n, cmap), label=n) for n in shown[:24]], fontsize=6,
                  loc="upper left", bbox_to_anchor=(1.005, 1.0), borderaxespad=0.0, frameon=False)

    ax.set_yticks([lane_y[k] for k in lanes])
    ax.set_yticklabels([lane_label(k) for k in lanes], fontsize=8)
    ax.set_ylim(-0.6, len(lanes) - 0.4)
    ax.set_xlim(lo, hi)
    ax.set_xlabel("simulated time (µs)")
    ax.grid(axis="x", linewidth=0.3, alpha=0.5)
    ax.set_title(f"{a.timeline}: {lo:.3f} .. {hi:.3f} µs; thin lines: packet flows, ticks: packet stages", fontsize=9)
    fig.tight_layout()
    try:
        fig.savefig(a.out, dpi=150, metadata={"Software": None})
    except OSError as e:
        fail(f"{a.out}: {e.strerror}")
    print(f"timeline_png: wrote {a.out} ({len(lanes)} lanes, {len(lines)} flows)")
    print("lanes: " + ", ".join(lane_label(k) for k in lanes))


if __name__ == "__main__":
    main()
