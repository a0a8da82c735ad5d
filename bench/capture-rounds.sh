#!/bin/bash
# make bench, part 1: what a capture costs, as interleaved rounds.
#
# The machine is shared and noisy (two identical runs have differed by
# 50% in packet rate), so no figure here comes from one run: each traffic
# kind runs every variant once per round (AF_PACKET, the bpf: taps with
# and without a filter, an empty program at the same hook, xdpdump), for
# BENCH_ROUNDS rounds, the order rotated by one each round, with "no
# capture" before every BENCH_BASELINE_EVERY (5) of them and at the end of
# the round.  A variant's rate is taken against no capture's, interpolated
# between the baseline runs just before and after it (the load drifts
# within a round), and bench/summarize.py reports the median and the
# spread (min-max, IQR) of every figure over the rounds.
#
# Traffic: namespace A sends to B over a veth pair (MTU 1500, the
# default: xdpdump's XDP program has no multi-buffer support and cannot
# attach with a jumbo MTU): UDP floods of 64-byte payloads and of
# 1472-byte ones (1500-byte IP packets) from bench/udp_flood.c, bounded in
# count and time; a TCP stream from bench/tcp_stream.c with GSO/TSO on
# (veth's default), bounded in bytes and time, so taps see up to 64 KiB
# packets.  Captures run in B: the system's tcpdump -w /dev/null (with
# the built libpcap for bpf: taps), xdp-tools' xdpdump.
#
# Per run: the source's rate (packets/s, or bytes/s for TCP) and its CPU
# time per packet (or KiB; softirqs it ran included, see udp_flood.c: the
# same cost, less disturbed by waiting for a CPU), packets
# captured and dropped, the capturing process's CPU time while the
# traffic ran (schedstat), and with the kernel's BPF statistics on the
# run_time_ns / run_cnt of the BPF programs the capturing process holds
# (found through its descriptors, so other captures on the machine do
# not count).  Then the kernel memory each bpf: tap holds (its maps and
# programs), for this machine and for 2, 64 and 256 possible CPUs.
#
# Written to build/bench/rounds.csv (every run), memory.csv, and by
# summarize.py summary.csv and summary.json.
#
# The traffic and the captures run at nice -15 (BENCH_NICE; empty: as
# started): the machine's other work at nice 0 then takes less of their
# CPU time within a run.  It does not take all of it; the rounds, and the
# ratios within a round, are for what is left.
#
# BENCH_ROUNDS (default 5; 7 take about 13 minutes), BENCH_QUICK=1 (3 rounds, fewer variants, for
# development), BENCH_TRAFFIC (a list of udp64 udp1500 tcp), BENCH_SECONDS
# (each run's traffic, default 1), BENCH_PACKETS and BENCH_TCP_BYTES (the
# bounds in count).
. "$(dirname "$0")/lib.sh"
mkdir -p "$out"
# Every run of traffic is bounded in time (and in count or bytes): the
# rate is what the source reached in that time, and the whole benchmark
# takes a known time however loaded the machine is.
seconds=${BENCH_SECONDS:-1}
if [ -n "${BENCH_QUICK:-}" ]; then
	rounds=${BENCH_ROUNDS:-3}
	traffic=${BENCH_TRAFFIC:-udp64 tcp}
else
	rounds=${BENCH_ROUNDS:-5}
	traffic=${BENCH_TRAFFIC:-udp64 udp1500 tcp}
fi
packets=${BENCH_PACKETS:-5000000}
every=${BENCH_BASELINE_EVERY:-5}
favour=""
[ -n "${BENCH_NICE--15}" ] && favour="nice -n ${BENCH_NICE--15}"
tcp_bytes=${BENCH_TCP_BYTES:-8000000000}
for prog in udp_flood tcp_stream floor_attach bpf_stats_on floor.bpf.o; do
	[ -e "$out/$prog" ] || { echo "capture-rounds: $out/$prog missing: run make bench" >&2; exit 1; }
done
have_xdpdump=yes
command -v xdpdump >/dev/null || have_xdpdump=""

