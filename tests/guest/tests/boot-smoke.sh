#!/bin/sh
# Boot smoke: the guest runs Debian's 6.12 kernel, the DRM core loads with
# modprobe, devtmpfs is there, and the PCI bus lists devices.
echo "1..4"
n=0
result() {	# result OK|FAIL DESCRIPTION [DIAGNOSTIC]
	n=$((n + 1))
	if [ "$1" = OK ]; then
		echo "ok $n - $2"
	else
		echo "not ok $n - $2"
		[ -n "${3:-}" ] && echo "# $3"
	fi
}

release=$(uname -r)
case "$release" in
6.12.*) result OK "kernel is 6.12 ($release)" ;;
*) result FAIL "kernel is 6.12" "uname -r says '$release'" ;;
esac

if out=$(modprobe drm 2>&1) && grep -q '^drm ' /proc/modules; then
	result OK "modprobe drm loads the DRM core"
else
	result FAIL "modprobe drm loads the DRM core" "$out"
fi

if [ -c /dev/null ] && [ -c /dev/console ]; then
	result OK "/dev is populated (devtmpfs)"
else
	result FAIL "/dev is populated (devtmpfs)" "$(ls /dev 2>&1 | tr '\n' ' ')"
fi

count=$(ls /sys/bus/pci/devices 2>/dev/null | wc -l)
if [ "$count" -gt 0 ]; then
	result OK "PCI bus lists $count devices"
else
	result FAIL "PCI bus lists devices" "/sys/bus/pci/devices is empty"
fi
