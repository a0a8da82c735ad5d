# Function taps: the skb argument found through BTF (ip_rcv: arg1,
# sk_skb_reason_drop: arg2), helpful errors for names that are not
# functions (kfree_skb is an inline wrapper), and the capture itself where
# the kernel allows fentry or kprobes.  The host kernel refuses both: there
# the test checks the refusal is explained, then skips with the reason;
# 'make check-kernels' runs these captures on Debian's kernels.
. "$(dirname "$0")/lib.sh"
ensure_kernel_fs
T=$TESTPROGS/tap_activate

# expect DEVICE TEXT: activation fails with TEXT in its one-line message.
expect() {
	out=$("$T" "$1" 2>&1)
	echo "$out" | grep '^error'
	echo "$out" | grep -qF -- "$2" || fail "$1: message lacks '$2'"
}
expect bpf:kprobe:ip_rcv:arg2 "arg2 of function 'ip_rcv' is 'struct net_device *', not struct sk_buff *: the packet is arg1"
expect bpf:fentry:sk_skb_reason_drop:arg1 "arg1 of function 'sk_skb_reason_drop' is 'struct sock *', not struct sk_buff *: the packet is arg2"
expect bpf:kprobe:schedule "function 'schedule' carries no packet"
expect bpf:kprobe:kfree_skb "no function 'kfree_skb' to probe in this kernel (inlined or absent); try bpf:tracepoint:skb:kfree_skb, bpf:kprobe:sk_skb_reason_drop:arg2"
expect bpf:fexit:ip_rcvv "try bpf:fexit:ip_rcv:arg1"
expect bpf:kprobe:ip_rcv:arg7 "has 4 arguments, arg1 .. arg4"

make_veth_pair
# Kernel-wide tap, other tests beside: addresses of this test's own.
add_own_addresses
out=$(ip netns exec "$NS_B" "$T" bpf:kprobe:ip_rcv 2>&1)
if echo "$out" | grep -q "^status 0"; then
	start_tcpdump k -ni bpf:kprobe:ip_rcv -c 2 -w "$TMP/k.pcap" "icmp and host $OWN_B"
	ip netns exec "$NS_A" ping -c 3 -i 0.2 "$OWN_B" >/dev/null
	wait_tcpdump k
	[ "$(tcpdump -r "$TMP/k.pcap" 2>/dev/null | grep -c 'ICMP echo')" -eq 2 ] ||
	    fail "bpf:kprobe:ip_rcv did not see the ping"
	exit 0
fi
echo "$out" | grep '^error'
echo "$out" | grep -q "the kernel refused every way to attach: fentry .*; kprobe " ||
    fail "the refusal does not name both mechanisms and their reasons"
skip "this kernel refuses fentry and kprobes: $(echo "$out" | sed -n 's/^error [^:]*:[^:]*:[^:]*: //p')"
