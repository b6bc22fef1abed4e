#!/usr/bin/env bash
# Build dcaccel.ko through DKMS against Debian's 6.12 headers (from the
# guest harness's cache), in private DKMS trees so that nothing of this
# machine's /usr/src, /var/lib/dkms or /lib/modules changes. Prints TAP.
# Usage: check-dkms.sh [SOURCE_DIR]: the module's source as DKMS takes it
# (dkms.conf, Kbuild, drivers/, include/, uapi/), by default this tree's;
# scripts/check-deb.sh gives the dcaccel-dkms package's /usr/src/dcaccel-*.
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
from=${1:-$top}
echo "1..3"

kdir=$("$top/tests/guest/fetch-kernel.sh") || {
	echo "not ok 1 - fetching the 6.12 headers failed"
	echo "not ok 2 - dkms build (no headers)"
	echo "not ok 3 - module vermagic (no headers)"
	exit 1
}
kver=$(cat "$kdir/version")
name=$(sed -n 's/^PACKAGE_NAME="\(.*\)"/\1/p' "$from/dkms.conf")
ver=$(sed -n 's/^PACKAGE_VERSION="\(.*\)"/\1/p' "$from/dkms.conf")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
src=$work/src/$name-$ver
mkdir -p "$src" "$work/tree" "$work/install"
cp -r "$from/dkms.conf" "$from/Kbuild" "$from/drivers" "$from/include" \
	"$from/uapi" "$src/"
trees=(--sourcetree "$work/src" --dkmstree "$work/tree"
	--installtree "$work/install")

if dkms add -m "$name" -v "$ver" "${trees[@]}" > "$work/add.log" 2>&1; then
	echo "ok 1 - dkms add $name/$ver"
else
	sed 's/^/# /' "$work/add.log"
	echo "not ok 1 - dkms add $name/$ver"
fi

if dkms build -m "$name" -v "$ver" -k "$kver" \
	--kernelsourcedir "$kdir/headers" "${trees[@]}" > "$work/build.log" 2>&1; then
	echo "ok 2 - dkms build for $kver"
else
	sed 's/^/# /' "$work/build.log" | tail -n 30
	echo "not ok 2 - dkms build for $kver"
fi

ko=$(find "$work/tree/$name/$ver/$kver" -name "$name.ko*" 2>/dev/null | head -n 1)
magic=
if [ -n "$ko" ]; then
	case "$ko" in
	*.xz) xz -dc "$ko" > "$work/m.ko" ;;
	*.zst) zstd -qdc "$ko" > "$work/m.ko" ;;
	*) cp "$ko" "$work/m.ko" ;;
	esac
	magic=$(modinfo -F vermagic "$work/m.ko" 2>/dev/null)
fi
case "$magic" in
"$kver "*) echo "ok 3 - built module's vermagic is $kver" ;;
*) echo "not ok 3 - built module's vermagic is '${magic:-none}', not $kver" ;;
esac
