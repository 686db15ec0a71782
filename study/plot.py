#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Draw a finished study: DIR/results.csv and DIR/study.toml in, DIR/plots/
(PNG + SVG per figure) and DIR/index.html out.

    study/plot.py DIR

Without [[plot]] tables in study.toml it draws the default figures: loss ratio
vs offered load, latency p50/p99/p99.9 vs load (log y), where the drops happen
(stacked drop.* counters) and CPU share by context (stacked). With [[plot]]
tables it draws exactly those. Replicas of a point are averaged (error bars
show their min and max); failed rows are left out and listed in index.html;
points that never reached steady state are drawn with hollow markers.

The output is a function of results.csv and study.toml only: the SVG id salt
and the date are fixed, so the same input gives byte-identical files.

Needs matplotlib (Debian: python3-matplotlib, installed by scripts/install-deps).
Exit status: 0 done, 2 bad input (the message names the file and the field).
"""
import csv
import html
import math
import os
import re
import sys
import tomllib

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402  (after the backend is chosen)
from matplotlib.lines import Line2D  # noqa: E402

# Fixed ids and no date in the SVG: re-running gives the same bytes.
matplotlib.rcParams["svg.hashsalt"] = "rxpath-study"
matplotlib.rcParams["svg.fonttype"] = "path"  # text as paths: no font needed offline

LOAD_KNOBS = ("traffic.rate_gbps", "traffic.rate_pps")
LATENCY_COLUMNS = ("latency_p50_ns", "latency_p99_ns", "latency_p999_ns")
LATENCY_STYLES = {"latency_p50_ns": "-", "latency_p99_ns": "--", "latency_p999_ns": ":"}
# Columns of results.csv that are run cost, not results (shown in the table only).
COST_COLUMNS = ("wall_s", "cpu_s", "max_rss_kb")


class InputError(Exception):
    """Bad input: the message names the file and the field."""


def fail(msg):
    print(f"plot.py: {msg}", file=sys.stderr)
    sys.exit(2)


def number(text):
    """A results.csv cell as a float, or None when empty or not a number."""
    if text is None or text == "":
        return None
    try:
        v = float(text)
    except ValueError:
        return None
    return v if math.isfinite(v) else None


def sort_values(values):
    """Axis values in numeric order when all are numbers, else as first seen."""
    uniq = list(dict.fromkeys(values))
    if all(number(v) is not None for v in uniq):
        return sorted(uniq, key=number)
    return uniq


def slug(text):
    return re.sub(r"[^A-Za-z0-9_.=-]+", "_", text).strip("_") or "plot"


# ----------------------------------------------------------------- input


def load_study(path):
    try:
        with open(path, "rb") as f:
            doc = tomllib.load(f)
    except OSError as e:
        raise InputError(f"{path}: {e.strerror}")
    except tomllib.TOMLDecodeError as e:
        raise InputError(f"{path}: not TOML: {e}")
    study = doc.get("study", {})
    if not isinstance(study, dict):
        raise InputError(f"{path}: [study] must be a table")
    axes = doc.get("axis", [])
    if not isinstance(axes, list) or not all(isinstance(a, dict) for a in axes):
        raise InputError(f"{path}: axis must be an array of tables [[axis]]")
    for i, a in enumerate(axes):
        if not isinstance(a.get("knob"), str):
            raise InputError(f"{path}: [[axis]] #{i + 1}: knob must be a string")
    plots = doc.get("plot", [])
    if not isinstance(plots, list) or not all(isinstance(p, dict) for p in plots):
        raise InputError(f"{path}: plot must be an array of tables [[plot]]")
    return doc


def load_results(path):
    try:
        with open(path, newline="", encoding="utf-8") as f:
            reader = csv.DictReader(f)
            header = reader.fieldnames or []
            rows = list(reader)
    except OSError as e:
        raise InputError(f"{path}: {e.strerror}")
    for col in ("point", "status"):
        if col not in header:
            raise InputError(f"{path}: no column '{col}' in the header")
    return header, rows


def check_plot_specs(plots, header, study_path, results_path):
    """Every [[plot]] names columns that exist; its kind is one we draw."""
    specs = []
    for i, p in enumerate(plots):
        name = p.get("name")
        if not isinstance(name, str) or not name:
            raise InputError(f"{study_path}: [[plot]] #{i + 1}: name must be a non-empty string")
        where = f'{study_path}: [[plot]] "{name}"'
        x = p.get("x")
        if not isinstance(x, str):
            raise InputError(f"{where}: x must be a column name (string)")
        y = p.get("y")
        if isinstance(y, str):
            y = [y]
        if not isinstance(y, list) or not y or not all(isinstance(c, str) for c in y):
            raise InputError(f"{where}: y must be a column name or a list of them")
        series = p.get("series")
        if series is not None and not isinstance(series, str):
            raise InputError(f"{where}: series must be a column name (string)")
        kind = p.get("kind", "line")
        if kind not in ("line", "stacked"):
            raise InputError(f'{where}: kind must be "line" or "stacked", not {kind!r}')
        for field, col in [("x", x)] + [("y", c) for c in y] + ([("series", series)] if series else []):
            if col not in header:
                raise InputError(f"{where}: {field} column '{col}' is not in {results_path}")
        specs.append({"name": name, "x": x, "y": y, "series": series, "kind": kind,
                      "logy": bool(p.get("logy", False)), "title": p.get("title", name),
                      "ylabel": None})
    return specs


# ---------------------------------------------------------------- layout


def load_axis(axis_knobs):
    for k in axis_knobs:
        if k in LOAD_KNOBS:
            return k
    return None


def x_axis_of(x, axis_knobs):
    """The study axis that moves along a plot's x column, if any."""
    if x in axis_knobs:
        return x
    if x in ("offered_gbps", "offered_pps", "offered_frames"):
        return load_axis(axis_knobs)
    return None


