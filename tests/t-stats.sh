# pcap_stats() is exact: every packet the probe passed is either delivered
# or counted as dropped (ps_recv = delivered + ps_drop), N generated
# packets are all seen, and a tiny ring under a burst drops, visibly.
. "$(dirname "$0")/lib.sh"
ensure_kernel_fs
make_veth_pair
# The tracepoint sees every namespace: count only this test's packets.
add_own_addresses
C=$TESTPROGS/tap_counts
# netif_receive_skb on a veth sees each packet once, on the receiving side.
tap=bpf:tracepoint:net:netif_receive_skb
filter="icmp and src host $OWN_A"

# run_counts NAME ARGS...: starts tap_counts, waits for "ready".
run_counts() {
	local name=$1
	shift
	"$C" "$@" > "$TMP/$name.out" 2>&1 &
	eval "PID_$name=$!"
	on_exit "kill $! 2>/dev/null"
	wait_for_text "$TMP/$name.out" ready
}

# check_balance NAME: recv = delivered + drop; sets DELIVERED MATCHED RECV DROP.
check_balance() {
	local pid
	eval "pid=\$PID_$1"
	wait "$pid" || fail "tap_counts $1 failed: $(cat "$TMP/$1.out")"
	set -- $(grep '^delivered' "$TMP/$1.out")
	DELIVERED=$2 MATCHED=$4 RECV=$6 DROP=$8
	echo "delivered $DELIVERED matched $MATCHED recv $RECV drop $DROP"
	[ $((DELIVERED + DROP)) -eq "$RECV" ] ||
	    fail "ps_recv $RECV != delivered $DELIVERED + ps_drop $DROP"
}

# The filter runs in the kernel (-k): other tests' traffic at this
# kernel-wide tap never takes ring room from ours.
# 1. Large ring, 200 echo requests: all of them arrive, nothing dropped
# (read until they have, at most 2 minutes; any extra is drained after).
run_counts big -i $tap -k -t 120000 -c 200 "$filter"
ip netns exec "$NS_A" ping -c 200 -i 0.005 -q "$OWN_B" >/dev/null
check_balance big
[ "$MATCHED" -eq 200 ] || fail "200 echo requests sent, $MATCHED captured"
[ "$DROP" -eq 0 ] || fail "$DROP drops with a 2 MiB ring"

# 2. Tiny ring (one page), not read during a 2000-packet burst.
run_counts tiny -i $tap -k -B 4096 -p 3000 -t 500 "$filter"
ip netns exec "$NS_A" ping -f -c 2000 -s 600 -q "$OWN_B" >/dev/null
check_balance tiny
[ "$DROP" -gt 0 ] || fail "no drops with a one-page ring under a burst"
[ "$MATCHED" -lt 2000 ] || fail "all 2000 fit in a one-page ring?"

# 3. Records waiting in the ring when the link type changes
# (pcap_set_datalink) are not delivered: each one is a drop.  At the tc
# tap of the test's own interface (no other traffic).
ip netns exec "$NS_B" "$C" -i bpf:tc:veth_b:ingress -p 5000 -t 500 \
    -y LINUX_SLL2 "$filter" > "$TMP/switch.out" 2>&1 &
PID_switch=$!
on_exit "kill $PID_switch 2>/dev/null"
wait_for_text "$TMP/switch.out" ready
ip netns exec "$NS_A" ping -c 20 -i 0.01 -q "$OWN_B" >/dev/null
check_balance switch
[ "$DROP" -ge 20 ] ||
    fail "20 echo requests in the ring at the link-type switch, $DROP counted as dropped"
exit 0
