#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""The course labs of docs/labs/: run a lab, draw its pictures, and check that
the numbers its page quotes still come out.

    docs/labs/labs.py run N [N ...]     run lab N in full (out/labs/NN-name/), copy its
                                        pictures to docs/labs/img/ and compare the numbers
                                        with docs/labs/NN-name.expected.json
    docs/labs/labs.py run N --update    the same, and rewrite the expected file
    docs/labs/labs.py check [N ...]     the freshness check (CI): re-run only the runs the
                                        page quotes (a slice of the lab) and compare

Options: --rxpath PATH (default build/testbench/rxpath), --out DIR (default out/labs).

A quoted number matches when |new - expected| <= max(rel * |expected|, abs), with
rel = 0.03 and abs = 0 unless the number states its own (the expected file lists
both). rxpath is deterministic: the same binary gives the same numbers exactly, so
the tolerance only absorbs small changes of the model (a cost, a rounding); a change
that moves a quoted number by more is a lab whose text must be rewritten.

Exit status: 0 every number matches, 1 a number differs (each is listed), 2 a run
failed or bad input.

Needs Python 3.11 (tomllib) and, for `run`, matplotlib (python3-matplotlib).
"""
import argparse
import csv
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import tomllib

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
LABS_DIR = os.path.join(ROOT, "docs", "labs")
IMG_DIR = os.path.join(LABS_DIR, "img")
sys.path.insert(0, os.path.join(ROOT, "study"))

REL = 0.03


class LabError(Exception):
    pass


# ---------------------------------------------------------------------------
# running rxpath
# ---------------------------------------------------------------------------


def run(cmd, cwd=None, ok=(0,)):
    print("+ " + " ".join(cmd), file=sys.stderr, flush=True)
    p = subprocess.run(cmd, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    if p.returncode not in ok:
        sys.stderr.write(p.stderr[-4000:])
        raise LabError(f"{' '.join(cmd)}: exit status {p.returncode}")
    return p.stdout


def toml_value(v):
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (int, float)):
        return repr(v)
    if isinstance(v, str):
        return json.dumps(v)
    raise LabError(f"cannot write {v!r} as TOML")


def flatten(d, prefix=""):
    out = {}
    for k, v in d.items():
        if isinstance(v, dict):
            out.update(flatten(v, prefix + k + "."))
        else:
            out[prefix + k] = v
    return out


def study_path(name):
    return os.path.join(ROOT, "studies", "labs", name)


def load_study(name):
    with open(study_path(name), "rb") as f:
        return tomllib.load(f)


def sweep(rxpath, study_file, outdir, plot):
    if os.path.isdir(outdir):
        shutil.rmtree(outdir)
    cmd = [rxpath, "sweep", study_file, "-o", outdir, "-j", "2", "--force"]
    if not plot:
        cmd.append("--no-plot")
    run(cmd)


def slice_study(name, points, outfile):
    """A zip study of only `points` (dicts knob -> value) of study `name`."""
    doc = load_study(name)
    st = doc["study"]
    lines = ["[study]", f"name = {toml_value(st['name'] + '-slice')}", 'combine = "zip"', "replicas = 1",
             f"seed = {toml_value(st.get('seed', 1))}"]
    if "base" in st:
        lines.append(f"base = {toml_value(os.path.normpath(os.path.join(os.path.dirname(study_path(name)), st['base'])))}")
    lines.append("[scenario]")
    for k, v in flatten(doc.get("scenario", {})).items():
        lines.append(f"{k} = {toml_value(v)}")
    for ax in doc["axis"]:
        knob = ax["knob"]
        lines += ["[[axis]]", f"knob = {toml_value(knob)}",
                  "values = [" + ", ".join(toml_value(p[knob]) for p in points) + "]"]
    with open(outfile, "w") as f:
        f.write("\n".join(lines) + "\n")


class Results:
    """results.csv of a sweep, with each row's report.json at hand."""

    def __init__(self, outdir):
        self.dir = outdir
        with open(os.path.join(outdir, "results.csv"), newline="") as f:
            self.rows = list(csv.DictReader(f))
        bad = [r for r in self.rows if r["status"] != "ok"]
        if bad:
            raise LabError(f"{outdir}: {len(bad)} run(s) failed, e.g. point {bad[0]['point']}")

    def row(self, **knobs):
        want = {k.replace("__", "."): v for k, v in knobs.items()}
        found = [r for r in self.rows if all(same(r[k], v) for k, v in want.items())]
        if len(found) != 1:
            raise LabError(f"{self.dir}: {len(found)} rows match {want}")
        return found[0]

    def report(self, row):
        pdir = os.path.join(self.dir, "points")
        for d in os.listdir(pdir):
            if d.split("-")[0].isdigit() and int(d.split("-")[0]) == int(row["point"]) and d.endswith(
                    f"-r{row['replica']}"):
                with open(os.path.join(pdir, d, "report.json")) as f:
                    return json.load(f)
        raise LabError(f"{self.dir}: no report for point {row['point']}")


def same(cell, v):
    if isinstance(v, bool):
        return cell == ("true" if v else "false")
    if isinstance(v, (int, float)):
        try:
            return abs(float(cell) - float(v)) < 1e-9
        except ValueError:
            return False
    return cell == str(v)


def num(x):
    return float(x) if x not in ("", None) else 0.0


# ---------------------------------------------------------------------------
# a quoted number
# ---------------------------------------------------------------------------


class Quote:
    """One number a lab page quotes: name, how to get it, its tolerance."""

    def __init__(self, name, get, study=None, point=None, rel=REL, abs_=0.0, digits=4):
        self.name, self.get, self.study, self.point = name, get, study, point
        self.rel, self.abs, self.digits = rel, abs_, digits


def quote_value(q, sources):
    v = q.get(sources[q.study] if q.study else sources[None], q.point)
    return round(float(v), q.digits)


# ---------------------------------------------------------------------------
# the labs
# ---------------------------------------------------------------------------


def journey_stage(j, name, packet=None):
    for s in j["stages"]:
        if s["name"] == name and (packet is None or s.get("packet") == packet):
            return s
    raise LabError(f"journey {j['id']}: no stage {name}")


def single_run(rxpath, outdir, args):
    os.makedirs(outdir, exist_ok=True)
    run([rxpath] + args + ["--quiet"], cwd=outdir)


