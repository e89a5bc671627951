#!/usr/bin/env bash
# The quickstart: make an app-like data set, then validate, dry-run, back up,
# list and drill it with restorable.
#   bash examples/quickstart/run.sh        in a checkout: works in this folder
#   bash run.sh DIR                        anywhere (an installed package too): works in DIR
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
cli="$here/../../dist/cli.js"   # the package's own CLI, in a checkout and in an installed package alike
restorable() { node "$cli" "$@"; }

work="$here"
if [ $# -gt 0 ]; then
  # The scripts stay beside the package (they load its SQLite engine); DIR gets the plan and the data.
  mkdir -p "$1"
  work="$(cd "$1" && pwd)"
  sed -e "s|command: \[node, check-assets.mjs\]|command: [node, \"$here/check-assets.mjs\"]|" \
      -e "s|\$schema=../../schemas/|\$schema=$here/../../schemas/|" "$here/restorable.yml" > "$work/restorable.yml"
fi
cd "$work"

rm -rf .data
node "$here/make-data.mjs" .data/app 60
mkdir -p .data/targets/nas .data/targets/usb .data/targets/cloud-drive   # the "drives"; restorable never creates a target's folder
echo; echo '$ restorable validate'; restorable validate
echo; echo '$ restorable plan';     restorable plan
echo; echo '$ restorable backup';   restorable backup
echo; echo '$ restorable drill';    restorable drill
echo; echo '$ restorable list';     restorable list
# Name the command the way it runs here: `restorable` once installed, the checkout's CLI otherwise.
installed="$(type -P restorable || true)"   # not the function above: the command on PATH
if [ -n "$installed" ] && [ "$(cd "$(dirname "$(readlink -f "$installed")")/.." && pwd)" = "$(cd "$here/../.." && pwd)" ]; then
  try=restorable
else
  try="node $(cd "$here/../.." && pwd)/dist/cli.js"
fi
echo
echo "Done: three verified copies under $work/.data/targets, and a drill that restored them"
echo "into a scratch folder and passed every health check. Try: $try restore --plan $work/restorable.yml"
