# shellcheck shell=bash
# SPDX-License-Identifier: MIT
# waves/tools/gtkwave.sh: what scripts/waves and scripts/screenshots share to
# open a waves/ view on a trace, on the screen or as a picture. Sourced, not
# run; the caller sets `root` (the repository) and defines die().
#
#   view_field VIEW.gtkw KEY           the value of a "[*] rxpath-KEY: value" line
#   trace_window FILE.fst              "START END" in ps: the trace's first and last time
#   view_for_trace VIEW FST DIR        DIR/<view>.gtkw and DIR/<view>.tcl: the view
#                                      opening zoomed to the trace's window (below)
#   gtkwave_command VIEW FST DIR       the command that opens it (after view_for_trace)
#   xvfb_start DIR / xvfb_stop         a private headless X display (DISPLAY is set)
#   capture_view VIEW FST DIR OUT.png [strict]
#                                      the view's window as a trimmed PNG (under Xvfb);
#                                      a signal the trace lacks: a warning, or with
#                                      strict an error
#
# A view opens zoomed to its trace: GTKWave keeps a save file's zoom as a
# fixed factor, so a view made for a 200 µs run shows a 25 µs triggered
# window as a sliver. The zoom is the view's own window ("[*] rxpath-zoom:
# START END", ps: what it shows of the run it is made for) where that
# overlaps the trace, else the trace's first to last time (a --trigger or
# --trace-window trace fills the pane). view_for_trace writes a copy of the
# view whose marker is dropped when it is outside that zoom, whose translate
# filters are named by absolute path (so GTKWave can run from the trace's
# folder and its title shows the trace's name, not a scratch path), and a
# Tcl script that zooms (gtkwave::setZoomRangeTimes START END).

# shellcheck disable=SC2154  # root is the caller's
view_field() { sed -n "s/^\[\*\] rxpath-$2:[[:space:]]*//p" "$1" | head -n 1; }

trace_window() {
  local py="${PYTHON:-/usr/bin/python3}"
  [ -x "$py" ] || py="$(command -v python3)" || die "python3 is needed to read the trace's times"
  "$py" "$root/waves/tools/fst_window.py" "$1" || die "cannot read the time range of $1"
}

view_for_trace() {
  local gtkw="$1" fst="$2" dir="$3" name win start end zoom zs ze marker
  name="$(basename "$gtkw" .gtkw)"
  win="$(trace_window "$fst")" || exit 1
  start="${win% *}" end="${win#* }"
  # The view's own window (what its picture shows of the run it is made
  # for), where it overlaps the trace; else the whole trace.
  zoom="$(view_field "$gtkw" zoom)"
  if [ -n "$zoom" ]; then
    zs="${zoom% *}" ze="${zoom#* }"
    [ "$zs" -lt "$start" ] && zs="$start"
    [ "$ze" -gt "$end" ] && ze="$end"
    if [ "$zs" -lt "$ze" ]; then start="$zs" end="$ze"; fi
  fi
  awk -v root="$root" -v start="$start" -v end="$end" '
    # a translate filter named relative to the repository root
    /^\^[0-9]+ / && $2 !~ /^\// { $2 = root "/" $2 }
    # *ZOOM MARKER ...: no marker outside the trace
    /^\*-?[0-9.]+ -?[0-9]+/ { if ($2 + 0 < start + 0 || $2 + 0 > end + 0) $2 = -1 }
    { print }' "$gtkw" >"$dir/$name.gtkw"
  # The view's marker, if it is kept (zooming to a range clears it).
  marker="$(awk '/^\*-?[0-9.]+ -?[0-9]+/ { print $2; exit }' "$dir/$name.gtkw")"
  {
    echo "# zoom to $start .. $end ps"
    echo "gtkwave::setZoomRangeTimes $start $end"
    if [ -n "$marker" ] && [ "$marker" != -1 ]; then echo "gtkwave::setMarker $marker"; fi
  } >"$dir/$name.tcl"
  echo "$start $end"
}