# Lab 1: one frame, wire to recv()
LAB1_ARGS = ["--duration-us", "60", "--set", "traffic.rate_gbps=0.5", "--out", ".", "--journey", "1", "--journey-json",
             "journey1.json", "--timeline", "timeline.json", "--trace", "run.fst"]


def lab1_run(rxpath, out, full):
    single_run(rxpath, out, LAB1_ARGS)
    if full:
        run(["/usr/bin/python3", os.path.join(ROOT, "waves", "tools", "timeline_png.py"), "timeline.json",
             "timeline.png", "--start-us", "10", "--stop-us", "22"], cwd=out)
    with open(os.path.join(out, "journey1.json")) as f:
        j = json.load(f)
    with open(os.path.join(out, "report.json")) as f:
        rep = json.load(f)
    return {None: {"j": j, "rep": rep}}


def _t(name):
    return lambda s, _p: journey_stage(s["j"], name)["t_ns"]


def _skb(name, field):
    return lambda s, _p: journey_stage(s["j"], name)["skb"][field]


LAB1 = [
    Quote("xgmii_start_ns", _t("xgmii_start")),
    Quote("writeback_ns", _t("writeback")),
    Quote("msix_ns", _t("msix")),
    Quote("igb_msix_ring_ns", _t("igb_msix_ring")),
    Quote("napi_poll_ns", _t("napi_poll")),
    Quote("udp_enqueue_ns", _t("__udp_enqueue_schedule_skb")),
    Quote("epoll_wait_ns", _t("epoll_wait")),
    Quote("udp_recvmsg_ns", _t("udp_recvmsg")),
    Quote("latency_ns", lambda s, _p: s["j"]["outcome"]["latency_ns"]),
    Quote("data_at_clean", _skb("igb_clean_rx_irq", "data"), rel=0),
    Quote("data_after_eth", _skb("napi_gro_receive", "data"), rel=0),
    Quote("data_after_ip", _skb("udp_rcv", "data"), rel=0),
    Quote("data_after_udp", _skb("__udp_enqueue_schedule_skb", "data"), rel=0),
    Quote("len_at_socket", _skb("__udp_enqueue_schedule_skb", "len"), rel=0),
    Quote("truesize", _skb("igb_clean_rx_irq", "truesize"), rel=0),
    Quote("offered_frames", lambda s, _p: s["rep"]["offered"]["frames"], rel=0),
]


# Lab 2: the sk_buff explorer
LAB2_TCP_ARGS = [os.path.join(ROOT, "testbench", "scenarios", "tcp-bulk.toml"), "--duration-us", "100", "--journey", "20",
                 "--journey-json", "journey20.json", "--json", "report.json"]
LAB2_UDP_ARGS = ["--duration-us", "60", "--set", "traffic.rate_gbps=0.5", "--journey", "1", "--journey-json",
                 "journey1.json"]


def lab2_run(rxpath, out, full):
    single_run(rxpath, os.path.join(out, "tcp"), LAB2_TCP_ARGS)
    single_run(rxpath, os.path.join(out, "udp"), LAB2_UDP_ARGS)
    points = None if full else lab_points(LAB2)
    src = study_sources(rxpath, out, ["02-rmem.toml"], full, points)
    with open(os.path.join(out, "tcp", "journey20.json")) as f:
        src[None] = {"tcp": json.load(f)}
    with open(os.path.join(out, "tcp", "report.json")) as f:
        src[None]["tcprep"] = json.load(f)
    with open(os.path.join(out, "udp", "journey1.json")) as f:
        src[None]["udp"] = json.load(f)
    return src


def _tcp(field, stage="napi_gro_complete"):
    return lambda s, _p: journey_stage(s["tcp"], stage)["skb"][field]


def _col(col):
    return lambda res, p: num(res.row(**p)[col])


RMEM = "02-rmem.toml"


def _rm(size, rmem):
    return {"kernel.rmem_default": rmem, "traffic.size": str(size),
            "traffic.rate_gbps": 0.5 if size == 64 else 9.155}


LAB2 = [
    Quote("tcp_segs", lambda s, _p: int(journey_stage(s["tcp"], "napi_gro_complete")["detail"].split()[-1]), rel=0),
    Quote("tcp_len", _tcp("len"), rel=0),
    Quote("tcp_data_len", _tcp("data_len"), rel=0),
    Quote("tcp_truesize", _tcp("truesize"), rel=0),
    Quote("tcp_len_at_queue", _tcp("len", "tcp_queue_rcv"), rel=0),
    Quote("tcp_insegs", lambda s, _p: s["tcprep"]["counters"]["Tcp.InSegs"]),
    Quote("tcp_gprc", lambda s, _p: s["tcprep"]["counters"]["nic.GPRC"]),
    Quote("udp_truesize", lambda s, _p: journey_stage(s["udp"], "udp_recvmsg")["skb"]["truesize"], rel=0),
    Quote("udp_len", lambda s, _p: journey_stage(s["udp"], "udp_recvmsg")["skb"]["len"], rel=0),
] + [
    Quote(f"offered_{size}_{rmem}", _col("offered_frames"), RMEM, _rm(size, rmem))
    for size in (64, 1518) for rmem in (16384,)
] + [
    Quote(f"rcvbuf_{size}_{rmem}", _col("drop.stack.SOCKET_RCVBUFF"), RMEM, _rm(size, rmem), abs_=3)
    for size in (64, 1518) for rmem in (16384, 65536, 131072, 212992, 425984)
]


# Lab 3: NAPI and the softirq budget
NAPI = "03-napi.toml"


def _np(budget, usecs, rate):
    return {"kernel.netdev_budget": budget, "igb.rx_usecs": usecs, "traffic.rate_gbps": rate}


def _per_poll(res, p):
    r = res.row(**p)
    return num(r["offered_pps"]) * (1 - num(r["loss_ratio"])) / num(r["polls_per_s"])


