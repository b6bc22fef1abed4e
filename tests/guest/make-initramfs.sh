#!/usr/bin/env bash
# Build the guest's initramfs: busybox, the kernel's DRM modules (with
# everything they depend on, decompressed and depmod'ed so that busybox's
# `modprobe drm` works), out-of-tree modules under
# /lib/modules/VERSION/updates/ (so `modprobe NAME` works), and the guest
# test programs under /tests (dynamic ones with their libraries), any other
# files under /data (programs among them get their libraries too), with
# guest-init.sh as /init.
#
# Usage: make-initramfs.sh KERNEL_DIR OUT.cpio.gz [--module FILE.ko]...
#                          [--tests DIR]... [--files DIR]...
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)

usage() {
	echo "usage: make-initramfs.sh KERNEL_DIR OUT.cpio.gz [--module FILE.ko]... [--tests DIR]... [--files DIR]..." >&2
	exit 2
}
[ $# -ge 2 ] || usage
kdir=$1 out=$2
shift 2
modules=() test_dirs=() file_dirs=()
while [ $# -gt 0 ]; do
	case "$1" in
	--module) [ $# -ge 2 ] || usage; modules+=("$2"); shift 2 ;;
	--tests) [ $# -ge 2 ] || usage; test_dirs+=("$2"); shift 2 ;;
	--files) [ $# -ge 2 ] || usage; file_dirs+=("$2"); shift 2 ;;
	*) usage ;;
	esac
done
kver=$(cat "$kdir/version")
kroot=$kdir/root
# GUEST_BUSYBOX: another static busybox; an arm64 kernel's dir has its
# own (fetch-kernel.sh)
busybox=${GUEST_BUSYBOX:-}
[ -n "$busybox" ] || [ ! -x "$kdir/busybox" ] || busybox=$kdir/busybox
[ -n "$busybox" ] || busybox=$(command -v busybox || true)
if [ -z "$busybox" ] || ! file -L "$busybox" | grep -q 'statically linked'; then
	echo "make-initramfs: a static busybox is needed (apt-get install busybox-static)" >&2
	exit 1
fi

stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
mkdir -p "$stage"/{bin,sbin,dev,proc,sys,tmp,run,etc,tests,data,lib/modules/"$kver"}
cp "$busybox" "$stage/bin/busybox"
# the applets this busybox has (the guest's: run here only when it is ours)
applets=$("$busybox" --list 2>/dev/null || command busybox --list)
for applet in $applets; do
	[ -e "$stage/bin/$applet" ] || ln -s busybox "$stage/bin/$applet"
done
install -m 755 "$here/guest-init.sh" "$stage/init"

# Kernel modules: the DRM core and helpers an accel driver uses, the
# dependencies of the out-of-tree modules, and what those need in turn.
wanted="drm drm_kms_helper drm_shmem_helper drm_exec gpu-sched"
for ko in "${modules[@]}"; do
	[ -f "$ko" ] || { echo "make-initramfs: no module $ko" >&2; exit 1; }
	wanted+=" $(modinfo -F depends "$ko" | tr ',' ' ')"
done
moddir=$stage/lib/modules/$kver
for name in $wanted; do
	# modprobe prints the insmod lines of NAME and all its dependencies.
	modprobe -d "$kroot" -S "$kver" --show-depends "$name" |
		awk '$1 == "insmod" { print $2 }'
done | sort -u | while read -r path; do
	rel=${path#"$kroot/lib/modules/$kver/"}
	mkdir -p "$moddir/$(dirname "$rel")"
	case "$rel" in
	*.ko.xz) xz -dc "$path" > "$moddir/${rel%.xz}" ;;
	*) cp "$path" "$moddir/$rel" ;;
	esac
done
cp "$kroot/lib/modules/$kver"/modules.{order,builtin,builtin.modinfo} "$moddir/"
if [ ${#modules[@]} -gt 0 ]; then
	mkdir -p "$moddir/updates"
	cp "${modules[@]}" "$moddir/updates/"
fi
depmod -b "$stage" "$kver"

# Test programs, and the shared libraries of the dynamic ones.
for dir in "${test_dirs[@]}"; do
	[ -d "$dir" ] || { echo "make-initramfs: no test directory $dir" >&2; exit 1; }
	find "$dir" -maxdepth 1 -type f -perm -u+x -exec cp {} "$stage/tests/" \;
done
for dir in "${file_dirs[@]}"; do
	[ -d "$dir" ] || { echo "make-initramfs: no directory $dir" >&2; exit 1; }
	cp -rL "$dir/." "$stage/data/"
done
for prog in "$stage"/tests/* "$stage"/data/*; do
	[ -f "$prog" ] || continue
	file -L "$prog" | grep -q 'dynamically linked' || continue
	ldd "$prog" | grep -oE '/[^ ]+' | while read -r lib; do
		mkdir -p "$stage$(dirname "$lib")"
		cp -L "$lib" "$stage$lib"
	done
done

mkdir -p "$(dirname "$out")"
(cd "$stage" && find . | LC_ALL=C sort | cpio -o -H newc --quiet) | gzip -1 > "$out.tmp"
mv "$out.tmp" "$out"
