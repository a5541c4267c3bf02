#!/usr/bin/env bash
# CI's provenance checks (docs/security.md#provenance), after eng/build.sh packed
# artifacts/packages/ here: native/MANIFEST.json matches the binaries; a second clean build of
# the same commit, in another directory and later, gives the same binaries and byte-identical
# packages (eng/verify.sh's rebuild); eng/verify.sh accepts those packages and rejects one
# with a byte changed in nono-exec, naming it; every package has Source Link and an SBOM
# listing its native binaries with their sha256; the packages restore. Needs a clean tree:
# the packages must be what HEAD builds. Ends with 'N passed, N failed'.
set -euo pipefail
cd "$(dirname "$0")/.."
passed=0 failed=0
work=$(mktemp -d "${TMPDIR:-/tmp}/nono-provenance.XXXXXX")
trap 'rm -rf "$work"' EXIT

# Runs one check. Its function runs with set -e suspended (it is an if's condition): each
# function chains its steps with && or collects a status.
check() {
  local name=$1; shift
  local start=$SECONDS
  if "$@" >"$work/out" 2>&1; then
    passed=$((passed + 1)); echo "ok: $name ($((SECONDS - start)) s)"
  else
    failed=$((failed + 1)); echo "FAILED: $name ($((SECONDS - start)) s)"; sed 's/^/    /' "$work/out" | tail -30
  fi
}

version=$(sed -n 's:.*<Version>\(.*\)</Version>.*:\1:p' Directory.Build.props)
sdk_pkg=artifacts/packages/Nono.Build.Sdk.$version.nupkg
lib_pkg=artifacts/packages/Nono.$version.nupkg
for p in "$sdk_pkg" "$lib_pkg"; do
  [ -f "$p" ] || { echo "provenance-tests: error: $p is missing; run eng/build.sh first" >&2; exit 1; }
done
if [ -n "$(git status --porcelain --untracked-files=no)" ]; then
  echo "provenance-tests: error: the work tree has uncommitted changes; the packages must be what HEAD builds: commit, then run eng/build.sh and this again" >&2
  exit 1
fi
rebuild=$work/rebuild

check "native/MANIFEST.json matches the binaries native/ builds" eng/native-manifest.sh --check

# The rebuild: a clean clone of HEAD in another directory, packed later than eng/build.sh did.
verify_accepts() {
  eng/verify.sh --rebuild-dir "$rebuild" "$sdk_pkg" "$lib_pkg" | tee "$work/accept"
  [ "$(grep -c '^verify: OK .* byte for byte$' "$work/accept")" -eq 2 ]
}
check "eng/verify.sh accepts the packages eng/build.sh made, byte for byte" verify_accepts

same_binaries() {
  local rid bin status=0
  for rid in linux-x64 linux-arm64; do
    for bin in nono-exec libnono.so; do
      cmp "artifacts/native/$rid/$bin" "$rebuild/src/artifacts/native/$rid/$bin" || status=1
    done
  done
  return $status
}
check "two clean builds in two directories give identical native binaries ($PWD, $rebuild/src)" same_binaries
same_packages() { cmp "$sdk_pkg" "$rebuild/packages/$(basename "$sdk_pkg")" && cmp "$lib_pkg" "$rebuild/packages/$(basename "$lib_pkg")"; }
check "two clean builds in two directories, minutes apart, give byte-identical packages" same_packages

# One byte changed in the launcher, the rest of the package as it was.
tamper() {
  python3 - "$sdk_pkg" "$work/tampered/$(basename "$sdk_pkg")" tasks/net8.0/runtimes/linux-x64/native/nono-exec <<'EOF'
import os, sys, zipfile
source, target, victim = sys.argv[1:]
os.makedirs(os.path.dirname(target), exist_ok=True)
with zipfile.ZipFile(source) as src, zipfile.ZipFile(target, "w") as dst:
    for info in src.infolist():
        data = src.read(info)
        if info.filename == victim:
            data = data[:4096] + bytes([data[4096] ^ 1]) + data[4097:]
        dst.writestr(info, data)
EOF
}
verify_rejects() {
  tamper || return 1
  if eng/verify.sh --rebuild-dir "$rebuild" "$work/tampered/$(basename "$sdk_pkg")" >"$work/reject" 2>&1; then
    cat "$work/reject"; echo "eng/verify.sh accepted a package with a changed nono-exec"; return 1
  fi
  cat "$work/reject"
  grep -q '^verify: .*: tasks/net8.0/runtimes/linux-x64/native/nono-exec: differs' "$work/reject" || { echo "the changed file is not named"; return 1; }
  [ "$(grep -c ': differs\|: in the package\|: in the rebuild' "$work/reject")" -eq 1 ] || { echo "files other than nono-exec are named"; return 1; }
  grep -q '^verify: .*: tasks/net8.0/runtimes/linux-x64/native/nono-exec: sha256 .* is not the .* native/MANIFEST.json records' "$work/reject" \
    || { echo "the manifest check does not name the changed file"; return 1; }
}
check "eng/verify.sh rejects a package with one byte changed in nono-exec, naming the file" verify_rejects

