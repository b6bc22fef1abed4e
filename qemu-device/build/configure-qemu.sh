#!/usr/bin/env bash
# Configure a build directory of the cached QEMU tree, from scratch, when
# it has none yet or its configure options changed (they are kept in
# .dcaccel-configure); otherwise do nothing: ninja rebuilds what changed.
#
# Usage: configure-qemu.sh TREE BUILD_DIR CONFIGURE_OPTION...
set -euo pipefail
tree=$1 build=$1/$2
shift 2
stamp=$build/.dcaccel-configure
if [ ! -f "$build/build.ninja" ] || [ "$(cat "$stamp" 2>/dev/null)" != "$*" ]; then
	echo "configure-qemu: configuring $build" >&2
	rm -rf "$build"
	mkdir -p "$build"
	(cd "$build" && nice -n 10 ../configure "$@" >&2)
	echo "$*" > "$stamp"
fi
