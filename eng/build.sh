#!/usr/bin/env bash
# Builds everything and packs Nono and Nono.Build.Sdk to artifacts/packages/, then builds
# samples/VersionStamp with the packed SDK: its post-build steps run sandboxed.
set -euo pipefail
cd "$(dirname "$0")/.."
eng/prereqs.sh

make -s -C native RID=linux-x64
make -s -C native RID=linux-arm64
dotnet pack src/Nono -c Release -o artifacts/packages
dotnet pack sdk/Nono.Build.Sdk -c Release -o artifacts/packages

# A private package folder, so the sample uses the SDK just packed and not a cached copy.
rm -rf artifacts/sample-packages
log=artifacts/sample-build.log
if ! NUGET_PACKAGES="$PWD/artifacts/sample-packages" dotnet build samples/VersionStamp -c Release -v:n >"$log" 2>&1; then
  grep -E 'error|warning' "$log" | sort -u | tail -20
  exit 1
fi
# The policy the steps ran under, and what they printed.
sed -n '/Sandbox policy for/,/unix sockets:/{p;/unix sockets:/q}' "$log"
sed -n '/^ *StampAndPack:/,/Build succeeded/p' "$log"
