# One packet seen at several taps must not read as retransmissions: the
# recipes of README.bpftrace ("One packet at several taps"), run as
# written.  A TCP connection from $NS_A to $NS_B is captured in $NS_B at
# net:netif_rx and net:netif_receive_skb (every segment passes both) as
# NFLOG, whose resource id says the tap.
#  - read as one capture, tshark's TCP analysis calls every second copy a
#    retransmission or a duplicate ACK (what retis users met);
#  - split per tap (tshark -Y 'nflog.res_id == N' -w -, read again), each
#    tap's segments are analysed alone: no such flag, every segment there;
#  - with tcp.analyze_sequence_numbers off, no flag either, and the rows
#    name their tap (nflog.res_id, nflog.prefix) in path order.
# veth_a's scatter-gather is turned off so that the segments reach the
# tracing taps linear, hence whole (those taps copy the linear part).
. "$(dirname "$0")/lib.sh"
ensure_kernel_fs
command -v tshark >/dev/null || skip "tshark is not installed"
make_veth_pair
add_own_addresses
PORT=$((20000 + $$ % 10000))

# ETHTOOL_SSG 0 through SIOCETHTOOL (no ethtool on every machine).
ip netns exec "$NS_A" python3 -c '
import array, fcntl, socket, struct
v = array.array("B", struct.pack("II", 0x19, 0))
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
fcntl.ioctl(s.fileno(), 0x8946,
    struct.pack("16sP", b"veth_a", v.buffer_info()[0]))' ||
    fail "cannot turn scatter-gather off on veth_a"

DEV=bpf:tracepoint:net:netif_rx+tracepoint:net:netif_receive_skb,netns=$NS_B
start_tcpdump both -i "$DEV" -y NFLOG -U -w "$TMP/both.pcap"
ip netns exec "$NS_B" timeout 20 python3 -c '
import socket, sys
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind((sys.argv[1], int(sys.argv[2])))
s.listen(1)
c, _ = s.accept()
while c.recv(65536):
    pass' "$OWN_B" "$PORT" &
server=$!
sleep 0.5
ip netns exec "$NS_A" python3 -c '
import socket, sys, time
s = socket.create_connection((sys.argv[1], int(sys.argv[2])))
for i in range(5):
    s.send(b"x" * 1000)
    time.sleep(0.05)
s.close()' "$OWN_B" "$PORT" || fail "the TCP connection failed"
wait "$server"
# SYN, ACK, 5 segments, FIN, last ACK: 9 segments, each at both taps.
# (tcpdump compiles no filter for NFLOG: tshark counts.)
segments() {
	tshark -r "$TMP/both.pcap" -Y "tcp.port == $PORT" 2>/dev/null | wc -l
}
all_segments() { [ "$(segments)" -ge 18 ]; }
wait_until "$PID_both" all_segments ||
    fail "the capture did not get 18 segments: $(segments)"
kill -INT "$PID_both"
wait_tcpdump both

flags='tcp.analysis.retransmission || tcp.analysis.fast_retransmission || tcp.analysis.spurious_retransmission || tcp.analysis.duplicate_ack || tcp.analysis.out_of_order'
count() { wc -l | tr -d ' '; }

together=$(tshark -r "$TMP/both.pcap" -Y "tcp.port == $PORT && ($flags)" 2>/dev/null | count)
echo "read as one capture: $together of 18 segments flagged"
[ "$together" -ge 9 ] || fail "the copies at the second tap were not flagged: the test shows nothing"

for tap in 0 1; do
	# The recipe: one tap's packets into a file of their own, read again.
	tshark -r "$TMP/both.pcap" -Y "nflog.res_id == $tap" -w "$TMP/tap$tap.pcap" 2>/dev/null
	seen=$(tshark -r "$TMP/tap$tap.pcap" -Y "tcp.port == $PORT" 2>/dev/null | count)
	flagged=$(tshark -r "$TMP/tap$tap.pcap" -Y "tcp.port == $PORT && ($flags)" 2>/dev/null | count)
	echo "tap $tap alone: $seen segments, $flagged flagged"
	[ "$seen" = 9 ] && [ "$flagged" = 0 ] ||
	    fail "tap $tap alone: $seen segments (9 expected), $flagged flagged (0 expected)"
done
# The same through a pipe.
piped=$(tshark -r "$TMP/both.pcap" -Y 'nflog.res_id == 1' -w - 2>/dev/null |
    tshark -r - -Y "tcp.port == $PORT && ($flags)" 2>/dev/null | count)
[ "$piped" = 0 ] || fail "tap 1 through a pipe: $piped flagged"

off=$(tshark -r "$TMP/both.pcap" -o tcp.analyze_sequence_numbers:FALSE \
    -Y "tcp.port == $PORT && ($flags)" 2>/dev/null | count)
[ "$off" = 0 ] || fail "with the analysis off, $off segments still flagged"
tshark -r "$TMP/both.pcap" -o tcp.analyze_sequence_numbers:FALSE \
    -Y "tcp.port == $PORT" -T fields -e nflog.res_id -e nflog.prefix \
    -e tcp.seq -e tcp.len 2>/dev/null > "$TMP/path.txt"
head -4 "$TMP/path.txt"
[ "$(cut -f1 "$TMP/path.txt" | sort | uniq -c | awk '{ print $1 }' | tr '\n' ' ')" = "9 9 " ] ||
    fail "the rows do not name their tap 9 times each: $(cat "$TMP/path.txt")"
grep -q "^1	net:netif_receive_skb	" "$TMP/path.txt" ||
    fail "the second tap's rows do not name it: $(head -4 "$TMP/path.txt")"
exit 0
