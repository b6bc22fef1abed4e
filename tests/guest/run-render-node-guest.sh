#!/usr/bin/env bash
# The guest suite of run-in-guest.sh (dcaccel.ko, the kselftests, libaccel's
# guest tests) against the render-node driver (DCACCEL_RENDER_NODE=y,
# Kbuild): the node a kernel without the accel subsystem gives, as
# Debian's arm64 6.12 does, here on the x86-64 guest, so that the path the
# arm64 users take runs in every make check: /dev/dri/renderD*, its
# debugfs under dri/, the ioctls allowed on a render node. With every
# streaming DMA mapping bounced (swiotlb=force, 256 MiB of bounce
# buffers): what a board whose device does not snoop the CPU's caches
# needs, the driver's syncs around each job, is needed here too, and a
# missing one shows as wrong outputs. TAP on stdout;
# the console is kept in ${TEST_LOG_DIR:-build/test-logs}/guest-console-render.log.
#
# Usage: tests/guest/run-render-node-guest.sh
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)

export DCACCEL_RENDER_NODE=y
export GUEST_APPEND="${GUEST_APPEND:-} swiotlb=131072,force"
export GUEST_CONSOLE_LOG=${TEST_LOG_DIR:-$top/build/test-logs}/guest-console-render.log
exec "$top/tools/testing/selftests/drivers/accel/dcaccel/run-in-guest.sh"
