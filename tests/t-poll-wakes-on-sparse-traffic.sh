# Outside immediate mode the probe skips wakeups for a while after each
# one.  An application that polls the selectable descriptor with no
# timeout (libpcap's selpolltest without -t) must still get every packet
# when traffic is sparse, not only when the next packet comes: two echo
# requests 5 ms apart, then quiet; both must be reported before the next
# pair is sent.
. "$(dirname "$0")/lib.sh"
ensure_kernel_fs
make_veth_pair
P=$PCAP_TESTPROGS
ROUNDS=5

# selpolltest's count of packets seen so far.
packets_seen() {
	awk '/packets seen/ { n += $1 } END { print n + 0 }' "$1"
}

# seen_at_least FILE N: counted afresh at each call (wait_until repeats it).
seen_at_least() {
	[ "$(packets_seen "$1")" -ge "$2" ]
}

# run_rounds NAME: pairs of pings, each pair reported in full within a
# generous bound (a packet left waiting would wait for the next pair).
run_rounds() {
	local name=$1 pid=$2 k=1 want
	while [ $k -le $ROUNDS ]; do
		ip netns exec "$NS_A" ping -c 2 -i 0.005 -W 1 -q 198.18.0.2 >/dev/null 2>&1
		want=$((2 * k))
		wait_until "$pid" seen_at_least "$TMP/$name.out" $want ||
		    fail "selpolltest $name: $(packets_seen "$TMP/$name.out") of $want echo requests reported after round $k (a packet waits for the next one): $(tail -3 "$TMP/$name.out")"
		k=$((k + 1))
	done
	[ "$(packets_seen "$TMP/$name.out")" -eq $((2 * ROUNDS)) ] ||
	    fail "selpolltest $name: $(packets_seen "$TMP/$name.out") packets for $((2 * ROUNDS)) echo requests"
}

for mode in "-p" "-s" "-p -n" "-s -n"; do
	name=$(echo "$mode" | tr -d ' -')
	ip netns exec "$NS_B" env LD_LIBRARY_PATH="$LIBDIR" timeout 60 \
	    stdbuf -oL "$P/selpolltest" -q $mode -i bpf:tc:veth_b:ingress \
	    'icmp[icmptype] == icmp-echo' > "$TMP/$name.out" 2>&1 &
	pid=$!
	on_exit "kill $pid 2>/dev/null"
	wait_for_text "$TMP/$name.out" "Listening on"
	run_rounds "$name" "$pid"
	echo "selpolltest $mode: $(packets_seen "$TMP/$name.out") packets in $ROUNDS rounds of 2"
	kill "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
done
exit 0
