#!/usr/bin/env bash
# Peak memory and time of an encrypted backup, restore and verify --deep
# against the same runs without encryption, on one large incompressible file
# (a files source). Usage: BENCH_MB=512 bash bench/encryption.sh
# Needs GNU time (/usr/bin/time), age-keygen, zstd and a built dist/cli.js.
set -euo pipefail
cd "$(dirname "$0")/.."
MB="${BENCH_MB:-512}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/data" "$work/a" "$work/b" "$work/c"
head -c "$((MB << 20))" /dev/urandom > "$work/data/big.bin"
age-keygen -o "$work/key.txt" 2>/dev/null
recipient="$(age-keygen -y "$work/key.txt")"
plan() { # $1: extra yaml
  cat > "$work/restorable.yml" <<YAML
version: 1
name: bench
sources: [{name: files, type: files, path: data}]
targets:
  - {name: a, type: local, path: a}
  - {name: b, type: local, path: b}
  - {name: c, type: local, path: c, medium: cloud-drive, offsite: true}
compression: {algorithm: zstd}
$1
YAML
}
run() { # $1: label, rest: restorable args
  local label="$1"; shift
  /usr/bin/time -f "%e %M" -o "$work/time" node dist/cli.js "$@" --plan "$work/restorable.yml" --quiet >/dev/null
  read -r secs kib < "$work/time"
  printf '%-28s %7.1f s %7d MiB peak RSS\n' "$label" "$secs" "$((kib / 1024))"
}
echo "one ${MB} MiB incompressible file, zstd -3, three local targets"
for mode in plain age; do
  rm -rf "$work"/{a,b,c}/* 
  if [ "$mode" = age ]; then plan "encryption: {age_recipients: [$recipient]}"; else plan ""; fi
  run "backup ($mode)" backup
  RESTORABLE_AGE_IDENTITY="$work/key.txt" run "verify --deep ($mode)" verify --deep
  RESTORABLE_AGE_IDENTITY="$work/key.txt" run "drill ($mode)" drill
done
