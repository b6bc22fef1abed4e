#!/usr/bin/env bash
# The guest test suite: build QEMU with the dcaccel device, fetch Debian's
# 6.12 kernel, build an initramfs with the guest tests (tests/guest/tests/
# and any --tests DIR) and any out-of-tree --module, boot it, and stream the
# guest's results as one TAP stream on stdout (kernel splats are failures).
# Exit status 0 only when every result passed. The raw console is kept in
# ${TEST_LOG_DIR:-build/test-logs}/guest-console.log.
#
# Usage: tests/guest/run-guest.sh [--module FILE.ko]... [--tests DIR]...
#                                [--files DIR]...  (files for /data)
#                                [--only]  (not tests/guest/tests/)
# Environment: GUEST_TIMEOUT (whole boot, default 2400 s), GUEST_TEST_TIMEOUT
# (one guest program, default 600 s), GUEST_ACCEL (kvm|tcg|auto),
# GUEST_SMP, GUEST_MEM, GUEST_MEMDEBUG (qemu-args.sh), GUEST_APPEND (more
# kernel arguments), DCACCEL_CACHE,
# DCACCEL_KERNEL (fetch-kernel.sh: stock, debug or a kernel dir),
# GUEST_ARCH (amd64 or arm64: QEMU, kernel and qemu-args.sh's machine),
# TEST_LOG_DIR, GUEST_CONSOLE_LOG (default TEST_LOG_DIR/guest-console.log).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
checkout=$(cd "$here/../.." && pwd)

extra=()
own_tests=(--tests "$here/tests")
while [ $# -gt 0 ]; do
	case "$1" in
	--only) own_tests=(); shift ;;
	--module|--tests|--files)
		[ $# -ge 2 ] || { echo "run-guest: $1 needs an argument" >&2; exit 2; }
		extra+=("$1" "$(realpath "$2")"); shift 2 ;;
	*) echo "usage: run-guest.sh [--module FILE.ko]... [--tests DIR]... [--files DIR]... [--only]" >&2; exit 2 ;;
	esac
done

# A step that fails before the guest runs is one failed result.
fail_setup() {
	printf '1..1\nnot ok 1 - guest setup: %s\n' "$1"
	exit 1
}

qemu=$("$checkout/qemu-device/build-qemu.sh") || fail_setup "building QEMU failed"
# The device tests skip without the device: make sure that is not a wiring
# bug hiding them.
if compgen -G "$checkout/qemu-device/hw/*.c" > /dev/null &&
	! "$qemu" -device help 2>/dev/null | grep -q '^name "dcaccel"'; then
	fail_setup "qemu-device/hw/ has sources but $qemu has no dcaccel device"
fi
kdir=$("$here/fetch-kernel.sh") || fail_setup "fetching the kernel failed"
initramfs=$checkout/build/guest/initramfs.cpio.gz
[ "${DCACCEL_KERNEL:-stock}" = stock ] && [ "${GUEST_ARCH:-amd64}" = amd64 ] ||
	initramfs=${initramfs%.cpio.gz}-$(cat "$kdir/version").cpio.gz
"$here/make-initramfs.sh" "$kdir" "$initramfs" "${own_tests[@]}" "${extra[@]}" ||
	fail_setup "building the initramfs failed"

console_log=${GUEST_CONSOLE_LOG:-${TEST_LOG_DIR:-$checkout/build/test-logs}/guest-console.log}
mkdir -p "$(dirname "$console_log")"
# GUEST_APPEND: more kernel arguments, e.g. a test's size
# (dcaccel_stress.ioctls=N, read by dcaccel_stress_test)
# shellcheck disable=SC2086
"$here/boot-guest.sh" "$qemu" "$kdir" "$initramfs" \
	"dcaccel_guest.test_timeout=${GUEST_TEST_TIMEOUT:-600}" ${GUEST_APPEND:-} |
	tee "$console_log" |
	awk -v logfile="$console_log" -f "$here/console-to-tap.awk"
