#!/usr/bin/env bash
# Build dcaccel.ko against the cached Debian 6.12 headers (fetch-kernel.sh;
# DCACCEL_KERNEL=debug: the debug kernel's; GUEST_ARCH=arm64: Debian's arm64
# kernel's, cross-compiled) in a scratch copy, build/module/
# (build/module-VERSION/ for another kernel, so that the lanes do not
# clobber each other), so that the tree keeps no kbuild output; print the
# module's path.
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
kdir=$("$top/tests/guest/fetch-kernel.sh")
mod=$top/build/module
[ "${DCACCEL_KERNEL:-stock}" = stock ] && [ "${GUEST_ARCH:-amd64}" = amd64 ] ||
	mod+=-$(cat "$kdir/version")
# DCACCEL_RENDER_NODE=y: the render-node driver (Kbuild), a dir of its own
[ -z "${DCACCEL_RENDER_NODE:-}" ] || mod+=-render
rm -rf "$mod"
mkdir -p "$mod"
cp -r "$top/Kbuild" "$top/drivers" "$top/include" "$top/uapi" "$mod/"
nice -n 10 make -s -C "$kdir/headers" M="$mod" -j2 \
	${DCACCEL_RENDER_NODE:+DCACCEL_RENDER_NODE=y} >&2
echo "$mod/dcaccel.ko"
