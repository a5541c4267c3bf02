#!/usr/bin/env bash
# Cost of keeping package content from configuring the sandbox: no-op incremental builds of a
# project that runs no Exec, without the SDK, with it, and with it plus a package whose build
# files mention the sandbox (so the project is evaluated once more to find who set what),
# interleaved. Reports the policy target's own time (MSBuild's performance summary) and the
# whole-build wall time, medians of ROUNDS rounds. Needs artifacts/packages from eng/build.sh.
# BASELINE=path/to/Nono.Build.Sdk.<other version>.nupkg adds that SDK (packed from an earlier
# commit with -p:Version=…) as one more variant, side by side.
set -euo pipefail
cd "$(dirname "$0")/../.."
ROUNDS=${ROUNDS:-10}
version=$(sed -n 's:.*<Version>\(.*\)</Version>.*:\1:p' Directory.Build.props)
[ -f "artifacts/packages/Nono.Build.Sdk.$version.nupkg" ] || { echo "run eng/build.sh first" >&2; exit 1; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/feed" "$work/pkg/build"
cp "artifacts/packages/Nono.Build.Sdk.$version.nupkg" "$work/feed/"
variants="plain sdk mentions"
if [ -n "${BASELINE:-}" ]; then
  cp "$BASELINE" "$work/feed/"
  baseline_version=$(basename "$BASELINE" .nupkg); baseline_version=${baseline_version#Nono.Build.Sdk.}
  variants="plain baseline sdk mentions"
fi
cat >"$work/nuget.config" <<XML
<configuration><packageSources><clear /><add key="local" value="$work/feed" /></packageSources></configuration>
XML
# A package that names a sandbox setting (and sets nothing): the slow path.
cat >"$work/pkg/build/Bench.Mentions.targets" <<'XML'
<Project><PropertyGroup Condition="'$(Never)' == 'set'"><SandboxEnabled>false</SandboxEnabled></PropertyGroup></Project>
XML
cat >"$work/pkg/pkg.csproj" <<'XML'
<Project Sdk="Microsoft.NET.Sdk">
  <PropertyGroup><TargetFramework>net10.0</TargetFramework><PackageId>Bench.Mentions</PackageId><Version>1.0.0</Version>
    <IncludeBuildOutput>false</IncludeBuildOutput><EnableDefaultItems>false</EnableDefaultItems><NoWarn>NU5128</NoWarn></PropertyGroup>
  <ItemGroup><None Include="build/*" Pack="true" PackagePath="build/" /></ItemGroup>
</Project>
XML
NUGET_PACKAGES="$work/packages" dotnet pack "$work/pkg" -o "$work/feed" -v:q -nologo >/dev/null

for variant in $variants; do
  mkdir -p "$work/$variant"
  sdk=""; [ $variant != plain ] && sdk="<Sdk Name=\"Nono.Build.Sdk\" Version=\"$version\" />"
  [ $variant = baseline ] && sdk="<Sdk Name=\"Nono.Build.Sdk\" Version=\"$baseline_version\" />"
  ref=""; [ $variant = mentions ] && ref='<ItemGroup><PackageReference Include="Bench.Mentions" Version="1.0.0" /></ItemGroup>'
  cat >"$work/$variant/$variant.csproj" <<XML
<Project Sdk="Microsoft.NET.Sdk">
  $sdk
  <PropertyGroup><TargetFramework>net10.0</TargetFramework></PropertyGroup>
  $ref
</Project>
XML
  echo 'class C {}' >"$work/$variant/C.cs"
  NUGET_PACKAGES="$work/packages" dotnet build "$work/$variant" -v:q -nologo >/dev/null
done

build() { # variant -> "policy_target_ms wall_ms"
  local start end target_ms
  start=$(date +%s%N)
  target_ms=$(NUGET_PACKAGES="$work/packages" dotnet build "$work/$1" --no-restore -nodeReuse:false -clp:PerformanceSummary -v:q \
    | awk '/Target Performance Summary/ {t=1} /Task Performance Summary/ {t=0} t && $3 == "ResolveSandboxPolicy" {print $1; exit}')
  end=$(date +%s%N)
  echo "${target_ms:-0} $(( (end - start) / 1000000 ))"
}
for v in $variants; do build $v >/dev/null; done   # warm up
for r in $(seq 1 "$ROUNDS"); do
  for v in $variants; do echo "$v $(build $v)" >>"$work/results"; done
done

median() { sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
pw=$(awk '$1=="plain"{print $3}' "$work/results" | median)
printf "| %d rounds, no-op build, no Exec | policy target (ms) | whole build (ms) | vs. without the SDK |\n|---|---|---|---|\n" "$ROUNDS"
printf "| without the SDK | — | %.0f | 1.00 |\n" "$pw"
for v in ${variants#plain }; do
  t=$(awk -v v=$v '$1==v{print $2}' "$work/results" | median); w=$(awk -v v=$v '$1==v{print $3}' "$work/results" | median)
  label="with Nono.Build.Sdk"; [ $v = mentions ] && label="with the SDK and a package that names a sandbox setting"
  [ $v = baseline ] && label="with the baseline SDK ($baseline_version)"
  awk -v l="$label" -v t="$t" -v w="$w" -v p="$pw" 'BEGIN { printf "| %s | %d | %d | %.3f |\n", l, t, w, w/p }'
done
