#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""study/queueing.py: the receive path as an M/D/1/K queue (docs/theory/queueing.md).

  predict --mu PPS --k K --lambda PPS [--lambda PPS ...]
      M/D/1/K loss probability and the overload limit 1 - mu/lambda.
  capacity [--scenario-from STUDY.toml] [--rxpath BIN]
      the service capacity mu derived from the cost table, term by term, and K.
  check RESULTS.csv --scenario-from STUDY.toml [--rxpath BIN] [--plot OUT.png]
        [--assert TOL] [--mu PPS] [--k K]
      measured loss (results.csv of `rxpath sweep`) against the prediction;
      with --assert, exit 1 when the agreement is worse than the page claims.

Python 3 standard library only (matplotlib, if present, for --plot).
"""
import argparse
import csv
import math
import os
import re
import subprocess
import sys

try:
    import tomllib
except ImportError:  # pragma: no cover - Python < 3.11
    tomllib = None

# ---------------------------------------------------------------------------
# M/D/1/K: exact loss probability
# ---------------------------------------------------------------------------
# Source: the M/G/1/K embedded Markov chain at departure epochs, Gross,
# Shortle, Thompson & Harris, "Fundamentals of Queueing Theory", 4th ed.,
# section 6.1.5 (M/G/1/K), with deterministic service. K counts the customer
# in service. Let a_k = e^-rho rho^k / k!, the probability that k Poisson
# arrivals come during one (deterministic) service time 1/mu, rho = lambda/mu.
# The departure-epoch chain lives on 0..K-1 (left behind by a departure):
#   from 0:      to j with a_j             (j < K-1), the rest to K-1
#   from i >= 1: to j with a_{j-i+1}       (i-1 <= j < K-1), the rest to K-1
# Its stationary vector pi_d gives the time-average (= arrival-epoch, PASTA)
# probabilities  p_j = pi_d_j / (pi_d_0 + rho)  (j < K),
#                p_K = 1 - 1 / (pi_d_0 + rho)  = the loss probability.
#
# Numerics: the usual forward recursion for pi_d subtracts and is unstable
# for large K. We use the state-reduction (Grassmann-Taksar-Heyman) form of
# the same equations: eliminating states K-1, K-2, ... of the (upper
# Hessenberg) chain leaves only sums of positive terms,
#   pi_n = ( pi_0 A_n + sum_{i=1}^{n-1} pi_i A_{n-i+1} ) / a_0,
# with A_m = sum_{k>=m} a_k the tail (computed from the tail, no 1 - x).
# The sequence is rescaled when it grows, so K in the thousands is fine.


def poisson_pmf(rho, n):
    """a_0..a_{n-1} for Poisson(rho), computed in log space."""
    out = []
    for k in range(n):
        out.append(math.exp(-rho + k * math.log(rho) - math.lgamma(k + 1)) if rho > 0 else (1.0 if k == 0 else 0.0))
    return out


def poisson_tails(rho, n):
    """A_m = P(N >= m) for m = 0..n, summed from the far tail."""
    # sum far enough past n that the rest is below double precision
    m_max = n + int(rho + 40 * math.sqrt(rho + 1) + 50)
    a = poisson_pmf(rho, m_max)
    tails = [0.0] * (m_max + 1)
    s = 0.0
    for k in range(m_max - 1, -1, -1):
        s += a[k]
        tails[k] = s
    tails[0] = 1.0
    return tails[: n + 1]


def md1k_departure_distribution(rho, K):
    """Stationary distribution of the number left behind by a departure (0..K-1)."""
    if K < 1:
        raise ValueError("K must be >= 1")
    if K == 1:
        return [1.0]
    a0 = math.exp(-rho)
    A = poisson_tails(rho, K)
    # the sum over i only needs A_{n-i+1} > 0
    reach = next((m for m in range(len(A)) if A[m] == 0.0), len(A))
    pi = [1.0]
    for n in range(1, K):
        s = pi[0] * A[n]
        lo = max(1, n + 1 - reach)
        for i in range(lo, n):
            s += pi[i] * A[n - i + 1]
        pi.append(s / a0)
        if pi[-1] > 1e250:  # rescale: the equations are linear
            pi = [x * 1e-250 for x in pi]
    total = sum(pi)
    return [x / total for x in pi]


def md1k_state_probabilities(rho, K):
    """Time-average probabilities p_0..p_K of the number in the system."""
    if rho <= 0:
        return [1.0] + [0.0] * K
    pd = md1k_departure_distribution(rho, K)
    d = pd[0] + rho
    p = [x / d for x in pd]
    # 1 - 1/d cancels for rho < 1: the loss is then known to ~1e-16 absolute
    p.append(max(0.0, 1.0 - 1.0 / d))
    return p


def md1k_loss(lam, mu, K):
    """Probability that an arrival finds K in the system (is lost)."""
    if lam <= 0:
        return 0.0
    rho = lam / mu
    pd0 = md1k_departure_distribution(rho, K)[0]
    return max(0.0, 1.0 - 1.0 / (pd0 + rho))


def overload_limit(lam, mu):
    """Fluid limit of the loss: the server delivers mu, the rest is lost."""
    return max(0.0, 1.0 - mu / lam) if lam > 0 else 0.0


# ---------------------------------------------------------------------------
# The cost table: service capacity mu, and K
# ---------------------------------------------------------------------------
# Defaults of `rxpath --list-knobs` (stack/cost.hpp, host/igb_cost.hpp),
# used when no rxpath binary is given to read them from.
DEFAULT_COSTS = {
    "cost.igb.alloc_rx_buffer": 25.0, "cost.igb.clean_rx_desc": 45.0, "cost.igb.igb_msix_ring": 120.0,
    "cost.igb.igb_poll": 60.0, "cost.igb.mmio_write": 60.0, "cost.igb.process_skb_fields": 35.0,
    "cost.igb.ring_irq_enable": 50.0, "cost.stack.context_switch": 1500.0, "cost.stack.csum_per_byte": 0.08,
    "cost.stack.ep_poll_callback": 90.0, "cost.stack.gro_receive": 90.0, "cost.stack.hardirq_entry": 400.0,
    "cost.stack.ip_rcv": 180.0, "cost.stack.napi_poll": 80.0, "cost.stack.net_rx_action": 150.0,
    "cost.stack.netif_receive_skb": 110.0, "cost.stack.skb_alloc": 120.0, "cost.stack.sock_def_readable": 80.0,
    "cost.stack.softirq_entry": 100.0, "cost.stack.udp_rcv": 300.0, "cost.stack.wakeup": 600.0,
}
DEFAULT_KNOBS = {"igb.napi_weight": 64, "igb.rx_ring": 256, "traffic.size": "64", "app.mode": "epoll"}

IGB_RX_BUFFER_WRITE = 16  # host/igb.hpp: refill (one RDT write) every 16 cleaned slots
PKTBUF_BYTES = 65536  # rtl/nic_top.sv PKTBUF_BYTES
PKTBUF_LINE = 16  # AXI_DATA_W = 128: a frame starts on a new 16-byte line (rtl/rxp_pktbuf.sv)
PKTBUF_META = 1024  # META_DEPTH = min(1024, PKTBUF_BYTES / 64): frames held at most


def read_knob_defaults(rxpath):
    """Every knob's default from `rxpath --list-knobs` (a markdown table)."""
    out = subprocess.run([rxpath, "--list-knobs"], check=True, capture_output=True, text=True).stdout
    knobs = {}
    for line in out.splitlines():
        m = re.match(r"\| `([a-z0-9_.]+)` \| (\w+) \| `([^`]*)` \|", line)
        if not m:
            continue
        key, typ, val = m.groups()
        if typ == "number":
            knobs[key] = float(val)
        elif typ == "integer":
            knobs[key] = int(val)
        else:
            knobs[key] = val.strip('"')
    return knobs


