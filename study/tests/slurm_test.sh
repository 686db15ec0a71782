#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# `rxpath sweep --slurm --wait` through a real one-node Slurm (scripts/slurm-local)
# gives the same results.csv as the same study run locally with -j 2 (run cost
# columns wall_s, cpu_s, max_rss_kb aside), and the points really ran as
# Slurm array tasks: Slurm's own job-completion record (jobcomp/filetxt, written
# by slurmctld, not by rxpath) has one COMPLETED job per array task of the
# sbatch script rxpath wrote.
#
#   slurm_test.sh RXPATH [SLURM_LOCAL [SCRATCH_DIR]]
#
# Needs root and the Slurm/munge packages (scripts/install-deps). Without them
# it FAILS with a message saying so: it never skips silently.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
RXPATH=${1:?usage: slurm_test.sh RXPATH [SLURM_LOCAL [SCRATCH_DIR]]}
SLURM_LOCAL=${2:-$here/../../scripts/slurm-local}
SCRATCH=${3:-}
POINTS=6   # 2 ring sizes x 3 rates in the study below

fail() { echo "slurm_test: FAIL: $*" >&2; exit 1; }
info() { echo "slurm_test: $*" >&2; }

[ -x "$RXPATH" ] || fail "$RXPATH: not an executable rxpath"
[ -x "$SLURM_LOCAL" ] || fail "$SLURM_LOCAL: not executable"
if [ "$(id -u)" -ne 0 ]; then
  fail "needs root to start a local Slurm (munged, slurmd); this is a failure, not a skip: run as root or exclude -L slurm"
fi
for prog in slurmctld slurmd sbatch sinfo munged; do
  command -v "$prog" >/dev/null || fail "'$prog' is missing: run scripts/install-deps (slurmctld slurmd slurm-client munge)"
done

if [ -z "$SCRATCH" ]; then
  SCRATCH=$(mktemp -d /tmp/rxpath-slurm-test.XXXXXX)
fi
rm -rf "$SCRATCH"
mkdir -p "$SCRATCH"
SCRATCH=$(cd "$SCRATCH" && pwd)
STATE=$SCRATCH/slurm-state

# Whatever happens below, the local Slurm goes away again.
cleanup() {
  "$SLURM_LOCAL" stop "$STATE" >/dev/null 2>&1 || true
}
trap cleanup EXIT

env_line=$("$SLURM_LOCAL" start "$STATE") || fail "scripts/slurm-local could not start a local Slurm (its messages above)"
eval "$env_line"
[ -n "${SLURM_CONF:-}" ] || fail "slurm-local start printed no SLURM_CONF"
info "local Slurm up: SLURM_CONF=$SLURM_CONF"

# A tiny study: the behavioural NIC and 100 µs of traffic, so each point takes
# well under a second; 2 x 3 = 6 points, one replica.
cp "$here/../../testbench/scenarios/ring-overflow.toml" "$SCRATCH/ring-overflow.toml"
cat > "$SCRATCH/study.toml" <<'EOF'
[study]
name = "slurm-test"
description = "six short points of the behavioural NIC, run through Slurm and locally"
base = "ring-overflow.toml"
combine = "grid"
replicas = 1
seed = 7
[scenario]
run.duration_us = 100
nic.model = "double"
[[axis]]
knob = "igb.rx_ring"
values = [64, 256]
[[axis]]
knob = "traffic.rate_gbps"
values = [1.0, 5.0, 10.0]
EOF

D1=$SCRATCH/through-slurm
D2=$SCRATCH/local
info "rxpath sweep --slurm --wait"
timeout 200 "$RXPATH" sweep "$SCRATCH/study.toml" -o "$D1" --slurm --wait --no-plot \
  || fail "rxpath sweep --slurm --wait exited $? (squeue: $(squeue -h 2>&1 | head -5))"
info "rxpath sweep -j 2 (local)"
timeout 200 "$RXPATH" sweep "$SCRATCH/study.toml" -o "$D2" -j 2 --no-plot \
  || fail "rxpath sweep -j 2 exited $?"

for d in "$D1" "$D2"; do
  [ -s "$d/results.csv" ] || fail "$d/results.csv missing or empty"
done

