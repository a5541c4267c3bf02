#!/usr/bin/env bash
# What dotnet nono adds to a build, against plain dotnet build of the same solution, interleaved:
#   clean  every obj/ and bin/ removed first (restore and build, as a fresh CI checkout)
#   noop   right after, nothing changed (incremental: restore and build again)
#   split  plain dotnet in dotnet nono's two phases, unsandboxed: `dotnet restore`, then
#          `dotnet build --no-restore` (what the phase split costs by itself)
#   cold   plain dotnet build with the compiler server shut down first (untimed), as on a fresh
#          CI machine: dotnet nono's build always starts a compiler server of its own
#   start  the tool's own start: `dotnet-nono --help`, and the time from its exec to nono-exec's
#          for the build (strace's timestamps of the two execve calls), policy computation included
#   diagnostics  `dotnet nono --diagnostics build`: the build phase under the denial recorder
#          (not in the default MODES; MODES="plain nono diagnostics" adds it)
# A solution of PROJECTS class libraries (default 12) in a chain of project references, each
# with a package reference (Newtonsoft.Json), built with the compiler server on and node reuse
# off for both (as CI builds). Medians of ROUNDS rounds (default 5), wall time.
# Needs artifacts/packages/Nono.Build.Tool.<version>.nupkg (eng/build.sh or eng/pack.sh) and
# the package on a feed of the user's NuGet.config (nuget.org).
set -euo pipefail
cd "$(dirname "$0")/../.."
ROUNDS=${ROUNDS:-5}
MODES=${MODES:-plain cold split nono}
PROJECTS=${PROJECTS:-12}
version=$(sed -n 's:.*<Version>\(.*\)</Version>.*:\1:p' Directory.Build.props)
package="artifacts/packages/Nono.Build.Tool.$version.nupkg" # and the .linux-x64 and .any packages it names
[ -f "$package" ] || { echo "run eng/pack.sh first ($package is missing)" >&2; exit 1; }

work=$(mktemp -d "${TMPDIR:-/tmp}/nono-whole-build-bench.XXXXXX")
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/feed" "$work/repo/.git"
cp artifacts/packages/Nono.Build.Tool*."$version".nupkg "$work/feed/"
dotnet tool install Nono.Build.Tool --tool-path "$work/tool" --add-source "$work/feed" --version "$version" >/dev/null
nono="$work/tool/dotnet-nono"

export NUGET_PACKAGES="$work/packages" MSBUILDDISABLENODEREUSE=1 DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
unset UseSharedCompilation
cd "$work/repo"
for i in $(seq 1 "$PROJECTS"); do
  mkdir -p "P$i"
  reference=""
  [ "$i" -gt 1 ] && reference="<ProjectReference Include=\"../P$((i - 1))/P$((i - 1)).csproj\" />"
  cat >"P$i/P$i.csproj" <<XML
<Project Sdk="Microsoft.NET.Sdk">
  <PropertyGroup><TargetFramework>net10.0</TargetFramework><Nullable>enable</Nullable></PropertyGroup>
  <ItemGroup>
    <PackageReference Include="Newtonsoft.Json" Version="13.0.3" />
    $reference
  </ItemGroup>
</Project>
XML
  printf 'namespace P%s;\npublic static class C%s { public static string Json(object o) => Newtonsoft.Json.JsonConvert.SerializeObject(o); }\n' "$i" "$i" >"P$i/C.cs"
done
dotnet new sln -n All --format slnx >/dev/null
dotnet sln All.slnx add P*/P*.csproj >/dev/null
dotnet build All.slnx -v:q -nologo >/dev/null # warm the package folder

clean() { find . -name obj -o -name bin | grep -v '^./.git' | xargs rm -rf; }
ms() { local start end; start=$(date +%s%N); "$@" >/dev/null 2>&1 || { echo "failed: $*" >&2; "$@" | tail -20 >&2; exit 1; }; end=$(date +%s%N); echo $(((end - start) / 1000000)); }
median() { sort -n | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR + 1) / 2] : int((a[NR / 2] + a[NR / 2 + 1]) / 2)}'; }

declare -A times
for round in $(seq 1 "$ROUNDS"); do
  for mode in $MODES; do
    case $mode in
      plain | cold) build=(dotnet build All.slnx -nologo) ;;
      split) build=(sh -c 'dotnet restore All.slnx -nologo && dotnet build All.slnx --no-restore -nologo') ;;
      nono) build=("$nono" build All.slnx -nologo) ;;
      diagnostics) build=("$nono" --diagnostics build All.slnx -nologo) ;;
    esac
    clean
    [ "$mode" = cold ] && dotnet build-server shutdown >/dev/null 2>&1
    times[$mode-clean]+="$(ms "${build[@]}") "
    times[$mode-noop]+="$(ms "${build[@]}") "
  done
  times[help]+="$(ms "$nono" --help) "
  strace -f --seccomp-bpf -e trace=execve -ttt -qq -o "$work/execs" "$nono" msbuild All.slnx -version -nologo >/dev/null 2>&1
  times[policy]+="$(awk '/execve\(/ && /dotnet-nono/ && !a {a = $2} /execve\(/ && /nono-exec/ && !b {b = $2} END {printf "%d", (b - a) * 1000}' "$work/execs") "
  echo "round $round done" >&2
done

echo "whole-build benchmark: $PROJECTS projects, $ROUNDS rounds interleaved, medians (ms); $(nproc) cores, $(uname -r)"
for kind in clean noop; do
  plain=$(echo "${times[plain-$kind]}" | tr ' ' '\n' | grep . | median)
  for mode in $MODES; do
    [ "$mode" = plain ] && continue
    m=$(echo "${times[$mode-$kind]}" | tr ' ' '\n' | grep . | median)
    echo "$kind: $mode $m ms against plain $plain ms: ratio $(awk -v a="$m" -v b="$plain" 'BEGIN {printf "%.3f", a / b}')"
  done
  if [ -n "${times[diagnostics-$kind]:-}" ] && [ -n "${times[nono-$kind]:-}" ]; then
    d=$(echo "${times[diagnostics-$kind]}" | tr ' ' '\n' | grep . | median)
    n=$(echo "${times[nono-$kind]}" | tr ' ' '\n' | grep . | median)
    echo "$kind: diagnostics $d ms against nono $n ms: ratio $(awk -v a="$d" -v b="$n" 'BEGIN {printf "%.3f", a / b}')"
  fi
  for mode in $MODES; do echo "  $mode: ${times[$mode-$kind]}"; done
done
echo "tool start (dotnet-nono --help): $(echo "${times[help]}" | tr ' ' '\n' | grep . | median) ms [${times[help]}]"
echo "tool exec to nono-exec exec (policy computed): $(echo "${times[policy]}" | tr ' ' '\n' | grep . | median) ms [${times[policy]}]"