def default_specs(header, axis_knobs):
    """The four default figures, each only when its columns are there."""
    lk = load_axis(axis_knobs)
    x = "offered_gbps" if (lk or not axis_knobs) else axis_knobs[0]
    xa = x_axis_of(x, axis_knobs)
    series = next((k for k in axis_knobs if k != xa), None)
    specs = []

    def add(name, title, y, kind, logy=False, ylabel=None):
        y = [c for c in y if c in header]
        if not y or x not in header:
            print(f"plot.py: default plot '{name}' left out: no columns for it in results.csv",
                  file=sys.stderr)
            return
        specs.append({"name": name, "x": x, "y": y, "series": series, "kind": kind,
                      "logy": logy, "title": title, "ylabel": ylabel})

    add("loss", "Loss ratio vs offered load", ["loss_ratio"], "line", ylabel="loss ratio")
    add("latency", "Latency p50 / p99 / p99.9", list(LATENCY_COLUMNS), "line", logy=True,
        ylabel="latency (ns)")
    add("drops", "Where the frames are dropped", [c for c in header if c.startswith("drop.")],
        "stacked", ylabel="frames dropped (mean of replicas)")
    add("cpu", "CPU share by context", [c for c in header if c.startswith("cpu_share.")],
        "stacked", ylabel="share of CPU time")
    return specs


def aggregate(rows, spec, axis_knobs):
    """Rows of one figure grouped by point: x mean, y mean/min/max, transient flag.

    Returns {facet: {series_value: [point dicts sorted by x]}}; a facet is the
    tuple of (knob, value) for the axes that are neither x nor series.
    """
    xa = x_axis_of(spec["x"], axis_knobs)
    facet_knobs = [k for k in axis_knobs if k not in (xa, spec["series"], spec["x"])]
    points = {}
    for r in rows:
        points.setdefault(r["point"], []).append(r)
    out = {}
    for pid, reps in points.items():
        facet = tuple((k, reps[0].get(k, "")) for k in facet_knobs)
        sval = reps[0].get(spec["series"], "") if spec["series"] else ""
        xs_raw = [r.get(spec["x"], "") for r in reps]
        xs = [number(v) for v in xs_raw]
        if all(v is not None for v in xs):
            xval = sum(xs) / len(xs)
        else:
            xval = xs_raw[0]  # categorical x: replicas share it
        ys = {}
        for c in spec["y"]:
            vals = [number(r.get(c)) for r in reps]
            vals = [v for v in vals if v is not None]
            if vals:
                ys[c] = (sum(vals) / len(vals), min(vals), max(vals))
        transient = any(r.get("steady") == "transient" for r in reps)
        out.setdefault(facet, {}).setdefault(sval, []).append(
            {"point": pid, "x": xval, "y": ys, "transient": transient})
    return out


