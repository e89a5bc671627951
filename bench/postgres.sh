#!/usr/bin/env bash
# PostgreSQL backup benchmark: `restorable backup` of a postgres source against
# what a DBA would run instead, in the same run, on the same server.
#
# Databases (generated once into a throwaway cluster and cached):
#   bench_pgbench   pgbench -i -s $BENCH_SCALE (default 50: 5M accounts, ~750 MB)
#   bench_random    the same, then random filler and balances in
#                   pgbench_accounts (hex text: far less compressible)
# Contenders, per database, each after `sync` and a wait for an idle machine:
#   pg_dump -Fc                      pg_dump's own zlib, to a file
#   pg_dump -Fc -Z0 | zstd -3 -T2    the fast pipeline, to a file (baseline)
#   restorable (custom)              `dist/cli.js backup`, one local target, zstd -3
#   restorable (directory, jobs 2)   format: directory, jobs: 2
# Columns: s wall seconds; x base = s / baseline s (target: restorable custom
# <= 1.15x); tree MiB = peak summed RSS of the process tree (sampled every
# 50 ms: node + pg_dump + zstd; target < 150 MB for restorable); out bytes.
#
# The cluster lives in $BENCH_PG_DIR (default /var/tmp/restorable-bench-pg,
# owned by postgres when run as root), listens on 127.0.0.1:$BENCH_PG_PORT
# (default 55432) with trust auth, and is stopped at the end. Generating
# scale 50 takes a few minutes; later runs reuse it (BENCH_FRESH=1 rebuilds).
#
# Usage: bash bench/postgres.sh            (or: npm run bench:postgres)
#        BENCH_SCALE=10 bash bench/postgres.sh
set -euo pipefail

cd "$(dirname "$0")/.."
SCALE=${BENCH_SCALE:-50}
DIR=${BENCH_PG_DIR:-/var/tmp/restorable-bench-pg}
PORT=${BENCH_PG_PORT:-55432}
BIN=${BENCH_PG_BIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)}

need() {
  if ! command -v "$1" >/dev/null 2>&1; then
    echo "bench: $1 is not installed: $2" >&2
    exit 1
  fi
}
need zstd "apt-get install -y zstd"
need node "Node.js 20 or later"
if [[ -z $BIN || ! -x $BIN/pgbench ]]; then
  echo "bench: no PostgreSQL server binaries (/usr/lib/postgresql/*/bin with pgbench): apt-get install -y postgresql" >&2
  exit 1
fi
if [[ ! -f dist/cli.js ]]; then
  echo "bench: dist/cli.js is missing; run: npm run build" >&2
  exit 1
fi

as_pg() {
  if [[ $(id -u) == 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi
}

if [[ ${BENCH_FRESH:-0} == 1 ]]; then rm -rf "$DIR"; fi
mkdir -p "$DIR"
if [[ $(id -u) == 0 ]]; then chown postgres:postgres "$DIR"; fi
if [[ ! -f $DIR/data/PG_VERSION ]]; then
  as_pg "$BIN/initdb" -D "$DIR/data" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 --no-sync >/dev/null
fi
as_pg "$BIN/pg_ctl" -D "$DIR/data" -l "$DIR/log" -w -o "-c listen_addresses=127.0.0.1 -p $PORT -k $DIR -c shared_buffers=256MB -c max_wal_size=4GB" start >/dev/null
trap 'as_pg "$BIN/pg_ctl" -D "$DIR/data" -m fast -w stop >/dev/null' EXIT

export PGHOST=127.0.0.1 PGPORT=$PORT PGUSER=postgres
psql() { "$BIN/psql" -X -q -v ON_ERROR_STOP=1 "$@"; }
exists() { [[ $(psql -d postgres -Atc "select 1 from pg_database where datname = '$1'") == 1 ]]; }

if ! exists "bench_pgbench_s$SCALE"; then
  echo "bench: generating bench_pgbench_s$SCALE (pgbench -i -s $SCALE)..." >&2
  psql -d postgres -c "create database bench_pgbench_s$SCALE"
  "$BIN/pgbench" -i -q -s "$SCALE" "bench_pgbench_s$SCALE" >&2
fi
if ! exists "bench_random_s$SCALE"; then
  echo "bench: generating bench_random_s$SCALE (random filler and balances)..." >&2
  psql -d postgres -c "create database bench_random_s$SCALE template bench_pgbench_s$SCALE"
  psql -d "bench_random_s$SCALE" -c "update pgbench_accounts set abalance = (random() * 2e9)::int - 1000000000, filler = substr(md5(random()::text) || md5(random()::text) || md5(random()::text), 1, 84)" -c "vacuum full analyze pgbench_accounts"
fi

node bench/postgres.mjs "$BIN" "bench_pgbench_s$SCALE" "bench_random_s$SCALE"
