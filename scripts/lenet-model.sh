#!/usr/bin/env bash
# The LeNet-300-100 model that `make run` and the libaccel guest tests use:
# `dcc compress --seed 1` on Debian's Fashion-MNIST, cached in
# ${DCACCEL_CACHE:-~/.cache/dcaccel}/models/KEY, where KEY hashes all that
# the model depends on (dcc's, libdcm's, the encoder's and the engine's
# sources, the data package's version, the options). Prints the directory:
# lenet.dcm, report.txt (dcc's output) and plots/. Needs build/release/dcc.
#
# Usage: scripts/lenet-model.sh [FASHION_MNIST_DIR]
# DCC_NET=lenet5 (what scripts/lenet5-model.sh sets) makes LeNet-5 instead,
# in lenet5.dcm.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
cache=${DCACCEL_CACHE:-$HOME/.cache/dcaccel}
data=${1:-/usr/share/datasets/fashion-mnist}
dcc_args=(--seed 1 --data "$data")
name=lenet what="LeNet-300-100 on Fashion-MNIST with dcc (about a minute)"
if [ -n "${DCC_NET:-}" ]; then
	dcc_args+=(--net "$DCC_NET")
	name=$DCC_NET what="$DCC_NET on Fashion-MNIST with dcc (LeNet-5: see README.md for the time)"
fi

key=$( { find userspace/dcc userspace/dcm userspace/eie userspace/common \
		qemu-device/datapath include/dcaccel -type f -name '*.[ch]' -print0 |
		sort -z | xargs -0 sha256sum
	dpkg-query -W -f='${Version}' dataset-fashion-mnist
	echo "${dcc_args[*]}"; } | sha256sum | cut -c1-16)
dir=$cache/models/$key
if [ ! -f "$dir/$name.dcm" ]; then
	echo "lenet-model: compressing $what" >&2
	# a private scratch dir: two runs at once must not share one
	mkdir -p "$cache/models"
	tmp=$(mktemp -d "$dir.tmp.XXXXXX")
	trap 'rm -rf "$tmp"' EXIT
	nice -n 10 build/release/dcc compress "${dcc_args[@]}" \
		-o "$tmp/$name.dcm" --plots "$tmp/plots" |
		tee "$tmp/report.txt" >&2
	# the first run to finish publishes; a later one keeps what is there
	mv -T "$tmp" "$dir" 2>/dev/null || [ -f "$dir/$name.dcm" ]
fi
echo "$dir"
