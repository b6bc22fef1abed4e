#!/bin/sh
# The dcaccel registers as the guest's CPU sees them through BAR0, with no
# driver bound: identification, capabilities of the default device, the
# scratch register, an idle ring, a refused enable and the soft reset.
# Values: Documentation/accel/dcaccel/hardware.rst, "Device". Skipped without a device.
echo "1..5"
skip_all() {
	for i in 1 2 3 4 5; do echo "ok $i # SKIP $1"; done
	exit 0
}
case " $(cat /proc/cmdline) " in
*" dcaccel_guest.device=1 "*) ;;
*) skip_all "this QEMU has no dcaccel device" ;;
esac
dev=
for d in /sys/bus/pci/devices/*; do
	[ "$(cat "$d/vendor"):$(cat "$d/device")" = 0x1234:0xdcac ] && dev=$d && break
done
[ -n "$dev" ] || skip_all "no 1234:dcac device on the bus"
# The registers are poked behind any driver's back: unbind one that holds
# the device (whatever ran before), and bind it again at the end.
driver=
if [ -e "$dev/driver" ]; then
	driver=$(readlink -f "$dev/driver")
	echo "${dev##*/}" > "$driver/unbind"
	trap 'echo "${dev##*/}" > "$driver/bind"' EXIT
fi
# No driver claims the device: let the PCI core turn memory decoding on.
echo 1 > "$dev/enable" 2>/dev/null
read -r bar _ < "$dev/resource"

reg() {	# reg OFFSET [VALUE]: read, or write then nothing
	if [ $# -eq 2 ]; then
		devmem $((bar + $1)) 32 "$2"
	else
		printf '0x%08x' "$(devmem $((bar + $1)) 32)"
	fi
}

check() {	# check N NAME GOT WANT
	if [ "$3" = "$4" ]; then
		echo "ok $1 - $2"
	else
		echo "not ok $1 - $2"
		echo "# got $3, want $4"
	fi
}

check 1 "ID and VERSION read DCAC 1.2" "$(reg 0x000) $(reg 0x004)" \
	"0x44434143 0x00010002"
check 2 "default capabilities: 64 PEs, queue 8, formats, 800 MHz" \
	"$(reg 0x008) $(reg 0x00c) $(reg 0x010) $(reg 0x034)" \
	"0x00000040 0x00000008 0x000f0808 0x00000320"
reg 0x088 0xa5a55a5a
check 3 "SCRATCH keeps what was written" "$(reg 0x088)" 0xa5a55a5a
check 4 "idle: STATUS, INT_STATUS, RING_HEAD are 0" \
	"$(reg 0x044) $(reg 0x048) $(reg 0x05c)" \
	"0x00000000 0x00000000 0x00000000"
# Enabling with no ring set up is refused (HALTED, ERROR_RING_CONFIG,
# INT_RING_ERROR); a soft reset brings everything back to 0.
reg 0x040 1
halted="$(reg 0x044) $(reg 0x08c) $(reg 0x048)"
reg 0x040 2
check 5 "enable without a ring halts; soft reset clears it" \
	"$halted / $(reg 0x044) $(reg 0x08c) $(reg 0x048) $(reg 0x088)" \
	"0x00000004 0x00000001 0x00000008 / 0x00000000 0x00000000 0x00000000 0x00000000"
