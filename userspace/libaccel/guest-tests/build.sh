#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Build the libaccel guest tests (the library's, and the dcaccel tool's,
# which runs after it) into OUT_DIR with its data linked in: the
# LeNet-300-100 .dcm from scripts/lenet-model.sh, the Fashion-MNIST test
# images and labels, and the accuracy dcc measured on the engine.
# GUEST_ARCH=arm64: cross-built (make VARIANT=arm64, static), for the arm64
# guest; dcc, which makes the model, runs here as always.
#
# Usage: userspace/libaccel/guest-tests/build.sh OUT_DIR
set -euo pipefail
top=$(cd "$(dirname "$0")/../../.." && pwd)
out=${1:?usage: build.sh OUT_DIR}
data=${FASHION_MNIST:-/usr/share/datasets/fashion-mnist}
cd "$top"
# shellcheck source=tests/guest/guest-arch.sh
. "$top/tests/guest/guest-arch.sh"
variant=$guest_variant cc=$guest_cc ld=$guest_ld
rel=build/$variant	# relative: the Makefile's pattern rules match it
mkdir -p "$out"
out=$(cd "$out" && pwd)

# the dcaccel tool's commands, linked into the CLI guest test
cli_objs=(cli_common cmd_info cmd_run cmd_bench cmd_bench_devices bench_timing dense_float)
cli_paths=()
for f in "${cli_objs[@]}"; do
	cli_paths+=("$rel/userspace/cli/$f.o")
done
nice -n 10 make -s -j2 build/release/dcc
nice -n 10 make -s -j2 VARIANT=$variant "$rel/libaccel.a" "$rel/libdcm.a" \
	"$rel/libeie_encode.a" "$rel/libeie.a" \
	"$rel/userspace/dcc/idx.o" "$rel/userspace/dcc/dcc_error.o" \
	"$rel/userspace/libaccel/guest-tests/libaccel_guest_test.o" \
	"$rel/userspace/libaccel/guest-tests/cli_guest_test.o" \
	"$rel/tests/host/dcm_cnn_fixture.o" \
	"$rel/userspace/libaccel/guest-tests/bitplane_fixture.o" \
	"${cli_paths[@]}"

# The model make run uses too, cached by what it depends on.
model=$("$top/scripts/lenet-model.sh" "$data")
# "fixed-point on the EIE engine 89.22%" -> 8922
accuracy=$(grep -oE 'fixed-point on the EIE engine [0-9]+\.[0-9]{2}%' "$model/report.txt" |
	grep -oE '[0-9]+\.[0-9]{2}' | tr -d .)
[ -n "$accuracy" ] || { echo "build.sh: no accuracy in $model/report.txt" >&2; exit 1; }

stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
cp "$model/lenet.dcm" "$stage/model.dcm"
cp "$data/t10k-images-idx3-ubyte.gz" "$stage/images.gz"
cp "$data/t10k-labels-idx1-ubyte.gz" "$stage/labels.gz"
printf %s "$accuracy" > "$stage/expected.txt"
(cd "$stage" && $ld -r -b binary -o data.o model.dcm images.gz labels.gz expected.txt)
# (static for arm64: the make variant's LDFLAGS)
ldflags=$(make -s VARIANT=$variant print-ldflags)
# shellcheck disable=SC2086 # flags, split
$cc $ldflags -Wl,-z,noexecstack -o "$out/libaccel_guest_test" \
	"$rel/userspace/libaccel/guest-tests/libaccel_guest_test.o" "$stage/data.o" \
	"$rel/tests/host/dcm_cnn_fixture.o" \
	"$rel/userspace/libaccel/guest-tests/bitplane_fixture.o" \
	"$rel/userspace/dcc/idx.o" "$rel/userspace/dcc/dcc_error.o" \
	"$rel/libaccel.a" "$rel/libdcm.a" "$rel/libeie_encode.a" "$rel/libeie.a" \
	-ldrm -lz -lm -lpthread
# shellcheck disable=SC2086 # flags, split
$cc $ldflags -Wl,-z,noexecstack -o "$out/libaccel_guest_zcli" \
	"$rel/userspace/libaccel/guest-tests/cli_guest_test.o" "$stage/data.o" \
	"${cli_paths[@]}" \
	"$rel/userspace/dcc/idx.o" "$rel/userspace/dcc/dcc_error.o" \
	"$rel/libaccel.a" "$rel/libdcm.a" "$rel/libeie_encode.a" "$rel/libeie.a" \
	-lopenblas -ldrm -lz -lm -lpthread