LAB3 = []
for _b, _u, _r in [(300, 0, 0.01), (300, 0, 0.05), (300, 50, 0.01), (300, 50, 0.15), (300, 0, 0.15), (300, 0, 0.3), (300, 0, 0.5), (300, 0, 1.0), (300, 50, 0.05),
                   (300, 50, 0.3), (300, 50, 0.5), (32, 50, 0.5), (32, 0, 0.5), (32, 0, 1.0), (300, 50, 1.0),
                   (32, 50, 1.0)]:
    _k = f"{_b}_{_u}_{_r}"
    LAB3 += [
        Quote(f"msix_per_s_{_k}", _col("msix_per_s"), NAPI, _np(_b, _u, _r), abs_=100),
        Quote(f"polls_per_s_{_k}", _col("polls_per_s"), NAPI, _np(_b, _u, _r), abs_=100),
        Quote(f"time_squeeze_{_k}", _col("time_squeeze"), NAPI, _np(_b, _u, _r), abs_=3),
        Quote(f"latency_p50_ns_{_k}", _col("latency_p50_ns"), NAPI, _np(_b, _u, _r)),
        Quote(f"ksoftirqd_{_k}", _col("cpu_share.ksoftirqd"), NAPI, _np(_b, _u, _r), abs_=0.01),
        Quote(f"softirq_{_k}", _col("cpu_share.softirq"), NAPI, _np(_b, _u, _r), abs_=0.01),
        Quote(f"hardirq_{_k}", _col("cpu_share.hardirq"), NAPI, _np(_b, _u, _r), abs_=0.01),
        Quote(f"loss_{_k}", _col("loss_ratio"), NAPI, _np(_b, _u, _r), abs_=0.01),
        Quote(f"per_poll_{_k}", _per_poll, NAPI, _np(_b, _u, _r), abs_=0.2, digits=2),
    ]


# Lab 4: when the ring fills
RING, CNT = "04-ring.toml", "04-counters.toml"


def _rg(ring, rate):
    return {"igb.rx_ring": ring, "traffic.rate_gbps": rate}


def _cn(i):
    return [
        {"traffic.rate_gbps": 0.9, "igb.drop_en": False, "igb.rx_ring": 256, "cost.stack.user_per_packet": 0.0},
        {"traffic.rate_gbps": 0.9, "igb.drop_en": True, "igb.rx_ring": 256, "cost.stack.user_per_packet": 0.0},
        {"traffic.rate_gbps": 0.9, "igb.drop_en": False, "igb.rx_ring": 4096, "cost.stack.user_per_packet": 0.0},
        {"traffic.rate_gbps": 0.2, "igb.drop_en": False, "igb.rx_ring": 256, "cost.stack.user_per_packet": 8000.0},
    ][i]


def _counter(name):
    return lambda res, p: res.report(res.row(**p))["counters"][name]


def _steady(res, p):
    return 1.0 if res.row(**p)["steady"] == "steady" else 0.0


def _md1k(res, p):
    import queueing  # study/queueing.py: the M/D/1/K model of docs/theory/queueing.md

    knobs = queueing.scenario_knobs(study_path(RING))
    knobs["igb.rx_ring"] = p["igb.rx_ring"]
    lam = num(res.row(**p)["offered_pps"])  # the measured arrival rate of the window
    return queueing.md1k_loss(lam, queueing.capacity_pps(knobs), queueing.queue_capacity(knobs)[0])


def _fluid(res, p):
    import queueing

    knobs = dict(queueing.scenario_knobs(study_path(RING)), **{"igb.rx_ring": p["igb.rx_ring"]})
    return queueing.overload_limit(num(res.row(**p)["offered_pps"]), queueing.capacity_pps(knobs))


def _mu(_res, _p):
    import queueing

    return queueing.capacity_pps(queueing.scenario_knobs(study_path(RING)))


LAB4 = [Quote("mu_pps", _mu, RING, _rg(256, 1.2))]
for _ring in (64, 256, 1024):
    for _rate in (0.3, 0.56, 0.75, 0.9, 1.2):
        LAB4.append(Quote(f"loss_{_ring}_{_rate}", _col("loss_ratio"), RING, _rg(_ring, _rate), abs_=0.005))
    LAB4.append(Quote(f"p99_{_ring}_1.2", _col("latency_p99_ns"), RING, _rg(_ring, 1.2)))
    LAB4.append(Quote(f"p99_{_ring}_0.56", _col("latency_p99_ns"), RING, _rg(_ring, 0.56)))
    LAB4.append(Quote(f"steady_{_ring}_0.75", _steady, RING, _rg(_ring, 0.75), rel=0))
for _rate in (0.75, 0.9, 1.2):
    LAB4.append(Quote(f"md1k_256_{_rate}", _md1k, RING, _rg(256, _rate)))
    LAB4.append(Quote(f"offered_pps_256_{_rate}", _col("offered_pps"), RING, _rg(256, _rate)))
    LAB4.append(Quote(f"fluid_256_{_rate}", _fluid, RING, _rg(256, _rate)))
for _i, _tag in enumerate(["mpc", "dropen", "big", "slow"]):
    _p = _cn(_i)
    LAB4 += [
        Quote(f"{_tag}_offered", _col("offered_frames"), CNT, _p),
        Quote(f"{_tag}_loss", _col("loss_ratio"), CNT, _p, abs_=0.005),
        Quote(f"{_tag}_MPC", _col("drop.nic.MPC"), CNT, _p, abs_=3),
        Quote(f"{_tag}_RQDPC", _col("drop.nic.RQDPC"), CNT, _p, abs_=3),
        Quote(f"{_tag}_RcvbufErrors", _counter("Udp.RcvbufErrors"), CNT, _p, abs_=3),
        Quote(f"{_tag}_RNBC", _counter("nic.RNBC"), CNT, _p, abs_=3),
        Quote(f"{_tag}_p50", _col("latency_p50_ns"), CNT, _p),
        Quote(f"{_tag}_steady", _steady, CNT, _p, rel=0),
    ]


# Lab 5: spreading the load (RSS, RPS, SO_REUSEPORT)
RSS, SPREAD = "05-rss.toml", "05-spread.toml"
# The eight runs of 05-spread.toml, in its order (the page's table).
SPREAD_CASES = ["one queue", "4 queues", "one flow", "one host, sd", "one host, sdfn", "sdfn, random key",
                "1 queue + RPS", "one reader"]


def _rs(queues, rate):
    return {"igb.queues": queues, "traffic.rate_gbps": rate}


