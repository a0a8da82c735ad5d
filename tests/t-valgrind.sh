# Under valgrind: activation (successful and failing), a capture with
# traffic, statistics and close report no memory errors and no leak.
# Valgrind runs the program tens of times slower, and the machine may be
# busy: the capture waits for its 40 packets (bounded at 3 minutes), not
# for a fixed time, and "ready" may take long.
. "$(dirname "$0")/lib.sh"
ensure_kernel_fs
command -v valgrind >/dev/null || skip "valgrind is not installed"
make_veth_pair
vg() {
	valgrind -q --error-exitcode=9 --leak-check=full --errors-for-leak-kinds=definite \
	    --suppressions="$TOP/tests/valgrind.supp" "$@"
}
for dev in bpf:tracepoint:skb:kfree_skb bpf:tracepoint:skb:kfree_skbb bpf:kprobe:kfree_skb \
    bpf:nosuch:x; do
	vg "$TESTPROGS/tap_activate" "$dev" > "$TMP/a.out" 2>&1
	rc=$?
	[ $rc -ne 9 ] || { cat "$TMP/a.out"; fail "valgrind found errors activating $dev"; }
done
ip netns exec "$NS_B" valgrind -q --error-exitcode=9 --leak-check=full \
    --errors-for-leak-kinds=definite --suppressions="$TOP/tests/valgrind.supp" \
    "$TESTPROGS/tap_counts" -i bpf:tc:veth_b -t 180000 -c 40 icmp > "$TMP/c.out" 2>&1 &
pid=$!
on_exit "kill $pid 2>/dev/null"
WAIT_BOUND=180 wait_for_text "$TMP/c.out" ready
ip netns exec "$NS_A" ping -c 20 -i 0.05 198.18.0.2 >/dev/null
wait $pid
rc=$?
cat "$TMP/c.out"
[ $rc -eq 0 ] || fail "valgrind found errors in a capture (exit $rc)"
grep -q "matched 40 " "$TMP/c.out" || fail "the capture under valgrind did not see 40 ICMP packets"
exit 0
