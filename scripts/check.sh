#!/usr/bin/env bash
# `make check`: install what is missing, build the tests with ASan+UBSan and
# the fuzz targets, run every suite, and end with "N passed, N failed".
set -euo pipefail
cd "$(dirname "$0")/.."

jobs=$(nproc)
scripts/install-deps.sh all

echo "# building host tests (ASan+UBSan) and fuzz targets"
make -s -j"$jobs" VARIANT=asan tests
make -s -j"$jobs" VARIANT=fuzz fuzzers

suites=()
for t in $(make -s VARIANT=asan print-tests); do
	suites+=("$t")
done
for f in $(make -s VARIANT=fuzz print-fuzzers); do
	suites+=("scripts/fuzz-smoke.sh $f")
done

exec tests/run.sh "${suites[@]}"
