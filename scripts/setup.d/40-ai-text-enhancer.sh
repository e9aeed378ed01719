#!/usr/bin/env bash
# The web component's suite needs Debian's Chromium (driven by playwright-core) and the npm packages of
# web/ai-text-enhancer, installed exactly from its lock file.
set -euo pipefail
cd "$(dirname "$0")/../.."

if [ ! -x /usr/bin/chromium ]; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
fi

cd web/ai-text-enhancer
npm ci --no-audit --no-fund --loglevel=error
