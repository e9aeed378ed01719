#!/usr/bin/env bash
# Debian's Chromium for the browser suites (driven by playwright-core), and nothing more: its recommends are a desktop
# (avahi, cups helpers, upower, python3, perl, ...): on an empty Debian 12 system, 399 packages with them, 239 without.
set -euo pipefail
if [ ! -x /usr/bin/chromium ]; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium >/dev/null
fi
