#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Whole-process time of `clair diff A B` against `git diff --no-index --word-diff A B` on the same
# two 50,000-word files (5 % scattered edits), and the number of changed words each reports; then
# the 10 MB pair. Usage: tests/bench/diff-vs-git.sh BUILDDIR [CLAIR]
set -eu

build=${1:?usage: diff-vs-git.sh BUILDDIR [CLAIR]}
clair=${2:-$build/src/cli/clair}
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
printf 'clair: '; "$clair" diff --color=never a.txt b.txt | count_changes
printf 'git:   '; { git diff --no-index --word-diff a.txt b.txt || true; } | count_changes

if command -v hyperfine >/dev/null; then
  hyperfine -N -i --warmup 3 --runs 31 --export-markdown "$dir/times.md" \
    "$clair diff --color=never a.txt b.txt" \
    "git diff --no-index --word-diff a.txt b.txt" \
    "$clair diff --json a.txt b.txt" >/dev/null 2>&1 || true
  cat "$dir/times.md"
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
