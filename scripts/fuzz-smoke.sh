#!/usr/bin/env bash
# Run one libFuzzer target for a bounded number of inputs, from its seed
# corpus when there is one, and report it as a one-test TAP suite.
# Usage: fuzz-smoke.sh FUZZER [RUNS]
set -uo pipefail
fuzzer=$1 runs=${2:-${FUZZ_RUNS:-500000}}
name=$(basename "$fuzzer")
corpus=fuzz/corpus/$name
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
[ -d "$corpus" ] && cp -r "$corpus/." "$work/"

echo "1..1"
if "$fuzzer" -runs="$runs" -seed=1 -max_total_time=120 \
	-artifact_prefix="$work/" "$work" >"$work/log" 2>&1; then
	done_line=$(grep -E '^(#[0-9]+ +DONE|Done)' "$work/log" | tail -n 1)
	echo "# $done_line"
	# the time limit may end it before $runs: say how many it did
	did=$(sed -n 's/^Done \([0-9]*\) runs.*/\1/p' <<< "$done_line")
	echo "ok 1 - $name: ${did:-$runs} runs (of $runs at most, 120 s at most), no finding"
else
	sed 's/^/# /' "$work/log" | tail -n 40
	# keep the input that crashed: the work dir goes away on exit
	keep=${TEST_LOG_DIR:-build/test-logs}/$name-artifacts
	mkdir -p "$keep"
	cp "$work"/crash-* "$work"/leak-* "$work"/timeout-* "$work"/oom-* "$keep/" 2>/dev/null
	echo "not ok 1 - $name found a crash (see above; input kept in $keep)"
fi
