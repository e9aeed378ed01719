#!/usr/bin/env bash
# Profiles one LlmProxy row under load with dotnet-counters and dotnet-trace (installed here as NuGet tools
# into bench/.tools). Needs what bench/run.sh installs and builds; run that once first.
# Options: --row llmproxy-full|llmproxy-min|llmproxy-min-quiet|yarp, --seconds N, --stream.
set -euo pipefail
cd "$(dirname "$0")/.."
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
for tool in dotnet-trace dotnet-counters; do
  [ -x "bench/.tools/$tool" ] || dotnet tool install --tool-path bench/.tools "$tool" --version 10.0.750501 >/dev/null
done
dotnet build bench/AllocationSummary/AllocationSummary.csproj -c Release --nologo -v quiet >/dev/null
exec taskset -c 0 node bench/node/profile.mjs "$@"
