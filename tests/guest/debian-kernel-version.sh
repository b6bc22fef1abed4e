#!/usr/bin/env bash
# Print the release and the Debian source version of Debian's newest 6.12
# amd64 kernel in the apt index, e.g. "6.12.117+deb12-amd64 6.12.117-1~deb12u1":
# the stock kernel (fetch-kernel.sh) and the debug kernel
# (build-debug-kernel.sh) are both built from that version.
set -euo pipefail

# The metapackage names the current version.
image_pkg() {
	apt-cache depends linux-image-6.12-amd64 2>/dev/null |
		sed -n 's/^ *Depends: //p' | grep '^linux-image-6.12.' | head -n1 || true
}
pkg=$(image_pkg)
if [ -z "$pkg" ] && [ "$(id -u)" -eq 0 ]; then
	apt-get update -qq >&2	# a new machine's index may predate 6.12
	pkg=$(image_pkg)
fi
if [ -z "$pkg" ]; then
	echo "debian-kernel-version: linux-image-6.12-amd64 is not in the apt index" \
		"(is bookworm-security in the sources? apt-get update?)" >&2
	exit 1
fi
src_ver=$(apt-cache policy "$pkg" | sed -n 's/^ *Candidate: //p')
echo "${pkg#linux-image-} $src_ver"
