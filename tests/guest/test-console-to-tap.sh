#!/usr/bin/env bash
# Host test of console-to-tap.awk on made-up guest consoles: results are
# renumbered and named, kernel splats and broken test programs fail, a
# guest that never finishes fails, and a clean run passes. Prints TAP.
set -uo pipefail
awk_script=$(cd "$(dirname "$0")" && pwd)/console-to-tap.awk

n=0 failed=0
check() {	# check DESCRIPTION COMMAND...
	n=$((n + 1))
	if "${@:2}"; then
		echo "ok $n - $1"
	else
		echo "not ok $n - $1"
		failed=$((failed + 1))
	fi
}

# convert CONSOLE_LINES...: sets $out and $status.
convert() {
	out=$(printf '%s\n' "$@" | awk -v logfile=console.log -f "$awk_script")
	status=$?
}
has() { grep -qxF -- "$1" <<< "$out"; }
count() { grep -cE -- "$1" <<< "$out"; }

# Kernel reports that must each fail a run, as Debian's 6.12 prints them
# (console timestamp added below).
splats=(
	"pagealloc: memory corruption"
	"pagealloc: single bit error"
	"page dumped because: pagealloc: corrupted page details"
	"BUG: Bad page state in process dcaccel_job_te  pfn:0a2b3"
	"BUG kmalloc-64 (Tainted: G    B      O      ): Poison overwritten"
	"[Poison overwritten] 0xffff888003a1c000-0xffff888003a1c00f @offset=0. First byte 0x0 instead of 0x6b"
	"BUG kmalloc-128 (Not tainted): Object already free"
	"[Right Redzone overwritten] 0xffff888003a1c040-0xffff888003a1c047 @offset=64. First byte 0x0 instead of 0xcc"
	"BUG dcaccel_job (Tainted: G           O      ): Objects remaining on __kmem_cache_shutdown()"
	"FIX kmalloc-64: Restoring Poison 0xffff888003a1c000-0xffff888003a1c00f=0x6b"
	"kmem_cache_destroy dcaccel_job: Slab cache still has objects when called from dcaccel_exit+0x10/0x20 [dcaccel]"
	"BUG: KASAN: slab-use-after-free in dcaccel_job_free+0x2a/0x80 [dcaccel]"
	"BUG: KFENCE: use-after-free read in dcaccel_hw_reap+0x44/0x100 [dcaccel]"
	"kmemleak: 3 new suspected memory leaks (see /sys/kernel/debug/kmemleak)"
	"kmemleak: unreferenced object 0xffff888004a1b2c0 (size 64):"
	"kmemleak: Kernel memory leak detector disabled"
	"kmemleak: Freeing unknown object at 0xffff888004a1b2c0"
	"ODEBUG: free active (active state 0) object: 00000000a1b2c3d4 object type: timer_list hint: dcaccel_timeout+0x0/0x40 [dcaccel]"
	"ODEBUG: Out of memory. ODEBUG disabled"
	"list_add corruption. prev->next should be next (ffff888004a1b2c0), but was ffff888004a1b300. (prev=ffff888004a1b280)."
	"list_del corruption, ffff888004a1b2c0->next is LIST_POISON1 (dead000000000100)"
	"list_add double add: new=ffff888004a1b2c0, prev=ffff888004a1b2c0, next=ffff888004a1b300."
	"refcount_t: underflow; use-after-free."
	"refcount_t: addition on 0; use-after-free."
	"UBSAN: array-index-out-of-bounds in drivers/accel/dcaccel/dcaccel_mmu.c:120:9"
	"DEBUG_LOCKS_WARN_ON(lock->magic != lock)"
	"WARNING: possible circular locking dependency detected"
	"WARNING: possible recursive locking detected"
	"WARNING: inconsistent lock state"
	"WARNING: suspicious RCU usage"
	"WARNING: bad unlock balance detected!"
	"WARNING: held lock freed!"
	"BUG: sleeping function called from invalid context at kernel/locking/mutex.c:585"
	"INFO: lockdep is turned off."
	"DMA-API: dcaccel 0000:00:04.0: device driver has pending DMA allocations while released from device [count=3]"
	"DMA-API: debugging out of memory - disabling"
	"usercopy: Kernel memory overwrite attempt detected to SLUB object 'kmalloc-64' (offset 0, size 128)!"
	"BUG: unable to handle page fault for address: ffffc90000abc000"
	"INFO: task dcaccel_teardow:123 blocked for more than 120 seconds."
)
# What a clean boot of the stock or the debug kernel says: no failure.
ordinary=(
	"Kernel command line: console=ttyS0 page_poison=1 slub_debug=FZPU dcaccel_guest.expect=kmemleak,lockdep"
	"mem auto-init: CONFIG_PAGE_POISONING is on, will take precedence over init_on_alloc and init_on_free"
	"mem auto-init: SLAB_POISON will take precedence over init_on_alloc/init_on_free"
	"kasan: KernelAddressSanitizer initialized (generic)"
	"KFENCE: initialized - using 2097152 bytes for 255 objects at 0x(____ptrval____)-0x(____ptrval____)"
	"kmemleak: Kernel memory leak detector initialized (mem pool available: 15659)"
	"kmemleak: Automatic memory scanning thread started"
	"ODEBUG: selftest passed"
	"DMA-API: preallocated 65536 debug entries"
	"DMA-API: debugging enabled by kernel config"
	"DMA-API: dma_debug_entry pool grown to 131072 (200%)"
	"Lock dependency validator: Copyright (c) 2006 Red Hat, Inc., Ingo Molnar"
	"... MAX_LOCKDEP_SUBCLASSES:  8"
	"rcu: Hierarchical RCU implementation."
	"rcu: 	RCU lockdep checking is enabled."
	"SLUB: HWalign=64, Order=0-3, MinObjects=0, CPUs=2, Nodes=1"
	"------------[ cut here ]------------"
	"Freeing unused kernel image (initmem) memory: 2756K"
	"x86/mm: Checked W+X mappings: passed, no W+X pages found."
	"dcaccel 0000:00:04.0: [drm] Initialized dcaccel 1.0.0 for 0000:00:04.0 on minor 0"
)

