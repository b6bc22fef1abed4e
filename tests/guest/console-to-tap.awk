#!/usr/bin/awk -f
# Turn the guest's serial console into one TAP stream on stdout, line by
# line as it arrives: each guest test program's results are renumbered and
# prefixed with the program's name (guest-init.sh frames them with
# @@dcaccel-test-begin/end markers), and every kernel splat (WARN, BUG,
# Oops, lockdep, KASAN, panic, hung task, soft lockup, RCU stall) becomes a
# `not ok` line. A program that dies, exits non-zero or prints fewer results
# than it planned, and a guest that never finishes, fail too. The plan comes
# last. Exit status 1 on any failure.
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
	if (msg ~ /^(WARNING: |BUG: |kernel BUG at |Oops|general protection fault|Kernel panic|UBSAN: |INFO: task .* blocked for more than|INFO: possible |INFO: trying to register non-static key|watchdog: BUG: |rcu: INFO: |list_(add|del) corruption|refcount_t: |kmemleak: [0-9]+ new suspected)/)
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
