# clsact captures share the interface's qdisc with each other and with
# filters added by hand; ending one never takes what is someone else's,
# and the last of ours leaves nothing behind.
#  - two overlapping captures where the one that created the qdisc ends
#    first: when the second ends, no clsact qdisc is left;
#  - a filter added by hand ('tc filter add') survives a capture that
#    created the qdisc, and keeps the qdisc;
#  - captures that start and end over and over (4 processes at once),
#    while a long capture started in their midst runs: every short one
#    sees its packet, and the long one still receives when they are done
#    (a guardian that found the qdisc empty must not remove it under a
#    capture attaching at that moment);
#  - a process that holds the interface's clsact lock (an abstract unix
#    socket anyone may bind) bounds every wait: a capture fails after
#    10 s with a one-line message, and a guardian removes its filters but
#    leaves the qdisc, and says so.
. "$(dirname "$0")/lib.sh"
ensure_kernel_fs
make_veth_pair
export PCAP_BPF_MECHANISMS=clsact

qdisc_left() { ip netns exec "$NS_B" tc qdisc show dev veth_b | grep clsact; }
filters() {
	ip netns exec "$NS_B" tc filter show dev veth_b ingress
	ip netns exec "$NS_B" tc filter show dev veth_b egress
}
pings() { ip netns exec "$NS_A" ping -c "$1" -i 0.2 ${2:+-s $2} 198.18.0.2 >/dev/null; }

# 1. The creator ends first.
IN_NS=$NS_B start_tcpdump one -ni bpf:tc:veth_b -U -w "$TMP/one.pcap" icmp
IN_NS=$NS_B start_tcpdump two -ni bpf:tc:veth_b -U -w "$TMP/two.pcap" icmp
kill -INT "$PID_one"; wait_tcpdump one
[ -n "$(qdisc_left)" ] || fail "the first capture's end removed the qdisc under the second"
pings 2
wait_for_packets "$TMP/two.pcap" 4 icmp
kill -INT "$PID_two"; wait_tcpdump two
n=$(tcpdump -r "$TMP/two.pcap" 2>/dev/null | grep -c "ICMP echo")
echo "overlapping captures: the second saw $n of 4 after the first ended"
[ "$n" -eq 4 ] || fail "the second capture saw $n of 4 echo packets"
[ -z "$(filters)" ] || fail "filters left: $(filters)"
[ -z "$(qdisc_left)" ] || fail "a clsact qdisc is left after the last capture: $(qdisc_left)"

# 2. A filter added by hand while a capture holds the qdisc it created.
IN_NS=$NS_B start_tcpdump three -ni bpf:tc:veth_b:ingress -U -w "$TMP/three.pcap" icmp
ip netns exec "$NS_B" tc filter add dev veth_b ingress prio 7 protocol all \
    u32 match u32 0 0 || fail "tc filter add by hand"
on_exit "ip netns exec $NS_B tc qdisc del dev veth_b clsact 2>/dev/null"
kill -INT "$PID_three"; wait_tcpdump three
hand=$(ip netns exec "$NS_B" tc filter show dev veth_b ingress | grep -c "pref 7 u32")
echo "hand-added filter after the capture: $hand filter lines"
[ "$hand" -gt 0 ] || fail "the filter added by hand went with the capture"
[ -n "$(qdisc_left)" ] || fail "the qdisc holding the hand-added filter was removed"

# 3. Churn, on an interface without a qdisc.
ip netns exec "$NS_A" ping -c 20000 -i 0.01 -W 1 198.18.0.2 >/dev/null 2>&1 &
traffic=$!
on_exit "kill $traffic 2>/dev/null"
ip netns exec "$NS_B" tc filter del dev veth_b ingress prio 7 protocol all u32
ip netns exec "$NS_B" tc qdisc del dev veth_b clsact
ip netns exec "$NS_B" env LD_LIBRARY_PATH="$LIBDIR" timeout 300 \
    "$TESTPROGS/capture_churn" -i bpf:tc:veth_b -w 4 -n 25 -t 15000 \
    'icmp[icmptype] = icmp-echo' > "$TMP/churn.out" 2>&1 &
churn=$!
on_exit "kill $churn 2>/dev/null"
# The long capture joins once the churn is under way.
wait_until "$churn" qdisc_left >/dev/null
IN_NS=$NS_B start_tcpdump long -ni bpf:tc:veth_b:ingress -U -w "$TMP/long.pcap" \
    'icmp and greater 300'
wait "$churn"
rc=$?
cat "$TMP/churn.out"
kill "$traffic" 2>/dev/null
wait "$traffic" 2>/dev/null
[ $rc -eq 0 ] || fail "a churning capture failed or saw nothing (exit $rc)"
pings 5 300
wait_for_packets "$TMP/long.pcap" 5 'icmp[icmptype] = icmp-echo'
kill -INT "$PID_long"; wait_tcpdump long
n=$(tcpdump -r "$TMP/long.pcap" 2>/dev/null | grep -c "ICMP echo request")
echo "the long capture saw $n of the 5 requests sent after the churn"
[ "$n" -eq 5 ] || fail "the long capture lost its filter during the churn: $n of 5"
[ -z "$(filters)" ] || fail "filters left after the churn: $(filters)"
[ -z "$(qdisc_left)" ] || fail "a clsact qdisc is left after the churn: $(qdisc_left)"

# 4. The lock held by a stranger.
hold_lock() {
	rm -f "$TMP/holder.out"
	ip netns exec "$NS_B" python3 -c '
import socket, sys, time
s = socket.socket(socket.AF_UNIX)
s.bind("\0pcap-bpftrace/clsact/%s/lock" % sys.argv[1])
print("held", flush=True)
time.sleep(120)' "$IFINDEX_B" > "$TMP/holder.out" 2>&1 &
	holder=$!
	on_exit "kill $holder 2>/dev/null"
	wait_for_text "$TMP/holder.out" held
}
IN_NS=$NS_B start_tcpdump four -ni bpf:tc:veth_b -w /dev/null icmp
hold_lock
kill -INT "$PID_four"; wait_tcpdump four
kill "$holder"; wait "$holder" 2>/dev/null
grep "clsact guardian" "$TMP/four.err"
grep -q "clsact guardian of veth_b: the clsact lock stayed taken" "$TMP/four.err" ||
    fail "the guardian kept quiet about the lock: $(cat "$TMP/four.err")"
[ -z "$(filters)" ] || fail "the guardian left its filters when the lock was taken: $(filters)"
[ -n "$(qdisc_left)" ] || fail "the guardian removed the qdisc without the lock"
hold_lock
out=$(ip netns exec "$NS_B" env LD_LIBRARY_PATH="$LIBDIR" timeout $((WAIT_BOUND * 2)) \
    tcpdump -ni bpf:tc:veth_b -c 1 2>&1)
rc=$?
kill "$holder"; wait "$holder" 2>/dev/null
echo "capture while the lock is held: exit $rc: $out"
[ $rc -ne 0 ] && [ $rc -ne 124 ] || fail "a capture under a held lock did not fail by itself (exit $rc)"
echo "$out" | grep -q "stayed locked for 10 s" || fail "no one-line reason for the held lock: $out"
exit 0
