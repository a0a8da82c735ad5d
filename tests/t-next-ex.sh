# pcap_next_ex() keeps its packet intact while the ring fills and wraps
# behind it: delivery is zero-copy for callbacks, copying for pcap_next.
. "$(dirname "$0")/lib.sh"
ensure_kernel_fs
make_veth_pair
"$TESTPROGS/tap_next_ex" -i bpf:tracepoint:net:netif_receive_skb "$TMP/flooded" \
    > "$TMP/n.out" 2>&1 &
pid=$!
on_exit "kill $pid 2>/dev/null"
wait_for_text "$TMP/n.out" ready
ip netns exec "$NS_A" ping -c 3 -i 0.2 198.18.0.2 >/dev/null
wait_for_text "$TMP/n.out" waiting
# 4 KiB ring: a few hundred packets wrap it many times.
ip netns exec "$NS_A" ping -f -c 300 -s 500 -q 198.18.0.2 >/dev/null
touch "$TMP/flooded"
wait $pid
cat "$TMP/n.out"
grep -q "^intact" "$TMP/n.out" || fail "the packet from pcap_next_ex changed under the caller"
exit 0
