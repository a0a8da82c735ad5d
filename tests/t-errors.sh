# Every way activation can fail gives one line that names the cause and
# the fix, the right PCAP_ERROR_* code, and leaves no BPF object behind.
. "$(dirname "$0")/lib.sh"
ensure_kernel_fs
T=$TESTPROGS/tap_activate

# expect DEVICE STATUS TEXT [command prefix...]
expect() {
	local device=$1 status=$2 text=$3
	shift 3
	out=$("$@" "$T" "$device" 2>&1)
	echo "$out"
	echo "$out" | grep -q "^status $status" || fail "$device: expected status $status"
	echo "$out" | grep -qF -- "$text" || fail "$device: message lacks '$text'"
	[ "$(echo "$out" | grep -c '^error ')" = 1 ] || fail "$device: not one error line"
	echo "$out" | grep -q "^bpf_fds 0" || fail "$device: BPF objects left after the failed activate"
}

expect bpf:nosuch:x -5 "unknown tap family 'nosuch': known are tracepoint, raw_tracepoint"
expect bpf:tracepoint:skb:kfree_skbb -5 "no tracepoint 'kfree_skbb'; nearest: bpf:tracepoint:skb:kfree_skb"
expect bpf:tracepoint:net:kfree_skb -5 "is in category 'skb', not 'net': use bpf:tracepoint:skb:kfree_skb"
expect bpf:tracepoint:sched:sched_switch -1 "tracepoint 'sched_switch' carries no packet"
expect bpf:tracepoint:skb:kfree_skb:arg2 -1 "arg2 of tracepoint 'kfree_skb' is 'void *', not struct sk_buff *: the packet is arg1"
expect bpf:tracepoint:skb:kfree_skb:arg9 -5 "has 4 arguments, arg1 .. arg4"
expect bpf:raw_tracepoint:no_such_tp -5 "no tracepoint 'no_such_tp'"
T=$TMP/shared/tap_activate expect bpf:tracepoint:skb:kfree_skb -8 \
    "needs CAP_BPF and CAP_PERFMON" as_nobody
# No BTF: hide /sys/kernel/btf in a private mount namespace.
expect bpf:tracepoint:skb:kfree_skb -1 "the kernel has no BTF" \
    unshare -m sh -c 'mount -t tmpfs none /sys/kernel/btf && exec "$0" "$@"'

expect bpf:tc:lo -1 "the kernel has no BTF" \
    unshare -m sh -c 'mount -t tmpfs none /sys/kernel/btf && exec "$0" "$@"'
expect bpf:tc:nosuch0 -5 "no interface 'nosuch0' here; interfaces: lo"
expect bpf:tc:lo:sideways -5 "'sideways' is not a tc hook: use ingress or egress"
T=$TMP/shared/tap_activate expect bpf:tc:lo -8 "needs CAP_BPF and CAP_NET_ADMIN" \
    as_nobody

# A ring the process cannot map (its address space limited below the
# buffer size): the reader's message names the device.
expect bpf:tracepoint:skb:kfree_skb -1 \
    "bpf:tracepoint:skb:kfree_skb: mapping the ring's data pages: Cannot allocate memory" \
    sh -c 'ulimit -v 200000 && exec "$0" -B 134217728 "$@"'

# Descriptors running out at each step of activation (the limit raised
# one at a time): each failure is one line with the device and its cause,
# never a wrong one (a descriptor that could not be checked is no forged
# grant), and nothing stays loaded.  With clsact, one step is the
# guardian's pipe, whose own message must reach the user.
for dev in bpf:tc:lo bpf:tracepoint:skb:kfree_skb; do
	n=6
	while [ $n -le 30 ]; do
		out=$(sh -c "ulimit -n $n && exec \"\$0\" \"\$@\"" \
		    env PCAP_BPF_MECHANISMS=clsact,tp_btf,raw_tp "$T" "$dev" 2>&1)
		echo "ulimit -n $n: $(echo "$out" | grep -E '^(status|error)' | tr '\n' ' ')"
		echo "$out" >> "$TMP/fd-limits.out"
		if ! echo "$out" | grep -q "^status 0"; then
			[ "$(echo "$out" | grep -c "^error $dev: ")" = 1 ] ||
			    fail "ulimit -n $n, $dev: not one error line naming the device"
			echo "$out" | grep -q "^bpf_fds 0" ||
			    fail "ulimit -n $n, $dev: BPF objects left after the failed activate"
		fi
		n=$((n + 1))
	done
done
if grep -E "^error .*(said to be|no BPF map)" "$TMP/fd-limits.out"; then
	fail "descriptors running out reported as a forged grant"
fi
grep -q "^error bpf:tc:lo: clsact attaching: pipe for the clsact guardian: Too many open files" \
    "$TMP/fd-limits.out" || fail "the clsact guardian's own message did not reach the user"

# Injection is refused with a reason.
out=$("$T" bpf:tracepoint:skb:kfree_skb)
echo "$out"
echo "$out" | grep -q "^inject refused: bpf:tracepoint:skb:kfree_skb: sending packets is not supported on bpf: taps" ||
    fail "pcap_inject on a tap is not refused with a reason"

# tcpdump shows the reason on one line after its own.
out=$(with_lib tcpdump -ni bpf:tracepoint:skb:kfree_skbb 2>&1)
echo "$out"
echo "$out" | grep -q "nearest: bpf:tracepoint:skb:kfree_skb" || fail "tcpdump does not show the suggestion"
exit 0
