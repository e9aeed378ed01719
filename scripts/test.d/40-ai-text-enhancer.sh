#!/usr/bin/env bash
# The <ai-text-enhancer> suite: type check, the committed bundles match the TypeScript source, Vitest unit tests
# (happy-dom) and browser tests (Debian Chromium against the standalone host built by test.sh).
# Writes "passed failed" to $LLMPROXY_TEST_COUNTS/ai-text-enhancer.counts.
set -uo pipefail
cd "$(dirname "$0")/../../web/ai-text-enhancer"
counts="${LLMPROXY_TEST_COUNTS:-$(mktemp -d)}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
passed=0 failed=0

if npx tsc --noEmit -p .; then passed=$((passed + 1)); else echo "FAIL: TypeScript type check"; failed=$((failed + 1)); fi

# The Functions assembly embeds the committed bundles (so dotnet build needs no Node.js); they must be what the
# source builds to today.
bundles="../../LlmProxy.Functions/StaticAssets/Files/js"
if BUNDLE_OUT_DIR="$work/js" npx vite build --logLevel error &&
   cmp "$work/js/ai-text-enhancer.umd.js" "$bundles/ai-text-enhancer.umd.js" &&
   cmp "$work/js/ai-text-enhancer.es.js" "$bundles/ai-text-enhancer.es.js"; then
  passed=$((passed + 1))
else
  echo "FAIL: the committed bundles in LlmProxy.Functions/StaticAssets/Files/js are stale: run 'npm run build' in web/ai-text-enhancer and commit them"
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

echo "$passed $failed" > "$counts/ai-text-enhancer.counts"
echo "ai-text-enhancer: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
