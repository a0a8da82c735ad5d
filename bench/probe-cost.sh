#!/bin/bash
# make bench, part 1: what the probe costs per packet at each tap family,
# from the kernel's own BPF run-time statistics (kernel.bpf_stats_enabled),
# while the system's tcpdump captures to /dev/null and a bounded flood
# ping runs between two namespaces.  One line per tap: ns per run, runs.
. "$(dirname "$0")/lib.sh"
count=${BENCH_PACKETS:-20000}
bench_veth_pair
bench_bpf_stats

echo "== probe cost per run, $count flood pings"
printf '%-40s %12s %10s %12s\n' tap ns/run runs seconds
for tap in bpf:tracepoint:net:netif_receive_skb bpf:raw_tracepoint:netif_receive_skb \
    bpf:tc:vb:ingress bpf:tc:vb bpf:xdp:vb; do
	ip netns exec ${ns}b env LD_LIBRARY_PATH="$lib" tcpdump -ni "$tap" -w /dev/null \
	    2> "$tmp/err" &
	pid=$!
	bench_wait_listening "$tmp/err"
	start=$(date +%s.%N)
	ip netns exec ${ns}a timeout 60 ping -f -q -c "$count" 198.18.0.2 >/dev/null
	secs=$(echo "$(date +%s.%N) - $start" | bc)
	read -r ns_total runs < <(bench_probe_runtime)
	kill -INT $pid; wait $pid 2>/dev/null
	printf '%-40s %12.1f %10d %12.2f\n' "$tap" "$(echo "$ns_total / ($runs + 0.000001)" | bc -l)" "$runs" "$secs"
done
