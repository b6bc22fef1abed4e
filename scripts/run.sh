#!/usr/bin/env bash
# `make run`: the main job. Install what is missing, build everything,
# compress LeNet-300-100 and LeNet-5 on Fashion-MNIST with dcc (or reuse
# the cached models when nothing they depend on changed), then boot
# Debian's 6.12 kernel under the QEMU with the dcaccel device, `modprobe
# dcaccel`, classify the 10,000 Fashion-MNIST test images with each model
# on the accelerator and on the CPU reference in the same boot, and print
# what came out. Progress goes to stderr, results to stdout.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
data=/usr/share/datasets/fashion-mnist
step() { printf '\n== %s\n' "$*" >&2; }

step "installing what is missing from Debian's archive"
scripts/install-deps.sh all

step "building userspace (dcc, libraries, tools)"
make -s -j"$(nproc)"

step "the compressed model (dcc, cached until what it depends on changes)"
model_dir=$(scripts/lenet-model.sh "$data")
mkdir -p build/run
ln -sfn "$model_dir" build/run/model

step "the LeNet-5 model (dcc, cached likewise; the first time it takes 10 to 25 minutes of CPU)"
model5_dir=$(scripts/lenet5-model.sh "$data")
ln -sfn "$model5_dir" build/run/model5

step "compression (dcc)"
sed -n '/^Layer/,/^Top-1/p' "$model_dir/report.txt"
echo "pictures: $top/build/run/model/plots/fc{1,2,3}.png (weight distributions and shared weights)"
echo "LeNet-5:"
sed -n '/^Layer/,/^Top-1/p' "$model5_dir/report.txt"

step "classifying the 10,000 test images on the accelerator in the guest (LeNet-300-100, LeNet-5)"
scripts/run-guest-job.sh "$model_dir/lenet.dcm" "$data" "$model5_dir/lenet5.dcm" |
	tee build/run/report.txt
[ "${PIPESTATUS[0]}" -eq 0 ] || exit 1

step "summary"
device=$(awk '/^accelerator:/ { f = 1 } f && /accuracy/ { print $3; exit }' build/run/report.txt)
cpu=$(awk '/^CPU reference/ { f = 1 } f && /accuracy/ { print $3; exit }' build/run/report.txt)
dense=$(grep -oE 'dense [0-9.]+%' "$model_dir/report.txt" | head -n 1 | cut -d' ' -f2)
rate=$(sed -n 's/.*with Huffman (\([0-9.]*x\))\.$/\1/p' "$model_dir/report.txt")
echo "top-1 on the accelerator: $device (CPU reference $cpu; dense fp32 baseline $dense); model compressed $rate"
grep -E 'modeled time|load balance|inputs/s' build/run/report.txt | sed -n '1,3p'
echo "pictures: $top/build/run/model/plots/"

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
compare LeNet-300-100 "" && compare LeNet-5 " (lenet5.dcm)"
