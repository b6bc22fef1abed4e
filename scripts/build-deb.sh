#!/usr/bin/env bash
# `make deb`: the Debian packages of debian/ -- dcaccel-dkms, libaccel1,
# libaccel-dev, dcaccel-tools (and the -dbgsym packages of the last three's
# binaries) -- built with dpkg-buildpackage -b from a copy of the tree in
# OUT_DIR/src, so that what dpkg-buildpackage writes beside the tree lands
# in OUT_DIR and nothing outside build/. Then lintian on the result.
#
# Usage: scripts/build-deb.sh [OUT_DIR]   (default build/deb)
# DEB_BUILD_OPTIONS is passed on (nocheck skips the build-time tests).
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
out=$(mkdir -p "${1:-build/deb}" && cd "${1:-build/deb}" && pwd)

scripts/install-deps.sh build dcc deb

version=$(dpkg-parsechangelog -S Version)
rm -rf "${out:?}"/*
src=$out/src/dcaccel-$version
mkdir -p "$src"
# The tree as it stands (tracked and new files, not what git ignores),
# without build/; a copy that is not a git checkout takes every file.
if git rev-parse --is-inside-work-tree > /dev/null 2>&1; then
	git ls-files -z --cached --others --exclude-standard |
		tar --null -T - --ignore-failed-read -cf - 2> /dev/null | tar -xf - -C "$src"
else
	tar --exclude=./build --exclude=./.git -cf - . | tar -xf - -C "$src"
fi

echo "build-deb: dpkg-buildpackage -b in $src" >&2
(cd "$src" && nice -n 10 dpkg-buildpackage -b -us -uc -j2 > "$out/build.log" 2>&1) || {
	tail -n 40 "$out/build.log" >&2
	echo "build-deb: dpkg-buildpackage failed (all of it in $out/build.log)" >&2
	exit 1
}
mv "$out"/src/*.deb "$out"/src/*.ddeb "$out"/src/*.changes "$out"/src/*.buildinfo "$out/" 2> /dev/null || true
rm -rf "$out/src"
ls "$out"/*.deb
echo "build-deb: lintian" >&2
lintian --info --display-level '>=pedantic' "$out"/*.changes || true
