#!/usr/bin/env bash
# Kernel style of the dcaccel driver, as TAP: checkpatch.pl --strict over
# every driver source and the uAPI header (one result per file), a W=1
# build without warnings, and a sparse run (make C=2) without warnings.
# The module is built in a scratch copy, so the tree stays clean.
#
# Usage: scripts/check-kernel-style.sh
# Environment: KDIR (kernel headers; default: tests/guest/fetch-kernel.sh's),
#   CHECKPATCH (checkpatch.pl; default: taken from Debian's
#   linux-source-6.12 into ${DCACCEL_CACHE:-~/.cache/dcaccel}/checkpatch).
set -euo pipefail
cd "$(dirname "$0")/.."
top=$PWD
cache=${DCACCEL_CACHE:-$HOME/.cache/dcaccel}

n=0 failed=0
result() {	# result 0|1 DESCRIPTION [DIAGNOSTIC FILE]
	n=$((n + 1))
	if [ "$1" -eq 0 ]; then
		echo "ok $n - $2"
	else
		failed=$((failed + 1))
		echo "not ok $n - $2"
		[ -n "${3:-}" ] && sed 's/^/# /' "$3" | head -n 40
	fi
	return 0
}
bail() {
	echo "Bail out! $*"
	exit 1
}

# checkpatch.pl and the data files next to it, from linux-source-6.12.
find_checkpatch() {
	local dir=$cache/checkpatch deb
	if [ -n "${CHECKPATCH:-}" ]; then
		echo "$CHECKPATCH"
		return
	fi
	if [ ! -f "$dir/.complete" ]; then
		mkdir -p "$dir"
		echo "# fetching checkpatch.pl from linux-source-6.12" >&2
		(cd "$dir" && apt-get download -qq linux-source-6.12 >&2) ||
			return 1
		deb=$(ls "$dir"/linux-source-6.12_*.deb | head -n 1)
		dpkg-deb --fsys-tarfile "$deb" |
			tar -xO ./usr/src/linux-source-6.12.tar.xz |
			tar -xJ -C "$dir" --strip-components=2 \
				linux-source-6.12/scripts/checkpatch.pl \
				linux-source-6.12/scripts/spelling.txt \
				linux-source-6.12/scripts/const_structs.checkpatch
		rm -f "$deb"
		touch "$dir/.complete"
	fi
	echo "$dir/checkpatch.pl"
}

kdir=${KDIR:-}
if [ -z "$kdir" ]; then
	kdir=$(tests/guest/fetch-kernel.sh)/headers || bail "no kernel headers"
fi
[ -f "$kdir/Makefile" ] || bail "no kernel headers at $kdir"
command -v sparse > /dev/null ||
	bail "sparse is not installed (scripts/install-deps.sh kernel-style)"
checkpatch=$(find_checkpatch) || bail "cannot get checkpatch.pl"

files=(drivers/accel/dcaccel/*.[ch] uapi/drm/dcaccel_accel.h)
echo "TAP version 13"
echo "1..$((${#files[@]} + 2))"

out=$(mktemp)
scratch=$(mktemp -d)
trap 'rm -rf "$out" "$scratch"' EXIT

for f in "${files[@]}"; do
	perl "$checkpatch" --strict --no-tree --terse --show-types \
		--ignore FILE_PATH_CHANGES -f "$f" > "$out" 2>&1 || true
	# --terse: one "file:line: LEVEL:TYPE: message" line per finding
	ok=0
	grep -qE ': (ERROR|WARNING|CHECK):' "$out" && ok=1
	result $ok "checkpatch --strict $f" "$out"
done

# A scratch copy of what the module build reads.
mkdir -p "$scratch/src"
cp -r Kbuild drivers include uapi "$scratch/src/"
make_module() {	# make_module ARGS... > log
	nice -n 10 make -s -C "$kdir" M="$scratch/src" -j2 "$@" 2>&1
}

status=0
make_module W=1 > "$out" || status=$?
# W=1 clean: the build succeeds and the compiler says nothing
ok=1
[ "$status" -eq 0 ] && ! grep -qE 'warning:|error:' "$out" && ok=0
result $ok "W=1 build of dcaccel.ko has no warnings" "$out"

make_module clean > /dev/null || true
status=0
make_module C=2 > "$out" || status=$?
# sparse reports as "file:line:col: warning|error: ..."
ok=1
[ "$status" -eq 0 ] && ! grep -qE '(warning|error):' "$out" && ok=0
result $ok "sparse (make C=2) is clean" "$out"

[ "$failed" -eq 0 ]
