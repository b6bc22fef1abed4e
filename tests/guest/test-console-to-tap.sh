#!/usr/bin/env bash
# Host test of console-to-tap.awk on made-up guest consoles: results are
# renumbered and named, kernel splats and broken test programs fail, a
# guest that never finishes fails, and a clean run passes. Prints TAP.
set -uo pipefail
awk_script=$(cd "$(dirname "$0")" && pwd)/console-to-tap.awk

n=0 failed=0
check() {	# check DESCRIPTION COMMAND...
	n=$((n + 1))
	if "${@:2}"; then
		echo "ok $n - $1"
	else
		echo "not ok $n - $1"
		failed=$((failed + 1))
	fi
}

# convert CONSOLE_LINES...: sets $out and $status.
convert() {
	out=$(printf '%s\n' "$@" | awk -v logfile=console.log -f "$awk_script")
	status=$?
}
has() { grep -qxF -- "$1" <<< "$out"; }
count() { grep -cE -- "$1" <<< "$out"; }

echo "1..11"

convert "[    0.1] Linux version 6.12" "@@dcaccel-guest-up" \
	"@@dcaccel-test-begin a" "TAP version 13" "1..2" "ok 1 - one" "ok 2 two # SKIP no" \
	"@@dcaccel-test-end a 0" "@@dcaccel-test-begin b" "1..1" "ok 1 - three" \
	"@@dcaccel-test-end b 0" "@@dcaccel-guest-done"
check "a clean run passes" test "$status" -eq 0
check "results are renumbered and named" has "ok 3 - b: three"
check "skips stay skips" has "ok 2 - a: two # SKIP no"
check "the plan comes last" test "$(tail -n1 <<< "$out")" = "1..3"

convert "@@dcaccel-test-begin a" "1..1" "ok 1 - one" \
	"[   12.5] WARNING: CPU: 0 PID: 7 at drivers/accel/x.c:1 f+0x1/0x2" \
	"@@dcaccel-test-end a 0" "@@dcaccel-guest-done"
check "a kernel WARN fails" test "$status" -ne 0
check "the WARN is a named not ok" has "not ok 2 - kernel: WARNING: CPU: 0 PID: 7 at drivers/accel/x.c:1 f+0x1/0x2"

convert "@@dcaccel-test-begin a" "1..1" "ok 1 - one" "@@dcaccel-test-end a 0" \
	"[    3.0] BUG: KASAN: use-after-free in f" \
	"[    3.1] WARNING: possible circular locking dependency detected" \
	"[    3.2] Oops: general protection fault, probably for non-canonical address" \
	"@@dcaccel-guest-done"
check "KASAN, lockdep and Oops each fail" test "$(count '^not ok [0-9]+ - kernel: ')" -eq 3

convert "@@dcaccel-test-begin a" "WARNING: not from the kernel" "1..2" "ok 1 - one" \
	"@@dcaccel-test-end a 0" "@@dcaccel-guest-done"
check "a program printing fewer results than planned fails" \
	has "not ok 2 - a: planned 2 results, printed 1"
check "program output without a timestamp is no splat" \
	test "$(count '^not ok [0-9]+ - kernel: ')" -eq 0

convert "@@dcaccel-test-begin a" "1..1" "ok 1 - one" "@@dcaccel-test-end a 139" \
	"@@dcaccel-guest-done"
check "a program exiting non-zero fails" has "not ok 2 - a: exited with status 139"

convert "@@dcaccel-test-begin a" "1..1"
check "a guest that never finishes fails" \
	test "$status" -ne 0 -a "$(count '^not ok')" -eq 2

[ "$failed" -eq 0 ]
