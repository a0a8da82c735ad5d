#!/bin/bash
# make bench, part 3: what a filter costs, in the kernel and in user space.
# One bounded UDP flood (bench/udp_flood.c, 64-byte payloads) between two
# namespaces, captured by the system's tcpdump -w /dev/null at
# bpf:tc:vb:ingress with different filters, side by side with no capture
# and with AF_PACKET (-i vb).  Per row: the rate the source reached (and
# as a ratio of no capture), ns per probe run (kernel.bpf_stats_enabled),
# CPU seconds of tcpdump, packets delivered (ps_recv) and dropped.
. "$(dirname "$0")/lib.sh"
flood=$out/udp_flood
count=${BENCH_PACKETS:-300000}
bench_veth_pair
bench_bpf_stats

# The flood goes to UDP port 123.  The long filter's path runs through
# all its instructions before it accepts.
long='udp and not src net 10.0.0.0/8 and not src net 172.16.0.0/12 and (dst port 80 or dst port 443 or dst port 8080 or dst port 53 or dst port 123) and len > 40 and ip[8] > 1'
long_len=$(LD_LIBRARY_PATH=$lib tcpdump -i bpf:tc:lo -d "$long" 2>/dev/null | wc -l)

baseline=""
# row LABEL DEVICE FILTER [ENV...]
row() {
	local label=$1 device=$2 filter=$3
	shift 3
	local pid="" out rate ns_run="-" cpu="-" recv="-" drop="-"
	if [ "$device" != none ]; then
		ip netns exec ${ns}b env LD_LIBRARY_PATH="$lib" "$@" tcpdump -ni "$device" \
		    -w /dev/null $filter 2> "$tmp/err" &
		pid=$!
		bench_wait_listening "$tmp/err"
	fi
	out=$(ip netns exec ${ns}a "$flood" 198.18.0.2 123 "$count" 64 30)
	rate=$(echo "$out" | sed 's/.*: \([0-9]*\) packets.*/\1/')
	[ -n "$baseline" ] || baseline=$rate
	if [ -n "$pid" ]; then
		sleep 0.5
		cpu=$(awk '{ printf "%.2f", ($14 + $15) / 100 }' /proc/$pid/stat)
		if [ "${device#bpf:}" != "$device" ]; then
			read -r total runs < <(bench_probe_runtime)
			ns_run=$(echo "$total / ($runs + 0.000001)" | bc -l | xargs printf '%.0f')
		fi
		kill -INT $pid; wait $pid 2>/dev/null
		recv=$(sed -n 's/^\([0-9]*\) packets\? received by filter/\1/p' "$tmp/err")
		drop=$(sed -n 's/^\([0-9]*\) packets\? dropped by kernel/\1/p' "$tmp/err")
	fi
	printf '%-44s %10s %6.2f %8s %8s %9s %8s\n' "$label" "$rate" \
	    "$(echo "$rate / $baseline" | bc -l)" "$ns_run" "$cpu" "$recv" "$drop"
}

echo "== filter cost: UDP flood of $count x 64-byte datagrams; long filter: $long_len instructions"
printf '%-44s %10s %6s %8s %8s %9s %8s\n' capture pkts/s ratio ns/run cpu-s ps_recv ps_drop
row "no capture" none ""
row "AF_PACKET, no filter" vb ""
row "AF_PACKET, 'udp port 81' (kernel)" vb "udp port 81"
row "bpf:tc, no filter" bpf:tc:vb:ingress ""
row "bpf:tc, 'udp port 123' (kernel, all)" bpf:tc:vb:ingress "udp port 123"
row "bpf:tc, long filter (kernel, all)" bpf:tc:vb:ingress "$long"
row "bpf:tc, 'tcp port 80' (kernel, none)" bpf:tc:vb:ingress "tcp port 80"
row "bpf:tc, 'udp port 81' (kernel, none)" bpf:tc:vb:ingress "udp port 81"
row "bpf:tc, 'udp port 123' (user space, all)" bpf:tc:vb:ingress "udp port 123" PCAP_BPF_FILTER=user
row "bpf:tc, 'udp port 81' (user space, none)" bpf:tc:vb:ingress "udp port 81" PCAP_BPF_FILTER=user
row "no capture (again)" none ""
