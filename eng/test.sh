#!/usr/bin/env bash
# Runs every test: the launcher against the kernel, the arm64 launcher's options and exit
# statuses under qemu-user (eng/test-arm64.sh), the Nono library, the MSBuild tasks and
# end-to-end builds with the packed SDK. Set NONO_REQUIRE_LANDLOCK=1 to make enforcement
# tests fail instead of skip on a kernel without Landlock (CI does).
set -euo pipefail
cd "$(dirname "$0")/.."
eng/prereqs.sh
eng/test-arm64.sh
dotnet test Nono.Build.sln "$@"
