#!/usr/bin/awk -f
# Turn the guest's serial console into one TAP stream on stdout, line by
# line as it arrives: each guest test program's results are renumbered and
# prefixed with the program's name (guest-init.sh frames them with
# @@dcaccel-test-begin/end markers), and every kernel splat (WARN, BUG,
# Oops, lockdep, KASAN, KFENCE, slub_debug, page poisoning, kmemleak,
# debugobjects, list/refcount/DMA-API debugging, UBSan, panic, hung task,
# soft lockup, RCU stall) becomes a `not ok` line. A program that dies,
# exits non-zero or prints fewer results than it planned, and a guest that
# never finishes, fail too. The plan comes last. Exit status 1 on any
# failure.
#
# Variables: logfile=PATH (named in the failure messages).

function emit(ok, desc) {
	n++
	if (!ok)
		failed++
	print (ok ? "ok " : "not ok ") n " - " desc
	fflush()
}

function close_test(rc,    how) {
	how = ""
	if (rc == 137)
		how = ", killed (past dcaccel_guest.test_timeout?)"
	else if (rc != 0)
		how = ", exited with status " rc
	if (sub_results == 0 && sub_plan < 0)
		emit(0, test ": printed no results" how)
	else if (sub_plan >= 0 && sub_results < sub_plan)
		emit(0, test ": planned " sub_plan " results, printed " sub_results how)
	else if (rc != 0 && sub_failed == 0)
		emit(0, test ": " substr(how, 3))
	test = ""
}

# Is this kernel message (timestamp removed) a bug report? The prefixes are
# those of Debian's 6.12 source, file by file.
function is_splat(msg) {
	# WARN() and BUG(), oopses, panics; "BUG: " also starts KASAN and KFENCE
	# reports (mm/kasan/report.c, mm/kfence/report.c), bad page state
	# (mm/page_alloc.c), sleeping in atomic context; "WARNING: " starts
	# lockdep's reports (circular or recursive locking, inconsistent lock
	# state, bad unlock balance, held lock freed, suspicious RCU usage).
	if (msg ~ /^(WARNING: |BUG: |kernel BUG at |Oops|general protection fault|Kernel panic|watchdog: BUG: |rcu: INFO: |INFO: task .* blocked for more than|INFO: possible |INFO: trying to register non-static key|INFO: lockdep is turned off)/)
		return 1
	# mm/page_poison.c: a freed page was written to (page_poison=1);
	# mm/debug.c: dump_page() from the poison check or bad_page()
	if (msg ~ /^(pagealloc: (memory corruption|single bit error)|page dumped because: )/)
		return 1
	# mm/slub.c (slub_debug): "BUG kmalloc-64 (Not tainted): Object already
	# free", "[Poison overwritten] 0x...", "[Right Redzone overwritten] ...",
	# "FIX kmalloc-64: Restoring ..."; mm/slab_common.c: destroying a cache
	# that still has objects
	if (msg ~ /^(BUG [^ ]+ \([^)]*\): |\[[A-Za-z ]+ overwritten\] |FIX [^ ]+: |kmem_cache_destroy [^ ]+: Slab cache still has objects)/)
		return 1
	# mm/kmemleak.c: leaks found by a scan, and kmemleak turning itself off
	if (msg ~ /^kmemleak: ([0-9]+ new suspected memory leaks|unreferenced object|Kernel memory leak detector disabled|Cannot |Memory pool empty|Found object by alias|.*unknown object|Scan area larger)/)
		return 1
	# lib/debugobjects.c: "ODEBUG: free active (active state 0) object: ...",
	# out of memory (debugobjects off); only the selftest line is good news
	if (msg ~ /^ODEBUG: / && msg !~ /^ODEBUG: selftest passed/)
		return 1
	# lib/list_debug.c, lib/refcount.c, lib/ubsan.c, lockdep's
	# DEBUG_LOCKS_WARN_ON(), mm/usercopy.c
	if (msg ~ /^(list_(add|del) corruption|list_add double add|refcount_t: |UBSAN: |DEBUG_LOCKS_WARN_ON\(|usercopy: Kernel memory (exposure|overwrite) attempt)/)
		return 1
	# kernel/dma/debug.c: "DMA-API: DRIVER DEVICE: ..." reports, and
	# DMA-API debugging running out of memory (and so turning itself off)
	if (msg ~ /^DMA-API: ([^ ]+ [^ ]+: |.*(out of memory|ENOMEM))/)
		return 1
	return 0
}

BEGIN {
	n = failed = done = 0
	test = ""
}

{
	sub(/\r+$/, "")
	line = $0
}

# Kernel messages carry a printk timestamp: "[    1.234567] ...".
line ~ /^\[ *[0-9]+\.[0-9]+\] / {
	msg = line
	sub(/^\[ *[0-9]+\.[0-9]+\] /, "", msg)
	if (is_splat(msg))
		emit(0, "kernel: " msg)
	next
}

/^@@dcaccel-test-begin / {
	if (test != "")
		close_test(0)
	test = $2
	sub_plan = -1
	sub_results = sub_failed = 0
	next
}

/^@@dcaccel-test-end / {
	if (test != "")
		close_test($3 + 0)
	next
}

/^@@dcaccel-guest-done$/ {
	done = 1
	next
}

/^@@dcaccel-guest-up$/ {
	next
}

test != "" && /^1\.\.[0-9]+/ {
	sub_plan = substr($1, 4) + 0
	next
}

test != "" && /^(not )?ok( |$)/ {
	ok = ($1 == "ok")
	desc = line
	sub(/^(not )?ok */, "", desc)
	sub(/^[0-9]+ */, "", desc)
	sub(/^- */, "", desc)
	sub_results++
	if (desc == "" || desc ~ /^#/)
		desc = "result " sub_results " " desc
	if (!ok)
		sub_failed++
	emit(ok, test ": " desc)
	next
}

test != "" && /^TAP version/ {
	next
}

test != "" {
	# Diagnostics and anything else the program says, kept as comments.
	print (line ~ /^#/ ? line : "# " line)
	fflush()
}

END {
	if (test != "")
		emit(0, test ": did not finish")
	if (!done)
		emit(0, "guest finished its tests (it did not: timeout, panic or crash; console log " logfile ")")
	print "1.." n
	exit failed > 0
}
