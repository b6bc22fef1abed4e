#!/usr/bin/env bash
# The guest half of `make run`: boot Debian's 6.12 kernel under the QEMU
# with the dcaccel device, `modprobe dcaccel`, and classify the Fashion-MNIST
# test set with the dcaccel tool, on the device and on the CPU reference.
# Prints the job's report; exits non-zero when anything in the guest failed.
#
# Usage: scripts/run-guest-job.sh MODEL.dcm FASHION_MNIST_DIR
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
model=${1:?usage: run-guest-job.sh MODEL.dcm DATA_DIR} data=${2:?usage}
run=$top/build/run
ko=$("$top/tests/guest/build-module.sh")

rm -rf "$run/job" "$run/files"
mkdir -p "$run/job" "$run/files"
cp "$top/build/release/dcaccel" "$model" "$run/files/"
cp "$data"/t10k-images-idx3-ubyte.gz "$data"/t10k-labels-idx1-ubyte.gz \
	"$run/files/"
# One guest program; its report lines carry "@run " so that the host can
# tell them from the other guest tests' output.
cat > "$run/job/classify.sh" <<GUEST
#!/bin/sh
# OpenBLAS's CPU probe picks kernels QEMU's default CPU lacks: stay basic.
export OPENBLAS_CORETYPE=Prescott
report() { sed 's/^/@run /'; }
step() {
	n=\$((n + 1))
	if [ "\$1" -eq 0 ]; then echo "ok \$n - \$2"; else echo "not ok \$n - \$2"; fi
}
n=0
echo "1..4"
modprobe dcaccel; step \$? "modprobe dcaccel"
d=/data
echo "device:" | report
\$d/dcaccel info > /tmp/info 2>&1; rc=\$?; report < /tmp/info; step \$rc "dcaccel info"
echo "accelerator:" | report
\$d/dcaccel run \$d/$(basename "$model") \$d/t10k-images-idx3-ubyte.gz \\
	--labels \$d/t10k-labels-idx1-ubyte.gz --quiet > /tmp/dev 2>&1
rc=\$?; report < /tmp/dev; step \$rc "dcaccel run on the device"
echo "CPU reference (the same engine in-process):" | report
\$d/dcaccel run --cpu \$d/$(basename "$model") \$d/t10k-images-idx3-ubyte.gz \\
	--labels \$d/t10k-labels-idx1-ubyte.gz --quiet > /tmp/cpu 2>&1
rc=\$?; report < /tmp/cpu; step \$rc "dcaccel run on the CPU reference"
GUEST
chmod +x "$run/job/classify.sh"

status=0
"$top/tests/guest/run-guest.sh" --module "$ko" --tests "$run/job" \
	--files "$run/files" > "$run/guest.tap" || status=$?
sed -n 's/^# @run //p' "$run/guest.tap"
if [ "$status" -ne 0 ]; then
	echo "run-guest-job: the guest run failed; its TAP is in $run/guest.tap:" >&2
	grep -E '^not ok' "$run/guest.tap" >&2 || true
fi
exit "$status"
