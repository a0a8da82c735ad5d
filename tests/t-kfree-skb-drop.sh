# The seed's scenario: an iptables DROP makes the kernel free a TCP SYN;
# Debian's unchanged tcpdump, through the built library, captures it at
# bpf:tracepoint:skb:kfree_skb into a file that tcpdump and tshark read,
# with the right addresses, port, interface index and direction.
. "$(dirname "$0")/lib.sh"
ensure_kernel_fs
make_veth_pair
ip netns exec "$NS_B" iptables -A INPUT -p tcp --dport 6666 -j DROP ||
    fail "iptables DROP rule"

start_tcpdump drop -ni bpf:tracepoint:skb:kfree_skb -c 1 -w "$TMP/drop.pcap" \
    'tcp dst port 6666 and host 198.18.0.2'
ip netns exec "$NS_A" timeout 3 bash -c 'exec 3<>/dev/tcp/198.18.0.2/6666' 2>/dev/null
wait_tcpdump drop
cat "$TMP/drop.err"

# Debian's tcpdump dropped to user tcpdump after activation: its file says so.
owner=$(stat -c %U "$TMP/drop.pcap")
[ "$owner" = tcpdump ] || fail "capture file owned by '$owner': tcpdump did not drop privileges"

text=$(tcpdump -nr "$TMP/drop.pcap" 2>/dev/null)
echo "tcpdump -r: $text"
echo "$text" | grep -q " In  " || fail "the dropped SYN is not marked inbound"
echo "$text" | grep -q "198.18.0.1\.[0-9]* > 198.18.0.2.6666: Flags \[S\]" ||
    fail "the dropped SYN 198.18.0.1 > 198.18.0.2:6666 is not in the capture"

fields=$(tshark -r "$TMP/drop.pcap" -T fields -e sll.ifindex -e ip.src \
    -e ip.dst -e tcp.dstport -e tcp.flags.syn -e sll.pkttype -e sll.src.eth 2>/dev/null)
echo "tshark -r: $fields"
[ "$(echo "$fields" | head -1)" = "$(printf '%s\t198.18.0.1\t198.18.0.2\t6666\t1\t0\t%s' "$IFINDEX_B" "$MAC_A")" ] ||
    fail "tshark fields differ from: ifindex $IFINDEX_B, 198.18.0.1 > 198.18.0.2:6666 SYN, to this host, from $MAC_A"
exit 0
