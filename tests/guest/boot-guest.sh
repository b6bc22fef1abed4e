#!/usr/bin/env bash
# Boot the test guest and copy its serial console to stdout until it powers
# off, or until GUEST_TIMEOUT seconds (default 2400) have passed: the host
# kills QEMU then, so a hung guest cannot hold the run.
#
# Usage: boot-guest.sh QEMU KERNEL_DIR INITRAMFS [KERNEL_ARG]...
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
qemu=$1 kdir=$2 initramfs=$3
shift 3

accel=$("$here/detect-accel.sh" "$qemu" "$kdir" "$initramfs")
argv=$("$here/qemu-args.sh" "$qemu" "$kdir" "$initramfs" "$@")
mapfile -t args <<< "$argv"
echo "boot-guest: accel=$accel, $(cat "$kdir/version"), timeout ${GUEST_TIMEOUT:-2400}s" >&2
status=0
timeout --kill-after=10 "${GUEST_TIMEOUT:-2400}" \
	"$qemu" -accel "$accel" "${args[@]}" < /dev/null || status=$?
if [ "$status" -eq 124 ] || [ "$status" -eq 137 ]; then
	echo "boot-guest: guest killed after ${GUEST_TIMEOUT:-2400}s" >&2
fi
exit "$status"
