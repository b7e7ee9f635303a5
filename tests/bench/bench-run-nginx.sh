#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# The overhead-bound benchmark: bench-run against nginx returning one fixed chat completion, beside
# wrk against the same nginx in the same run (the anchor: what the server gives a client that does
# nothing with the replies).
#   tests/bench/bench-run-nginx.sh BUILDDIR [ROWS] [CONCURRENCY] [REPEAT]
# The reply is a real GPT-4 CLAIR reply: line FIXTURE_ROW (default 0: a 3,800-character reply
# revising a 3,000-character answer) of ../shared/fixtures/ultrafeedback-gpt4-clair-20.jsonl (or
# $CLAIR_FIXTURE), and every row of the project holds that line's task and answer, so the metrics
# compare the real revision with the answer it revised. Without the fixture file a synthetic 4 KB
# reply is served instead, and the script says so.
#
# Tools (benchmark-only, not installed by clair-dev): nginx (nginx-light), wrk, python3; as root:
#   apt-get install nginx-light wrk
# The wrk anchor is run before and after bench-run; both figures are printed, and the ratio uses
# their median; bench-soup-floor (libsoup alone, replies dropped) likewise. On a shared machine
# run it several times and take medians.
set -eu

builddir=${1:?usage: bench-run-nginx.sh BUILDDIR [ROWS] [CONCURRENCY] [REPEAT]}
rows=${2:-20000}
concurrency=${3:-32}
repeat=${4:-5}
port=${CLAIR_BENCH_PORT:-18089}
here=$(cd "$(dirname "$0")" && pwd)
fixture=${CLAIR_FIXTURE:-$here/../../../shared/fixtures/ultrafeedback-gpt4-clair-20.jsonl}
fixture_row=${FIXTURE_ROW:-0}
prefix=$(mktemp -d /tmp/clair-nginx-XXXXXX)
mkdir -p "$prefix/tmp"
# nginx workers run as an unprivileged user when started by root.
chmod 755 "$prefix"
chmod 777 "$prefix/tmp"

if [ -r "$fixture" ]; then
  python3 -c 'import json, sys
line = open(sys.argv[1]).read().split("\n")[int(sys.argv[2])]
sys.stdout.write(json.dumps(json.loads(line)["response"]))' "$fixture" "$fixture_row" > "$prefix/reply.json"
  fixture_args="--fixture $fixture --fixture-row $fixture_row"
  echo "reply: line $fixture_row of $fixture"
else
  echo "reply: SYNTHETIC ($fixture not found)"
  fixture_args=
  # A 4 KB reply in the CLAIR format.
  revision=$(yes 'The answer is that plants make food from light and water, and leaves look green because chlorophyll reflects green light.' | head -n 30 | tr '\n' ' ')
  printf '{"id":"chatcmpl-bench","object":"chat.completion","created":1700000000,"model":"mock-nginx","choices":[{"index":0,"message":{"role":"assistant","content":"{teacher_reasoning}: The answer needs a capital letter and one clear sentence per idea.\\n\\n{corrected_student_solution}: %s"},"finish_reason":"stop"}],"usage":{"prompt_tokens":420,"completion_tokens":830,"total_tokens":1250}}' \
    "$revision" > "$prefix/reply.json"
fi
sed -e "s|@PORT@|$port|" -e "s|@PREFIX@|$prefix|" "$here/nginx-bench.conf" > "$prefix/nginx.conf"
chmod 644 "$prefix/reply.json"

nginx -p "$prefix" -c "$prefix/nginx.conf" &
nginx_pid=$!
trap 'kill $nginx_pid 2>/dev/null; wait $nginx_pid 2>/dev/null; rm -rf "$prefix"' EXIT INT TERM
sleep 0.5

echo "reply: $(wc -c < "$prefix/reply.json") bytes; $rows rows, concurrency $concurrency; $(nproc) cores"
run_wrk () {
  if command -v wrk >/dev/null; then
    wrk -t 2 -c "$concurrency" -d 3s -s "$prefix/post.lua" "http://127.0.0.1:$port/v1/chat/completions" \
      | tee -a "$prefix/wrk.txt" | grep -E 'Requests/sec|Non-2xx' || true
  fi
}
printf 'wrk.method = "POST"\nwrk.body = "{\\"model\\":\\"mock\\"}"\nwrk.headers["Content-Type"] = "application/json"\n' > "$prefix/post.lua"
: > "$prefix/wrk.txt"
printf 'wrk (anchor, before): '; run_wrk
# The second anchor: libsoup alone, one session fetching and dropping replies at the same
# concurrency with a request body of the run's size. No run of ours can store rows faster.
run_floor () {
  "$builddir/tests/bench/bench-soup-floor" "http://127.0.0.1:$port/v1/chat/completions" "$rows" \
    "$concurrency" | tee -a "$prefix/floor.txt"
}
: > "$prefix/floor.txt"
printf 'libsoup floor (before): '; run_floor

# shellcheck disable=SC2086
/usr/bin/time -v ${CLAIR_BENCH_WRAP:-} "$builddir/tests/bench/bench-run" --url "http://127.0.0.1:$port/v1" \
  --rows "$rows" --concurrency "$concurrency" --repeat "$repeat" $fixture_args ${CLAIR_BENCH_ARGS:-} \
  2>"$prefix/time.txt" | tee "$prefix/run.txt" || { cat "$prefix/time.txt"; exit 1; }
grep -E 'Maximum resident|Elapsed|Percent of CPU' "$prefix/time.txt"

printf 'wrk (anchor, after):  '; run_wrk
printf 'libsoup floor (after):  '; run_floor
python3 - "$prefix/wrk.txt" "$prefix/run.txt" "$prefix/floor.txt" <<'EOF'
import re, statistics, sys
wrk = [float(x) for x in re.findall(r"Requests/sec:\s*([0-9.]+)", open(sys.argv[1]).read())]
floor = [float(x) for x in re.findall(r"([0-9.]+) req/s", open(sys.argv[3]).read())]
ours = re.search(r"median [0-9.]+ s, ([0-9]+) rows/s", open(sys.argv[2]).read())
if wrk and ours:
    anchor = statistics.median(wrk)
    rate = float(ours.group(1))
    print("ours %.0f rows/s stored, wrk %.0f req/s (median of %d): %.1f %% of wrk"
          % (rate, anchor, len(wrk), 100.0 * rate / anchor))
    if floor:
        print("libsoup alone %.0f req/s (median of %d): ours is %.0f %% of it"
              % (statistics.median(floor), len(floor), 100.0 * rate / statistics.median(floor)))
EOF
