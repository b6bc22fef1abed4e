#!/usr/bin/env bash
# The Debian packages, as a user gets them: `make deb` builds them
# (scripts/build-deb.sh: dpkg-buildpackage -b with the build-time tests, in
# a copy under build/deb), lintian has nothing to say, each package holds
# exactly its files, and, unpacked into a throw-away root (dpkg-deb -x, so
# that nothing of this machine changes): DKMS builds the packaged module
# source against Debian's 6.12 headers (scripts/check-dkms.sh, private
# trees), a program builds through the installed libaccel.pc and runs on
# the installed library, the installed dcaccel and dcc run, and the
# installed man pages agree with the installed programs and header.
# Prints TAP.
#
# Usage: scripts/check-deb.sh [OUT_DIR]   (default build/deb)
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
out=${1:-build/deb}
n=0
ok() { n=$((n + 1)); echo "ok $n - $*"; }
not_ok() { n=$((n + 1)); echo "not ok $n - $*"; }
# check DESCRIPTION COMMAND...: ok when the command succeeds, else its
# output as diagnostics
check() {
	local what=$1 log
	shift
	if log=$("$@" 2>&1); then
		ok "$what"
	else
		printf '%s\n' "$log" | tail -n 30 | sed 's/^/# /'
		not_ok "$what"
	fi
}
echo "1..19"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
root=$work/root
version=$(dpkg-parsechangelog -S Version)
ma=$(dpkg-architecture -qDEB_HOST_MULTIARCH)
arch=$(dpkg-architecture -qDEB_HOST_ARCH)
deb() { echo "$out/${1}_${version}_${2:-$arch}.deb"; }

# 1: the build, and nothing written beside the tree (what dpkg-buildpackage
# would leave there: the packages, .changes, .buildinfo)
beside() { (cd "$top/.." && ls -d dcaccel[-_]* libaccel[-_1]* 2> /dev/null); }
parent_before=$(beside)
if scripts/build-deb.sh "$out" > "$work/build.log" 2>&1; then
	ok "make deb: dpkg-buildpackage -b built the packages ($(ls "$out"/*.deb | wc -l) .deb)"
else
	tail -n 30 "$work/build.log" | sed 's/^/# /'
	not_ok "make deb: dpkg-buildpackage -b failed"
fi
if [ "$(beside)" = "$parent_before" ]; then
	ok "make deb wrote nothing beside the source tree"
else
	diff <(echo "$parent_before") <(beside) | sed 's/^/# /'
	not_ok "make deb wrote beside the source tree"
fi

# 3: one version everywhere
v_h=$(sed -n 's/^#define DCACCEL_VERSION "\(.*\)"/\1/p' userspace/common/version.h)
v_dkms=$(sed -n 's/^PACKAGE_VERSION="\(.*\)"/\1/p' dkms.conf)
if [ "$version" = "$v_h" ] && [ "$version" = "$v_dkms" ]; then
	ok "one version: debian/changelog, version.h and dkms.conf say $version"
else
	not_ok "versions differ: debian/changelog $version, version.h $v_h, dkms.conf $v_dkms"
fi

# 4: lintian, every level down to pedantic (overrides, when there are any,
# are in debian/*.lintian-overrides with their reasons)
if lintian --fail-on error,warning,info,pedantic --display-level '>=pedantic' \
	"$out"/*.changes > "$work/lintian.log" 2>&1; then
	ok "lintian: no error, warning, info or pedantic tag"
else
	sed 's/^/# /' "$work/lintian.log"
	not_ok "lintian has tags (above)"
fi

# 5-8: each package holds exactly its files (paths, with link targets)
contents() {
	dpkg-deb -c "$1" 2> /dev/null | awk '$1 !~ /^d/ {
		p = $6; sub(/^\.\//, "", p)
		if (p ~ /^usr\/share\/doc\//) next
		print p ($7 == "->" ? " -> " $8 : "") }' | sort
}
expect_files() {
	local pkg=$1 file=$2
	shift 2
	if diff <(printf '%s\n' "$@" | sort) <(contents "$file") > "$work/diff" 2>&1; then
		ok "$pkg holds its $# files"
	else
		sed 's/^/# /' "$work/diff"
		not_ok "$pkg: contents differ from the expected (< expected, > in the package)"
	fi
}
src=usr/src/dcaccel-$version
mapfile -t module < <(cd "$top" && ls dkms.conf Kbuild drivers/accel/dcaccel/*.[ch] \
	include/dcaccel/*.h uapi/drm/*.h | sed "s|^|$src/|")
expect_files dcaccel-dkms "$(deb dcaccel-dkms all)" "${module[@]}"
expect_files libaccel1 "$(deb libaccel1)" \
	"usr/lib/$ma/libaccel.so.1 -> libaccel.so.1.0.0" "usr/lib/$ma/libaccel.so.1.0.0"
mapfile -t fn_pages < <(sed -n 's/^[a-z].*[ *]\(accel_[a-z_0-9]*\)(.*/\1/p' \
	userspace/libaccel/accel.h | sed 's|.*|usr/share/man/man3/&.3.gz -> libaccel.3.gz|')
