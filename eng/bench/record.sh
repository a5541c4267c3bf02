#!/usr/bin/env bash
# Denial recording benchmark: what do nono-exec --report and --audit cost over plain nono-exec?
#
#   bash eng/bench/record.sh
#
# First the mechanisms, by eng/bench/stopcost.c: microseconds per intercepted openat with a
# ptrace stop (one, or two to see the result) and with a seccomp user notification (bare, and
# reading the path and cwd as a policy check must). Then four workloads, each timed interleaved
# by eng/bench/exectime.c (every round runs each variant once, in a shuffled order, so drift
# falls on all of them alike):
#   true    /bin/true: the fixed cost (the tracer's start, the attach, its exit)
#   opens   20000 openat+close of one allowed file: the cost per traced call
#   files   xargs cat over the same 20000 files under /usr/share: about 20000 traced opens
#   dotnet  dotnet --version: a .NET host start, as a build step's tools are
# and the variants
#   plain   nono-exec with a build step's policy
#   report  the same with --report FILE
#   audit   the same with --audit --report FILE
#   base    (true only, when BASE_NONO_EXEC is set) a nono-exec built without the recorder,
#           to show that plain nono-exec did not get slower
# Prints a markdown report on stdout: medians, p10/p90, the paired median difference (same round)
# and the ratio to plain.
#
# Environment: WORKLOADS (default "mechanisms true opens files dotnet"), NONO_EXEC (default: make -C native, then artifacts/native/linux-x64/nono-exec),
# BASE_NONO_EXEC, ROUNDS_TRUE (300), ROUNDS_FILES (10), ROUNDS_DOTNET (20), WARMUP (3),
# CPU (pin every run to this CPU with taskset; default: not pinned, the tracer and the command
# then run wherever the scheduler puts them, as in a build).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
warmup=${WARMUP:-3}

if [[ -z ${NONO_EXEC:-} ]]; then
	make -s -C "$root/native" >&2
	NONO_EXEC=$root/artifacts/native/linux-x64/nono-exec
fi
[[ -x $NONO_EXEC ]] || { echo "record.sh: no nono-exec at $NONO_EXEC" >&2; exit 2; }
revision=$(git -C "$root" describe --always --dirty 2>/dev/null || echo unknown)

work=$(mktemp -d "${TMPDIR:-/tmp}/nono-bench-record.XXXXXX")
trap 'rm -rf "$work"' EXIT
cp "$(readlink -f "$NONO_EXEC")" "$work/nono-exec"
nono_exec=$work/nono-exec
base=()
if [[ -n ${BASE_NONO_EXEC:-} ]]; then
	cp "$(readlink -f "$BASE_NONO_EXEC")" "$work/base-nono-exec"
	base=(base "$work/base-nono-exec")
fi
gcc -O2 -std=c11 -Wall -Wextra -Werror -o "$work/exectime" "$here/exectime.c"
mkdir -p "$work/bin"
gcc -O2 -std=gnu11 -Wall -Wextra -Werror -o "$work/bin/stopcost" "$here/stopcost.c"

# A build step's policy, as in launcher.sh.
mkdir -p "$work"/{home,obj,tmp}
dotnet_dir=$(dirname "$(readlink -f "$(command -v dotnet)")")
policy=(
	--rox /usr --rox /lib --rox /lib64 --rox /bin --rox /sbin --rox "$dotnet_dir"
	--ro /etc --ro /sys --ro /proc --ro /dev/urandom --ro "$work" --rox "$work/bin"
	--rw "$work/obj" --rw "$work/home" --rw "$work/tmp" --rw /dev/null
	--connect-tcp 443
)
find /usr/share -type f -size +0 2>/dev/null | sort >"$work/all-files" || true
head -n 20000 "$work/all-files" >"$work/files"
files=$(wc -l <"$work/files")

pin=()
if [[ -n ${CPU:-} ]]; then
	pin=(taskset -c "$CPU")
fi
export HOME=$work/home DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

