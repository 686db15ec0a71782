#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""study/queueing_points.py: FALLBACK runner for a study's points, used only
when the rxpath binary has no `rxpath sweep` (issue 10 item 5 builds it).

  queueing_points.py RXPATH STUDY.toml -o DIR [-j N] [--replicas R]

Runs every axis value x replica with the study's [scenario] knobs and writes
DIR/results.csv with the columns `queueing.py check` reads (a subset of
`rxpath sweep`'s): point, replica, seed, <axis knob>, status, exit_code,
offered_frames, offered_pps, delivered_frames, dropped_frames, loss_ratio,
steady, window_us.

The measurement window [warm-up, duration] is taken without run.warmup_us
support in rxpath: the simulation is deterministic and the traffic of a seed
is the same stream whatever the duration, so a run of warmup_us and a run of
duration_us share their first warmup_us exactly, and the window's counts are
the difference of the two runs' whole-run counts (offered, dropped: drops
happen only on an arrival, so the shorter run's drain adds none). This leaves
out the empty-queue start and the drain of the last K frames after the
traffic stops, each of which would bias the loss by about K / (lambda T).
"""
import argparse
import concurrent.futures as cf
import csv
import json
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import queueing  # noqa: E402


def known_knobs(rxpath):
    return set(queueing.read_knob_defaults(rxpath))


def run_once(rxpath, sets, duration_us, seed):
    with tempfile.TemporaryDirectory() as d:
        out = os.path.join(d, "r.json")
        cmd = [rxpath, "--quiet", "--json", out, "--seed", str(seed), "--duration-us", str(duration_us)]
        for k, v in sets.items():
            cmd += ["--set", f"{k}={v}"]
        p = subprocess.run(cmd, capture_output=True, text=True)
        if p.returncode != 0 or not os.path.exists(out):
            return p.returncode, None, p.stderr
        with open(out) as f:
            return p.returncode, json.load(f), ""


def run_point(rxpath, sets, axis, x, replica, seed, warmup_us, duration_us):
    s = dict(sets)
    s[axis] = x
    rc2, full, err = run_once(rxpath, s, duration_us, seed)
    if full is None:
        return {"status": "error", "exit_code": rc2, "err": err}
    o2, d2 = full["accounting"]["offered"], full["accounting"]["dropped"]
    o1 = d1 = 0
    if warmup_us > 0:
        rc1, pre, err = run_once(rxpath, s, warmup_us, seed)
        if pre is None:
            return {"status": "error", "exit_code": rc1, "err": err}
        o1, d1 = pre["accounting"]["offered"], pre["accounting"]["dropped"]
    window = duration_us - warmup_us
    offered = o2 - o1
    dropped = d2 - d1
    return {
        "status": "ok",
        "exit_code": rc2,
        "offered_frames": offered,
        "offered_pps": offered / (window * 1e-6),
        "delivered_frames": offered - dropped,
        "dropped_frames": dropped,
        "loss_ratio": dropped / offered if offered else 0.0,
        "steady": "steady",  # not judged by this fallback
        "window_us": window,
    }


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("rxpath")
    ap.add_argument("study")
    ap.add_argument("-o", "--out", required=True)
    ap.add_argument("-j", "--jobs", type=int, default=2)
    ap.add_argument("--replicas", type=int, help="override [study] replicas")
    ap.add_argument("--set", action="append", default=[], help="override a scenario knob KEY=VALUE")
    args = ap.parse_args(argv)
    doc = queueing.load_study(args.study)
    st = doc.get("study", {})
    scen = queueing.flatten(doc.get("scenario", {}))
    for kv in args.set:
        k, v = kv.split("=", 1)
        scen[k] = v
    known = known_knobs(args.rxpath)
    warmup = float(scen.pop("run.warmup_us", 0.0))
    duration = float(scen.pop("run.duration_us", 1000.0))
    sets = {}
    for k, v in scen.items():
        if k not in known:
            print(f"queueing_points.py: rxpath has no knob {k}, left out", file=sys.stderr)
            continue
        sets[k] = str(v).lower() if isinstance(v, bool) else v
    axes = doc.get("axis", [])
    if len(axes) != 1 or "values" not in axes[0]:
        raise SystemExit("queueing_points.py: one [[axis]] with values = [...] expected")
    axis, values = axes[0]["knob"], axes[0]["values"]
    replicas = args.replicas or int(st.get("replicas", 1))
    seed0 = int(st.get("seed", 1))
    jobs = []
    for pi, x in enumerate(values):
        for r in range(replicas):
            jobs.append((pi, r, seed0 + r, x))
    os.makedirs(args.out, exist_ok=True)
    rows = []
    with cf.ThreadPoolExecutor(max_workers=max(1, args.jobs)) as ex:
        futs = {ex.submit(run_point, args.rxpath, sets, axis, x, r, seed, warmup, duration): (pi, r, seed, x)
                for pi, r, seed, x in jobs}
        for f in cf.as_completed(futs):
            pi, r, seed, x = futs[f]
            res = f.result()
            if res.get("err"):
                print(res.pop("err"), file=sys.stderr)
            rows.append(dict(point=pi, replica=r, seed=seed, **{axis: x}, **res))
            print(f"point {pi} replica {r} {axis}={x}: {res['status']} loss {res.get('loss_ratio', float('nan')):.4f}",
                  file=sys.stderr)
    rows.sort(key=lambda r: (r["point"], r["replica"]))
    cols = ["point", "replica", "seed", axis, "status", "exit_code", "offered_frames", "offered_pps",
            "delivered_frames", "dropped_frames", "loss_ratio", "steady", "window_us"]
    path = os.path.join(args.out, "results.csv")
    with open(path, "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=cols, extrasaction="ignore")
        w.writeheader()
        for r in rows:
            w.writerow(r)
    print("wrote " + path)
    return 0 if all(r["status"] == "ok" for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
