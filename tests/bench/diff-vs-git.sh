#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Whole-process time of `clair diff A B` (and `clair diff --stats A B`) against the anchors GNU
# `wdiff A B` (a word-level LCS) and `git diff --no-index --word-diff A B`, all measured in the
# same hyperfine run on the same two 50,000-word files (5 % scattered edits), and the number of
# changed words each reports; then the 10 MB pair.
# Usage: tests/bench/diff-vs-git.sh BUILDDIR [CLAIR]   (RUNS=N for hyperfine)
# Tools (benchmark-only, not installed by clair-dev): hyperfine, wdiff, git, python3; as root:
#   apt-get install hyperfine wdiff git
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

if command -v hyperfine >/dev/null; then
  # Medians of many runs, every command in the same hyperfine run (the machine is shared).
  wdiff_cmd=
  command -v wdiff >/dev/null && wdiff_cmd="wdiff a.txt b.txt"
  hyperfine -N -i --warmup 10 --runs "${RUNS:-101}" --export-json "$dir/times.json" \
    "$clair diff --color=never a.txt b.txt" \
    "$clair diff --stats a.txt b.txt" \
    "git diff --no-index --word-diff a.txt b.txt" \
    ${wdiff_cmd:+"$wdiff_cmd"} \
    "$clair diff --json a.txt b.txt" >/dev/null 2>&1 || true
  python3 - "$dir/times.json" <<'EOF'
import json, sys
for r in json.load(open(sys.argv[1]))["results"]:
    ms = {k: r[k] * 1000 for k in ("median", "min", "user", "system")}
    print("%8.2f ms median (%.2f min, user %.2f, sys %.2f)  %s"
          % (ms["median"], ms["min"], ms["user"], ms["system"], r["command"]))
EOF
else
  for cmd in "$clair diff --color=never a.txt b.txt" "git diff --no-index --word-diff a.txt b.txt"; do
    echo "$cmd"; /usr/bin/time -f '%e s, %M KB peak' sh -c "$cmd >/dev/null" || true
  done
fi

for cmd in "$clair diff --color=never a.txt b.txt" "git diff --no-index --word-diff a.txt b.txt" \
           "$clair diff --color=never huge-a.txt huge-b.txt" "$clair diff --json huge-a.txt huge-b.txt" \
           "git diff --no-index --word-diff huge-a.txt huge-b.txt"; do
  printf '%s: ' "$cmd"
  /usr/bin/time -f '%e s wall, %M KB peak RSS' sh -c "$cmd >/dev/null 2>&1" 2>&1 | tail -1
done