def x_positions(groups):
    """Numeric x, or category indices with labels when any x is not a number."""
    xs = [p["x"] for pts in groups.values() for p in pts]
    if all(isinstance(v, float) for v in xs):
        return None
    return sort_values([str(v) for v in xs])


# ---------------------------------------------------------------- drawing


def fmt_value(v):
    n = number(v)
    if n is not None and n == int(n) and abs(n) < 1e15:
        return str(int(n))
    return str(v)


def draw_line(ax, groups, spec, categories):
    colors = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    any_transient = False
    snames = sort_values(list(groups))
    for si, sval in enumerate(snames):
        pts = groups[sval]
        for yi, col in enumerate(spec["y"]):
            usable = [p for p in pts if col in p["y"] and (not spec["logy"] or p["y"][col][0] > 0)]
            if categories is not None:
                usable.sort(key=lambda p: categories.index(str(p["x"])))
                xs = [categories.index(str(p["x"])) for p in usable]
            else:
                usable.sort(key=lambda p: p["x"])
                xs = [p["x"] for p in usable]
            if not usable:
                continue
            color = colors[(si if spec["series"] else yi) % len(colors)]
            style = LATENCY_STYLES.get(col, "-") if spec["series"] else "-"
            label_parts = []
            if spec["series"]:
                label_parts.append(f"{spec['series']} = {fmt_value(sval)}")
            if len(spec["y"]) > 1 or not spec["series"]:
                label_parts.append(col)
            mean = [p["y"][col][0] for p in usable]
            lo = [p["y"][col][0] - p["y"][col][1] for p in usable]
            hi = [p["y"][col][2] - p["y"][col][0] for p in usable]
            (line,) = ax.plot(xs, mean, linestyle=style, color=color, label=", ".join(label_parts))
            # One gid per drawn series: the SVG keeps it as <g id="series-..."> (tests count them).
            line.set_gid(f"series-{spec['name']}-{si}-{yi}")
            if any(lo) or any(hi):
                ax.errorbar(xs, mean, yerr=[lo, hi], fmt="none", ecolor=color, capsize=3,
                            linewidth=0.8)
            for p, x, m in zip(usable, xs, mean):
                any_transient |= p["transient"]
                ax.plot([x], [m], marker="o", color=color, linestyle="none",
                        markerfacecolor="none" if p["transient"] else color)
    if spec["logy"]:
        ax.set_yscale("log")
    return any_transient


def draw_stacked(axes_list, groups, spec, categories):
    colors = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    snames = sort_values(list(groups))
    # Only the y columns that are nonzero somewhere in this figure.
    cols = [c for c in spec["y"]
            if any(p["y"].get(c, (0,))[0] for pts in groups.values() for p in pts)]
    any_transient = False
    for ax, sval in zip(axes_list, snames):
        pts = groups[sval]
        if categories is not None:
            pts = sorted(pts, key=lambda p: categories.index(str(p["x"])))
            labels = [str(p["x"]) for p in pts]
        else:
            pts = sorted(pts, key=lambda p: p["x"])
            labels = [f"{p['x']:.3g}" for p in pts]
        pos = list(range(len(pts)))
        bottom = [0.0] * len(pts)
        for ci, c in enumerate(cols):
            h = [p["y"].get(c, (0.0,))[0] for p in pts]
            bars = ax.bar(pos, h, bottom=bottom, color=colors[ci % len(colors)], label=c,
                          edgecolor="black", linewidth=0.4)
            for bi, (b, p) in enumerate(zip(bars, pts)):
                # <g id="stack-NAME-SERIES-COLUMN-BAR"> in the SVG (tests count the columns).
                b.set_gid(f"stack-{spec['name']}-{slug(str(sval))}-{ci}-{bi}")
                if p["transient"]:
                    b.set_hatch("//")
            bottom = [a + b for a, b in zip(bottom, h)]
        for p in pts:
            any_transient |= p["transient"]
        ax.set_xticks(pos)
        ax.set_xticklabels(labels, rotation=45, ha="right")
        if spec["series"]:
            ax.set_title(f"{spec['series']} = {fmt_value(sval)}", fontsize=9)
        ax.set_xlabel(spec["x"])
    if not cols:
        axes_list[0].text(0.5, 0.5, "all zero", transform=axes_list[0].transAxes, ha="center")
    return any_transient


