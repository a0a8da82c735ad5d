#!/bin/bash
# make bench, part 2: what a capture costs and loses, bpf: taps against AF_PACKET,
# side by side on the same traffic in one run.
#
# Traffic: bench/udp_flood.c (sendmmsg) from namespace A over a veth pair
# (MTU 9000) to B, 64- and 1500-byte payloads, a fixed count and a time bound.  The
# capture: the system's /usr/bin/tcpdump -w /dev/null in B (dumpcap once).
# Per row: packets offered (sent), captured (delivered to the application),
# ps_recv, ps_drop, the source's rate and its ratio to no capture, CPU
# seconds of the capturing process per million packets offered (from its
# start of listening: activation is not counted), its peak RSS.  Then a rate sweep (loss at paced rates), the ratios against
# AF_PACKET, and the read path's instructions per packet (callgrind).
# Written to build/bench/capture.csv and capture.json as well.
. "$(dirname "$0")/lib.sh"
flood=$out/udp_flood
count=${BENCH_PACKETS:-400000}
sweep_count=${BENCH_SWEEP_PACKETS:-200000}
callgrind_count=${BENCH_CALLGRIND_PACKETS:-20000}
bench_veth_pair
# Room for 1500-byte payloads without IP fragments.
ip -n ${ns}a link set va mtu 9000 && ip -n ${ns}b link set vb mtu 9000
declare -A baseline
# dumpcap runs as an ordinary user with the capabilities (see README.bpftrace).
cp -L "$lib/libpcap.so.0.8" "$tmp/" && chmod a+r "$tmp/libpcap.so.0.8"

csv=$out/capture.csv
echo "payload,rate,capture,tool,offered,captured,ps_recv,ps_drop,pps,ratio,cpu_s_per_mpkt,peak_rss_kb" > "$csv"
# measure PAYLOAD RATE LABEL TOOL DEVICE FILTER: one row.
measure() {
	local size=$1 rate=$2 label=$3 tool=$4 device=$5 filter=$6
	local pid="" sent pps cpu="-" rss="-" captured="-" recv="-" drop="-" per_m="-"
	case $tool in
	tcpdump)
		ip netns exec ${ns}b env LD_LIBRARY_PATH="$lib" /usr/bin/tcpdump -ni "$device" \
		    -w /dev/null $filter 2> "$tmp/err" &
		pid=$! ;;
	dumpcap)
		ip netns exec ${ns}b setpriv --reuid=65534 --regid=65534 --clear-groups \
		    --inh-caps=+bpf,+perfmon,+net_admin,+net_raw \
		    --ambient-caps=+bpf,+perfmon,+net_admin,+net_raw \
		    env HOME="$tmp" LD_LIBRARY_PATH="$tmp" /usr/bin/dumpcap -q -i "$device" \
		    -w /dev/null ${filter:+-f "$filter"} 2> "$tmp/err" &
		pid=$! ;;
	esac
	local cpu_start=0
	if [ -n "$pid" ]; then
		bench_wait_listening "$tmp/err"
		# Activation's own CPU (BTF, loading) is not per packet.
		cpu_start=$(awk '{ print $1 }' /proc/$pid/schedstat)
	fi
	read -r sent pps < <(ip netns exec ${ns}a "$flood" 198.18.0.2 9 "$count" "$size" 30 "$rate" |
	    sed 's/sent \([0-9]*\) packets.*: \([0-9]*\) packets\/s/\1 \2/')
	if [ -n "$pid" ]; then
		sleep 1		# let the capture drain
		# Time on a CPU in ns (schedstat): finer than stat's 10 ms ticks.
		cpu=$(awk -v s="$cpu_start" '{ printf "%.4f", ($1 - s) / 1e9 }' /proc/$pid/schedstat)
		rss=$(awk '/^VmHWM:/ { print $2 }' /proc/$pid/status)
		kill -INT $pid; wait $pid 2>/dev/null
		if [ "$tool" = tcpdump ]; then
			captured=$(sed -n 's/^\([0-9]*\) packets\? captured/\1/p' "$tmp/err")
			recv=$(sed -n 's/^\([0-9]*\) packets\? received by filter/\1/p' "$tmp/err")
			drop=$(sed -n 's/^\([0-9]*\) packets\? dropped by kernel/\1/p' "$tmp/err")
		else
			captured=$(sed -n 's/^Packets captured: \([0-9]*\).*/\1/p' "$tmp/err")
			read -r recv drop < <(sed -n 's/^Packets received\/dropped on interface .*: \([0-9]*\)\/\([0-9]*\).*/\1 \2/p' "$tmp/err")
		fi
		per_m=$(echo "$cpu * 1000000 / $sent" | bc -l | xargs printf '%.3f')
	fi
	[ "$label" = "no capture" ] && baseline[$size]=$pps
	[ -n "${baseline[$size]:-}" ] || baseline[$size]=$pps
	local ratio
	ratio=$(echo "$pps / ${baseline[$size]}" | bc -l | xargs printf '%.2f')
	printf '%-5s %-7s %-44s %8s %8s %8s %8s %9s %6s %8s %8s\n' "$size" "$rate" "$label" \
	    "$sent" "${captured:--}" "${recv:--}" "${drop:--}" "$pps" "$ratio" "$per_m" "$rss"
	echo "$size,$rate,\"$label\",$tool,$sent,$captured,$recv,$drop,$pps,$ratio,$per_m,$rss" >> "$csv"
}

