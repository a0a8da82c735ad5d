#!/bin/bash
# The in-kernel filter accepts exactly what libpcap's interpreter accepts,
# packet for packet, for 250+ expressions (tests/filters/expressions.txt)
# over real captures: those shipped with Debian's tcpdump source, and a
# capture of many protocols' traffic made here by the system's tcpdump on
# AF_PACKET.  The frames run through the loaded probe itself
# (BPF_PROG_TEST_RUN) at a tc tap and an XDP tap, with the full snap
# length and with a short one (loads beyond the captured bytes).
. "$(dirname "$0")/lib.sh"
ensure_kernel_fs

captures=$BUILD/tcpdump-captures
"$TOP/scripts/fetch-tcpdump-captures.sh" "$captures" ||
    fail "could not fetch tcpdump's test captures"

# Traffic of many kinds over a veth pair, captured by AF_PACKET.
make_veth_pair
# VLAN traffic too where the kernel has 802.1Q (tcpdump's captures have
# tagged frames anyway).
if ip -n "$NS_A" link add link veth_a name vlan100 type vlan id 100 2>/dev/null &&
    ip -n "$NS_B" link add link veth_b name vlan100 type vlan id 100 2>/dev/null; then
	ip -n "$NS_A" addr add 198.18.100.1/24 dev vlan100
	ip -n "$NS_B" addr add 198.18.100.2/24 dev vlan100
	ip -n "$NS_A" link set vlan100 up
	ip -n "$NS_B" link set vlan100 up
fi
ip -n "$NS_A" addr add 2001:db8::1/64 dev veth_a nodad
ip -n "$NS_B" addr add 2001:db8::2/64 dev veth_b nodad
ip netns exec "$NS_B" timeout $((WAIT_BOUND * 2)) tcpdump -ni veth_b -s 0 -w "$TMP/generated.pcap" \
    2> "$TMP/generated.err" &
on_exit "kill $! 2>/dev/null"
tcpdump_pid=$!
wait_for_text "$TMP/generated.err" "listening on"
# One listener, so that a whole TCP conversation is in the capture.
ip netns exec "$NS_B" timeout $WAIT_BOUND python3 -c '
import socket
s = socket.socket(socket.AF_INET6)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("::", 80)); s.listen(4)
for _ in range(2):
    c, _ = s.accept(); c.recv(100); c.sendall(b"HTTP/1.0 200 OK\r\n\r\n"); c.close()
' >/dev/null 2>&1 &
listener=$!
on_exit "kill $listener 2>/dev/null"
listening() { ip netns exec "$NS_B" ss -Hltn "sport = :80" | grep -q .; }
wait_until $listener listening
ip netns exec "$NS_A" bash -c '
	ping -c 2 -i 0.2 -W 1 198.18.0.2
	ping -c 2 -i 0.2 -s 1400 -W 1 198.18.0.2
	ping -c 2 -i 0.2 -s 3000 -W 1 198.18.0.2
	ping -c 2 -i 0.2 -W 1 198.18.100.2
	ping -6 -c 2 -i 0.2 -W 1 2001:db8::2
	ping -c 1 -t 1 -W 1 198.18.0.2
	for port in 22 80 443 2000 6666 6005; do
		timeout 1 bash -c "echo GET / > /dev/tcp/198.18.0.2/$port"
		timeout 1 bash -c "echo GET / > /dev/tcp/2001:db8::2/$port"
	done
	for port in 53 123 161 514 33434; do
		echo probe > /dev/udp/198.18.0.2/$port
		echo probe > /dev/udp/2001:db8::2/$port
		echo probe > /dev/udp/198.18.100.2/$port
	done
	ping -c 1 -W 1 -b 198.18.0.255
' > /dev/null 2>&1
sleep 0.5
kill -INT $tcpdump_pid
wait $tcpdump_pid 2>/dev/null
generated=$(tcpdump -r "$TMP/generated.pcap" 2>/dev/null | wc -l)
echo "generated capture: $generated packets"
[ "$generated" -ge 40 ] || fail "only $generated packets of generated traffic captured"

# The taps under test sit on an interface that carries no traffic.
ip -n "$NS_B" link add idle0 type veth peer name idle1
expressions=$TOP/tests/filters/expressions.txt
for args in "bpf:tc:idle0" "-s 96 bpf:tc:idle0" "bpf:xdp:idle0" "-s 96 bpf:xdp:idle0"; do
	ip netns exec "$NS_B" "$TESTPROGS/filter_diff" -n 4000 -p 40 $args \
	    "$expressions" "$TMP/generated.pcap" "$captures"/*.pcap \
	    > "$TMP/diff.out" 2>&1
	status=$?
	echo "$args: $(tail -1 "$TMP/diff.out")"
	[ $status -eq 0 ] || { cat "$TMP/diff.out"; fail "$args: the in-kernel filter and libpcap disagree"; }
done
exit 0