def _sc(i):
    """Run i of 05-spread.toml: the i-th value of each of its zip axes."""
    return {ax["knob"]: ax["values"][i] for ax in load_study(SPREAD)["axis"]}


def _queue_share(q):
    def get(res, p):
        qs = res.report(res.row(**p))["queues"]
        return qs[q]["rx_packets"] / max(1, sum(x["rx_packets"] for x in qs)) if q < len(qs) else 0.0

    return get


def _cpu_time(cpu, ctx):
    """Share of CPU `cpu`'s time (the whole run, traffic and drain) spent in context `ctx`."""
    def get(res, p):
        ns = res.report(res.row(**p))["cpu_ns"]
        mine = {k.split(".", 1)[1]: v for k, v in ns.items() if k.split(".", 1)[0] == f"cpu{cpu}"}
        return mine[ctx] / sum(mine.values())

    return get


def _softnet(cpu, field):
    return lambda res, p: res.report(res.row(**p))["softnet"][cpu][field]


LAB5 = []
for _q in (1, 2, 4):
    for _r in (0.4, 0.6, 0.8, 1.0, 1.4, 2.0):
        LAB5.append(Quote(f"loss_q{_q}_{_r}", _col("loss_ratio"), RSS, _rs(_q, _r), abs_=0.005))
    for _r in (0.6, 1.4, 2.0):
        LAB5.append(Quote(f"idle_q{_q}_{_r}", _col("cpu_share.idle"), RSS, _rs(_q, _r), abs_=0.01))
        LAB5.append(Quote(f"process_q{_q}_{_r}", _col("cpu_share.process"), RSS, _rs(_q, _r), abs_=0.01))
        LAB5.append(Quote(f"ksoftirqd_q{_q}_{_r}", _col("cpu_share.ksoftirqd"), RSS, _rs(_q, _r), abs_=0.01))
    for _r in (0.8, 1.4, 2.0):
        for _c in ("drop.nic.MPC", "drop.nic.RQDPC", "drop.stack.SOCKET_RCVBUFF"):
            LAB5.append(Quote(f"{_c.split('.')[-1]}_q{_q}_{_r}", _col(_c), RSS, _rs(_q, _r), abs_=3))
        LAB5.append(Quote(f"offered_q{_q}_{_r}", _col("offered_frames"), RSS, _rs(_q, _r)))
    LAB5.append(Quote(f"p99_q{_q}_0.6", _col("latency_p99_ns"), RSS, _rs(_q, 0.6)))
for _i in range(len(SPREAD_CASES)):
    LAB5 += [
        Quote(f"case{_i}_loss", _col("loss_ratio"), SPREAD, _sc(_i), abs_=0.005),
        Quote(f"case{_i}_MPC", _col("drop.nic.MPC"), SPREAD, _sc(_i), abs_=3),
        Quote(f"case{_i}_RQDPC", _col("drop.nic.RQDPC"), SPREAD, _sc(_i), abs_=3),
        Quote(f"case{_i}_RcvbufErrors", _col("drop.stack.SOCKET_RCVBUFF"), SPREAD, _sc(_i), abs_=3),
        Quote(f"case{_i}_p50", _col("latency_p50_ns"), SPREAD, _sc(_i)),
    ] + [Quote(f"case{_i}_q{_q}_share", _queue_share(_q), SPREAD, _sc(_i), abs_=0.01) for _q in range(4)] + [
        Quote(f"case{_i}_cpu{_c}_{_x}", _cpu_time(_c, _x), SPREAD, _sc(_i), abs_=0.01)
        for _c in range(4) for _x in ("hardirq", "softirq", "ksoftirqd", "process", "idle")]
LAB5 += [Quote(f"case6_cpu{_c}_{_f}", _softnet(_c, _f), SPREAD, _sc(6), abs_=3)
         for _c in range(4) for _f in ("processed", "received_rps", "ipis_sent")]


# Lab 6: select, poll and epoll
SEL, EDGE = "06-select.toml", "06-edge.toml"
SEL_FDS = (0, 16, 64, 256, 1000)
EDGE_RATES = (0.05, 0.2, 1.0)


def _sp(mode, fds):
    return {"app.mode": mode, "app.idle_fds": fds}


def _ep(mode, rate):
    return {"app.mode": mode, "traffic.rate_gbps": rate}


def _mech(mode):
    """The counters' prefix of an app.mode: epoll-et counts as epoll."""
    return "epoll" if mode.startswith("epoll") else mode


def _wakeups(row):
    """The reader's wakeups in the window: the passes that waited
    (poll_schedule_timeout) or the epoll_wait waits (schedule_hrtimeout_range)."""
    m = _mech(row["app.mode"])
    return num(row[f"counter.{m}." + ("schedule_hrtimeout_range" if m == "epoll" else "poll_schedule_timeout")])


def _per_wakeup(name):
    """A window counter of the row's mechanism ("vfs_poll" -> counter.poll.vfs_poll) per wakeup."""
    def get(res, p):
        r = res.row(**p)
        return num(r[f"counter.{_mech(r['app.mode'])}.{name}"]) / _wakeups(r)
    return get


def _per_msg(name):
    """A window counter of the row's mechanism per message delivered in the window."""
    def get(res, p):
        r = res.row(**p)
        return num(r[f"counter.{_mech(r['app.mode'])}.{name}"]) / num(r["delivered_frames"])
    return get


def _msgs_per_wakeup(res, p):
    r = res.row(**p)
    return num(r["delivered_frames"]) / _wakeups(r)


def _whole_run(name):
    """A counter over the whole run (report.json "counters"), e.g. the set-up epoll.ep_insert."""
    return lambda res, p: res.report(res.row(**p))["counters"][name]


def _proc_per_msg(res, p):
    r = res.row(**p)
    # cpu_share is of (window x CPUs); 2 CPUs, the reader alone on CPU 1
    return num(r["cpu_share.process"]) * num(r["window_us"]) * 1000 * 2 / num(r["delivered_frames"])


