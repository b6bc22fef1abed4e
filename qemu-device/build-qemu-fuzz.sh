#!/usr/bin/env bash
# Build QEMU's own device fuzzer, qemu-fuzz-x86_64, with this checkout's
# dcaccel device, in the same cached QEMU tree as build-qemu.sh
# (${DCACCEL_CACHE:-$HOME/.cache/dcaccel}/qemu-<version>/build-fuzz/), and
# print its path (the only thing on stdout). Clang with libFuzzer, ASan
# and UBSan; only x86_64 system emulation, no TCG (the fuzzer drives the
# machine through qtest), and only the devices of the device set
# build/wire-device.sh writes (dcaccel.mak), as build-qemu.sh. Like build-qemu.sh, a second run
# recompiles only what changed.
#
# The tree is wired under the cache's build lock, which build-qemu.sh
# also takes; the long compile then runs under a lock of its own, so that
# a guest test's build-qemu.sh is not held up for its duration.
#
# Times on this machine (2 shared cores, -j2): cold (an empty build-fuzz/,
# the QEMU source already unpacked by build-qemu.sh) 8 min 15 s, configure
# included, while a dcc training run shared the cores (load 4 to 5);
# nothing changed 3 s; one device file changed: a compile and a link.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
checkout=$(cd "$here/.." && pwd)
cache=${DCACCEL_CACHE:-$HOME/.cache/dcaccel}
mkdir -p "$cache"

config=(
	--cc=clang --cxx=clang++ --host-cc=clang
	--target-list=x86_64-softmmu
	--without-default-features
	--without-default-devices --with-devices-x86_64=dcaccel
	--disable-tcg --enable-kvm
	--enable-fuzzing --enable-asan --enable-ubsan
	--disable-docs --disable-user --disable-tools
	--disable-install-blobs --disable-download
	--disable-werror
	--python=/usr/bin/python3
)

missing=()
for tool in clang clang++; do
	command -v "$tool" > /dev/null || missing+=("$tool")
done
if [ ${#missing[@]} -gt 0 ]; then
	echo "build-qemu-fuzz: ${missing[*]} not found (Debian: clang)" >&2
	exit 1
fi

exec 9> "$cache/qemu-build.lock"
flock 9
"$here/build/qemu-deps.sh"
tree=$("$here/build/qemu-source.sh")
"$here/build/wire-device.sh" "$tree" "$checkout"
"$here/build/wire-fuzz.sh" "$tree"

build=$tree/build-fuzz
"$here/build/configure-qemu.sh" "$tree" build-fuzz "${config[@]}"

exec 8> "$cache/qemu-fuzz-build.lock"
flock 8
flock -u 9
echo "build-qemu-fuzz: building qemu-fuzz-x86_64" >&2
nice -n 10 ninja -C "$build" -j2 qemu-fuzz-x86_64 >&2
echo "$build/qemu-fuzz-x86_64"
