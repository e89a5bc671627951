#!/usr/bin/env bash
# What the suite needs from outside npm: the Debian packages its real
# services and tools come from, and Node 24 (the Action's runtime) in
# .cache/node24. Each piece is checked first (a command or a path), so a
# machine that has them all installs nothing and needs no root. Run by
# scripts/test.sh (the README's test command), and by .ci/run beside npm ci.
set -euo pipefail
cd "$(dirname "$0")/.."

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

# --- Node 24 runs GitHub Actions; the Action's and node:sqlite's tests run on it.
if [ ! -x .cache/node24/node_modules/.bin/node ]; then
  echo "--- node 24 for the runtime tests, into .cache/node24"
  mkdir -p .cache/node24
  (cd .cache/node24 && echo '{"private":true}' > package.json && npm i --no-save --no-package-lock --no-audit --no-fund node@24 >/dev/null)
fi
