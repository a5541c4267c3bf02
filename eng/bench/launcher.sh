#!/usr/bin/env bash
# Launcher start-up benchmark: what does putting nono-exec in front of a command cost?
#
#   bash eng/bench/launcher.sh
#
# Five ways to run /bin/true, timed interleaved by eng/bench/exectime.c (every round runs
# each once, in a shuffled order, so drift falls on all of them alike):
#   direct    /bin/true
#   nono-exec nono-exec with a realistic 20-rule build-step policy, then /bin/true
#   kill-leftovers  the same with --kill-leftovers (as the SDK runs every step): nono-exec
#             stays as the supervisor, outside the sandbox, and the command is its child
#   exec-only a do-nothing static (musl) wrapper that only execv's its argument: the
#             cost of a second execve alone, without any sandbox work
#   bwrap     bwrap --ro-bind / / --dev /dev --unshare-net /bin/true (baseline)
# Prints a markdown report on stdout and exits 0: it measures, it does not judge the build.
#
# Environment: ROUNDS (2000), WARMUP (100), NONO_EXEC (default: make -C native, then
# artifacts/native/linux-x64/nono-exec), CPU (the CPU to pin to with taskset; default the
# last one; CPU=none to not pin), SETTLE_US (sleep after each run, unmeasured; 0),
# RAW (keep per-run timings as TSV at this path).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
rounds=${ROUNDS:-2000}
warmup=${WARMUP:-100}

if [[ -z ${NONO_EXEC:-} ]]; then
	make -s -C "$root/native" >&2
	NONO_EXEC=$root/artifacts/native/linux-x64/nono-exec
fi
[[ -x $NONO_EXEC ]] || { echo "launcher.sh: no nono-exec at $NONO_EXEC" >&2; exit 2; }
nono_source=$(readlink -f "$NONO_EXEC")
revision=$(git -C "$root" describe --always --dirty 2>/dev/null || echo unknown)

work=$(mktemp -d "${TMPDIR:-/tmp}/nono-bench.XXXXXX")
trap 'rm -rf "$work"' EXIT
# A private copy: a rebuild of the artifact during the run must not change what is measured.
cp "$nono_source" "$work/nono-exec"
nono_exec=$work/nono-exec

# The timing harness, and the exec-only wrapper built exactly like nono-exec (compiler and
# flags read from native/Makefile), so the two differ only in what their code does.
gcc -O2 -std=c11 -Wall -Wextra -Werror -o "$work/exectime" "$here/exectime.c"
cat >"$work/exec-only.c" <<'EOF'
#include <unistd.h>
int main(int argc, char *argv[])
{
	(void)argc;
	execv(argv[1], argv + 1);
	return 127;
}
EOF
read -r -a exec_build < <(make -s --no-print-directory -C "$root/native" \
	--eval 'bench-exec-cc: ; @echo $(EXEC_CC) $(CFLAGS) $(EXEC_FLAGS) -static -s' bench-exec-cc)
"${exec_build[@]}" -o "$work/exec-only" "$work/exec-only.c"

# A build step's policy: toolchain and system read-execute, configuration and packages
# read-only, the project's obj/ and bin/ and a temp dir writable, HTTPS/HTTP out.
mkdir -p "$work"/{nuget-packages,obj,bin,tmp,nuget-http-cache}
dotnet_dir=$work/dotnet
if command -v dotnet >/dev/null; then
	dotnet_dir=$(dirname "$(readlink -f "$(command -v dotnet)")")
else
	mkdir -p "$dotnet_dir"
fi
policy=(
	--rox /usr --rox /lib --rox /lib64 --rox /bin --rox /sbin --rox /opt --rox "$dotnet_dir"
	--ro /etc --ro /sys --ro /proc --ro /dev/urandom --ro "$work/nuget-packages" --ro "$root"
	--rw "$work/obj" --rw "$work/bin" --rw /dev/null --rw "$work/tmp"
	--rw "$work/nuget-http-cache"
	--connect-tcp 443 --connect-tcp 80
)
rules=$(printf '%s\n' "${policy[@]}" | grep -c '^--')
status=0
"$nono_exec" "${policy[@]}" -- /bin/true || status=$?
if ((status)); then
	echo "launcher.sh: nono-exec could not run /bin/true under the policy (status $status)" >&2
	exit 2
fi

pin=()
cpu=${CPU:-$(($(nproc) - 1))}
if [[ $cpu != none ]] && command -v taskset >/dev/null; then
	pin=(taskset -c "$cpu")
else
	cpu=none
fi