def save(fig, plots_dir, stem):
    png = os.path.join(plots_dir, stem + ".png")
    svg = os.path.join(plots_dir, stem + ".svg")
    fig.savefig(png, dpi=100, metadata={"Software": None})
    fig.savefig(svg, metadata={"Date": None, "Creator": None})
    plt.close(fig)
    return stem


def draw_spec(spec, rows, axis_knobs, plots_dir):
    """All figures of one spec (one per facet). Returns [(stem, caption)]."""
    made = []
    by_facet = aggregate(rows, spec, axis_knobs)
    for facet in sorted(by_facet, key=lambda f: [(number(v) if number(v) is not None else 0, v)
                                                 for _, v in f]):
        groups = by_facet[facet]
        categories = x_positions(groups)
        facet_text = ", ".join(f"{k} = {fmt_value(v)}" for k, v in facet)
        stem = slug(spec["name"] + ("--" + facet_text.replace(" ", "") if facet else ""))
        if spec["kind"] == "line":
            fig, ax = plt.subplots(figsize=(7, 4.5))
            transient = draw_line(ax, groups, spec, categories)
            if categories is not None:
                ax.set_xticks(range(len(categories)))
                ax.set_xticklabels(categories)
            ax.set_xlabel(spec["x"])
            ax.set_ylabel(spec["ylabel"] or ", ".join(spec["y"]))
            ax.grid(True, which="both", alpha=0.3)
            axes_list = [ax]
        else:
            n = len(groups)
            fig, axes = plt.subplots(1, n, figsize=(max(7, 3.5 * n), 4.5), sharey=True,
                                     squeeze=False)
            axes_list = list(axes[0])
            transient = draw_stacked(axes_list, groups, spec, categories)
            axes_list[0].set_ylabel(spec["ylabel"] or
                                    (" + ".join(spec["y"]) if len(spec["y"]) <= 2 else "sum of y columns"))
        handles, labels = axes_list[0].get_legend_handles_labels()
        if transient:
            # The legend says what a hollow marker (or hatched bar) means.
            handles.append(Line2D([], [], marker="o", linestyle="none", color="gray",
                                  markerfacecolor="none"))
            labels.append("hollow / hatched: transient (not steady)")
        if handles:
            axes_list[-1].legend(handles, labels, fontsize=7, loc="best")
        fig.suptitle(spec["title"] + (f"\n{facet_text}" if facet else ""), fontsize=10)
        fig.tight_layout()
        made.append((save(fig, plots_dir, stem), spec["title"] + (f" ({facet_text})" if facet else "")))
    return made


# ----------------------------------------------------------------- index


def axis_text(a):
    if "values" in a:
        return ", ".join(fmt_value(v) for v in a["values"])
    r = a.get("range")
    if isinstance(r, dict):
        return (f"{r.get('from')} to {r.get('to')}, {r.get('steps')} steps, "
                f"{r.get('scale', 'linear')}")
    return "?"


def stderr_link(out_dir, row):
    """Relative link to a failed point's stderr.txt, when the file is there."""
    cand = os.path.join("points", f"{row.get('point')}-r{row.get('replica', '0')}", "stderr.txt")
    if os.path.exists(os.path.join(out_dir, cand)):
        return cand
    return None


