#!/usr/bin/env bash
# Installs the npm SDKs of tests/sdk-compat (the vendors' official ones, and the clients pointed at the proxy) from its lock file.
set -euo pipefail
cd "$(dirname "$0")/../../tests/sdk-compat"
stamp=node_modules/.lock-sha256
want="$(sha256sum package-lock.json | cut -d' ' -f1)"
if [ "$(cat "$stamp" 2>/dev/null || true)" != "$want" ]; then
  npm ci --no-audit --no-fund --loglevel=error >/dev/null
  echo "$want" > "$stamp"
fi
