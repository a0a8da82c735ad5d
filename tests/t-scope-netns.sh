# Scoping a capture at a kernel-wide tap (the ,netns= ,cgroup= ,dev=
# options, bpftrace-scope.h), with traffic in two namespaces at once:
# $NS_A pings $NS_B 5 times while $NS_B pings $NS_A 3 times, so that at
# net:netif_receive_skb $NS_B receives 5 echo requests and $NS_A 3.
#  - root in the initial namespace: scoped to $NS_B by name, by inode and
#    to $NS_A by path, each capture counts exactly its namespace's echo
#    requests; unscoped, both;
#  - started inside $NS_B (ip netns exec), with no option: $NS_B's only;
#    with dev=veth_b (an interface of the capturing process's namespace):
#    the same 5, with dev=lo none; with netns=all or netns=$NS_A: refused,
#    one line, PCAP_ERROR_PERM_DENIED; netns=all from the initial
#    namespace: activated;
#  - cgroup: two senders in two cgroups of this test's (v2, made by hand)
#    at net:net_dev_queue; a capture scoped to each counts exactly its
#    sender's packets (one sender in a child cgroup: below counts too);
#  - a broker client (a member without capabilities) inside $NS_B sees
#    $NS_B's packets only and is refused netns=all; in the initial
#    namespace it may scope itself to $NS_A.
# The counts are exact: every capture reads for a fixed time after the
# traffic (tap_counts -t) with the kernel filter naming this test's
# addresses (add_own_addresses).
. "$(dirname "$0")/lib.sh"
ensure_kernel_fs
make_veth_pair
add_own_addresses
T=$TESTPROGS/tap_counts
A=$TESTPROGS/tap_activate
ECHO="icmp[icmptype] = icmp-echo and (host $OWN_A or host $OWN_B)"
TP=bpf:tracepoint:net:netif_receive_skb
RUN_MS=${RUN_MS:-12000}

# start NAME DEVICE [NS]: tap_counts as root (inside NS if given), reading
# for RUN_MS after it is ready, the kernel filtering this test's echo
# requests.
start() {
	(${3:+ip netns exec "$3"} env LD_LIBRARY_PATH="$LIBDIR" "$T" -i "$2" \
	    -t "$RUN_MS" -k "$ECHO") > "$TMP/$1.out" 2>&1 &
	eval "PID_$1=$!"
	on_exit "kill $! 2>/dev/null"
}
ready() { wait_for_text "$TMP/$1.out" ready; }
# expect NAME COUNT WHAT: the capture ended having matched COUNT.
expect() {
	wait "$(eval echo "\$PID_$1")"
	echo "$1: $(tail -1 "$TMP/$1.out")"
	grep -q "^delivered $2 matched $2 recv $2 drop 0$" "$TMP/$1.out" ||
	    fail "$3: expected exactly $2 echo requests, got: $(cat "$TMP/$1.out")"
}
traffic() {
	ip netns exec "$NS_A" ping -c 5 -i 0.2 "$OWN_B" >/dev/null &
	ip netns exec "$NS_B" ping -c 3 -i 0.2 "$OWN_A" >/dev/null
	wait $!
}

ino_b=$(stat -L -c %i "/run/netns/$NS_B")
start by_name "$TP,netns=$NS_B"
start by_inode "$TP,netns=$ino_b"
start by_path "$TP,netns=/run/netns/$NS_A"
start all "$TP"
start inside "$TP" "$NS_B"
start inside_dev "$TP,dev=veth_b" "$NS_B"
start inside_lo "$TP,dev=lo" "$NS_B"
for c in by_name by_inode by_path all inside inside_dev inside_lo; do ready $c; done
traffic
expect by_name 5 "scoped to $NS_B by name"
expect by_inode 5 "scoped to $NS_B by inode $ino_b"
expect by_path 3 "scoped to $NS_A by path"
expect all 8 "unscoped, from the initial namespace"
expect inside 5 "started inside $NS_B, no option"
expect inside_dev 5 "inside $NS_B, dev=veth_b"
expect inside_lo 0 "inside $NS_B, dev=lo"

# The opt-out: root in the initial namespace may; inside a namespace not,
# nor may it name another namespace.
out=$(LD_LIBRARY_PATH=$LIBDIR "$A" "$TP,netns=all" 2>&1)
echo "$out" | grep -q "^status 0 " || fail "netns=all refused to root in the initial namespace: $out"
for opt in netns=all "netns=$NS_A"; do
	out=$(ip netns exec "$NS_B" env LD_LIBRARY_PATH="$LIBDIR" "$A" "$TP,$opt" 2>&1)
	echo "inside, $opt: $(echo "$out" | grep '^error')"
	echo "$out" | grep -q "^status -8 PCAP_ERROR_PERM_DENIED" ||
	    fail "$opt inside $NS_B was not refused: $out"
	[ "$(echo "$out" | grep -c '^error .*sees that namespace only')" = 1 ] ||
	    fail "$opt inside $NS_B: not the one-line reason: $out"