LAB6 = []
for _m in ("epoll", "epoll-et", "poll", "select"):
    for _f in SEL_FDS:
        _k, _p = f"{_m}_{_f}", _sp(_m, _f)
        LAB6 += [Quote(f"msgs_per_wakeup_{_k}", _msgs_per_wakeup, SEL, _p, digits=2),
                 Quote(f"proc_ns_per_msg_{_k}", _proc_per_msg, SEL, _p, digits=1),
                 Quote(f"p50_{_k}", _col("latency_p50_ns"), SEL, _p)]
        if _m.startswith("epoll"):
            LAB6 += [Quote(f"ep_poll_callback_per_msg_{_k}", _per_msg("ep_poll_callback"), SEL, _p, digits=2),
                     Quote(f"ep_item_poll_per_wakeup_{_k}", _per_wakeup("ep_item_poll"), SEL, _p, digits=2),
                     Quote(f"ep_insert_{_k}", _whole_run("epoll.ep_insert"), SEL, _p, rel=0)]
        else:
            LAB6 += [Quote(f"vfs_poll_per_wakeup_{_k}", _per_wakeup("vfs_poll"), SEL, _p, digits=1),
                     Quote(f"pollwait_per_wakeup_{_k}", _per_wakeup("__pollwait"), SEL, _p, digits=1),
                     Quote(f"pollwake_per_wakeup_{_k}", _per_wakeup("pollwake"), SEL, _p, digits=2),
                     Quote(f"vfs_poll_per_msg_{_k}", _per_msg("vfs_poll"), SEL, _p, digits=1)]
for _m in ("epoll", "epoll-et"):
    for _r in EDGE_RATES:
        _k, _p = f"{_m}_{_r}", _ep(_m, _r)
        LAB6 += [Quote(f"edge_msgs_per_wakeup_{_k}", _msgs_per_wakeup, EDGE, _p, digits=2),
                 Quote(f"edge_ep_item_poll_per_msg_{_k}", _per_msg("ep_item_poll"), EDGE, _p, digits=2),
                 Quote(f"edge_ep_poll_callback_per_msg_{_k}", _per_msg("ep_poll_callback"), EDGE, _p, digits=2),
                 Quote(f"edge_do_epoll_wait_per_msg_{_k}", _per_msg("do_epoll_wait"), EDGE, _p, digits=2),
                 Quote(f"edge_proc_ns_per_msg_{_k}", _proc_per_msg, EDGE, _p, digits=1)]


# Lab 7: debugging with waveforms (a planted fault)
MYSTERY = os.path.join(ROOT, "studies", "labs", "07-mystery.toml")
LAB7_TRIGGER = ["--trigger", "mpc", "--before-us", "20", "--after-us", "5"]


def lab7_run(rxpath, out, full):
    single_run(rxpath, os.path.join(out, "symptom"), [MYSTERY, "--out", "."])
    single_run(rxpath, os.path.join(out, "trigger"), [MYSTERY] + LAB7_TRIGGER + [
        "--trace", "mpc.fst", "--timeline", "mpc.json", "--journey", "1090", "--journey-json", "j1090.json"])
    single_run(rxpath, os.path.join(out, "journey"), [MYSTERY, "--journey", "100", "--journey-json", "j100.json"])
    single_run(rxpath, os.path.join(out, "fixed"), [MYSTERY, "--set", "igb.rx_usecs=3", "--out", "."])
    src = {}
    for name, f in (("symptom", "symptom/report.json"), ("fixed", "fixed/report.json"),
                    ("j1090", "trigger/j1090.json"), ("j100", "journey/j100.json")):
        with open(os.path.join(out, f)) as fh:
            src[name] = json.load(fh)
    if full:
        tdir = os.path.join(out, "trigger")
        run(["/usr/bin/python3", os.path.join(ROOT, "waves", "tools", "timeline_png.py"), "mpc.json", "timeline.png"],
            cwd=tdir)
        for view in ("desc_ring", "irq_napi"):
            run([os.path.join(ROOT, "scripts", "waves"), "--png", f"{view}.png", view, "mpc.fst"], cwd=tdir)
    return {None: src}


def _m(which, *path):
    def get(s, _p):
        v = s[which]
        for k in path:
            v = v[k]
        return v

    return get


LAB7 = [
    Quote("symptom_offered", _m("symptom", "accounting", "offered"), rel=0),
    Quote("symptom_mpc_run", _m("symptom", "accounting", "drops", "nic.MPC"), abs_=3),
    Quote("symptom_loss_window", _m("symptom", "measured", "loss_ratio"), abs_=0.005),
    Quote("symptom_p50_ns", _m("symptom", "measured", "latency_ns", "p50")),
    Quote("symptom_msix_per_s", _m("symptom", "measured", "msix_per_s"), abs_=20),
    Quote("symptom_polls_per_s", _m("symptom", "measured", "polls_per_s"), abs_=100),
    Quote("symptom_idle_share", _m("symptom", "measured", "cpu_share", "idle"), abs_=0.01),
    Quote("symptom_steady", lambda s, _p: 1.0 if s["symptom"]["steady"]["verdict"] == "steady" else 0.0, rel=0),
    Quote("trigger_us", lambda s, _p: s["j1090"]["window_ps"][0] / 1e6 + 20.0),
    Quote("j1090_dropped_mpc", lambda s, _p: 1.0 if s["j1090"]["outcome"].get("counter") == "MPC" else 0.0, rel=0),
    Quote("j1090_xgmii_ns", lambda s, _p: journey_stage(s["j1090"], "xgmii_start")["t_ns"]),
    Quote("j100_store_ns", lambda s, _p: journey_stage(s["j100"], "pktbuf_store")["t_ns"]),
    Quote("j100_desc_assign_ns", lambda s, _p: journey_stage(s["j100"], "desc_assign")["t_ns"]),
    Quote("j100_msix_context_ns", lambda s, _p: next(c["t_ns"] for c in s["j100"]["context"]
                                                     if c["name"] == "igb_msix_ring")),
    Quote("j100_next_msix_ns", lambda s, _p: s["j100"]["next_msix_ns"]),
    Quote("j100_latency_ns", lambda s, _p: s["j100"]["outcome"]["latency_ns"]),
    Quote("fixed_p50_ns", _m("fixed", "measured", "latency_ns", "p50")),
    Quote("fixed_msix_per_s", _m("fixed", "measured", "msix_per_s"), abs_=100),
    Quote("fixed_mpc_run", _m("fixed", "accounting", "drops", "nic.MPC"), abs_=3),
    Quote("fixed_idle_share", _m("fixed", "measured", "cpu_share", "idle"), abs_=0.01),
]


