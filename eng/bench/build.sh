#!/usr/bin/env bash
# Build overhead of Nono.Build.Sdk: one project with 20 post-build Exec steps, built with the SDK
# and without it, interleaved. Reports the Exec task time per step (MSBuild's performance
# summary) and the whole-build wall time, medians of ROUNDS rounds.
# Needs the packages from eng/build.sh in artifacts/packages.
set -euo pipefail
cd "$(dirname "$0")/../.."
ROUNDS=${ROUNDS:-10}
STEPS=20
version=$(sed -n 's:.*<Version>\(.*\)</Version>.*:\1:p' Directory.Build.props)
[ -f "artifacts/packages/Nono.Build.Sdk.$version.nupkg" ] || { echo "run eng/build.sh first" >&2; exit 1; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cat >"$work/nuget.config" <<XML
<configuration><packageSources><clear /><add key="local" value="$PWD/artifacts/packages" /></packageSources></configuration>
XML
steps=""
for i in $(seq 1 $STEPS); do steps+="    <Exec Command=\"echo step $i > '\$(OutDir)step$i.txt'\" />"$'\n'; done
for variant in plain sandboxed; do
  mkdir -p "$work/$variant"
  sdk=""; [ $variant = sandboxed ] && sdk="<Sdk Name=\"Nono.Build.Sdk\" Version=\"$version\" />"
  cat >"$work/$variant/$variant.csproj" <<XML
<Project Sdk="Microsoft.NET.Sdk">
  $sdk
  <PropertyGroup><TargetFramework>net10.0</TargetFramework></PropertyGroup>
  <Target Name="PostBuildSteps" AfterTargets="Build">
$steps  </Target>
</Project>
XML
  echo 'class C {}' >"$work/$variant/C.cs"
  NUGET_PACKAGES="$work/packages" dotnet restore "$work/$variant" -v:q >/dev/null
done

build() { # variant -> "exec_ms wall_ms"
  local start end exec_ms
  start=$(date +%s%N)
  exec_ms=$(NUGET_PACKAGES="$work/packages" dotnet build "$work/$1" --no-restore -nodeReuse:false -clp:PerformanceSummary -v:q \
    | awk '/Task Performance Summary/ {t=1} t && $3 == "Exec" {print $1; exit}')
  end=$(date +%s%N)
  echo "$exec_ms $(( (end - start) / 1000000 ))"
}
build plain >/dev/null; build sandboxed >/dev/null   # warm up
for r in $(seq 1 "$ROUNDS"); do
  echo "plain $(build plain)" >>"$work/results"
  echo "sandboxed $(build sandboxed)" >>"$work/results"
done

median() { sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
pe=$(awk '$1=="plain"{print $2}' "$work/results" | median); pw=$(awk '$1=="plain"{print $3}' "$work/results" | median)
se=$(awk '$1=="sandboxed"{print $2}' "$work/results" | median); sw=$(awk '$1=="sandboxed"{print $3}' "$work/results" | median)
awk -v pe="$pe" -v pw="$pw" -v se="$se" -v sw="$sw" -v n=$STEPS -v r="$ROUNDS" 'BEGIN {
  printf "| %d rounds, %d Exec steps | Exec time (ms) | per step (ms) | whole build (ms) |\n|---|---|---|---|\n", r, n
  printf "| without the SDK | %d | %.2f | %d |\n", pe, pe/n, pw
  printf "| with Nono.Build.Sdk | %d | %.2f | %d |\n", se, se/n, sw
  printf "| added | %d | **%.2f** | %d (**%.1f%%**) |\n", se-pe, (se-pe)/n, sw-pw, 100*(sw-pw)/pw
}'
