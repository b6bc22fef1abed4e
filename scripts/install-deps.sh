#!/usr/bin/env bash
# Install the Debian packages that the named groups need, skipping those
# already present. A group is a file scripts/deps/GROUP.list, one package a
# line, '#' comments. Usage: install-deps.sh GROUP...|all  (default: build)
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
for group in "${groups[@]}"; do
	list=$deps_dir/$group.list
	if [ ! -f "$list" ]; then
		echo "install-deps: unknown group '$group' (no $list)" >&2
		exit 2
	fi
	while read -r pkg; do
		want+=("$pkg")
	done < <(sed -e 's/#.*//' -e '/^[[:space:]]*$/d' "$list")
done

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
