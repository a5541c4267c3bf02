#!/usr/bin/env bash
# Installs what building native/ needs on Debian/Ubuntu: a C compiler, make, musl (the
# static launcher), the arm64 cross compiler and qemu-user (eng/test-arm64.sh runs the arm64
# launcher under it); what packing needs: python3 (eng/nupkg.py), jq (eng/native-manifest.sh),
# clang and zlib (Native AOT links dotnet nono's linux-x64 executable with them); and strace
# (the tool's tests take Landlock away from it with strace's fault injection). Installs nothing
# that is already there.
set -euo pipefail

missing=()
command -v make >/dev/null || missing+=(make)
command -v gcc >/dev/null || missing+=(gcc libc6-dev)
command -v musl-gcc >/dev/null || missing+=(musl-tools)
command -v aarch64-linux-gnu-gcc >/dev/null || missing+=(gcc-aarch64-linux-gnu)
command -v python3 >/dev/null || missing+=(python3)
command -v jq >/dev/null || missing+=(jq)
command -v qemu-aarch64-static >/dev/null || missing+=(qemu-user-static)
command -v clang >/dev/null || missing+=(clang)
[ -e /usr/include/zlib.h ] || missing+=(zlib1g-dev)
command -v strace >/dev/null || missing+=(strace)
[ ${#missing[@]} -eq 0 ] && exit 0

sudo=()
[ "$(id -u)" -eq 0 ] || sudo=(sudo)
echo "installing ${missing[*]}" >&2
"${sudo[@]}" apt-get update -qq
DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq "${missing[@]}" >/dev/null
