#!/usr/bin/env bash
# The large-plan benchmark of BENCHMARKS.md, end to end.
#
# 1. `cordon bench plan` builds the issue's large plan (every methodology, 60
#    vulnerabilities, 150 measures, 40 recommendations, 20 tactical plans) in a
#    fresh SQLite database and times the readiness check and the plan view.
# 2. A short-lived server signs in its user like a browser (the sign-in page's
#    pre-session token, then the form) to get a session cookie.
# 3. bench/http.sh runs /healthz, the plan JSON and the plan page with that
#    cookie: first as wrk asks by default (no Accept-Encoding), then as browsers
#    ask (Accept-Encoding: gzip, deflate, br).
#
# Usage: cargo build --release -p cordon && bench/plan.sh
# Environment: CORDON_BIN, ROUNDS [2], DURATION [10s], WARMUP [3s], ENCODINGS
# ["identity gzip"]; the rest goes to bench/http.sh. Output: bench plan's JSON
# line, then bench/http.sh's output for each encoding (stdout); logs on stderr.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bin="${CORDON_BIN:-$root/target/release/cordon}"
[[ -x "$bin" ]] || { echo "no cordon binary at $bin: cargo build --release -p cordon" >&2; exit 1; }
unset CORDON_DATABASE_URL CORDON_JOURNAL_KEY
export CORDON_LOG="${CORDON_LOG:-warn}"

work="$(mktemp -d)"
server=""
cleanup() {
    [[ -n "$server" ]] && kill "$server" 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT INT TERM

db="sqlite://$work/plan.db"
key="$work/journal.key"
plan="$("$bin" bench plan --iterations 5000 --database-url "$db" --journal-key "$key")"
echo "$plan"
field() { python3 -c "import json,sys; print(json.loads(sys.argv[1])[sys.argv[2]])" "$plan" "$1"; }
event="$(field event_id)"
user="$(field user)"
password="$(field password)"

# Sign in through the pages, as a browser would.
"$bin" serve --listen 127.0.0.1:0 --database-url "$db" --journal-key "$key" >"$work/server.out" 2>&1 &
server=$!
base=""
for _ in $(seq 100); do
    base="$(sed -n 's#^Cordon is listening on \(http://[^ ]*\).*#\1#p' "$work/server.out" | head -n1)"
    [[ -n "$base" ]] && curl -sf "$base/healthz" >/dev/null && break
    sleep 0.1
done
[[ -n "$base" ]] || { echo "the server did not start:" >&2; cat "$work/server.out" >&2; exit 1; }
cookie_of() { sed -n "s/^[Ss]et-[Cc]ookie: $1=\([^;]*\).*/\1/p" | head -n1; }
pre="$(curl -s -D - -o /dev/null "$base/sign-in" | cookie_of cordon_presession)"
session="$(curl -s -D - -o /dev/null -H "Origin: $base" -H "Cookie: cordon_presession=$pre" \
    --data-urlencode "csrf_token=$pre" --data-urlencode "email=$user" --data-urlencode "password=$password" \
    "$base/sign-in" | cookie_of cordon_session)"
kill "$server"
wait "$server" 2>/dev/null || true
server=""
[[ -n "$session" ]] || { echo "could not sign in as $user" >&2; exit 1; }

for encoding in ${ENCODINGS:-identity gzip}; do
    headers="Cookie: cordon_session=$session"
    [[ "$encoding" == gzip ]] && headers+=$'\n'"Accept-Encoding: gzip, deflate, br"
    echo "== $encoding" >&2
    echo "{\"bench\":\"plan_http\",\"accept_encoding\":\"$encoding\"}"
    HEADERS="$headers" BENCH_DATABASE_URL="$db" BENCH_JOURNAL_KEY="$key" CORDON_BIN="$bin" \
        MIN_RATIO="${MIN_RATIO:-0.25}" MAX_P99_MS="${MAX_P99_MS:-25}" ROUNDS="${ROUNDS:-2}" \
        DURATION="${DURATION:-10s}" WARMUP="${WARMUP:-3s}" \
        "$root/bench/http.sh" /healthz "/api/v1/events/$event/plan" "/events/$event/plan"
done