def flatten(d, prefix=""):
    out = {}
    for k, v in d.items():
        key = prefix + k
        if isinstance(v, dict):
            out.update(flatten(v, key + "."))
        else:
            out[key] = v
    return out


def load_study(path):
    if tomllib is None:
        raise SystemExit("queueing.py: reading a study file needs Python >= 3.11 (tomllib)")
    with open(path, "rb") as f:
        doc = tomllib.load(f)
    return doc


def scenario_knobs(study_path, rxpath=None):
    knobs = dict(DEFAULT_KNOBS)
    knobs.update(DEFAULT_COSTS)
    if rxpath:
        knobs.update(read_knob_defaults(rxpath))
    if study_path:
        knobs.update(flatten(load_study(study_path).get("scenario", {})))
    return knobs


def frame_bytes(knobs):
    s = str(knobs.get("traffic.size", "64"))
    if not s.isdigit():
        raise SystemExit("queueing.py: the M/D/1/K check needs one fixed frame size (traffic.size = N), got " + s)
    return int(s)


def service_terms(knobs, batch=None):
    """Per-packet service time of CPU 0 at saturation, term by term.

    Each term: (function, cost knob, ns per event, events per packet, where in
    the code). Per-packet: charged once for every frame by the driver and the
    stack; per-poll: once per NAPI poll, amortised over the batch (at
    saturation every poll uses its whole weight); per-refill: one RDT write
    every IGB_RX_BUFFER_WRITE cleaned slots.
    """
    c = lambda k: float(knobs[k])  # noqa: E731
    B = float(batch if batch is not None else knobs.get("igb.napi_weight", 64))
    size = frame_bytes(knobs)
    udp_len = size - 4 - 14 - 20  # frame minus FCS, Ethernet and IPv4 headers
    terms = [
        ("igb_clean_rx_irq: descriptor", "cost.igb.clean_rx_desc", c("cost.igb.clean_rx_desc"), 1.0, "host/igb_main.cpp"),
        ("igb_build_skb", "cost.stack.skb_alloc", c("cost.stack.skb_alloc"), 1.0, "host/igb_main.cpp"),
        ("igb_process_skb_fields", "cost.igb.process_skb_fields", c("cost.igb.process_skb_fields"), 1.0,
         "host/igb_main.cpp"),
        ("igb_alloc_rx_buffers: slot", "cost.igb.alloc_rx_buffer", c("cost.igb.alloc_rx_buffer"), 1.0,
         "host/igb_main.cpp"),
        ("napi_gro_receive", "cost.stack.gro_receive", c("cost.stack.gro_receive"), 1.0, "stack/gro.cpp"),
        ("__netif_receive_skb_core", "cost.stack.netif_receive_skb", c("cost.stack.netif_receive_skb"), 1.0,
         "stack/dev.cpp"),
        ("ip_rcv", "cost.stack.ip_rcv", c("cost.stack.ip_rcv"), 1.0, "stack/ip_input.cpp"),
        ("__udp4_lib_rcv", "cost.stack.udp_rcv", c("cost.stack.udp_rcv"), 1.0, "stack/udp.cpp"),
        ("sock_def_readable", "cost.stack.sock_def_readable", c("cost.stack.sock_def_readable"), 1.0, "stack/udp.cpp"),
    ]
    if str(knobs.get("app.mode", "epoll")).startswith("epoll"):
        terms.append(("ep_poll_callback", "cost.stack.ep_poll_callback", c("cost.stack.ep_poll_callback"), 1.0,
                      "stack/poll.cpp"))
    terms += [
        ("wr32(RDT) refill", "cost.igb.mmio_write", c("cost.igb.mmio_write"), 1.0 / IGB_RX_BUFFER_WRITE,
         "host/igb_main.cpp"),
        # in overload NET_RX runs in ksoftirqd: one run (a context switch),
        # one __do_softirq, one net_rx_action, one full-weight poll
        ("run_ksoftirqd: context switch", "cost.stack.context_switch", c("cost.stack.context_switch"), 1.0 / B,
         "stack/cpu.cpp"),
        ("__do_softirq", "cost.stack.softirq_entry", c("cost.stack.softirq_entry"), 1.0 / B, "stack/cpu.cpp"),
        ("net_rx_action", "cost.stack.net_rx_action", c("cost.stack.net_rx_action"), 1.0 / B, "stack/dev.cpp"),
        ("__napi_poll", "cost.stack.napi_poll", c("cost.stack.napi_poll"), 1.0 / B, "stack/dev.cpp"),
        ("igb_poll", "cost.igb.igb_poll", c("cost.igb.igb_poll"), 1.0 / B, "host/igb_main.cpp"),
    ]
    del udp_len  # the NIC validates the UDP checksum (CHECKSUM_UNNECESSARY): no per-byte term
    return terms