header() {
	printf '%-5s %-7s %-44s %8s %8s %8s %8s %9s %6s %8s %8s\n' payload rate capture \
	    offered captured ps_recv ps_drop pkts/s ratio cpu-s/M rss-kB
}

# BENCH_QUICK=1: a few rows only, for comparing two builds in a minute.
if [ -n "${BENCH_QUICK:-}" ]; then
	header
	for size in 64 1500; do
		measure $size 0 "no capture" none - ""
		measure $size 0 "AF_PACKET" tcpdump vb ""
		measure $size 0 "bpf:tc" tcpdump bpf:tc:vb ""
		measure $size 0 "bpf:tc, filter matching nothing" tcpdump bpf:tc:vb "udp port 10"
	done
	count=$sweep_count
	measure 64 100000 "no capture" none - ""
	measure 64 100000 "AF_PACKET" tcpdump vb ""
	measure 64 100000 "bpf:tc" tcpdump bpf:tc:vb ""
	exit 0
fi

echo "== capture cost, $count datagrams per row, source at full speed (ratio: to no capture)"
header
for size in 64 1500; do
	measure $size 0 "no capture" none - ""
	measure $size 0 "AF_PACKET" tcpdump vb ""
	measure $size 0 "bpf:tc" tcpdump bpf:tc:vb ""
	measure $size 0 "bpf:xdp" tcpdump bpf:xdp:vb ""
	# What any XDP program costs on veth (it switches the receive path).
	ip -n ${ns}b link set dev vb xdpdrv obj "$top/build/testprogs/xdp_pass.bpf.o" sec xdp.frags
	measure $size 0 "no capture, an XDP program passing all" none - ""
	ip -n ${ns}b link set dev vb xdpdrv off
	measure $size 0 "bpf:tracepoint:net:netif_receive_skb" tcpdump bpf:tracepoint:net:netif_receive_skb ""
	measure $size 0 "AF_PACKET, filter matching nothing" tcpdump vb "udp port 10"
	for tap in tc xdp; do
		measure $size 0 "bpf:$tap, filter matching nothing" tcpdump bpf:$tap:vb "udp port 10"
		measure $size 0 "bpf:$tap, filter matching everything" tcpdump bpf:$tap:vb "udp port 9"
	done
	measure $size 0 "bpf:tracepoint, filter matching nothing" tcpdump \
	    bpf:tracepoint:net:netif_receive_skb "udp port 10"
	measure $size 0 "bpf:tracepoint, filter matching everything" tcpdump \
	    bpf:tracepoint:net:netif_receive_skb "udp port 9"
