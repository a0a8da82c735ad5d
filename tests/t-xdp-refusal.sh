# bpf:xdp: never replaces an XDP program that is already attached: it
# captures at that program instead (fexit, with its verdicts), which this
# host refuses (no BPF trampolines: the kernel matrix captures there).
# The refusal is one line that says where it tried, why it failed and what
# to use instead; nothing stays behind and the program stays, untouched.
# A bpf:xdp: capture's own program is no user's: a second capture on the
# same interface is refused.  Verdicts without a program are refused too.
. "$(dirname "$0")/lib.sh"
ensure_kernel_fs
make_veth_pair
T=$TESTPROGS/tap_activate

out=$(ip netns exec "$NS_B" "$T" bpf:xdp:veth_b:drop)
echo "$out"
echo "$out" | grep -q "^status -[0-9]" ||
    fail "a verdict without an XDP program was not refused"
echo "$out" | grep -q "veth_b has no XDP program of its own, whose entry or verdicts to capture: capture at bpf:xdp:veth_b" ||
    fail "the refusal of a verdict without a program does not say why"

ip -n "$NS_B" link set dev veth_b xdpgeneric obj "$TESTPROGS/xdp_pass.bpf.o" sec xdp.frags ||
    fail "could not attach the user's XDP program"
before=$(ip -n "$NS_B" -d link show veth_b | grep -o 'prog/xdp id [0-9]*')
[ -n "$before" ] || fail "the user's program is not attached"
for name in bpf:xdp:veth_b bpf:xdp:veth_b:entry bpf:xdp:veth_b:drop:pass; do
	out=$(ip netns exec "$NS_B" "$T" $name)
	echo "$out"
	if echo "$out" | grep -q "^status 0"; then
		# A kernel with trampolines: captured at the program.
		continue
	fi
	echo "$out" | grep -q "^status -1 " || fail "$name: neither captured nor refused"
	echo "$out" | grep -q "^error $name: at veth_b's XDP program users_xdp_pass (id ${before#prog/xdp id }): f[a-z]* loading: .*(this kernel refuses BPF trampolines) (bpf:tc:veth_b:ingress sees what it passes)$" ||
	    fail "$name: the refusal does not say where, why and what to use instead"
	echo "$out" | grep -q "^bpf_fds 0" || fail "$name: the refused activation left BPF objects"
done
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
