#!/usr/bin/env bash
# SQLite backup benchmark: `restorable backup` of a ~1 GB database against what
# a user would do instead, in the same run, on the same machine.
#
# What is measured, for each size in BENCH_SIZES_MB (default "256 1024"):
#   baseline      sqlite3 DB ".backup OUT"  then  zstd -q -3 -T0 OUT -o OUT.zst
#                 (the two commands timed one after the other and added up;
#                 each is also shown on its own row)
#   +check        the baseline plus `sqlite3 OUT "pragma integrity_check"`,
#                 i.e. by hand what restorable's default does
#   restorable    `node dist/cli.js backup --plan P --json` with one sqlite
#                 source, one local target, zstd level 3: with the default
#                 `check: integrity`, and with `check: none`; on Node 20
#                 (better-sqlite3) and on Node 24 (node:sqlite) when
#                 .cache/node24 has it. The notes say which zstd engine ran.
#   diagnostics   (BENCH_DIAG=0 skips them) restorable with `check: none,
#                 compression: none`; with RESTORABLE_ZSTD=zlib (in-process
#                 zstd) where the runtime has it; and bench/phases.mjs, which
#                 makes restorable's SQLite calls (online backup,
#                 journal_mode=delete, integrity_check, quick_check, counts)
#                 and times each
# Before each contender: outputs deleted, `sync`, `cat DB > /dev/null` (same
# page cache for all), and a wait of up to BENCH_IDLE_WAIT seconds (default
# 120) until nothing else keeps the machine busy; a contender during which
# something else was busy anyway runs again (BENCH_RETRIES, default 2), and the
# quietest attempt is kept. BENCH_RUNS=N (default 1) runs everything N times,
# round-robin, and keeps each contender's fastest run.
# dist/ is copied to bench/.work/dist-<sha>/ first, so a rebuild during
# the run cannot mix two builds; the header prints which build was measured.
#
# How to read the table:
#   s           wall-clock seconds
#   MiB/s       database size / s
#   tree MiB    peak of the summed RSS of the process and all its children,
#               sampled every 50 ms (node + zstd together for restorable)
#   proc MiB    the largest single process's max RSS, from GNU time (%M)
#   out bytes   size of the compressed artifact
#   x base      seconds / baseline seconds. The target: restorable <= 1.3x,
#               and its memory flat as the database grows (compare the sizes)
#   busy        CPU that something else used meanwhile, as a share of all
#               cores (kernel writeback included); "!" above 10%: distrust the row
# The summary repeats the ratios and peak memory per runtime and size, and
# bench/.work/results-<time>.json keeps every number.
#
# The databases are generated once and cached in bench/.work/ (gitignored):
# half random blobs (incompressible), half repetitive JSON-ish text, two
# indexes, WAL mode. Disk: the cached databases plus at most two outputs.
#
# Usage: bash bench/sqlite.sh                (or: npm run bench)
#        BENCH_SIZES_MB="64" bash bench/sqlite.sh
#        BENCH_RUNS=3 bash bench/sqlite.sh   (best of 3)
set -euo pipefail

cd "$(dirname "$0")/.."
WORK=bench/.work
SIZES=${BENCH_SIZES_MB:-"256 1024"}
# Bump when the recipe below changes, so cached databases are rebuilt.
RECIPE=v1

need() {
  if ! command -v "$1" >/dev/null 2>&1; then
    echo "bench: $1 is not installed: $2" >&2
    exit 1
  fi
}
need sqlite3 "apt-get install -y sqlite3"
need zstd "apt-get install -y zstd"
need node "Node.js 20 or later"
if [[ ! -x /usr/bin/time ]]; then
  echo "bench: note: GNU time is missing (apt-get install -y time); the 'proc MiB' and 'busy' columns stay empty" >&2
fi
if [[ ! -f dist/cli.js ]]; then
  echo "bench: dist/cli.js is missing; run: npm run build" >&2
  exit 1
fi
mkdir -p "$WORK"

source bench/make-db.sh

for mb in $SIZES; do
  make_db "$mb"
done

dbs=()
for mb in $SIZES; do
  dbs+=("$WORK/db-${mb}mb-$RECIPE.sqlite")
done
exec node bench/sqlite.mjs "${dbs[@]}"
