# Every way activation can fail gives one line that names the cause and
# the fix, the right PCAP_ERROR_* code, and leaves no BPF object behind.
# Inputs at the edges (names with control characters or too long to quote
# whole, lengths, a filter longer than the probe runs) work or fail the
# same way: README.bpftrace's "Bad input" table lists them.
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
	# The line after the message is tap_activate's next: nothing of the
	# message spilled onto further lines.
	echo "$out" | sed -n '/^error /{n;p;}' | grep -q '^bpf_fds' ||
	    fail "$device: the message spans several lines"
	echo "$out" | grep -q "^bpf_fds 0" || fail "$device: BPF objects left after the failed activate"
}

expect bpf:nosuch:x -5 "unknown tap family 'nosuch': known are tracepoint, raw_tracepoint"
expect bpf:tracepoint:skb:kfree_skbb -5 "no tracepoint 'kfree_skbb'; nearest: bpf:tracepoint:skb:kfree_skb"
expect bpf:tracepoint:net:kfree_skb -5 "is in category 'skb', not 'net': use bpf:tracepoint:skb:kfree_skb"
expect bpf:tracepoint:sched:sched_switch -1 "tracepoint 'sched_switch' carries no packet"
expect bpf:tracepoint:skb:kfree_skb:arg2 -1 "arg2 of tracepoint 'kfree_skb' is 'void *', not struct sk_buff *: the packet is arg1"
expect bpf:tracepoint:skb:kfree_skb:arg9 -5 "has 4 arguments, arg1 .. arg4"
expect bpf:raw_tracepoint:no_such_tp -5 "no tracepoint 'no_such_tp'"
expect bpf:kprobe:no_such_function_pbt -5 "no function 'no_such_function_pbt' to probe in this kernel"
expect bpf:fentry:no_such_function_pbt -5 "no function 'no_such_function_pbt' to probe in this kernel"

# Names: empty parts, too many taps, control characters (shown as \xNN,
# never sent to the terminal), and names too long to quote whole, whose
# reason must still fit in PCAP_ERRBUF_SIZE.
expect bpf:tc: -5 "'' is not an interface name"
# bpf_obj_get() says EACCES for a file outside a BPF file system.
expect bpf:pinned:/etc/passwd -5 "/etc/passwd is not in a BPF file system: give the path its program pinned it at"
expect bpf:tracepoint::kfree_skb -5 "tracepoint category '' is not a kernel name"
expect bpf:tc:lo++xdp:lo -5 "an empty tap between '+'s"
expect bpf:xdp:a+xdp:b+xdp:c+xdp:d+xdp:e+xdp:f+xdp:g+xdp:h+xdp:i -5 \
    "at most 8 taps in one capture"
expect $'bpf:tc:lo\n' -5 \
    'bpf:tc:lo\x0a: a control character in the device name: type the name without it'
expect $'bpf:tc:lo\e[2J' -5 'bpf:tc:lo\x1b[2J: a control character'
long=$(printf 'x%.0s' $(seq 70))
expect "bpf:$long:eth0" -5 \
    "known are tracepoint, raw_tracepoint, kprobe, fentry, fexit, tc, xdp, prog, pinned, object (tcpdump -D lists the taps)"
expect "bpf:kprobe:$(printf 'f%.0s' $(seq 128))" -5 \
    "function name is longer than 127 characters"
expect "bpf:kprobe:$long-$long$long" -5 "is not a kernel name (letters, digits, '_')"
expect "bpf:pinned:/$long$long$long$long$long$long" -5 "device name too long"
T=$TMP/shared/tap_activate expect bpf:tracepoint:skb:kfree_skb -8 \
    "needs CAP_BPF and CAP_PERFMON" as_nobody
# No BTF: hide /sys/kernel/btf in a private mount namespace.
expect bpf:tracepoint:skb:kfree_skb -1 "the kernel has no BTF" \
    unshare -m sh -c 'mount -t tmpfs none /sys/kernel/btf && exec "$0" "$@"'

expect bpf:tc:lo -1 "the kernel has no BTF" \
    unshare -m sh -c 'mount -t tmpfs none /sys/kernel/btf && exec "$0" "$@"'
expect bpf:tc:nosuch0 -5 "no interface 'nosuch0' here; interfaces: lo"
expect bpf:tc:lo:sideways -5 "'sideways' is not a tc hook: use ingress or egress (or leave it out for both), then before, after or prog=NAME|ID"
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
lo_filters() {
	{ tc filter show dev lo ingress; tc filter show dev lo egress; } 2>/dev/null |
	    grep -c capture_tc || true
}
lo_before=$(lo_filters)
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
# The guardians remove the clsact filters of every failed activation, the
# descriptor limit (theirs too, inherited) nearly used up.
wait_until $$ [ "$(lo_filters)" -le "$lo_before" ] ||
    fail "clsact filters left on lo after the failed activations: $(lo_filters), $lo_before before"
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

