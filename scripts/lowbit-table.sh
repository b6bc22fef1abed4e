#!/usr/bin/env bash
# `make lowbit`: issue 15's table. LeNet-300-100 (NET=lenet5: LeNet-5)
# trained dense once on
# Fashion-MNIST, then compressed from that one dense model by each method:
# Deep Compression (pruning + weight sharing) and the low-bit methods
# (dcc lowbit --lowbit M); each .dcm measured by dcc on the datapath
# (size, rate against fp32, top-1, the device's cycle and energy models),
# then all of them classified on the accelerator in one guest boot, and
# by the CPU reference on this host (the guest runs the first model's
# too, which must match the host's: under TCG a bit-plane network's CPU
# reference takes ten times its device run, over the hour for LeNet-5's
# eight). Prints the table (Markdown), writes
# build/lowbit/lowbit.csv and build/lowbit/lowbit.png (gnuplot). Models
# are cached like make run's (scripts/lenet-model.sh explains the key).
# Exits non-zero when a model's device outputs differ from the CPU's.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
data=/usr/share/datasets/fashion-mnist
cache=${DCACCEL_CACHE:-$HOME/.cache/dcaccel}
net=${NET:-lenet300}
# the methods, each a row (their dcc stages below)
methods=(dc hq sbnn smartdeal bwn xnor xnorfl qnn lq)
case $net in
lenet300) title=LeNet-300-100 first_last=8,1,8 ;;
lenet5) title=LeNet-5 first_last=8,1,1,8
	# dcc's SmartDeal splits fc layers only (dcc-lowbit.rst)
	methods=(dc hq sbnn bwn xnor xnorfl qnn lq) ;;
*) echo "lowbit-table.sh: NET=$net: lenet300 or lenet5" >&2; exit 2 ;;
esac
out=build/lowbit/$net
step() { printf '\n== %s\n' "$*" >&2; }

step "installing what is missing from Debian's archive"
# shellcheck source=tests/guest/guest-arch.sh
. tests/guest/guest-arch.sh
export GUEST_ARCH=$guest_arch
scripts/install-deps.sh build dcc qemu guest "${guest_deps[@]}"
qemu-device/build/qemu-deps.sh
tests/guest/debian-kernel-version.sh > /dev/null
mkdir -p "$out"
step "building QEMU and the module in the background (logs in $out/)"
qemu-device/build-qemu.sh > /dev/null 2> "$out/qemu.log" &
qemu_pid=$!
tests/guest/build-module.sh > /dev/null 2> "$out/module.log" &
module_pid=$!
make -s -j"$(nproc)" build/release/dcc build/release/dcaccel
make -s -j"$(nproc)" VARIANT="$guest_variant" "build/$guest_variant/dcaccel"

key=$( { find userspace/dcc userspace/dcm userspace/eie userspace/common \
		qemu-device/datapath include/dcaccel -type f -name '*.[ch]' -print0 |
		sort -z | xargs -0 sha256sum
	dpkg-query -W -f='${Version}' dataset-fashion-mnist; } | sha256sum | cut -c1-16)
dir=$cache/lowbit/$key/$net
mkdir -p "$dir"
dcc=build/release/dcc

# stage NAME CMD...: run a dcc stage once, its output kept in NAME.log
stage() {
	local name=$1
	shift
	if [ ! -f "$dir/$name.done" ]; then
		echo "lowbit: $name" >&2
		nice -n 10 "$dcc" "$@" > "$dir/$name.log"
		touch "$dir/$name.done"
	fi
}
step "the dense model and each method's model (dcc; cached)"
stage dense train --net "$net" --seed 1 --data "$data" -o "$dir/dense.safetensors"
dense=$(sed -n 's/^dense: test accuracy \([0-9.]*\)%$/\1/p' "$dir/dense.log")
for m in "${methods[@]}"; do
	case $m in
	dc)
		stage dc-pruned prune --net "$net" --seed 1 --data "$data" \
			-i "$dir/dense.safetensors" -o "$dir/dc-pruned.safetensors"
		stage dc-trained quantize --net "$net" --seed 1 --data "$data" \
			-i "$dir/dc-pruned.safetensors" -o "$dir/dc-trained.safetensors" ;;
	xnorfl)
		# XNOR-Net with the paper's rule: the first layer's weights at 8 bits too
		stage "$m-trained" lowbit --lowbit xnor --lowbit-wbits "$first_last" \
			--seed 1 --data "$data" \
			-i "$dir/dense.safetensors" -o "$dir/$m-trained.safetensors" ;;
	smartdeal)
		# 4.5% and 5% of C's rows kept: 48.9x within 0.5 pp (dcc-lowbit.rst)
		stage "$m-trained" lowbit --lowbit smartdeal --keep 0.045,0.05,0.2 \
			--seed 1 --data "$data" \
			-i "$dir/dense.safetensors" -o "$dir/$m-trained.safetensors" ;;
	*)
		stage "$m-trained" lowbit --lowbit "$m" --seed 1 --data "$data" \
			-i "$dir/dense.safetensors" -o "$dir/$m-trained.safetensors" ;;
	esac
	stage "$m-encode" encode --data "$data" \
		-i "$dir/$m-trained.safetensors" -o "$dir/$m.dcm"
