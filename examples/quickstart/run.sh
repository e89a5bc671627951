#!/usr/bin/env bash
# The quickstart: make an app-like data set, then validate, dry-run, back up,
# list and drill it with restorable. Run from anywhere: bash examples/quickstart/run.sh
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
cd "$here"
restorable() { node "$here/../../dist/cli.js" "$@"; }

rm -rf .data
node make-data.mjs .data/app 60
mkdir -p .data/targets/nas .data/targets/usb .data/targets/cloud-drive   # the "drives"; restorable never creates a target's folder
echo; echo '$ restorable validate'; restorable validate
echo; echo '$ restorable plan';     restorable plan
echo; echo '$ restorable backup';   restorable backup
echo; echo '$ restorable drill';    restorable drill
echo; echo '$ restorable list';     restorable list
echo
echo "Done: three verified copies under $here/.data/targets, and a drill that restored them"
echo "into a scratch folder and passed every health check. Try: restorable restore --plan $here/restorable.yml"
