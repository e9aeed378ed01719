#!/usr/bin/env bash
# The web component's suite needs Debian's Chromium (driven by playwright-core) and the npm packages of
# web/ai-text-enhancer, installed exactly from its lock file.
set -euo pipefail
cd "$(dirname "$0")/../.."

bash scripts/lib/chromium.sh

cd web/ai-text-enhancer
npm ci --no-audit --no-fund --loglevel=error
