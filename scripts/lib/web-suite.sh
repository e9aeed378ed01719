#!/usr/bin/env bash
# One front-end suite: type check, the committed bundles match what the TypeScript source builds to today (the
# Functions assembly embeds them, so dotnet build needs no Node.js), then Vitest (unit and/or browser projects).
# Usage: web-suite.sh NAME WEB_DIR BUNDLE_SUBDIR FILE... (FILE relative to BUNDLE_SUBDIR). Writes "passed failed"
# to $LLMPROXY_TEST_COUNTS/NAME.counts and exits non-zero on any failure.
set -uo pipefail
name="$1" web="$2" subdir="$3"
shift 3
repo="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$repo/$web"
counts="${LLMPROXY_TEST_COUNTS:-$(mktemp -d)}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
passed=0 failed=0

if npx tsc --noEmit -p .; then passed=$((passed + 1)); else echo "FAIL: TypeScript type check"; failed=$((failed + 1)); fi

bundles="$repo/LlmProxy.Functions/StaticAssets/Files/$subdir"
fresh=true
BUNDLE_OUT_DIR="$work/$subdir" npx vite build --logLevel error || fresh=false
for file in "$@"; do cmp "$work/$subdir/$file" "$bundles/$file" || fresh=false; done
if $fresh; then
  passed=$((passed + 1))
else
  echo "FAIL: the committed bundles in LlmProxy.Functions/StaticAssets/Files/$subdir are stale: run 'npm run build' in $web and commit them"
  failed=$((failed + 1))
fi

npx vitest run --reporter=default --reporter=json --outputFile.json="$work/vitest.json"
status=$?
if [ -s "$work/vitest.json" ]; then
  read -r p f < <(node -e 'const r = require(process.argv[1]); console.log(r.numPassedTests, r.numFailedTests + r.numPendingTests)' "$work/vitest.json")
  passed=$((passed + p)); failed=$((failed + f))
else
  failed=$((failed + 1))
fi
[ "$status" -eq 0 ] || [ "$failed" -gt 0 ] || failed=$((failed + 1))

echo "$passed $failed" > "$counts/$name.counts"
echo "$name: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
