#!/usr/bin/env bash
# `make run`: the main job. Install what is missing, build everything,
# compress LeNet-300-100 and LeNet-5 on Fashion-MNIST with dcc (or reuse
# the cached models when nothing they depend on changed), then boot
# Debian's 6.12 kernel under the QEMU with the dcaccel device, `modprobe
# dcaccel`, classify the 10,000 Fashion-MNIST test images with each model
# on the accelerator and on the CPU reference in the same boot, and print
# what came out. Progress goes to stderr, results to stdout.
# GUEST_ARCH=arm64 (make run ARCH=arm64): the same on Debian's arm64 kernel
# on qemu-system-aarch64, the dcaccel tool cross-built.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
data=/usr/share/datasets/fashion-mnist
step() { printf '\n== %s\n' "$*" >&2; }

# NET: lenet300 (LeNet-300-100 alone, the short path), lenet5, or all
net=${NET:-all}
case "$net" in
lenet300 | lenet5 | all) ;;
*) echo "run: NET=$net: want lenet300, lenet5 or all" >&2; exit 2 ;;
esac
want() { [ "$net" = all ] || [ "$net" = "$1" ]; }
# shellcheck source=tests/guest/guest-arch.sh
. tests/guest/guest-arch.sh
export GUEST_ARCH=$guest_arch

# Only what this job needs (make check installs the rest); every apt step
# here, before anything runs in parallel: apt holds one lock at a time.
step "installing what is missing from Debian's archive"
scripts/install-deps.sh build dcc qemu guest "${guest_deps[@]}"
qemu-device/build/qemu-deps.sh
tests/guest/debian-kernel-version.sh > /dev/null

# Building QEMU and fetching the kernel and building the module need
# nothing from dcc: they run behind the training, which is most of a
# first run (on 2 cores the three share them; the sum is what counts).
mkdir -p build/run
step "building QEMU with the device and the module, in the background (logs in build/run/)"
qemu-device/build-qemu.sh > /dev/null 2> build/run/qemu.log &
qemu_pid=$!
tests/guest/build-module.sh > /dev/null 2> build/run/module.log &
module_pid=$!
# wait_for PID WHAT LOG: the background step's status, its log on failure
wait_for() {
	wait "$1" && return 0
	echo "run: $2 failed:" >&2
	tail -n 30 "$3" >&2
	exit 1
}

step "building userspace (dcc, the dcaccel tool)"
make -s -j"$(nproc)" build/release/dcc
make -s -j"$(nproc)" VARIANT="$guest_variant" "build/$guest_variant/dcaccel"

models=()
if want lenet300; then
	step "the compressed model (dcc, cached until what it depends on changes)"
	model_dir=$(scripts/lenet-model.sh "$data")
	ln -sfn "$model_dir" build/run/model
	models+=("$model_dir/lenet.dcm")
fi
if want lenet5; then
	step "the LeNet-5 model (dcc, cached likewise; the first time about 6 minutes on a quiet machine)"
	model5_dir=$(scripts/lenet5-model.sh "$data")
	ln -sfn "$model5_dir" build/run/model5
	models+=("$model5_dir/lenet5.dcm")
fi
wait_for "$qemu_pid" "building QEMU" build/run/qemu.log
wait_for "$module_pid" "fetching the kernel and building the module" build/run/module.log

step "compression (dcc)"
if want lenet300; then
	echo "LeNet-300-100:"
	sed -n '/^Layer/,/^Top-1/p' "$model_dir/report.txt"
	echo "pictures: $top/build/run/model/plots/fc{1,2,3}.png (weight distributions and shared weights)"
fi
if want lenet5; then
	echo "LeNet-5:"
	sed -n '/^Layer/,/^Top-1/p' "$model5_dir/report.txt"
fi

step "classifying the 10,000 test images on the accelerator in the $guest_arch guest ($net)"
scripts/run-guest-job.sh "${models[0]}" "$data" "${models[@]:1}" |
	tee build/run/report.txt
[ "${PIPESTATUS[0]}" -eq 0 ] || exit 1

step "summary"
if want lenet300; then
	# LeNet-300-100 is the first model: its sections carry no file name
	device=$(awk '/^accelerator:/ { f = 1 } f && /accuracy/ { print $3; exit }' build/run/report.txt)
	cpu=$(awk '/^CPU reference/ { f = 1 } f && /accuracy/ { print $3; exit }' build/run/report.txt)
	dense=$(grep -oE 'dense [0-9.]+%' "$model_dir/report.txt" | head -n 1 | cut -d' ' -f2)
	rate=$(sed -n 's/.*with Huffman (\([0-9.]*x\))\.$/\1/p' "$model_dir/report.txt")
	echo "top-1 on the accelerator: $device (CPU reference $cpu; dense fp32 baseline $dense); model compressed $rate"
	grep -E 'modeled time|load balance|inputs/s' build/run/report.txt | sed -n '1,3p'
	echo "pictures: $top/build/run/model/plots/"
fi

# The lines of a report section (its header line to the next header).
section() { awk -v s="$1" 'index($0, s) == 1 { f = 1; next } f && /^[^#]/ { exit } f' build/run/report.txt; }
# One model's line: accuracy device vs CPU, whether the outputs are the
# same (the runs' output digests), inputs/s on each.
compare() {
	local name=$1 dev cpu
	dev=$(section "accelerator$2:") cpu=$(section "CPU reference$2 ")
	acc() { sed -n 's/^# accuracy \([0-9.]*%\).*/\1/p'; }
	digest() { sed -n 's/^# outputs digest //p'; }
	rate() { sed -n 's/^# wall .*, \([0-9]*\) inputs\/s.*/\1/p'; }
	same="identical outputs"
	[ -n "$(digest <<< "$dev")" ] && [ "$(digest <<< "$dev")" = "$(digest <<< "$cpu")" ] ||
		same="OUTPUTS DIFFER"
	printf '%-14s top-1 on the device %s, CPU reference %s (%s); %s inputs/s on the device, %s on the CPU reference\n' \
		"$name:" "$(acc <<< "$dev")" "$(acc <<< "$cpu")" "$same" \
		"$(rate <<< "$dev")" "$(rate <<< "$cpu")"
	[ "$same" = "identical outputs" ]
}
# run-guest-job.sh names the sections of every model but the first
status=0
for k in "${!models[@]}"; do
	label=""
	[ "$k" -eq 0 ] || label=" ($(basename "${models[$k]}"))"
	case "${models[$k]}" in
	*/lenet5.dcm) name=LeNet-5 ;;
	*) name=LeNet-300-100 ;;
	esac
	compare "$name" "$label" || status=1
done
exit "$status"
