#!/usr/bin/env bash
# Prints the path of the Bicep CLI that tools/bicep/bicep.csproj restores into the NuGet package folder.
set -euo pipefail
version="0.49.2"
packages="${NUGET_PACKAGES:-$HOME/.nuget/packages}"
bicep="$packages/azure.bicep.commandline.linux-x64/$version/tools/bicep"
if [ ! -f "$bicep" ]; then
  echo "Bicep CLI $version not found at $bicep; run scripts/setup.d/30-bicep.sh" >&2
  exit 1
fi
echo "$bicep"
