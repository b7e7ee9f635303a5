#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
#
# The Parquet benchmark (not part of the suite): the 1 GB / 400k-row benchmark
# dataset (gen-dataset) as Parquet with SNAPPY, once in one row group of up to a million rows
# (DuckDB, as pyarrow's default) and once in row groups of 300 rows (arrow-rs via parquet-wasm,
# as the Hub's converter writes for its viewer). For each file, in the same run:
#   - time to first rows (open, index, 50 rows read): bench-parquet, median of 5;
#   - `clair import` into a new project: median wall time of RUNS, and its peak RSS (time -v);
#   - DuckDB reading the same file to JSON lines: the anchor, median of RUNS, each run taken
#     right after one of ours; by DuckDB's own timer, and again with its output flushed to disk
#     (fdatasync), as an import's commit is before `clair import` returns;
#   - the same two again with their outputs in memory (tmpfs), where neither waits for a disk.
#
# Usage: tests/bench/bench-parquet.sh [BUILDDIR] [WORKDIR] [RUNS]
# Needs node and `npm install` in tests/parquet (DuckDB and parquet-wasm at pinned versions).

set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
builddir=$(cd "${1:-$top/_build}" && pwd)
work=${2:-/tmp/clair-bench-parquet}
runs=${3:-3}
mkdir -p "$work"

if [ ! -f "$work/bench.jsonl" ]; then
  "$builddir/tests/bench/gen-dataset" "$work/bench.jsonl"
fi
if [ ! -f "$work/bench-1m-groups.parquet" ] || [ ! -f "$work/bench-300-groups.parquet" ]; then
  (cd "$top/tests/parquet" && node bench-convert.mjs write "$work/bench.jsonl" \
     "$work/bench-1m-groups.parquet" "$work/bench-300-groups.parquet")
fi

# Outputs in memory, for the second round: a folder on tmpfs, if the machine has one.
memory=
if [ -d /dev/shm ] && [ -w /dev/shm ]; then
  memory=$(mktemp -d /dev/shm/clair-bench-parquet.XXXXXX)
  trap 'rm -rf "$memory"' EXIT
fi

median () { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
cpu_seconds () { awk -F': ' '/User time|System time/ { s += $2 } END { printf "%.2f", s }' "$1"; }

for file in bench-1m-groups bench-300-groups; do
  parquet="$work/$file.parquet"
  echo "== $file.parquet ($(du -h "$parquet" | cut -f1))"
  "$builddir/tests/bench/bench-parquet" "$parquet" task student_solution 5

  # Our import and DuckDB's conversion taken in turn, round by round, rather than all of one then
  # all of the other: each writes a gigabyte, and the writeback of one run's file (or a load that
  # comes and goes on a shared machine) then falls on both alike. On a loaded machine wall times
  # say more about the load than the program, so CPU time is shown too (DuckDB's includes node
  # starting, about 0.3 s, and spreads over every core).
  #
  # Then again with both outputs in memory (tmpfs, when there is one): an import is on disk when
  # it returns, and on a slow disk that waiting is most of the difference between the two
  # programs; in memory neither waits, and the programs themselves are compared.
  for out in "$work" "$memory"; do
    [ -n "$out" ] || continue
    times=()
    cpu=()
    rss=()
    duck=()
    duck_disk=()
    duck_cpu=()
    for r in $(seq "$runs"); do
      rm -f "$out/bench.clair" "$out/bench.clair-wal" "$out/bench.clair-shm"
      /usr/bin/time -v "$builddir/src/cli/clair" import "$parquet" -p "$out/bench.clair" \
        > /dev/null 2> "$work/time.log"
      times+=("$(awk -F': ' '/Elapsed \(wall clock\)/ { n = split($2, t, ":"); s = 0;
                  for (i = 1; i <= n; i++) s = s * 60 + t[i]; print s }' "$work/time.log")")
      rss+=("$(awk -F': ' '/Maximum resident set size/ { printf "%.0f", $2 / 1024 }' "$work/time.log")")
      cpu+=("$(cpu_seconds "$work/time.log")")
      rm -f "$out/bench.clair" "$out/bench.clair-wal" "$out/bench.clair-shm"

      line=$(cd "$top/tests/parquet" && /usr/bin/time -v -o "$work/duck-time.log" \
               node bench-convert.mjs duckdb-json "$parquet" "$out/duck.jsonl")
      duck+=("$(echo "$line" | awk '{ print $4 }')")
      duck_disk+=("$(echo "$line" | awk '{ print $8 }')")
      duck_cpu+=("$(cpu_seconds "$work/duck-time.log")")
      rm -f "$out/duck.jsonl"
    done
    if [ "$out" = "$memory" ]; then
      echo "-- outputs in memory ($memory)"
    else
      echo "-- outputs on disk ($out)"
    fi
    echo "clair import: median $(printf '%s\n' "${times[@]}" | median) s (runs: ${times[*]}), CPU (user + system) median $(printf '%s\n' "${cpu[@]}" | median) s, peak RSS median $(printf '%s\n' "${rss[@]}" | median) MB (runs: ${rss[*]})"
    echo "DuckDB to JSON (anchor): median $(printf '%s\n' "${duck[@]}" | median) s (runs: ${duck[*]}), CPU median $(printf '%s\n' "${duck_cpu[@]}" | median) s"
    if [ "$out" != "$memory" ]; then
      echo "DuckDB to JSON, output flushed to disk as an import's commit is: median $(printf '%s\n' "${duck_disk[@]}" | median) s (runs: ${duck_disk[*]})"
    fi
  done
done
