#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# dcaccel kselftest: module unload and reload, and unbind/rebind through
# sysfs with a file of the device open; the node comes back each time.
# Ends with the module unloaded, the device as the guest found it.
echo "TAP version 13"
echo "1..5"
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

node() {	# the node of a dcaccel device (of PCI $1 if given), or nothing
	# (an accel node, or a render node on a kernel without DRM_ACCEL)
	for d in /sys/class/accel/accel* /sys/class/drm/renderD*; do
		[ -e "$d/device/driver" ] || continue
		[ -z "${1:-}" ] || [ "$(basename "$(readlink "$d/device")")" = "$1" ] ||
			continue
		if [ "$(basename "$(readlink "$d/device/driver")")" = dcaccel ]; then
			case "$d" in
			/sys/class/drm/*) echo "/dev/dri/${d##*/}" ;;
			*) echo "/dev/accel/${d##*/}" ;;
			esac
			return
		fi
	done
}

modprobe dcaccel 2>/dev/null
dev=$(node)
if [ -z "$dev" ]; then
	for i in 1 2 3 4 5; do echo "ok $i - unbind # SKIP no dcaccel device"; done
	exit 0
fi
# the PCI device behind the node, accel or render: major and minor in hex
majmin=$(stat -c '%t %T' "$dev")
pci=$(basename "$(readlink "/sys/dev/char/$((0x${majmin% *})):$((0x${majmin#* }))/device")")

if out=$(rmmod dcaccel 2>&1) && [ -z "$(node)" ] &&
	modprobe dcaccel && sleep 0.2 && [ -n "$(node)" ]; then
	result OK "rmmod and modprobe dcaccel"
else
	result FAIL "rmmod and modprobe dcaccel" "$out"
fi

dev=$(node)
exec 3<> "$dev"
if out=$(rmmod dcaccel 2>&1); then
	result FAIL "rmmod refused while a file is open" "rmmod succeeded"
	modprobe dcaccel
else
	result OK "rmmod refused while a file is open"
fi

# (the guest may have other dcaccel devices: only this one's node goes)
if echo "$pci" > /sys/bus/pci/drivers/dcaccel/unbind && [ -z "$(node "$pci")" ]; then
	result OK "unbind with a file open"
else
	result FAIL "unbind with a file open"
fi
exec 3>&-

if echo "$pci" > /sys/bus/pci/drivers/dcaccel/bind && sleep 0.2 &&
	[ -n "$(node "$pci")" ]; then
	result OK "bind again after the file closed"
else
	result FAIL "bind again after the file closed"
fi

if out=$(rmmod dcaccel 2>&1) && [ -z "$(node)" ]; then
	result OK "rmmod dcaccel at the end"
else
	result FAIL "rmmod dcaccel at the end" "$out"
fi
