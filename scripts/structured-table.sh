#!/usr/bin/env bash
# The structured pruning table of one network: each method of a `dcc sweep`
# at one level and one weight width, with its parameters and MACs kept,
# accuracy before and after fine-tuning, .dcm size, the cycle model's time,
# the host engine's measured time (the CPU reference, one thread) and the
# device's own run in the guest: top-1, modeled time, and whether its
# outputs are bit for bit the CPU reference's.
#
# Usage: scripts/structured-table.sh SWEEP_DIR LEVEL BITS [NAME]
#   SWEEP_DIR  a directory `dcc sweep -o` wrote (sweep.csv and the .dcm files)
#   LEVEL      the structured pruning level of the rows shown (e.g. 0.50)
#   BITS       the weight bits of the rows shown
# Prints a Markdown table on stdout (and SWEEP_DIR/table-LEVEL-BITS.csv);
# exits non-zero when a model's device outputs differ from the CPU's.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
usage="usage: structured-table.sh SWEEP_DIR LEVEL BITS [NAME]"
dir=${1:?$usage}
level=${2:?$usage}
bits=${3:?$usage}
name=${4:-$(basename "$dir")}
data=/usr/share/datasets/fashion-mnist
csv=$dir/sweep.csv
[ -r "$csv" ] || { echo "structured-table: $csv: no sweep there" >&2; exit 2; }
level=$(printf '%.2f' "$level")

# the rows: magnitude pruning alone (level 0), then each method at LEVEL
mapfile -t rows < <(awk -F, -v l="$level" -v b="$bits" \
	'NR > 1 && $3 == b && ($1 == "none" || $2 == l)' "$csv")
[ "${#rows[@]}" -gt 0 ] || { echo "structured-table: no rows at level $level, $bits bits" >&2; exit 2; }
models=()
for r in "${rows[@]}"; do
	IFS=, read -r m lv _ <<< "$r"
	models+=("$dir/$m-$lv-${bits}bit.dcm")
done

make -s -C "$top" build/release/dcaccel build/release/dcc
# the CPU reference's time per input on this machine, one thread: the best
# of three runs, since this machine's other work only ever adds to it
host_us() {
	for _ in 1 2 3; do
		OPENBLAS_NUM_THREADS=1 "$top/build/release/dcaccel" run --cpu "$1" \
			"$data/t10k-images-idx3-ubyte.gz" --quiet 2>&1 |
			sed -n 's/^# wall .*, \([0-9]*\) inputs\/s.*/\1/p'
	done | sort -n | tail -n 1 | awk '{ printf "%.2f", 1e6 / $1 }'
}

report=$dir/guest-$level-$bits.txt
echo "structured-table: running ${#models[@]} models on the device in the guest" >&2
"$top/scripts/run-guest-job.sh" "${models[0]}" "$data" "${models[@]:1}" > "$report" || true

# a model's section of the guest report: "accelerator (file):" or, first, "accelerator:"
section() {
	awk -v s="$1" 'index($0, s) == 1 { f = 1; next } f && /^[^#]/ { exit } f' "$report"
}
status=0
out=$dir/table-$level-$bits.csv
echo "method,level,bits,params_pct,macs_pct,nonzero_macs,acc_before_ft,acc_after_ft,acc_device,dcm_bytes,rate,model_cycles,model_us,device_us,host_us,bit_exact" > "$out"
printf '%s at level %s, %s-bit weights (dense %s%%)\n\n' "$name" "$level" "$bits" \
	"$(cut -d, -f10 <<< "${rows[0]}")"
echo "| method | params kept | MACs kept | non-zero MACs | top-1 before / after fine-tuning | top-1 on the device | .dcm bytes | rate | cycle model | modeled time (device) | host engine | device = CPU |"
echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|"
for k in "${!rows[@]}"; do
	IFS=, read -r m lv b params macs _ nzmacs bytes rate dense before after _ _ _ _ _ cycles model_us _ <<< "${rows[$k]}"
	label=""
	[ "$k" -eq 0 ] || label=" ($(basename "${models[$k]}"))"
	dev=$(section "accelerator$label:")
	cpu=$(section "CPU reference$label ")
	dev_acc=$(sed -n 's/^# accuracy \([0-9.]*\)%.*/\1/p' <<< "$dev")
	dev_us=$(sed -n 's/^# modeled time at .*, \([0-9.]*\) us per input/\1/p' <<< "$dev")
	d1=$(sed -n 's/^# outputs digest //p' <<< "$dev")
	d2=$(sed -n 's/^# outputs digest //p' <<< "$cpu")
	same=no
	[ -n "$d1" ] && [ "$d1" = "$d2" ] && same=yes
	[ "$same" = yes ] || status=1
	hus=$(host_us "${models[$k]}")
	# the cycle model of this build (the sweep's CSV has the one it ran)
	read -r cycles model_us < <("$top/build/release/dcc" info "${models[$k]}" --data "$data" |
		sed -n 's/^device cycle model.*; \([0-9]*\) cycles, \([0-9.]*\) us at.*/\1 \2/p')
	[ "$before" = nan ] && before="(trained anew)"
	echo "$m,$lv,$b,$params,$macs,$nzmacs,$before,$after,$dev_acc,$bytes,$rate,$cycles,$model_us,$dev_us,$hus,$same" >> "$out"
	printf '| %s | %s%% | %s%% | %s | %s / %s | %s | %s | %sx | %s cycles, %s us | %s us | %s us | %s |\n' \
		"$m" "$params" "$macs" "$nzmacs" "$before" "$after" "${dev_acc:-?}" "$bytes" "$rate" \
		"$cycles" "$model_us" "${dev_us:-?}" "$hus" "$same"
done
echo
echo "(CSV: $out; the guest's report: $report)"
exit "$status"