done

step "every model on the CPU reference, on this host"
for m in "${methods[@]}"; do
	build/release/dcaccel run --cpu "$dir/$m.dcm" "$data/t10k-images-idx3-ubyte.gz" \
		--labels "$data/t10k-labels-idx1-ubyte.gz" --quiet > "$out/cpu-$m.txt"
done

wait "$qemu_pid" || { tail -n 30 "$out/qemu.log" >&2; exit 1; }
wait "$module_pid" || { tail -n 30 "$out/module.log" >&2; exit 1; }
# one guest test program classifies with every model on the device (and
# the first on the CPU too); LeNet-5's eight took 15 min before 474cc50,
# and the guest's default of 600 s cut an earlier run after four models
export GUEST_TEST_TIMEOUT=${GUEST_TEST_TIMEOUT:-5400} GUEST_TIMEOUT=${GUEST_TIMEOUT:-6000}
# and on x86 the pc machine's default CPU has no POPCNT: the CPU
# reference's bit-plane ops would count bits in libgcc's software loop
# (a -cpu of the caller's own in GUEST_QEMU_ARGS comes later and wins)
if [ "$guest_arch" = amd64 ]; then
	export GUEST_QEMU_ARGS="-cpu max ${GUEST_QEMU_ARGS:-}"
fi
step "every model on the accelerator, one guest boot"
models=()
for m in "${methods[@]}"; do
	models+=("$dir/$m.dcm")
done
GUEST_CPU_REFERENCE=first scripts/run-guest-job.sh "${models[@]:0:1}" "$data" \
	"${models[@]:1}" > "$out/guest.txt"

# The lines of a report section (its header line to the next header).
section() { awk -v s="$1" 'index($0, s) == 1 { f = 1; next } f && /^[^#]/ { exit } f' "$out/guest.txt"; }
digest() { sed -n 's/^# outputs digest //p'; }
# the CPU reference gives the same outputs in the guest as on this host
# (the same engine built for another CPU), or the host's stands for nothing
guest_cpu=$(section "CPU reference " | digest)
host_cpu=$(digest < "$out/cpu-${methods[0]}.txt")
if [ -z "$guest_cpu" ] || [ "$guest_cpu" != "$host_cpu" ]; then
	echo "lowbit: ${methods[0]}: the guest's CPU reference gave digest '$guest_cpu', this host's '$host_cpu'" >&2
	exit 1
fi
# KEY's value in a method's dcc summary line
field() { sed -n "s/^summary: .*\\b$2=\\([^ ]*\\).*/\\1/p" "$dir/$1-encode.log"; }
trained_acc() {
	case $1 in
	dc) sed -n 's/^quantized: test accuracy \([0-9.]*\)%.*/\1/p' "$dir/dc-trained.log" ;;
	xnorfl) sed -n 's/^xnor: test accuracy \([0-9.]*\)%.*/\1/p' "$dir/$1-trained.log" ;;
	*) sed -n "s/^$1: test accuracy \\([0-9.]*\\)%.*/\\1/p" "$dir/$1-trained.log" ;;
	esac
}
describe() {
	case $1 in
	dc) echo "Deep Compression (prune, k-means, Huffman)" ;;
	hq) echo "HQ ternary {-a, 0, +a}" ;;
	sbnn) echo "SBNN sparse binary {0, +a}" ;;
	bwn) echo "BWN binary weights +-a per row" ;;
	xnor) echo "XNOR-Net binary weights and signs" ;;
	xnorfl) echo "XNOR-Net, first and last layers 8-bit (the paper's rule)" ;;
	smartdeal) echo "SmartDeal: basis x sparse powers of two" ;;
	qnn) echo "QNN 2-bit uniform" ;;
	lq) echo "LQ-Nets 2-bit learned bases" ;;
	esac
}

