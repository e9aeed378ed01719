#!/usr/bin/env bash
# The dashboard's suite needs Debian's Chromium (driven by playwright-core) and the npm packages of web/dashboard,
# installed exactly from its lock file. Its browser tests share the proxy/Chromium harness of web/ai-text-enhancer
# (set up by 40-ai-text-enhancer.sh, which runs first).
set -euo pipefail
cd "$(dirname "$0")/../.."

bash scripts/lib/chromium.sh

(cd web/ai-text-enhancer && [ -d node_modules/playwright-core ] || npm ci --no-audit --no-fund --loglevel=error)
cd web/dashboard
npm ci --no-audit --no-fund --loglevel=error
