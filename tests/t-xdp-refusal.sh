# bpf:xdp: never replaces an XDP program that is already attached: the
# capture is refused with a message that says so, and the program stays,
# untouched.  Also for a second capture on the same interface.
. "$(dirname "$0")/lib.sh"
ensure_kernel_fs
make_veth_pair
T=$TESTPROGS/tap_activate

ip -n "$NS_B" link set dev veth_b xdpgeneric obj "$TESTPROGS/xdp_pass.bpf.o" sec xdp.frags ||
    fail "could not attach the user's XDP program"
before=$(ip -n "$NS_B" -d link show veth_b | grep -o 'prog/xdp id [0-9]*')
[ -n "$before" ] || fail "the user's program is not attached"
out=$(ip netns exec "$NS_B" "$T" bpf:xdp:veth_b)
echo "$out"
echo "$out" | grep -q "^status -1 " || fail "bpf:xdp: was not refused"
echo "$out" | grep -q "already has an XDP program (id [0-9]*), which bpf:xdp: never replaces; capture at bpf:tc:veth_b:ingress" ||
    fail "the refusal does not say why and what to use instead"
echo "$out" | grep -q "^bpf_fds 0" || fail "the refused activation left BPF objects"
after=$(ip -n "$NS_B" -d link show veth_b | grep -o 'prog/xdp id [0-9]*')
[ "$before" = "$after" ] || fail "the user's program changed: '$before' -> '$after'"
ip netns exec "$NS_A" ping -c 1 -W 2 198.18.0.2 >/dev/null || fail "traffic stopped"
ip -n "$NS_B" link set dev veth_b xdpgeneric off

# A capture holds the hook; a second one is refused the same way.
ip netns exec "$NS_B" env LD_LIBRARY_PATH="$LIBDIR" timeout 30 tcpdump -ni bpf:xdp:veth_b \
    -w /dev/null 2> "$TMP/first.err" &
on_exit "kill $! 2>/dev/null"
wait_for_text "$TMP/first.err" "listening on"
out=$(ip netns exec "$NS_B" "$T" bpf:xdp:veth_b 2>&1)
echo "$out" | grep -q "already has an XDP program" || fail "second bpf:xdp: capture not refused: $out"
exit 0
