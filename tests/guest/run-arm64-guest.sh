#!/usr/bin/env bash
# The guest suite of run-in-guest.sh (dcaccel.ko, the kselftests, libaccel's
# guest tests; all cross-built) on arm64: Debian's arm64 6.12 kernel on
# qemu-system-aarch64's virt machine (GICv3 and its ITS for MSI, PCIe with
# no IOMMU: what an embedded board has), two dcaccel devices, under TCG.
# That kernel has no DRM_ACCEL: the driver gives a render node there. TAP
# on stdout; the console is kept in
# ${TEST_LOG_DIR:-build/test-logs}/guest-console-arm64.log.
#
# Usage: tests/guest/run-arm64-guest.sh
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)

export GUEST_ARCH=arm64
export GUEST_CONSOLE_LOG=${TEST_LOG_DIR:-$top/build/test-logs}/guest-console-arm64.log
exec "$top/tools/testing/selftests/drivers/accel/dcaccel/run-in-guest.sh"
