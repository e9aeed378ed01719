#!/usr/bin/env bash
# Builds and lints infra/main.bicep. Any diagnostic (warning or error) fails the suite: Bicep reports type
# mismatches against the resource schemas as warnings and still exits 0.
# Bicep runs without network (unshare -n): it looks up an outside host on every run, and the result must not
# depend on whether that host answers.
set -euo pipefail
cd "$(dirname "$0")/../.."
bicep="$(bash scripts/bicep-path.sh)"
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT

passed=0; failed=0
check() {
  local name="$1"; shift
  echo "\$ bicep $*"
  if unshare -n "$bicep" "$@" > "$out/$name.log" 2>&1 && ! grep -Eq ': (Warning|Error) ' "$out/$name.log"; then
    cat "$out/$name.log"
    echo "bicep $name: ok (no diagnostics)"
    passed=$((passed + 1))
  else
    cat "$out/$name.log"
    echo "bicep $name: FAILED"
    failed=$((failed + 1))
  fi
}

unshare -n "$bicep" --version
check build build infra/main.bicep --outfile "$out/main.json"
check lint lint infra/main.bicep

echo "$passed $failed" > "${LLMPROXY_TEST_COUNTS:?}/bicep.counts"
[ "$failed" -eq 0 ]
