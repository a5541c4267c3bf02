#!/usr/bin/env bash
# Egress proxy overhead: `npm install` of a mid-size dependency set (express, cors, body-parser,
# dotenv: some 70 packages) from registry.npmjs.org through the proxy (src/Nono/Egress, run alone
# by egress-proxy.cs with a grant for registry.npmjs.org) and directly, interleaved, each round
# with a fresh npm cache, no node_modules and no lockfile (every packument and tarball fetched).
# Reports the medians of ROUNDS rounds and their ratio. Not a test: the registry's own latency
# varies, so read the spread too. Then, without the registry's noise, the relay alone: a 512 MiB
# download from a server on 127.0.0.1 through a CONNECT tunnel and directly (curl), MiB/s.
set -euo pipefail
cd "$(dirname "$0")/../.."
ROUNDS=${ROUNDS:-10}
work=$(mktemp -d)
mkdir -p "$work/www"; head -c 512M /dev/zero >"$work/www/blob"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
python3 -m http.server "$port" --bind 127.0.0.1 --directory "$work/www" >/dev/null 2>&1 &
server=$!
coproc PROXY { dotnet run eng/bench/egress-proxy.cs -- registry.npmjs.org "127.0.0.1:$port"; }
trap 'exec {PROXY[1]}>&-; wait "$PROXY_PID" 2>/dev/null || true; kill "$server"; rm -rf "$work"' EXIT
read -r proxy_url <&"${PROXY[0]}"
[[ $proxy_url == http://* ]] || { echo "the proxy did not start: $proxy_url" >&2; exit 1; }

mkdir -p "$work/app"
cat >"$work/app/package.json" <<'JSON'
{ "name": "bench", "version": "1.0.0", "private": true,
  "dependencies": { "express": "4.21.2", "cors": "2.8.5", "body-parser": "1.20.3", "dotenv": "16.4.7" } }
JSON

install() { # via -> milliseconds
  local start end
  rm -rf "$work/app/node_modules" "$work/app/package-lock.json" "$work/cache"
  start=$(date +%s%N)
  if [ "$1" = proxy ]; then
    (cd "$work/app" && env -u NO_PROXY -u no_proxy HTTPS_PROXY="$proxy_url" HTTP_PROXY="$proxy_url" https_proxy="$proxy_url" http_proxy="$proxy_url" \
      npm install --no-audit --no-fund --prefer-online --cache "$work/cache" --loglevel=error >/dev/null)
  else
    (cd "$work/app" && env -u HTTPS_PROXY -u HTTP_PROXY -u https_proxy -u http_proxy -u ALL_PROXY -u all_proxy \
      npm install --no-audit --no-fund --prefer-online --cache "$work/cache" --loglevel=error >/dev/null)
  fi
  end=$(date +%s%N)
  echo $(( (end - start) / 1000000 ))
}
packages=$(install direct >/dev/null; find "$work/app/node_modules" -name package.json -path '*/node_modules/*/package.json' -not -path '*/node_modules/*/node_modules/*/*' | wc -l)
install proxy >/dev/null   # warm up both paths
for r in $(seq 1 "$ROUNDS"); do
  if (( r % 2 )); then echo "direct $(install direct)" >>"$work/results"; echo "proxy $(install proxy)" >>"$work/results"
  else echo "proxy $(install proxy)" >>"$work/results"; echo "direct $(install direct)" >>"$work/results"; fi
done

median() { sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
spread() { sort -n | awk '{a[NR]=$1} END {print a[1] "–" a[NR]}'; }
dm=$(awk '$1=="direct"{print $2}' "$work/results" | median); pm=$(awk '$1=="proxy"{print $2}' "$work/results" | median)
ds=$(awk '$1=="direct"{print $2}' "$work/results" | spread); ps=$(awk '$1=="proxy"{print $2}' "$work/results" | spread)
awk -v dm="$dm" -v pm="$pm" -v ds="$ds" -v ps="$ps" -v r="$ROUNDS" -v n="$packages" 'BEGIN {
  printf "| %d rounds, npm install of %d packages | median (ms) | range (ms) |\n|---|---|---|\n", r, n
  printf "| direct | %d | %s |\n", dm, ds
  printf "| through the egress proxy | %d | %s |\n", pm, ps
  printf "| ratio | **%.3f** (%+.1f%%) | |\n", pm/dm, 100*(pm-dm)/dm
}'

download() { # via -> MiB/s
  local args=(-sS -o /dev/null -w '%{speed_download}' "http://127.0.0.1:$port/blob")
  if [ "$1" = proxy ]; then curl --proxytunnel --proxy "$proxy_url" "${args[@]}"; else curl --noproxy '*' "${args[@]}"; fi \
    | awk '{printf "%d\n", $1 / 1048576}'
}
download direct >/dev/null; download proxy >/dev/null
for r in $(seq 1 5); do echo "direct $(download direct)" >>"$work/relay"; echo "proxy $(download proxy)" >>"$work/relay"; done
dr=$(awk '$1=="direct"{print $2}' "$work/relay" | median); pr=$(awk '$1=="proxy"{print $2}' "$work/relay" | median)
echo
awk -v dr="$dr" -v pr="$pr" 'BEGIN {
  printf "| 5 rounds, 512 MiB from 127.0.0.1 (curl) | median MiB/s |\n|---|---|\n"
  printf "| direct | %d |\n| through a CONNECT tunnel | %d |\n| ratio | **%.2f** |\n", dr, pr, pr/dr
}'
