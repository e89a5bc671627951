#!/usr/bin/env bash
# storage: repository against restic and borg on the same data, interleaved:
# per round, each tool's first backup, then 1% of the files changed, each
# tool's second backup, then each tool's full restore. Wall seconds, bytes
# added to the repository, peak RSS (GNU time). Usage: bench/repository.sh [FILES] [KIB_PER_FILE] [ROUNDS]
# Needs restic, borgbackup and GNU time (apt-get install -y restic borgbackup time). Never run it beside the tests.
set -euo pipefail
cd "$(dirname "$0")/.."
FILES=${1:-5000}; KIB=${2:-100}; ROUNDS=${3:-3}
W=bench/.work/repository; rm -rf "$W"; mkdir -p "$W"
CLI="$PWD/dist/cli.js"; export RESTIC_PASSWORD=bench BORG_UNKNOWN_UNENCRYPTED_REPO_ACCESS_IS_OK=yes
echo "load before: $(cut -d' ' -f1-3 /proc/loadavg); $(nproc) cores; node $(node --version); $(restic version | cut -d' ' -f1-2); $(borg --version)"
mkdata() { node bench/mkfiles.mjs create "$1" "$FILES" "$KIB"; }
change() { node bench/mkfiles.mjs change "$1" "$FILES" "$KIB"; }
size() { du -sb "$1" | cut -f1; }
run() { # label, command...: prints "label wall_s peak_kib"
  local label=$1; shift
  /usr/bin/time -f "%e %M" -o "$W/time" "$@" >/dev/null 2>"$W/err" || { echo "$label FAILED"; cat "$W/err"; exit 1; }
  echo "$label $(cat "$W/time")" | tee -a "$W/results"
}
for r in $(seq 1 "$ROUNDS"); do
  D="$W/r$r"; rm -rf "$D"; mkdata "$D/data"; sync
  mkdir -p "$D/t"; cat > "$D/restorable.yml" <<YML
version: 1
name: bench
sources: [{name: lib, type: files, path: data, storage: repository}]
targets: [{name: t, type: local, path: t}]
policy: {rule: {copies: 1, media: 1, offsite: 0}}
YML
  export RESTORABLE_CACHE_DIR="$D/cache"
  restic init -q -r "$D/restic" >/dev/null; borg init -e none "$D/borg"
  run "r$r first restorable" node "$CLI" backup --plan "$D/restorable.yml" -q; a1=$(size "$D/t")
  run "r$r first restic" restic -q -r "$D/restic" backup "$D/data"; b1=$(size "$D/restic")
  run "r$r first borg" borg create "$D/borg::one" "$D/data"; c1=$(size "$D/borg")
  change "$D/data"; sync
  run "r$r second restorable" node "$CLI" backup --plan "$D/restorable.yml" -q; echo "r$r second restorable bytes $(( $(size "$D/t") - a1 ))" | tee -a "$W/results"
  run "r$r second restic" restic -q -r "$D/restic" backup "$D/data"; echo "r$r second restic bytes $(( $(size "$D/restic") - b1 ))" | tee -a "$W/results"
  run "r$r second borg" borg create "$D/borg::two" "$D/data"; echo "r$r second borg bytes $(( $(size "$D/borg") - c1 ))" | tee -a "$W/results"
  run "r$r restore restorable" node "$CLI" restore --plan "$D/restorable.yml" --path '**' --into "$D/out-a" -q
  run "r$r restore restic" restic -q -r "$D/restic" restore latest --target "$D/out-b"
  rm -rf "$D/data" "$D/out-a" "$D/out-b"
done
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
node bench/repository-ratios.mjs "$W/results"
