# Discovery: tcpdump -D and tshark -D list the skb tracepoints of this
# kernel with a description, the tc and XDP taps of each interface and
# the usual kprobe taps, next to the network interfaces; without
# privileges or without BTF the list still comes, minus what cannot be had.
. "$(dirname "$0")/lib.sh"
ensure_kernel_fs

list=$(with_lib tcpdump -D 2>&1) || fail "tcpdump -D failed: $list"
echo "$list" | grep -E 'bpf:|^1\.'
echo "$list" | grep -q "bpf:tracepoint:skb:kfree_skb (packets the kernel drops, with a drop reason)" ||
    fail "tcpdump -D lacks kfree_skb with its description"
echo "$list" | grep -q "bpf:tracepoint:net:netif_receive_skb (" || fail "tcpdump -D lacks netif_receive_skb"
echo "$list" | grep -q "bpf:tracepoint:sched" && fail "tcpdump -D lists a tracepoint without a packet"
echo "$list" | grep -q "\.lo " || fail "tcpdump -D lost the ordinary interfaces"
with_lib tshark -D 2>/dev/null | grep -q "bpf:tracepoint:skb:kfree_skb" || fail "tshark -D lacks kfree_skb"

echo "$list" | grep -q "bpf:tc:lo (packets at lo's tc hooks" || fail "tcpdump -D lacks bpf:tc:lo"
echo "$list" | grep -q "bpf:xdp:lo (packets lo receives" || fail "tcpdump -D lacks bpf:xdp:lo"
echo "$list" | grep -q "bpf:kprobe:ip_rcv (IPv4 packets entering IP receive (skb is arg1))" ||
    fail "tcpdump -D lacks bpf:kprobe:ip_rcv"

# Every listed tracepoint tap can be activated.  (Not the interface taps:
# attaching XDP to the machine's own network card is not for a test.)
for dev in $(echo "$list" | sed -n 's/^[0-9]*\.\(bpf:[a-z_]*tracepoint:[^ ]*\) .*/\1/p'); do
	out=$("$TESTPROGS/tap_activate" "$dev") || fail "listed $dev does not activate: $out"
done

nobody=$(as_nobody tcpdump -D 2>&1) || fail "unprivileged tcpdump -D failed: $nobody"
echo "$nobody" | grep -q "\.lo " || fail "unprivileged tcpdump -D lost the interfaces"
echo "$nobody" | grep -q "bpf:tracepoint:skb:kfree_skb" ||
    fail "unprivileged tcpdump -D lacks the taps (BTF is readable without privileges)"

nobtf=$(unshare -m sh -c "mount -t tmpfs none /sys/kernel/btf &&
    LD_LIBRARY_PATH=$LIBDIR tcpdump -D" 2>&1) || fail "tcpdump -D without BTF failed: $nobtf"
echo "$nobtf" | grep -q "\.lo " || fail "tcpdump -D without BTF lost the interfaces"
echo "$nobtf" | grep -q "bpf:" && fail "tcpdump -D without BTF lists taps"
exit 0
