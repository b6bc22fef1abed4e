#!/usr/bin/env bash
# `make bench-device`: the device against the CPU it accelerates, in one
# command. LeNet-300-100 from `make run`, Fashion-MNIST test images:
# `dcaccel bench` in the guest (the device synchronously and with jobs in
# flight, and the CPU reference: the same engine in-process in the guest,
# under TCG) and on this host (the native engine, `--no-device`), RUNS
# times each, alternated; prints the medians with the ratios the device
# is held to, and writes every run to build/bench-device/runs.csv and the
# medians to build/bench-device/summary.csv.
#
# The guest has one vCPU unless GUEST_SMP says otherwise: on a 2-core
# host, two TCG vCPUs and the device's worker thread are three busy
# threads for two cores, and a batch-1 job then waits milliseconds for
# the host to run the vCPU its interrupt or its wake-up IPI went to
# (measured: batch-1 p50 0.17 ms with one vCPU, 1.5 to 4 ms with two).
# The CPU reference is single-threaded either way.
#
# Usage: scripts/bench-device.sh   (BENCH_RUNS, default 3; BENCH_ITERS,
#        timed calls per row, default 300; GUEST_SMP, default 1)
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
runs=${BENCH_RUNS:-3} iters=${BENCH_ITERS:-300}
export GUEST_SMP=${GUEST_SMP:-1}
out=$top/build/bench-device
data=/usr/share/datasets/fashion-mnist

make -s -j"$(nproc)" build/release/dcaccel
model=$(scripts/lenet-model.sh "$data")/lenet.dcm
ko=$("$top/tests/guest/build-module.sh")
rm -rf "$out" && mkdir -p "$out/job" "$out/files"
cp build/release/dcaccel "$model" "$data"/t10k-images-idx3-ubyte.gz "$out/files/"
bench_args="--batches 1,64 --iters $iters --json"

# One guest program: RUNS runs, each line of JSON marked for the host.
cat > "$out/job/bench.sh" <<GUEST
#!/bin/sh
echo "1..1"
modprobe dcaccel || { echo "not ok 1 - modprobe dcaccel"; exit 0; }
rc=0
for r in \$(seq $runs); do
	/data/dcaccel bench /data/lenet.dcm --input /data/t10k-images-idx3-ubyte.gz \\
		--backends device,cpu $bench_args > /tmp/b 2>&1 || rc=1
	sed 's/^/@bench guest /' /tmp/b
done
if [ \$rc -eq 0 ]; then echo "ok 1 - dcaccel bench"; else echo "not ok 1 - dcaccel bench"; fi
GUEST
chmod +x "$out/job/bench.sh"

echo "bench-device: $runs guest runs (one boot, $GUEST_SMP vCPU), then $runs host runs" >&2
"$top/tests/guest/run-guest.sh" --only --module "$ko" --tests "$out/job" \
	--files "$out/files" > "$out/guest.tap" ||
	{ echo "bench-device: the guest run failed, see $out/guest.tap" >&2; exit 1; }
sed -n 's/^# @bench guest //p' "$out/guest.tap" > "$out/guest.json"
for r in $(seq "$runs"); do
	# shellcheck disable=SC2086
	build/release/dcaccel bench "$model" --backends cpu --no-device \
		$bench_args >> "$out/host.json"
	echo >> "$out/host.json"
done
echo "guest: $GUEST_SMP vCPU (GUEST_SMP), TCG; host: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"
python3 "$top/scripts/bench-device-summary.py" "$out"
