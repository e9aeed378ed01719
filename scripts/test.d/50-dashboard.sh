#!/usr/bin/env bash
# The admin dashboard suite: type check, the committed bundle matches the TypeScript source, and browser tests
# (Debian Chromium against the standalone host built by test.sh; screenshots in test-output/dashboard-*.png).
# Writes "passed failed" to $LLMPROXY_TEST_COUNTS/dashboard.counts.
set -uo pipefail
cd "$(dirname "$0")/../../web/dashboard"
counts="${LLMPROXY_TEST_COUNTS:-$(mktemp -d)}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
passed=0 failed=0

if npx tsc --noEmit -p .; then passed=$((passed + 1)); else echo "FAIL: TypeScript type check"; failed=$((failed + 1)); fi

# The Functions assembly embeds the committed bundle (so dotnet build needs no Node.js); it must be what the source
# builds to today.
bundle="../../LlmProxy.Functions/StaticAssets/Files/dashboard"
if BUNDLE_OUT_DIR="$work/dashboard" npx vite build --logLevel error &&
   cmp "$work/dashboard/dashboard.js" "$bundle/dashboard.js" &&
   cmp "$work/dashboard/dashboard.css" "$bundle/dashboard.css"; then
  passed=$((passed + 1))
else
  echo "FAIL: the committed bundle in LlmProxy.Functions/StaticAssets/Files/dashboard is stale: run 'npm run build' in web/dashboard and commit it"
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

echo "$passed $failed" > "$counts/dashboard.counts"
echo "dashboard: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
