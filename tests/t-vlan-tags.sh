# VLAN tags at tracing taps: a tag the stack keeps beside the frame (in
# the skb's metadata, as a VLAN device on a card with tag offload leaves
# it) is put back into EN10MB frames, after the addresses, as AF_PACKET
# shows it.  A tc program on veth_a's egress tags A's IPv4 packets (VLAN
# 10, priority 3) with bpf_skb_vlan_push(), which leaves the tag in the
# metadata: the host kernel may have no VLAN devices.  Sending side:
# bpf:tracepoint:net:net_dev_queue (after tc) against AF_PACKET on
# veth_a; receiving side: bpf:tracepoint:net:netif_receive_skb (before
# the stack takes the tag away) against AF_PACKET on veth_b.  Each pair:
# the same packets, byte for byte, and tcpdump -e shows the tag.
. "$(dirname "$0")/lib.sh"
ensure_kernel_fs
make_veth_pair
MAC_B=$(mac_of "$NS_B" veth_b)
# No ARP while the captures run: ARP frames are not tagged, and B drops
# the tagged echo requests (it has no VLAN 10), so A's entry would go
# stale and A would ask again.
ip -n "$NS_A" neigh replace 198.18.0.2 lladdr "$MAC_B" dev veth_a nud permanent
tc -n "$NS_A" qdisc add dev veth_a clsact || fail "no clsact qdisc"
tc -n "$NS_A" filter add dev veth_a egress bpf direct-action \
    obj "$TESTPROGS/vlan_push.bpf.o" sec tc ||
    fail "cannot attach vlan_push.bpf.o at veth_a's egress"
filter="vlan 10 and icmp"

# The captures see only their own namespace (issue 18), so the echo
# requests of other tests cannot reach them.
IN_NS=$NS_A start_tcpdump queue -ni bpf:tracepoint:net:net_dev_queue -y EN10MB -s 0 -U -w "$TMP/queue.pcap" "$filter"
IN_NS=$NS_A start_tcpdump af_out -ni veth_a -Q out -s 0 -U -w "$TMP/af_out.pcap" "$filter"
# dev=veth_b: the tracepoint fires again for what the stack makes of the
# frame; this compares what veth_b received.
IN_NS=$NS_B start_tcpdump receive -ni "bpf:tracepoint:net:netif_receive_skb,dev=veth_b" -y EN10MB -s 0 -U -w "$TMP/receive.pcap" "$filter"
IN_NS=$NS_B start_tcpdump af_in -ni veth_b -Q in -s 0 -U -w "$TMP/af_in.pcap" "$filter"
ip netns exec "$NS_A" ping -c 3 -i 0.2 -W 1 198.18.0.2 >/dev/null 2>&1
for name in queue af_out receive af_in; do
	wait_for_packets "$TMP/$name.pcap" 3 ||
	    echo "$name: $(packets_in "$TMP/$name.pcap") of 3 packets"
done
for name in queue af_out receive af_in; do
	eval "kill -INT \$PID_$name"
done
for name in queue af_out receive af_in; do
	wait_tcpdump "$name"
done

# same TAP AF: the tap's capture holds the 3 echo requests, tagged as
# AF_PACKET shows them, byte for byte.
same() {
	local n
	n=$(packets_in "$TMP/$1.pcap")
	[ "$n" -eq 3 ] || { cat "$TMP/$1.err"; fail "$1: $n packets, not 3"; }
	echo "$1: $(tcpdump -r "$TMP/$1.pcap" -nn -e -c 1 2>/dev/null)"
	tcpdump -r "$TMP/$1.pcap" -nn -e 2>/dev/null |
	    grep -c "ethertype 802.1Q (0x8100), length [0-9]*: vlan 10, p 3, ethertype IPv4" |
	    grep -qx 3 || fail "$1: not every packet shows the tag (VLAN 10, priority 3)"
	hex_packets "$TMP/$1.pcap" > "$TMP/$1.hex"
	hex_packets "$TMP/$2.pcap" > "$TMP/$2.hex"
	cmp -s "$TMP/$1.hex" "$TMP/$2.hex" || {
		diff "$TMP/$1.hex" "$TMP/$2.hex" | cut -c 1-160 | head -6
		fail "$1 and $2 (AF_PACKET) differ"
	}
}
same queue af_out
same receive af_in
exit 0
