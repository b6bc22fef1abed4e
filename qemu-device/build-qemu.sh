#!/usr/bin/env bash
# Build Debian's QEMU 10.0 (bookworm-backports source) with this checkout's
# dcaccel device, in ${DCACCEL_CACHE:-$HOME/.cache/dcaccel}/qemu-<version>/,
# and print the path of qemu-system-x86_64 (the only thing on stdout);
# GUEST_ARCH=arm64: qemu-system-aarch64, the virt machine's, in a build
# directory of its own. A second run recompiles only the device files that
# changed.
#
# Firmware comes from Debian's packages at run time:
#   qemu-system-x86_64 -L /usr/share/qemu -L /usr/share/seabios ...
# Both are needed: /usr/share/qemu has linuxboot_dma.bin, the option ROM
# that loads -kernel/-initrd through fw_cfg DMA. Without it SeaBIOS finds
# nothing to boot; with fw_cfg DMA off the load is byte by byte (+1 s for a
# 2 MB initramfs, +2.5 s for 40 MB under TCG).
#
# Times on this machine (2 shared cores): cold 1 min 44 s on a quiet
# machine (configure included; 1,334 ninja targets: only the guest's
# devices, where the default x86 set took 3 min 6 s), nothing changed
# 0.8 s, one device file changed 2.4 s.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
checkout=$(cd "$here/.." && pwd)
cache=${DCACCEL_CACHE:-$HOME/.cache/dcaccel}
mkdir -p "$cache"

# Several checkouts share the cache: one build of the tree at a time.
exec 9> "$cache/qemu-build.lock"
flock 9

"$here/build/qemu-deps.sh"
tree=$("$here/build/qemu-source.sh")
"$here/build/wire-device.sh" "$tree" "$checkout"

# Only what the guest needs: system emulation of its architecture with
# TCG (and KVM for x86-64), and the device set wire-device.sh writes (the
# pc machine or, for arm64, virt; dcaccel; pci-testdev). No docs, tools,
# user mode, blobs, or optional libraries.
case "${GUEST_ARCH:-amd64}" in
amd64) target=x86_64 build_dir=build-dcaccel kvm=--enable-kvm extra=() ;;
# an arm64 guest on this x86-64 host: TCG only; virt describes its
# hardware to the kernel in a device tree (Debian's libfdt-dev)
arm64)
	target=aarch64 build_dir=build-dcaccel-aarch64 kvm=--disable-kvm
	extra=(--enable-fdt=system)
	;;
*)
	echo "build-qemu: GUEST_ARCH=$GUEST_ARCH: amd64 or arm64" >&2
	exit 2
	;;
esac
config=(
	"--target-list=$target-softmmu"
	--without-default-features
	--without-default-devices "--with-devices-$target=dcaccel"
	--enable-tcg "$kvm" "${extra[@]}"
	--disable-docs --disable-user --disable-tools
	--disable-install-blobs --disable-download
	--disable-werror
	--python=/usr/bin/python3	# Debian's meson module, not a pyenv python on PATH
)
build=$tree/$build_dir
"$here/build/configure-qemu.sh" "$tree" "$build_dir" "${config[@]}"

echo "build-qemu: building qemu-system-$target" >&2
nice -n 10 ninja -C "$build" -j2 "qemu-system-$target" >&2
echo "$build/qemu-system-$target"