def service_time_ns(knobs, batch=None):
    return sum(ns * per for _, _, ns, per, _ in service_terms(knobs, batch))


def capacity_pps(knobs, batch=None):
    return 1e9 / service_time_ns(knobs, batch)


def queue_capacity(knobs):
    """K: frames the system holds, the one in service included.

    ring: every descriptor can hold a frame waiting for the CPU (the frame
    being cleaned is one of them); packet buffer: frames waiting in the NIC
    for a descriptor, each starting on a new 16-byte line, at most META_DEPTH.
    """
    size = frame_bytes(knobs)
    ring = int(knobs.get("igb.rx_ring", 256))
    ring = (ring + 7) // 8 * 8
    lines = -(-size // PKTBUF_LINE)
    pktbuf = min(PKTBUF_BYTES // (lines * PKTBUF_LINE), PKTBUF_META)
    return ring + pktbuf, ring, pktbuf


def frames_per_second(rate_gbps, size):
    return rate_gbps * 1e9 / ((size + 20) * 8)  # preamble + SFD + IFG = 20 bytes


# ---------------------------------------------------------------------------
# check: measured against predicted
# ---------------------------------------------------------------------------
def read_results(path, axis):
    rows = []
    with open(path, newline="") as f:
        for r in csv.DictReader(f):
            rows.append(r)
    points = {}
    bad = []
    for r in rows:
        status = (r.get("status") or "ok").strip().lower()
        code = (r.get("exit_code") or "0").strip()
        if status in ("error", "fail", "failed", "timeout", "crash", "crashed") or code not in ("0", ""):
            bad.append(f"point {r.get('point')} replica {r.get('replica')}: status {status}, exit code {code}")
            continue
        key = r.get(axis, r.get("point"))
        p = points.setdefault(key, {"offered_pps": [], "loss": [], "steady": [], "x": key})
        p["offered_pps"].append(float(r["offered_pps"]))
        p["loss"].append(float(r["loss_ratio"]))
        p["steady"].append(r.get("steady", "steady"))
    out = []
    for p in points.values():
        n = len(p["loss"])
        mean = sum(p["loss"]) / n
        sd = math.sqrt(sum((x - mean) ** 2 for x in p["loss"]) / (n - 1)) if n > 1 else 0.0
        out.append({"x": p["x"], "lam": sum(p["offered_pps"]) / n, "loss": mean, "sd": sd, "n": n,
                    "steady": all(s in ("steady", "1", "true", "True") for s in p["steady"])})
    out.sort(key=lambda p: p["lam"])
    return out, bad


# Tolerances the page claims (docs/theory/queueing.md):
#   rho <= RHO_ZERO: measured loss is exactly 0 (so is M/D/1/K to 1e-30)
#   rho >= RHO_OVER: |measured - M/D/1/K| <= TOL (default 0.02 absolute)
#   in between: reported, not asserted (batching and interrupts, see the page)
RHO_ZERO = 0.7
RHO_OVER = 1.2


def check(args):
    study = load_study(args.scenario_from)
    knobs = scenario_knobs(args.scenario_from, args.rxpath)
    axes = study.get("axis", [])
    axis = axes[0]["knob"] if axes else "traffic.rate_gbps"
    mu = args.mu or capacity_pps(knobs)
    K = args.k or queue_capacity(knobs)[0]
    warmup_us = float(knobs.get("run.warmup_us", 0.0))
    pts, bad = read_results(args.results, axis)
    for b in bad:
        print("not used: " + b)
    if not pts:
        print("queueing.py: no usable points in " + args.results, file=sys.stderr)
        return 2
    print(f"mu = {mu:,.0f} pps ({'given' if args.mu else 'cost table'}), K = {K}")
    hdr = f"{'x':>8} {'lambda pps':>12} {'rho':>6} {'measured':>9} {'sd':>7} {'M/D/1/K':>9} {'1-mu/lam':>9} {'diff':>8} {'n':>2} {'fill ms':>7}  steady"
    print(hdr)
    fails = ["a run failed: " + b for b in bad]
    worst_over = 0.0
    worst_mid = 0.0
    for p in pts:
        rho = p["lam"] / mu
        pred = md1k_loss(p["lam"], mu, K)
        lim = overload_limit(p["lam"], mu)
        diff = p["loss"] - pred
        # time for an empty system to fill K in overload (fluid): a warm-up
        # shorter than this leaves the filling in the window (loss too low)
        fill_ms = K / (p["lam"] - mu) * 1e3 if p["lam"] > mu else float("inf")
        p.update(rho=rho, pred=pred, lim=lim, diff=diff)
        filling = rho > 1 and warmup_us > 0 and fill_ms * 1e3 > warmup_us
        print(f"{p['x']:>8} {p['lam']:>12,.0f} {rho:>6.3f} {p['loss']:>9.4f} {p['sd']:>7.4f} {pred:>9.4f} {lim:>9.4f}"
              f" {diff:>+8.4f} {p['n']:>2} {fill_ms:>7.1f}  {'yes' if p['steady'] else 'NO'}"
              f"{'  (fills K after the warm-up)' if filling else ''}")
        if rho <= RHO_ZERO:
            if p["loss"] != 0.0:
                fails.append(f"rho {rho:.3f}: measured loss {p['loss']:.2e}, expected 0")
        elif rho >= RHO_OVER:
            worst_over = max(worst_over, abs(diff))
            if args.tol is not None and abs(diff) > args.tol:
                fails.append(f"rho {rho:.3f}: |measured - M/D/1/K| = {abs(diff):.4f} > {args.tol}")
        else:
            worst_mid = max(worst_mid, abs(diff))
    n_zero = sum(1 for p in pts if p["rho"] <= RHO_ZERO)
    n_over = sum(1 for p in pts if p["rho"] >= RHO_OVER)
    print(f"agreement: rho <= {RHO_ZERO}: {n_zero} points, measured loss 0 in "
          f"{sum(1 for p in pts if p['rho'] <= RHO_ZERO and p['loss'] == 0.0)}; "
          f"rho >= {RHO_OVER}: {n_over} points, max |diff| {worst_over:.4f}; "
          f"{RHO_ZERO} < rho < {RHO_OVER}: max |diff| {worst_mid:.4f} (not asserted)")
    if args.plot:
        plot(pts, mu, K, args.plot)
    if args.tol is not None:
        if n_over == 0:
            fails.append(f"no point with rho >= {RHO_OVER}: nothing to check the overload against")
        for f in fails:
            print("FAIL " + f)
        if fails:
            return 1
        print(f"PASS within {args.tol} (oracle: M/D/1/K, mu from the cost table)")
    return 0


def plot(pts, mu, K, out):
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print("queueing.py: matplotlib not available, no plot", file=sys.stderr)
        return
    lo = min(p["lam"] for p in pts) * 0.9
    hi = max(p["lam"] for p in pts) * 1.05
    xs = [lo + (hi - lo) * i / 200 for i in range(201)]
    fig, ax = plt.subplots(figsize=(7, 4.5))
    ax.plot([x / mu for x in xs], [md1k_loss(x, mu, K) for x in xs], "-", label=f"M/D/1/K (K = {K})")
    ax.plot([x / mu for x in xs], [overload_limit(x, mu) for x in xs], "--", label="1 - mu/lambda")
    ax.errorbar([p["rho"] for p in pts], [p["loss"] for p in pts], yerr=[p["sd"] for p in pts], fmt="o",
                color="black", label="rxpath (measured)")
    ax.set_xlabel(f"offered load rho = lambda / mu   (mu = {mu / 1e6:.3f} Mpps from the cost table)")
    ax.set_ylabel("loss ratio")
    ax.set_title("64-byte UDP, Poisson, one CPU, moderation off")
    ax.grid(True, alpha=0.3)
    ax.legend()
    fig.tight_layout()
    os.makedirs(os.path.dirname(os.path.abspath(out)), exist_ok=True)
    fig.savefig(out, dpi=110)
    print("wrote " + out)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("predict", help="M/D/1/K loss for given mu, K, lambda")
    p.add_argument("--mu", type=float, required=True, help="service rate, packets/s")
    p.add_argument("--k", type=int, required=True, help="system capacity, frames (in service included)")
    p.add_argument("--lambda", dest="lam", type=float, action="append", required=True, help="arrival rate, packets/s")
    c = sub.add_parser("capacity", help="mu from the cost table, and K")
    c.add_argument("--scenario-from", help="study or scenario TOML whose [scenario] knobs apply")
    c.add_argument("--rxpath", help="rxpath binary to read the cost defaults from (--list-knobs)")
    k = sub.add_parser("check", help="measured results.csv against the prediction")
    k.add_argument("results")
    k.add_argument("--scenario-from", required=True)
    k.add_argument("--rxpath")
    k.add_argument("--mu", type=float, help="override mu (default: the cost table)")
    k.add_argument("--k", type=int, help="override K")
    k.add_argument("--plot")
    k.add_argument("--assert", dest="tol", type=float)
    args = ap.parse_args(argv)
    if args.cmd == "predict":
        print(f"{'lambda':>12} {'rho':>7} {'M/D/1/K loss':>13} {'1-mu/lambda':>12}")
        for lam in args.lam:
            print(f"{lam:>12,.0f} {lam / args.mu:>7.3f} {md1k_loss(lam, args.mu, args.k):>13.6f}"
                  f" {overload_limit(lam, args.mu):>12.6f}")
        return 0
    if args.cmd == "capacity":
        knobs = scenario_knobs(args.scenario_from, args.rxpath)
        total = 0.0
        print(f"{'function':<32} {'knob':<30} {'ns':>7} {'per pkt':>8} {'ns/pkt':>7}")
        for name, knob, ns, per, _where in service_terms(knobs):
            total += ns * per
            print(f"{name:<32} {knob:<30} {ns:>7.1f} {per:>8.4f} {ns * per:>7.2f}")
        K, ring, pktbuf = queue_capacity(knobs)
        print(f"service time {total:.2f} ns/packet -> mu = {1e9 / total:,.0f} pps")
        print(f"K = ring {ring} + packet buffer {pktbuf} = {K} frames")
        return 0
    return check(args)


if __name__ == "__main__":
    sys.exit(main())
