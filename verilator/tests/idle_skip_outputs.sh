#!/usr/bin/env bash
# Every rxpath output with the idle-skip on and off, byte for byte
# (scripts/outputs: every example scenario, both NIC models, pcaps, counters,
# a trace window with its FST, a triggered trace, a journey, a timeline).
# The only line allowed to differ is the knob itself (run.idle_skip in the
# scenario each run echoes) and the wall time.
#
#   idle_skip_outputs.sh RXPATH WORKDIR
set -euo pipefail
[ $# -eq 2 ] || { echo "usage: $0 RXPATH WORKDIR" >&2; exit 2; }
rx="$(realpath "$1")"
work="$2"
root="$(cd "$(dirname "$0")/../.." && pwd)"
rm -rf "$work"
mkdir -p "$work"
work="$(realpath "$work")"
for v in true false; do
  # The knob goes last, after the run's own arguments.
  cat >"$work/rxpath-$v" <<WRAP
#!/bin/sh
exec "$rx" "\$@" --set run.idle_skip=$v
WRAP
  chmod +x "$work/rxpath-$v"
  "$root/scripts/outputs" "$work/rxpath-$v" "$work/$v" 2>"$work/$v.log"
  # The knob's own echo: 'idle_skip = X' in TOML, '"run.idle_skip": X' in JSON.
  grep -rlZ 'idle_skip' "$work/$v" | xargs -0 -r sed -i -E 's/idle_skip( = |\\": |": )(true|false)/idle_skip\1(knob)/g'
  # The wall time a JSON report gives (scripts/outputs cuts only stderr's).
  grep -rlZ '"wall_s"' "$work/$v" | xargs -0 -r sed -i -E 's/"wall_s": [0-9.e+-]+/"wall_s": (wall)/'
done
# The runs must have done something: the on/off pair of a run that failed
# would compare equal too.
grep -q '^0$' "$work/true/default/exit" || { echo "idle_skip_outputs: the default run failed" >&2; exit 1; }
"$root/scripts/outputs" --compare "$work/true" "$work/false"