gtkwave_command() {
  local name
  name="$(basename "$1" .gtkw)"
  printf 'cd %q && gtkwave -a %q -S %q %q\n' "$(dirname "$2")" "$3/$name.gtkw" "$3/$name.tcl" "$(basename "$2")"
}

xvfb_pid=""
xvfb_start() {
  local disp=90
  for tool in Xvfb xdotool import convert; do
    command -v "$tool" >/dev/null ||
      die "$tool is missing; pictures need: sudo apt-get install gtkwave xvfb xdotool imagemagick"
  done
  # A free display number: the first N with no X lock file.
  while [ -e "/tmp/.X$disp-lock" ] || [ -e "/tmp/.X11-unix/X$disp" ]; do disp=$((disp + 1)); done
  Xvfb ":$disp" -screen 0 1920x1800x24 -nolisten tcp -noreset >"$1/xvfb.log" 2>&1 &
  xvfb_pid=$!
  for _ in $(seq 50); do [ -e "/tmp/.X11-unix/X$disp" ] && break; sleep 0.1; done
  [ -e "/tmp/.X11-unix/X$disp" ] || die "Xvfb did not start on :$disp (see $1/xvfb.log)"
  export DISPLAY=":$disp"
}
xvfb_stop() {
  if [ -n "$xvfb_pid" ]; then kill "$xvfb_pid" 2>/dev/null || true; fi
  xvfb_pid=""
}

# The number of traces the view shows when GTKWave finds every signal: one
# a signal line, or each part of a "#{name} a b c" vector.
view_signal_count() {
  awk '/^(\[|@|\*|\^|-|$)/ { next }
       { sub(/^\+\{[^}]*\} */, "") }
       /^#\{/ { sub(/^#\{[^}]*\} */, ""); n += NF; next }
       { n++ }
       END { print n + 0 }' "$1"
}

capture_view() {
  local gtkw="$1" fst="$2" dir="$3" png="$4" name log gw_pid wid shown want
  name="$(basename "$gtkw" .gtkw)"
  log="$dir/$name.gtkwave.log"
  command -v gtkwave >/dev/null || die "gtkwave is not installed: sudo apt-get install gtkwave"
  view_for_trace "$gtkw" "$fst" "$dir" >/dev/null
  echo 'puts "rxpath-traces [llength [gtkwave::getDisplayedSignals]]"' >>"$dir/$name.tcl"
  (cd "$(dirname "$fst")" && exec gtkwave -a "$dir/$name.gtkw" -S "$dir/$name.tcl" "$(basename "$fst")") >"$log" 2>&1 &
  gw_pid=$!
  wid=""
  for _ in $(seq 100); do
    wid="$(xdotool search --onlyvisible --name "^GTKWave - " 2>/dev/null | head -n 1 || true)"
    [ -n "$wid" ] && break
    kill -0 "$gw_pid" 2>/dev/null || die "gtkwave exited for $name, see $log"
    sleep 0.2
  done
  [ -n "$wid" ] || { kill "$gw_pid" 2>/dev/null; die "no GTKWave window for $name (see $log)"; }
  # Let it load the trace, run the zoom script and draw.
  for _ in $(seq 50); do grep -q '^rxpath-traces ' "$log" && break; sleep 0.2; done
  sleep "${SETTLE:-2}"
  import -window "$wid" "$dir/$name.png"
  kill "$gw_pid" 2>/dev/null || true
  wait "$gw_pid" 2>/dev/null || true
  # GTKWave leaves out, silently, a signal it does not find: count what it shows.
  want="$(view_signal_count "$gtkw")"
  shown="$(sed -n 's/^rxpath-traces //p' "$log" | head -n 1)"
  if [ "$shown" != "$want" ]; then
    local msg="GTKWave shows ${shown:-?} of the $want signals of $gtkw (the trace lacks the others; see: fst_signals $fst --check $gtkw)"
    [ "${5:-}" = strict ] && die "$msg"
    echo "warning: $msg" >&2
  fi
  convert "$dir/$name.png" -trim +repage "$png"
}
