#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# Build dcaccel.ko against the guest kernel's headers and these kselftests,
# then run them in the QEMU guest through tests/guest/run-guest.sh, which
# streams TAP and exits non-zero on any failure or kernel splat; then the
# wedge test, which leaves the driver wedged, in a second guest.
# GUEST_ARCH=arm64: all of it cross-built, on the arm64 guest.
#
# Usage: tools/testing/selftests/drivers/accel/dcaccel/run-in-guest.sh
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../../../../../.." && pwd)
kdir=$("$top/tests/guest/fetch-kernel.sh")
out=$top/build/kselftest/dcaccel
libaccel_tests=$top/build/libaccel/guest-tests
# shellcheck source=tests/guest/guest-arch.sh
. "$top/tests/guest/guest-arch.sh"
[ "$guest_arch" = amd64 ] || out+=-$guest_arch libaccel_tests+=-$guest_arch

ko=$("$top/tests/guest/build-module.sh")
make -s -C "$here" O="$out" KSFT_DIR="$kdir/kselftest" CC="$guest_cc" >&2
# libaccel's guest test, its model and data linked in (cached model)
"$top/userspace/libaccel/guest-tests/build.sh" "$libaccel_tests" >&2
status=0
"$top/tests/guest/run-guest.sh" --module "$ko" --tests "$out" \
	--tests "$libaccel_tests" || status=1

# The wedge test leaves the driver wedged until the machine resets: a
# guest of its own, whose last checks leave the module loaded.
log_dir=${TEST_LOG_DIR:-$top/build/test-logs}
console=${GUEST_CONSOLE_LOG:-$log_dir/guest-console.log}
GUEST_CONSOLE_LOG=${console%.log}-wedge.log \
	GUEST_APPEND="${GUEST_APPEND:-} dcaccel_guest.keep_modules" \
	"$top/tests/guest/run-guest.sh" --only --module "$ko" --tests "$out/wedge" ||
	status=1
exit $status
