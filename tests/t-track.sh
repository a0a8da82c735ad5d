# Tracking (,track; bpf/packet_track.h): a packet that matched the filter
# at one tap is captured at every later tap of the capture until the
# kernel frees it, even when it no longer matches.
#  - NAT: $NS_A pings a virtual address $VIP routed to $NS_B, where an
#    iptables DNAT rule rewrites it to $OWN_B before routing.  The capture
#    joins net:netif_receive_skb (before the rewrite: the destination is
#    $VIP) and skb:consume_skb (where the echo request is freed after the
#    reply: the destination is $OWN_B), the in-kernel filter naming $VIP.
#    Without tracking: the 5 requests at netif_receive_skb only; with it,
#    5 more rewritten ones at consume_skb; with both the compiled filter
#    and the interpreter (PCAP_BPF_FILTER=interpret).
#  - The entries go at the free: PCAP_BPF_DEBUG counts 5 followed, 5
#    forgotten, whether consume_skb is a tap or only the hidden program.
#  - NFLOG (unfiltered: libpcap filters no IP fields there): each row
#    carries the packet's identity (prefix "pkt=ID"); the 5 requests to
#    $VIP at tap 0 and, by the same identities, rewritten at tap 1.
#  - The option's syntax: track=0 and track=N above the limit refused.
# Counts are exact: the captures read for a fixed time after the traffic.
. "$(dirname "$0")/lib.sh"
ensure_kernel_fs
make_veth_pair
add_own_addresses
command -v iptables >/dev/null || skip "no iptables"
ip netns exec "$NS_B" iptables -t nat -L >/dev/null 2>&1 ||
    skip "no iptables nat table in a namespace"
# A virtual address of this test's (10.x.y.1 from its pid).
VIP=10.$(( ($$ / 256) % 256 )).$(( $$ % 256 )).1
ip -n "$NS_A" route add "$VIP/32" via "$OWN_B" dev veth_a ||
    fail "route to $VIP"
ip netns exec "$NS_B" iptables -t nat -A PREROUTING -d "$VIP" -p icmp \
    -j DNAT --to-destination "$OWN_B" || fail "DNAT rule"
# The neighbour resolved: a packet queued for it is cloned for the probe
# (neigh_probe()), and the clone freed at consume_skb.
ip netns exec "$NS_A" ping -c 1 -W 2 "$OWN_B" >/dev/null || fail "ping $OWN_B"
FILTER="icmp[icmptype] = icmp-echo and dst host $VIP"
# Scoped to $NS_B, where the requests arrive and are rewritten: before
# tcpdump sets its filter every packet is accepted, and followed, and
# the machine's other traffic would leave entries not yet freed when the
# capture ends (the count of entries forgotten is checked exactly).
SCOPE=,netns=$NS_B
TAPS=bpf:tracepoint:net:netif_receive_skb+tracepoint:skb:consume_skb$SCOPE

# capture NAME DEVICE [tcpdump options]: reads until the traffic is over.
capture() {
	local name=$1 dev=$2
	shift 2
	start_tcpdump "$name" -i "$dev" -U -w "$TMP/$name.pcap" "$@" "$FILTER"
}
traffic() {
	ip netns exec "$NS_A" ping -c 5 -i 0.2 -W 2 "$VIP" >/dev/null ||
	    fail "ping $VIP through the DNAT rule"
	sleep 1
}
stop() {
	local name
	for name in "$@"; do
		eval "kill -INT \$PID_$name"
		wait_tcpdump "$name"
	done
}
# rows NAME DST: the capture's echo requests to DST.
rows() {
	packets_in "$TMP/$1.pcap" "icmp[icmptype] = icmp-echo and dst host $2"
}
expect_rows() {
	local got
	got=$(rows "$1" "$2")
	echo "$1: $got requests to $2"
	[ "$got" = "$3" ] || fail "$1: $3 echo requests to $2 expected, $got seen"
}

capture plain "$TAPS"
PCAP_BPF_DEBUG=1 capture tracked "$TAPS,track"
PCAP_BPF_FILTER=interpret PCAP_BPF_DEBUG=1 capture interpreted "$TAPS,track"
PCAP_BPF_DEBUG=1 capture hidden "bpf:tracepoint:net:netif_receive_skb$SCOPE,track=64"
traffic
stop plain tracked interpreted hidden
expect_rows plain "$VIP" 5
expect_rows plain "$OWN_B" 0
for name in tracked interpreted; do
	expect_rows $name "$VIP" 5
	expect_rows $name "$OWN_B" 5
done
expect_rows hidden "$VIP" 5
expect_rows hidden "$OWN_B" 0
for name in tracked interpreted hidden; do
	line=$(grep "tracking:" "$TMP/$name.err")
	echo "$name: $line"
	# Clones followed by their data count too: at least 5, all forgotten.
	n=$(echo "$line" | sed -n 's/.*tracking: \([0-9]*\) packets followed, \1 forgotten when freed, 0 not$/\1/p')
	[ -n "$n" ] && [ "$n" -ge 5 ] ||
	    fail "$name: not all followed packets forgotten: $(cat "$TMP/$name.err")"
done

# NFLOG: the identity in the prefix, the same at both taps.  libpcap
# filters no IP fields on NFLOG: the capture is unfiltered (every packet
# followed) and the rows of one packet are selected by its identity.
start_tcpdump nflog -i "$TAPS,track" -y NFLOG -U -w "$TMP/nflog.pcap"
traffic
stop nflog
# tap identity destination, of this test's echo requests
rows=$(tshark -r "$TMP/nflog.pcap" -T fields -e nflog.res_id \
    -e nflog.prefix -e ip.dst \
    -Y "icmp.type == 8 && ip.src == $OWN_A" 2>/dev/null |
    sed -n 's/^\([0-9]*\)\t[^\t]* pkt=\([0-9]*\)[^\t]*\t\(.*\)$/\1 \2 \3/p')
echo "nflog rows (tap identity destination):"; echo "$rows" | sed 's/^/  /'
[ "$(echo "$rows" | grep -c "^0 [0-9]* $VIP\$")" = 5 ] ||
    fail "NFLOG: 5 requests to $VIP at tap 0 expected"
[ "$(echo "$rows" | grep -c "^1 [0-9]* $OWN_B\$")" = 5 ] ||
    fail "NFLOG: 5 rewritten requests at tap 1 expected"
for id in $(echo "$rows" | awk '$1 == 0 { print $2 }'); do
	[ "$(echo "$rows" | awk -v id="$id" '$2 == id { print $1 }' | tr '\n' ' ')" = "0 1 " ] ||
	    fail "NFLOG: identity $id is not at tap 0 then tap 1"
done

# Syntax.
for opt in track=0 track=2000000 track=x; do
	out=$(with_lib "$TESTPROGS/tap_activate" "$TAPS,$opt" 2>&1)
	echo "$opt: $(echo "$out" | grep '^error')"
	echo "$out" | grep -q "^error .*track=.*1 to 1048576" ||
	    fail "$opt was not refused with the range: $out"
done
out=$(with_lib "$TESTPROGS/tap_activate" "$TAPS,track,track" 2>&1)
echo "$out" | grep -q "track is given twice" || fail "track twice: $out"
echo "PASS"
