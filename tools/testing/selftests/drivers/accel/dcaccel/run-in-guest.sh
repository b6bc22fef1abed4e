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
mod=$top/build/module

# build the module in a scratch copy: the tree keeps no kbuild output
rm -rf "$mod"
mkdir -p "$mod"
cp -r "$top/Kbuild" "$top/drivers" "$top/include" "$top/uapi" "$mod/"
nice -n 10 make -s -C "$kdir/headers" M="$mod" -j2 >&2
make -s -C "$here" O="$out" KSFT_DIR="$kdir/kselftest" >&2
exec "$top/tests/guest/run-guest.sh" --module "$mod/dcaccel.ko" --tests "$out"