def lab_points(quotes):
    pts = {}
    for q in quotes:
        if q.study:
            pts.setdefault(q.study, [])
            if q.point not in pts[q.study]:
                pts[q.study].append(q.point)
    return pts


def study_sources(rxpath, out, studies, full, points):
    src = {}
    for name in studies:
        d = os.path.join(out, name[:-5])
        if full:
            sweep(rxpath, study_path(name), d, plot=True)
        else:
            if name not in points:
                continue
            os.makedirs(out, exist_ok=True)
            sf = os.path.join(out, name[:-5] + "-slice.toml")
            slice_study(name, points[name], sf)
            sweep(rxpath, sf, d, plot=False)
        res = Results(d)
        for r in res.rows:
            if r["steady"] != "steady" and not any(all(same(r[k], v) for k, v in p.items())
                                                   for p in ALLOW_TRANSIENT.get(name, [])):
                raise LabError(f"{d}: point {r['point']} is {r['steady'] or 'not measured'}: a lab's figures "
                               "must come from steady runs (lengthen run.warmup_us / run.duration_us)")
        src[name] = res
    return src


# Points allowed to be transient: lab 4's run (c) shows a transient on purpose.
ALLOW_TRANSIENT = {CNT: [_cn(2)]}


def lab3_run(rxpath, out, full):
    return study_sources(rxpath, out, [NAPI], full, None if full else lab_points(LAB3))


def lab4_run(rxpath, out, full):
    src = study_sources(rxpath, out, [RING, CNT], full, None if full else lab_points(LAB4))
    if full:
        lab4_plot(src[RING], os.path.join(out, "loss-vs-md1k.png"))
        lab4_counters_plot(src[CNT], os.path.join(out, "counters.png"))
    return src


def lab5_run(rxpath, out, full):
    src = study_sources(rxpath, out, [RSS, SPREAD], full, None if full else lab_points(LAB5))
    if full:
        lab5_plot(src[SPREAD], os.path.join(out, "cases.png"))
        lab5_cpu_plot(src[RSS], os.path.join(out, "cpu.png"))
    return src


def lab6_run(rxpath, out, full):
    src = study_sources(rxpath, out, [SEL, EDGE], full, None if full else lab_points(LAB6))
    if full:
        lab6_counters_plot(src[SEL], os.path.join(out, "counters.png"))
        lab6_plot(src[SEL], os.path.join(out, "cost-per-message.png"))
    return src


def _save(plt, fig, png):
    """Lay out, write without a timestamp or tool name (so a rerun is byte-identical), close."""
    fig.tight_layout()
    fig.savefig(png, metadata={"Software": None})
    plt.close(fig)


def _plt():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def lab4_plot(res, png):
    import queueing

    plt = _plt()
    fig, ax = plt.subplots(figsize=(6.4, 4.0), dpi=80)
    knobs = queueing.scenario_knobs(study_path(RING))
    marks = {64: "o", 256: "s", 1024: "^"}
    for ring in (64, 256, 1024):
        rows = sorted((r for r in res.rows if int(r["igb.rx_ring"]) == ring), key=lambda r: num(r["offered_gbps"]))
        xs = [num(r["offered_pps"]) / 1e6 for r in rows]
        ys = [num(r["loss_ratio"]) for r in rows]
        fill = ["full" if r["steady"] == "steady" else "none" for r in rows]
        ax.plot(xs, ys, marker=marks[ring], linestyle="", fillstyle=fill[0] if len(set(fill)) == 1 else "full",
                label=f"rxpath, rx_ring {ring} (K = {queueing.queue_capacity(dict(knobs, **{'igb.rx_ring': ring}))[0]})")
    k256 = dict(knobs, **{"igb.rx_ring": 256})
    mu = queueing.capacity_pps(k256)
    K = queueing.queue_capacity(k256)[0]
    lams = [0.2e6 + i * 1.8e6 / 200 for i in range(201)]
    ax.plot([x / 1e6 for x in lams], [queueing.md1k_loss(x, mu, K) for x in lams], "-", color="grey",
            label=f"M/D/1/K, mu = {mu / 1e6:.3f} Mpps, K = {K}")
    ax.axvline(mu / 1e6, color="grey", linestyle=":", linewidth=1)
    ax.set_xlabel("offered load, Mpps (Poisson, 64-byte frames)")
    ax.set_ylabel("loss ratio (steady window)")
    ax.set_title("Lab 4: loss against load for three ring sizes")
    ax.grid(True, alpha=0.3)
    ax.legend(fontsize=8, loc="upper left")
    _save(plt, fig, png)


def lab4_counters_plot(res, png):
    plt = _plt()
    labels = ["overload\n(RNBC, MPC)", "overload\nDROP_EN", "overload\n4096 ring", "slow reader\n0.2 Gb/s"]
    names = [("MPC", lambda r: num(r["drop.nic.MPC"])), ("RQDPC", lambda r: num(r["drop.nic.RQDPC"])),
             ("Udp RcvbufErrors", lambda r: num(r["drop.stack.SOCKET_RCVBUFF"])),
             ("not dropped", lambda r: num(r["offered_frames"]) - num(r["dropped_frames"]))]
    fig, ax = plt.subplots(figsize=(7.4, 3.8), dpi=80)
    bottoms = [0.0] * 4
    rows = [res.row(**_cn(i)) for i in range(4)]
    for name, f in names:
        vals = [f(r) / max(1.0, num(r["offered_frames"])) for r in rows]
        bars = ax.bar(range(4), vals, bottom=bottoms, label=name)
        for b, r in zip(bars, rows):
            if r["steady"] != "steady":
                b.set_hatch("//")
        bottoms = [b + v for b, v in zip(bottoms, vals)]
    for i, r in enumerate(rows):
        if r["steady"] != "steady":
            ax.text(i, 0.5, "transient:\nstill filling", ha="center", fontsize=8)
    ax.set_xticks(range(4))
    ax.set_xticklabels(labels, fontsize=8)
    ax.set_ylabel("share of frames offered in the window")
    ax.set_title("Lab 4: where the frames went")
    ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.0, 1.0))
    _save(plt, fig, png)


