#!/usr/bin/env bash
# HTTP throughput and tail latency for BENCHMARKS.md.
#
# Starts `cordon serve` on a fresh temporary SQLite database on a free port,
# warms every path up, then runs wrk against each path in turn (all paths in
# the same run, alternating when ROUNDS > 1, so that they share the machine's
# conditions). The FIRST path is the baseline: every other path is reported as
# a ratio of its requests/s.
#
# Usage:
#   cargo build --release -p cordon            # or set CORDON_BIN to another build
#   bench/http.sh                               # /healthz vs /api/v1/threat-levels/national
#   bench/http.sh /healthz /api/v1/threat-levels /api/v1/reference/risk-matrix
#
# Environment (defaults in brackets):
#   CORDON_BIN          the binary [target/release/cordon]
#   THREADS             wrk threads [2]
#   CONNECTIONS         wrk connections [64]
#   DURATION            wrk duration per path per round [15s]
#   WARMUP              wrk warm-up per path, not reported [5s]
#   ROUNDS              rounds over all paths, alternating; figures are the mean
#                       req/s and the worst p99 over rounds [1]
#   MIN_RATIO           target for each path's req/s over the baseline's [0.5]
#   MAX_P99_MS          target for every path's p99 latency in ms [10]
#   HEADERS             extra request headers, one per line, sent by curl and wrk,
#                       e.g. "Authorization: Bearer $token" for authenticated paths
#   BENCH_DATABASE_URL  serve this database instead of a fresh temporary SQLite
#                       one (e.g. one prepared with data); needs BENCH_JOURNAL_KEY
#   BENCH_JOURNAL_KEY   the journal key of BENCH_DATABASE_URL
#   SERVER_CPUS         if set, pins the server with taskset -c (e.g. 0)
#   WRK_CPUS            if set, pins wrk with taskset -c (e.g. 1)
#
# Besides wrk's figures, each run reads the server's own request metrics
# (/metrics, cordon_http_request_duration_seconds) before and after, and reports
# the mean time spent inside the router's route layer (handler and database,
# not socket queueing or HTTP parsing) as server_mean_ms: when it is close to
# wrk's latency, the time goes in the handler; when it is far below, in queueing
# for the CPU.
#
# Output: wrk's own summary for every run on stderr; on stdout one JSON line per
# path and a final summary line, then a table. Exit status 0 whether or not the
# targets are met (see "targets_met"); 1 if the server or a path fails.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bin="${CORDON_BIN:-$root/target/release/cordon}"
THREADS="${THREADS:-2}"
CONNECTIONS="${CONNECTIONS:-64}"
DURATION="${DURATION:-15s}"
WARMUP="${WARMUP:-5s}"
ROUNDS="${ROUNDS:-1}"
MIN_RATIO="${MIN_RATIO:-0.5}"
MAX_P99_MS="${MAX_P99_MS:-10}"
HEADERS="${HEADERS:-}"
BENCH_DATABASE_URL="${BENCH_DATABASE_URL:-}"
BENCH_JOURNAL_KEY="${BENCH_JOURNAL_KEY:-}"
paths=("$@")
[[ ${#paths[@]} -gt 0 ]] || paths=(/healthz /api/v1/threat-levels/national)

log() { echo "[$(date +%H:%M:%S)] $*" >&2; }

if [[ ! -x "$bin" ]]; then
    echo "error: no cordon binary at $bin; build it with 'cargo build --release -p cordon' or set CORDON_BIN" >&2
    exit 2
fi
if ! command -v wrk >/dev/null; then
    log "wrk is missing: installing it with apt-get"
    sudo=""
    [[ $(id -u) == 0 ]] || sudo="sudo"
    if ! $sudo apt-get install -y wrk >&2; then
        $sudo apt-get update >&2
        $sudo apt-get install -y wrk >&2
    fi
fi
if [[ -n "$BENCH_DATABASE_URL" && -z "$BENCH_JOURNAL_KEY" ]]; then
    echo "error: BENCH_DATABASE_URL needs BENCH_JOURNAL_KEY" >&2
    exit 2
fi
curl_headers=() wrk_headers=()
while IFS= read -r h; do
    [[ -n "$h" ]] || continue
    curl_headers+=(-H "$h")
    wrk_headers+=(-H "$h")
done <<<"$HEADERS"

for tool in curl jq; do
    command -v "$tool" >/dev/null || { echo "error: $tool is required" >&2; exit 2; }
done

pin() { # pin CPUS CMD...: runs CMD (in the foreground) pinned to CPUS if CPUS is set
    local cpus="$1"; shift
    if [[ -n "$cpus" ]]; then taskset -c "$cpus" "$@"; else "$@"; fi
}

# Settings from the environment must not point the server at a real database.
unset CORDON_DATABASE_URL CORDON_JOURNAL_KEY CORDON_LISTEN CORDON_PUBLIC_URL
export CORDON_LOG="${CORDON_LOG:-warn}"

work="$(mktemp -d -t cordon-bench-http.XXXXXX)"
server_pid=""
cleanup() {
    if [[ -n "$server_pid" ]] && kill -0 "$server_pid" 2>/dev/null; then
        kill -TERM "$server_pid" 2>/dev/null || true
        for _ in $(seq 50); do kill -0 "$server_pid" 2>/dev/null || break; sleep 0.1; done
        if kill -0 "$server_pid" 2>/dev/null; then
            echo "warning: the server (pid $server_pid) did not stop on SIGTERM; killing it" >&2
            kill -KILL "$server_pid" 2>/dev/null || true
        fi
        wait "$server_pid" 2>/dev/null || true
    fi
    rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# --- Start the server on a free port (port 0) and read the address it prints.
# Started as a simple command (not through a function, which would run in a
# subshell) so that $! is the server itself; taskset execs it in place.
# /metrics answers only with a token: one made up for this run.
metrics_token="bench-$(od -An -N12 -tx1 /dev/urandom | tr -d ' \n')"
server_cmd=(env CORDON_METRICS_TOKEN="$metrics_token" "$bin" serve --listen 127.0.0.1:0
    --database-url "${BENCH_DATABASE_URL:-sqlite://$work/c.db}" --journal-key "${BENCH_JOURNAL_KEY:-$work/k}")
[[ -z "${SERVER_CPUS:-}" ]] || server_cmd=(taskset -c "$SERVER_CPUS" "${server_cmd[@]}")
"${server_cmd[@]}" >"$work/server.out" 2>"$work/server.err" &
server_pid=$!
base=""
for _ in $(seq 300); do
    base="$(sed -n 's#^Cordon is listening on \(http://[^ ]*\).*#\1#p' "$work/server.out" | head -n1)"
    [[ -n "$base" ]] && break
    kill -0 "$server_pid" 2>/dev/null || break
    sleep 0.1
done
if [[ -z "$base" ]]; then
    echo "error: the server did not start; its output:" >&2
    cat "$work/server.out" "$work/server.err" >&2
    exit 1
fi
for _ in $(seq 100); do
    curl -fsS -o /dev/null "$base/healthz" 2>/dev/null && break
    sleep 0.1
done
curl -fsS -o /dev/null "$base/healthz" || { echo "error: $base/healthz does not answer" >&2; cat "$work/server.err" >&2; exit 1; }
log "server: $base (pid $server_pid), cordon $("$bin" --version 2>/dev/null || echo '?')"
log "machine: $(nproc) cores, $(free -g | awk '/^Mem:/ {print $2}') GiB memory, load average $(cut -d' ' -f1-3 /proc/loadavg)"

# Every path must answer 200 before it is measured: a fast 404 is not a result.
for p in "${paths[@]}"; do
    code="$(curl -sS "${curl_headers[@]+"${curl_headers[@]}"}" -o "$work/body" -w '%{http_code}' "$base$p")"
    if [[ "$code" != 200 ]]; then
        echo "error: GET $p answered $code:" >&2; head -c 500 "$work/body" >&2; echo >&2
        exit 1
    fi
    log "GET $p: 200, $(wc -c <"$work/body") bytes"
done

# --- Warm up, then measure.
for p in "${paths[@]}"; do
    log "warm-up $p ($WARMUP)"
    pin "${WRK_CPUS:-}" wrk "${wrk_headers[@]+"${wrk_headers[@]}"}" -t"$THREADS" -c"$CONNECTIONS" -d"$WARMUP" "$base$p" >/dev/null
done

# wrk prints durations as 123.45us, 1.23ms, 1.02s or 2.00m.
to_ms() {
    awk -v v="$1" 'BEGIN {
        n = v + 0; u = v; sub(/^[0-9.]+/, "", u)
        if (u == "us") n /= 1000; else if (u == "s") n *= 1000; else if (u == "m") n *= 60000
        printf "%.3f", n }'
}

# scrape: prints "SUM COUNT" of the server's request durations, /metrics excluded,
# or nothing if /metrics does not answer.
scrape() {
    curl -fsS -H "Authorization: Bearer $metrics_token" "$base/metrics" 2>/dev/null | awk '
        $1 ~ /^cordon_http_request_duration_seconds_(sum|count)[{]/ && $1 !~ /path="\/metrics"/ {
            if ($1 ~ /_sum[{]/) s += $2; else c += $2; seen = 1 }
        END { if (seen) printf "%.9f %d", s, c }'
}

declare -A rps_list p99_list errors_total server_list
for p in "${paths[@]}"; do rps_list[$p]=""; p99_list[$p]=""; errors_total[$p]=0; server_list[$p]=""; done
for ((round = 1; round <= ROUNDS; round++)); do
    for p in "${paths[@]}"; do
        log "round $round/$ROUNDS: wrk -t$THREADS -c$CONNECTIONS -d$DURATION --latency $base$p"
        before="$(scrape)"
        out="$(pin "${WRK_CPUS:-}" wrk "${wrk_headers[@]+"${wrk_headers[@]}"}" -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency "$base$p")"
        after="$(scrape)"
        echo "$out" >&2
        if [[ -n "$before" && -n "$after" ]]; then
            server="$(awk -v b="$before" -v a="$after" 'BEGIN {
                split(b, x, " "); split(a, y, " ")
                if (y[2] > x[2]) printf "%.3f", (y[1] - x[1]) / (y[2] - x[2]) * 1000 }')"
            [[ -z "$server" ]] || { server_list[$p]+="$server "; log "server-side mean for $p: $server ms"; }
        fi
        rps="$(awk '/^Requests\/sec:/ {print $2}' <<<"$out")"
        p99="$(awk '$1 == "99%" {print $2}' <<<"$out")"
        non2xx="$(awk '/Non-2xx or 3xx responses:/ {print $NF}' <<<"$out")"
        sock="$(awk '/Socket errors:/ {gsub(/,/, ""); print $4 + $6 + $8 + $10}' <<<"$out")"
        if [[ -z "$rps" || -z "$p99" ]]; then
            echo "error: could not read wrk's output for $p" >&2
            exit 1
        fi
        rps_list[$p]+="$rps "
        p99_list[$p]+="$(to_ms "$p99") "
        errors_total[$p]=$((errors_total[$p] + ${non2xx:-0} + ${sock:-0}))
    done
done

# --- Report.
mean() { awk '{ s = 0; for (i = 1; i <= NF; i++) s += $i; printf "%.3f", s / NF }' <<<"$1"; }
worst() { awk '{ m = 0; for (i = 1; i <= NF; i++) if ($i > m) m = $i; printf "%.3f", m }' <<<"$1"; }

baseline="${paths[0]}"
base_rps="$(mean "${rps_list[$baseline]}")"
all_met=true
lines=()
for p in "${paths[@]}"; do
    rps="$(mean "${rps_list[$p]}")"
    p99="$(worst "${p99_list[$p]}")"
    ratio="$(awk -v a="$rps" -v b="$base_rps" 'BEGIN { printf "%.3f", a / b }')"
    server=null
    [[ -z "${server_list[$p]// /}" ]] || server="$(mean "${server_list[$p]}")"
    p99_ok="$(awk -v a="$p99" -v m="$MAX_P99_MS" 'BEGIN { print (a < m) ? "true" : "false" }')"
    if [[ "$p" == "$baseline" ]]; then
        ratio_ok=true
    else
        ratio_ok="$(awk -v a="$ratio" -v m="$MIN_RATIO" 'BEGIN { print (a >= m) ? "true" : "false" }')"
    fi
    [[ "$p99_ok" == true && "$ratio_ok" == true && "${errors_total[$p]}" == 0 ]] || all_met=false
    line="$(jq -cn --arg path "$p" --arg baseline "$baseline" \
        --argjson rps "$rps" --argjson p99 "$p99" --argjson ratio "$ratio" --argjson server "$server" \
        --argjson errors "${errors_total[$p]}" --argjson rounds "$ROUNDS" \
        --argjson threads "$THREADS" --argjson connections "$CONNECTIONS" --arg duration "$DURATION" \
        --argjson ratio_ok "$ratio_ok" --argjson p99_ok "$p99_ok" \
        '{bench: "http", path: $path, requests_per_second: $rps, p99_ms: $p99, server_mean_ms: $server,
          ratio_to_baseline: $ratio, baseline: $baseline, errors: $errors,
          rounds: $rounds, threads: $threads, connections: $connections, duration: $duration,
          ratio_target_met: $ratio_ok, p99_target_met: $p99_ok}')"
    echo "$line"
    lines+=("$line")
done
jq -cn --argjson met "$all_met" --argjson min_ratio "$MIN_RATIO" --argjson max_p99 "$MAX_P99_MS" \
    --arg baseline "$baseline" \
    '{bench: "http_summary", baseline: $baseline, min_ratio: $min_ratio, max_p99_ms: $max_p99, targets_met: $met}'

{
    echo
    printf '%-44s %12s %10s %12s %15s %7s\n' path "requests/s" "p99 ms" "vs baseline" "server mean ms" errors
    for l in "${lines[@]}"; do
        jq -r '[.path, .requests_per_second, .p99_ms, .ratio_to_baseline, (.server_mean_ms // "-"), .errors] | @tsv' <<<"$l" \
            | awk -F'\t' '{ printf "%-44s %12.0f %10.2f %12.2f %15s %7d\n", $1, $2, $3, $4, $5, $6 }'
    done
    echo "targets: each path >= ${MIN_RATIO} x baseline requests/s, p99 < ${MAX_P99_MS} ms, no errors: $all_met"
}
