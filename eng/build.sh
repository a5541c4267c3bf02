#!/usr/bin/env bash
# Builds everything and packs Nono and Nono.Build.Sdk to artifacts/packages/ (eng/pack.sh:
# reproducible packages with an SBOM each), then builds samples/VersionStamp with the packed
# SDK: its post-build steps run sandboxed.
#
# After changing native/ (sources, headers, Makefile), update the record of the binaries
# that CI checks them against, and commit it with the change:
#   eng/native-manifest.sh --update
# A package can be checked against the commit it names with eng/verify.sh PACKAGE.nupkg.
set -euo pipefail
cd "$(dirname "$0")/.."
eng/pack.sh

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
