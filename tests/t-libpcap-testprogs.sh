# libpcap's own test programs, built from its source tree, against a
# bpf: device while a ping runs in a namespace.
. "$(dirname "$0")/lib.sh"
ensure_kernel_fs
make_veth_pair
dev=bpf:tracepoint:net:netif_receive_skb
P=$PCAP_TESTPROGS

# Traffic for the whole test, however long a busy machine makes it
# (bounded: 3 minutes).
ip netns exec "$NS_A" ping -c 1800 -i 0.1 198.18.0.2 >/dev/null 2>&1 &
on_exit "kill $! 2>/dev/null"

# threadsignaltest waits 60 s before its pcap_breakloop(): start it first.
timeout 180 stdbuf -oL "$P/threadsignaltest" -i "$dev" > "$TMP/thread.out" 2>&1 &
thread_pid=$!
on_exit "kill $thread_pid 2>/dev/null"

"$P/findalldevstest" > "$TMP/fad.out" 2>&1 || fail "findalldevstest: $(tail -3 "$TMP/fad.out")"
grep -q "^bpf:tracepoint:skb:kfree_skb" "$TMP/fad.out" || fail "findalldevstest does not list kfree_skb"

out=$("$P/opentest" -i "$dev" 2>&1) || fail "opentest: $out"
echo "$out" | grep -q "opened successfully" || fail "opentest: $out"

out=$(timeout $WAIT_BOUND "$P/nonblocktest" -i "$dev" 2>&1) || fail "nonblocktest: $out"
echo "$out"
echo "$out" | grep -q "pcap_setnonblock failed as expected" || fail "nonblocktest did not finish"

# capturetest and selpolltest loop until stopped: each is stopped once it
# printed what it read (at most $WAIT_BOUND s), then checked.
# run_until OUT PATTERN COMMAND...
run_until() {
	local out=$1 pattern=$2 pid
	shift 2
	# The last run's output must not count for this one: the shell
	# truncates a reused file only once the background job has started.
	rm -f "$out"
	timeout $((WAIT_BOUND + 10)) stdbuf -oL "$@" > "$out" 2>&1 &
	pid=$!
	wait_until $pid grep -q "$pattern" "$out"
	kill $pid 2>/dev/null
	wait $pid 2>/dev/null
}
run_until "$TMP/cap.out" "[1-9][0-9]* ps_recv" "$P/capturetest" -i "$dev" -t 500
grep -q "[1-9][0-9]* packets seen, [1-9][0-9]* packets counted" "$TMP/cap.out" ||
    fail "capturetest saw no packets: $(tail -3 "$TMP/cap.out")"
grep -q "[1-9][0-9]* ps_recv" "$TMP/cap.out" || fail "capturetest: no ps_recv"
for mode in "-s" "-p" "-s -n" "-p -n" "-s -t"; do
	run_until "$TMP/sel.out" "[1-9][0-9]* packets seen, [1-9][0-9]* packets counted after" \
	    "$P/selpolltest" $mode -i "$dev"
	grep -q "[1-9][0-9]* packets seen, [1-9][0-9]* packets counted after" "$TMP/sel.out" ||
	    fail "selpolltest $mode saw no packets: $(tail -3 "$TMP/sel.out")"
done

wait $thread_pid || fail "threadsignaltest failed: $(tail -5 "$TMP/thread.out")"
grep -q "Loop got broken" "$TMP/thread.out" || fail "threadsignaltest: the loop was not broken: $(tail -5 "$TMP/thread.out")"
exit 0
