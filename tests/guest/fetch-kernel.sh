#!/usr/bin/env bash
# Fetch Debian's newest 6.12 kernel (image, modules, headers, kbuild) from
# bookworm-security into the cache without installing anything system-wide
# (GUEST_ARCH=arm64: the arm64 one, for a cross-built module),
# make the headers usable from there, take kselftest_harness.h and
# kselftest.h out of linux-source-6.12, and print the kernel's cache dir:
#
#   DIR/version        the kernel release, e.g. 6.12.117+deb12-amd64
#   DIR/vmlinuz        the kernel image
#   DIR/root/lib/modules/VERSION   its modules (depmod'ed)
#   DIR/headers        for `make -C DIR/headers M=$PWD`
#   DIR/kselftest/     kselftest_harness.h, kselftest.h
#   DIR/busybox        arm64 only: busybox-static:arm64's, for its initramfs
#
# Nothing goes to /boot or /lib/modules of this machine.
#
# DCACCEL_KERNEL chooses another kernel with the same layout, for every
# script that asks this one (run-guest.sh, build-module.sh, the kselftests'
# run-in-guest.sh): "debug" is the debug kernel (build-debug-kernel.sh,
# built from the same Debian version), a directory is taken as it is;
# unset or "stock" is Debian's kernel.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
cache=${DCACCEL_CACHE:-$HOME/.cache/dcaccel}

case "${DCACCEL_KERNEL:-stock}" in
stock) ;;
debug) exec "$here/build-debug-kernel.sh" ;;
*)
	kdir=$(realpath "$DCACCEL_KERNEL")
	for f in version vmlinuz headers/Makefile kselftest/kselftest_harness.h; do
		if [ ! -e "$kdir/$f" ]; then
			echo "fetch-kernel: DCACCEL_KERNEL=$DCACCEL_KERNEL has no $f" \
				"(want stock, debug or a kernel directory)" >&2
			exit 1
		fi
	done
	echo "$kdir"
	exit 0
	;;
esac
mkdir -p "$cache/kernel"

versions=$("$here/debian-kernel-version.sh")
read -r kver src_ver <<< "$versions"		# 6.12.117+deb12-amd64 6.12.117-1~deb12u1
flavourless=${kver%-amd64}			# 6.12.117+deb12
image_pkg=linux-image-$kver
headers_pkg=linux-headers-$kver
case "${GUEST_ARCH:-amd64}" in
amd64) ;;
arm64)
	# The same version for arm64 (dpkg --add-architecture arm64): its
	# image and headers, with this machine's kbuild tools (fixdep,
	# modpost... run here; the headers cross-compile with
	# aarch64-linux-gnu-gcc-12, which their .kernelvariables names)
	kver=$flavourless-arm64
	image_pkg=linux-image-$kver:arm64
	headers_pkg=linux-headers-$kver:arm64
	if ! dpkg --print-foreign-architectures | grep -qx arm64; then
		echo "fetch-kernel: GUEST_ARCH=arm64 needs dpkg --add-architecture arm64" \
			"and apt-get update" >&2
		exit 1
	fi
	;;
*)
	echo "fetch-kernel: GUEST_ARCH=$GUEST_ARCH: amd64 or arm64" >&2
	exit 2
	;;
esac
kdir=$cache/kernel/$kver
# An arm64 guest's initramfs needs an arm64 busybox, which cannot be
# installed beside this machine's: extracted next to its kernel.
busybox_ready() {
	[ "${GUEST_ARCH:-amd64}" = amd64 ] || [ -x "$kdir/busybox" ]
}
fetch_busybox() {
	local tmp
	tmp=$(mktemp -d)
	(cd "$tmp" && apt-get download -qq "busybox-static:$GUEST_ARCH" >&2 2>&1)
	dpkg-deb -x "$tmp"/busybox-static_*.deb "$tmp/root"
	install -m 755 "$tmp/root/bin/busybox" "$kdir/busybox"
	rm -rf "$tmp"
}
if [ -f "$kdir/.complete" ] && busybox_ready; then
	echo "$kdir"
	exit 0
fi

exec 9> "$cache/kernel/.lock"
flock 9
if [ -f "$kdir/.complete" ]; then
	busybox_ready || fetch_busybox
	echo "$kdir"
	exit 0
fi

echo "fetch-kernel: fetching $kver ($src_ver)" >&2
rm -rf "$kdir"
mkdir -p "$kdir/debs" "$kdir/root" "$kdir/kselftest"
(cd "$kdir/debs" && apt-get download -qq "$image_pkg" "$headers_pkg" \
	"linux-headers-$flavourless-common" "linux-kbuild-$flavourless" \
	"linux-source-6.12=$src_ver" >&2 2>&1)
for deb in "$kdir"/debs/linux-{image,headers,kbuild}-*.deb; do
	dpkg-deb -x "$deb" "$kdir/root"
done

echo "$kver" > "$kdir/version"
ln -s "root/boot/vmlinuz-$kver" "$kdir/vmlinuz"
ln -s "root/usr/src/linux-headers-$kver" "$kdir/headers"
# The flavour's Makefile includes the -common tree by an absolute path.
sed -i "s|^include /usr/src/|include $kdir/root/usr/src/|" \
	"$kdir/root/usr/src/linux-headers-$kver/Makefile"
depmod -b "$kdir/root" "$kver"

echo "fetch-kernel: extracting kselftest headers from linux-source-6.12" >&2
dpkg-deb --fsys-tarfile "$kdir"/debs/linux-source-6.12_*.deb |
	tar -xO ./usr/src/linux-source-6.12.tar.xz |
	tar -xJ -C "$kdir/kselftest" --strip-components=4 \
		linux-source-6.12/tools/testing/selftests/kselftest_harness.h \
		linux-source-6.12/tools/testing/selftests/kselftest.h
rm -rf "$kdir/debs"
busybox_ready || fetch_busybox

"$here/check-headers.sh" "$kdir/headers"
touch "$kdir/.complete"
echo "$kdir"