# Lengths, in a namespace of the test's with addresses on lo.
NS=${NS_PREFIX}e
add_namespace "$NS"
ip -n "$NS" addr add 198.19.77.1/32 dev lo
ip -n "$NS" addr add 198.19.77.9/32 dev lo
ping_ns() { ip netns exec "$NS" ping -c "$2" -i 0.2 -q "$1" > /dev/null; }
# Places and modes of interface taps: words the grammar lacks; native XDP
# where the driver has none (lo).
expect bpf:xdp:lo:fast -5 "'fast' is not an XDP word: use generic or native, or at the user's program entry or verdicts"
expect bpf:xdp:lo:native -1 "xdp attaching in native mode: Operation not supported (the driver of this interface has no native XDP: leave :native out)" \
    ip netns exec "$NS" env LD_LIBRARY_PATH="$LIBDIR"
# -s 0 is 262144 (libpcap's maximum); more than that tcpdump refuses
# itself, and libpcap takes for 262144 (pcap_set_snaplen()).
IN_NS=$NS start_tcpdump snap0 -ni bpf:tc:lo:ingress -c 1 -s 0
ping_ns 198.19.77.9 1
wait_tcpdump snap0
grep -q 'snapshot length 262144 bytes' "$TMP/snap0.err" ||
    fail "-s 0: not captured with snap length 262144: $(cat "$TMP/snap0.err")"
out=$(ip netns exec "$NS" env LD_LIBRARY_PATH="$LIBDIR" "$T" -s 2147483647 bpf:tc:lo 2>&1)
echo "$out" | grep -q '^status 0' || fail "pcap_set_snaplen(INT_MAX): not activated: $out"
# -s 1: one byte of each packet, the real length kept.  No filter: the
# filter sees only the bytes kept (see README.bpftrace, Bad input), and
# the namespace's lo carries only these pings.
IN_NS=$NS start_tcpdump one -ni bpf:tc:lo:ingress -s 1 -c 2 -w "$TMP/one.pcap"
ping_ns 198.19.77.9 1
wait_tcpdump one
[ "$(tcpdump -r "$TMP/one.pcap" 2>/dev/null | wc -l)" = 2 ] ||
    fail "-s 1: expected 2 packets: $(cat "$TMP/one.err")"
# The first record's header: captured length 1, real length 98.
[ "$(od -A n -t u4 -j 32 -N 8 "$TMP/one.pcap" | tr -s ' ')" = " 1 98" ] ||
    fail "-s 1: caplen and len are not 1 and 98: $(od -A n -t u4 -j 32 -N 8 "$TMP/one.pcap")"
# -B 1 KiB, less than a page: the ring is a page.  (-B 0 never reaches
# the module: tcpdump refuses it, pcap_set_buffer_size() ignores it.)
out=$(ip netns exec "$NS" env LD_LIBRARY_PATH="$LIBDIR" "$T" -B 1024 bpf:tc:lo 2>&1)
echo "$out" | grep -q '^status 0' || fail "-B 1 KiB: not activated: $out"

# A filter of 4097 instructions (libpcap allows any length; the probe runs
# at most 4096) is run in user space, and gives the same packets as the
# one of 4096 the probe runs: the echo requests to 198.19.77.9, none of
# those to 198.19.77.1 sent before them.  -O: unoptimised, so that 136
# hosts make exactly these lengths.
hosts="host 198.18.0.0"
for ((i = 1; i < 136; i++)); do
	hosts="$hosts or host 198.18.$((i / 256)).$((i % 256))"
done
hosts="$hosts or host 198.19.77.9 or ip[0] = 1 or len = 1 or len = 2 or len = 3"
echo "$hosts or arp" > "$TMP/f4096"
echo "$hosts or less 5" > "$TMP/f4097"
for n in 4096 4097; do
	[ "$(tcpdump -O -d -y EN10MB -F "$TMP/f$n" | wc -l)" = $n ] ||
	    fail "the filter of $n instructions has $(tcpdump -O -d -y EN10MB -F "$TMP/f$n" | wc -l)"
	PCAP_BPF_DEBUG=1 IN_NS=$NS start_tcpdump f$n -O -ni bpf:tc:lo:ingress \
	    -c 2 -F "$TMP/f$n"
	ping_ns 198.19.77.1 2
	ping_ns 198.19.77.9 1
	wait_tcpdump f$n
	cat "$TMP/f$n.out"
	[ "$(grep -c '198.19.77.9' "$TMP/f$n.out")" = 2 ] ||
	    fail "filter of $n instructions: not the 2 packets of 198.19.77.9"
done
grep -q 'filtering in user space: 4097 instructions (the probe runs 1 to 4096)' "$TMP/f4097.err" ||
    fail "the filter of 4097 instructions was not run in user space: $(cat "$TMP/f4097.err")"
if grep -q 'filtering in user space' "$TMP/f4096.err"; then
	fail "the filter of 4096 instructions did not run in the probe"
fi

# tcpdump shows the reason on one line after its own.
out=$(with_lib tcpdump -ni bpf:tracepoint:skb:kfree_skbb 2>&1)
echo "$out"
echo "$out" | grep -q "nearest: bpf:tracepoint:skb:kfree_skb" || fail "tcpdump does not show the suggestion"
exit 0
