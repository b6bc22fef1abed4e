#!/usr/bin/env bash
# Print the accelerator to run the guest with: "kvm" when /dev/kvm is
# usable and really boots this guest kernel, "tcg" otherwise. /dev/kvm can
# exist and still hang this kernel (nested virtualization), so KVM is tried
# with a short probe boot, whose result is kept in the cache per host
# kernel, guest kernel and QEMU version. A guest of another architecture
# (GUEST_ARCH) is TCG's. GUEST_ACCEL=kvm|tcg overrides.
#
# Usage: detect-accel.sh QEMU KERNEL_DIR INITRAMFS
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
qemu=$1 kdir=$2 initramfs=$3
cache=${DCACCEL_CACHE:-$HOME/.cache/dcaccel}

case "${GUEST_ACCEL:-auto}" in
kvm|tcg) echo "$GUEST_ACCEL"; exit 0 ;;
auto) ;;
*) echo "detect-accel: GUEST_ACCEL must be kvm, tcg or auto" >&2; exit 2 ;;
esac

# KVM runs a guest of this machine's architecture only
host_arch=$(dpkg --print-architecture)
if [ "${GUEST_ARCH:-$host_arch}" != "$host_arch" ] ||
	[ ! -r /dev/kvm ] || [ ! -w /dev/kvm ]; then
	echo tcg
	exit 0
fi

key="$(uname -r) $(cat "$kdir/version") $("$qemu" --version | head -n1)"
record=$cache/accel-probe/$(echo "$key" | md5sum | cut -c1-16)
if [ ! -f "$record" ]; then
	argv=$("$here/qemu-args.sh" "$qemu" "$kdir" "$initramfs" dcaccel_guest.probe)
	mapfile -t args <<< "$argv"
	accel=tcg
	if timeout --kill-after=5 20 "$qemu" -accel kvm "${args[@]}" 2>&1 |
		grep -q '^@@dcaccel-guest-up'; then
		accel=kvm
	fi
	mkdir -p "$(dirname "$record")"
	echo "$accel" > "$record"
	echo "detect-accel: KVM probe boot says $accel ($key)" >&2
fi
cat "$record"