bench_veth_pair
bench_bpf_stats
# A capture still running when the script ends (interrupted) ends too.
cap_pid=""
BENCH_CLEANUPS='[ -n "$cap_pid" ] && kill -INT "$cap_pid" 2>/dev/null; '"$BENCH_CLEANUPS"

# What every filter is matched against: the floods go to UDP port 9, the
# stream to TCP port 5201.  Nothing is sent to UDP port 10.
none_filter="udp port 10"
# Filters that accept the flood's packets after running every test (an
# and-chain): the difference of their cost per run over the difference of
# their executed instructions is the filter's cost per instruction.
short_filter="udp"
long_filter="udp and dst port 9 and src host 198.18.0.1 and dst host 198.18.0.2 and not src net 10.0.0.0/8 and not src net 172.16.0.0/12 and not src net 192.168.0.0/16 and len > 40 and ip[8] > 1 and ip[1] = 0"

# A variant: "label|kind|device|filter".  kind: none (no capture),
# tcpdump (at device), interpreted (tcpdump, the filter left to the
# probe's interpreter: PCAP_BPF_FILTER=interpret), xdpdump, floor (bench/floor.bpf.c's empty program
# at hook "device": tc, xdp, tp).
variants_for() {
	local t=$1
	echo "AF_PACKET|tcpdump|vb|"
	echo "AF_PACKET, filter matching nothing|tcpdump|vb|$none_filter"
	echo "bpf:tc|tcpdump|bpf:tc:vb:ingress|"
	echo "bpf:tc, filter matching nothing|tcpdump|bpf:tc:vb:ingress|$none_filter"
	echo "empty tc program|floor|tc|"
	# Native, as the empty program and xdpdump attach (bpf:xdp: alone is
	# generic, which on veth costs differently).
	[ -n "${BENCH_QUICK:-}" ] || echo "bpf:xdp|tcpdump|bpf:xdp:vb:native|"
	echo "bpf:xdp, filter matching nothing|tcpdump|bpf:xdp:vb:native|$none_filter"
	echo "empty XDP program|floor|xdp|"
	[ -n "$have_xdpdump" ] && [ -z "${BENCH_QUICK:-}" ] && echo "xdpdump|xdpdump|vb|"
	if [ -z "${BENCH_QUICK:-}" ] && [ "$t" = udp64 ]; then
		echo "bpf:tracepoint, filter matching nothing|tcpdump|bpf:tracepoint:net:netif_receive_skb|$none_filter"
		echo "empty tracepoint program|floor|tp|"
		echo "bpf:tc, short filter matching all|tcpdump|bpf:tc:vb:ingress|$short_filter"
		echo "bpf:tc, long filter matching all|tcpdump|bpf:tc:vb:ingress|$long_filter"
		echo "bpf:tc, short filter matching all, interpreted|interpreted|bpf:tc:vb:ingress|$short_filter"
		echo "bpf:tc, long filter matching all, interpreted|interpreted|bpf:tc:vb:ingress|$long_filter"
		echo "bpf:tc, filter matching nothing, interpreted|interpreted|bpf:tc:vb:ingress|$none_filter"
	fi
}

csv=$out/rounds.csv
echo "traffic,round,position,variant,kind,device,filter,source_rate,unit,sent,captured,dropped,capture_cpu_s,traffic_s,source_cpu_s,bpf_run_time_ns,bpf_run_cnt,load1" > "$csv"

