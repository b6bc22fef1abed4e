#!/usr/bin/env bash
# The arm64 step of the guest lane: dcaccel.ko cross-built against
# Debian's arm64 6.12 headers (GUEST_ARCH=arm64 fetch-kernel.sh, fetched,
# not installed) with Debian's aarch64-linux-gnu-gcc-12, as an arm64
# kernel of that version loads it: an aarch64 module, the kernel's
# vermagic, every symbol it takes found by modpost, every module it
# needs in that kernel. Debian's arm64 kernel has no CONFIG_DRM_ACCEL:
# there the driver gives a render node (dcaccel_drv.c). Prints TAP.
set -uo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
echo "1..4"
export GUEST_ARCH=arm64

if ! kdir=$("$top/tests/guest/fetch-kernel.sh"); then
	for i in 1 2 3 4; do echo "not ok $i - fetching Debian's arm64 6.12 kernel failed"; done
	exit 1
fi
kver=$(cat "$kdir/version")
echo "ok 1 - Debian's arm64 kernel $kver and its headers, fetched"
accel=$(grep -c '^CONFIG_DRM_ACCEL=y' "$kdir/headers/.config")
echo "# CONFIG_DRM_ACCEL in that kernel: $([ "$accel" -gt 0 ] && echo y || echo 'not set: a render node')"

log=$(mktemp)
trap 'rm -f "$log"' EXIT
if ko=$("$top/tests/guest/build-module.sh" 2> "$log") && [ -f "$ko" ] &&
	! grep -qiE 'warning|undefined' "$log"; then
	echo "ok 2 - dcaccel.ko cross-builds for arm64, no warning, no undefined symbol"
else
	echo "not ok 2 - dcaccel.ko cross-builds for arm64, no warning, no undefined symbol"
	sed 's/^/# /' "$log" | tail -n 20
	echo "not ok 3 - the module is an aarch64 one of $kver # no module"
	echo "not ok 4 - the modules it needs are in that kernel # no module"
	exit 1
fi

machine=$(readelf -h "$ko" | sed -n 's/^ *Machine: *//p')
vermagic=$(modinfo -F vermagic "$ko")
if [ "$machine" = AArch64 ] && [ "${vermagic%% *}" = "$kver" ] &&
	[[ "$vermagic" == *aarch64* ]]; then
	echo "ok 3 - the module is an aarch64 one of $kver ($vermagic)"
else
	echo "not ok 3 - the module is an aarch64 one of $kver"
	echo "# machine '$machine', vermagic '$vermagic'"
fi

missing=()
IFS=, read -ra needs <<< "$(modinfo -F depends "$ko")"
for m in "${needs[@]}"; do
	# modules.dep names files (drm_shmem_helper.ko.xz; gpu-sched is gpu-sched.ko.xz)
	grep -qE "/${m}\.ko(\.[a-z]+)?:" "$kdir/root/lib/modules/$kver/modules.dep" ||
		missing+=("$m")
done
if [ ${#needs[@]} -gt 0 ] && [ ${#missing[@]} -eq 0 ]; then
	echo "ok 4 - the modules it needs are in that kernel (${needs[*]})"
else
	echo "not ok 4 - the modules it needs are in that kernel"
	echo "# needs: ${needs[*]:-nothing?}; missing: ${missing[*]:-}"
fi
