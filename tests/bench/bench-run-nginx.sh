#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# The overhead-bound benchmark: bench-run against nginx returning a fixed 4 KB chat completion.
#   tests/bench/bench-run-nginx.sh BUILDDIR [ROWS] [CONCURRENCY] [REPEAT]
# Checks with wrk (when installed) that nginx is not the bottleneck, then runs bench-run.
set -eu

builddir=${1:?usage: bench-run-nginx.sh BUILDDIR [ROWS] [CONCURRENCY] [REPEAT]}
rows=${2:-20000}
concurrency=${3:-64}
repeat=${4:-5}
port=${CLAIR_BENCH_PORT:-18089}
here=$(cd "$(dirname "$0")" && pwd)
prefix=$(mktemp -d /tmp/clair-nginx-XXXXXX)
mkdir -p "$prefix/tmp"
# nginx workers run as an unprivileged user when started by root.
chmod 755 "$prefix"
chmod 777 "$prefix/tmp"

# A 4 KB reply in the CLAIR format.
revision=$(yes 'The answer is that plants make food from light and water, and leaves look green because chlorophyll reflects green light.' | head -n 30 | tr '\n' ' ')
printf '{"id":"chatcmpl-bench","object":"chat.completion","created":1700000000,"model":"mock-nginx","choices":[{"index":0,"message":{"role":"assistant","content":"{teacher_reasoning}: The answer needs a capital letter and one clear sentence per idea.\\n\\n{corrected_student_solution}: %s"},"finish_reason":"stop"}],"usage":{"prompt_tokens":420,"completion_tokens":830,"total_tokens":1250}}' \
  "$revision" > "$prefix/reply.json"
sed -e "s|@PORT@|$port|" -e "s|@PREFIX@|$prefix|" "$here/nginx-bench.conf" > "$prefix/nginx.conf"
chmod 644 "$prefix/reply.json"

nginx -p "$prefix" -c "$prefix/nginx.conf" &
nginx_pid=$!
trap 'kill $nginx_pid 2>/dev/null; wait $nginx_pid 2>/dev/null; rm -rf "$prefix"' EXIT INT TERM
sleep 0.5

echo "reply: $(wc -c < "$prefix/reply.json") bytes"
if command -v wrk >/dev/null; then
  printf 'wrk.method = "POST"\nwrk.body = "{\\"model\\":\\"mock\\"}"\nwrk.headers["Content-Type"] = "application/json"\n' > "$prefix/post.lua"
  wrk -t 2 -c "$concurrency" -d 3s -s "$prefix/post.lua" "http://127.0.0.1:$port/v1/chat/completions" | grep -E 'Requests/sec|Non-2xx' || true
fi

/usr/bin/time -v "$builddir/tests/bench/bench-run" --url "http://127.0.0.1:$port/v1" \
  --rows "$rows" --concurrency "$concurrency" --repeat "$repeat" ${CLAIR_BENCH_ARGS:-} 2>"$prefix/time.txt" || { cat "$prefix/time.txt"; exit 1; }
grep -E 'Maximum resident|Elapsed|Percent of CPU' "$prefix/time.txt"