# the rate against the dense network's fp32 size, Deep Compression's
# figure: dcc's own counts each layer of the .dcm as dense, and SmartDeal's
# basis layers are layers the dense network does not have
fp32=$(sed -n 's/^Dense fp32: \([0-9]*\) bytes.*/\1/p' "$dir/dc-encode.log")
csv=$out/lowbit.csv
echo "method,weight_bits,activation_bits,bytes,rate,density,top1_dense,top1_trained,top1_engine,top1_device,device_equals_cpu,cycles,energy_nj,energy_onchip_nj" > "$csv"
status=0
for k in "${!methods[@]}"; do
	m=${methods[$k]}
	label=""
	[ "$k" -eq 0 ] || label=" ($m.dcm)"
	dev=$(section "accelerator$label:")
	dacc=$(sed -n 's/^# accuracy \([0-9.]*\)%.*/\1/p' <<< "$dev")
	ddig=$(digest <<< "$dev")
	if [ -n "$ddig" ] && [ "$ddig" = "$(digest < "$out/cpu-$m.txt")" ]; then
		same=yes
	else
		same=no status=1
	fi
	bytes=$(field "$m" bytes)
	rate=$(awk -v a="$fp32" -v b="$bytes" 'BEGIN { printf "%.2f", a / b }')
	echo "$m,$(field "$m" wbits | tr , /),$(field "$m" abits | tr , /),$bytes,$rate,$(field "$m" density),$dense,$(trained_acc "$m"),$(field "$m" fixed),$dacc,$same,$(field "$m" cycles),$(field "$m" energy_nj),$(field "$m" onchip_nj)" >> "$csv"
done

step "the table ($title, Fashion-MNIST; ordered by size)"
echo "| method | weight bits (per weight layer) | input bits (per weight layer) | non-zero weights | .dcm bytes | rate vs fp32 | top-1 dense | top-1 trained | top-1 device | device = CPU | cycles/inference | energy/inference | with weights on chip |"
echo "|---|---|---:|---:|---:|---:|---:|---:|---:|---|---:|---:|---:|"
tail -n +2 "$csv" | sort -t, -k4,4n | while IFS=, read -r m wb ab bytes rate dens d t e dv same cyc nj oc; do
	awk -v name="$(describe "$m")" -v wb="$wb" -v ab="$ab" -v dens="$dens" \
		-v bytes="$bytes" -v rate="$rate" -v d="$d" -v t="$t" -v e="$e" \
		-v dv="$dv" -v same="$same" -v cyc="$cyc" -v nj="$nj" -v oc="$oc" 'BEGIN {
		printf "| %s | %s | %s | %.1f%% | %s | %.1fx | %s%% | %s%% | %s%% (engine %s%%) | %s | %s | %.1f uJ | %.0f nJ |\n",
			name, wb, ab, dens * 100, bytes, rate, d, t, dv, e, same, cyc, nj / 1000, oc }'
done
echo
echo "dense fp32 $title: $fp32 bytes; top-1 $dense%"

# rate against top-1 on the device, each point labeled with its method
# (the energies are the table's): by rate, two points within 15% of each
# other's rate a pair whose more accurate one is labeled above and the
# other below, so that methods of about one size stay readable
labels=$out/labels.csv
tail -n +2 "$csv" | sort -t, -k5,5g |
	awk -F, '{ r[NR] = $5; a[NR] = $10; m[NR] = $1 }
	END {
		for (i = 1; i <= NR; i++) {
			d[i] = 1
			if (i < NR && r[i + 1] < 1.15 * r[i]) {
				d[i] = a[i] >= a[i + 1] ? 1 : -1
				d[i + 1] = -d[i]
				printf "%s,%s,%d,%s\n", r[i], a[i], d[i], m[i]
				i++
			}
			printf "%s,%s,%d,%s\n", r[i], a[i], d[i], m[i]
		}
	}' > "$labels"
gnuplot <<PLOT
set terminal pngcairo size 900,560
set output "$out/lowbit.png"
set datafile separator ","
set title "$title on Fashion-MNIST: size against accuracy (on the device)"
set xlabel "compression rate against fp32 (x, log scale)"
set ylabel "top-1 on the device (%)"
set logscale x
set grid
set key below horizontal
set offsets graph 0.05, graph 0.05, graph 0.12, graph 0.12
plot "$csv" skip 1 using 5:10 with points pt 7 ps 1.5 title "methods", \
     "$labels" using 1:(\$2 + 0.3 * \$3):4 with labels font ",10" notitle, \
     $dense title "dense fp32" with lines dt 2
PLOT
echo "table: $csv; picture: $out/lowbit.png" >&2
exit "$status"