def lab5_cpu_plot(res, png):
    """05-rss.toml: where the 4 CPUs' time goes as the load rises, for 1, 2 and 4 queues."""
    plt = _plt()
    fig, axes = plt.subplots(1, 3, figsize=(9.6, 3.4), dpi=80, sharey=True)
    colours = {"cpu_share.hardirq": "tab:red", "cpu_share.softirq": "tab:orange",
               "cpu_share.ksoftirqd": "tab:brown", "cpu_share.process": "tab:blue", "cpu_share.idle": "lightgrey"}
    for ax, q in zip(axes, (1, 2, 4)):
        rows = sorted((r for r in res.rows if int(r["igb.queues"]) == q), key=lambda r: num(r["traffic.rate_gbps"]))
        xs = [num(r["offered_gbps"]) for r in rows]
        ax.stackplot(xs, *[[num(r[c]) for r in rows] for c in colours], colors=list(colours.values()),
                     labels=[c.split(".")[1] for c in colours])
        ax.set_title(f"{q} queue{'s' if q > 1 else ''}")
        ax.set_xlabel("offered load, Gb/s")
        ax.set_xlim(min(xs), max(xs))
        ax.set_ylim(0, 1)
    axes[0].set_ylabel("share of the 4 CPUs' time\n(steady window)")
    axes[-1].legend(fontsize=7, loc="lower right")
    fig.suptitle("Lab 5: where the CPUs' time goes (readers are 'process')", fontsize=10)
    _save(plt, fig, png)


def lab5_plot(res, png):
    """The eight runs of 05-spread.toml: where the frames went, and each CPU's time."""
    plt = _plt()
    fig, (ax1, ax2) = plt.subplots(2, 1, figsize=(8.0, 6.4), dpi=80, sharex=True)
    n = len(SPREAD_CASES)
    rows = [res.row(**_sc(i)) for i in range(n)]
    bottoms = [0.0] * n
    for name, col in (("NIC: MPC", "drop.nic.MPC"), ("NIC: RQDPC", "drop.nic.RQDPC"),
                      ("socket: RcvbufErrors", "drop.stack.SOCKET_RCVBUFF"),
                      ("RPS backlog", "drop.stack.CPU_BACKLOG")):
        vals = [num(r[col]) / max(1.0, num(r["offered_frames"])) for r in rows]
        ax1.bar(range(n), vals, bottom=bottoms, label=name)
        bottoms = [b + v for b, v in zip(bottoms, vals)]
    ax1.set_ylabel("share of frames lost\n(steady window)")
    ax1.set_ylim(0, 0.6)
    ax1.legend(fontsize=8, loc="upper right")
    ax1.set_title("Lab 5: 0.8 Gb/s of 64-byte UDP on 4 CPUs")
    ax1.grid(True, axis="y", alpha=0.3)
    width = 0.2
    colours = {"hardirq": "tab:red", "softirq": "tab:orange", "ksoftirqd": "tab:brown", "process": "tab:blue"}
    for c in range(4):
        xs = [i + (c - 1.5) * width for i in range(n)]
        bottom = [0.0] * n
        for ctx, colour in colours.items():
            vals = [_cpu_time(c, ctx)(res, _sc(i)) for i in range(n)]
            ax2.bar(xs, vals, width * 0.9, bottom=bottom, color=colour, label=ctx if c == 0 else None)
            bottom = [b + v for b, v in zip(bottom, vals)]
    ax2.set_ylabel("busy share of each CPU\n(bars: CPU 0, 1, 2, 3)")
    ax2.set_ylim(0, 1.0)
    ax2.legend(fontsize=8, loc="upper left", ncol=4)
    ax2.grid(True, axis="y", alpha=0.3)
    ax2.set_xticks(range(n))
    ax2.set_xticklabels([f"{i}: {c}" for i, c in enumerate(SPREAD_CASES)], fontsize=8, rotation=20, ha="right")
    _save(plt, fig, png)


# mode, marker, line style; the pairs that give the same numbers (select and
# poll; epoll and epoll-et at 0.2 Gb/s) are drawn wide and solid, then thin and dotted
LAB6_MARKS = (("select", "o", "-"), ("poll", "s", ":"), ("epoll", "^", "-"), ("epoll-et", "v", ":"))
LAB6_STYLE = {"select": ("C0", 3.0), "poll": ("C1", 1.2), "epoll": ("C2", 3.0), "epoll-et": ("C3", 1.2)}


def _lab6_rows(res, mode):
    return sorted((r for r in res.rows if r["app.mode"] == mode), key=lambda r: num(r["app.idle_fds"]))


def _lab6_line(axis, mode, mark, ls, xs, ys, label):
    color, width = LAB6_STYLE[mode]
    axis.plot(xs, ys, marker=mark, linestyle=ls, color=color, linewidth=width, label=label)


def lab6_counters_plot(res, png):
    """The mechanisms' own counters: descriptors polled per wakeup (left), wakeup callbacks per message (right)."""
    plt = _plt()
    fig, (ax, bx) = plt.subplots(1, 2, figsize=(9.6, 4.0), dpi=80)
    for mode, mark, ls in LAB6_MARKS:
        rows = _lab6_rows(res, mode)
        xs = [num(r["app.idle_fds"]) + 1 for r in rows]
        pts = [_sp(mode, int(r["app.idle_fds"])) for r in rows]
        polled, callback = ("ep_item_poll", "ep_poll_callback") if _mech(mode) == "epoll" else ("vfs_poll", "pollwake")
        _lab6_line(ax, mode, mark, ls, xs, [_per_wakeup(polled)(res, p) for p in pts], f"{mode}: {polled}")
        _lab6_line(bx, mode, mark, ls, xs, [_per_msg(callback)(res, p) for p in pts], f"{mode}: {callback}")
        if mode == "poll":
            ax.plot(xs, [_per_wakeup("__pollwait")(res, p) for p in pts], marker="x", linestyle="--", color="grey",
                    label="select, poll: __pollwait (set-up)")
    for a in (ax, bx):
        a.set_xscale("log")
        a.set_xlabel("descriptors watched (1 busy + idle ones)")
        a.grid(True, alpha=0.3, which="both")
        a.legend(fontsize=7)
    ax.set_yscale("log")
    ax.set_ylabel("calls per wakeup of the reader")
    ax.set_title("descriptors polled per wakeup", fontsize=10)
    bx.set_ylabel("callbacks per message")
    bx.set_ylim(0, max(1.2, bx.get_ylim()[1]))
    bx.set_title("wakeup callbacks per message", fontsize=10)
    fig.suptitle("Lab 6: the mechanisms' own counters (measured window)", fontsize=11)
    _save(plt, fig, png)


