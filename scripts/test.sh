#!/usr/bin/env bash
# The README's test command, and what .ci/run runs after its checks of the
# generated files: installs whatever the suite needs that this machine lacks,
# then runs the whole suite and ends with the line "N passed, N failed, N skipped".
#
# It changes the machine: Debian packages through apt-get (as root, or with
# sudo), the dev dependencies through npm, Node 24 into .cache/node24. Each
# piece is checked first (a command or a path), so a machine that has them all
# installs nothing and needs no root.
#
#   bash scripts/test.sh                     install what is missing, run the whole suite
#   bash scripts/test.sh --setup-only        install what is missing, then stop
#   bash scripts/test.sh test/cli/x.test.ts  install what is missing, run these files (vitest's arguments)
set -euo pipefail
cd "$(dirname "$0")/.."

setup_only=false
if [ "${1:-}" = --setup-only ]; then
  setup_only=true
  shift
fi

# --- Debian packages and Node 24.
bash scripts/install-system.sh

# --- npm packages: the README's first command may have left out the dev
# dependencies (vitest, s3rver, @github/local-action, ...).
if ! node -e '
  const pkg = require("./package.json");
  const names = Object.keys({ ...pkg.dependencies, ...pkg.optionalDependencies, ...pkg.devDependencies });
  const gone = names.filter((n) => !require("fs").existsSync(`node_modules/${n}/package.json`));
  process.exit(gone.length ? 1 : 0);
'; then
  if [ -d node_modules ]; then
    # After the README's first command (npm ci --omit=dev): add the rest and
    # keep the better-sqlite3 it built (npm ci would delete and rebuild it).
    echo "--- npm install --include=dev (the dev dependencies, from package-lock.json)"
    npm install --include=dev --no-save --no-audit --no-fund
  else
    echo "--- npm ci"
    npm ci --include=dev --no-audit --no-fund
  fi
fi

if [ "$(id -u)" -ne 0 ]; then
  echo "--- warning: not root; the tests that start sshd or mount a tmpfs need root and will fail: sudo bash scripts/test.sh" >&2
fi

if $setup_only; then
  echo "--- set up: everything the suite needs is here (Node 24: $(.cache/node24/node_modules/.bin/node --version))"
  exit 0
fi

echo "--- tests"
node scripts/build.mjs
mkdir -p .cache
rm -f .cache/vitest.json
status=0
node_modules/.bin/vitest run --reporter=default --reporter=json --outputFile.json=.cache/vitest.json "$@" || status=$?

# The plain closing line CI reads (a file that fails outside any test counts as a failure).
node scripts/test-summary.mjs .cache/vitest.json || { echo "no test report in .cache/vitest.json (vitest exit $status)" >&2; [ $status -ne 0 ] || status=1; }
exit $status
