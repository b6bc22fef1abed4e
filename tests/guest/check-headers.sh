#!/usr/bin/env bash
# Check that a kernel headers tree can build an out-of-tree module: build a
# trivial one in a temporary directory. Usage: check-headers.sh HEADERS_DIR
set -euo pipefail
headers=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cat > "$tmp/hello.c" <<'C'
#include <linux/module.h>
static int __init hello_init(void) { return 0; }
static void __exit hello_exit(void) { }
module_init(hello_init);
module_exit(hello_exit);
MODULE_LICENSE("GPL");
C
echo 'obj-m := hello.o' > "$tmp/Kbuild"
if ! make -s -C "$headers" M="$tmp" modules > "$tmp/log" 2>&1 || [ ! -f "$tmp/hello.ko" ]; then
	cat "$tmp/log" >&2
	echo "check-headers: $headers cannot build a module" >&2
	exit 1
fi
echo "check-headers: $headers builds modules" >&2
