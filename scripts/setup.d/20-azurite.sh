#!/usr/bin/env bash
# Azurite (Azure Storage emulator) for the Table Storage and Storage queue tests, from tools/azurite/package-lock.json.
set -euo pipefail
cd "$(dirname "$0")/../../tools/azurite"
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  apt-get update -qq && apt-get install -y -qq nodejs npm >/dev/null
fi
wanted="$(node -p "require('./package-lock.json').packages['node_modules/azurite'].version")"
installed="$(node -p "try { require('./node_modules/azurite/package.json').version } catch { '' }")"
if [ "$wanted" != "$installed" ]; then
  npm ci --no-audit --no-fund --loglevel=error >/dev/null
fi