done
out=$(LD_LIBRARY_PATH=$LIBDIR "$A" "bpf:tc:veth_b,netns=$NS_B" 2>&1)
echo "$out" | grep -q "options scope tracing taps" ||
    fail "an option on a tc tap was not refused: $out"

# cgroup: by hand under the cgroup2 mount (no systemd here to ask).
cgroot=$(awk '$0 ~ / - cgroup2 / { print $5; exit }' /proc/self/mountinfo)
if [ -z "$cgroot" ] || ! mkdir "$cgroot/pbt$$-1" 2>/dev/null; then
	echo "cgroup part skipped: no writable cgroup v2 mount (${cgroot:-none})"
else
	on_exit "rmdir $cgroot/pbt$$-1/sub $cgroot/pbt$$-1 $cgroot/pbt$$-2 2>/dev/null"
	mkdir "$cgroot/pbt$$-1/sub" "$cgroot/pbt$$-2" || fail "mkdir cgroups"
	# Sent from $NS_A, seen leaving at net_dev_queue with their socket.
	start cg1 "bpf:tracepoint:net:net_dev_queue,cgroup=$cgroot/pbt$$-1"
	start cg2 "bpf:tracepoint:net:net_dev_queue,cgroup=pbt$$-2"
	start cgsub "bpf:tracepoint:net:net_dev_queue,cgroup=pbt$$-1/sub"
	for c in cg1 cg2 cgsub; do ready $c; done
	sh -c "echo \$\$ > $cgroot/pbt$$-1/sub/cgroup.procs &&
	    exec ip netns exec $NS_A ping -c 4 -i 0.2 $OWN_B" >/dev/null &
	sh -c "echo \$\$ > $cgroot/pbt$$-2/cgroup.procs &&
	    exec ip netns exec $NS_A ping -c 2 -i 0.2 $OWN_B" >/dev/null
	wait $!
	expect cg1 4 "scoped to cgroup pbt$$-1 (its sender in pbt$$-1/sub)"
	expect cg2 2 "scoped to cgroup pbt$$-2 (relative path)"
	expect cgsub 4 "scoped to cgroup pbt$$-1/sub"
	out=$(LD_LIBRARY_PATH=$LIBDIR "$A" "$TP,cgroup=/sys/fs/cgroup/nosuch$$" 2>&1)
	echo "$out" | grep -q "^status -9 \|^status -1 \|No such file" ||
	    fail "a missing cgroup was not refused: $out"
fi

# The broker: a member without capabilities, inside $NS_B and outside.
broker_group "$T" "$A"
"$TOP/build/bin/pcap-bpftrace-broker" --foreground --socket "$SOCK" \
    --config "$TMP/broker.conf" > "$TMP/broker.log" 2>&1 &
on_exit "kill $! 2>/dev/null"
wait_for_text "$TMP/broker.log" "serving $SOCK"
# member [NS] PROGRAM ARGS...: the member without capabilities.
member() {
	local ns=$1
	shift
	${ns:+ip netns exec "$ns"} setpriv --reuid=65534 --regid=65534 \
	    --groups="$gid" --inh-caps=-all --bounding-set=-all \
	    env LD_LIBRARY_PATH="$TMP/shared" PCAP_BPF_BROKER="$SOCK" "$@"
}
start_member() {
	local name=$1 ns=$2 dev=$3
	(member "$ns" "$TMP/shared/tap_counts" -i "$dev" -t "$RUN_MS" -k "$ECHO") \
	    > "$TMP/$name.out" 2>&1 &
	eval "PID_$name=$!"
	on_exit "kill $! 2>/dev/null"
}
start_member m_inside "$NS_B" "$TP"
start_member m_outside "" "$TP,netns=$NS_A"
ready m_inside
ready m_outside
traffic
expect m_inside 5 "a broker client inside $NS_B"
expect m_outside 3 "a broker client in the initial namespace scoped to $NS_A"
grep -q "uid 65534 .*capturing at $TP" "$TMP/broker.log" || fail "the broker did not log the captures"
out=$(member "$NS_B" "$TMP/shared/tap_activate" "$TP,netns=all" 2>&1)
echo "broker client inside, netns=all: $(echo "$out" | grep '^error')"
echo "$out" | grep -q "^status -8 PCAP_ERROR_PERM_DENIED" ||
    fail "the broker let a client inside $NS_B opt out: $out"
exit 0
