# The capture broker: processes without the capabilities capture through
# it, under its policy, and nothing a client or the broker does leaves
# kernel state behind.
#  - root's tshark (its dumpcap keeps only CAP_NET_RAW/CAP_NET_ADMIN)
#    captures at a tc tap, exactly the packets AF_PACKET sees; the broker
#    logs the capture;
#  - a member in another network namespace captures at its own
#    interface (the broker enters the client's namespace);
#  - a user outside the admitted group is refused with the policy's line
#    (PCAP_ERROR_PERM_DENIED); a member captures at a tracepoint, but not
#    at XDP, which the default policy keeps from members;
#  - SIGKILL of a client (tcx and clsact) leaves no program, link, filter
#    or qdisc; SIGKILL of the broker mid-capture leaves the capture
#    running (the client holds its descriptors), clean once the client
#    ends, and a new broker serves new clients;
#  - without capabilities and without a broker, the message says how to
#    enable the broker.
. "$(dirname "$0")/lib.sh"
ensure_kernel_fs
command -v bpftool >/dev/null || skip "bpftool is not installed"
make_veth_pair
ip netns exec "$NS_B" ip link set lo up
# Addresses of this test's own, for the kernel-wide taps' filters.
add_own_addresses

broker_group "$TESTPROGS/tap_activate" "$TESTPROGS/tap_counts"

# Starts the broker in $NS_B (extra environment as arguments), its log in
# a file of its own: $BROKER_LOG.
starts=0
start_broker() {
	starts=$((starts + 1))
	BROKER_LOG=$TMP/broker-$starts.log
	rm -f "$SOCK"
	ip netns exec "$NS_B" env "$@" "$TOP/build/bin/pcap-bpftrace-broker" \
	    --foreground --socket "$SOCK" --config "$TMP/broker.conf" \
	    > "$BROKER_LOG" 2>&1 &
	BROKER=$!
	on_exit "kill $BROKER 2>/dev/null"
	wait_for_text "$BROKER_LOG" "serving $SOCK"
}
stop_broker() {
	kill "$1" 2>/dev/null
	wait "$1" 2>/dev/null
}

# A client in $NS_B (or $CLIENT_NS): uid 0 without capabilities, or nobody, optionally in
# the admitted group; the library and programs from the readable copy.
as_client() {
	local who=$1
	shift
	case $who in
	root)	set -- setpriv --inh-caps=-all --bounding-set=-all "$@" ;;
	member)	set -- setpriv --reuid=65534 --regid=65534 --groups="$gid" \
		    --inh-caps=-all --bounding-set=-all "$@" ;;
	nobody)	set -- setpriv --reuid=65534 --regid=65534 --clear-groups \
		    --inh-caps=-all --bounding-set=-all "$@" ;;
	esac
	# exec: in the background, $! is then the client itself.
	exec ip netns exec "${CLIENT_NS:-$NS_B}" env LD_LIBRARY_PATH="$TMP/shared" \
	    PCAP_BPF_BROKER="$SOCK" "$@"
}

pings() { ip netns exec "$NS_A" ping -c "$1" -i 0.2 "$OWN_B" >/dev/null; }

# Runs tap_counts in the background as $2 on device $3 until it has seen
# $4 echo packets (bounded at two minutes: the machine may be busy), or
# until killed (no count).  The filter runs in the kernel (-k): at a
# kernel-wide tap, another test's flood must not fill the ring.
start_counts() {
	local name=$1 who=$2 dev=$3 count=${4:-0}
	(as_client "$who" "$TMP/shared/tap_counts" -i "$dev" -t 120000 \
	    -c "$count" -k "icmp and host $OWN_B") > "$TMP/$name.out" 2>&1 &
	eval "PID_$name=$!"
	on_exit "kill $! 2>/dev/null"
	wait_for_text "$TMP/$name.out" "ready"
}

# Waits up to $WAIT_BOUND s for nothing of the test's captures to be left: no
# clsact filter or qdisc on veth_b, no broker child holding probes (with
# the clients gone too, no descriptor holds a link or program), and no
# capture program at all unless another process holds one (tests of
# other suites running at the same time).
others_capturing() {
	local p
	for p in /proc/[0-9]*; do
		case $p in /proc/$BROKER) continue ;; esac
		ls -l "$p/fd" 2>/dev/null | grep -q 'anon_inode:bpf-prog' && return 0
	done
	return 1
}
clean_kernel() {
	local what=$1 i=0 t0=$SECONDS left
	while [ "$SECONDS" -lt $((t0 + WAIT_BOUND)) ]; do
		left=$(tc -n "$NS_B" filter show dev veth_b ingress
		    tc -n "$NS_B" filter show dev veth_b egress
		    tc -n "$NS_B" qdisc show dev veth_b | grep clsact
		    pgrep -P "$BROKER" | sed 's/^/broker child /')
		if [ -z "$left" ]; then
			[ "$(our_loaded_programs)" -eq 0 ] && return 0
			others_capturing && return 0
			left="$(our_loaded_programs) capture programs"
		fi
		sleep 0.1
		i=$((i + 1))
	done
	fail "$what: left: $left"
}

start_broker
B1=$BROKER

