#!/usr/bin/env bash
# Journal benchmarks for BENCHMARKS.md: durable appends and `verify` throughput,
# on SQLite (a fresh temporary database) and on PostgreSQL (a fresh database
# created for the run and dropped afterwards).
#
# Usage:
#   cargo build --release -p cordon          # or set CORDON_BIN to another build
#   bench/journal.sh                          # SQLite and PostgreSQL
#   SKIP_PG=1 bench/journal.sh                # SQLite only
#
# Prints one JSON line per measurement on stdout (progress goes to stderr), so
#   bench/journal.sh | tee bench-journal.jsonl
# keeps the figures.
#
# Environment (defaults in brackets):
#   CORDON_BIN           the binary [target/release/cordon]
#   SQLITE_SINGLE        events appended one per transaction on SQLite [2000]
#   SQLITE_BATCHED       events appended in batches on SQLite [200000]
#   PG_SINGLE            events appended one per transaction on PostgreSQL [2000]
#   PG_BATCHED           events appended in batches on PostgreSQL [200000]
#   BATCH                events per batch [1000]
#   SQLITE_VERIFY        journal length for the SQLite verify benchmark [1000000]
#   PG_VERIFY            journal length for the PostgreSQL verify benchmark [1000000]
#                        (0 skips it)
#   SKIP_SQLITE          1 skips SQLite
#   SKIP_PG              1 skips PostgreSQL
#   PG_VACUUM            auto: when the server runs with autovacuum = off, a
#                        background loop stands in for it during the PostgreSQL
#                        runs, vacuuming every table of the benchmark database
#                        that autovacuum's default threshold (50 + 20% of live
#                        rows dead) would pick, every PG_VACUUM_EVERY seconds;
#                        on: always run the loop; off: never [auto]
#   PG_VACUUM_EVERY      seconds between rounds of the loop [2]
#   PGHOST PGPORT PGUSER PostgreSQL server for the fresh databases
#                        [127.0.0.1 5432 postgres]; the user must be able to
#                        CREATE DATABASE (trust or ~/.pgpass; no password is
#                        passed on the command line)
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bin="${CORDON_BIN:-$root/target/release/cordon}"
SQLITE_SINGLE="${SQLITE_SINGLE:-2000}"
SQLITE_BATCHED="${SQLITE_BATCHED:-200000}"
PG_SINGLE="${PG_SINGLE:-2000}"
PG_BATCHED="${PG_BATCHED:-200000}"
BATCH="${BATCH:-1000}"
SQLITE_VERIFY="${SQLITE_VERIFY:-1000000}"
PG_VERIFY="${PG_VERIFY:-1000000}"
SKIP_SQLITE="${SKIP_SQLITE:-0}"
SKIP_PG="${SKIP_PG:-0}"
PG_VACUUM="${PG_VACUUM:-auto}"
PG_VACUUM_EVERY="${PG_VACUUM_EVERY:-2}"
export PGHOST="${PGHOST:-127.0.0.1}" PGPORT="${PGPORT:-5432}" PGUSER="${PGUSER:-postgres}"

if [[ ! -x "$bin" ]]; then
    echo "error: no cordon binary at $bin; build it with 'cargo build --release -p cordon' or set CORDON_BIN" >&2
    exit 2
fi

# Settings from the environment must not redirect the benchmark to a real
# database or key: every run names its own.
unset CORDON_DATABASE_URL CORDON_JOURNAL_KEY
export CORDON_LOG="${CORDON_LOG:-warn}"

work="$(mktemp -d -t cordon-bench-journal.XXXXXX)"
pg_dbs=()
vacuum_pid=""
cleanup() {
    local db
    stop_vacuum
    for db in "${pg_dbs[@]+"${pg_dbs[@]}"}"; do
        psql -X -q -d postgres -c "DROP DATABASE IF EXISTS \"$db\" WITH (FORCE)" >/dev/null 2>&1 \
            || echo "warning: could not drop PostgreSQL database $db" >&2
    done
    rm -rf "$work"
}
child=""
on_signal() {
    [[ -z "$child" ]] || kill -TERM "$child" 2>/dev/null || true
    exit 130
}
trap cleanup EXIT
trap on_signal INT TERM

log() { echo "[$(date +%H:%M:%S)] $*" >&2; }

# run LABEL CMD...: runs a benchmark, passes its JSON line to stdout, logs the wall time.
run() {
    local label="$1"; shift
    local started=$SECONDS
    log "$label: $*"
    # In the background so that a signal reaches on_signal at once.
    "$@" &
    child=$!
    local rc=0
    wait "$child" || rc=$?
    child=""
    [[ $rc == 0 ]] || { echo "error: $label failed (exit status $rc)" >&2; exit "$rc"; }
    log "$label: done in $((SECONDS - started)) s"
}

