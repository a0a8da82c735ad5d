#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Issue 15's targets (item 5) against this run's figures.

usage: targets.py OUT_DIR

Reads OUT_DIR/rounds-normalised.csv, summary.json (bench/capture-rounds.sh,
bench/summarize.py) and readpath.csv (bench/read-path.sh, when it ran);
prints one line per target: the figure as median [min-max] over the
rounds, each ratio taken within a round, and whether the median meets
it.  Writes OUT_DIR/targets.json.
"""
import csv
import json
import os
import statistics
import sys

out = sys.argv[1]
rows = list(csv.DictReader(open(f"{out}/rounds-normalised.csv")))
summary = json.load(open(f"{out}/summary.json"))
SIZES = {"udp64": "64 B", "udp1500": "1500 B", "tcp": "GSO stream"}


def value(r, figure):
    try:
        # Rates and source CPU: as ratios to no capture around the run.
        if figure == "rate":
            return float(r["rate_norm"])
        if figure == "ns_run":
            return float(r["bpf_run_time_ns"]) / float(r["bpf_run_cnt"])
        if figure == "work":
            return float(r["work_norm"])
        if figure == "lost":
            c, d = float(r["captured"]), float(r["dropped"])
            return d / (c + d) if c + d > 0 else 0.0
    except (ValueError, ZeroDivisionError):
        return None
    return None


def within_rounds(traffic, a, b, figure):
    """a's figure over b's, per round: median, min, max, rounds.  Against
    no capture, a's normalised figure is that ratio already."""
    runs = {}
    for r in rows:
        if r["traffic"] == traffic and r["variant"] in (a, b):
            runs.setdefault(r["round"], {})[r["variant"]] = value(r, figure)
    if b == "no capture":
        for v in runs.values():
            v[b] = 1.0
    ratios = sorted(v[a] / v[b] for v in runs.values()
                    if v.get(a) is not None and v.get(b))
    if not ratios:
        return None
    return {"median": statistics.median(ratios), "min": ratios[0], "max": ratios[-1],
            "n": len(ratios)}


results = []


def check(target, figure, s, limit, higher_is_better):
    if s is None:
        # A variant this run left out (BENCH_QUICK, no xdpdump).
        results.append({"target": target, "figure": figure, "limit": limit, "value": None,
                        "met": None})
        return
    else:
        met = s["median"] >= limit if higher_is_better else s["median"] <= limit
        line = "%-72s %-26s %s" % (target, "%.2f [%.2f-%.2f] n=%d" % (
            s["median"], s["min"], s["max"], s["n"]), "met" if met else "NOT met")
    print(line)
    results.append({"target": target, "figure": figure, "limit": limit, "value": s,
                    "met": met})


traffics = [t for t in ("udp64", "udp1500", "tcp") if any(r["traffic"] == t for r in rows)]
print()
print("== speed targets: median ratio [min-max] over the rounds, each taken within a round")
print("   source rates as the targets say; under each, the same ratio from the source's CPU time")
print("   per packet (what the traffic costs; less moved by waiting for a CPU on a loaded machine)")
print("   " + summary.get("load", ""))
print("-- a filter that matches nothing ('udp port 10')")
for t in traffics:
    for tap, floor in (("tc", "empty tc program"), ("xdp", "empty XDP program")):
        v = "bpf:%s, filter matching nothing" % tap
        check("%s: probe ns/run <= 1.3 x %s's, %s" % (v, floor, SIZES[t]), "probe_to_floor",
              within_rounds(t, v, floor, "ns_run"), 1.3, False)
for t in traffics:
    for tap in ("tc", "xdp"):
        v = "bpf:%s, filter matching nothing" % tap
        check("%s: source >= 0.97 x no capture, %s" % (v, SIZES[t]), "source_to_no_capture",
              within_rounds(t, v, "no capture", "rate"), 0.97, True)
        check("  the same from the source's CPU per packet (no capture's / its)",
              "source_cpu_to_no_capture", within_rounds(t, v, "no capture", "work"), 0.97, True)
    check("  (AF_PACKET, filter matching nothing, for reference), %s" % SIZES[t],
          "source_to_no_capture",
          within_rounds(t, "AF_PACKET, filter matching nothing", "no capture", "rate"), 0.97, True)
