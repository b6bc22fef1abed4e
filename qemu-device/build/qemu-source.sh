#!/usr/bin/env bash
# Fetch and unpack Debian's QEMU 10.0.x source into the cache, once per
# upstream version, and print the tree's path. The version is resolved at
# run time from the deb-src index. Only the orig tarball is needed: the
# .dsc of a superseded backports version may already be gone from the
# archive while its orig tarball still downloads.
set -euo pipefail

cache=${DCACCEL_CACHE:-$HOME/.cache/dcaccel}
mkdir -p "$cache/src"

debver=$(apt-cache showsrc qemu | sed -n 's/^Version: //p' |
	grep -E '^([0-9]+:)?10\.0\.' | sort -V | tail -n1 || true)
if [ -z "$debver" ]; then
	echo "qemu-source: no qemu 10.0.x source in the apt index (is the" \
		"bookworm-backports deb-src entry there? run qemu-deps.sh)" >&2
	exit 1
fi
upver=${debver#*:}		# drop the epoch
upver=${upver%-*}		# drop the Debian revision: 10.0.2+ds
plain=${upver%%+*}		# 10.0.2
tarball=$cache/src/qemu_$upver.orig.tar.xz
tree=$cache/qemu-$plain

if [ ! -f "$tree/.dcaccel-unpacked" ]; then
	if [ ! -s "$tarball" ]; then
		echo "qemu-source: downloading qemu $debver" >&2
		# apt-get fails when the .dsc or .debian.tar is gone; the orig
		# tarball is what counts, checked below.
		(cd "$cache/src" && apt-get source --download-only -qq \
			"qemu=$debver" >&2 2>&1) || true
	fi
	if [ ! -s "$tarball" ]; then
		echo "qemu-source: could not download $(basename "$tarball")" >&2
		exit 1
	fi
	echo "qemu-source: unpacking into $tree" >&2
	rm -rf "$tree" "$tree.tmp"
	mkdir -p "$tree.tmp"
	tar -xf "$tarball" -C "$tree.tmp" --strip-components=1
	# No firmware blobs in the +ds tarball: do not try to unpack edk2.
	sed -i 's/^\( *unpack_edk2_blobs = \)bzip2\.found()/\1false/' \
		"$tree.tmp/meson.build"
	! grep -q 'unpack_edk2_blobs = bzip2' "$tree.tmp/meson.build" || {
		echo "qemu-source: edk2 unpacking not found in meson.build" >&2
		exit 1
	}
	echo "$debver" > "$tree.tmp/.dcaccel-unpacked"
	mv "$tree.tmp" "$tree"
fi
echo "$tree"
