#!/usr/bin/env bash
# Fetches the Bicep CLI (a NuGet package, pinned in tools/bicep/bicep.csproj) for scripts/test.d/30-bicep.sh.
set -euo pipefail
cd "$(dirname "$0")/../.."
dotnet restore tools/bicep/bicep.csproj --nologo -v quiet
chmod +x "$(bash scripts/bicep-path.sh)"
