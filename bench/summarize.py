#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""The interleaved rounds of bench/capture-rounds.sh, summarised.

usage: summarize.py OUT_DIR POSSIBLE_CPUS SHORT_FILTER_B64 LONG_FILTER_B64 LOAD

Reads OUT_DIR/rounds.csv and memory.csv; prints one table per traffic
kind and the memory per tap; writes OUT_DIR/summary.csv and summary.json.

Every figure is a median over the rounds with its spread (min-max, and
the interquartile range in the CSV).  Ratios are taken within a round
before the median: a variant's rate (and its source CPU per packet)
against no capture's, interpolated by position between the baseline runs
before and after it in its round; a probe's cost per run against the
empty program's at the same hook in that round.  Load that shifts a
whole round, or drifts across it, cancels out.  The normalised figures
of every run go to OUT_DIR/rounds-normalised.csv for targets.py.
"""
import base64
import csv
import json
import re
import statistics
import sys

out, possible = sys.argv[1], int(sys.argv[2])
short_dump = base64.b64decode(sys.argv[3]).decode()
long_dump = base64.b64decode(sys.argv[4]).decode()
load = sys.argv[5]

# The empty program a variant's probe cost is read against.
FLOORS = {"bpf:tc": "empty tc program", "bpf:xdp": "empty XDP program",
          "xdpdump": "empty XDP program",
          "bpf:tracepoint": "empty tracepoint program"}
TRAFFIC = {"udp64": "UDP flood, 64-byte payloads",
           "udp1500": "UDP flood, 1472-byte payloads (1500-byte IP packets)",
           "tcp": "TCP stream, GSO/TSO on (packets up to 64 KiB at the taps)"}


def spread(values):
    """median, min, max, first and third quartile; None without values."""
    values = sorted(v for v in values if v is not None)
    if not values:
        return None
    if len(values) > 1:
        q1, _, q3 = statistics.quantiles(values, n=4, method="inclusive")
    else:
        q1 = q3 = values[0]
    return {"median": statistics.median(values), "min": values[0],
            "max": values[-1], "q1": q1, "q3": q3, "n": len(values)}


def num(text):
    try:
        return float(text)
    except (TypeError, ValueError):
        return None


def lost_share(r):
    """Dropped as a share of what reached the capture."""
    c, d = num(r["captured"]), num(r["dropped"])
    return d / (c + d) if c is not None and d is not None and c + d > 0 else None


def floor_of(variant):
    for prefix, floor in FLOORS.items():
        if variant.startswith(prefix):
            return floor
    return None


def executed(dump):
    """Instructions a packet passing every test runs: from the first, at
    each branch the way that does not go straight to 'ret #0'."""
    code = {}
    for line in dump.splitlines():
        m = re.match(r"\((\d+)\)\s+(\S+)\s*(.*)", line)
        if m:
            code[int(m.group(1))] = (m.group(2), m.group(3))
    rejects = {i for i, (op, arg) in code.items() if op == "ret" and arg.strip() == "#0"}
    pc, count = 0, 0
    while pc in code and count < 10000:
        op, arg = code[pc]
        count += 1
        if op == "ret":
            break
        m = re.search(r"jt (\d+)\s+jf (\d+)", arg)
        if m:
            jt, jf = int(m.group(1)), int(m.group(2))
            pc = jf if jt in rejects else jt
        elif op in ("ja", "jmp"):
            pc = int(arg.split()[-1])
        else:
            pc += 1
    return count


rows = list(csv.DictReader(open(f"{out}/rounds.csv")))
for r in rows:
    r["rate"] = num(r["source_rate"])
    sent, cpu = num(r["sent"]), num(r["capture_cpu_s"])
    # Capture CPU per unit of traffic: ns per packet sent, or per KiB.
    per = sent if r["unit"] == "packets/s" else (sent or 0) / 1024
    r["cpu_ns"] = cpu * 1e9 / per if cpu is not None and per else None
    scpu = num(r["source_cpu_s"])
    r["source_cpu_ns"] = scpu * 1e9 / per if scpu is not None and per else None
    rt, rc = num(r["bpf_run_time_ns"]), num(r["bpf_run_cnt"])
    r["ns_run"] = rt / rc if rt is not None and rc else None
by_key = {(r["traffic"], r["round"], r["variant"]): r for r in rows
          if r["variant"] != "no capture"}


def baseline(r, field):
    """No capture's FIELD at r's position in its round: linear between the
    nearest baseline runs before and after it, or the one there is."""
    pos = int(r["position"])
    runs = [(int(b["position"]), b[field]) for b in rows
            if b["traffic"] == r["traffic"] and b["round"] == r["round"]
            and b["variant"] == "no capture" and b[field] and b is not r]
    before = max((x for x in runs if x[0] < pos), default=None)
    after = min((x for x in runs if x[0] > pos), default=None)
    if before and after:
        w = (pos - before[0]) / (after[0] - before[0])
        return before[1] * (1 - w) + after[1] * w
    return (before or after or (None, None))[1]


for r in rows:
    base_rate, base_cpu = baseline(r, "rate"), baseline(r, "source_cpu_ns")
    r["rate_norm"] = r["rate"] / base_rate if r["rate"] is not None and base_rate else None
    # Inverted: like the rate's, 1.0 is no cost, lower is worse.
    r["work_norm"] = base_cpu / r["source_cpu_ns"] if base_cpu and r["source_cpu_ns"] else None

summary = []          # flat rows for summary.csv
tables = {}
for t in dict.fromkeys(r["traffic"] for r in rows):
    mine = [r for r in rows if r["traffic"] == t]
    unit = mine[0]["unit"]
    variants = list(dict.fromkeys(r["variant"] for r in mine))
    table = []
    for v in variants:
        runs = [r for r in mine if r["variant"] == v]
        ratios, cpu_ratios, vs_floor = [], [], []
        for r in runs:
            ratios.append(r["rate_norm"])
            cpu_ratios.append(r["work_norm"])
            f = floor_of(v)
            fr = by_key.get((t, r["round"], f)) if f else None
            if fr and fr["ns_run"] and r["ns_run"] is not None:
                vs_floor.append(r["ns_run"] / fr["ns_run"])
        figures = {
            "source_rate": spread(r["rate"] for r in runs),
            "ratio_to_no_capture": spread(ratios),
            "source_cpu_ns_per_" + ("packet" if unit == "packets/s" else "KiB"):
                spread(r["source_cpu_ns"] for r in runs),
            "source_cpu_efficiency_to_no_capture": spread(cpu_ratios),
            "captured": spread(num(r["captured"]) for r in runs),
            "dropped": spread(num(r["dropped"]) for r in runs),
            "dropped_share": spread(lost_share(r) for r in runs),
            "capture_cpu_ns_per_" + ("packet" if unit == "packets/s" else "KiB"):
                spread(r["cpu_ns"] for r in runs),
            "bpf_ns_per_run": spread(r["ns_run"] for r in runs),
            "bpf_runs": spread(num(r["bpf_run_cnt"]) for r in runs),
            "bpf_cost_to_floor": spread(vs_floor),
        }
        table.append({"variant": v, "floor": floor_of(v), "figures": figures})
        for name, s in figures.items():
            if s:
                summary.append({"traffic": t, "variant": v, "figure": name, **s})
    tables[t] = {"unit": unit, "rows": table}


def fmt(s, scale=1.0, digits=0):
    if not s:
        return "-"
    f = "%%.%df" % digits
    mid = f % (s["median"] * scale)
    if s["n"] > 1 and s["min"] != s["max"]:
        return "%s [%s-%s]" % (mid, f % (s["min"] * scale), f % (s["max"] * scale))
    return mid


print()
print("== interleaved rounds: median [min-max] over the rounds; ratios taken within each round,"
      " against no capture interpolated between the baseline runs around each run")
print("   " + load)
for t, tab in tables.items():
    unit = tab["unit"]
    rate_scale, rate_unit = (1e-3, "kpkt/s") if unit == "packets/s" else (1e-6, "MB/s")
    cpu_name = [k for k in tab["rows"][0]["figures"] if k.startswith("capture_cpu")][0]
    print()
    print("-- %s (%d rounds; the no capture row against its neighbours: the noise itself)" % (
        TRAFFIC.get(t, t), len({r["round"] for r in rows if r["traffic"] == t})))
    scpu_name = [k for k in tab["rows"][0]["figures"] if k.startswith("source_cpu_ns")][0]
    print("%-42s %-20s %-17s %-18s %-17s %-13s %-17s %-17s %-17s %s" % (
        "", "source " + rate_unit, "x no capture", "source CPU ns/" + (
            "pkt" if unit == "packets/s" else "KiB"), "no capture's / it",
        "captured k", "dropped %",
        "capture CPU ns/" + ("pkt" if unit == "packets/s" else "KiB"),
        "probe ns/run", "x empty program"))
    for x in tab["rows"]:
        f = x["figures"]
        print("%-42s %-20s %-17s %-18s %-17s %-13s %-17s %-17s %-17s %s" % (
            x["variant"], fmt(f["source_rate"], rate_scale),
            fmt(f["ratio_to_no_capture"], 1, 2), fmt(f[scpu_name]),
            fmt(f["source_cpu_efficiency_to_no_capture"], 1, 2), fmt(f["captured"], 1e-3),
            fmt(f["dropped_share"], 100, 1), fmt(f[cpu_name]), fmt(f["bpf_ns_per_run"]),
            fmt(f["bpf_cost_to_floor"], 1, 2)))

# The filter's cost per instruction: long minus short accepting filter,
# per round, over the difference of the instructions they execute;
# compiled (the default) and interpreted.
filter_cost = interpreted_cost = None
n_short, n_long = executed(short_dump), executed(long_dump)


def per_instruction_cost(suffix):
    costs = []
    for r in rows:
        if r["variant"] != "bpf:tc, long filter matching all" + suffix:
            continue
        s = by_key.get((r["traffic"], r["round"], "bpf:tc, short filter matching all" + suffix))
        if s and s["ns_run"] is not None and r["ns_run"] is not None and n_long > n_short:
            costs.append((r["ns_run"] - s["ns_run"]) / (n_long - n_short))
    return costs


for suffix, key in (("", "filter_cost"), (", interpreted", "interpreted_filter_cost")):
    per_instruction = per_instruction_cost(suffix)
    if not per_instruction:
        continue
    cost = {"short_executed": n_short, "long_executed": n_long,
            "ns_per_instruction": spread(per_instruction)}
    if key == "filter_cost":
        filter_cost = cost
    else:
        interpreted_cost = cost
    summary.append({"traffic": "udp64", "variant": "bpf:tc, long - short filter" + suffix,
                    "figure": "filter_ns_per_executed_instruction",
                    **cost["ns_per_instruction"]})
    print()
    print("-- the in-kernel filter%s: (long - short accepting filter's ns/run) / (%d - %d executed"
          " instructions): %s ns per instruction" % (
              suffix, n_long, n_short, fmt(cost["ns_per_instruction"], 1, 2)))

# Memory per tap.
memory = {}
for m in csv.DictReader(open(f"{out}/memory.csv")):
    memory.setdefault(m["tap"], []).append(m)
mem_out = {}
if memory:
    print()
    print("-- kernel memory a capture holds per tap (tcpdump's defaults: 2 MiB buffer,"
          " snap length 262144), from bpftool's memlock of its maps and programs")
    print("   per-CPU part: round_up(value_size, 8) x entries per CPU x possible CPUs;"
          " the rest does not scale")
    print("   total(N CPUs) = fixed + per_cpu_bytes x N; this machine: %d possible CPUs" % possible)
    print("%-40s %14s %14s %12s %12s %12s %12s" % (
        "tap", "fixed kB", "per CPU kB", "here kB", "2 CPUs kB", "64 CPUs MB", "256 CPUs MB"))
for tap, maps in memory.items():
    fixed = per_cpu = 0
    parts = []
    for m in maps:
        memlock = int(m["memlock"])
        if m["per_cpu"] == "yes":
            value = (int(m["value_size"]) + 7) // 8 * 8
            entries = int(m["max_entries"]) // possible if m["name"] == "scratch" \
                else int(m["max_entries"])
            scaling = value * entries
            per_cpu += scaling
            fixed += memlock - scaling * possible
        else:
            fixed += memlock
        parts.append({k: m[k] for k in ("name", "map_type", "value_size", "max_entries",
                                         "memlock", "per_cpu")})
    totals = {str(n): fixed + per_cpu * n for n in (possible, 2, 64, 256)}
    mem_out[tap] = {"fixed_bytes": fixed, "per_cpu_bytes": per_cpu,
                    "total_bytes": totals, "maps_and_programs": parts}
    print("%-40s %14.0f %14.0f %12.0f %12.0f %12.1f %12.1f" % (
        tap, fixed / 1024, per_cpu / 1024, totals[str(possible)] / 1024, totals["2"] / 1024,
        totals["64"] / 2**20, totals["256"] / 2**20))
    for p in parts:
        if p["map_type"].startswith("prog:"):
            print("     %-20s %-16s %8s bytes jited            memlock %10s" % (
                p["name"], p["map_type"], p["value_size"], p["memlock"]))
        else:
            print("     %-20s %-16s value %8s x %8s entries  memlock %10s%s" % (
                p["name"], p["map_type"], p["value_size"], p["max_entries"], p["memlock"],
                "  (per CPU)" if p["per_cpu"] == "yes" else ""))

with open(f"{out}/rounds-normalised.csv", "w", newline="") as f:
    fields = list(csv.DictReader(open(f"{out}/rounds.csv")).fieldnames) + [
        "rate_norm", "work_norm"]
    w = csv.DictWriter(f, fieldnames=fields, extrasaction="ignore")
    w.writeheader()
    w.writerows(rows)
with open(f"{out}/summary.csv", "w", newline="") as f:
    w = csv.DictWriter(f, fieldnames=["traffic", "variant", "figure", "median", "min", "max",
                                      "q1", "q3", "n"])
    w.writeheader()
    w.writerows(summary)
json.dump({"load": load, "possible_cpus": possible, "tables": tables,
           "filter_cost": filter_cost, "interpreted_filter_cost": interpreted_cost,
           "memory": mem_out},
          open(f"{out}/summary.json", "w"), indent=1)
print()
print("written: %s/rounds.csv, rounds-normalised.csv, memory.csv, summary.csv, summary.json" % out)
