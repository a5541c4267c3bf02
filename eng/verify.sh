#!/usr/bin/env bash
# Checks Nono packages (a downloaded Nono.Build.Sdk.<version>.nupkg, say) against this
# repository at the commit each package names in its .nuspec: clones that commit into a
# temporary directory, runs its eng/pack.sh and compares file by file, naming each file that
# differs, is missing or is extra. Before that, the package's native binaries are checked
# against native/MANIFEST.json at that commit. Exit 0: every file is what the commit builds.
#
#   eng/verify.sh [--rebuild-dir DIR] PACKAGE.nupkg...
#
# --rebuild-dir keeps the rebuild in DIR and reuses it when DIR already holds one of the same
# commit (CI checks several packages against one rebuild). A .signature.p7s that a feed adds
# (nuget.org signs every package it serves) is not part of the build and is not compared.
# What this proves and what it does not: docs/security.md#provenance.
set -euo pipefail
repo=$(git -C "$(dirname "$0")" rev-parse --show-toplevel)
nupkg_py="$repo/eng/nupkg.py"

rebuild_dir=
packages=()
while [ $# -gt 0 ]; do
  case "$1" in
    --rebuild-dir) [ $# -ge 2 ] || { echo "verify: error: --rebuild-dir needs a directory" >&2; exit 2; }; rebuild_dir=$2; shift 2 ;;
    -h|--help) sed -n '2,/^set /p' "$0" | grep '^#' | sed 's/^# \{0,1\}//'; exit 0 ;;
    -*) echo "verify: error: unknown option: $1 (usage: eng/verify.sh [--rebuild-dir DIR] PACKAGE.nupkg...)" >&2; exit 2 ;;
    *) packages+=("$(realpath -m "$1")"); shift ;;
  esac
