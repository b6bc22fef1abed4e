#!/bin/sh
# /init of the test guest: mount the basics, run every program in /tests,
# framing each one's TAP output with markers that the host's
# console-to-tap.awk reads, then power off. Kernel command line options
# (the dcaccel_guest. prefix names no module, so no module sees them):
#   dcaccel_guest.probe              only say that the guest came up (KVM probe)
#   dcaccel_guest.test_timeout=SECS  kill a test program after SECS (default 300)
#   dcaccel_guest.device=1                 (read by the tests) QEMU has the dcaccel device
export PATH=/bin:/sbin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mount -t tmpfs tmpfs /tmp
mount -t debugfs debugfs /sys/kernel/debug 2>/dev/null

case " $(cat /proc/cmdline) " in
*" dcaccel_guest.probe "*)
	echo "@@dcaccel-guest-up"
	poweroff -f
	;;
esac

test_timeout=300
for arg in $(cat /proc/cmdline); do
	case "$arg" in
	dcaccel_guest.test_timeout=*) test_timeout=${arg#*=} ;;
	esac
done

echo "@@dcaccel-guest-up"
for prog in /tests/*; do
	[ -x "$prog" ] || continue
	name=${prog##*/}
	echo "@@dcaccel-test-begin $name"
	# A hung program is killed (status 137) and the next one runs.
	(cd /tmp && timeout -s KILL "$test_timeout" "$prog") 2>&1
	echo "@@dcaccel-test-end $name $?"
done
echo "@@dcaccel-guest-done"
poweroff -f
