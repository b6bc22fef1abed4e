#!/usr/bin/env bash
# QEMU's generic device fuzzer against the dcaccel device, for a bounded
# time, as TAP: qemu-device/build-qemu-fuzz.sh builds qemu-fuzz-x86_64
# (cached), then each generic-fuzz configuration of build/wire-fuzz.sh
# runs for its share of the time from the seeds and dictionary of
# dcaccel_generic_fuzz_seeds.py (whole jobs; the register offsets): the
# device's registers as the fuzzer writes them, everything its worker
# reads filled by the fuzzer's DMA patterns, a system reset after each
# input. A crash, a sanitizer report (ASan, UBSan) or a hang (libFuzzer's
# -timeout) fails it; the input that did is kept in build/test-logs/.
# It prints each configuration's exec count.
#
# Usage: dcaccel_generic_fuzz.sh [SECONDS]   (default 90, split over the
#        two configurations; DCACCEL_GENERIC_FUZZ_SECONDS also sets it)
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
checkout=$(cd "$here/../.." && pwd)
seconds=${1:-${DCACCEL_GENERIC_FUZZ_SECONDS:-90}}
targets=(generic-fuzz-dcaccel generic-fuzz-dcaccel-dma-mmio)
keep=${TEST_LOG_DIR:-$checkout/build/test-logs}/generic-fuzz-artifacts

echo "1..${#targets[@]}"
if ! fuzzer=$("$here/../build-qemu-fuzz.sh"); then
	for i in "${!targets[@]}"; do
		echo "not ok $((i + 1)) - ${targets[$i]}: building qemu-fuzz-x86_64 failed"
	done
	exit 1
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# UBSan reports abort, so that libFuzzer catches them like ASan's; QEMU's
# own leak at exit is not the device's: no leak detection.
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
export ASAN_OPTIONS=detect_leaks=0
status=0
for i in "${!targets[@]}"; do
	t=${targets[$i]} n=$((i + 1))
	"$here/dcaccel_generic_fuzz_seeds.py" "$work/$t/corpus" "$work/dict"
	(cd "$work/$t" && "$fuzzer" --fuzz-target="$t" -seed=1 \
		-max_total_time=$((seconds / ${#targets[@]})) -timeout=20 \
		-rss_limit_mb=4096 -detect_leaks=0 -dict="$work/dict" \
		-artifact_prefix="$work/$t/" \
		corpus > log 2>&1)
	rc=$?
	done_line=$(grep -E '^Done [0-9]+ runs in' "$work/$t/log" | tail -n 1)
	stats=$(grep -E '^#[0-9]+[[:space:]]+DONE' "$work/$t/log" | tail -n 1)
	if [ $rc -eq 0 ] && [ -n "$done_line" ] &&
		! grep -qE 'ERROR: (libFuzzer|AddressSanitizer|LeakSanitizer)|runtime error:' "$work/$t/log"; then
		echo "# $done_line"
		echo "# ${stats:-no stats}"
		echo "ok $n - $t: ${done_line#Done }, no crash, hang or sanitizer report"
	else
		sed 's/^/# /' "$work/$t/log" | grep -vE '^# (Matching objects|This process| +\* )' | tail -n 60
		mkdir -p "$keep"
		cp "$work/$t"/crash-* "$work/$t"/timeout-* "$work/$t"/oom-* \
			"$work/$t"/leak-* "$keep/" 2>/dev/null
		echo "not ok $n - $t: exit $rc (input kept in $keep)"
		status=1
	fi
done
exit $status