# start_capture KIND DEVICE FILTER: starts it in B, sets $cap_pid; waits
# until it listens.  Activation's CPU is not counted (cap_cpu0).
start_capture() {
	local kind=$1 device=$2 filter=$3
	cap_pid=""
	rm -f "$tmp/cap"
	case $kind in
	none)
		return 0 ;;
	tcpdump|interpreted)
		$favour ip netns exec ${ns}b env LD_LIBRARY_PATH="$lib" \
		    PCAP_BPF_FILTER=$([ "$kind" = interpreted ] && echo interpret) \
		    /usr/bin/tcpdump -ni "$device" -w /dev/null $filter > "$tmp/cap" 2>&1 &
		cap_pid=$! ;;
	xdpdump)
		$favour ip netns exec ${ns}b xdpdump -i "$device" --load-xdp-program -w /dev/null \
		    > "$tmp/cap" 2>&1 &
		cap_pid=$! ;;
	floor)
		$favour ip netns exec ${ns}b "$out/floor_attach" "$out/floor.bpf.o" "$device" \
		    $([ "$device" = tp ] || echo vb) > "$tmp/cap" 2>&1 &
		cap_pid=$! ;;
	esac
	if ! bench_wait_listening "$tmp/cap"; then
		echo "capture-rounds: $kind $device did not start:" >&2
		cat "$tmp/cap" >&2
		kill -INT "$cap_pid" 2>/dev/null
		wait "$cap_pid" 2>/dev/null
		cap_pid=""
		return 1
	fi
	# nice and ip netns exec exec their commands: the pid is the capture's.
	cap_cpu0=$(awk '{ print $1 }' /proc/$cap_pid/schedstat)
}

# run_traffic TRAFFIC: "rate unit sent seconds cpu" of the source (cpu:
# the sending thread's, and the TCP sink's, softirqs in their context
# included: see udp_flood.c).
run_traffic() {
	local line
	case $1 in
	udp64|udp1500)
		local size=64
		[ "$1" = udp1500 ] && size=1472
		line=$($favour ip netns exec ${ns}a "$out/udp_flood" 198.18.0.2 9 "$packets" "$size" "$seconds")
		# "sent N packets in S s: R packets/s, cpu C s"
		echo "$line" | awk '{ print $7, "packets/s", $2, $5, $10 }' ;;
	tcp)
		# Removed first: the last run's "ready" is not this one's.
		rm -f "$tmp/sink"
		$favour ip netns exec ${ns}b "$out/tcp_stream" sink 5201 $((${seconds%.*} + 20)) \
		    > "$tmp/sink" 2>&1 &
		local sink=$!
		bench_wait_listening "$tmp/sink"
		line=$($favour ip netns exec ${ns}a "$out/tcp_stream" send 198.18.0.2 5201 \
		    "$tcp_bytes" "$seconds")
		wait $sink
		# "sent N bytes in S s: R bytes/s, cpu C s"; "received N bytes, cpu C s"
		echo "$line" | awk -v sink="$(awk '/^received/ { print $5 }' "$tmp/sink")" \
		    '{ print $7, "bytes/s", $2, $5, $10 + sink }' ;;
	esac
}

# measure TRAFFIC ROUND POSITION VARIANT: one run, one line of rounds.csv.
measure() {
	local t=$1 round=$2 pos=$3 label kind device filter
	IFS='|' read -r label kind device filter <<< "$4"
	local rate unit sent secs source_cpu cpu="" captured="" dropped="" rt="" rc="" load1
	load1=$(cut -d' ' -f1 /proc/loadavg)
	start_capture "$kind" "$device" "$filter" || return 0
	read -r rate unit sent secs source_cpu < <(run_traffic "$t")
	if [ -n "$cap_pid" ]; then
		cpu=$(awk -v s="$cap_cpu0" '{ printf "%.4f", ($1 - s) / 1e9 }' /proc/$cap_pid/schedstat)
		[ "$kind" = tcpdump ] && [ "${device#bpf:}" = "$device" ] ||
		    read -r rt rc < <(bench_prog_stats "$cap_pid")
		sleep 0.5	# the capture drains what is queued
		kill -INT "$cap_pid"
		wait "$cap_pid" 2>/dev/null
		cap_pid=""
		case $kind in
		tcpdump|interpreted)
			captured=$(sed -n 's/^\([0-9]*\) packets\? captured/\1/p' "$tmp/cap")
			dropped=$(sed -n 's/^\([0-9]*\) packets\? dropped by kernel/\1/p' "$tmp/cap") ;;
		xdpdump)
			captured=$(sed -n 's/^\([0-9]*\) packets\? captured/\1/p' "$tmp/cap")
			dropped=$(sed -n 's/^\([0-9]*\) packets\? dropped by perf ring/\1/p' "$tmp/cap") ;;
		esac
	fi
	printf '%s,%d,%d,"%s",%s,%s,"%s",%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s\n' "$t" "$round" "$pos" \
	    "$label" "$kind" "$device" "$filter" "$rate" "$unit" "$sent" "$captured" \
	    "$dropped" "$cpu" "$secs" "$source_cpu" "$rt" "$rc" "$load1" >> "$csv"
	printf '  %-8s round %d  %-44s %12s %s\n' "$t" "$round" "$label" "$rate" "$unit"
}

