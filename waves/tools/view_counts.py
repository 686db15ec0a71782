#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Write a copy of a multi-queue waves/ view for another queue and CPU count.

waves/queues.gtkw and waves/cpus.gtkw are made for 4 queues and 4 CPUs. A run
with igb.queues = 8 or kernel.cpus = 2 needs the same groups for queues
0..N-1 and CPUs 0..M-1. The view's groups for queue 0 and CPU 0 are the
pattern: each group for index k is the group for index 0 with its names
renumbered (rx0 -> rxk, q0 -> qk, [0] -> [k], MSI-X vector 1 -> k+1, the
EICR bit of vector k+1, cpu0 -> cpuk, ...). Before writing, the pattern is
checked against the view: renumbering its index-0 groups must give the
groups for 1, 2, 3 it already has, byte for byte, so a view edited by hand
out of the pattern is an error, not a wrong picture.

usage: view_counts.py VIEW.gtkw QUEUES CPUS > OUT.gtkw
"""
import re
import sys

QUEUES_MAX = 8  # the 82576's RSS queues (igb.queues)
CPUS_MAX = 64   # kernel.cpus
EICR_MSB = 24   # the views show nic_top.u_intr.eicr_q[24:0]; GTKWave's (n) counts from the MSB


def renumber_queue(text, k):
    """The index-0 text of a queue group, for queue k."""
    text = re.sub(r"\bQueue 0:", f"Queue {k}:", text)
    text = text.replace("eth0-rx-0", f"eth0-rx-{k}")
    text = re.sub(r"\bvector 1\b", f"vector {k + 1}", text)
    # EICR/EITR bit of vector k+1: (n) is the bit counted from the MSB.
    text = re.sub(r"\} \(%d\)" % (EICR_MSB - 1), "} (%d)" % (EICR_MSB - 1 - k), text)
    text = re.sub(r"\brx0\b", f"rx{k}", text)
    text = re.sub(r"\bq0\b", f"q{k}", text)
    text = re.sub(r"\bvec0\b", f"vec{k}", text)
    return text.replace("[0]", f"[{k}]")


def renumber_cpu(text, k, frm=0):
    """The text of a CPU group (or list record) for CPU frm, for CPU k."""
    text = re.sub(r"\bCPU %d\b" % frm, f"CPU {k}", text)
    return re.sub(r"\bcpu%d\b" % frm, f"cpu{k}", text)


def renumber_rx(text, k, frm=0):
    """The text of a list record for NAPI rx<frm>, for rx<k>."""
    return re.sub(r"\brx%d\b" % frm, f"rx{k}", text)


class ViewError(Exception):
    pass


def groups(lines):
    """(start, end, name) of each top-level group: '@800200' '-NAME' ... '@1000200' '-NAME'."""
    out, i = [], 0
    while i < len(lines):
        if lines[i] == "@800200" and i + 1 < len(lines) and lines[i + 1].startswith("-"):
            name = lines[i + 1][1:]
            j = i + 2
            while j + 1 < len(lines) and not (lines[j] == "@1000200" and lines[j + 1] == "-" + name):
                j += 1
            if j + 1 >= len(lines):
                raise ViewError(f"group '{name}' is not closed")
            out.append((i, j + 2, name))
            i = j + 2
        else:
            i += 1
    return out


def records(body):
    """A group's body as signal records: the attribute lines before a '+{' line, and that line."""
    out, cur = [], []
    for line in body:
        cur.append(line)
        if line.startswith("+{"):
            out.append(cur)
            cur = []
    if cur:
        out.append(cur)
    return out


def expand_groups(lines, pattern, renumber, count, what):
    """Replace the groups named pattern % 0, % 1, ... by groups for 0..count-1."""
    gs = [g for g in groups(lines) if re.fullmatch(pattern, g[2])]
    if not gs:
        return lines
    zero = "\n".join(lines[gs[0][0]:gs[0][1]])
    for k, (s, e, name) in enumerate(gs):
        have = "\n".join(lines[s:e])
        if have != renumber(zero, k):
            raise ViewError(f"the group '{name}' is not the {what} 0 group renumbered for {what} {k}")
    made = [renumber(zero, k) for k in range(count)]
    return lines[:gs[0][0]] + "\n".join(made).split("\n") + lines[gs[-1][1]:]


def expand_list_group(glines, token, renumber, count, what):
    """A group whose signals name token0, token1, ... (at least two of them):
    its signals for 0..count-1; any other group unchanged. GTKWave's
    attribute lines ('@28', '[color] 3') hold until changed, so the records
    of index 0 may carry attributes that index 1's leave out: index 0 stays
    as it is, and index 1 is the pattern of every further index."""
    name = glines[1][1:]
    recs = records(glines[2:-2])
    idx = []
    for r in recs:
        m = re.findall(r"\b%s(\d+)\b" % token, r[-1])
        idx.append(int(m[0]) if m else None)
    if None in idx or sorted(set(idx)) != list(range(len(set(idx)))) or len(set(idx)) < 2:
        return glines
    if idx != sorted(idx):
        raise ViewError(f"in '{name}', the {what} lines are not in order")
    per = {}
    for r, i in zip(recs, idx):
        per.setdefault(i, []).append("\n".join(r))
    for k, have in per.items():
        signals = [x.split("\n")[-1] for x in have]
        if signals != [renumber(x.split("\n")[-1], k, 0) for x in per[0]] or \
                (k >= 1 and have != [renumber(x, k, 1) for x in per[1]]):
            raise ViewError(f"in '{name}', the {what} {k} lines are not the {what} {min(k, 1)} lines renumbered")
    body = [line for x in per[0] for line in x.split("\n")]
    body += [line for k in range(1, count) for x in per[1] for line in renumber(x, k, 1).split("\n")]
    return glines[:2] + body + glines[-2:]


def expand_lists(lines, token, renumber, count, what):
    out, prev = [], 0
    for s, e, _ in groups(lines):
        out += lines[prev:s] + expand_list_group(lines[s:e], token, renumber, count, what)
        prev = e
    return out + lines[prev:]


def expand(text, queues, cpus):
    if not 1 <= queues <= QUEUES_MAX:
        raise ViewError(f"queues {queues}: the 82576 has 1..{QUEUES_MAX} RX queues")
    if not 1 <= cpus <= CPUS_MAX:
        raise ViewError(f"cpus {cpus}: kernel.cpus is 1..{CPUS_MAX}")
    lines = text.rstrip("\n").split("\n")
    lines = expand_groups(lines, r"Queue \d+: .*", renumber_queue, queues, "queue")
    lines = expand_groups(lines, r"CPU \d+", renumber_cpu, cpus, "CPU")
    lines = expand_lists(lines, "cpu", renumber_cpu, cpus, "CPU")
    lines = expand_lists(lines, "rx", renumber_rx, queues, "queue")
    note = f"[*] rxpath-expanded: {queues} queues, {cpus} CPUs (waves/tools/view_counts.py)"
    # After the view's own [*] header lines.
    at = 0
    while at < len(lines) and lines[at].startswith("[*]"):
        at += 1
    return "\n".join(lines[:at] + [note] + lines[at:]) + "\n"


def main():
    if len(sys.argv) != 4:
        print(__doc__.strip().splitlines()[-1], file=sys.stderr)
        return 2
    try:
        queues, cpus = int(sys.argv[2]), int(sys.argv[3])
    except ValueError:
        print("view_counts: QUEUES and CPUS are whole numbers", file=sys.stderr)
        return 2
    try:
        with open(sys.argv[1]) as f:
            text = f.read()
        sys.stdout.write(expand(text, queues, cpus))
    except (OSError, ViewError) as e:
        print(f"view_counts: {sys.argv[1]}: {e}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
