# Link types: LINUX_SLL by default, as on libpcap's "any" (the one every
# libpcap program reads); tcpdump -L lists it first, then LINUX_SLL2,
# EN10MB and RAW; -y switches after activation; each rendering carries the
# same IP packet, EN10MB with the real Ethernet header of the received
# frame.
. "$(dirname "$0")/lib.sh"
ensure_kernel_fs
make_veth_pair
# Kernel-wide tap, other tests beside: addresses of this test's own.
add_own_addresses
tap=bpf:tracepoint:net:netif_receive_skb

list=$(with_lib tcpdump -i $tap -L 2>&1)
echo "$list"
for t in LINUX_SLL LINUX_SLL2 EN10MB RAW; do
	echo "$list" | grep -q "^  $t " || fail "tcpdump -L does not list $t"
done
[ "$(echo "$list" | sed -n 's/^  \([A-Z0-9_]*\) .*/\1/p' | head -1)" = LINUX_SLL ] ||
    fail "tcpdump -L does not list LINUX_SLL first"

for t in EN10MB RAW LINUX_SLL2 default; do
	y="-y $t"
	[ $t = default ] && y=""
	PCAP_BPF_DEBUG=1 start_tcpdump $t -ni $tap $y -c 1 -w "$TMP/$t.pcap" \
	    "icmp and src host $OWN_A"
	ip netns exec "$NS_A" ping -c 3 -i 0.2 $OWN_B >/dev/null
	wait_tcpdump $t
	out=$(tcpdump -enr "$TMP/$t.pcap" 2>&1)
	echo "$t: $out"
	echo "$out" | grep -q "$OWN_A > $OWN_B: ICMP echo request" ||
	    fail "-y $t: no echo request in the capture"
	# The filter was installed in the probe after tcpdump gave up root
	# (PCAP_BPF_DEBUG says when it runs in user space instead).
	grep -q "filtering in user space" "$TMP/$t.err" &&
	    fail "-y $t: $(grep "filtering in user space" "$TMP/$t.err")"
	grep -q "passed, [0-9]* rejected by the in-kernel filter" "$TMP/$t.err" ||
	    fail "-y $t: no probe counts at close: $(tail -1 "$TMP/$t.err")"
done
tcpdump -r "$TMP/EN10MB.pcap" 2>&1 | grep -q "link-type EN10MB" || fail "EN10MB file header"
tcpdump -r "$TMP/RAW.pcap" 2>&1 | grep -q "link-type RAW" || fail "RAW file header"
tcpdump -r "$TMP/default.pcap" 2>&1 | grep -q "link-type LINUX_SLL (Linux cooked v1)" ||
    fail "the default link type is not LINUX_SLL"
tcpdump -enr "$TMP/default.pcap" 2>/dev/null | grep -q " In $MAC_A ethertype IPv4" ||
    fail "LINUX_SLL does not carry the direction and source address"
tcpdump -nr "$TMP/LINUX_SLL2.pcap" 2>/dev/null | grep -q " In  " ||
    fail "packets at netif_receive_skb are not marked inbound"
src=$(tshark -r "$TMP/EN10MB.pcap" -T fields -e eth.src 2>/dev/null | head -1)
[ "$src" = "$MAC_A" ] || fail "EN10MB source MAC is '$src', not veth_a's $MAC_A"
# IEEE802_11 is offered only at taps on 802.11 frames (mac80211
# functions; the kernel matrix captures there); elsewhere -y refuses it.
out=$(with_lib tcpdump -i bpf:tc:lo -y IEEE802_11 -c 1 2>&1)
echo "$out"
echo "$out" | grep -q "IEEE802_11 is not one of the DLTs supported by this device" ||
    fail "-y IEEE802_11 at a tc tap is not refused"
exit 0
