#!/bin/bash
# make bench, part 2: the read path's instructions per packet, AF_PACKET
# against bpf:tc, under callgrind.  bench/read_batch.c activates the
# device, the packets (64- and 1472-byte UDP payloads, bench/udp_flood.c,
# paced) are queued in the kernel meanwhile, then it reads them; callgrind
# counts only inside the read function (pcap_read_linux_mmap_v3 or
# bpftrace_read), so activation and the callback are left out.
# Instruction counts do not depend on the machine's load: one run each.
# Written to build/bench/readpath.csv.
. "$(dirname "$0")/lib.sh"
flood=$out/udp_flood
count=${BENCH_CALLGRIND_PACKETS:-20000}
[ -n "${BENCH_QUICK:-}" ] && count=${BENCH_CALLGRIND_PACKETS:-5000}
if ! command -v valgrind >/dev/null; then
	echo "read-path: valgrind not installed: left out"
	exit 0
fi
bench_veth_pair

echo
echo "== read path: instructions per packet (callgrind, $count packets queued, then read)"
csv=$out/readpath.csv
echo "capture,function,instructions,packets,payload,per_packet" > "$csv"
# readpath LABEL DEVICE FUNCTION PAYLOAD: one row; a run that read no
# count (the machine's load has made one fail) is run again, twice at most.
readpath() {
	local try
	for try in 1 2 3; do
		readpath_once "$@" && return 0
		echo "read-path: $1 at $4 bytes: no count (try $try): $(tail -n 2 "$tmp/rb.err" "$tmp/rb.out" 2>/dev/null | tr '\n' ' ')" >&2
	done
	echo "$1,$3,,,$4," >> "$csv"
}

readpath_once() {
	local label=$1 device=$2 function=$3 size=$4 ir got
	rm -f "$tmp/go" "$tmp/callgrind.out" "$tmp/rb.out"
	ip netns exec ${ns}b env LD_LIBRARY_PATH="$lib" timeout 300 valgrind --tool=callgrind \
	    --callgrind-out-file="$tmp/callgrind.out" --collect-atstart=no \
	    --toggle-collect="$function" "$out/read_batch" "$device" "$count" \
	    "$tmp/go" > "$tmp/rb.out" 2> "$tmp/rb.err" &
	local pid=$!
	bench_wait_listening "$tmp/rb.out"
	ip netns exec ${ns}a "$flood" 198.18.0.2 9 "$count" "$size" 30 100000 >/dev/null
	sleep 1
	touch "$tmp/go"
	wait $pid
	ir=$(sed -n 's/^summary: \([0-9]*\).*/\1/p' "$tmp/callgrind.out" 2>/dev/null)
	got=$(sed -n 's/read \([0-9]*\) packets/\1/p' "$tmp/rb.out")
	[ -n "$ir" ] && [ -n "$got" ] && [ "$got" -ge "$count" ] || return 1
	printf '%-5s %-10s %-26s %10s instructions for %6s packets: %4s per packet\n' "$size" \
	    "$label" "$function" "${ir:-?}" "${got:-?}" "$(echo "${ir:-0} / $count" | bc)"
	echo "$label,$function,${ir:-},${got:-},$size,$(echo "${ir:-0} / $count" | bc)" >> "$csv"
}
for size in 64 1472; do
	readpath AF_PACKET vb pcap_read_linux_mmap_v3 $size
	readpath bpf:tc bpf:tc:vb bpftrace_read $size
done
echo "written: $csv"