expect_files libaccel-dev "$(deb libaccel-dev)" usr/include/dcaccel/accel.h \
	"usr/lib/$ma/libaccel.so -> libaccel.so.1" "usr/lib/$ma/pkgconfig/libaccel.pc" \
	usr/share/man/man3/libaccel.3.gz "${fn_pages[@]}"
expect_files dcaccel-tools "$(deb dcaccel-tools)" usr/bin/dcaccel usr/bin/dcc \
	usr/share/man/man1/dcaccel.1.gz usr/share/man/man1/dcc.1.gz

# 9: the relations between the packages
field() { dpkg-deb -f "$1" "$2" 2> /dev/null; }
rel_ok=1
case "$(field "$(deb dcaccel-dkms all)" Depends)" in *dkms*) ;; *) rel_ok=0 ;; esac
case "$(field "$(deb libaccel-dev)" Depends)" in *"libaccel1 (= $version)"*) ;; *) rel_ok=0 ;; esac
for p in libaccel1 libaccel-dev dcaccel-tools; do
	case "$(field "$(deb $p)" Depends)" in *dkms*) rel_ok=0 ;; esac
done
dpkg-deb -e "$(deb dcaccel-dkms all)" "$work/dkms-ctl" 2> /dev/null
grep -q 'common.postinst' "$work/dkms-ctl/postinst" 2> /dev/null || rel_ok=0
if [ $rel_ok = 1 ]; then
	ok "dcaccel-dkms depends on dkms and its postinst runs DKMS; libaccel-dev on libaccel1 (= $version); nothing else on dkms"
else
	for p in dcaccel-dkms:all libaccel1 libaccel-dev dcaccel-tools; do
		echo "# ${p%%:*}: Depends: $(field "$(deb "${p%%:*}" "${p#*:}")" Depends)"
	done
	not_ok "package relations are wrong (above)"
fi

# 10: the shared library: its soname, its exports, its symbols file
dpkg-deb -x "$(deb libaccel1)" "$work/lib"
so=$work/lib/usr/lib/$ma/libaccel.so.1.0.0
soname=$(objdump -p "$so" 2> /dev/null | awk '$1 == "SONAME" { print $2 }')
defined=$(objdump -T "$so" 2> /dev/null | grep ' DF ' | grep -v '\*UND\*')
exports=$(awk '{ print $NF }' <<< "$defined" | sort)
dpkg-deb -e "$(deb libaccel1)" "$work/lib-ctl"
# every export at the version node the packaged symbols file names (the
# 1.0 functions at LIBACCEL_1, later ones at their own node), and no other
versioned=$(awk '{ print $NF "@" $(NF-1) }' <<< "$defined" | sort)
listed=$(awk '$1 ~ /^accel_.*@LIBACCEL_/ { print $1 }' "$work/lib-ctl/symbols" 2> /dev/null | sort)
if [ "$soname" = libaccel.so.1 ] && [ -n "$exports" ] &&
	[ "$versioned" = "$listed" ] && ! grep -qv '^accel_' <<< "$exports"; then
	ok "libaccel.so.1.0.0: SONAME libaccel.so.1, $(wc -l <<< "$exports") accel_* functions, each at the version node of the symbols file"
else
	echo "# SONAME '$soname'; exports: $(echo $exports)"
	diff <(echo "$listed") <(echo "$versioned") | sed 's/^/# symbols file < > library: /'
	not_ok "libaccel.so.1.0.0: soname, exports or symbols file wrong"
fi

