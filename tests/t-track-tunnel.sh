# Tracking (,track; bpf/packet_track.h) through a tunnel: an echo request
# that matched the filter where it enters the tunnel is captured again
# once encapsulated, although the filter names only the inner flow.
#  - A VXLAN tunnel between $NS_A and $NS_B over their veth pair (outer
#    addresses $OWN_A and $OWN_B), inner addresses $IN_A and $IN_B.
#    The capture joins net:net_dev_queue and net:netif_receive_skb, the
#    filter naming $IN_B: each echo request is seen at net_dev_queue on
#    vxlan_a (inner), net_dev_queue on veth_a (encapsulated),
#    netif_receive_skb on veth_b (encapsulated) and on vxlan_b (inner
#    again), each reply the same way back.  VXLAN's transmit pushes the
#    outer headers onto the same skb (vxlan_build_skb(): skb_cow_head()
#    reallocates the head at most, the skb stays) and its receive pulls
#    them off it (vxlan_rcv(), gro_cells_receive()), so tracking by the
#    skb's address follows it both ways.
#    Without tracking: 2 inner rows a request, 2 a reply; with it, 2 more
#    encapsulated ones each; with the compiled filter and the interpreter.
#  - The entries made are forgotten where the packets are freed.
#  - NFLOG (unfiltered: libpcap filters no IP fields there): each inner
#    request's identity (prefix "pkt=ID") is the identity of its
#    encapsulated rows, in the order inner, outer at tap 0 then outer,
#    inner at tap 1; without tracking the prefix names no identity.
# The captures are stopped once they hold what they must (bounded waits),
# then counted exactly.
. "$(dirname "$0")/lib.sh"
ensure_kernel_fs
command -v tshark >/dev/null || skip "tshark is not installed"
make_veth_pair
add_own_addresses
# Inner addresses of this test's (a /30 of 198.18.128.0/17 from its pid):
# the filter names them, and no other test uses them.
base=$(( ($$ % 8192) * 4 ))
IN_A=198.18.$((128 + base / 256)).$((base % 256 + 1))
IN_B=198.18.$((128 + base / 256)).$((base % 256 + 2))
VNI=$(( $$ % 16000000 + 1 ))
ip -n "$NS_A" link add vxlan_a type vxlan id "$VNI" dstport 4789 \
    local "$OWN_A" remote "$OWN_B" dev veth_a 2>/dev/null ||
    skip "the kernel makes no VXLAN devices"
ip -n "$NS_B" link add vxlan_b type vxlan id "$VNI" dstport 4789 \
    local "$OWN_B" remote "$OWN_A" dev veth_b || fail "vxlan_b"
ip -n "$NS_A" addr add "$IN_A/30" dev vxlan_a
ip -n "$NS_B" addr add "$IN_B/30" dev vxlan_b
ip -n "$NS_A" link set vxlan_a up
ip -n "$NS_B" link set vxlan_b up
# Neighbours resolved, outer and inner, before any capture.
ip netns exec "$NS_A" ping -c 1 -W 5 "$IN_B" >/dev/null ||
    fail "ping $IN_B through the tunnel"

N=5
FILTER="icmp and host $IN_B"
TAPS=bpf:tracepoint:net:net_dev_queue+tracepoint:net:netif_receive_skb

capture() {
	local name=$1 dev=$2
	shift 2
	start_tcpdump "$name" -i "$dev" -U -w "$TMP/$name.pcap" "$@"
}
traffic() {
	ip netns exec "$NS_A" ping -c $N -i 0.2 -W 5 "$IN_B" >/dev/null ||
	    fail "ping $IN_B through the tunnel"
}
# stop NAME COUNT: once the capture holds COUNT packets (a packet queued
# but not yet read is lost to SIGINT), and a moment for any packet too
# many to arrive.
stop() {
	wait_for_packets "$TMP/$1.pcap" "$2" ||
	    echo "$1: fewer than $2 packets after $WAIT_BOUND s"
	interrupt "$1"
}
interrupt() {
	sleep 0.5
	eval "kill -INT \$PID_$1"
	wait_tcpdump "$1"
}
# rows NAME: one line a packet, "ip.src ip.dst icmp.type" (an
# encapsulated packet's addresses are outer,inner).
rows() {
	tshark -r "$TMP/$1.pcap" -T fields -e ip.src -e ip.dst -e icmp.type \
	    2>/dev/null | tr '\t' ' '
}
expect() {
	local name=$1 what=$2 want=$3 line=$4 got
	got=$(rows "$name" | grep -cx "$line")
	echo "$name: $got $what"
	[ "$got" = "$want" ] || fail "$name: $want $what expected, $got seen"
}
expect_capture() {
	local name=$1 outer=$2 total
	expect "$name" "inner requests" $((2 * N)) "$IN_A $IN_B 8"
	expect "$name" "inner replies" $((2 * N)) "$IN_B $IN_A 0"
	expect "$name" "encapsulated requests" $((outer * N)) \
	    "$OWN_A,$IN_A $OWN_B,$IN_B 8"
	expect "$name" "encapsulated replies" $((outer * N)) \
	    "$OWN_B,$IN_B $OWN_A,$IN_A 0"
	total=$(rows "$name" | wc -l)
	[ "$total" = $(((4 + 2 * outer) * N)) ] ||
	    fail "$name: $total rows, other packets than these: $(rows "$name")"
}