# fresh_pg NAME: creates an empty PostgreSQL database; sets pg_db and pg_url.
# (Not called through $(...): the name must reach pg_dbs for the cleanup.)
fresh_pg() {
    pg_db="bench_${1}_$$_$(date +%s)"
    psql -X -q -v ON_ERROR_STOP=1 -d postgres -c "CREATE DATABASE \"$pg_db\"" >/dev/null
    pg_dbs+=("$pg_db")
    pg_url="postgres://$PGUSER@$PGHOST:$PGPORT/$pg_db"
}

drop_pg() {
    psql -X -q -d postgres -c "DROP DATABASE IF EXISTS \"$1\" WITH (FORCE)" >/dev/null
    local keep=() db
    for db in "${pg_dbs[@]}"; do [[ "$db" == "$1" ]] || keep+=("$db"); done
    pg_dbs=("${keep[@]+"${keep[@]}"}")
}

# start_vacuum DB: stands in for autovacuum on DB (see PG_VACUUM). Without it, on a
# server with autovacuum = off, the projections' rows that every benchmark event
# updates (64 attack methodologies) pile up dead versions and each append gets
# slower than the last: that measures the server's settings, not Cordon.
start_vacuum() {
    [[ "$use_vacuum" == 1 ]] || return 0
    local db="$1"
    (
        set +e
        trap 'exit 0' TERM
        while sleep "$PG_VACUUM_EVERY"; do
            psql -X -q -A -t -d "$db" -c "SELECT format('VACUUM %I.%I', schemaname, relname)
                FROM pg_stat_user_tables WHERE n_dead_tup > 50 + 0.2 * n_live_tup" 2>/dev/null \
                | while read -r stmt; do
                    [[ -z "$stmt" ]] || psql -X -q -d "$db" -c "$stmt" >/dev/null 2>&1 || true
                done
        done
    ) &
    vacuum_pid=$!
}

stop_vacuum() {
    if [[ -n "$vacuum_pid" ]]; then
        kill -TERM "$vacuum_pid" 2>/dev/null || true
        wait "$vacuum_pid" 2>/dev/null || true
        vacuum_pid=""
    fi
}

log "cordon: $bin ($("$bin" --version 2>/dev/null || echo 'version unknown'))"
log "machine: $(nproc) cores, $(free -g | awk '/^Mem:/ {print $2}') GiB memory, load average $(cut -d' ' -f1-3 /proc/loadavg)"

# --- SQLite: without --database-url, `cordon bench` uses a fresh temporary database.
if [[ "$SKIP_SQLITE" != 1 ]]; then
    run "sqlite append" "$bin" bench append --single "$SQLITE_SINGLE" --batched "$SQLITE_BATCHED" --batch "$BATCH"
    run "sqlite verify" "$bin" bench verify --entries "$SQLITE_VERIFY"
fi

# --- PostgreSQL: a fresh database and journal key per benchmark.
if [[ "$SKIP_PG" != 1 ]]; then
    if ! psql -X -q -d postgres -c 'SELECT 1' >/dev/null 2>&1; then
        echo "error: cannot reach PostgreSQL as $PGUSER@$PGHOST:$PGPORT (set SKIP_PG=1 to skip it)" >&2
        exit 2
    fi
    autovacuum="$(psql -X -A -t -d postgres -c 'SHOW autovacuum')"
    case "$PG_VACUUM" in
        on) use_vacuum=1 ;;
        off) use_vacuum=0 ;;
        *) [[ "$autovacuum" == off ]] && use_vacuum=1 || use_vacuum=0 ;;
    esac
    log "postgresql: $(psql -X -A -t -d postgres -c 'SHOW server_version'), autovacuum = $autovacuum," \
        "vacuum loop from this script: $([[ $use_vacuum == 1 ]] && echo "on, every ${PG_VACUUM_EVERY} s" || echo off)"

    fresh_pg append
    start_vacuum "$pg_db"
    run "postgresql append" "$bin" bench append --single "$PG_SINGLE" --batched "$PG_BATCHED" --batch "$BATCH" \
        --database-url "$pg_url" --journal-key "$work/append.key"
    stop_vacuum
    drop_pg "$pg_db"

    if [[ "$PG_VERIFY" -gt 0 ]]; then
        fresh_pg verify
        start_vacuum "$pg_db"
        run "postgresql verify" "$bin" bench verify --entries "$PG_VERIFY" \
            --database-url "$pg_url" --journal-key "$work/verify.key"
        stop_vacuum
        drop_pg "$pg_db"
    fi
fi
