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
#   bash scripts/test.sh --system-only       only the Debian packages and Node 24 (CI runs npm ci beside it)
#   bash scripts/test.sh test/cli/x.test.ts  install what is missing, run these files (vitest's arguments)
set -euo pipefail
cd "$(dirname "$0")/.."

setup_only=false
system_only=false
if [ "${1:-}" = --setup-only ]; then
  setup_only=true
  shift
elif [ "${1:-}" = --system-only ]; then
  setup_only=true
  system_only=true
  shift
fi

have() { command -v "$1" >/dev/null 2>&1; }

# --- Debian packages: each one checked by what the tests run from it.
missing=()
have zstd || missing+=(zstd)
have sqlite3 || missing+=(sqlite3)
{ have age && have age-keygen; } || missing+=(age)
{ [ -x /usr/sbin/sshd ] && have ssh-keygen; } || missing+=(openssh-server)
compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null || missing+=(postgresql)
have python3 || missing+=(python3)          # test/helpers/age-pty.py, small fixtures
have ps || missing+=(procps)
have strace || missing+=(strace)          # test/cli/restore-durable.test.ts: syncfs before the swap
have openssl || missing+=(openssl)          # a throwaway certificate for the SMTP server (test/helpers/receivers.ts)
[ -x /usr/bin/promtool ] || missing+=(prometheus)                          # promtool check metrics
[ -x /usr/bin/prometheus-pushgateway ] || missing+=(prometheus-pushgateway)  # a real Pushgateway
[ -x /usr/bin/chromium ] || missing+=(chromium)                              # renders the status page (test/helpers/chromium.ts)
# restic and borg are bench/'s (bench/README.md), not the suite's.

if [ ${#missing[@]} -gt 0 ]; then
  have apt-get || { echo "scripts/test.sh: no apt-get here: install ${missing[*]} (Debian names), then run this again." >&2; exit 1; }
  sudo=()
  if [ "$(id -u)" -ne 0 ]; then
    have sudo || { echo "scripts/test.sh: not root and no sudo: install ${missing[*]} as root, then run this again." >&2; exit 1; }
    sudo=(sudo)
    echo "--- not root: apt-get runs with sudo"
  fi
  echo "--- apt-get install ${missing[*]}"
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# --- npm packages: the README's first command may have left out the dev
# dependencies (vitest, s3rver, @github/local-action, ...).
if ! $system_only && ! node -e '
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

# --- Node 24 runs GitHub Actions; the Action's and node:sqlite's tests run on it.
if [ ! -x .cache/node24/node_modules/.bin/node ]; then
  echo "--- node 24 for the runtime tests, into .cache/node24"
  mkdir -p .cache/node24
  (cd .cache/node24 && echo '{"private":true}' > package.json && npm i --no-save --no-package-lock --no-audit --no-fund node@24 >/dev/null)
fi

if [ "$(id -u)" -ne 0 ]; then
  echo "--- warning: not root; the tests that start sshd or mount a tmpfs need root and will fail: sudo bash scripts/test.sh" >&2
fi

if $system_only; then
  echo "--- the Debian packages and Node 24 are here ($(.cache/node24/node_modules/.bin/node --version))"
  exit 0
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
