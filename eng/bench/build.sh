#!/usr/bin/env bash
# What Nono.Build.Sdk adds to a build, against the same builds without it, interleaved:
#   none   a project whose build runs no Exec: no-op incremental build
#   one    the same with one post-build Exec step: no-op incremental build
#   steps  the same with STEPS post-build Exec steps: Exec time per step (MSBuild's task
#          performance summary, the first step's one-time work included), against nono-exec's
#          own cost over a direct exec in the same run (sh -c true, direct and behind
#          nono-exec --kill-leftovers with a 20-rule policy, exectime.c)
#   empty  'none' with a versioned MSBuild SDK that is empty: what MSBuild's NuGet SDK resolver
#          costs any <Sdk Name="…" Version="…" />, before this SDK's own files
# Medians of ROUNDS rounds, and of each round's difference to the baseline; wall time and CPU time (user + system, the build's whole process
# tree), which other work on the machine disturbs less. Needs artifacts/packages from eng/build.sh.
set -euo pipefail
cd "$(dirname "$0")/../.."
ROUNDS=${ROUNDS:-10}
STEPS=${STEPS:-100}
# RESTORE=1: the builds as `dotnet build` runs them by default, with NuGet's (no-op) restore first.
restore=--no-restore; [ "${RESTORE:-0}" = 1 ] && restore=--restore
version=$(sed -n 's:.*<Version>\(.*\)</Version>.*:\1:p' Directory.Build.props)
[ -f "artifacts/packages/Nono.Build.Sdk.$version.nupkg" ] || { echo "run eng/build.sh first" >&2; exit 1; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/feed" "$work/empty/Sdk"
cp "artifacts/packages/Nono.Build.Sdk.$version.nupkg" "$work/feed/"
cat >"$work/nuget.config" <<XML
<configuration><packageSources><clear /><add key="local" value="$work/feed" /></packageSources></configuration>
XML
echo '<Project />' >"$work/empty/Sdk/Sdk.props"
echo '<Project />' >"$work/empty/Sdk/Sdk.targets"
cat >"$work/empty/Bench.Empty.Sdk.nuspec" <<'XML'
<?xml version="1.0"?>
<package><metadata><id>Bench.Empty.Sdk</id><version>1.0.0</version><authors>bench</authors><description>An MSBuild SDK with nothing in it.</description>
<packageTypes><packageType name="MSBuildSdk" /></packageTypes></metadata></package>
XML
(cd "$work/empty" && python3 -c 'import zipfile, sys
with zipfile.ZipFile(sys.argv[1], "w") as z:
    for f in ["Bench.Empty.Sdk.nuspec", "Sdk/Sdk.props", "Sdk/Sdk.targets"]: z.write(f)' "$work/feed/bench.empty.sdk.1.0.0.nupkg")

steps_xml() { for i in $(seq 1 "$1"); do echo "    <Exec Command=\"echo step $i > '\$(OutDir)step$i.txt'\" />"; done; }
project() { # name sdk-line steps
  mkdir -p "$work/$1"
  local target=""
  [ "$3" -gt 0 ] && target="<Target Name=\"PostBuildSteps\" AfterTargets=\"Build\">
$(steps_xml "$3")
  </Target>"
  cat >"$work/$1/$1.csproj" <<XML
<Project Sdk="Microsoft.NET.Sdk">
  $2
  <PropertyGroup><TargetFramework>net10.0</TargetFramework></PropertyGroup>
  $target
</Project>
XML
  echo 'class C {}' >"$work/$1/C.cs"
  NUGET_PACKAGES="$work/packages" dotnet build "$work/$1" -v:q -nologo >/dev/null
}
sdk="<Sdk Name=\"Nono.Build.Sdk\" Version=\"$version\" />"
project none-plain "" 0;  project none-sdk "$sdk" 0
project one-plain "" 1;   project one-sdk "$sdk" 1
project steps-plain "" "$STEPS"; project steps-sdk "$sdk" "$STEPS"
project empty '<Sdk Name="Bench.Empty.Sdk" Version="1.0.0" />' 0
variants="none-plain none-sdk empty one-plain one-sdk steps-plain steps-sdk"

build() { # variant -> "wall_ms cpu_ms exec_ms msbuild_ms"
  local times
  times=$(NUGET_PACKAGES="$work/packages" /usr/bin/time -f "%e %U %S" -o "$work/time" \
    dotnet build "$work/$1" "$restore" -nodeReuse:false -clp:PerformanceSummary -v:q \
    | awk '/Project Evaluation Performance Summary/ {getline; m += $1} /^Project Performance Summary/ {getline; m += $1}
           /Task Performance Summary/ {t=1} t && $3 == "Exec" && !e {e = $1} END {print e + 0, m + 0}')
  awk -v t="$times" '{ printf "%d %d %s\n", $1 * 1000, ($2 + $3) * 1000, t }' "$work/time"
}
for v in $variants; do build "$v" >/dev/null; done   # warm up
# Each round builds every variant once, in a new random order: drift and whatever one build
# leaves to the next fall on all variants alike.
for r in $(seq 1 "$ROUNDS"); do
  for v in $(printf '%s\n' $variants | shuf); do echo "$v $(build "$v") $r" >>"$work/results"; done
done

# nono-exec alone, on the command a step runs, in the same run.
make -s -C native >&2
gcc -O2 -std=c11 -o "$work/exectime" eng/bench/exectime.c
mkdir -p "$work/rw/obj" "$work/rw/bin" "$work/rw/tmp"
dotnet_dir=$(dirname "$(readlink -f "$(command -v dotnet)")")
policy=(--rox /usr --rox /lib --rox /lib64 --rox /bin --rox /sbin --rox /opt --rox "$dotnet_dir"
  --ro /etc --ro /sys --ro /proc --ro /dev/urandom --ro "$work/packages" --ro "$PWD"
  --rw "$work/rw/obj" --rw "$work/rw/bin" --rw /dev/null --rw "$work/rw/tmp")
"$work/exectime" -n 1000 -w 50 direct /bin/sh -c true ::: \
  nono-exec artifacts/native/linux-x64/nono-exec --null-stdin --kill-leftovers "${policy[@]}" -- /bin/sh -c true >"$work/launcher"
launcher_ms=$(awk '$1 == "direct" {d = $3} $1 == "nono-exec" {n = $3} END {printf "%.3f", (n - d) / 1000}' "$work/launcher")

median() { sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
col() { awk -v v="$1" -v c="$2" '$1 == v {print $c}' "$work/results" | median; }
# The median over rounds of (variant − baseline) in the same round.
paired() { # variant baseline column
  awk -v v="$1" -v b="$2" -v c="$3" '$1 == v {x[$6] = $c} $1 == b {y[$6] = $c} END {for (r in x) print x[r] - y[r]}' "$work/results" | median
}
row() { # label variant baseline
  awk -v l="$1" -v w="$(col "$2" 2)" -v c="$(col "$2" 3)" -v bw="$(col "$3" 2)" -v bc="$(col "$3" 3)" \
    -v pw="$(paired "$2" "$3" 2)" -v pc="$(paired "$2" "$3" 3)" -v pm="$(paired "$2" "$3" 5)" 'BEGIN {
    printf "| %s | %d | %d | %+d (%+.1f %%) | %+d (%+.1f %%) | %+d |\n", l, w, c, pw, 100 * pw / bw, pc, 100 * pc / bc, pm }'
}
# The last column is MSBuild's own measure of the project's evaluation and build (its performance
# summary), without the process's start and end: less disturbed, and what an SDK's files and tasks change.
echo "| $ROUNDS rounds, no-op incremental builds ($restore) | wall (ms), median | CPU (ms), median | wall added, paired median | CPU added, paired median | evaluation + build added (MSBuild's summary), paired median |"
echo "|---|---:|---:|---:|---:|---:|"
row "no Exec, without the SDK" none-plain none-plain
row "no Exec, an empty versioned SDK (the SDK resolver alone)" empty none-plain
row "no Exec, with Nono.Build.Sdk" none-sdk none-plain
row "no Exec, with Nono.Build.Sdk, over the empty versioned SDK (its own files and tasks)" none-sdk empty
row "one Exec step, without the SDK" one-plain one-plain
row "one Exec step, with Nono.Build.Sdk" one-sdk one-plain
row "$STEPS Exec steps, without the SDK" steps-plain steps-plain
row "$STEPS Exec steps, with Nono.Build.Sdk" steps-sdk steps-plain
echo
# The issue's measure: what the SDK adds per step, first step's one-time work included,
# against what nono-exec alone adds to a direct exec, both in this run.
awk -v p="$(col steps-plain 4)" -v s="$(col steps-sdk 4)" -v d="$(paired steps-sdk steps-plain 4)" -v n="$STEPS" -v l="$launcher_ms" 'BEGIN {
  printf "| per Exec step (%d steps; Exec time / steps) | ms |\n|---|---:|\n", n
  printf "| without the SDK (median) | %.3f |\n| with Nono.Build.Sdk (median) | %.3f |\n", p / n, s / n
  printf "| **added in all** (paired median) | **%.3f** |\n", d / n
  printf "| nono-exec alone over a direct exec (exectime, sh -c true, --kill-leftovers, 20 rules) | %.3f |\n", l
  printf "| added in all / nono-exec alone (target: at most 2) | **%.2f×** |\n", d / n / l }'
