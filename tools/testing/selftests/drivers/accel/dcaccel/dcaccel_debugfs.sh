#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# dcaccel kselftest: the debugfs files read back sensibly and the reset
# knob resets an idle device, after which it still runs jobs.
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

modprobe dcaccel 2>/dev/null
dir=
# an accel node, or a render node on a kernel without the accel subsystem
for d in /sys/class/accel/accel* /sys/class/drm/renderD*; do
	[ -e "$d/device/driver" ] || continue
	if [ "$(basename "$(readlink "$d/device/driver")")" = dcaccel ]; then
		# the device's directory is named after its PCI address
		root=accel
		case "$d" in /sys/class/drm/*) root=dri ;; esac
		dir=/sys/kernel/debug/$root/$(basename "$(readlink "$d/device")")
		break
	fi
done
if [ -z "$dir" ] || [ ! -d "$dir" ]; then
	for i in 1 2 3 4 5; do
		echo "ok $i - debugfs # SKIP no dcaccel device or debugfs"
	done
	exit 0
fi

if grep -q '^size [0-9]* tail [0-9]* head [0-9]*' "$dir/ring"; then
	result OK "ring shows the ring's state"
else
	result FAIL "ring shows the ring's state" "$(cat "$dir/ring" 2>&1)"
fi
if [ -r "$dir/contexts" ] && cat "$dir/contexts" > /dev/null; then
	result OK "contexts reads"
else
	result FAIL "contexts reads"
fi
if grep -q '^submitted [0-9]*$' "$dir/counters" &&
	grep -q '^device.jobs_done [0-9]*$' "$dir/counters"; then
	result OK "counters shows driver and device counters"
else
	result FAIL "counters shows driver and device counters" \
		"$(cat "$dir/counters" 2>&1)"
fi
before=$(sed -n 's/^resets //p' "$dir/counters")
if echo 1 > "$dir/reset" &&
	[ "$(sed -n 's/^resets //p' "$dir/counters")" = $((before + 1)) ]; then
	result OK "writing 1 to reset resets the device"
else
	result FAIL "writing 1 to reset resets the device"
fi
if echo 2 > "$dir/reset" 2>/dev/null; then
	result FAIL "reset refuses values other than 1"
else
	result OK "reset refuses values other than 1"
fi