done
[ ${#packages[@]} -gt 0 ] || { echo "usage: eng/verify.sh [--rebuild-dir DIR] PACKAGE.nupkg..." >&2; exit 2; }

work=$(mktemp -d "${TMPDIR:-/tmp}/nono-verify.XXXXXX")
trap 'rm -rf "$work"' EXIT
[ -n "$rebuild_dir" ] || rebuild_dir="$work/rebuild"
mkdir -p "$rebuild_dir"; rebuild_dir=$(realpath "$rebuild_dir")

# Clones the commit and packs it into $rebuild_dir/packages, unless that is already done.
rebuild() {
  local commit=$1 log="$rebuild_dir/pack.log"
  if [ -f "$rebuild_dir/commit" ] && [ "$(cat "$rebuild_dir/commit")" = "$commit" ] && [ -d "$rebuild_dir/packages" ]; then
    echo "verify: reusing the rebuild of $commit in $rebuild_dir"
    return
  fi
  rm -rf "$rebuild_dir/src" "$rebuild_dir/packages" "$rebuild_dir/commit"
  echo "verify: rebuilding $commit in $rebuild_dir/src (log: $log)"
  git clone -q --no-checkout "$repo" "$rebuild_dir/src"
  git -C "$rebuild_dir/src" checkout -q --detach "$commit"
  [ -x "$rebuild_dir/src/eng/pack.sh" ] \
    || { echo "verify: error: commit $commit has no eng/pack.sh: it predates reproducible packages and cannot be verified" >&2; exit 1; }
  if ! "$rebuild_dir/src/eng/pack.sh" "$rebuild_dir/packages" >"$log" 2>&1; then
    tail -20 "$log" >&2
    echo "verify: error: rebuilding $commit failed (log: $log)" >&2
    exit 1
  fi
  echo "$commit" >"$rebuild_dir/commit"
}

failed=0
for package in "${packages[@]}"; do
  name=$(basename "$package")
  [ -f "$package" ] || { echo "verify: error: $package: no such file" >&2; exit 1; }
  got="$work/got/$name"; mkdir -p "$got"
  python3 "$nupkg_py" extract "$package" "$got"
  nuspec=$(find "$got" -maxdepth 1 -name '*.nuspec' | head -1)
  [ -n "$nuspec" ] || { echo "verify: error: $name has no .nuspec: not a NuGet package" >&2; exit 1; }
  id=$(sed -n 's:.*<id>\(.*\)</id>.*:\1:p' "$nuspec" | head -1)
  version=$(sed -n 's:.*<version>\(.*\)</version>.*:\1:p' "$nuspec" | head -1)
  commit=$(sed -n 's/.*<repository [^>]*commit="\([0-9a-f]\{40\}\)".*/\1/p' "$nuspec")
  [ -n "$commit" ] || { echo "verify: error: $name names no commit (<repository commit=\"…\"> in its .nuspec): it cannot be checked against the sources" >&2; exit 1; }

  git -C "$repo" cat-file -e "$commit^{commit}" 2>/dev/null \
    || { echo "verify: error: commit $commit (named by $name) is not in $repo; fetch the repository's history (git fetch origin), then run eng/verify.sh again" >&2; exit 1; }

  # The native binaries against the commit's record of them (a quick check before the rebuild).
  differences=0
  if manifest=$(git -C "$repo" show "$commit:native/MANIFEST.json" 2>/dev/null); then
    while IFS= read -r file; do
      rid_bin=$(echo "$file" | sed -n 's|.*runtimes/\([^/]*\)/native/\([^/]*\)$|\1/\2|p')
      [ -n "$rid_bin" ] || continue
      recorded=$(jq -r --arg f "$rid_bin" '.binaries[] | select(.file == $f) | .sha256' <<<"$manifest")
      actual=$(sha256sum <"$got/$file" | cut -d' ' -f1)
      if [ -z "$recorded" ]; then
        echo "verify: $name: $file: native/MANIFEST.json at $commit records no $rid_bin"
        differences=$((differences + 1))
      elif [ "$recorded" != "$actual" ]; then
        echo "verify: $name: $file: sha256 ${actual:0:16}… is not the ${recorded:0:16}… native/MANIFEST.json records for $rid_bin at $commit"
        differences=$((differences + 1))
      fi
    done < <(cd "$got" && find . -path '*/native/*' -type f | sed 's|^\./||' | sort)
  else
    echo "verify: $name: note: commit $commit has no native/MANIFEST.json; the rebuild alone decides"
  fi

  rebuild "$commit"
  expected_pkg="$rebuild_dir/packages/$id.$version.nupkg"
  [ -f "$expected_pkg" ] || { echo "verify: error: the rebuild of $commit made no $id.$version.nupkg (it made: $(ls "$rebuild_dir/packages" | tr '\n' ' '))" >&2; exit 1; }
  want="$work/want/$name"; mkdir -p "$want"
  python3 "$nupkg_py" extract "$expected_pkg" "$want"

  [ -f "$got/.signature.p7s" ] && { echo "verify: $name: note: .signature.p7s (a feed's signature) is not compared"; rm "$got/.signature.p7s"; }
  while IFS= read -r file; do
    if [ ! -f "$want/$file" ]; then
      echo "verify: $name: $file: in the package, not in the rebuild"; differences=$((differences + 1))
    elif [ ! -f "$got/$file" ]; then
      echo "verify: $name: $file: in the rebuild, missing from the package"; differences=$((differences + 1))
    elif ! cmp -s "$got/$file" "$want/$file"; then
      echo "verify: $name: $file: differs (package sha256 $(sha256sum <"$got/$file" | cut -c1-16)…, rebuild $(sha256sum <"$want/$file" | cut -c1-16)…)"
      differences=$((differences + 1))
    fi
  done < <( (cd "$got" && find . -type f; cd "$want" && find . -type f) | sed 's|^\./||' | sort -u)

  files=$(cd "$want" && find . -type f | wc -l)
  if [ "$differences" -eq 0 ]; then
    if cmp -s "$package" "$expected_pkg"; then same="byte for byte"; else same="file for file (the .nupkg container differs)"; fi
    echo "verify: OK $name: its $files files match commit $commit $same"
  else
    echo "verify: FAILED $name: $differences difference(s) from what commit $commit builds and records" >&2
    failed=$((failed + 1))
  fi
done
[ "$failed" -eq 0 ]