# measure NAME ROUNDS COMMAND...: one workload, every variant; prints its table.
measure() {
	local name=$1 rounds=$2
	shift 2
	local raw=$work/$name.raw report=$work/$name.report
	local base_args=()
	if [[ $name == true && ${#base[@]} -gt 0 ]]; then
		base_args=("${base[0]}" "${base[1]}" "${policy[@]}" -- "$@" :::)
	fi
	local load_before
	load_before=$(cut -d' ' -f1-3 /proc/loadavg)
	(cd "$work/obj" && "${pin[@]}" "$work/exectime" -n "$rounds" -w "$warmup" -r "$raw" \
		"${base_args[@]}" \
		plain "$nono_exec" "${policy[@]}" -- "$@" ::: \
		report "$nono_exec" "${policy[@]}" --report "$report" -- "$@" ::: \
		audit "$nono_exec" "${policy[@]}" --audit --report "$report.audit" -- "$@") >"$work/$name.tsv"
	local load_after
	load_after=$(cut -d' ' -f1-3 /proc/loadavg)
	local plain_median
	plain_median=$(awk -F'\t' '$1 == "plain" { print $3 }' "$work/$name.tsv")
	echo
	echo "### $name: $rounds rounds (load average $load_before before, $load_after after)"
	echo
	echo "| variant | median (ms) | p10 | p90 | added vs plain (median) | paired median Δ | ratio to plain |"
	echo "| --- | ---: | ---: | ---: | ---: | ---: | ---: |"
	while IFS=$'\t' read -r variant _ median p10 p90 _ _; do
		local added paired ratio
		added=$(awk -v a="$median" -v b="$plain_median" 'BEGIN { printf "%.3f", (a - b) / 1000 }')
		paired=$(awk -F'\t' -v a="$variant" '
			$2 == a { x[$1] = $3 } $2 == "plain" { y[$1] = $3 }
			END { for (r in x) print (x[r] - y[r]) / 1e6 }' "$raw" | sort -g |
			awk '{ d[NR] = $1 } END { printf "%.3f", NR % 2 ? d[(NR + 1) / 2] : (d[NR / 2] + d[NR / 2 + 1]) / 2 }')
		ratio=$(awk -v a="$median" -v b="$plain_median" 'BEGIN { printf "%.2f", a / b }')
		if [[ $variant == plain ]]; then added='—' paired='—'; fi
		printf '| %s | %.3f | %.3f | %.3f | %s | %s | %s× |\n' "$variant" \
			"$(awk -v v="$median" 'BEGIN { print v / 1000 }')" "$(awk -v v="$p10" 'BEGIN { print v / 1000 }')" \
			"$(awk -v v="$p90" 'BEGIN { print v / 1000 }')" "$added" "$paired" "$ratio"
	done <"$work/$name.tsv"
	if [[ -s $report ]]; then
		echo
		echo "Denials recorded: $(sort -u "$report" | wc -l) distinct lines (they only show the policy's gaps for this command)."
	fi
}

cat <<EOF
## Denial recording: $(date -u +%Y-%m-%d) on $(uname -r)

CPU: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//'), $(nproc) cores; pinned: ${CPU:-no}.
nono-exec: $(stat -c %s "$nono_exec") bytes, repository at $revision${base:+; base: $(stat -c %s "$work/base-nono-exec") bytes}.
Policy: ${#policy[@]} arguments ($(printf '%s\n' "${policy[@]}" | grep -c '^--') options).
Times: wall time from posix_spawn to waitpid, $warmup warm-up rounds. "Paired median Δ": the
median over rounds of (variant − plain) in the same round.
EOF

want() { [[ " ${WORKLOADS:-mechanisms true opens files dotnet} " == *" $1 "* ]]; }

if want mechanisms; then
echo
echo "### Mechanisms: µs per intercepted openat (stopcost, median of ${ROUNDS_MECH:-7} interleaved runs of 20000 calls)"
echo
echo "| mechanism | µs per call | added per call |"
echo "| --- | ---: | ---: |"
modes=(loop trace-cont trace-exit notify notify-read)
for ((i = 0; i < ${ROUNDS_MECH:-7}; i++)); do
	for mode in "${modes[@]}"; do "${pin[@]}" "$work/bin/stopcost" "$mode"; done
done >"$work/mech.tsv"
mech() { awk -F'\t' -v m="$1" '$1 == m { print $2 }' "$work/mech.tsv" | sort -g |
	awk '{ d[NR] = $1 } END { print NR % 2 ? d[(NR + 1) / 2] : (d[NR / 2] + d[NR / 2 + 1]) / 2 }'; }
loop_us=$(mech loop)
for mode in "${modes[@]}"; do
	us=$(mech "$mode")
	printf '| %s | %.2f | %s |\n' "$mode" "$us" \
		"$([[ $mode == loop ]] && echo '—' || awk -v a="$us" -v b="$loop_us" 'BEGIN { printf "%.2f", a - b }')"
done

fi

if want true; then measure true "${ROUNDS_TRUE:-300}" /bin/true; fi
if want opens; then
	measure opens "${ROUNDS_OPENS:-15}" "$work/bin/stopcost" loop 20000
	echo
	echo "(opens: per traced call, report adds (paired median Δ) / 20000.)"
fi
if want files; then
	measure files "${ROUNDS_FILES:-10}" /bin/sh -c 'xargs -d "\n" -a "$1" cat >/dev/null' sh "$work/files"
	echo
	echo "(files: $files files)"
fi
if want dotnet; then measure dotnet "${ROUNDS_DOTNET:-20}" dotnet --version; fi