def write_index(out_dir, doc, header, rows, figures, failed):
    study = doc.get("study", {})
    e = html.escape
    name = str(study.get("name", os.path.basename(os.path.abspath(out_dir))))
    out = ["<!DOCTYPE html>", '<html lang="en">', "<head>", '<meta charset="utf-8">',
           f"<title>{e(name)} - rxpath study</title>",
           "<style>",
           "body{font-family:sans-serif;margin:1.5em;max-width:110em}",
           "table{border-collapse:collapse;font-size:0.8em}",
           "th,td{border:1px solid #bbb;padding:2px 5px;text-align:right}",
           "th{background:#eee;position:sticky;top:0}",
           "tr.failed td{background:#fdd}",
           "figure{display:inline-block;margin:0.5em}",
           "figure img{max-width:100%}",
           ".fail{color:#a00}",
           "</style>", "</head>", "<body>",
           f"<h1>{e(name)}</h1>"]
    if study.get("description"):
        out.append(f"<p>{e(str(study['description']))}</p>")
    settings = [f"{k} = {study[k]}" for k in ("combine", "replicas", "seed", "base") if k in study]
    out.append(f"<p>{len(rows)} runs: {len(rows) - len(failed)} ok, {len(failed)} failed"
               + (f"; {e(', '.join(settings))}" if settings else "") + "</p>")
    out.append("<h2>Axes</h2>")
    axes = doc.get("axis", [])
    if axes:
        out.append("<ul>")
        for a in axes:
            out.append(f"<li><code>{e(a['knob'])}</code>: {e(axis_text(a))}</li>")
        out.append("</ul>")
    else:
        out.append("<p>none</p>")
    if failed:
        out.append(f'<h2 class="fail">Failed runs ({len(failed)})</h2>')
        out.append("<p>Left out of every plot.</p><ul>")
        for r in failed:
            link = stderr_link(out_dir, r)
            knobs = ", ".join(f"{a['knob']} = {r.get(a['knob'], '')}" for a in axes)
            what = (f"point {e(r.get('point', ''))} replica {e(r.get('replica', ''))}"
                    + (f" ({e(knobs)})" if knobs else "")
                    + f": exit code {e(r.get('exit_code', ''))}")
            if link:
                what += f' (<a href="{e(link)}">stderr</a>)'
            out.append(f'<li class="fail">{what}</li>')
        out.append("</ul>")
    out.append("<h2>Plots</h2>")
    if not figures:
        out.append("<p>No plots: no successful runs.</p>")
    for stem, caption in figures:
        out.append(f'<figure><a href="plots/{e(stem)}.png"><img src="plots/{e(stem)}.svg" '
                   f'alt="{e(caption)}"></a><figcaption>{e(caption)}</figcaption></figure>')
    out.append("<h2>Results</h2>")
    out.append('<p>The same table as <a href="results.csv">results.csv</a>; failed runs in red.</p>')
    out.append("<table>")
    out.append("<thead><tr>" + "".join(f"<th>{e(c)}</th>" for c in header) + "</tr></thead>")
    out.append("<tbody>")
    for r in rows:
        cls = ' class="failed"' if r.get("status") != "ok" else ""
        out.append(f"<tr{cls}>" + "".join(f"<td>{e(r.get(c) or '')}</td>" for c in header) + "</tr>")
    out.append("</tbody></table>")
    out.append("</body></html>")
    with open(os.path.join(out_dir, "index.html"), "w", encoding="utf-8") as f:
        f.write("\n".join(out) + "\n")


# ------------------------------------------------------------------ main


def main(argv):
    if len(argv) != 2 or argv[1] in ("-h", "--help"):
        print(__doc__.strip(), file=sys.stderr)
        return 2
    out_dir = argv[1]
    if not os.path.isdir(out_dir):
        fail(f"{out_dir}: not a study directory")
    study_path = os.path.join(out_dir, "study.toml")
    results_path = os.path.join(out_dir, "results.csv")
    try:
        doc = load_study(study_path)
        header, rows = load_results(results_path)
        axis_knobs = [a["knob"] for a in doc.get("axis", [])]
        for k in axis_knobs:
            if k not in header:
                raise InputError(f"{results_path}: no column for the axis '{k}' of {study_path}")
        # In a zip study the axes move together: no series and no facets by axis
        # (a [[plot]] may still name a series column).
        if doc.get("study", {}).get("combine") == "zip":
            axis_knobs = []
        if doc.get("plot"):
            specs = check_plot_specs(doc["plot"], header, study_path, results_path)
        else:
            specs = default_specs(header, axis_knobs)
    except InputError as err:
        fail(str(err))

    ok = [r for r in rows if r.get("status") == "ok"]
    failed = [r for r in rows if r.get("status") != "ok"]
    plots_dir = os.path.join(out_dir, "plots")
    os.makedirs(plots_dir, exist_ok=True)
    # Old figures of an earlier run would otherwise stay next to the new ones.
    for f in sorted(os.listdir(plots_dir)):
        if f.endswith((".png", ".svg")):
            os.remove(os.path.join(plots_dir, f))
    figures = []
    if ok:
        for spec in specs:
            figures += draw_spec(spec, ok, axis_knobs, plots_dir)
    write_index(out_dir, doc, header, rows, figures, failed)
    print(f"plot.py: {len(figures)} figures in {plots_dir}, {os.path.join(out_dir, 'index.html')}",
          file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
