#!/usr/bin/env bash
# `make run`: the main job. Install what is missing, build everything,
# compress LeNet-300-100 on Fashion-MNIST with dcc (or reuse the cached
# model when nothing it depends on changed), then boot Debian's 6.12 kernel
# under the QEMU with the dcaccel device, `modprobe dcaccel`, classify the
# 10,000 Fashion-MNIST test images on the accelerator, and print what came
# out. Progress goes to stderr, results to stdout.
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

step "compression (dcc)"
sed -n '/^Layer/,/^Top-1/p' "$model_dir/report.txt"
echo "pictures: $top/build/run/model/plots/fc{1,2,3}.png (weight distributions and shared weights)"

step "classifying the 10,000 test images on the accelerator in the guest"
scripts/run-guest-job.sh "$model_dir/lenet.dcm" "$data" | tee build/run/report.txt
[ "${PIPESTATUS[0]}" -eq 0 ] || exit 1

step "summary"
device=$(awk '/^accelerator:/ { f = 1 } f && /accuracy/ { print $3; exit }' build/run/report.txt)
cpu=$(awk '/^CPU reference/ { f = 1 } f && /accuracy/ { print $3; exit }' build/run/report.txt)
dense=$(grep -oE 'dense [0-9.]+%' "$model_dir/report.txt" | head -n 1 | cut -d' ' -f2)
rate=$(sed -n 's/.*with Huffman (\([0-9.]*x\))\.$/\1/p' "$model_dir/report.txt")
echo "top-1 on the accelerator: $device (CPU reference $cpu; dense fp32 baseline $dense); model compressed $rate"
grep -E 'modeled time|load balance|inputs/s' build/run/report.txt | sed -n '1,3p'
echo "pictures: $top/build/run/model/plots/"
