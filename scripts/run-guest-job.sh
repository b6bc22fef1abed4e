#!/usr/bin/env bash
# The guest half of `make run`: boot Debian's 6.12 kernel under the QEMU
# with the dcaccel device, `modprobe dcaccel`, and classify the Fashion-MNIST
# test set with the dcaccel tool, with each model on the device and on the
# CPU reference, in the same boot. The first model's sections are
# "accelerator:" and "CPU reference ...:"; each later model's carry its
# file name, "accelerator (lenet5.dcm):". Prints the job's report; exits
# non-zero when anything in the guest failed.
#
# GUEST_ARCH=arm64: on the arm64 guest, with build/arm64/dcaccel.
# GUEST_CPU_REFERENCE=first: the CPU reference for the first model only
# (for callers that run the others' on the host: under TCG a bit-plane
# network's CPU reference takes ten times its device run)
#
# Usage: scripts/run-guest-job.sh MODEL.dcm FASHION_MNIST_DIR [MODEL.dcm]...
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
model=${1:?usage: run-guest-job.sh MODEL.dcm DATA_DIR [MODEL.dcm]...}
data=${2:?usage: run-guest-job.sh MODEL.dcm DATA_DIR [MODEL.dcm]...}
models=("$model" "${@:3}")
cpu_ref=${GUEST_CPU_REFERENCE:-all}
case $cpu_ref in
all | first) ;;
*) echo "run-guest-job: GUEST_CPU_REFERENCE=$cpu_ref: all or first" >&2; exit 2 ;;
esac
run=$top/build/run
ko=$("$top/tests/guest/build-module.sh")

rm -rf "$run/job" "$run/files"
mkdir -p "$run/job" "$run/files"
# shellcheck source=tests/guest/guest-arch.sh
. "$top/tests/guest/guest-arch.sh"
cp "$top/build/$guest_variant/dcaccel" "$run/files/"
for m in "${models[@]}"; do
	# two models of one name would overwrite each other in /data
	[ ! -e "$run/files/$(basename "$m")" ] ||
		{ echo "run-guest-job: two models named $(basename "$m")" >&2; exit 2; }
	cp "$m" "$run/files/"
done
cp "$data"/t10k-images-idx3-ubyte.gz "$data"/t10k-labels-idx1-ubyte.gz \
	"$run/files/"
# One guest program; its report lines carry "@run " so that the host can
# tell them from the other guest tests' output.
# the guest's test count: modprobe, info, each device run, each CPU one
ncpu=${#models[@]}
[ "$cpu_ref" = all ] || ncpu=1
cat > "$run/job/classify.sh" <<GUEST
#!/bin/sh
# OpenBLAS's CPU probe picks kernels QEMU's default CPU lacks: stay basic.
export OPENBLAS_CORETYPE=$guest_openblas
report() { sed 's/^/@run /'; }
step() {
	n=\$((n + 1))
	if [ "\$1" -eq 0 ]; then echo "ok \$n - \$2"; else echo "not ok \$n - \$2"; fi
}
# classify MODEL LABEL [cpu]: the test set on the device, then on the CPU
classify() {
	echo "accelerator\$2:" | report
	\$d/dcaccel run \$d/\$1 \$d/t10k-images-idx3-ubyte.gz \\
		--labels \$d/t10k-labels-idx1-ubyte.gz --quiet > /tmp/dev 2>&1
	rc=\$?; report < /tmp/dev; step \$rc "dcaccel run \$1 on the device"
	[ "\$3" = cpu ] || return 0
	echo "CPU reference\$2 (the same engine in-process):" | report
	\$d/dcaccel run --cpu \$d/\$1 \$d/t10k-images-idx3-ubyte.gz \\
		--labels \$d/t10k-labels-idx1-ubyte.gz --quiet > /tmp/cpu 2>&1
	rc=\$?; report < /tmp/cpu; step \$rc "dcaccel run \$1 on the CPU reference"
}
n=0
echo "1..$((2 + ${#models[@]} + ncpu))"
modprobe dcaccel; step \$? "modprobe dcaccel"
d=/data
echo "device:" | report
\$d/dcaccel info > /tmp/info 2>&1; rc=\$?; report < /tmp/info; step \$rc "dcaccel info"
GUEST
for k in "${!models[@]}"; do
	m=$(basename "${models[$k]}")
	label=""
	[ "$k" -eq 0 ] || label=" ($m)"
	cpu=cpu
	[ "$k" -eq 0 ] || [ "$cpu_ref" = all ] || cpu=""
	echo "classify $m '$label' $cpu" >> "$run/job/classify.sh"
done
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