sbom_lists_binaries() {
  local p status=0
  for p in "$sdk_pkg" "$lib_pkg"; do
    rm -rf "$work/x"; python3 eng/nupkg.py extract "$p" "$work/x"
    local sbom=$work/x/_manifest/spdx_2.2/manifest.spdx.json
    [ -f "$sbom" ] || { echo "$p has no $sbom"; status=1; continue; }
    jq -e '.spdxVersion == "SPDX-2.2" and (.creationInfo.creators | any(test("Microsoft.SBOMTool")))' "$sbom" >/dev/null \
      || { echo "$p: the SBOM is not sbom-tool's SPDX 2.2"; status=1; }
    local n=0 f
    while IFS= read -r f; do
      n=$((n + 1))
      local want; want=$(sha256sum "$work/x/$f" | cut -d' ' -f1)
      jq -e --arg f "./$f" --arg h "$want" '.files[] | select(.fileName == $f) | .checksums[] | select(.algorithm == "SHA256" and .checksumValue == $h)' "$sbom" >/dev/null \
        && echo "$p: $f sha256 $want listed" || { echo "$p: the SBOM does not list $f with sha256 $want"; status=1; }
    done < <(cd "$work/x" && find . -path '*/native/*' -type f | sed 's|^\./||' | sort)
    [ "$n" -eq 4 ] || { echo "$p: expected 4 native binaries, found $n"; status=1; }
  done
  return $status
}
check "each package's SPDX SBOM lists its four native binaries with their sha256" sbom_lists_binaries

sbom_tool_validates() {
  local p status=0
  for p in "$sdk_pkg" "$lib_pkg"; do
    rm -rf "$work/x" && python3 eng/nupkg.py extract "$p" "$work/x" \
      && rm -rf "$work/x/_rels" "$work/x/package" "$work/x/[Content_Types].xml" \
      && dotnet sbom-tool validate -b "$work/x" -o "$work/validation.json" -mi SPDX:2.2 -V Warning >"$work/validation.log" 2>&1 \
      && jq -e '.Result == "Success"' "$work/validation.json" \
      || { echo "$p: sbom-tool validate rejects the package's SBOM"; cat "$work/validation.log"; status=1; }
  done
  return $status
}
check "sbom-tool validate accepts each normalised SBOM against the package's files" sbom_tool_validates

binaries_in_manifest() {
  local p f status=0
  for p in "$sdk_pkg" "$lib_pkg"; do
    rm -rf "$work/x" && python3 eng/nupkg.py extract "$p" "$work/x" || return 1
    while IFS= read -r f; do
      local rid_bin; rid_bin=$(echo "$f" | sed 's|.*runtimes/\([^/]*\)/native/\([^/]*\)$|\1/\2|')
      local actual; actual=$(sha256sum "$work/x/$f" | cut -d' ' -f1)
      jq -e --arg f "$rid_bin" --arg h "$actual" '.binaries[] | select(.file == $f and .sha256 == $h)' native/MANIFEST.json >/dev/null \
        && echo "$p: $f is $rid_bin of native/MANIFEST.json" || { echo "$p: $f (sha256 $actual) is not in native/MANIFEST.json"; status=1; }
    done < <(cd "$work/x" && find . -path '*/native/*' -type f | sed 's|^\./||' | sort)
  done
  return $status
}
check "the packaged native binaries are the ones native/MANIFEST.json records" binaries_in_manifest

source_link() {
  local commit; commit=$(git rev-parse HEAD)
  local link="\"/_/\*\":\"https://raw.githubusercontent.com/.*/$commit/\*\""
  grep "$link" src/Nono/obj/Release/net8.0/Nono.sourcelink.json \
    && grep "$link" src/Nono.Build.Tasks/obj/Release/net8.0/Nono.Build.Tasks.sourcelink.json \
    && python3 -c 'import sys, zipfile; print(zipfile.ZipFile(sys.argv[1]).read("Nono.nuspec").decode())' "$lib_pkg" \
       | grep "<repository type=\"git\" url=\"https://.*\" commit=\"$commit\" />"
}
check "the assemblies carry Source Link to HEAD's sources, the .nuspec HEAD's commit" source_link

restores() {
  mkdir -p "$work/consumer"
  cat >"$work/consumer/consumer.csproj" <<EOF
<Project Sdk="Microsoft.NET.Sdk">
  <PropertyGroup><TargetFramework>net$(dotnet --version | cut -d. -f1).0</TargetFramework></PropertyGroup>
  <ItemGroup>
    <PackageReference Include="Nono" Version="$version" />
    <PackageDownload Include="Nono.Build.Sdk" Version="[$version]" />
  </ItemGroup>
</Project>
EOF
  cat >"$work/consumer/nuget.config" <<EOF
<configuration><packageSources><clear /><add key="local" value="$PWD/artifacts/packages" /></packageSources></configuration>
EOF
  NUGET_PACKAGES="$work/packages" dotnet restore "$work/consumer" -v:q -nologo \
    && test -f "$work/packages/nono/$version/runtimes/linux-x64/native/nono-exec" \
    && test -f "$work/packages/nono.build.sdk/$version/_manifest/spdx_2.2/manifest.spdx.json"
}
check "the rewritten packages restore from a local feed" restores

echo "provenance: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
