#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Whole-process time of `clair diff A B` (and `clair diff --stats A B`) against the anchors GNU
# `wdiff A B` (a word-level LCS) and `git diff --no-index --word-diff A B`, all measured in the
# same run on the same two 50,000-word files (5 % scattered edits), and the number of
# changed words each reports; then the 10 MB pair.
# Usage: tests/bench/diff-vs-git.sh BUILDDIR [CLAIR]   (RUNS=N rounds, default 51)
# Tools (benchmark-only, not installed by clair-dev): wdiff, git, python3; as root:
#   apt-get install wdiff git
set -eu

build=$(cd "${1:?usage: diff-vs-git.sh BUILDDIR [CLAIR]}" && pwd)
clair=${2:-$build/src/cli/clair}
case $clair in /*) ;; *) clair=$(pwd)/$clair ;; esac
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT

"$build/tests/bench/bench-diff" gen "$dir"

# Changed words: whitespace-separated words inside [-...-] and {+...+}, counted the same way for
# both tools (clair's tokens are finer, so this is the fair unit).
count_changes () {
  python3 -c '
import re, sys
text = sys.stdin.read()
deleted = sum(len(m.split()) for m in re.findall(r"\[-(.*?)-\]", text, re.S))
inserted = sum(len(m.split()) for m in re.findall(r"\{\+(.*?)\+\}", text, re.S))
print(f"{deleted} deleted + {inserted} inserted = {deleted + inserted} changed words")'
}

cd "$dir"
echo "machine: $(nproc) cores, load average $(cut -d" " -f1-3 /proc/loadavg) (shared: compare figures of the same run only)"
printf 'clair: '; "$clair" diff --color=never a.txt b.txt | count_changes
printf 'git:   '; { git diff --no-index --word-diff a.txt b.txt || true; } | count_changes
if command -v wdiff >/dev/null; then
  printf 'wdiff: '; { wdiff a.txt b.txt || true; } | count_changes
fi

# Whole-process wall times, the commands taken in turn (round robin) rather than one after the
# other, so that a load that comes and goes on a shared machine falls on all of them alike;
# medians of RUNS rounds, after 5 warm-up rounds.
python3 - "${RUNS:-51}" "$clair" <<'EOF'
import os, shutil, statistics, subprocess, sys, time
runs, clair = int(sys.argv[1]), sys.argv[2]
cmds = [[clair, "diff", "--color=never", "a.txt", "b.txt"],
        [clair, "diff", "--stats", "a.txt", "b.txt"],
        [clair, "diff", "--json", "a.txt", "b.txt"],
        ["git", "diff", "--no-index", "--word-diff", "a.txt", "b.txt"]]
if shutil.which("wdiff"):
    cmds.append(["wdiff", "a.txt", "b.txt"])
times = [[] for _ in cmds]
for r in range(runs + 5):
    for k, cmd in enumerate(cmds):
        start = time.perf_counter()
        subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        if r >= 5:
            times[k].append((time.perf_counter() - start) * 1000)
for cmd, t in zip(cmds, times):
    name = " ".join("clair" if c == clair else c for c in cmd)
    print("%8.2f ms median (%.2f min, %d runs)  %s" % (statistics.median(t), min(t), len(t), name))
EOF

for cmd in "$clair diff --color=never a.txt b.txt" "git diff --no-index --word-diff a.txt b.txt" \
           "$clair diff --color=never huge-a.txt huge-b.txt" "$clair diff --json huge-a.txt huge-b.txt" \
           "git diff --no-index --word-diff huge-a.txt huge-b.txt"; do
  printf '%s: ' "$cmd"
  /usr/bin/time -f '%e s wall, %M KB peak RSS' sh -c "$cmd >/dev/null 2>&1" 2>&1 | tail -1
done
