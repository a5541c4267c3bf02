#!/usr/bin/env bash
# Fuzzes nono-exec's option parser and @FILE reader (native/fuzz/policy_fuzz.c) with
# libFuzzer under AddressSanitizer, LeakSanitizer and UBSan, for FUZZ_SECONDS (default 60),
# and prints the figures. Fails on any crash, leak, sanitizer report, broken invariant or
# input slower than FUZZ_TIMEOUT seconds (a hang). Installs clang and its libFuzzer runtime
# with apt if they are missing.
#
#   eng/fuzz.sh                      # 60 s
#   FUZZ_SECONDS=1200 eng/fuzz.sh    # the long run of docs/security.md
#
# Output in artifacts/native/fuzz/: the harness, corpus/ (inputs found, kept between runs;
# the seeds are native/fuzz/corpus/), crashes/ (reproduce: policy_fuzz crashes/FILE), fuzz.log.
set -euo pipefail
cd "$(dirname "$0")/.."

seconds=${FUZZ_SECONDS:-60}
timeout=${FUZZ_TIMEOUT:-10}
out=artifacts/native/fuzz

# clang, and the libFuzzer runtime it links with -fsanitize=fuzzer (a separate package on Debian).
sudo=()
[ "$(id -u)" -eq 0 ] || sudo=(sudo)
updated=
apt_install() {
	echo "installing $*" >&2
	[ -n "$updated" ] || { "${sudo[@]}" apt-get update -qq; updated=1; }
	DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq "$@" >/dev/null
}
missing=()
command -v make >/dev/null || missing+=(make)
command -v clang >/dev/null || missing+=(clang)
[ ${#missing[@]} -eq 0 ] || apt_install "${missing[@]}"
links_fuzzer() {
	echo 'int LLVMFuzzerTestOneInput(const char *d, unsigned long n) { (void)d; (void)n; return 0; }' |
		clang -fsanitize=fuzzer,address,undefined -x c - -o /dev/null 2>/dev/null
}
links_fuzzer || apt_install "libclang-rt-$(clang -dumpversion | cut -d. -f1)-dev"
links_fuzzer || { echo "fuzz: clang cannot link -fsanitize=fuzzer (is its libFuzzer runtime installed?)" >&2; exit 1; }

make -s -C native fuzz
mkdir -p "$out/corpus" "$out/crashes"
rm -f "$out"/crashes/*

echo "fuzz: policy_fuzz for ${seconds} s (seeds native/fuzz/corpus, corpus $out/corpus)" >&2
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
set +e
# -print_funcs=0: naming a newly covered function starts llvm-symbolizer, whose pipes stay open in
# this process and would trip the harness's "no file descriptor left open" check.
nice -n 10 "$out/policy_fuzz" \
	-max_total_time="$seconds" -timeout="$timeout" -max_len=4096 -print_funcs=0 \
	-dict=native/fuzz/policy.dict -print_final_stats=1 \
	-artifact_prefix="$out/crashes/" \
	"$out/corpus" native/fuzz/corpus >"$out/fuzz.log" 2>&1
rc=$?
set -e

# The figures: the last status line (coverage) and the final stats.
status=$(grep -E '^#[0-9]+[[:space:]]+(DONE|NEW|REDUCE|pulse|INITED)' "$out/fuzz.log" | tail -n 1 || true)
final() { sed -n "s/^stat::$1:[[:space:]]*//p" "$out/fuzz.log" | tail -n 1; }
field() { sed -n "s/.* $1: \([^ ]*\).*/\1/p" <<<"$status"; }
crashes=$(find "$out/crashes" -type f | wc -l)
echo "fuzz: $(date -u +%Y-%m-%dT%H:%MZ), ${seconds} s: $(final number_of_executed_units) execs," \
	"$(final average_exec_per_sec) exec/s, cov $(field cov), ft $(field ft)," \
	"corpus $(field corp) (inputs/bytes), $(final new_units_added) units added," \
	"peak RSS $(final peak_rss_mb) MB, slowest input $(final slowest_unit_time_sec) s, $crashes crashes"

if [ "$rc" -ne 0 ] || [ "$crashes" -ne 0 ]; then
	echo "fuzz: FAILED (exit $rc); the end of $out/fuzz.log:" >&2
	grep -v -E '^#[0-9]+[[:space:]]' "$out/fuzz.log" | tail -n 40 >&2
	for f in "$out"/crashes/*; do
		[ -e "$f" ] && echo "fuzz: reproduce with: $out/policy_fuzz $f" >&2
	done
	exit 1
fi