done
measure 64 0 "dumpcap, AF_PACKET" dumpcap vb ""
measure 64 0 "dumpcap, bpf:tc" dumpcap bpf:tc:vb ""

echo
echo "== loss at paced rates, $sweep_count datagrams of 64 bytes per row (ratio: to no capture at that rate)"
header
count=$sweep_count
for rate in 100000 200000 400000; do
	measure 64 $rate "no capture" none - ""
	measure 64 $rate "AF_PACKET" tcpdump vb ""
	measure 64 $rate "bpf:tc" tcpdump bpf:tc:vb ""
	measure 64 $rate "bpf:xdp" tcpdump bpf:xdp:vb ""
done

echo
echo "== against AF_PACKET, same payload and rate (source rate ratio; CPU per packet ratio)"
python3 - "$csv" <<'PY'
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1])))
ref = {(r["payload"], r["rate"]): r for r in rows if r["capture"] == "AF_PACKET"}
for r in rows:
    if not r["capture"].startswith("bpf:") or (r["payload"], r["rate"]) not in ref:
        continue
    a = ref[(r["payload"], r["rate"])]
    if float(a["pps"]) == 0:
        continue
    try:
        cpu = "%.2f" % (float(r["cpu_s_per_mpkt"]) / max(float(a["cpu_s_per_mpkt"]), 0.001))
    except ValueError:
        cpu = "-"
    print("%-5s %-7s %-44s source %.2f x AF_PACKET's, CPU %s x, drops %s vs %s" % (
        r["payload"], r["rate"], r["capture"], float(r["pps"]) / float(a["pps"]), cpu,
        r["ps_drop"], a["ps_drop"]))
PY

echo
echo "== read path: instructions per packet (callgrind, $callgrind_count packets of 64 and of 1500 bytes queued, then read)"
readpath() {
	local label=$1 device=$2 function=$3 size=$4
	rm -f "$tmp/go" "$tmp/callgrind.out"
	ip netns exec ${ns}b env LD_LIBRARY_PATH="$lib" timeout 300 valgrind --tool=callgrind \
	    --callgrind-out-file="$tmp/callgrind.out" --collect-atstart=no \
	    --toggle-collect="$function" "$out/read_batch" "$device" "$callgrind_count" \
	    "$tmp/go" > "$tmp/rb.out" 2> "$tmp/rb.err" &
	local pid=$!
	bench_wait_listening "$tmp/rb.out"
	ip netns exec ${ns}a "$flood" 198.18.0.2 9 "$callgrind_count" "$size" 30 100000 >/dev/null
	sleep 1
	touch "$tmp/go"
	wait $pid
	local ir
	ir=$(sed -n 's/^summary: \([0-9]*\).*/\1/p' "$tmp/callgrind.out")
	printf '%-5s %-12s %s: %s instructions for %s, %s per packet\n' "$size" "$label" "$function" "${ir:-?}" \
	    "$(sed -n 's/read \([0-9]*\) packets/\1/p' "$tmp/rb.out") packets" \
	    "$(echo "${ir:-0} / $callgrind_count" | bc)"
	echo "readpath,$label,$function,${ir:-},$callgrind_count,$size" >> "$out/readpath.csv"
}
echo "kind,capture,function,instructions,packets,payload" > "$out/readpath.csv"
# The bpf: read path copies each packet (the callback's is writable): its
# cost grows with the size, AF_PACKET's does not.
for size in 64 1500; do
	readpath AF_PACKET vb pcap_read_linux_mmap_v3 $size
	readpath bpf:tc bpf:tc:vb bpftrace_read $size
done

python3 - "$csv" "$out/readpath.csv" "$out/capture.json" <<'PY'
import csv, json, sys
json.dump({"captures": list(csv.DictReader(open(sys.argv[1]))),
           "read_path": list(csv.DictReader(open(sys.argv[2])))},
          open(sys.argv[3], "w"), indent=1)
PY
echo
echo "written: $csv, $out/readpath.csv, $out/capture.json"
