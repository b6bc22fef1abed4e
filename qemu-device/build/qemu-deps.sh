#!/usr/bin/env bash
# Make Debian's QEMU 10.0 source and its build dependencies reachable and
# installed: a bookworm-backports sources entry (deb for meson >= 1.5 and
# python3-pycotap, deb-src for the qemu source package), then the build
# tools and the run-time firmware (seabios, qemu-system-data) from Debian's
# archive. Does nothing when everything is already in place.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)

sources=/etc/apt/sources.list.d/dcaccel-backports.sources
main_pkgs=$(sed -e 's/#.*//' -e '/^[[:space:]]*$/d' "$here/../../scripts/deps/qemu.list")
# These must come from bookworm-backports: bookworm's meson is too old for
# QEMU 10, pycotap is not in bookworm, and the option ROMs should match.
bpo_pkgs="meson python3-pycotap seabios qemu-system-data"

as_root() {
	if [ "$(id -u)" -ne 0 ]; then
		echo "qemu-deps: root is needed to $*" >&2
		exit 1
	fi
}

is_installed() {
	dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'ok installed'
}

# Installed version of a package, empty when it is not installed.
installed_version() {
	is_installed "$1" && dpkg-query -W -f='${Version}' "$1" || true
}

if [ ! -f "$sources" ]; then
	as_root "add $sources"
	cat > "$sources" <<'SRC'
# dcaccel: QEMU 10.0 source and its newer build tools (qemu-device/build-qemu.sh).
Types: deb deb-src
URIs: http://deb.debian.org/debian
Suites: bookworm-backports
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SRC
	echo "qemu-deps: added $sources" >&2
	apt-get update -qq >&2
elif ! apt-cache showsrc qemu 2>/dev/null | grep -q '^Version: [0-9]*:10\.0\.'; then
	as_root "run apt-get update"
	apt-get update -qq >&2
fi

missing_main=()
for p in $main_pkgs; do
	is_installed "$p" || missing_main+=("$p")
done
missing_bpo=()
for p in $bpo_pkgs; do
	v=$(installed_version "$p")
	case "$p:$v" in
	*:) missing_bpo+=("$p") ;;
	*:*bpo*) ;;
	meson:*) dpkg --compare-versions "$v" ge 1.5 || missing_bpo+=("$p") ;;
	qemu-system-data:*) dpkg --compare-versions "$v" ge 1:10.0 || missing_bpo+=("$p") ;;
	esac
done

export DEBIAN_FRONTEND=noninteractive
if [ ${#missing_main[@]} -gt 0 ]; then
	as_root "install ${missing_main[*]}"
	echo "qemu-deps: installing ${missing_main[*]}" >&2
	apt-get install -y -qq --no-install-recommends "${missing_main[@]}" > /dev/null
fi
if [ ${#missing_bpo[@]} -gt 0 ]; then
	as_root "install ${missing_bpo[*]}"
	echo "qemu-deps: installing ${missing_bpo[*]} from bookworm-backports" >&2
	apt-get install -y -qq --no-install-recommends -t bookworm-backports \
		"${missing_bpo[@]}" > /dev/null
fi
