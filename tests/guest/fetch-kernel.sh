#!/usr/bin/env bash
# Fetch Debian's newest 6.12 kernel (image, modules, headers, kbuild) from
# bookworm-security into the cache without installing anything system-wide,
# make the headers usable from there, take kselftest_harness.h and
# kselftest.h out of linux-source-6.12, and print the kernel's cache dir:
#
#   DIR/version        the kernel release, e.g. 6.12.117+deb12-amd64
#   DIR/vmlinuz        the kernel image
#   DIR/root/lib/modules/VERSION   its modules (depmod'ed)
#   DIR/headers        for `make -C DIR/headers M=$PWD`
#   DIR/kselftest/     kselftest_harness.h, kselftest.h
#
# Nothing goes to /boot or /lib/modules of this machine.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
cache=${DCACCEL_CACHE:-$HOME/.cache/dcaccel}
mkdir -p "$cache/kernel"

# The metapackages name the current version.
dep_of() {
	apt-cache depends "$1" 2>/dev/null | sed -n 's/^ *Depends: //p' | grep "^$2" | head -n1 || true
}
image_pkg=$(dep_of linux-image-6.12-amd64 linux-image-6.12.)
if [ -z "$image_pkg" ] && [ "$(id -u)" -eq 0 ]; then
	apt-get update -qq >&2	# a new machine's index may predate 6.12
	image_pkg=$(dep_of linux-image-6.12-amd64 linux-image-6.12.)
fi
headers_pkg=$(dep_of linux-headers-6.12-amd64 linux-headers-6.12.)
if [ -z "$image_pkg" ] || [ -z "$headers_pkg" ]; then
	echo "fetch-kernel: linux-image-6.12-amd64 / linux-headers-6.12-amd64 not in" \
		"the apt index (is bookworm-security in the sources? apt-get update?)" >&2
	exit 1
fi
kver=${image_pkg#linux-image-}			# 6.12.117+deb12-amd64
flavourless=${kver%-amd64}			# 6.12.117+deb12
kdir=$cache/kernel/$kver
if [ -f "$kdir/.complete" ]; then
	echo "$kdir"
	exit 0
fi

exec 9> "$cache/kernel/.lock"
flock 9
[ -f "$kdir/.complete" ] && { echo "$kdir"; exit 0; }

src_ver=$(apt-cache policy "$image_pkg" | sed -n 's/^ *Candidate: //p')
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

"$here/check-headers.sh" "$kdir/headers"
touch "$kdir/.complete"
echo "$kdir"
