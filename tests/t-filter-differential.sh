#!/bin/bash
# The in-kernel filter accepts exactly what libpcap's interpreter accepts,
# packet for packet, for 250+ expressions (tests/filters/expressions.txt)
# over real captures: those shipped with Debian's tcpdump source, and a
# capture of many protocols' traffic made here by the system's tcpdump on
# AF_PACKET.  The frames run through the loaded probe itself
# (BPF_PROG_TEST_RUN) at a tc tap and an XDP tap, with the full snap
# length and with a short one (loads beyond the captured bytes).  Every
# program runs compiled (bpftrace-filter-compile.c, tail-called by the
# probe; each pcap_setfilter() swaps it in), but for libpcap's backward
# jumps ('protochain'), which the compiler refuses; the same test at the
# XDP tap is t-filter-differential-xdp, with the interpreter
# t-filter-differential-interpreted.
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
# The compiled filter by default; FILTER_DIFF_MODE=interpreted (the test
# t-filter-differential-interpreted) the probe's interpreter, for the same
# verdicts.
# Each test file stays well inside the runner's 300 s on a loaded machine:
# this one runs the tc tap with the full snap length,
# t-filter-differential-short-snap the tc tap with a short one,
# t-filter-differential-xdp the XDP tap with both, and
# t-filter-differential-interpreted both taps with half the frames.
mode=${FILTER_DIFF_MODE:-compiled}
taps=${FILTER_DIFF_TAPS:-tc}
snaps=${FILTER_DIFF_SNAPS:-full}
per_capture=${FILTER_DIFF_FRAMES:-40}
where=""
[ "$mode" = interpreted ] && where=interpret
for args in $(for tap in $taps; do for snap in $snaps; do
	[ "$snap" = full ] && echo "bpf:$tap:idle0" || echo "-s_${snap}_bpf:$tap:idle0"
    done; done); do
	args=${args//_/ }
	ip netns exec "$NS_B" env PCAP_BPF_DEBUG=1 PCAP_BPF_FILTER=$where \
	    "$TESTPROGS/filter_diff" -n 4000 -p "$per_capture" $args \
	    "$expressions" "$TMP/generated.pcap" "$captures"/*.pcap \
	    > "$TMP/diff.out" 2>&1
	status=$?
	compiled=$(grep -c "filter compiled in 1 of 1 taps" "$TMP/diff.out")
	refused=$(grep "filter compiled in 0 of 1 taps" "$TMP/diff.out" | grep -vc "jumps backwards")
	echo "$args ($mode): $(grep "verdicts compared" "$TMP/diff.out"); $compiled programs compiled"
	[ $status -eq 0 ] || { grep -v "filter compiled in\|passed,.*rejected" "$TMP/diff.out"; fail "$args: the in-kernel filter and libpcap disagree"; }
	if [ "$mode" = compiled ]; then
		[ "$compiled" -gt 0 ] || fail "$args: no program was compiled"
		[ "$refused" -eq 0 ] || fail "$args: $refused programs not compiled: $(grep "compiled in 0" "$TMP/diff.out" | grep -v "jumps backwards" | head -3)"
	else
		[ "$compiled" -eq 0 ] || fail "$args: PCAP_BPF_FILTER=interpret, yet $compiled programs compiled"
	fi
done
exit 0
