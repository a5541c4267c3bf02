#!/usr/bin/env bash
# native/MANIFEST.json: what nono-exec and libnono.so for x64 and arm64 are built from and
# what they hash to. Builds both RIDs from the working tree into a temporary directory.
#
#   eng/native-manifest.sh --update   rewrite native/MANIFEST.json (after changing native/)
#   eng/native-manifest.sh --check    fail when the binaries, their sources or flags differ
#                                     from it (toolchain versions alone: a warning)
#   eng/native-manifest.sh --print    print the manifest the working tree gives
#
# The sources are recorded as git object ids (native/src and native/include trees,
# native/Makefile blob), not as a commit: the manifest is committed next to them, so no
# commit can name itself. `git rev-parse <commit>:native/src` gives the same id for every
# commit whose native/src is byte for byte what the binaries were built from.
set -euo pipefail
cd "$(dirname "$0")/.."
manifest=native/MANIFEST.json
update_cmd="eng/native-manifest.sh --update"
mode=${1:-}
case "$mode" in
  --update|--check|--print) ;;
  *) echo "usage: eng/native-manifest.sh --update | --check | --print" >&2; exit 2 ;;
esac
eng/prereqs.sh

work=$(mktemp -d "${TMPDIR:-/tmp}/nono-manifest.XXXXXX")
trap 'rm -rf "$work"' EXIT

# Tree ids of the working tree's native sources, as they will be once committed (a private
# index, so the user's staging area is left alone).
GIT_INDEX_FILE="$work/index" git add -A -- native/src native/include native/Makefile
tree() { GIT_INDEX_FILE="$work/index" git write-tree --prefix="$1/"; }
src_tree=$(tree native/src)
include_tree=$(tree native/include)
makefile_blob=$(git hash-object native/Makefile)

pkg() { dpkg-query -W -f='${Package} ${Version}' "$1" 2>/dev/null || echo "$1 (not a dpkg package here)"; }
cc_version() { "$1" --version | head -1; }
# The Debian package that installed a compiler; musl-gcc wraps the system gcc: both.
cc_packages() {
  local owner
  owner=$(dpkg -S "$(readlink -f "$(command -v "$1")")" 2>/dev/null | cut -d: -f1) || { echo "not from a dpkg package"; return; }
  if [ "$1" = musl-gcc ]; then echo "$(cc_packages gcc), $(pkg "$owner")"; else pkg "$owner"; fi
}
glibc_of() { printf '#include <features.h>\n' | "$1" -E -dM - | awk '/define __GLIBC__ /{M=$3} /define __GLIBC_MINOR__ /{m=$3} END{print "glibc " M "." m}'; }
musl_version() { local v; v=$(dpkg-query -W -f='${Version}' musl-dev 2>/dev/null) && echo "musl ${v%%-*}" || echo "musl (version unknown here)"; }

entries=()
for rid in linux-x64 linux-arm64; do
  make -s -C native RID="$rid" OUT="$work/$rid" >&2
  declare -A info=()
  while IFS='=' read -r key value; do info[$key]=$value; done < <(make -s -C native RID="$rid" provenance)
  for bin in nono-exec libnono.so; do
    cc=${info[$bin.cc]}
    case "$rid/$bin" in
      linux-x64/nono-exec)   libc="$(musl_version), static ($(pkg musl-dev))" ;;
      linux-x64/libnono.so)  libc="$(glibc_of "$cc"), dynamic: libc.so.6 ($(pkg libc6-dev))" ;;
      linux-arm64/nono-exec) libc="$(glibc_of "$cc"), static ($(pkg libc6-dev-arm64-cross))" ;;
      linux-arm64/libnono.so) libc="$(glibc_of "$cc"), dynamic: libc.so.6 ($(pkg libc6-dev-arm64-cross))" ;;
    esac
    tools=$(cc_packages "$cc")
    entries+=("$(jq -n --arg file "$rid/$bin" --arg sha "$(sha256sum "$work/$rid/$bin" | cut -d' ' -f1)" \
      --arg cc "$cc: $(cc_version "$cc")" --arg libc "$libc" --arg tools "$tools" --arg flags "${info[$bin.flags]}" \
      '{file: $file, sha256: $sha, compiler: $cc, libc: $libc, packages: $tools, flags: $flags}')")
  done
  unset info
done

printf '%s\n' "${entries[@]}" | jq -s --arg src "$src_tree" --arg inc "$include_tree" --arg mk "$makefile_blob" --arg upd "$update_cmd" '{
  about: "nono-exec and libnono.so as native/Makefile builds them (artifacts/native/<file>). Sources are git object ids: check one with `git rev-parse <commit>:native/src`.",
  update: $upd,
  sources: {"native/src": $src, "native/include": $inc, "native/Makefile": $mk},
  binaries: .
}' > "$work/manifest.json"

case "$mode" in
  --print) cat "$work/manifest.json" ;;
  --update)
    cp "$work/manifest.json" "$manifest"
    echo "updated $manifest; commit it with the native/ change" >&2 ;;
  --check)
    [ -f "$manifest" ] || { echo "native-manifest: error: $manifest is missing; run $update_cmd and commit it" >&2; exit 1; }
    if cmp -s "$work/manifest.json" "$manifest"; then
      echo "native-manifest: $manifest matches the binaries built from native/ ($(jq -r '.binaries | length' "$manifest") binaries)"
      exit 0
    fi
    # The same sources, hashes and flags from a toolchain whose recorded versions moved (a
    # Debian point release, say): the binaries are what the manifest says; only say so.
    essentials='{sources, binaries: [.binaries[] | {file, sha256, flags}]}'
    if [ "$(jq -c "$essentials" "$manifest" 2>/dev/null)" = "$(jq -c "$essentials" "$work/manifest.json")" ]; then
      diff -u --label "$manifest (committed)" --label "built here" "$manifest" "$work/manifest.json" >&2 || true
      echo "native-manifest: warning: this toolchain's versions differ from $manifest's (above) but it builds the same binaries; $update_cmd records them" >&2
      exit 0
    fi
    # Name what differs: the sources (the manifest is stale) or, for the same sources, a binary
    # or its flags (this machine does not reproduce the recorded build).
    diff -u --label "$manifest (committed)" --label "built here" "$manifest" "$work/manifest.json" >&2 || true
    if [ "$(jq -c .sources "$manifest" 2>/dev/null)" != "$(jq -c .sources "$work/manifest.json")" ]; then
      echo "native-manifest: error: native/ sources changed since $manifest was written; run $update_cmd and commit $manifest" >&2
    else
      for f in $(jq -r '.binaries[].file' "$work/manifest.json"); do
        a=$(jq -c --arg f "$f" '.binaries[] | select(.file == $f)' "$manifest" 2>/dev/null || true)
        b=$(jq -c --arg f "$f" '.binaries[] | select(.file == $f)' "$work/manifest.json")
        [ "$a" = "$b" ] || echo "native-manifest: error: $f differs from $manifest with the same sources (the diff above: toolchain, flags or an unreproducible build); if the change is intended, run $update_cmd and commit $manifest" >&2
      done
    fi
    exit 1 ;;
esac
