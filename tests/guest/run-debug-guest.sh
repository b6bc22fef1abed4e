#!/usr/bin/env bash
# The guest suite of run-in-guest.sh (dcaccel.ko, the kselftests, libaccel's
# guest test) on the debug kernel (build-debug-kernel.sh: KASAN, lockdep,
# kmemleak, debugobjects, ...; built into the cache the first time), with
# dcaccel.ko built against that kernel's headers. Any splat fails, and so
# does a leak: the guest ends with kmemleak scans (guest-init.sh's
# kernel-checks). TAP on stdout; the console is kept in
# ${TEST_LOG_DIR:-build/test-logs}/guest-console-debug.log.
#
# Usage: tests/guest/run-debug-guest.sh
# Environment: as run-guest.sh; the defaults differ for this slower kernel:
# GUEST_MEM 2048, GUEST_TIMEOUT 4800 s, GUEST_TEST_TIMEOUT 2400 s (the
# stress test alone, at 10^6 ioctls, takes about 20 min at a host load of 9).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)

export DCACCEL_KERNEL=debug
export GUEST_MEM=${GUEST_MEM:-2048}
export GUEST_TIMEOUT=${GUEST_TIMEOUT:-4800}
export GUEST_TEST_TIMEOUT=${GUEST_TEST_TIMEOUT:-2400}
# issue 10: the stress kselftest makes at least 10^6 ioctls on this kernel
export GUEST_APPEND="${GUEST_APPEND:-} dcaccel_stress.ioctls=${DCACCEL_STRESS_IOCTLS:-1000000}"
export GUEST_CONSOLE_LOG=${TEST_LOG_DIR:-$top/build/test-logs}/guest-console-debug.log

if ! kdir=$("$here/fetch-kernel.sh"); then
	printf '1..1\nnot ok 1 - guest setup: building the debug kernel failed\n'
	exit 1
fi
echo "# debug kernel $(cat "$kdir/version") in $kdir" \
	"(built in $(cat "$kdir/build-seconds") s)"
exec "$top/tools/testing/selftests/drivers/accel/dcaccel/run-in-guest.sh"
