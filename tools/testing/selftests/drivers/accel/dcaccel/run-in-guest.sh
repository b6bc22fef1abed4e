#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# Build dcaccel.ko against the guest kernel's headers and these kselftests,
# then run them in the QEMU guest through tests/guest/run-guest.sh, which
# streams TAP and exits non-zero on any failure or kernel splat.
#
# Usage: tools/testing/selftests/drivers/accel/dcaccel/run-in-guest.sh
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../../../../../.." && pwd)
kdir=$("$top/tests/guest/fetch-kernel.sh")
out=$top/build/kselftest/dcaccel

ko=$("$top/tests/guest/build-module.sh")
make -s -C "$here" O="$out" KSFT_DIR="$kdir/kselftest" >&2
# libaccel's guest test, its model and data linked in (cached model)
"$top/userspace/libaccel/guest-tests/build.sh" "$top/build/libaccel/guest-tests" >&2
exec "$top/tests/guest/run-guest.sh" --module "$ko" --tests "$out" \
	--tests "$top/build/libaccel/guest-tests"