echo "1..$((11 + ${#splats[@]} + 1))"

convert "[    0.1] Linux version 6.12" "@@dcaccel-guest-up" \
	"@@dcaccel-test-begin a" "TAP version 13" "1..2" "ok 1 - one" "ok 2 two # SKIP no" \
	"@@dcaccel-test-end a 0" "@@dcaccel-test-begin b" "1..1" "ok 1 - three" \
	"@@dcaccel-test-end b 0" "@@dcaccel-guest-done"
check "a clean run passes" test "$status" -eq 0
check "results are renumbered and named" has "ok 3 - b: three"
check "skips stay skips" has "ok 2 - a: two # SKIP no"
check "the plan comes last" test "$(tail -n1 <<< "$out")" = "1..3"

convert "@@dcaccel-test-begin a" "1..1" "ok 1 - one" \
	"[   12.5] WARNING: CPU: 0 PID: 7 at drivers/accel/x.c:1 f+0x1/0x2" \
	"@@dcaccel-test-end a 0" "@@dcaccel-guest-done"
check "a kernel WARN fails" test "$status" -ne 0
check "the WARN is a named not ok" has "not ok 2 - kernel: WARNING: CPU: 0 PID: 7 at drivers/accel/x.c:1 f+0x1/0x2"

convert "@@dcaccel-test-begin a" "1..1" "ok 1 - one" "@@dcaccel-test-end a 0" \
	"[    3.0] BUG: KASAN: use-after-free in f" \
	"[    3.1] WARNING: possible circular locking dependency detected" \
	"[    3.2] Oops: general protection fault, probably for non-canonical address" \
	"@@dcaccel-guest-done"
check "KASAN, lockdep and Oops each fail" test "$(count '^not ok [0-9]+ - kernel: ')" -eq 3

convert "@@dcaccel-test-begin a" "WARNING: not from the kernel" "1..2" "ok 1 - one" \
	"@@dcaccel-test-end a 0" "@@dcaccel-guest-done"
check "a program printing fewer results than planned fails" \
	has "not ok 2 - a: planned 2 results, printed 1"
check "program output without a timestamp is no splat" \
	test "$(count '^not ok [0-9]+ - kernel: ')" -eq 0

convert "@@dcaccel-test-begin a" "1..1" "ok 1 - one" "@@dcaccel-test-end a 139" \
	"@@dcaccel-guest-done"
check "a program exiting non-zero fails" has "not ok 2 - a: exited with status 139"

convert "@@dcaccel-test-begin a" "1..1"
check "a guest that never finishes fails" \
	test "$status" -ne 0 -a "$(count '^not ok')" -eq 2

# One run per report: it must fail, naming the report.
for splat in "${splats[@]}"; do
	convert "@@dcaccel-test-begin a" "1..1" "ok 1 - one" "[   42.123456] $splat" \
		"@@dcaccel-test-end a 0" "@@dcaccel-guest-done"
	check "a kernel report fails the run: $splat" \
		eval 'test "$status" -ne 0 && has "not ok 2 - kernel: $splat"'
done

lines=()
for line in "${ordinary[@]}"; do
	lines+=("[    1.500000] $line")
done
convert "${lines[@]}" "@@dcaccel-guest-up" "@@dcaccel-test-begin a" "1..1" "ok 1 - one" \
	"@@dcaccel-test-end a 0" "@@dcaccel-guest-done"
check "ordinary boot messages of both kernels are no splat" \
	eval 'test "$status" -eq 0 && test "$(count "^not ok")" -eq 0'

[ "$failed" -eq 0 ]
