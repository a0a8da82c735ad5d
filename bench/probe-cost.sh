#!/bin/bash
# make bench: what the probe costs per packet at each tap family, from the
# kernel's own BPF run-time statistics (kernel.bpf_stats_enabled), while
# the system's tcpdump captures to /dev/null and a bounded flood ping runs
# between two namespaces.  Prints one line per tap: ns per run, runs.
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
lib=$top/build/lib
count=${BENCH_PACKETS:-20000}
ns=pbt-bench-$$
cleanup() {
	ip netns del ${ns}a 2>/dev/null
	ip netns del ${ns}b 2>/dev/null
	sysctl -qw kernel.bpf_stats_enabled="$stats_before"
}
stats_before=$(sysctl -n kernel.bpf_stats_enabled)
trap cleanup EXIT
ip netns add ${ns}a && ip netns add ${ns}b
ip link add va netns ${ns}a type veth peer name vb netns ${ns}b
ip -n ${ns}a addr add 198.18.0.1/24 dev va && ip -n ${ns}b addr add 198.18.0.2/24 dev vb
ip -n ${ns}a link set va up && ip -n ${ns}b link set vb up
ip netns exec ${ns}a ping -c 1 -W 2 198.18.0.2 >/dev/null
sysctl -qw kernel.bpf_stats_enabled=1

printf '%-40s %12s %10s %12s\n' tap ns/run runs seconds
for tap in bpf:tracepoint:net:netif_receive_skb bpf:raw_tracepoint:netif_receive_skb \
    bpf:tc:vb:ingress bpf:tc:vb bpf:xdp:vb; do
	ip netns exec ${ns}b env LD_LIBRARY_PATH="$lib" tcpdump -ni "$tap" -w /dev/null \
	    2> /tmp/bench.$$ &
	pid=$!
	for i in $(seq 100); do grep -q "listening on" /tmp/bench.$$ && break; sleep 0.1; done
	start=$(date +%s.%N)
	ip netns exec ${ns}a timeout 60 ping -f -q -c "$count" 198.18.0.2 >/dev/null
	secs=$(echo "$(date +%s.%N) - $start" | bc)
	# run_time_ns and run_cnt of our programs, summed (tc: two programs).
	read -r ns_total runs < <(bpftool prog show | awk '/name capture_/ {
	    for (i = 1; i <= NF; i++) { if ($i == "run_time_ns") t += $(i+1); if ($i == "run_cnt") c += $(i+1) } }
	    END { print t + 0, c + 0 }')
	kill -INT $pid; wait $pid 2>/dev/null
	printf '%-40s %12.1f %10d %12.2f\n' "$tap" "$(echo "$ns_total / ($runs + 0.000001)" | bc -l)" "$runs" "$secs"
done
rm -f /tmp/bench.$$
