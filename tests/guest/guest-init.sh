#!/bin/sh
# /init of the test guest: mount the basics, run every program in /tests,
# framing each one's TAP output with markers that the host's
# console-to-tap.awk reads, then power off. Kernel command line options
# (the dcaccel_guest. prefix names no module, so no module sees them):
#   dcaccel_guest.probe              only say that the guest came up (KVM probe)
#   dcaccel_guest.test_timeout=SECS  kill a test program after SECS (default 300)
#   dcaccel_guest.device=1                 (read by the tests) QEMU has the dcaccel device
#   dcaccel_guest.expect=kmemleak,lockdep  these detectors must be there and on
#   dcaccel_guest.keep_modules             the tests leave a module that cannot
#                                          go (a wedged device): no rmmod after
#
# On a kernel with kmemleak or lockdep (the debug kernel) a last program,
# kernel-checks, unloads the out-of-tree modules, checks that lockdep and
# debugobjects are still on and have nothing to say, and has kmemleak scan
# for what the tests leaked (the leaks of the boot are forgotten before the
# tests start).
export PATH=/bin:/sbin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mount -t tmpfs tmpfs /tmp
mount -t debugfs debugfs /sys/kernel/debug 2>/dev/null

case " $(cat /proc/cmdline) " in
*" dcaccel_guest.probe "*)
	echo "@@dcaccel-guest-up"
	poweroff -f
	;;
esac

test_timeout=300
expect=
keep_modules=
for arg in $(cat /proc/cmdline); do
	case "$arg" in
	dcaccel_guest.test_timeout=*) test_timeout=${arg#*=} ;;
	dcaccel_guest.expect=*) expect=,${arg#*=}, ;;
	dcaccel_guest.keep_modules) keep_modules=1 ;;
	esac
done
kmemleak=/sys/kernel/debug/kmemleak

echo "@@dcaccel-guest-up"
# Objects the boot left unreferenced are not the tests' leaks: report them
# now and mark them as seen (kmemleak's "clear").
if [ -e $kmemleak ]; then
	echo scan > $kmemleak && echo clear > $kmemleak
fi
for prog in /tests/*; do
	[ -x "$prog" ] || continue
	name=${prog##*/}
	echo "@@dcaccel-test-begin $name"
	# A hung program is killed (status 137) and the next one runs.
	(cd /tmp && timeout -s KILL "$test_timeout" "$prog") 2>&1
	rc=$?
	# Nothing of it may run into the next program: the kselftest harness
	# puts each test in a process group of its own, which timeout's kill
	# does not reach. As init, kill -1 reaches every other process.
	kill -KILL -1 2> /dev/null
	echo "@@dcaccel-test-end $name $rc"
done

# kernel-checks: TAP on stdout.
n=0
result() {	# result STATUS DESCRIPTION
	n=$((n + 1))
	if [ "$1" -eq 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; fi
}
expected() { case "$expect" in *,"$1",*) return 0 ;; esac; return 1; }
kernel_checks() {
	for ko in /lib/modules/"$(uname -r)"/updates/*.ko; do
		[ -f "$ko" ] && [ -z "$keep_modules" ] || continue
		mod=$(basename "$ko" .ko | tr - _)
		grep -q "^$mod " /proc/modules || continue
		rmmod "$mod"
		result $? "rmmod $mod after the tests"
	done
	if [ -r /proc/lockdep_stats ]; then
		on=$(sed -n 's/^ *debug_locks: *//p' /proc/lockdep_stats)
		[ "$on" = 1 ]
		result $? "lockdep is still on (debug_locks=$on; it turns itself off after a report)"
	elif expected lockdep; then
		result 1 "lockdep: this kernel has no /proc/lockdep_stats"
	fi
	stats=/sys/kernel/debug/debug_objects/stats
	if [ -r $stats ]; then
		warnings=$(sed -n 's/^warnings *: *//p' $stats)
		[ "$warnings" = 0 ]
		result $? "debugobjects: $warnings warnings"
	fi
	if [ -e $kmemleak ]; then
		# kmemleak reports only objects older than 5 s (MSECS_MIN_AGE);
		# the report lists what the last scan still found unreferenced,
		# so the second scan drops the transient ones (pointers that were
		# in registers or on a stack during the first, kmemleak.rst)
		sleep 6
		if echo scan > $kmemleak && echo scan > $kmemleak; then
			cat $kmemleak > /tmp/kmemleak
			leaks=$(grep -c '^unreferenced object' /tmp/kmemleak)
			sed 's/^/# /' /tmp/kmemleak
			[ "$leaks" -eq 0 ]
			result $? "kmemleak: $leaks unreferenced objects after the tests"
		else
			result 1 "kmemleak: scan refused (kmemleak turned itself off; see the console)"
		fi
	elif expected kmemleak; then
		result 1 "kmemleak: this kernel has no $kmemleak"
	fi
	echo "1..$n"
}
if [ -e $kmemleak ] || [ -r /proc/lockdep_stats ] || [ -n "$expect" ]; then
	echo "@@dcaccel-test-begin kernel-checks"
	kernel_checks 2>&1
	echo "@@dcaccel-test-end kernel-checks 0"
fi
echo "@@dcaccel-guest-done"
poweroff -f
