#!/usr/bin/env bash
# Runs every test of the project on a fresh machine: installs what the tests need, builds, runs the xunit
# suite, then each extra suite in scripts/test.d/ (browser, npm SDK, Bicep ...). Ends with one summary line.
set -euo pipefail
cd "$(dirname "$0")"

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
export LLMPROXY_TEST_COUNTS
LLMPROXY_TEST_COUNTS="$(mktemp -d)"
trap 'rm -rf "$LLMPROXY_TEST_COUNTS"' EXIT

# Extra suites may need the solution built (the web assets, the Functions output); build it once here.
dotnet build LlmProxy.slnx -c Debug --nologo -v quiet

# Each script in scripts/setup.d installs what its suite needs (npm packages, Chromium, Azurite ...).
for setup in scripts/setup.d/*.sh; do
  [ -e "$setup" ] || continue
  echo "== setup: $setup"
  bash "$setup"
done

failed=0
echo "== xunit"
dotnet test LlmProxy.Tests/LlmProxy.Tests.csproj -c Debug --no-build --nologo 2>&1 | tee "$LLMPROXY_TEST_COUNTS/xunit.log" || failed=1
line="$(grep -Eo 'Failed: +[0-9]+, Passed: +[0-9]+' "$LLMPROXY_TEST_COUNTS/xunit.log" | tail -1 || true)"
if [ -n "$line" ]; then
  f="$(echo "$line" | sed -E 's/Failed: +([0-9]+).*/\1/')"
  p="$(echo "$line" | sed -E 's/.*Passed: +([0-9]+)/\1/')"
  echo "$p $f" > "$LLMPROXY_TEST_COUNTS/xunit.counts"
else
  failed=1
fi

# Each script in scripts/test.d runs one more suite and writes "passed failed" to $LLMPROXY_TEST_COUNTS/<name>.counts.
for suite in scripts/test.d/*.sh; do
  [ -e "$suite" ] || continue
  echo "== suite: $suite"
  bash "$suite" || failed=1
done

passed_total=0; failed_total=0
for counts in "$LLMPROXY_TEST_COUNTS"/*.counts; do
  read -r p f < "$counts"
  passed_total=$((passed_total + p)); failed_total=$((failed_total + f))
done
[ "$failed_total" -eq 0 ] || failed=1
echo "tests: $passed_total passed, $failed_total failed"
exit "$failed"