# Same results, run cost aside. Columns are dropped by header name, so the
# comparison does not depend on where they are; every row must be ok (two
# identical tables of failures would prove nothing).
strip_cost() {
  python3 - "$1" "$2" "$POINTS" <<'EOF'
import csv, sys
src, dst, points = sys.argv[1], sys.argv[2], int(sys.argv[3])
with open(src, newline="") as f:
    rows = list(csv.reader(f))
header = rows[0]
for col in ("status", "loss_ratio", "wall_s", "cpu_s", "max_rss_kb"):
    if col not in header:
        sys.exit(f"{src}: no column {col}")
keep = [i for i, c in enumerate(header) if c not in ("wall_s", "cpu_s", "max_rss_kb")]
body = rows[1:]
if len(body) != points:
    sys.exit(f"{src}: {len(body)} rows, the study has {points} points")
st, loss = header.index("status"), header.index("loss_ratio")
for r in body:
    if r[st] != "ok" or r[loss] == "":
        sys.exit(f"{src}: a row is not ok or has no loss_ratio: {r}")
with open(dst, "w", newline="") as f:
    csv.writer(f, lineterminator="\n").writerows([[r[i] for i in keep] for r in rows])
EOF
}
strip_cost "$D1/results.csv" "$SCRATCH/slurm.csv" || fail "results of the Slurm sweep"
strip_cost "$D2/results.csv" "$SCRATCH/local.csv" || fail "results of the local sweep"
if ! cmp -s "$SCRATCH/slurm.csv" "$SCRATCH/local.csv"; then
  diff "$SCRATCH/slurm.csv" "$SCRATCH/local.csv" | head -20 >&2 || true
  fail "results.csv through Slurm differs from the local one (wall_s, cpu_s, max_rss_kb aside)"
fi
info "results.csv identical ($POINTS points)"

# It really went through Slurm: the job array rxpath wrote, and Slurm's own
# completion record of every one of its tasks.
sbatch_file=$D1/slurm/sweep.sbatch
[ -f "$sbatch_file" ] || fail "$sbatch_file missing"
array=$(sed -n 's/^#SBATCH[[:space:]]\{1,\}--array[= ]\([0-9]\{1,\}\)-\([0-9]\{1,\}\).*/\1 \2/p' "$sbatch_file" | head -n 1)
if [ -z "$array" ]; then
  # The array may be given on the sbatch command line instead: then the task
  # count is the --tasks T every task is started with.
  t=$(grep -o -- '--tasks[= ][0-9]\{1,\}' "$sbatch_file" | head -n 1 | tr -dc '0-9')
  [ -n "$t" ] || fail "$sbatch_file has neither '#SBATCH --array=A-B' nor '--tasks T'"
  array="0 $((t - 1))"
fi
read -r lo hi <<<"$array"
tasks=$((hi - lo + 1))
grep -q -- "--task" "$sbatch_file" || fail "$sbatch_file does not run 'rxpath sweep --task'"

jobcomp=$STATE/jobcomp.txt
[ -f "$jobcomp" ] || fail "$jobcomp missing: Slurm recorded no finished job"
# Oracle: slurmctld writes one line per finished job, an array task being one
# job (ArrayJobId=J ArrayTaskId=I); the cluster is fresh, so all are this sweep's.
python3 - "$jobcomp" "$lo" "$hi" <<'EOF' || fail "Slurm's job-completion record does not show every array task completed"
import re, sys
path, lo, hi = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
done, arrays, other = set(), set(), []
for line in open(path):
    f = dict(re.findall(r"(\w+)=(\S*)", line))
    if not f:
        continue
    if f.get("ArrayTaskId", "") in ("", "4294967294"):
        other.append(f.get("JobId"))
        continue
    if f.get("JobState") != "COMPLETED":
        sys.exit(f"{path}: array task {f.get('ArrayTaskId')} ended {f.get('JobState')}")
    arrays.add(f.get("ArrayJobId"))
    done.add(int(f["ArrayTaskId"]))
want = set(range(lo, hi + 1))
if len(arrays) != 1:
    sys.exit(f"{path}: expected one job array, found {sorted(arrays)}")
if done != want:
    sys.exit(f"{path}: completed array tasks {sorted(done)}, the sbatch script has {sorted(want)}")
print(f"slurm_test: Slurm completed array tasks {lo}..{hi} of job {arrays.pop()}", file=sys.stderr)
EOF

# The tasks' own output files, wherever sweep.sbatch sent them (#SBATCH --output).
n_out=$(find "$D1/slurm" -type f ! -name sweep.sbatch | wc -l)
info "$n_out files besides sweep.sbatch under $D1/slurm/ (job output); $tasks array tasks"
[ "$n_out" -ge "$tasks" ] || fail "$D1/slurm/ has $n_out output files, fewer than the $tasks array tasks"

info "PASS"
