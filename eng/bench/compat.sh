#!/usr/bin/env bash
# Build time of each docs/compatibility.md case with Nono.Build.Sdk and without it: the same
# project, the lines the table says the user writes, a full rebuild (obj/ and bin/ removed,
# packages already restored), interleaved, median of ROUNDS rounds.
# FEED: a folder with Nono.Build.Sdk.VERSION.nupkg (default artifacts/packages, from eng/build.sh).
set -euo pipefail
cd "$(dirname "$0")/../.."
ROUNDS=${ROUNDS:-3}
FEED=$(realpath "${FEED:-artifacts/packages}")
version=${VERSION:-$(sed -n 's:.*<Version>\(.*\)</Version>.*:\1:p' Directory.Build.props)}
[ -f "$FEED/Nono.Build.Sdk.$version.nupkg" ] || { echo "no Nono.Build.Sdk.$version.nupkg in $FEED: run eng/build.sh first" >&2; exit 1; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export NUGET_PACKAGES="$work/packages"
echo '<Project />' >"$work/Directory.Build.props"; echo '<Project />' >"$work/Directory.Build.targets"; echo '<Project />' >"$work/Directory.Packages.props"
cat >"$work/nuget.config" <<XML
<configuration><packageSources><clear /><add key="local" value="$FEED" /><add key="nuget.org" value="https://api.nuget.org/v3/index.json" /></packageSources>
<packageSourceMapping><packageSource key="local"><package pattern="Nono.*" /></packageSource><packageSource key="nuget.org"><package pattern="*" /></packageSource></packageSourceMapping></configuration>
XML

# case name | items (user lines + package) | extra setup
cases=(
  "baseline||"
  "minver|<PackageReference Include=\"MinVer\" Version=\"8.0.0\" PrivateAssets=\"all\" />|tag"
  "gitversion|<PackageReference Include=\"GitVersion.MsBuild\" Version=\"6.8.2\" PrivateAssets=\"all\" /><SandboxWrite Include=\"\$(MSBuildProjectDirectory)/.git/gitversion_cache\" /><SandboxWrite Include=\"\$(BaseIntermediateOutputPath)gitversion.json\" File=\"true\" />|"
  "nbgv|<PackageReference Include=\"Nerdbank.GitVersioning\" Version=\"3.10.94\" PrivateAssets=\"all\" />|version"
  "grpc|<PackageReference Include=\"Grpc.Tools\" Version=\"2.85.0\" PrivateAssets=\"all\" /><PackageReference Include=\"Google.Protobuf\" Version=\"3.35.0\" /><Protobuf Include=\"hello.proto\" GrpcServices=\"None\" />|proto"
  "csharpier|<PackageReference Include=\"CSharpier.MsBuild\" Version=\"1.3.0\" PrivateAssets=\"all\" />|"
  "steps|<SandboxNetwork Include=\"all\" /><SandboxWrite Include=\"web\" /><SandboxWrite Include=\"\$(HOME)/.npm\" />|steps"
)
[ -n "${ONLY:-}" ] || printf '| case | without the SDK (s) | with the SDK (s) | ratio |\n|---|---|---|---|\n'
for entry in "${cases[@]}"; do
  IFS='|' read -r name items setup <<<"$entry"
  [ -z "${ONLY:-}" ] || [ "$name" = "$ONLY" ] || continue
  for variant in plain sandboxed; do
    dir="$work/$name-$variant"; mkdir -p "$dir"
    sdk=""; lines="$items"
    if [ $variant = sandboxed ]; then sdk="<Sdk Name=\"Nono.Build.Sdk\" Version=\"$version\" />"; else lines=$(sed -E 's:<Sandbox[A-Za-z]+ [^>]*/>::g' <<<"$items"); fi
    target=""
    if [ "$setup" = steps ]; then
      mkdir -p "$dir/web"; echo '{"name":"web","version":"1.0.0","private":true,"dependencies":{"is-number":"7.0.0"}}' >"$dir/web/package.json"
      target='<Target Name="Steps" AfterTargets="Build"><Exec Command="git rev-parse HEAD" /><Exec Command="node -e &quot;1&quot;" /><Exec Command="python3 -c &quot;1&quot;" /><Exec Command="npm ci --no-audit --no-fund --prefer-offline" WorkingDirectory="web" /></Target>'
    fi
    cat >"$dir/bench-$name.csproj" <<XML
<Project Sdk="Microsoft.NET.Sdk">
  $sdk
  <PropertyGroup><TargetFramework>net10.0</TargetFramework><CSharpier_Check>true</CSharpier_Check></PropertyGroup>
  <ItemGroup>$lines</ItemGroup>
  $target
</Project>
XML
    printf 'namespace Bench;\n\npublic static class C\n{\n    public static int A => 1;\n}\n' >"$dir/Class1.cs"
    [ "$setup" = version ] && echo '{ "version": "2.3" }' >"$dir/version.json"
    [ "$setup" = proto ] && printf 'syntax = "proto3";\npackage demo;\nmessage Hello { string name = 1; }\n' >"$dir/hello.proto"
    (cd "$dir" && git init -q && git add -A && git -c user.email=b@b -c user.name=b commit -qm init && { [ "$setup" != tag ] || git tag 1.2.3; })
    (cd "$dir" && dotnet restore -v:q -nologo >"$work/log" 2>&1) || { echo "$name $variant: restore failed:" >&2; cat "$work/log" >&2; exit 1; }
    [ "$setup" = steps ] && (cd "$dir/web" && npm install --no-audit --no-fund >/dev/null 2>&1)
    [ "$name" = csharpier ] && (cd "$dir" && dotnet exec "$NUGET_PACKAGES"/csharpier.msbuild/1.3.0/tools/csharpier/net9.0/CSharpier.dll format . >/dev/null)
  done
  declare -A times=()
  for round in $(seq 1 "$ROUNDS"); do
    for variant in plain sandboxed; do
      dir="$work/$name-$variant"
      rm -rf "$dir/bin" "$dir/obj/Debug"
      start=$(date +%s.%N)
      (cd "$dir" && dotnet build --no-restore -nologo -v:q -tl:off -nodeReuse:false -p:UseSharedCompilation=false >"$work/log" 2>&1) || { echo "$name $variant failed:" >&2; tail -20 "$work/log" >&2; exit 1; }
      times[$variant]+="$(echo "$(date +%s.%N) - $start" | bc) "
    done
  done
  median() { tr ' ' '\n' <<<"$1" | sed '/^$/d' | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
  plain=$(median "${times[plain]}"); sandboxed=$(median "${times[sandboxed]}")
  printf '| %s | %.2f | %.2f | %.2f |\n' "$name" "$plain" "$sandboxed" "$(echo "$sandboxed / $plain" | bc -l)"
  unset times
done
