#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""RTL coverage report of `make coverage` (rtl/README.md, "Coverage").

Merges the Verilator coverage files the RTL tests wrote (one per model,
verilator/vh/sim_ctrl.hpp), writes the merged file and an annotated copy of
the sources, and reports for the files under rtl/:

- line coverage per file and in all: a source line counts when every
  line/branch point of Verilator's --coverage-line that names it (a block,
  an if/else or case arm) was hit at least once;
- the same over the points themselves (branch arms without code included);
- toggle coverage (every bit of every signal, both edges: --coverage-toggle);
- every named cover point (`cover property`, --coverage-user) with its count.

Exit status 1 when line coverage of rtl/ is below --min-line or a cover point
was never hit, unless --report-only; 2 on a usage or tool error.

  report.py --dat-dir build-cov/coverage/dat --out build-cov/coverage \\
            --src rtl --min-line 95
"""

import argparse
import os
import subprocess
import sys
from collections import defaultdict

VERILATOR_COVERAGE = "verilator_coverage"


def parse_key(key):
    """The \\001key\\002value pairs of one coverage point."""
    fields = {}
    for item in key.split("\x01"):
        if not item:
            continue
        k, _, v = item.partition("\x02")
        fields[k] = v
    return fields


def read_dat(path):
    """Points of a verilator_coverage data file: (fields, count)."""
    points = []
    with open(path, encoding="utf-8", errors="replace") as f:
        for line in f:
            if not line.startswith("C '"):
                continue
            end = line.rindex("'")
            points.append((parse_key(line[3:end]), int(line[end + 1:].strip())))
    return points


def lines_of(fields):
    """Source lines a line/branch point stands for: its linescov ranges, or
    its own line when it has none (an arm without code)."""
    spec = fields.get("S", "")
    out = set()
    for part in spec.split(","):
        part = part.strip()
        if not part:
            continue
        lo, _, hi = part.partition("-")
        out.update(range(int(lo), int(hi or lo) + 1))
    if not out:
        out.add(int(fields.get("l", "0")))
    return out


def merge(dat_files, merged):
    """verilator_coverage --write, in batches so the command line stays short."""
    batch = 200
    parts = []
    for i in range(0, len(dat_files), batch):
        part = merged + ".part%d" % (i // batch)
        subprocess.run([VERILATOR_COVERAGE, "--write", part] + dat_files[i:i + batch], check=True)
        parts.append(part)
    subprocess.run([VERILATOR_COVERAGE, "--write", merged] + parts, check=True)
    for p in parts:
        os.unlink(p)


def pct(hit, total):
    return 100.0 * hit / total if total else 100.0


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--dat-dir", required=True, help="folder of the .dat files the tests wrote")
    ap.add_argument("--out", required=True, help="output folder: merged.dat, annotated/, report.md")
    ap.add_argument("--src", default="rtl", help="report files under this folder (default rtl)")
    ap.add_argument("--min-line", type=float, default=95.0, help="line coverage of --src required, percent")
    ap.add_argument("--report-only", action="store_true", help="report, never fail on the figures")
    args = ap.parse_args()

    dats = sorted(os.path.join(args.dat_dir, f) for f in os.listdir(args.dat_dir) if f.endswith(".dat"))
    if not dats:
        print("report.py: no .dat file in %s (was the build made with RXPATH_RTL_COVERAGE=ON and "
              "RXPATH_COVERAGE_DIR set for the tests?)" % args.dat_dir, file=sys.stderr)
        return 2
    os.makedirs(args.out, exist_ok=True)
    merged = os.path.join(args.out, "merged.dat")
    merge(dats, merged)
    annotated = os.path.join(args.out, "annotated")
    # --annotate-min 1: a line is marked (%000000) only when a point on it was never hit.
    subprocess.run([VERILATOR_COVERAGE, "--annotate", annotated, "--annotate-all", "--annotate-min", "1", merged],
                   check=True, stdout=subprocess.DEVNULL)

    # A module has one set of points per parameter set (the page names it:
    # v_line/rxp_rx_dma__N4_...): the 1-, 4- and 8-queue models each have
    # their own. A point counts as hit when any model hit it, so points are
    # summed over the pages: by file, line, column, kind and comment (the
    # branch arm, the toggled bit, the cover point's name).
    src = os.path.abspath(args.src)
    points = defaultdict(lambda: [0, None])  # (rel, line, column, kind, comment) -> [count, fields]
    for fields, count in read_dat(merged):
        path = os.path.abspath(fields.get("f", ""))
        if not path.startswith(src + os.sep):
            continue
        rel = os.path.relpath(path, os.path.dirname(src))
        kind = fields.get("page", "").split("/")[0]
        key = (rel, int(fields.get("l", "0")), int(fields.get("n", "0")), kind, fields.get("o", ""))
        points[key][0] += count
        points[key][1] = fields

    line_pts = defaultdict(lambda: [0, 0])           # file -> [hit, total] over line/branch points
    line_cnt = defaultdict(lambda: defaultdict(list))  # file -> source line -> counts of its points
    tog = defaultdict(lambda: [0, 0])
    covers = {}                                        # name -> [count, file, line]
    for (rel, line, _col, kind, comment), (count, fields) in points.items():
        if kind in ("v_line", "v_branch"):
            line_pts[rel][0] += count > 0
            line_pts[rel][1] += 1
            for ln in lines_of(fields):
                line_cnt[rel][ln].append(count)
        elif kind == "v_toggle":
            tog[rel][0] += count > 0
            tog[rel][1] += 1
        elif kind == "v_user":
            c = covers.setdefault(comment, [0, rel, line])
            c[0] += count

    files = sorted(set(line_pts) | set(tog))
    rows = []
    tot = {"lh": 0, "lt": 0, "ph": 0, "pt": 0, "th": 0, "tt": 0}
    missed_lines = {}
    for f in files:
        lines = line_cnt[f]
        lh = sum(1 for c in lines.values() if min(c) > 0)
        missed_lines[f] = sorted(ln for ln, c in lines.items() if min(c) == 0)
        rows.append((f, lh, len(lines), line_pts[f][0], line_pts[f][1], tog[f][0], tog[f][1]))
        for k, v in zip(("lh", "lt", "ph", "pt", "th", "tt"), rows[-1][1:]):
            tot[k] += v

    out = []
    out.append("# RTL coverage (`make coverage`)\n")
    out.append("%d coverage files merged into `%s`; annotated sources in `%s/` (lines marked `%%000000` have a "
               "point never hit).\n" % (len(dats), merged, annotated))
    out.append("| file | lines | line % | line/branch points | points % | toggle bits | toggle % |")
    out.append("|---|---|---|---|---|---|---|")
    for f, lh, lt, ph, pt_, th, tt in rows:
        out.append("| %s | %d/%d | %.1f | %d/%d | %.1f | %d/%d | %.1f |" %
                   (f, lh, lt, pct(lh, lt), ph, pt_, pct(ph, pt_), th, tt, pct(th, tt)))
    out.append("| **all of %s/** | %d/%d | **%.1f** | %d/%d | %.1f | %d/%d | %.1f |" %
               (os.path.basename(src), tot["lh"], tot["lt"], pct(tot["lh"], tot["lt"]), tot["ph"], tot["pt"],
                pct(tot["ph"], tot["pt"]), tot["th"], tot["tt"], pct(tot["th"], tot["tt"])))
    out.append("")
    out.append("Lines not covered:\n")
    for f in files:
        if missed_lines[f]:
            out.append("- %s: %s" % (f, ", ".join(str(x) for x in missed_lines[f])))
    out.append("")
    hit = [n for n, c in covers.items() if c[0] > 0]
    missed = sorted(n for n, c in covers.items() if c[0] == 0)
    out.append("## Cover points: %d of %d hit\n" % (len(hit), len(covers)))
    out.append("| cover point | file:line | count |")
    out.append("|---|---|---|")
    for n in sorted(covers, key=lambda n: (covers[n][1], covers[n][2])):
        c = covers[n]
        out.append("| %s%s | %s:%d | %d |" % (n, "" if c[0] else " **(not hit)**", c[1], c[2], c[0]))
    out.append("")
    out.append("Not hit: %s\n" % (", ".join(missed) if missed else "none"))

    line_total = pct(tot["lh"], tot["lt"])
    failures = []
    if line_total < args.min_line:
        failures.append("line coverage of %s/ is %.1f%%, below %.1f%%" %
                        (os.path.basename(src), line_total, args.min_line))
    if missed:
        failures.append("%d cover point(s) never hit: %s" % (len(missed), ", ".join(missed)))
    out.append("Verdict: " + ("; ".join(failures) if failures else "line coverage %.1f%% >= %.1f%%, every cover "
                                                                    "point hit" % (line_total, args.min_line)))
    text = "\n".join(out) + "\n"
    with open(os.path.join(args.out, "report.md"), "w", encoding="utf-8") as f:
        f.write(text)
    print(text)
    if failures and not args.report_only:
        print("report.py: " + "; ".join(failures), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
