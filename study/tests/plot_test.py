#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""study/plot.py on a hand-made study directory (no rxpath run): the figures
and index.html exist, the loss figure has one line per value of the second
axis, index.html has one table row per results row and nothing remote, a
failed row is left out and listed, a transient point gets the legend note, a
[[plot]] naming a missing column fails with exit 2 naming the plot, a
[[plot]] with a series draws what it asks, and a re-run gives the same bytes.

    plot_test.py PLOT_PY SCRATCH_DIR
"""
import csv
import os
import re
import shutil
import subprocess
import sys

PLOT, SCRATCH = sys.argv[1], sys.argv[2]
failures = []


def check(cond, what):
    if not cond:
        failures.append(what)
        print("FAIL:", what)


def run(d):
    return subprocess.run([sys.executable, PLOT, d], capture_output=True, text=True)


RINGS = [64, 256]          # the series axis: the oracle for the number of loss lines
RATES = [1.0, 5.0, 10.0]   # the load axis
REPLICAS = 2

HEADER = (["point", "replica", "seed", "igb.rx_ring", "traffic.rate_gbps", "status", "exit_code",
           "offered_frames", "offered_pps", "offered_gbps", "delivered_frames", "dropped_frames",
           "loss_ratio", "drop.nic.MPC", "drop.nic.RNBC", "drop.udp.RcvbufErrors",
           "latency_p50_ns", "latency_p99_ns", "latency_p999_ns"]
          + [f"cpu_share.{c}" for c in ("softirq", "hardirq", "ksoftirqd", "process", "idle")]
          + ["msix_per_s", "polls_per_s", "time_squeeze", "steady", "window_us",
             "wall_s", "cpu_s", "max_rss_kb"])

STUDY = """[study]
name = "fixture"
description = "hand-made results for plot_test"
combine = "grid"
replicas = 2
seed = 1
[[axis]]
knob = "igb.rx_ring"
values = [64, 256]
[[axis]]
knob = "traffic.rate_gbps"
values = [1.0, 5.0, 10.0]
"""


def make_rows():
    rows = []
    point = 0
    for ring in RINGS:
        for rate in RATES:
            for rep in range(REPLICAS):
                offered = int(rate * 1000)
                loss = max(0.0, (rate - 4.0) / rate) * (64 / ring) + 0.01 * rep
                dropped = int(offered * loss)
                r = {"point": point, "replica": rep, "seed": 1 + point * REPLICAS + rep,
                     "igb.rx_ring": ring, "traffic.rate_gbps": rate, "status": "ok",
                     "exit_code": 0, "offered_frames": offered, "offered_pps": offered * 1000,
                     "offered_gbps": rate * (0.99 + 0.01 * rep), "delivered_frames": offered - dropped,
                     "dropped_frames": dropped, "loss_ratio": dropped / offered,
                     "drop.nic.MPC": dropped, "drop.nic.RNBC": dropped // 2,
                     "drop.udp.RcvbufErrors": 0,
                     "latency_p50_ns": 2000 + 100 * rate, "latency_p99_ns": 5000 + 1000 * rate,
                     "latency_p999_ns": 9000 + 3000 * rate,
                     "cpu_share.softirq": min(0.9, rate / 10), "cpu_share.hardirq": 0.05,
                     "cpu_share.ksoftirqd": 0.0, "cpu_share.process": 0.02,
                     "cpu_share.idle": max(0.0, 1 - min(0.9, rate / 10) - 0.07),
                     "msix_per_s": 1000, "polls_per_s": 2000, "time_squeeze": 0,
                     "steady": "transient" if (ring == 64 and rate == 10.0) else "steady",
                     "window_us": 100, "wall_s": 0.5, "cpu_s": 0.5, "max_rss_kb": 50000}
                rows.append(r)
            point += 1
    # One failed run: metrics empty, left out of the plots.
    failed = {k: "" for k in HEADER}
    failed.update({"point": point, "replica": 0, "seed": 99, "igb.rx_ring": 256,
                   "traffic.rate_gbps": 20.0, "status": "failed", "exit_code": 2})
    rows.append(failed)
    return rows


def make_dir(name, study_text):
    d = os.path.join(SCRATCH, name)
    shutil.rmtree(d, ignore_errors=True)
    os.makedirs(os.path.join(d, "points", f"{len(RINGS) * len(RATES)}-r0"))
    with open(os.path.join(d, "points", f"{len(RINGS) * len(RATES)}-r0", "stderr.txt"), "w") as f:
        f.write("rxpath: boom\n")
    with open(os.path.join(d, "study.toml"), "w") as f:
        f.write(study_text)
    rows = make_rows()
    with open(os.path.join(d, "results.csv"), "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=HEADER)
        w.writeheader()
        w.writerows(rows)
    return d, rows


def read(path, mode="r"):
    with open(path, mode) as f:
        return f.read()


# --- default plots
d, rows = make_dir("default", STUDY)
p = run(d)
check(p.returncode == 0, f"default plots: exit {p.returncode}: {p.stderr}")
for stem in ("loss", "latency", "drops", "cpu"):
    for ext in ("png", "svg"):
        check(os.path.isfile(os.path.join(d, "plots", f"{stem}.{ext}")), f"plots/{stem}.{ext} exists")
loss_svg = read(os.path.join(d, "plots", "loss.svg")) if os.path.isfile(os.path.join(d, "plots", "loss.svg")) else ""
# Oracle: the fixture has len(RINGS) values of igb.rx_ring, the axis that is not the load.
n_lines = len(set(re.findall(r'id="series-loss-(\d+)-\d+"', loss_svg)))
check(n_lines == len(RINGS), f"loss.svg has {len(RINGS)} line series (found {n_lines})")
lat_svg = read(os.path.join(d, "plots", "latency.svg")) if os.path.isfile(os.path.join(d, "plots", "latency.svg")) else ""
# Oracle: 2 ring values x 3 percentiles.
n_lat = len(set(re.findall(r'id="(series-latency-\d+-\d+)"', lat_svg)))
check(n_lat == len(RINGS) * 3, f"latency.svg has {len(RINGS) * 3} line series (found {n_lat})")
# Oracle: drop.udp.RcvbufErrors is zero in every row, so only 2 stacked counters per ring panel.
drops_svg = read(os.path.join(d, "plots", "drops.svg")) if os.path.isfile(os.path.join(d, "plots", "drops.svg")) else ""
n_stack = len(set(re.findall(r'id="stack-drops-([^"]+)-\d+"', drops_svg)))
check(n_stack == 2 * len(RINGS), f"drops.svg stacks 2 nonzero counters x {len(RINGS)} panels (found {n_stack})")

index = read(os.path.join(d, "index.html")) if os.path.isfile(os.path.join(d, "index.html")) else ""
body = index.split("<tbody>", 1)[-1].split("</tbody>", 1)[0]
n_tr = body.count("<tr")
check(n_tr == len(rows), f"index.html has {len(rows)} table rows (found {n_tr})")
check(body.count('<tr class="failed">') == 1, "the one failed row is highlighted")
check(not re.search(r'(src|href)\s*=\s*"(https?:)?//', index, re.I), "index.html references nothing remote")
check("<script" not in index.lower(), "index.html has no scripts")
check('href="points/6-r0/stderr.txt"' in index, "the failed run links its stderr.txt")
check("hand-made results for plot_test" in index, "index.html has the description")
check("<code>igb.rx_ring</code>" in index and "<code>traffic.rate_gbps</code>" in index,
      "index.html lists the axes")
for stem in ("loss", "latency", "drops", "cpu"):
    check(f'src="plots/{stem}.svg"' in index, f"index.html shows plots/{stem}.svg")
# The failed run (ring 256 at 20 Gb/s, empty metrics) is left out: the ring 256 line has
# len(RATES) vertices, not len(RATES) + 1. A <path d="M x y L x y L x y"> has one M and n-1 L.
m = re.search(r'<g id="series-loss-1-0">\s*<path d="([^"]*)"', loss_svg)
n_vertices = (m.group(1).count("M") + m.group(1).count("L")) if m else -1
check(n_vertices == len(RATES), f"the ring 256 loss line has {len(RATES)} points (found {n_vertices})")

# --- byte-identical re-run
before = {f: read(os.path.join(d, "plots", f), "rb") for f in sorted(os.listdir(os.path.join(d, "plots")))}
before_index = index
p = run(d)
check(p.returncode == 0, f"re-run: exit {p.returncode}")
after = {f: read(os.path.join(d, "plots", f), "rb") for f in sorted(os.listdir(os.path.join(d, "plots")))}
check(sorted(before) == sorted(after), "re-run writes the same files")
for f in before:
    if f.endswith(".svg"):
        check(before[f] == after.get(f), f"re-run: {f} byte-identical")
check(read(os.path.join(d, "index.html")) == before_index, "re-run: index.html byte-identical")

# --- transient legend note: the loss figure has the legend proxy (gray hollow marker)
# only when a transient point exists. Oracle: the fixture marks ring 64 at 10 Gb/s transient.
d2, _ = make_dir("all-steady", STUDY)
with open(os.path.join(d2, "results.csv")) as f:
    text = f.read().replace("transient", "steady")
with open(os.path.join(d2, "results.csv"), "w") as f:
    f.write(text)
p = run(d2)
check(p.returncode == 0, f"all-steady: exit {p.returncode}")
steady_svg = read(os.path.join(d2, "plots", "loss.svg")) if os.path.isfile(os.path.join(d2, "plots", "loss.svg")) else ""
# matplotlib draws a hollow marker as <use ... style="fill-opacity: 0; stroke: COLOR">.
# Oracle: the fixture has one transient point (ring 64 at 10 Gb/s) -> one hollow data
# marker plus the gray hollow marker of the legend note; the all-steady copy has none.
check(loss_svg.count("fill-opacity: 0") == 2, f"transient study: 1 hollow point + legend note "
      f"(found {loss_svg.count('fill-opacity: 0')})")
check("fill-opacity: 0; stroke: #808080" in loss_svg, "transient study: gray hollow legend marker")
check("fill-opacity: 0" not in steady_svg, "all-steady study: no hollow marker, no legend note")

# --- a [[plot]] naming a column that is not in results.csv
d3, _ = make_dir("bad-plot", STUDY + """[[plot]]
name = "mystery"
x = "offered_gbps"
y = ["no_such_column"]
""")
p = run(d3)
check(p.returncode == 2, f"missing column: exit 2 (got {p.returncode})")
check('"mystery"' in p.stderr and "no_such_column" in p.stderr and "study.toml" in p.stderr,
      f"missing column: message names study.toml, the plot and the column: {p.stderr.strip()}")

# --- a named [[plot]] with series, and a stacked one
d4, _ = make_dir("named", STUDY + """[[plot]]
name = "squeeze"
x = "traffic.rate_gbps"
y = ["latency_p99_ns"]
series = "igb.rx_ring"
[[plot]]
name = "irq"
x = "offered_gbps"
y = ["cpu_share.softirq", "cpu_share.hardirq"]
kind = "stacked"
""")
p = run(d4)
check(p.returncode == 0, f"named plots: exit {p.returncode}: {p.stderr}")
names = sorted(os.listdir(os.path.join(d4, "plots")))
# Oracle: exactly the two named plots, no defaults; "irq" has no series and its x
# (offered_gbps) follows the load axis, so igb.rx_ring gives one figure per value.
check(names == ["irq--igb.rx_ring=256.png", "irq--igb.rx_ring=256.svg",
                "irq--igb.rx_ring=64.png", "irq--igb.rx_ring=64.svg",
                "squeeze.png", "squeeze.svg"], f"named plots only, irq per ring: {names}")
sq = read(os.path.join(d4, "plots", "squeeze.svg")) if "squeeze.svg" in names else ""
check(len(set(re.findall(r'id="series-squeeze-(\d+)-\d+"', sq))) == len(RINGS), "squeeze: one line per ring")

# --- a zip study: the axes move together, so one loss line and no figure per axis value.
# Oracle: the same rows with combine = "zip" have no second axis to split by.
d6, _ = make_dir("zip", STUDY.replace('combine = "grid"', 'combine = "zip"'))
p = run(d6)
check(p.returncode == 0, f"zip: exit {p.returncode}: {p.stderr}")
zip_names = sorted(os.listdir(os.path.join(d6, "plots")))
check(zip_names == sorted(f"{s}.{e}" for s in ("loss", "latency", "drops", "cpu") for e in ("png", "svg")),
      f"zip: the four default figures, not one per axis value: {zip_names}")
zsvg = read(os.path.join(d6, "plots", "loss.svg")) if "loss.svg" in zip_names else ""
check(len(set(re.findall(r'id="series-loss-(\d+)-\d+"', zsvg))) == 1, "zip: one loss line")

# --- a missing results.csv names the file
d5 = os.path.join(SCRATCH, "empty")
shutil.rmtree(d5, ignore_errors=True)
os.makedirs(d5)
with open(os.path.join(d5, "study.toml"), "w") as f:
    f.write(STUDY)
p = run(d5)
check(p.returncode == 2 and "results.csv" in p.stderr, f"no results.csv: exit 2 naming it: {p.stderr.strip()}")

if failures:
    print(f"{len(failures)} failures")
    sys.exit(1)
print("plot_test: all checks passed")
