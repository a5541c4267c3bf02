#!/usr/bin/env bash
# Builds native/ for x64 and arm64 and packs Nono, Nono.Build.Sdk and Nono.Build.Tool (dotnet nono) to artifacts/packages/
# (or $1), deterministically: the same commit gives the same bytes in any directory, at any
# time (docs/security.md#provenance). Each package gets an SPDX SBOM from sbom-tool
# (_manifest/spdx_2.2/manifest.spdx.json: every file with its sha256, the native binaries
# among them); eng/nupkg.py then fixes what dotnet pack and sbom-tool leave varying.
# Packs what is committed plus uncommitted changes; the .nuspec names HEAD's commit.
set -euo pipefail
cd "$(dirname "$0")/.."
out=$(realpath -m "${1:-artifacts/packages}")
eng/prereqs.sh

make -s -C native RID=linux-x64
make -s -C native RID=linux-arm64
git rev-parse -q --verify HEAD >/dev/null || { echo "pack: error: $PWD is not a git clone with a commit; packages record their commit: clone the repository" >&2; exit 1; }
epoch=$(git log -1 --format=%ct HEAD)
[ -z "$(git status --porcelain --untracked-files=no)" ] \
  || echo "pack: warning: uncommitted changes: the packages name commit $(git rev-parse --short HEAD) but include them, so eng/verify.sh will not match them to it; commit, then pack" >&2

work=$(mktemp -d "${TMPDIR:-/tmp}/nono-pack.XXXXXX")
trap 'rm -rf "$work"' EXIT
mkdir -p "$out"
dotnet tool restore >/dev/null
# Nono.Build.Tool is three packages: the one users install, which names the other two; the
# linux-x64 one (Native AOT); the framework-dependent "any" one for other machines.
for pack in src/Nono sdk/Nono.Build.Sdk src/Nono.Build.Tool "src/Nono.Build.Tool linux-x64" "src/Nono.Build.Tool any"; do
  read -r project rid <<<"$pack"
  id=$(basename "$project")${rid:+.$rid}
  rm -f "$out/$id".[0-9]*.nupkg
  dotnet pack "$project" -c Release ${rid:+-r "$rid"} -o "$work/$id" -v:q -nologo
  package=$(ls "$work/$id"/*.nupkg)
  version=$(basename "$package" .nupkg); version=${version#"$id".}
  # The SBOM covers the package's payload, not the OPC bookkeeping it is about to change.
  python3 eng/nupkg.py extract "$package" "$work/$id/content"
  mkdir "$work/$id/sbom"
  repository=$(sed -n 's/.*<repository [^>]*url="\([^"]*\)".*/\1/p' "$work/$id/content/$id.nuspec")
  rm -rf "$work/$id/content/_rels" "$work/$id/content/package" "$work/$id/content/[Content_Types].xml"
  dotnet sbom-tool generate -b "$work/$id/content" -bc "$work/$id/content" -m "$work/$id/sbom" \
    -pn "$id" -pv "$version" -ps "Nono.Build" -nsb "$repository" \
    -V Warning >"$work/$id/sbom.log" 2>&1 || { cat "$work/$id/sbom.log" >&2; echo "pack: error: sbom-tool failed for $id (log above)" >&2; exit 1; }
  python3 eng/nupkg.py finish "$package" "$work/$id/sbom/_manifest/spdx_2.2/manifest.spdx.json" "$epoch"
  cp "$package" "$out/"
  echo "packed $out/$(basename "$package") ($(sha256sum "$package" | cut -c1-16)…)"
done
