#!/usr/bin/env bash
# Install the Debian packages that the named groups need, skipping those
# already present. A group is a file scripts/deps/GROUP.list, one package a
# line, '#' comments; a line "@arch ARCH" adds a foreign dpkg architecture
# (its packages come from the same archive). Usage: install-deps.sh
# GROUP...|all  (default: build)
set -euo pipefail
deps_dir=$(cd "$(dirname "$0")" && pwd)/deps

groups=("${@:-build}")
if [ "${groups[0]}" = all ]; then
	groups=()
	for list in "$deps_dir"/*.list; do
		groups+=("$(basename "$list" .list)")
	done
fi

want=()
archs=()
for group in "${groups[@]}"; do
	list=$deps_dir/$group.list
	if [ ! -f "$list" ]; then
		echo "install-deps: unknown group '$group' (no $list)" >&2
		exit 2
	fi
	while read -r pkg arch; do
		if [ "$pkg" = @arch ]; then
			archs+=("$arch")
		else
			want+=("$pkg")
		fi
	done < <(sed -e 's/#.*//' -e '/^[[:space:]]*$/d' "$list")
done

new_arch=0
for arch in "${archs[@]}"; do
	dpkg --print-foreign-architectures | grep -qx "$arch" && continue
	if [ "$(id -u)" -ne 0 ]; then
		echo "install-deps: root is needed to add the $arch architecture" >&2
		exit 1
	fi
	echo "install-deps: adding the $arch architecture to dpkg"
	dpkg --add-architecture "$arch"
	new_arch=1
done
# its package lists, even when nothing is to be installed
[ "$new_arch" -eq 0 ] || apt-get update -qq

missing=()
for p in "${want[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' ||
		missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
	echo "install-deps: root is needed to install: ${missing[*]}" >&2
	exit 1
fi
echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
