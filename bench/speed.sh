#!/usr/bin/env bash
# Issue #16's table, reproduced: restorable against the tools it wraps, each row
# interleaved (A B A B, BENCH_ROUNDS rounds, default 3), medians with min-max,
# load printed, a warning when the machine was busy (see bench/speed.mjs).
# Rows (BENCH_ROWS="sqlite-quick files-small ..." picks some):
#   sqlite-quick, sqlite-integrity, sqlite-none   backup of a BENCH_SQLITE_MB database
#       (default 1024; the recipe of sqlite.sh) against sqlite3 .backup + zstd -3 -T2
#       + sha256 + sync + re-read (openssl: coreutils' sha256sum lacks SHA-NI here)
#   sqlite-pragmas      integrity_check against quick_check, sqlite3 CLI
#   files-restore       drill of a BENCH_FILES_N x BENCH_FILES_KIB folder (default
#       20000 x 100 KiB = 2 GB, half random) against zstd -dc | tar -x
#   files-small         backup of BENCH_SMALL_N files of 4 KiB (default 200000)
#       against tar -c | zstd -3 -T2
#   help, validate      against node -e 0
# PostgreSQL rows: bench/postgres.sh (it needs its own cluster).
# Data is made once and cached in bench/.work/ (gitignored). Needs sqlite3,
# zstd, openssl, GNU time and a built dist/. Run it on a quiet machine.
set -euo pipefail
cd "$(dirname "$0")/.."
WORK=bench/.work
RECIPE=v1
mkdir -p "$WORK"
for tool in sqlite3 zstd openssl /usr/bin/time; do command -v "$tool" >/dev/null || { echo "bench: $tool is missing" >&2; exit 1; }; done
source bench/make-db.sh
MB=${BENCH_SQLITE_MB:-1024}
make_db "$MB"
# make_files DIR N KIB: N files of KIB KiB (the first half of each random, the rest zeros), 200 per folder.
make_files() {
  [[ -d $1 ]] && return
  echo "bench: generating $1 ($2 files of $3 KiB)..." >&2
  node -e '
    const { mkdirSync, writeFileSync, renameSync } = require("node:fs");
    const { randomBytes } = require("node:crypto");
    const [dir, n, kib] = [process.argv[1], +process.argv[2], +process.argv[3]];
    const pool = randomBytes(1 << 22);
    for (let i = 0; i < n; i++) {
      const d = `${dir}.tmp/d${Math.floor(i / 200)}`;
      if (i % 200 === 0) mkdirSync(d, { recursive: true });
      const size = kib * 1024, off = (i * 7919) % (pool.length - size);
      writeFileSync(`${d}/f${i}.jpg`, Buffer.concat([pool.subarray(off, off + size / 2), Buffer.alloc(size - size / 2)]));
    }
    renameSync(`${dir}.tmp`, dir);
  ' "$1" "$2" "$3"
}
N=${BENCH_FILES_N:-20000}; KIB=${BENCH_FILES_KIB:-100}; SMALL=${BENCH_SMALL_N:-200000}
make_files "$WORK/files-$N-$KIB" "$N" "$KIB"
make_files "$WORK/files-$SMALL-4" "$SMALL" 4
exec node bench/speed.mjs "$PWD/$WORK/db-${MB}mb-$RECIPE.sqlite" "$PWD/$WORK/files-$N-$KIB" "$PWD/$WORK/files-$SMALL-4"