capture plain "$TAPS" "$FILTER"
PCAP_BPF_DEBUG=1 capture tracked "$TAPS,track" "$FILTER"
PCAP_BPF_FILTER=interpret PCAP_BPF_DEBUG=1 \
    capture interpreted "$TAPS,track" "$FILTER"
traffic
stop plain $((4 * N))
stop tracked $((8 * N))
stop interpreted $((8 * N))
expect_capture plain 0
expect_capture tracked 2
expect_capture interpreted 2
for name in tracked interpreted; do
	line=$(grep "tracking:" "$TMP/$name.err")
	echo "$name: $line"
	# The requests and the replies, each followed once and forgotten at
	# its free.  Between the activation and tcpdump's pcap_setfilter()
	# there is no filter and every packet is followed: on a busy host
	# some of those (other tests' packets) may still be in flight at the
	# close, so only the 2N are required forgotten.
	followed=$(echo "$line" | sed -n 's/.*tracking: \([0-9]*\) packets followed, [0-9]* forgotten when freed.*/\1/p')
	forgotten=$(echo "$line" | sed -n 's/.*tracking: [0-9]* packets followed, \([0-9]*\) forgotten when freed.*/\1/p')
	[ -n "$followed" ] && [ "$followed" -ge $((2 * N)) ] &&
	    [ "$forgotten" -ge $((2 * N)) ] ||
	    fail "$name: the requests and replies not all followed and forgotten: $(cat "$TMP/$name.err")"
done

# NFLOG: the identities.  Unfiltered, so everything the host sends and
# receives is followed meanwhile; the rows of this test's requests are
# selected by their addresses, then by identity.
capture nflog "$TAPS,track" -y NFLOG
capture nflog_plain "$TAPS" -y NFLOG
traffic
REQ="icmp.type == 8 && ip.dst == $IN_B"
# The requests' rows: tap identity kind (inner, outer).
nflog_rows() {
	tshark -r "$TMP/$1.pcap" -T fields -e nflog.res_id -e nflog.prefix \
	    -e ip.src -Y "$REQ" 2>/dev/null |
	    awk -F '\t' '{
		id = "-"
		if (match($2, / pkt=[0-9]+/))
			id = substr($2, RSTART + 5, RLENGTH - 5)
		print $1, id, (index($3, ",") ? "outer" : "inner")
	    }'
}
# nflog_holds NAME: whether the capture holds the requests' 4N rows
# (libpcap cannot filter NFLOG files: counted by tshark).
nflog_holds() {
	[ "$(nflog_rows "$1" | wc -l)" -ge $((4 * N)) ]
}
for name in nflog nflog_plain; do
	eval "wait_until \$PID_$name nflog_holds $name" ||
	    echo "$name: fewer than $((4 * N)) request rows after $WAIT_BOUND s"
	interrupt $name
done
rows=$(nflog_rows nflog)
echo "nflog rows (tap identity kind):"; echo "$rows" | sed 's/^/  /'
[ "$(echo "$rows" | grep -c '^0 [0-9]* inner$')" = $N ] ||
    fail "NFLOG: $N inner requests with an identity at tap 0 expected"
[ "$(echo "$rows" | wc -l)" = $((4 * N)) ] ||
    fail "NFLOG: $((4 * N)) rows of the requests expected"
for id in $(echo "$rows" | awk '$1 == 0 && $3 == "inner" { print $2 }'); do
	path=$(echo "$rows" | awk -v id="$id" '$2 == id { print $1 "-" $3 }' |
	    tr '\n' ' ')
	echo "identity $id: $path"
	[ "$path" = "0-inner 0-outer 1-outer 1-inner " ] ||
	    fail "NFLOG: identity $id is not inner, encapsulated at tap 0, then encapsulated, inner at tap 1"
done
rows=$(nflog_rows nflog_plain)
[ "$(echo "$rows" | grep -c '^[01] - \(inner\|outer\)$')" = $((4 * N)) ] ||
    fail "NFLOG without tracking: $((4 * N)) request rows without identity expected: $rows"
echo "PASS"
