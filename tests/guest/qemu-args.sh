#!/usr/bin/env bash
# Print, one per line, the QEMU arguments that boot the test guest: machine,
# firmware from Debian's seabios and qemu-system-data, serial console on
# stdout, no network or display, -kernel/-initrd, and `-device dcaccel`
# (GUEST_DEVICES of them) when this QEMU has it. Does not choose the accelerator.
#
# Usage: qemu-args.sh QEMU KERNEL_DIR INITRAMFS [KERNEL_ARG]...
# Environment: GUEST_SMP (default 2), GUEST_MEM (default 1024, MiB),
# GUEST_DEVICES (dcaccel devices, default 2: the multi-device tests),
# GUEST_ARCH (amd64: the pc machine; arm64: virt, as an embedded board has
# it: GICv3 with its ITS for MSI, PCIe without an IOMMU, the PL011 UART),
# GUEST_MEMDEBUG (the memory-debugging kernel arguments, default
# "page_poison=1 slub_debug=FZPU").
#
# Both are in Debian's kernel (CONFIG_PAGE_POISONING, CONFIG_SLUB_DEBUG):
# freed pages are filled with a pattern that is checked when they are handed
# out again, so a write into a freed page -- the device's DMA too, which not
# even KASAN sees -- prints "pagealloc: memory corruption"; slub_debug does
# the same for slab objects (poison, red zones, free-list checks, alloc/free
# owners in the report). init_on_free=1 would add nothing: page_poison takes
# precedence over it (mm/mm_init.c). A kernel dir may hold a file `cmdline`
# with arguments of its own (the debug kernel's).
set -euo pipefail
qemu=$1 kdir=$2 initramfs=$3
shift 3

# shellcheck disable=SC2054 # commas inside QEMU option values
case "${GUEST_ARCH:-amd64}" in
amd64)
	# Without linuxboot_dma.bin (qemu-system-data) SeaBIOS finds nothing
	# to boot and the guest sits there until the timeout: say so now.
	for rom in /usr/share/qemu/linuxboot_dma.bin /usr/share/seabios/bios-256k.bin; do
		if [ ! -f "$rom" ]; then
			echo "qemu-args: $rom is missing (install qemu-system-data and seabios:" \
				"qemu-device/build/qemu-deps.sh)" >&2
			exit 1
		fi
	done
	machine=(-L /usr/share/qemu -L /usr/share/seabios -machine pc)
	console=ttyS0
	;;
arm64)
	# -kernel boots the Image directly: no firmware. pauth-impdef: TCG's
	# pointer authentication at QEMU's cheap algorithm (the kernel signs
	# every return address).
	machine=(-machine virt,gic-version=3 -cpu max,pauth-impdef=on)
	console=ttyAMA0
	;;
*)
	echo "qemu-args: GUEST_ARCH=$GUEST_ARCH: amd64 or arm64" >&2
	exit 2
	;;
esac

append="console=$console printk.time=1 loglevel=5 panic=-1 oops=panic rdinit=/init"
device=()
# The device list names each device as: name "dcaccel", bus PCI, ...
if "$qemu" -device help 2>/dev/null | grep -q '^name "dcaccel"'; then
	# fault injection lets the driver's recovery tests hang and fault jobs
	for _ in $(seq "${GUEST_DEVICES:-2}"); do
		# shellcheck disable=SC2054 # commas inside a QEMU option value
		device+=(-device dcaccel,fault-injection=on)
	done
	append+=" dcaccel_guest.device=1"
fi
append+=" ${GUEST_MEMDEBUG-page_poison=1 slub_debug=FZPU}"
if [ -f "$kdir/cmdline" ]; then
	append+=" $(cat "$kdir/cmdline")"
fi
append+=" $*"

# shellcheck disable=SC2054 # commas inside QEMU option values
args=(
	"${machine[@]}" -smp "${GUEST_SMP:-2}" -m "${GUEST_MEM:-1024}"
	-nodefaults -no-user-config -no-reboot
	-display none -monitor none
	-chardev file,id=console,path=/dev/stdout,append=on
	-serial chardev:console
	-kernel "$kdir/vmlinuz" -initrd "$initramfs" -append "$append"
	"${device[@]}"
)
# GUEST_QEMU_ARGS: more QEMU options, for debugging (e.g. -trace
# dcaccel_job_* -D FILE)
# shellcheck disable=SC2206
args+=(${GUEST_QEMU_ARGS:-})
printf '%s\n' "${args[@]}"
