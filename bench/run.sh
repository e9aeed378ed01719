#!/usr/bin/env bash
# Benchmarks LLM Proxy against a direct call, a bare YARP pass-through and the Portkey gateway, on loopback.
# Installs what it needs (wrk, the npm peers), builds in Release, then runs bench/node/run.mjs, which writes
# bench/results/results.md and results.json. Options: --quick (1 round of 1 s runs, 200 open streams, for
# development), --rounds N, --seconds S, --targets llmproxy-full,yarp, --open-streams N. Not run by test.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

if [ "$(nproc)" -lt 2 ]; then
  echo "bench needs 2 CPUs (load generator on CPU 0, proxy under test on CPU 1)" >&2
  exit 1
fi
if ! command -v wrk >/dev/null; then
  echo "== installing wrk"
  apt-get update -qq >/dev/null && apt-get install -y -qq wrk >/dev/null
fi
for tool in taskset node npm dotnet; do
  command -v "$tool" >/dev/null || { echo "bench needs $tool on PATH" >&2; exit 1; }
done

echo "== npm ci (bench/node: Portkey gateway)"
(cd bench/node && npm ci --no-audit --no-fund --loglevel=error >/dev/null)

echo "== dotnet build -c Release (LlmProxy.Functions, bench/YarpPassThrough)"
dotnet build LlmProxy.Functions/LlmProxy.Functions.csproj -c Release --nologo -v quiet
dotnet build bench/YarpPassThrough/YarpPassThrough.csproj -c Release --nologo -v quiet

# The orchestrator itself sits on CPU 0 with the load generator; each proxy gets CPU 1 to itself.
exec taskset -c 0 node bench/node/run.mjs "$@"