fc = summary.get("filter_cost")
print("-- the filter's cost per executed instruction (bpf_stats, long - short filter at tc)")
check("ns per instruction <= 1.5 (the compiled filter)",
      "filter_ns_per_instruction", fc and fc["ns_per_instruction"], 1.5, False)
ic = summary.get("interpreted_filter_cost")
if ic:
    print("   (the interpreter, PCAP_BPF_FILTER=interpret, for reference: %.1f ns per instruction)"
          % ic["ns_per_instruction"]["median"])
print("-- capturing everything")
for t in traffics:
    for tap in ("bpf:tc", "bpf:xdp"):
        check("%s: source >= AF_PACKET's, %s" % (tap, SIZES[t]), "source_to_af_packet",
              within_rounds(t, tap, "AF_PACKET", "rate"), 1.0, True)
        check("  the same from the source's CPU per packet", "source_cpu_to_af_packet",
              within_rounds(t, tap, "AF_PACKET", "work"), 1.0, True)
        check("%s: source >= xdpdump's, %s" % (tap, SIZES[t]), "source_to_xdpdump",
              within_rounds(t, tap, "xdpdump", "rate"), 1.0, True)
        check("  the same from the source's CPU per packet", "source_cpu_to_xdpdump",
              within_rounds(t, tap, "xdpdump", "work"), 1.0, True)
for t in traffics:
    for tap in ("bpf:tc", "bpf:xdp"):
        a = [value(r, "lost") for r in rows if r["traffic"] == t and r["variant"] == tap]
        b = [value(r, "lost") for r in rows if r["traffic"] == t and r["variant"] == "AF_PACKET"]
        a, b = [x for x in a if x is not None], [x for x in b if x is not None]
        if a and b:
            ma, mb = statistics.median(a), statistics.median(b)
            met = ma <= mb
            print("%-72s %-26s %s" % ("%s: dropped share <= AF_PACKET's, %s" % (tap, SIZES[t]),
                  "%.2f%% vs %.2f%% (medians)" % (100 * ma, 100 * mb), "met" if met else "NOT met"))
            results.append({"target": "%s dropped share <= AF_PACKET's, %s" % (tap, SIZES[t]),
                            "figure": "dropped_share", "value": ma, "reference": mb, "met": met})
print("-- the read path (callgrind, instructions per packet)")
path = f"{out}/readpath.csv"
if os.path.exists(path):
    rp = list(csv.DictReader(open(path)))
    for size in dict.fromkeys(r["payload"] for r in rp):
        per = {r["capture"]: float(r["per_packet"] or 0) for r in rp if r["payload"] == size}
        if per.get("AF_PACKET") and "bpf:tc" in per:
            ratio = per["bpf:tc"] / per["AF_PACKET"]
            met = ratio <= 1.0
            print("%-72s %-26s %s" % ("bpf:tc read path <= AF_PACKET's, %s-byte payloads" % size,
                  "%.0f vs %.0f: %.2f" % (per["bpf:tc"], per["AF_PACKET"], ratio),
                  "met" if met else "NOT met"))
            results.append({"target": "read path <= AF_PACKET's, %s-byte payloads" % size,
                            "figure": "instructions_per_packet", "value": per["bpf:tc"],
                            "reference": per["AF_PACKET"], "met": met})
else:
    print("(bench/read-path.sh did not run)")
missing = sum(1 for r in results if r["value"] is None)
if missing:
    print("(%d lines left out: their variants were not in this run)" % missing)
json.dump(results, open(f"{out}/targets.json", "w"), indent=1)
print("written: %s/targets.json" % out)