def lab6_plot(res, png):
    plt = _plt()
    fig, ax = plt.subplots(figsize=(6.4, 4.0), dpi=80)
    for mode, mark, ls in LAB6_MARKS:
        rows = _lab6_rows(res, mode)
        xs = [num(r["app.idle_fds"]) + 1 for r in rows]
        ys = [_proc_per_msg(res, _sp(mode, int(r["app.idle_fds"]))) / 1000 for r in rows]
        _lab6_line(ax, mode, mark, ls, xs, ys, mode)
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("descriptors watched (1 busy + idle ones)")
    ax.set_ylabel("reader CPU time per message, us")
    ax.set_title("Lab 6: the reader's cost against idle descriptors")
    ax.grid(True, alpha=0.3, which="both")
    ax.legend(fontsize=8)
    _save(plt, fig, png)


# name, quotes, runner, pictures (path in the lab's out folder -> name in docs/labs/img/)
LABS = {
    "01": ("01-anatomy", LAB1, lab1_run, {"timeline.png": "01-timeline.png"}),
    "02": ("02-skbuff", LAB2, lab2_run, {"02-rmem/plots/rcvbuf.png": "02-rcvbuf.png"}),
    "03": ("03-napi", LAB3, lab3_run, {
        "03-napi/plots/interrupts--kernel.netdev_budget=300.png": "03-interrupts.png",
        "03-napi/plots/polls--kernel.netdev_budget=300.png": "03-polls.png",
        "03-napi/plots/latency--kernel.netdev_budget=300.png": "03-latency.png",
        "03-napi/plots/squeeze--kernel.netdev_budget=32.png": "03-squeeze-budget32.png",
        "03-napi/plots/cpu--kernel.netdev_budget=300_igb.rx_usecs=0.png": "03-cpu.png",
    }),
    "04": ("04-ring", LAB4, lab4_run, {"loss-vs-md1k.png": "04-loss-vs-md1k.png", "counters.png": "04-counters.png",
                                       "04-ring/plots/latency.png": "04-latency.png"}),
    "05": ("05-spread", LAB5, lab5_run, {"cases.png": "05-cases.png", "05-rss/plots/loss.png": "05-loss.png",
                                         "cpu.png": "05-cpu.png"}),
    "06": ("06-select", LAB6, lab6_run, {"counters.png": "06-counters.png",
                                         "cost-per-message.png": "06-cost-per-message.png"}),
    "07": ("07-waves", LAB7, lab7_run, {"trigger/timeline.png": "07-timeline.png", "trigger/desc_ring.png": "07-desc_ring.png",
                                         "trigger/irq_napi.png": "07-irq_napi.png"}),
}


def expected_path(name):
    return os.path.join(LABS_DIR, name + ".expected.json")


def compare(name, quotes, values):
    path = expected_path(name)
    if not os.path.exists(path):
        print(f"{name}: no {os.path.relpath(path, ROOT)} (run with --update)", file=sys.stderr)
        return 1
    with open(path) as f:
        exp = json.load(f)["numbers"]
    bad = 0
    for q in quotes:
        if q.name not in exp:
            print(f"{name}: {q.name} is not in the expected file", file=sys.stderr)
            bad += 1
            continue
        e, v = exp[q.name]["value"], values[q.name]
        tol = max(q.rel * abs(e), q.abs)
        if abs(v - e) > tol + 1e-12:
            print(f"{name}: {q.name} = {v}, the page quotes {e} (tolerance {tol:g})", file=sys.stderr)
            bad += 1
    print(f"{name}: {len(quotes) - bad} of {len(quotes)} quoted numbers match", file=sys.stderr)
    return bad


def do_lab(key, rxpath, out, full, update):
    name, quotes, runner, pics = LABS[key]
    d = os.path.join(out, name if full else name + "-check")
    if os.path.isdir(d):
        shutil.rmtree(d)
    os.makedirs(d)
    t0 = time.monotonic()
    src = runner(rxpath, d, full)
    wall = time.monotonic() - t0
    values = {q.name: quote_value(q, src) for q in quotes}
    print(f"{name}: {'ran' if full else 'checked'} in {wall:.0f} s wall", file=sys.stderr)
    if full:
        for srcpic, dst in pics.items():
            shutil.copyfile(os.path.join(d, srcpic), os.path.join(IMG_DIR, dst))
    if update:
        doc = {
            "lab": name,
            "command": f"docs/labs/labs.py run {key}",
            "wall_s_full_run": round(wall),
            "tolerance": "|new - value| <= max(rel * |value|, abs)",
            "numbers": {q.name: {"value": values[q.name], "rel": q.rel, "abs": q.abs} for q in quotes},
        }
        with open(expected_path(name), "w") as f:
            json.dump(doc, f, indent=1)
            f.write("\n")
        return 0
    return compare(name, quotes, values)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("what", choices=["run", "check"])
    ap.add_argument("labs", nargs="*", help="lab numbers (default: all)")
    ap.add_argument("--rxpath", default=os.path.join(ROOT, "build", "testbench", "rxpath"))
    ap.add_argument("--out", default=os.path.join(ROOT, "out", "labs"))
    ap.add_argument("--update", action="store_true", help="rewrite the expected numbers (run only)")
    a = ap.parse_args(argv)
    keys = [k.zfill(2) for k in a.labs] or list(LABS)
    for k in keys:
        if k not in LABS:
            print(f"labs.py: no lab {k} (labs: {', '.join(LABS)})", file=sys.stderr)
            return 2
    if not os.access(a.rxpath, os.X_OK):
        print(f"labs.py: --rxpath {a.rxpath}: not an executable", file=sys.stderr)
        return 2
    rxpath = os.path.abspath(a.rxpath)
    bad = 0
    try:
        for k in keys:
            bad += do_lab(k, rxpath, os.path.abspath(a.out), a.what == "run", a.update and a.what == "run")
    except LabError as e:
        print(f"labs.py: {e}", file=sys.stderr)
        return 2
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
