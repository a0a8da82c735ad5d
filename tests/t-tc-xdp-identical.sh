# bpf:tc: and bpf:xdp: on a veth pair against AF_PACKET on the same
# interface: TCP, UDP, ICMP, IPv6, ARP, VLAN and a jumbo frame (MTU 9000)
# come out the same in count, order, bytes (EN10MB) and direction and
# interface (LINUX_SLL2).  The two tc captures run at once on one tap, so
# this also shows that two captures of a tap both see every packet.
. "$(dirname "$0")/lib.sh"
ensure_kernel_fs
make_veth_pair
ip -n "$NS_A" link set dev veth_a mtu 9000
ip -n "$NS_B" link set dev veth_b mtu 9000
ip -n "$NS_A" addr add fd00::1/64 dev veth_a nodad
ip -n "$NS_B" addr add fd00::2/64 dev veth_b nodad
MAC_B=$(ip -n "$NS_B" -o link show veth_b | sed 's/.*link\/ether \([0-9a-f:]*\).*/\1/')
# B knows A for good: its kernel would otherwise confirm the entry with an
# ARP request of its own seconds later, whenever that falls (also just as
# one capture has stopped and its twin not yet).  A's ARP is in the
# traffic (it flushes its entry each time).
ip -n "$NS_B" neigh replace 198.18.0.1 lladdr "$MAC_A" dev veth_b nud permanent
sleep 2	# let the interfaces' own announcements pass
# Neither the interfaces' multicast announcements nor IPv6 neighbour
# discovery (solicitations and advertisements, which the kernel sends
# again on its own schedule, also just as a capture stops): the pings
# show IPv6.
filter='not ip6 multicast and not (icmp6 and (ip6[40] == 135 or ip6[40] == 136))'

# Two 802.1Q frames (VLAN 10, a UDP datagram inside) from A to B, through a
# packet socket: the host kernel may have no VLAN devices.  B's kernel
# moves the tag out of the frame on receive, as network cards do.
send_vlan_frames='
import socket, struct, sys
dev, src, dst = sys.argv[1], sys.argv[2], sys.argv[3]
mac = lambda m: bytes(int(x, 16) for x in m.split(":"))
udp = struct.pack("!HHHH", 4000, 4001, 12, 0) + b"vlan"
ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(udp), 1, 0, 64, 17, 0,
    bytes([198, 18, 10, 1]), bytes([198, 18, 10, 2]))
frame = mac(dst) + mac(src) + struct.pack("!HHH", 0x8100, 10, 0x0800) + ip + udp
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
s.bind((dev, 0))
for i in range(2):
    s.send(frame)
'

traffic() {
	local a="ip netns exec $NS_A"
	$a ip neigh flush dev veth_a			# ARP
	$a ping -c 2 -i 0.2 198.18.0.2 >/dev/null	# ICMP
	$a ping -c 2 -i 0.2 -s 8972 198.18.0.2 >/dev/null	# 9000-byte IP packets
	$a ping -6 -c 2 -i 0.2 fd00::2 >/dev/null	# IPv6
	$a python3 -c "$send_vlan_frames" veth_a "$MAC_A" "$MAC_B"	# VLAN 10
	$a timeout 3 bash -c 'echo x > /dev/udp/198.18.0.2/9' 2>/dev/null	# UDP
	$a timeout 3 bash -c 'exec 3<>/dev/tcp/198.18.0.2/7' 2>/dev/null	# TCP
	sleep 1
}

# capture NAME DEVICE LINKTYPE [tcpdump options]: in B's namespace.
capture() {
	local name=$1 dev=$2 dlt=$3
	shift 3
	ip netns exec "$NS_B" env LD_LIBRARY_PATH="$LIBDIR" timeout $((WAIT_BOUND * 3)) \
	    /usr/bin/tcpdump -ni "$dev" -y "$dlt" -s 0 -U -w "$TMP/$name.pcap" "$@" \
	    "$filter" 2> "$TMP/$name.err" &
	eval "PID_$name=$!"
	on_exit "kill $! 2>/dev/null"
}

