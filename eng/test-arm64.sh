#!/usr/bin/env bash
# The arm64 nono-exec, run under qemu-user (Debian's qemu-user-static): its options and exit
# statuses. Each case runs the aarch64 launcher under qemu-aarch64-static and the x64 launcher
# natively; the two must agree byte for byte on stdout, stderr and the exit status.
#
# qemu-user passes neither Landlock nor seccomp through to the kernel (both are "Function not
# implemented" there), so what this covers is the launcher's own logic: option parsing, options
# files, --help, --probe's shape, the 125 errors. Enforcement on arm64 stays untested here.
set -euo pipefail
cd "$(dirname "$0")/.."

qemu=$(command -v qemu-aarch64-static || true)
[[ -n $qemu ]] || { echo "test-arm64.sh: qemu-aarch64-static not found (eng/prereqs.sh installs qemu-user-static)" >&2; exit 1; }
make -s -C native >&2
make -s -C native RID=linux-arm64 >&2
x64=$PWD/artifacts/native/linux-x64/nono-exec
arm64=$PWD/artifacts/native/linux-arm64/nono-exec

work=$(mktemp -d "${TMPDIR:-/tmp}/nono-arm64.XXXXXX")
trap 'rm -rf "$work"' EXIT
printf -- '--ro /usr\nro /etc\n' >"$work/bad-line"
printf -- '# a comment\n--net=all\n--allow-unix extra\n' >"$work/flag-with-value"
printf -- '--connect-tcp 0\n' >"$work/bad-port"
mkdir "$work/a-directory"

failed=0 passed=0
run() { # LAUNCHER ARGS... -> "status\nstdout\nstderr" in $out
	local status=0
	"$@" >"$work/stdout" 2>"$work/stderr" || status=$?
	out="$status"$'\n'"$(cat "$work/stdout")"$'\n'"$(cat "$work/stderr")"
}
same() { # EXPECTED-STATUS ARGS...: arm64 under qemu and x64 agree, with this status
	local expected=$1
	shift
	run "$qemu" "$arm64" "$@"
	local on_arm64=$out
	run "$x64" "$@"
	if [[ $on_arm64 != "$out" || ${out%%$'\n'*} != "$expected" ]]; then
		failed=$((failed + 1))
		printf 'FAIL: nono-exec %s\n  arm64 (qemu): %s\n  x64:          %s\n  expected status %s\n' \
			"$*" "${on_arm64//$'\n'/ | }" "${out//$'\n'/ | }" "$expected" >&2
	else
		passed=$((passed + 1))
	fi
}
arm64_only() { # EXPECTED-STATUS PATTERN ARGS...: arm64 under qemu alone
	local expected=$1 pattern=$2
	shift 2
	run "$qemu" "$arm64" "$@"
	if [[ ${out%%$'\n'*} != "$expected" || ! $out =~ $pattern ]]; then
		failed=$((failed + 1))
		printf 'FAIL: nono-exec %s (arm64 only)\n  got: %s\n  expected status %s and /%s/\n' \
			"$*" "${out//$'\n'/ | }" "$expected" "$pattern" >&2
	else
		passed=$((passed + 1))
	fi
}

# Help and options: the same table on both architectures.
same 0 --help
same 0 --ro /usr --help
same 125
same 125 --ro /usr
same 125 --ro /usr --
same 125 --frobnicate -- true
same 125 -x true
same 125 --ro
same 125 --ro= -- true
same 125 --rw= -- true
same 125 --help=yes
same 125 --allow-unix=1 -- true
same 125 --connect-tcp 70000 -- true
same 125 --bind-tcp=70000 -- true
same 125 --connect-tcp=0 -- true
same 125 --connect-tcp-addr localhost:80 -- true
same 125 --unix-connect relative.sock -- true
same 125 --connect-tcp 8o -- true
same 125 --net some -- true
same 125 --ruleset-fd x -- true
same 125 --report= -- true
same 125 "--net=$(printf 'all\nnono-exec: error: forged')" -- true
same 125 "@$work/no-such-file" -- true
same 125 "@$work/a-directory" -- true
same 125 "@$work/bad-line" -- true
same 125 "@$work/flag-with-value" -- true
same 125 "@$work/bad-port" -- true
# What differs: the kernel qemu shows the launcher has neither Landlock nor seccomp.
arm64_only 0 '"landlock_abi":0,.*"seccomp":false' --probe
arm64_only 125 'nono-exec: error: Landlock is not available on this kernel' --ro /usr -- /bin/true
arm64_only 125 'nono-exec: error: cannot apply the sandbox \(Function not implemented\): seccomp' --best-effort -- /bin/true

echo "arm64 launcher under qemu-user: $passed passed, $failed failed" >&2
((failed == 0))
