#!/usr/bin/env bash
# Run every test suite, stream its TAP, and end with one summary line
# "N passed, N failed" over all of them. A suite that dies or prints fewer
# results than its plan counts as one more failure. Exit status 1 on any
# failure.
#
# Usage: tests/run.sh SUITE_CMD...   (each argument is one suite command)
set -uo pipefail

passed=0 failed=0 skipped=0
log_dir=${TEST_LOG_DIR:-build/test-logs}
mkdir -p "$log_dir"

run_suite() {
	local cmd=$1 name log status planned results p f s start
	name=$(basename "${cmd%% *}")
	log="$log_dir/$name.log"
	echo "# suite: $cmd"
	start=$SECONDS
	bash -c "$cmd" 2>&1 | tee "$log"
	status=${PIPESTATUS[0]}
	echo "# suite took $((SECONDS - start)) s: $name"
	p=$(grep -cE '^ok [0-9]+' "$log" | tr -d ' ')
	s=$(grep -cE '^ok [0-9]+.*# *(SKIP|skip)' "$log" | tr -d ' ')
	f=$(grep -cE '^not ok [0-9]+' "$log" | tr -d ' ')
	p=$((p - s))
	planned=$(grep -m1 -oE '^1\.\.[0-9]+' "$log" | cut -d. -f3)
	results=$((p + s + f))
	if [ "$status" -ne 0 ] && [ "$f" -eq 0 ]; then
		echo "not ok - $name exited with status $status"
		f=$((f + 1))
	elif [ -n "$planned" ] && [ "$results" -lt "$planned" ]; then
		echo "not ok - $name planned $planned results, printed $results"
		f=$((f + 1))
	elif [ -z "$planned" ] && [ "$results" -eq 0 ]; then
		echo "not ok - $name printed no results"
		f=$((f + 1))
	fi
	passed=$((passed + p)) failed=$((failed + f)) skipped=$((skipped + s))
}

for suite in "$@"; do
	run_suite "$suite"
done

summary="$passed passed, $failed failed"
[ "$skipped" -gt 0 ] && summary+=", $skipped skipped"
echo "$summary"
[ "$failed" -eq 0 ]