raw=${RAW:-$work/raw.tsv}
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
"${pin[@]}" "$work/exectime" -n "$rounds" -w "$warmup" -s "${SETTLE_US:-0}" -r "$raw" \
	direct /bin/true ::: \
	nono-exec "$nono_exec" "${policy[@]}" -- /bin/true ::: \
	kill-leftovers "$nono_exec" --kill-leftovers "${policy[@]}" -- /bin/true ::: \
	exec-only "$work/exec-only" /bin/true ::: \
	bwrap "$(command -v bwrap)" --ro-bind / / --dev /dev --unshare-net /bin/true \
	>"$work/summary.tsv"

# Paired differences: the same round's run of a command minus direct's, median over rounds.
paired() { # NAME BASE
	awk -F'\t' -v a="$1" -v b="$2" '
		$2 == a { x[$1] = $3 } $2 == b { y[$1] = $3 }
		END { for (r in x) print (x[r] - y[r]) / 1000 }' "$raw" | sort -g |
		awk '{ d[NR] = $1 } END { printf "%.1f", NR % 2 ? d[(NR + 1) / 2] : (d[NR / 2] + d[NR / 2 + 1]) / 2 }'
}
med() { awk -F'\t' -v n="$1" '$1 == n { print $3 }' "$work/summary.tsv"; }
ms() { awk -v us="$1" 'BEGIN { printf "%.3f", us / 1000 }'; }

d=$(med direct) n=$(med nono-exec) w=$(med exec-only) b=$(med bwrap)
sub() { awk -v a="$1" -v b="$2" 'BEGIN { print a - b }'; }
nono_over=$(sub "$n" "$d") wrap_over=$(sub "$w" "$d") setup=$(sub "$n" "$w") bwrap_over=$(sub "$b" "$d")
p_nono=$(paired nono-exec direct) p_wrap=$(paired exec-only direct)
p_setup=$(paired nono-exec exec-only) p_bwrap=$(paired bwrap direct)
p_kill=$(paired kill-leftovers nono-exec) kill_over=$(sub "$(med kill-leftovers)" "$n")
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.1f", a / b; else print "n/a" }'; }
ratio_med=$(ratio "$bwrap_over" "$nono_over") ratio_pair=$(ratio "$p_bwrap" "$p_nono")
verdict() { [[ $1 == 1 ]] && echo pass || echo FAIL; }
t1=$(awk -v o="$nono_over" 'BEGIN { print (o <= 150) }')
t2=$(awk -v r="$ratio_med" 'BEGIN { print (r == "n/a" || r >= 10) }') # n/a: nono-exec adds nothing
load_after=$(cut -d' ' -f1-3 /proc/loadavg)

cat <<EOF
## Launcher start-up: $(date -u +%Y-%m-%d) on $(uname -r)

CPU: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//'), $(nproc) cores;
$rounds interleaved rounds after $warmup warm-up rounds, pinned to CPU $cpu;
load average $load_before before, $load_after after (the benchmark itself adds about 1; other
work on the machine slows every command, so compare differences and paired medians).
nono-exec: \`$nono_source\` ($(stat -c %s "$nono_exec") bytes, repository at $revision), $rules rules;
exec-only built with \`${exec_build[*]}\`.
Times are wall time from posix_spawn to waitpid, in ms. "Paired median Δ": the median, over
rounds, of a command's time minus direct's time in the same round.

| command | median | p10 | p90 | overhead vs direct (median) | paired median Δ |
| --- | ---: | ---: | ---: | ---: | ---: |
EOF
while IFS=$'\t' read -r name runs median p10 p90 mean min; do
	if [[ $name == direct ]]; then over='—' pd='—'
	else over=$(ms "$(awk -v a="$median" -v b="$d" 'BEGIN { print a - b }')") pd=$(ms "$(paired "$name" direct)")
	fi
	printf '| %s | %s | %s | %s | %s | %s |\n' "$name" "$(ms "$median")" "$(ms "$p10")" "$(ms "$p90")" "$over" "$pd"
done <"$work/summary.tsv"

cat <<EOF

| derived | difference of medians | paired median |
| --- | ---: | ---: |
| nono-exec overhead over direct | $(ms "$nono_over") | $(ms "$p_nono") |
| exec-only overhead over direct (the second execve) | $(ms "$wrap_over") | $(ms "$p_wrap") |
| sandbox setup = nono-exec − exec-only | $(ms "$setup") | $(ms "$p_setup") |
| --kill-leftovers over plain nono-exec (the supervisor) | $(ms "$kill_over") | $(ms "$p_kill") |
| bwrap overhead over direct | $(ms "$bwrap_over") | $(ms "$p_bwrap") |
| bwrap overhead / nono-exec overhead | ${ratio_med}× | ${ratio_pair}× |

| target | result |
| --- | --- |
| nono-exec adds ≤ 0.150 ms over a direct exec | $(verdict "$t1") ($(ms "$nono_over") ms) |
| nono-exec adds ≥ 10× less than bwrap | $(verdict "$t2") (${ratio_med}×) |
EOF
