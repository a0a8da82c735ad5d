# bpf:xdp:IF attaches in generic mode unless :native is asked for (a
# native attach makes many drivers rebuild their rings): the interface
# shows xdpgeneric while the default capture runs and xdp (the driver's,
# veth has one) with :native, both capture every echo request, and
# PCAP_BPF_DEBUG says the mode.  In generic mode the probe sees a TSO
# stream's large packets whole, byte for byte as tc ingress sees them at
# the same time (a frags-aware generic program made tc programs after it
# read frames from their network header on Linux 6.18: tc saw nothing).
. "$(dirname "$0")/lib.sh"
ensure_kernel_fs
make_veth_pair
filter='icmp[icmptype] = icmp-echo and src host 198.18.0.1'

for mode in default generic native; do
	suffix=:$mode
	[ $mode = default ] && suffix=
	PCAP_BPF_DEBUG=1 IN_NS=$NS_B start_tcpdump $mode -ni "bpf:xdp:veth_b$suffix" -U \
	    -w "$TMP/$mode.pcap" "$filter"
	shown=$(ip -n "$NS_B" -d link show veth_b | grep -o 'xdp[a-z]*' | head -1)
	ip netns exec "$NS_A" ping -c 3 -i 0.2 198.18.0.2 > /dev/null ||
	    fail "$mode: traffic stopped"
	wait_for_packets "$TMP/$mode.pcap" 3
	kill -INT "$(eval echo \$PID_$mode)"
	wait_tcpdump $mode
	said=$(grep -o "attached: xdp, [a-z]* mode" "$TMP/$mode.err")
	n=$(packets_in "$TMP/$mode.pcap")
	echo "$mode: ip link shows '$shown', PCAP_BPF_DEBUG '$said', $n of 3 echo requests"
	want=generic
	[ $mode = native ] && want=native
	[ "$said" = "attached: xdp, $want mode" ] ||
	    fail "$mode: PCAP_BPF_DEBUG said '$said': $(cat "$TMP/$mode.err")"
	if [ $want = native ]; then
		[ "$shown" = xdp ] || fail "$mode: the interface shows '$shown', not xdp (native)"
	else
		[ "$shown" = xdpgeneric ] || fail "$mode: the interface shows '$shown', not xdpgeneric"
	fi
	[ "$n" -eq 3 ] || fail "$mode: $n of 3 echo requests captured"
	ip -n "$NS_B" -d link show veth_b | grep -q 'xdp' &&
	    fail "$mode: an XDP program stays after the capture"
done

# Whole packets in generic mode: a stream with TSO on (veth passes the
# large packets through), 64 KiB writes.
add_own_addresses
stream_filter="tcp and src host $OWN_A and dst host $OWN_B"
IN_NS=$NS_B start_tcpdump xdp -ni bpf:xdp:veth_b -s 0 -B 32768 -U -w "$TMP/xdp.pcap" "$stream_filter"
IN_NS=$NS_B start_tcpdump tc -ni bpf:tc:veth_b:ingress -y EN10MB -s 0 -B 32768 -U -w "$TMP/tc.pcap" "$stream_filter"
ip netns exec "$NS_B" timeout 25 python3 -c '
import socket, sys
l = socket.socket()
l.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
l.bind((sys.argv[1], 5001)); l.listen(1); l.settimeout(20)
c, _ = l.accept(); c.settimeout(20)
while c.recv(1 << 20):
    pass
' "$OWN_B" &
sink=$!
sleep 0.5
ip netns exec "$NS_A" timeout 25 python3 -c '
import socket, sys
s = socket.create_connection((sys.argv[1], 5001), timeout=20)
chunk = bytes(range(256)) * 256
for i in range(16):
    s.sendall(chunk)
s.close()
' "$OWN_B" || fail "the TCP stream did not complete"
wait $sink
sleep 1
kill -INT $PID_xdp $PID_tc
wait_tcpdump xdp
wait_tcpdump tc
grep -q "^0 packets dropped by kernel" "$TMP/xdp.err" &&
    grep -q "^0 packets dropped by kernel" "$TMP/tc.err" || fail "packets dropped"
hex_packets "$TMP/xdp.pcap" > "$TMP/xdp.hex"
hex_packets "$TMP/tc.pcap" > "$TMP/tc.hex"
large=$(packets_in "$TMP/xdp.pcap" greater 1515)
echo "stream: xdp (generic) $(wc -l < "$TMP/xdp.hex") packets, $large above 1514 bytes; tc ingress $(wc -l < "$TMP/tc.hex")"
cmp -s "$TMP/xdp.hex" "$TMP/tc.hex" || fail "generic XDP and tc ingress saw different packets"
exit 0
