#!/usr/bin/env bash
# Build the debug kernel: Debian's 6.12 source (linux-source-6.12, the same
# version as the stock kernel that fetch-kernel.sh fetches) with KASAN,
# lockdep, kmemleak, debugobjects, list/sg/VM debugging, UBSan and DMA-API
# debugging, on a config trimmed to what the test guest uses
# (debug-kernel.config). Built once into the cache, again only when the
# source version, the config fragment, this script or the compiler change.
# Prints the kernel dir, laid out like fetch-kernel.sh's:
#
#   DIR/version        the kernel release, e.g. 6.12.117-dcaccel-debug
#   DIR/vmlinuz        the kernel image (DIR/build/vmlinux has the symbols)
#   DIR/root/lib/modules/VERSION   its modules (depmod'ed)
#   DIR/headers        for `make -C DIR/headers M=$PWD` (the build tree)
#   DIR/kselftest/     kselftest_harness.h, kselftest.h
#   DIR/cmdline        kernel arguments the guest boots this kernel with
#   DIR/build-seconds  how long the build took
#
# The tests use it through DCACCEL_KERNEL=debug (see fetch-kernel.sh).
# Environment: DCACCEL_CACHE, DEBUG_KERNEL_JOBS (default: nproc).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
cache=${DCACCEL_CACHE:-$HOME/.cache/dcaccel}
fragment=$here/debug-kernel.config
jobs=${DEBUG_KERNEL_JOBS:-$(nproc)}

for tool in gcc make bc bison flex xz depmod perl; do
	if ! command -v "$tool" > /dev/null; then
		echo "build-debug-kernel: $tool is missing (scripts/install-deps.sh debug-kernel)" >&2
		exit 1
	fi
done
[ -f /usr/include/libelf.h ] && [ -f /usr/include/openssl/ssl.h ] || {
	echo "build-debug-kernel: libelf-dev and libssl-dev are needed" \
		"(scripts/install-deps.sh debug-kernel)" >&2
	exit 1
}

versions=$("$here/debian-kernel-version.sh")
read -r _ src_ver <<< "$versions"		# 6.12.117-1~deb12u1
key=$( { echo "$src_ver"; gcc --version | head -n1; cat "$fragment" "$0"; } |
	sha256sum | cut -c1-12)
top=$cache/debug-kernel
kdir=$top/$src_ver-$key
if [ -f "$kdir/.complete" ]; then
	echo "$kdir"
	exit 0
fi

mkdir -p "$top"
exec 9> "$top/.lock"
flock 9
[ -f "$kdir/.complete" ] && { echo "$kdir"; exit 0; }

start=$(date +%s)
echo "build-debug-kernel: building linux-source-6.12 $src_ver with the debug" \
	"options into $kdir (-j$jobs; half an hour or more on 2 cores)" >&2
rm -rf "$kdir"
mkdir -p "$kdir/src" "$kdir/build" "$kdir/root" "$kdir/kselftest"
log=$kdir/build.log
fail() {
	tail -n 40 "$log" >&2
	echo "build-debug-kernel: $1 (whole log: $log)" >&2
	exit 1
}

(cd "$kdir" && apt-get download -qq "linux-source-6.12=$src_ver" >&2 2>&1)
dpkg-deb --fsys-tarfile "$kdir"/linux-source-6.12_*.deb |
	tar -xO ./usr/src/linux-source-6.12.tar.xz |
	tar -xJ -C "$kdir/src" --strip-components=1
rm -f "$kdir"/linux-source-6.12_*.deb

# The DRM helpers dcaccel links against and device coredumps are invisible
# symbols that only GPU (and other) drivers select; give them prompts
# rather than build such a driver. Nothing else in the source changes.
prompt() {	# prompt KCONFIG_FILE TYPE SYMBOL...
	local file=$kdir/src/$1 type=$2 sym
	shift 2
	for sym in "$@"; do
		perl -0pi -e "s/^config $sym\n\t$type\n/config $sym\n\t$type \"$sym (dcaccel debug kernel)\"\n/m" "$file"
		grep -qxF "	$type \"$sym (dcaccel debug kernel)\"" "$file" ||
			{ echo "build-debug-kernel: config $sym in $1 has changed" >&2; exit 1; }
	done
}
prompt drivers/gpu/drm/Kconfig tristate DRM_KMS_HELPER DRM_EXEC DRM_GEM_SHMEM_HELPER DRM_SCHED
prompt drivers/base/Kconfig bool WANT_DEV_COREDUMP

kmake() { make -C "$kdir/src" O="$kdir/build" "$@" >> "$log" 2>&1; }
kmake tinyconfig || fail "make tinyconfig failed"
"$kdir/src/scripts/kconfig/merge_config.sh" -m -O "$kdir/build" \
	"$kdir/build/.config" "$fragment" >> "$log" 2>&1 || fail "merging the config failed"
kmake olddefconfig || fail "make olddefconfig failed"
# Every line of the fragment must have survived olddefconfig's dependencies.
lost=$(while read -r line; do
	case "$line" in
	CONFIG_*=*) grep -qxF "$line" "$kdir/build/.config" || echo "$line" ;;
	"# CONFIG_"*" is not set")
		sym=${line#\# }; sym=${sym%% *}
		! grep -q "^$sym=" "$kdir/build/.config" || echo "$line" ;;
	esac
done < "$fragment")
if [ -n "$lost" ]; then
	echo "build-debug-kernel: these settings of $fragment did not survive make olddefconfig:" >&2
	echo "$lost" >&2
	exit 1
fi

echo "build-debug-kernel: config done, compiling (log: $log)" >&2
nice -n 5 make -C "$kdir/src" O="$kdir/build" -j"$jobs" bzImage modules >> "$log" 2>&1 ||
	fail "the kernel build failed"
kmake INSTALL_MOD_PATH="$kdir/root" modules_install || fail "modules_install failed"
kver=$(make -s -C "$kdir/src" O="$kdir/build" kernelrelease)
depmod -b "$kdir/root" "$kver"

echo "$kver" > "$kdir/version"
cp "$kdir/build/arch/x86/boot/bzImage" "$kdir/vmlinuz"
ln -s build "$kdir/headers"
cp "$kdir/src/tools/testing/selftests/kselftest_harness.h" \
	"$kdir/src/tools/testing/selftests/kselftest.h" "$kdir/kselftest/"
# guest-init.sh fails the run when these detectors are missing or turned
# themselves off, and ends it with a kmemleak scan.
echo "dcaccel_guest.expect=kmemleak,lockdep" > "$kdir/cmdline"
# Objects are only needed to rebuild the kernel, which never happens here
# (a change makes a new DIR); vmlinux (symbols) and what building an
# out-of-tree module needs stay.
find "$kdir/build" -name '*.o' ! -path "$kdir/build/scripts/*" \
	! -path "$kdir/build/tools/*" -delete
rm -f "$kdir/build/vmlinux.a" "$kdir/build/vmlinux.o"

"$here/check-headers.sh" "$kdir/headers"
end=$(date +%s)
echo "$((end - start))" > "$kdir/build-seconds"
touch "$kdir/.complete"
# Older builds (other versions or options) are not used any more.
for old in "$top"/*/; do
	[ "${old%/}" = "$kdir" ] || rm -rf "${old%/}"
done
echo "build-debug-kernel: built $kver in $((end - start)) s" \
	"(load average now $(cut -d' ' -f1-3 /proc/loadavg))" >&2
echo "$kdir"