# Root's tshark: dumpcap trims its capabilities, the broker activates.
ip netns exec "$NS_B" env LD_LIBRARY_PATH="$TMP/shared" PCAP_BPF_BROKER="$SOCK" \
    timeout $((WAIT_BOUND * 2)) tshark -i bpf:tc:veth_b:ingress -f icmp -c 2 -w "$TMP/root.pcapng" \
    > "$TMP/tshark.out" 2>&1 &
tshark_pid=$!
on_exit "kill $tshark_pid 2>/dev/null"
wait_for_text "$TMP/tshark.out" "Capturing on"
# Attached when dumpcap first uses the capture (sets its filter).
wait_for_text "$BROKER_LOG" "(dumpcap): capturing at bpf:tc:veth_b:ingress"
pings 2
wait $tshark_pid || fail "root's tshark: $(cat "$TMP/tshark.out")"
n=$(tshark -r "$TMP/root.pcapng" -Y "icmp.type == 8 and ip.src == $OWN_A" 2>/dev/null | wc -l)
echo "root's tshark through the broker: $n echo requests"
[ "$n" -eq 2 ] || fail "root's tshark captured $n of 2 echo requests"
grep -q "uid 0 pid [0-9]* (dumpcap): capturing at bpf:tc:veth_b:ingress with tcx" "$BROKER_LOG" ||
    fail "the broker did not log root's capture: $(tail -3 "$BROKER_LOG")"
clean_kernel "root's tshark"

# Outside the group: refused, with the rule that refused.
out=$(as_client nobody "$TMP/shared/tap_activate" bpf:tracepoint:skb:kfree_skb 2>&1)
echo "nobody: $(echo "$out" | grep -E '^(status|error)' | tr '\n' ' ')"
echo "$out" | grep -q "^status -8 PCAP_ERROR_PERM_DENIED" || fail "nobody was not refused: $out"
echo "$out" | grep -q "the capture broker admits root and the members of group $group" ||
    fail "the refusal does not name the rule: $out"

# A member: a tracepoint, counted exactly; XDP refused by the policy.
# The member is in $NS_B: it sees what $NS_B receives, the 3 echo
# requests, not the replies $NS_A receives (t-scope-netns).
start_counts member member bpf:tracepoint:net:netif_receive_skb 3
pings 3
wait "$PID_member"
cat "$TMP/member.out"
grep -q "delivered [0-9]* matched 3 " "$TMP/member.out" ||
    fail "the member's capture at netif_receive_skb did not see the 3 echo requests"
out=$(as_client member "$TMP/shared/tap_activate" bpf:xdp:veth_b 2>&1)
echo "member at XDP: $(echo "$out" | grep '^error')"
echo "$out" | grep -q "^status -8 PCAP_ERROR_PERM_DENIED" || fail "XDP was not refused to a member: $out"
echo "$out" | grep -q "policy does not let you capture at bpf:xdp: taps" ||
    fail "the XDP refusal does not name the rule: $out"
clean_kernel "the member's captures"

# A member in another network namespace than the broker's: its interface,
# not the broker's namesake or nothing.
CLIENT_NS=$NS_A start_counts other_ns member bpf:tc:veth_a:egress 2
pings 2
wait "$PID_other_ns"
cat "$TMP/other_ns.out"
grep -q "delivered [0-9]* matched 2 " "$TMP/other_ns.out" ||
    fail "a member in another namespace did not see its 2 echo requests leave veth_a"
clean_kernel "the other namespace's capture"
[ -z "$(tc -n "$NS_A" filter show dev veth_a egress)" ] ||
    fail "a filter was left on veth_a"

# SIGKILL of a client, tcx.
start_counts k1 member bpf:tc:veth_b
kill -KILL "$PID_k1"
clean_kernel "a killed tcx client"
echo "SIGKILL of a tcx client: nothing left"

# SIGKILL of the broker mid-capture: the capture goes on, then ends clean.
start_counts k2 member bpf:tc:veth_b:ingress 2
# The broker and the child serving the capture, both.
kill -KILL $(pgrep -P "$B1") "$B1"
wait "$B1" 2>/dev/null
pgrep -f "pcap-bpftrace-broker --foreground --socket $SOCK" &&
    fail "a broker process survived SIGKILL"
pings 2
wait "$PID_k2"
cat "$TMP/k2.out"
grep -q "matched 2 " "$TMP/k2.out" || fail "the capture did not go on after the broker was killed"
clean_kernel "a capture that outlived its broker"
echo "SIGKILL of the broker: the capture went on, nothing left after it"

# A new broker (clsact this time) serves new clients; SIGKILL of one.
start_broker PCAP_BPF_MECHANISMS=clsact
start_counts k3 member bpf:tc:veth_b
tc -n "$NS_B" filter show dev veth_b ingress | grep -q capture_tc || fail "clsact: no filter"
kill -KILL "$PID_k3"
clean_kernel "a killed clsact client"
echo "a restarted broker served a clsact client; SIGKILL of it: nothing left"
stop_broker "$BROKER"

# No capabilities, no broker: how to enable it.
out=$(as_client nobody "$TMP/shared/tap_activate" bpf:tracepoint:skb:kfree_skb 2>&1)
echo "no broker: $(echo "$out" | grep '^error')"
echo "$out" | grep -q "or the capture broker, which is not running: systemctl enable --now pcap-bpftrace-broker.socket" ||
    fail "without a broker the message does not say how to enable it: $out"
exit 0
