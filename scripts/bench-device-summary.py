#!/usr/bin/env python3
"""The table of scripts/bench-device.sh: medians over the runs of each
backend and batch, in the guest and on the host, and the device's ratios
to the in-guest CPU reference and to the native host engine (median of
each side). Writes runs.csv and summary.csv beside the JSON it reads."""
import csv
import json
import os
import statistics
import sys


def load(path, where):
    rows = []
    with open(path) as f:
        for run, line in enumerate(l for l in f if l.strip()):
            for r in json.loads(line)["results"]:
                r.update(where=where, run=run + 1)
                rows.append(r)
    return rows


def main():
    out = sys.argv[1]
    rows = load(os.path.join(out, "guest.json"), "guest") + \
        load(os.path.join(out, "host.json"), "host")
    keys = ["where", "run", "backend", "batch", "iters", "p50_us", "p99_us",
            "images_per_s"]
    with open(os.path.join(out, "runs.csv"), "w", newline="") as f:
        w = csv.DictWriter(f, keys)
        w.writeheader()
        w.writerows({k: r[k] for k in keys} for r in rows)

    groups = {}
    for r in rows:
        groups.setdefault((r["where"], r["backend"], r["batch"]), []).append(r)
    med = {k: {m: statistics.median(x[m] for x in v)
               for m in ("p50_us", "p99_us", "images_per_s")} | {
                   "lo": min(x["images_per_s"] for x in v),
                   "hi": max(x["images_per_s"] for x in v), "n": len(v)}
           for k, v in groups.items()}

    print("%-6s %-14s %5s %4s %10s %10s %12s %19s" % (
        "where", "backend", "batch", "runs", "p50 us", "p99 us",
        "images/s", "(range)"))
    summary = []
    for (where, be, b), m in sorted(med.items(),
                                    key=lambda kv: (kv[0][2], kv[0][0],
                                                    kv[0][1])):
        name = "native-engine" if where == "host" else be
        print("%-6s %-14s %5d %4d %10.1f %10.1f %12.1f %19s" % (
            where, name, b, m["n"], m["p50_us"], m["p99_us"],
            m["images_per_s"], "(%.0f-%.0f)" % (m["lo"], m["hi"])))
        summary.append(dict(where=where, backend=name, batch=b, runs=m["n"],
                            p50_us=m["p50_us"], p99_us=m["p99_us"],
                            images_per_s=m["images_per_s"]))
    print()
    for b in sorted({k[2] for k in med}):
        cpu = med.get(("guest", "cpu-reference", b))
        nat = med.get(("host", "cpu-reference", b))
        for be in sorted({k[1] for k in med if k[0] == "guest" and
                          k[1].startswith("device") and k[2] == b}):
            d = med[("guest", be, b)]["images_per_s"]
            line = "batch %d, %s: %.2fx the in-guest CPU reference" % (
                b, be, d / cpu["images_per_s"]) if cpu else ""
            if nat:
                line += ", %.0f%% of the native host engine" % (
                    100 * d / nat["images_per_s"])
            print(line)
            summary.append(dict(where="ratio", backend=be, batch=b,
                                vs_guest_cpu=d / cpu["images_per_s"] if cpu
                                else "", vs_native=d / nat["images_per_s"]
                                if nat else ""))
    # the device's energy model (dcaccel bench's pJ/image, hardware 1.2 on)
    for b in sorted({r["batch"] for r in rows}):
        pj = [r["energy_pj_per_image"] for r in rows
              if r["where"] == "guest" and r["backend"] == "device" and
              r["batch"] == b and "energy_pj_per_image" in r]
        if pj:
            print("batch %d: the device's energy model, %.0f pJ per image "
                  "(its weights from DRAM once per job)" % (
                      b, statistics.median(pj)))
    with open(os.path.join(out, "summary.csv"), "w", newline="") as f:
        w = csv.DictWriter(f, ["where", "backend", "batch", "runs", "p50_us",
                               "p99_us", "images_per_s", "vs_guest_cpu",
                               "vs_native"])
        w.writeheader()
        w.writerows(summary)
    print("\nCSV: %s/runs.csv, %s/summary.csv" % (out, out))


if __name__ == "__main__":
    main()
