#!/usr/bin/env bash
# `make check`: install what is missing, build the host tests (ASan+UBSan),
# the fuzz targets and QEMU with the device, then run every suite -- host
# tests, fuzz smoke runs, kernel style, and the guest (module + kselftests
# in Debian's 6.12 kernel under QEMU, then on a debug build of it) -- and
# end with "N passed, N failed".
set -euo pipefail
cd "$(dirname "$0")/.."

jobs=$(nproc)
scripts/install-deps.sh all

echo "# building host tests (ASan+UBSan) and fuzz targets"
make -s -j"$jobs" VARIANT=asan tests
make -s -j"$jobs" VARIANT=fuzz fuzzers
# The qtest suite drives the built device; a failed build shows up as the
# guest suite's failure below, so do not stop here.
echo "# building QEMU with the dcaccel device (cached in ${DCACCEL_CACHE:-~/.cache/dcaccel})"
qemu-device/build-qemu.sh > /dev/null || echo "# building QEMU failed"

suites=()
for t in $(make -s VARIANT=asan print-tests); do
	suites+=("$t")
done
for f in $(make -s VARIANT=fuzz print-fuzzers); do
	suites+=("scripts/fuzz-smoke.sh $f")
done
suites+=(
	qemu-device/qtest/dcaccel_generic_fuzz.sh
	tests/guest/test-console-to-tap.sh
	scripts/check-kernel-style.sh
	scripts/check-dkms.sh
	# the module cross-built for Debian's arm64 kernel (issue 16's lane)
	tests/guest/check-arm64-module.sh
	scripts/check-deb.sh
	scripts/check-docs.sh
	tools/testing/selftests/drivers/accel/dcaccel/run-in-guest.sh
	# the same against the render-node driver, the node of a kernel
	# without DRM_ACCEL (Debian's arm64)
	tests/guest/run-render-node-guest.sh
	# the same on arm64: Debian's arm64 kernel on qemu-system-aarch64's
	# virt machine, everything cross-built (issue 16)
	tests/guest/run-arm64-guest.sh
	# the same on the debug kernel (KASAN, lockdep, kmemleak, ...), the
	# stress test at 10^6 ioctls: issue 10's debug lane
	tests/guest/run-debug-guest.sh
)

exec tests/run.sh "${suites[@]}"
