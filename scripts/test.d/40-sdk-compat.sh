#!/usr/bin/env bash
# The vendors' official SDKs must parse the fake vendors' answers (keeps the fakes honest), and the clients users point
# at the proxy (openai, ai + @ai-sdk/openai) must work against the live standalone host. Needs the solution built
# (tests/FakeVendors, LlmProxy.Functions) and scripts/setup.d/40-sdk-compat.sh run.
set -uo pipefail
cd "$(dirname "$0")/../../tests/sdk-compat"
log="$(mktemp)"
node --test --test-reporter=tap 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
passed="$(grep -Eo '^# pass [0-9]+' "$log" | grep -Eo '[0-9]+' || echo 0)"
failed="$(grep -Eo '^# fail [0-9]+' "$log" | grep -Eo '[0-9]+' || echo 1)"
rm -f "$log"
echo "$passed $failed" > "${LLMPROXY_TEST_COUNTS:-/tmp}/sdk-compat.counts"
[ "$status" -eq 0 ] && [ "$failed" -eq 0 ]
