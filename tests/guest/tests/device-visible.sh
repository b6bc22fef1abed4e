#!/bin/sh
# The dcaccel device is on the guest's PCI bus as a processing accelerator
# (class 0x120000) with a memory BAR0. Skipped when the host's QEMU has no
# dcaccel device (the harness passes dcaccel_guest.device=1 when it adds one).
echo "1..2"
case " $(cat /proc/cmdline) " in
*" dcaccel_guest.device=1 "*) ;;
*)
	echo "ok 1 # SKIP this QEMU has no dcaccel device"
	echo "ok 2 # SKIP this QEMU has no dcaccel device"
	exit 0
	;;
esac

dev=
for d in /sys/bus/pci/devices/*; do
	[ "$(cat "$d/class")" = 0x120000 ] && dev=$d && break
done
if [ -n "$dev" ]; then
	echo "ok 1 - a PCI device of class 0x120000 is present (${dev##*/}," \
		"id $(cat "$dev/vendor"):$(cat "$dev/device"))"
else
	echo "not ok 1 - a PCI device of class 0x120000 is present"
	for d in /sys/bus/pci/devices/*; do
		echo "# ${d##*/} class $(cat "$d/class")"
	done
	echo "not ok 2 - it has a BAR0 # no device"
	exit 1
fi

# resource: one line per BAR, "start end flags"; bit 9 of flags is
# IORESOURCE_MEM.
read -r start end flags < "$dev/resource"
if [ "$((start))" -ne 0 ] && [ "$((end))" -gt "$((start))" ] &&
	[ $((flags & 0x200)) -ne 0 ]; then
	echo "ok 2 - it has a memory BAR0 of $((end - start + 1)) bytes at $start"
else
	echo "not ok 2 - it has a memory BAR0"
	echo "# resource line 0: $start $end $flags"
	exit 1
fi
