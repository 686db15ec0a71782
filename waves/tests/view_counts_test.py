#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""waves/tools/view_counts.py and scripts/waves --queues/--cpus.

The oracle for the renumbered views is the trace rxpath writes: for runs
with 1, 2, 6 and 8 queues and CPUs, every signal the renumbered queues and
cpus views name must exist in that run's FST (fst_signals --check, which
reads the FST with GTKWave's own fstapi), and the view must have a group
for each queue and CPU the run has, no more. Besides:
  - renumbering the views for 4 queues and 4 CPUs gives them back byte for
    byte (they are made for 4: the pattern reproduces what was drawn by hand);
  - a view edited out of the pattern is refused, naming the group;
  - counts out of range are refused;
  - scripts/waves -n reads the counts from the trace and prints what it did.

usage: view_counts_test.py RXPATH FST_SIGNALS SCRATCH_DIR
"""
import os
import re
import shutil
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "waves", "tools"))
import view_counts  # noqa: E402

FAILS = []


def check(cond, what):
    if not cond:
        FAILS.append(what)
        print("FAIL:", what, file=sys.stderr)


def read(path):
    with open(path) as f:
        return f.read()


def main():
    if len(sys.argv) != 4:
        print(__doc__.strip().splitlines()[-1], file=sys.stderr)
        return 2
    rxpath, fst_signals, scratch = sys.argv[1:]
    shutil.rmtree(scratch, ignore_errors=True)
    os.makedirs(scratch)
    views = {v: read(os.path.join(ROOT, "waves", v + ".gtkw")) for v in ("queues", "cpus")}

    # Made for 4 and 4: the pattern gives the views back.
    for v, text in views.items():
        made = view_counts.expand(text, 4, 4)
        made = "".join(line for line in made.splitlines(True) if not line.startswith("[*] rxpath-expanded:"))
        check(made == text, f"{v} renumbered for 4 queues and 4 CPUs differs from waves/{v}.gtkw")

    # Out of the pattern: queue 2's RDT named as queue 3's.
    broken = views["queues"].replace("rdt_q[2][15:0]", "rdt_q[3][15:0]", 1)
    try:
        view_counts.expand(broken, 8, 8)
        check(False, "a view out of the pattern was renumbered")
    except view_counts.ViewError as e:
        check("Queue 2" in str(e), f"the error names the group: {e}")
    for q, c in ((0, 4), (9, 4), (4, 0), (4, 65)):
        try:
            view_counts.expand(views["cpus"], q, c)
            check(False, f"queues {q} cpus {c} accepted")
        except view_counts.ViewError:
            pass

    # Real runs: every renumbered signal is in the trace, one group per queue/CPU.
    for n in (1, 2, 6, 8):
        d = os.path.join(scratch, f"q{n}")
        os.makedirs(d)
        fst = os.path.join(d, "run.fst")
        subprocess.run([rxpath, "--quiet", "--set", f"igb.queues={n}", "--set", f"kernel.cpus={n}",
                        "--set", "traffic.udp_flows=16", "--set", "traffic.tcp_flows=0",
                        "--set", "app.cpu=0", "--duration-us", "30", "--trace", fst],
                       check=True, stdout=subprocess.DEVNULL)
        for v, text in views.items():
            out = os.path.join(d, v + ".gtkw")
            with open(out, "w") as f:
                f.write(view_counts.expand(text, n, n))
            r = subprocess.run([fst_signals, fst, "--check", out], capture_output=True, text=True)
            check(r.returncode == 0, f"{n} queues, view {v}: {r.stdout}{r.stderr}")
            made = read(out)
            if v == "queues":
                groups = re.findall(r"^-Queue (\d+): ", made, re.M)
                check(groups == [str(k) for k in range(n) for _ in (0, 1)], f"{n} queues: groups {groups}")
                last_eicr = f"({view_counts.EICR_MSB - n})nic.nic_top.u_intr.eicr_q"
                check(last_eicr in made, f"{n} queues: vector {n}'s EICR bit {last_eicr}")
            else:
                groups = re.findall(r"^-CPU (\d+)$", made, re.M)
                check(groups == [str(k) for k in range(n) for _ in (0, 1)], f"{n} CPUs: groups {groups}")
                napis = re.findall(r"^\+\{rx(\d+) scheduled\}", made, re.M)
                check(napis == [str(k) for k in range(n)], f"{n} queues: NAPI list {napis}")

        # scripts/waves reads the counts from the trace.
        env = dict(os.environ, FST_SIGNALS=fst_signals)
        r = subprocess.run([os.path.join(ROOT, "scripts", "waves"), "-n", "queues", fst], capture_output=True,
                           text=True, env=env)
        check(r.returncode == 0, f"scripts/waves -n queues for {n}: {r.stderr}")
        check(f"queues for {n} queues and {n} CPUs" in r.stderr, f"scripts/waves says the counts: {r.stderr}")
        m = re.search(r"-a (\S+\.gtkw)", r.stdout)
        check(m is not None, f"scripts/waves -n prints the command: {r.stdout}")
        if m:
            check(len(re.findall(r"^-Queue \d+: ", read(m.group(1)), re.M)) == 2 * n, "the opened view has n queues")
            shutil.rmtree(os.path.dirname(m.group(1)), ignore_errors=True)

    r = subprocess.run([os.path.join(ROOT, "scripts", "waves"), "-n", "--queues", "2", "mac_rx",
                        os.path.join(scratch, "q1", "run.fst")], capture_output=True, text=True)
    check(r.returncode != 0 and "no group per queue" in r.stderr, f"--queues on a view without groups: {r.stderr}")
    print(f"view_counts_test: {len(FAILS)} failures")
    return 1 if FAILS else 0


if __name__ == "__main__":
    sys.exit(main())
