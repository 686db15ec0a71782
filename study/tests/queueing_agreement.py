#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Agreement test of docs/theory/queueing.md: rxpath's loss curve against
the M/D/1/K queue (oracle: queueing theory, study/queueing.py; mu from the
cost table, K = ring + packet buffer), on a SHORT version of
studies/queueing-md1k.toml: 5 loads x 1 replica, 10 ms warm-up + 15 ms window.

  queueing_agreement.py RXPATH [--tol 0.02] [--keep DIR]

Runs it with `rxpath sweep` (in a fresh output folder), then
`queueing.py check --assert TOL`: loss exactly 0 at rho <= 0.7, and
|measured - M/D/1/K| <= TOL at rho >= 1.2 (the page's claim). Exit 0 pass,
1 fail.
"""
import argparse
import os
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
STUDY_DIR = os.path.dirname(HERE)
ROOT = os.path.dirname(STUDY_DIR)
sys.path.insert(0, STUDY_DIR)
import queueing  # noqa: E402

# rho = 0.30, 0.60 (no loss), 1.24, 1.48, 1.98 (overload) with mu = 0.902 Mpps
SHORT_VALUES = [0.18, 0.36, 0.75, 0.9, 1.2]
# the warm-up must outlast the filling of K at the lightest overload point:
# K / (lambda - mu) = 1280 / 222 kpps = 5.8 ms at rho = 1.24
SHORT_RUN = {"run.warmup_us": 10000, "run.duration_us": 25000}


def toml_value(v):
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, str):
        return '"' + v.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return repr(v)


def short_study(src, dst):
    doc = queueing.load_study(src)
    st = dict(doc.get("study", {}))
    st["name"] = st.get("name", "queueing-md1k") + "-short"
    st["replicas"] = 1
    scen = queueing.flatten(doc.get("scenario", {}))
    scen.update(SHORT_RUN)
    axis = doc["axis"][0]["knob"]
    lines = ["[study]"] + [f"{k} = {toml_value(v)}" for k, v in st.items()]
    lines += ["", "[scenario]"] + [f"{k} = {toml_value(v)}" for k, v in scen.items()]
    lines += ["", "[[axis]]", f"knob = {toml_value(axis)}", "values = [" + ", ".join(map(str, SHORT_VALUES)) + "]"]
    with open(dst, "w") as f:
        f.write("\n".join(lines) + "\n")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("rxpath")
    ap.add_argument("--tol", type=float, default=0.02)
    ap.add_argument("--keep", help="directory to keep the study and results in")
    args = ap.parse_args()
    work = args.keep or tempfile.mkdtemp(prefix="queueing-agreement-")
    os.makedirs(work, exist_ok=True)
    study = os.path.join(work, "queueing-md1k-short.toml")
    short_study(os.path.join(ROOT, "studies", "queueing-md1k.toml"), study)
    out = os.path.join(work, "out")
    shutil.rmtree(out, ignore_errors=True)  # a fresh study: never resume a previous build's points
    cmd = [args.rxpath, "sweep", study, "-o", out, "-j", "2", "--no-plot"]
    print("+ " + " ".join(cmd), flush=True)
    rc = subprocess.run(cmd).returncode
    if rc != 0:
        print(f"FAIL: the sweep exited {rc}")
        return 1
    print("oracle: M/D/1/K queueing theory (study/queueing.py), mu from the cost table", flush=True)
    return subprocess.run([sys.executable, os.path.join(STUDY_DIR, "queueing.py"), "check",
                           os.path.join(out, "results.csv"), "--scenario-from", study, "--rxpath", args.rxpath,
                           "--assert", str(args.tol)]).returncode


if __name__ == "__main__":
    sys.exit(main())