echo "== capture cost in interleaved rounds: $rounds rounds, order rotated each round, traffic for $seconds s per run${favour:+, $favour}"
echo "   $(bench_load)"
[ -n "$have_xdpdump" ] || echo "   xdpdump: not installed (Debian's xdp-tools): its row is left out"
start=$SECONDS
for t in $traffic; do
	mapfile -t vs < <(variants_for "$t")
	n=${#vs[@]}
	for round in $(seq 1 "$rounds"); do
		pos=0
		for i in $(seq 0 $((n - 1))); do
			if [ $((i % every)) = 0 ]; then
				measure "$t" "$round" $((pos++)) "no capture|none||"
			fi
			measure "$t" "$round" $((pos++)) "${vs[$(((i + round - 1) % n))]}"
		done
		measure "$t" "$round" $((pos++)) "no capture|none||"
	done
done
echo "   runs took $((SECONDS - start)) s; $(bench_load)"

# The kernel memory a capture holds, per tap: every map its descriptors
# or its programs reference (ring, scratch, settings, counters, .bss),
# with the kernel's own accounting (memlock in fdinfo), and its programs.
# A map scales with the possible CPUs when it is a per-CPU type or holds
# one slot per CPU (the probe's scratch array: max_entries = possible CPUs).
mem=$out/memory.csv
echo "tap,map_id,name,map_type,key_size,value_size,max_entries,memlock,per_cpu" > "$mem"
possible=$(awk -F- '{ print $NF + 1 }' /sys/devices/system/cpu/possible)
for device in bpf:tc:vb:ingress bpf:xdp:vb bpf:tracepoint:net:netif_receive_skb; do
	start_capture tcpdump "$device" "" || continue
	maps=$(bench_fd_ids "$cap_pid" map)
	progs=$(bench_fd_ids "$cap_pid" prog)
	for id in $progs; do
		maps="$maps $(bpftool prog show id "$id" -j 2>/dev/null |
		    python3 -c 'import json,sys; print(" ".join(map(str, json.load(sys.stdin).get("map_ids", []))))')"
		bpftool prog show id "$id" -j 2>/dev/null | python3 -c '
import json, sys
p = json.load(sys.stdin)
print("%s,%d,%s,prog:%s,0,%d,1,%d,no" % (sys.argv[1], p["id"], p.get("name", ""), p["type"],
    p.get("bytes_jited", 0), p.get("bytes_memlock", 0)))' "$device" >> "$mem"
	done
	for id in $(echo $maps | tr ' ' '\n' | sort -un); do
		bpftool map show id "$id" -j 2>/dev/null | python3 -c '
import json, sys
m = json.load(sys.stdin)
possible = int(sys.argv[2])
per_cpu = "percpu" in m["type"] or (m.get("name") == "scratch" and m["max_entries"] == possible)
print("%s,%d,%s,%s,%d,%d,%d,%d,%s" % (sys.argv[1], m["id"], m.get("name", ""), m["type"],
    m["bytes_key"], m["bytes_value"], m["max_entries"], m.get("bytes_memlock", 0),
    "yes" if per_cpu else "no"))' "$device" "$possible" >> "$mem"
	done
	kill -INT "$cap_pid"
	wait "$cap_pid" 2>/dev/null
	cap_pid=""
done

python3 "$top/bench/summarize.py" "$out" "$possible" \
    "$(LD_LIBRARY_PATH=$lib tcpdump -i bpf:tc:lo -d "$short_filter" 2>/dev/null | base64 -w0)" \
    "$(LD_LIBRARY_PATH=$lib tcpdump -i bpf:tc:lo -d "$long_filter" 2>/dev/null | base64 -w0)" \
    "$(bench_load)" || exit 1
python3 "$top/bench/targets.py" "$out"
