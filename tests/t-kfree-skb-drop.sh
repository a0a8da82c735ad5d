# The seed's scenario: an iptables DROP makes the kernel free a TCP SYN;
# Debian's unchanged tcpdump, through the built library, captures it at
# bpf:tracepoint:skb:kfree_skb into a file that tcpdump and tshark read,
# with the right addresses, port and direction, and the interface where
# its index means it (LINUX_SLL2 in the packet's namespace).
. "$(dirname "$0")/lib.sh"
ensure_kernel_fs
make_veth_pair
# Kernel-wide tap, other tests beside: addresses of this test's own.
add_own_addresses
ip netns exec "$NS_B" iptables -A INPUT -p tcp --dport 6666 -j DROP ||
    fail "iptables DROP rule"

start_tcpdump drop -ni bpf:tracepoint:skb:kfree_skb -c 1 -w "$TMP/drop.pcap" \
    "tcp dst port 6666 and host $OWN_B"
ip netns exec "$NS_A" timeout 3 bash -c "exec 3<>/dev/tcp/$OWN_B/6666" 2>/dev/null
wait_tcpdump drop
cat "$TMP/drop.err"

# Debian's tcpdump dropped to user tcpdump after activation: its file says so.
owner=$(stat -c %U "$TMP/drop.pcap")
[ "$owner" = tcpdump ] || fail "capture file owned by '$owner': tcpdump did not drop privileges"

# The default link type is LINUX_SLL, as on libpcap's "any": direction and
# source address, no interface.
text=$(tcpdump -enr "$TMP/drop.pcap" 2>/dev/null)
echo "tcpdump -r: $text"
echo "$text" | grep -q " In $MAC_A ethertype IPv4" ||
    fail "the dropped SYN is not marked inbound from $MAC_A"
echo "$text" | grep -q "$OWN_A\.[0-9]* > $OWN_B.6666: Flags \[S\]" ||
    fail "the dropped SYN $OWN_A > $OWN_B:6666 is not in the capture"
fields=$(tshark -r "$TMP/drop.pcap" -T fields -e frame.protocols -e ip.src \
    -e ip.dst -e tcp.dstport -e tcp.flags.syn -e sll.pkttype -e sll.src.eth 2>/dev/null)
echo "tshark -r: $fields"
[ "$(echo "$fields" | head -1)" = "$(printf 'sll:ethertype:ip:tcp\t%s\t%s\t6666\t1\t0\t%s' "$OWN_A" "$OWN_B" "$MAC_A")" ] ||
    fail "tshark fields differ from: LINUX_SLL, $OWN_A > $OWN_B:6666 SYN, to this host, from $MAC_A"

# -y LINUX_SLL2 adds the interface.  The drop happened in $NS_B: a capture
# running there gets veth_b's index and name; one from this namespace gets
# no index at all (0: tcpdump prints '?'), never one that would name an
# unrelated interface of its own.
IN_NS=$NS_B start_tcpdump inside -ni bpf:tracepoint:skb:kfree_skb -y LINUX_SLL2 -c 1 \
    -w "$TMP/inside.pcap" "tcp dst port 6666 and host $OWN_B"
start_tcpdump outside -ni bpf:tracepoint:skb:kfree_skb -y LINUX_SLL2 -c 1 \
    -w "$TMP/outside.pcap" "tcp dst port 6666 and host $OWN_B"
ip netns exec "$NS_A" timeout 3 bash -c "exec 3<>/dev/tcp/$OWN_B/6666" 2>/dev/null
wait_tcpdump inside
wait_tcpdump outside
inside=$(ip netns exec "$NS_B" tcpdump -nr "$TMP/inside.pcap" 2>/dev/null)
outside=$(tcpdump -nr "$TMP/outside.pcap" 2>/dev/null)
echo "in $NS_B: $inside"
echo "outside: $outside"
echo "$inside" | grep -q "^[0-9:.]* veth_b In  IP $OWN_A\.[0-9]* > $OWN_B.6666: Flags \[S\]" ||
    fail "a capture in the packet's namespace does not name veth_b, inbound"
echo "$outside" | grep -q "^[0-9:.]* ?     In  IP $OWN_A\.[0-9]* > $OWN_B.6666: Flags \[S\]" ||
    fail "a capture from another namespace does not leave the interface out"
for f in inside outside; do
	tshark -r "$TMP/$f.pcap" -T fields -e sll.ifindex 2>/dev/null
done | tr '\n' ' ' | grep -qx "$IFINDEX_B 0 " ||
    fail "SLL2 interface indexes are not $IFINDEX_B inside and 0 outside"
exit 0
