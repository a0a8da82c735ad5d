# Discovery: tcpdump -D and tshark -D list the skb tracepoints of this
# kernel with a description, the tc and XDP taps of each interface and,
# where the kernel has kprobes, the usual kprobe taps, next to the network
# interfaces.  Every user sees the same names; every listed tap opens;
# nothing the kernel cannot attach is listed.  Without privileges or
# without BTF the list still comes, minus what cannot be had.
. "$(dirname "$0")/lib.sh"
ensure_kernel_fs

# The bpf: lines of a device list, without tcpdump's numbering.
bpf_lines() {
	sed -n 's/^[0-9]*\.\(bpf:.*\)/\1/p'
}

# The tracing taps (tracepoints, functions) of a device list.
tracing_taps() {
	bpf_lines | sed -n 's/^\(bpf:\(tracepoint\|raw_tracepoint\|kprobe\|fentry\|fexit\):[^ ]*\) .*/\1/p'
}

list=$(with_lib tcpdump -D 2>&1) || fail "tcpdump -D failed: $list"
echo "$list" | grep -E 'bpf:|^1\.'
echo "$list" | grep -q "bpf:tracepoint:skb:kfree_skb (packets the kernel drops, with a drop reason; -y LINUX_SLL2 for interface and In/Out)" ||
    fail "tcpdump -D lacks kfree_skb with its description"
echo "$list" | grep -q "bpf:tracepoint:net:netif_receive_skb (" || fail "tcpdump -D lacks netif_receive_skb"
echo "$list" | grep -q "bpf:tracepoint:sched" && fail "tcpdump -D lists a tracepoint without a packet"
echo "$list" | grep -q "bpf:raw_tracepoint:" &&
    fail "tcpdump -D lists a raw_tracepoint name (every tracepoint has a bpf:tracepoint: name)"
echo "$list" | grep -q "\.lo " || fail "tcpdump -D lost the ordinary interfaces"
with_lib tshark -D 2>/dev/null | grep -q "bpf:tracepoint:skb:kfree_skb" || fail "tshark -D lacks kfree_skb"

echo "$list" | grep -q "bpf:tc:lo (packets at lo's tc hooks" || fail "tcpdump -D lacks bpf:tc:lo"
echo "$list" | grep -q "bpf:xdp:lo (packets lo receives" || fail "tcpdump -D lacks bpf:xdp:lo"

# Every listed tracing tap activates as root (the category of each
# bpf:tracepoint:CATEGORY:NAME is checked against tracefs on the way).
for dev in $(echo "$list" | tracing_taps); do
	out=$("$TESTPROGS/tap_activate" "$dev") || fail "listed $dev does not activate: $out"
done

# The library knows the category of every packet tracepoint of this
# kernel (bpftrace-tracepoint-notes.c): one listed without it, as
# bpf:tracepoint:NAME, is missing from that table.  That form opens too.
bare=$(echo "$list" | bpf_lines | sed -n 's/^\(bpf:tracepoint:[a-z0-9_]*\) .*/\1/p')
[ -z "$bare" ] || fail "listed without a category (add them to bpftrace-tracepoint-notes.c):" $bare
out=$("$TESTPROGS/tap_activate" bpf:tracepoint:kfree_skb) ||
    fail "bpf:tracepoint:kfree_skb, the form without category, does not activate: $out"

# Nothing of a function family the kernel refuses is listed: when
# bpf:kprobe: cannot attach (no kprobes, trampolines refused), no function
# tap may be offered.  (The loop above checks the other direction.)
if ! out=$("$TESTPROGS/tap_activate" bpf:kprobe:ip_rcv); then
	echo "this kernel attaches no function tap: $out"
	echo "$list" | grep -E "bpf:(kprobe|fentry|fexit):" &&
	    fail "tcpdump -D lists function taps on a kernel that cannot attach them"
fi

# The same names for every user: the list as nobody, without privileges
# (tracefs unreadable), is the list root sees, descriptions included.
nobody=$(as_nobody tcpdump -D 2>&1) || fail "unprivileged tcpdump -D failed: $nobody"
echo "$nobody" | grep -q "\.lo " || fail "unprivileged tcpdump -D lost the interfaces"
echo "$nobody" | grep -q "bpf:tracepoint:skb:kfree_skb" ||
    fail "unprivileged tcpdump -D lacks the taps (BTF is readable without privileges)"
differs=$(diff <(echo "$list" | bpf_lines) <(echo "$nobody" | bpf_lines)) ||
    fail "root and nobody see different bpf: devices (< root, > nobody): $differs"

# The kprobe rule, both ways, whatever this kernel has: with the kernel's
# kprobe event source visible the usual functions are listed, without it
# none (a private mount namespace shows or hides it).
event_sources=/sys/bus/event_source/devices
with_kprobes=$(unshare -m sh -c "mount -t tmpfs none $event_sources &&
    mkdir $event_sources/kprobe && LD_LIBRARY_PATH=$LIBDIR tcpdump -D" 2>&1) ||
    fail "tcpdump -D with a kprobe event source failed: $with_kprobes"
echo "$with_kprobes" | grep -q "bpf:kprobe:ip_rcv (IPv4 packets entering IP receive (skb is arg1); -y LINUX_SLL2 for interface and In/Out)" ||
    fail "with kprobes, tcpdump -D lacks bpf:kprobe:ip_rcv: $(echo "$with_kprobes" | bpf_lines | grep -v tracepoint)"
without=$(unshare -m sh -c "mount -t tmpfs none $event_sources &&
    LD_LIBRARY_PATH=$LIBDIR tcpdump -D" 2>&1) ||
    fail "tcpdump -D without a kprobe event source failed: $without"
echo "$without" | grep -E "bpf:(kprobe|fentry|fexit):" &&
    fail "without kprobes, tcpdump -D lists function taps"

# Interface taps, in a namespace of their own (not the machine's own
# network card): every listed one activates.
make_veth_pair
in_a=$(ip netns exec "$NS_A" env LD_LIBRARY_PATH="$LIBDIR" tcpdump -D 2>&1) ||
    fail "tcpdump -D in a namespace failed: $in_a"
taps=$(echo "$in_a" | bpf_lines | sed -n 's/^\(bpf:\(tc\|xdp\):[^ ]*\) .*/\1/p')
[ "$(echo "$taps" | wc -w)" = 4 ] ||
    fail "in a namespace with lo and veth_a, tcpdump -D lists: $taps"
for dev in $taps; do
	out=$(ip netns exec "$NS_A" "$TESTPROGS/tap_activate" "$dev") ||
	    fail "listed $dev does not activate: $out"
done

nobtf=$(unshare -m sh -c "mount -t tmpfs none /sys/kernel/btf &&
    LD_LIBRARY_PATH=$LIBDIR tcpdump -D" 2>&1) || fail "tcpdump -D without BTF failed: $nobtf"
echo "$nobtf" | grep -q "\.lo " || fail "tcpdump -D without BTF lost the interfaces"
echo "$nobtf" | grep -q "bpf:" && fail "tcpdump -D without BTF lists taps"
exit 0
