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

# make_db MB: a WAL-mode database of about MB MiB at $WORK/db-${MB}mb-$RECIPE.sqlite.
# Each photo row is ~3.7 KB (one 4 KiB page): 2000 random bytes + 1600 bytes of
# repetitive text, so the file compresses to about half its size.
make_db() {
  local mb=$1
  local db="$WORK/db-${mb}mb-$RECIPE.sqlite"
  if [[ -f $db ]]; then
    echo "bench: using cached $db ($(stat -c %s "$db") bytes)" >&2
    return
  fi
  local rows=$((mb * 1024 * 1024 / 4096 * 97 / 100))
  local tmp="$db.tmp"
  rm -f "$tmp" "$tmp-wal" "$tmp-shm" "$tmp-journal"
  echo "bench: generating $db ($rows photo rows)..." >&2
  sqlite3 "$tmp" >/dev/null <<SQL
pragma page_size = 4096;
pragma journal_mode = off;
pragma synchronous = off;
begin;
create table users(id integer primary key, name text not null, email text not null unique);
with recursive n(i) as (select 1 union all select i + 1 from n where i < 1000)
insert into users select i, printf('user %d', i), printf('user%d@example.org', i) from n;
create table photos(
  id integer primary key,
  owner integer not null references users(id),
  path text not null,
  taken_at integer not null,
  thumb blob not null,   -- random bytes: incompressible
  exif blob not null     -- repetitive text: compresses well
);
with recursive n(i) as (select 1 union all select i + 1 from n where i < $rows)
insert into photos
select i, 1 + i % 1000,
  printf('/library/%04d/%02d/IMG_%07d.jpg', 2000 + i % 25, 1 + i % 12, i),
  1500000000 + i * 37,
  randomblob(2000),
  cast(substr(replace(hex(zeroblob(64)), '00',
    printf('{"camera":"Model %d","iso":%d,"lens":"%dmm f/%d","user":%d,"album":"trip-%d","ok":true} ',
      i % 17, 100 * (1 + i % 32), 24 + i % 50, 2 + i % 6, i % 1000, i % 365)), 1, 1600) as blob)
from n;
create index photos_taken_at on photos(taken_at);
create index photos_owner_path on photos(owner, path);
commit;
pragma user_version = 42;
pragma journal_mode = wal;
SQL
  mv "$tmp" "$db"
  echo "bench: $db: $(stat -c %s "$db") bytes" >&2
}

for mb in $SIZES; do
  make_db "$mb"
done

dbs=()
for mb in $SIZES; do
  dbs+=("$WORK/db-${mb}mb-$RECIPE.sqlite")
done
exec node bench/sqlite.mjs "${dbs[@]}"