# same_counts NAME TWIN...: each capture file holds as many packets as
# its AF_PACKET twin.  The captures are stopped once they do (at most
# $WAIT_BOUND s): a capture stopped with packets unread would differ only
# because the machine was busy.
same_counts() {
	while [ $# -gt 1 ]; do
		[ "$(packets_in "$TMP/$1.pcap")" -eq "$(packets_in "$TMP/$2.pcap")" ] || return 1
		shift 2
	done
}

stop_all() {
	local name pid
	for name in "$@"; do
		eval "pid=\$PID_$name"
		kill -INT "$pid" 2>/dev/null
	done
	for name in "$@"; do
		eval "pid=\$PID_$name"
		wait "$pid" 2>/dev/null
	done
}

compare() {
	local ours=$1 theirs=$2 what=$3
	hex_packets "$TMP/$ours.pcap" > "$TMP/$ours.txt"
	hex_packets "$TMP/$theirs.pcap" > "$TMP/$theirs.txt"
	n=$(wc -l < "$TMP/$theirs.txt")
	echo "$what: $(wc -l < "$TMP/$ours.txt") packets at the tap, $n at AF_PACKET"
	[ "$n" -ge 8 ] || fail "$what: only $n packets at AF_PACKET; the traffic did not run"
	if ! cmp -s "$TMP/$ours.txt" "$TMP/$theirs.txt"; then
		tcpdump -r "$TMP/$ours.pcap" -nn -t -e 2>/dev/null > "$TMP/$ours.e"
		tcpdump -r "$TMP/$theirs.pcap" -nn -t -e 2>/dev/null > "$TMP/$theirs.e"
		diff "$TMP/$ours.e" "$TMP/$theirs.e" | head -20
		fail "$what: the tap's packets differ from AF_PACKET's"
	fi
}

# tc, both hooks: everything, and each direction alone (AF_PACKET's
# LINUX_SLL2 is not offered on veth in libpcap 1.10, so direction is
# compared through -Q).  Three captures of one tap run at once.
capture tc_all bpf:tc:veth_b EN10MB
capture tc_in bpf:tc:veth_b EN10MB -Q in
capture tc_out bpf:tc:veth_b EN10MB -Q out
capture tc_sll bpf:tc:veth_b LINUX_SLL2
capture af_all veth_b EN10MB
capture af_in veth_b EN10MB -Q in
capture af_out veth_b EN10MB -Q out
for n in tc_all tc_in tc_out tc_sll af_all af_in af_out; do
	wait_for_text "$TMP/$n.err" "listening on"
done
traffic
wait_until $PID_tc_all same_counts tc_all af_all tc_in af_in tc_out af_out tc_sll af_all
stop_all tc_all tc_in tc_out tc_sll af_all af_in af_out
compare tc_all af_all "tc, both directions"
compare tc_in af_in "tc, received"
compare tc_out af_out "tc, sent"
tcpdump -r "$TMP/tc_all.pcap" -nn 2>/dev/null | grep -q "198.18.10.1.4000 > 198.18.10.2.4001" ||
    fail "tc: no VLAN frame"
tcpdump -r "$TMP/tc_all.pcap" -nn -e 2>/dev/null | grep -q "802.1Q (0x8100), length 50: vlan 10" ||
    fail "tc: the VLAN tag was not put back"
tcpdump -r "$TMP/tc_all.pcap" -nn -e 2>/dev/null | grep -q "length 9014" || fail "tc: no whole jumbo frame"
# SLL2: every packet on veth_b's index, received ones In, sent ones Out.
fields=$(tshark -r "$TMP/tc_sll.pcap" -T fields -e sll.ifindex -e sll.pkttype 2>/dev/null | sort | uniq -c)
echo "tc LINUX_SLL2 (count, ifindex, packet type): $fields"
echo "$fields" | awk -v i="$IFINDEX_B" '$2 != i { bad = 1 } END { exit bad }' ||
    fail "tc LINUX_SLL2: packets not on ifindex $IFINDEX_B"
[ "$(echo "$fields" | awk '$3 == 4 { print $1 }')" = "$(wc -l < "$TMP/af_out.txt")" ] ||
    fail "tc LINUX_SLL2: outgoing count differs from AF_PACKET's"

# XDP: received frames only.
capture xdp bpf:xdp:veth_b EN10MB
capture xdp_af veth_b EN10MB -Q in
for n in xdp xdp_af; do wait_for_text "$TMP/$n.err" "listening on"; done
traffic
wait_until $PID_xdp same_counts xdp xdp_af
stop_all xdp xdp_af
compare xdp xdp_af "xdp"
tcpdump -r "$TMP/xdp.pcap" -nn -e 2>/dev/null | grep -q "length 9014" || fail "xdp: no whole jumbo frame"
exit 0