# the throw-away root: every package unpacked
mkdir -p "$root"
for f in "$out"/*.deb; do
	dpkg-deb -x "$f" "$root" || echo "# dpkg-deb -x $f failed"
done

# 11-13: DKMS builds the packaged module source
m=0
while read -r line; do
	case "$line" in
	"ok "*) m=$((m + 1)); ok "packaged source: ${line#ok [0-9]* - }" ;;
	"not ok "*) m=$((m + 1)); not_ok "packaged source: ${line#not ok [0-9]* - }" ;;
	"#"*) echo "$line" ;;
	esac
done < <(scripts/check-dkms.sh "$root/$src" 2>&1)
while [ $m -lt 3 ]; do m=$((m + 1)); not_ok "packaged source: check-dkms.sh printed too few results"; done

# 14-15: an application through the installed libaccel.pc and library
export PKG_CONFIG_PATH=$root/usr/lib/$ma/pkgconfig PKG_CONFIG_SYSROOT_DIR=$root
export PKG_CONFIG_LIBDIR=$PKG_CONFIG_PATH
app=$work/libaccel_app
flags=$(pkg-config --cflags --libs libaccel 2>&1)
if [ $? -eq 0 ] && gcc -std=c11 -Wall -Wextra -Werror -o "$app" tests/deb/libaccel_app.c \
	$flags > "$work/cc.log" 2>&1 && readelf -d "$app" | grep -q 'NEEDED.*\[libaccel\.so\.1\]'; then
	ok "an application builds through the installed libaccel.pc ($flags) and needs libaccel.so.1"
else
	echo "# pkg-config --cflags --libs libaccel: $flags"
	sed 's/^/# /' "$work/cc.log"
	not_ok "an application does not build through the installed libaccel.pc"
fi
unset PKG_CONFIG_PATH PKG_CONFIG_SYSROOT_DIR PKG_CONFIG_LIBDIR
# the same program on the tree's own static library gives the same answer
model=fuzz/corpus/fuzz_libaccel_model/tiny.dcm
make -s build/release/libaccel.a build/release/libdcm.a build/release/libeie_encode.a \
	build/release/libeie.a > "$work/make.log" 2>&1
gcc -std=c11 -Iuserspace/libaccel/include -o "$work/app_tree" tests/deb/libaccel_app.c \
	build/release/libaccel.a build/release/libdcm.a build/release/libeie_encode.a \
	build/release/libeie.a -ldrm -lz -lm >> "$work/make.log" 2>&1
want=$("$work/app_tree" "$model" 2>&1)
got=$(LD_LIBRARY_PATH=$root/usr/lib/$ma "$app" "$model" 2>&1)
lib=$(LD_LIBRARY_PATH=$root/usr/lib/$ma ldd "$app" 2> /dev/null | awk '/libaccel/ { print $3 }')
if [ -n "$want" ] && [ "$got" = "$want" ] && [ "$lib" = "$root/usr/lib/$ma/libaccel.so.1" ]; then
	ok "it runs on the installed libaccel.so.1: $got"
else
	echo "# installed library ($lib): $got"
	echo "# the tree's: $want"
	sed 's/^/# /' "$work/make.log"
	not_ok "it does not run on the installed library as on the tree's"
fi

# 16-17: the installed programs
v=$("$root/usr/bin/dcaccel" --version 2>&1)
lib_version=$(awk '/#define ACCEL_VERSION_MAJOR/ { M = $3 } /#define ACCEL_VERSION_MINOR/ { m = $3 }
	END { print M "." m }' "$top/userspace/libaccel/accel.h")
if [ "$v" = "dcaccel $version (libaccel $lib_version)" ]; then
	ok "installed dcaccel --version: $v"
else
	echo "# $v"
	not_ok "installed dcaccel --version printed something else"
fi
h=$("$root/usr/bin/dcc" --help 2>&1)
if [ $? -eq 0 ] && grep -q '^usage: dcc COMMAND' <<< "$h" && grep -q -- '--version' <<< "$h"; then
	ok "installed dcc --help: $(wc -l <<< "$h") lines of usage"
else
	printf '%s\n' "$h" | head -n 5 | sed 's/^/# /'
	not_ok "installed dcc --help failed"
fi

# 18: the installed man pages against the installed programs and header
make -s build/release/tests/test_man_pages > "$work/make-man.log" 2>&1
if DCACCEL_MAN_DIR=$root/usr/share/man DCACCEL_BIN_DIR=$root/usr/bin \
	DCACCEL_INCLUDE_DIR=$root/usr/include build/release/tests/test_man_pages \
	> "$work/man.log" 2>&1 && ! grep -q '^not ok' "$work/man.log"; then
	ok "installed man pages agree with the installed dcc, dcaccel and <dcaccel/accel.h>"
else
	cat "$work/make-man.log" "$work/man.log" | sed 's/^/# /'
	not_ok "installed man pages and programs disagree"
fi

# 19: man finds them (man -l on the installed, compressed pages and a link)
man_ok=1
for page in man1/dcc.1.gz man1/dcaccel.1.gz man3/libaccel.3.gz man3/accel_open.3.gz; do
	warn=$(LC_ALL=C.UTF-8 MANWIDTH=80 man --warnings -E UTF-8 -l "$root/usr/share/man/$page" 2>&1 > "$work/page")
	if [ -n "$warn" ] || ! grep -q NAME "$work/page"; then
		echo "# $page: ${warn:-no NAME section}"
		man_ok=0
	fi
done
check_same=$(cmp "$root/usr/share/man/man3/accel_open.3.gz" "$root/usr/share/man/man3/libaccel.3.gz" 2>&1)
if [ $man_ok = 1 ] && [ -z "$check_same" ]; then
	ok "man formats the installed pages without a warning; accel_open(3) is libaccel(3)"
else
	[ -n "$check_same" ] && echo "# $check_same"
	not_ok "man pages do not format cleanly"
fi
