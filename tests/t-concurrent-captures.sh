# Sixteen captures at once: 8 on one tc tap and 8 on one tracepoint, each
# with its own filter and snap length, over traffic this test sends (a
# known number of UDP datagrams per capture, of a size per capture).
# Each capture gets exactly its packets, each cut at its snap length, and
# its pcap_stats balance: ps_recv (packets that passed its filter) =
# delivered + ps_drop, with nothing dropped, counted from the moment its
# filter is in place (capture_tally's window: what the probe accepted
# before pcap_setfilter() counts in ps_recv and is then filtered out in
# user space; the whole-run figures are printed too).
# The tracepoint is kernel-wide and other tests may run meanwhile: every
# filter names this test's addresses, ports and a random payload marker.
. "$(dirname "$0")/lib.sh"
ensure_kernel_fs
NS_A=${NS_PREFIX}a
NS_B=${NS_PREFIX}b
net=$(( $$ % 250 + 1 ))
ADDR_A=198.19.$net.1
ADDR_B=198.19.$net.2
add_namespace "$NS_A"
add_namespace "$NS_B"
link_namespaces "$NS_A" veth_a $ADDR_A/24 "$NS_B" veth_b $ADDR_B/24
ip netns exec "$NS_A" ping -c 1 -W 5 $ADDR_B >/dev/null 2>&1 ||
    fail "no ping through the test's veth pair"
MARKER=$(od -An -N4 -tx4 /dev/urandom | tr -d ' ')
STOP=$TMP/traffic-sent

snaplens=(0 64 96 128 200 256 512 1000 262144)
# filter_for K PORT: a different expression per capture, each naming the
# test's hosts, the capture's port and the marker.
filter_for() {
	local mark="udp[8:4] = 0x$MARKER" h="src host $ADDR_A and dst host $ADDR_B"
	case $1 in
	1) echo "$h and udp dst port $2 and $mark" ;;
	2) echo "$h and dst port $2 and $mark and not tcp" ;;
	3) echo "ip and $h and udp[2:2] = $2 and $mark" ;;
	4) echo "$h and udp dst portrange $2-$2 and $mark" ;;
	5) echo "$h and (udp dst port $2 or udp dst port 7) and $mark" ;;
	6) echo "$h and udp dst port $2 and greater 100 and $mark" ;;
	7) echo "udp and $h and not udp dst port 9 and dst port $2 and $mark" ;;
	8) echo "$h and ip proto 17 and udp dst port $2 and $mark" ;;
	esac
}
# Datagrams per capture, and their payload size (marker included).
tc_count() { echo $((2 * $1 + 1)); }
tp_count() { echo $((3 * $1)); }
size_for() { echo $((60 * $1 + 4)); }

# start_capture NAME NETNS DEVICE K PORT COUNT
start_capture() {
	ip netns exec "$2" env LD_LIBRARY_PATH="$LIBDIR" timeout 300 \
	    "$TESTPROGS/capture_tally" -i "$3" -s "${snaplens[$4]}" -c "$6" \
	    -e "$STOP" -t 180000 "$(filter_for "$4" "$5")" \
	    > "$TMP/$1.out" 2>&1 &
	on_exit "kill $! 2>/dev/null"
	eval "PID_$1=$!"
}
plan=""
for k in 1 2 3 4 5 6 7 8; do
	start_capture tc$k "$NS_B" bpf:tc:veth_b $k $((40000 + k)) "$(tc_count $k)"
	start_capture tp$k "$NS_B" bpf:tracepoint:net:netif_receive_skb $k \
	    $((40100 + k)) "$(tp_count $k)"
	plan="$plan $((40000 + k)):$(tc_count $k):$(size_for $k)"
	plan="$plan $((40100 + k)):$(tp_count $k):$(size_for $k)"
done
for k in 1 2 3 4 5 6 7 8; do
	for tap in tc tp; do
		WAIT_BOUND=120 wait_for_text "$TMP/$tap$k.out" ready
	done
done
echo "16 captures ready; marker $MARKER; sending:$plan"

# The datagrams, interleaved across the captures' ports.
ip netns exec "$NS_A" timeout 120 python3 -c '
import socket, sys, time
dst, marker = sys.argv[1], bytes.fromhex(sys.argv[2])
plan = [tuple(map(int, p.split(":"))) for p in sys.argv[3:]]
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
for r in range(max(c for _, c, _ in plan)):
    for port, count, size in plan:
        if r < count:
            s.sendto(marker + b"x" * (size - 4), (dst, port))
    time.sleep(0.005)
' $ADDR_B "$MARKER" $plan || fail "sending the datagrams"
touch "$STOP"

bad=""
for k in 1 2 3 4 5 6 7 8; do
	for tap in tc tp; do
		eval "pid=\$PID_$tap$k"
		wait "$pid" || { cat "$TMP/$tap$k.out"; fail "capture $tap$k failed"; }
		[ $tap = tc ] && want=$(tc_count $k) || want=$(tp_count $k)
		line=$(grep '^delivered' "$TMP/$tap$k.out")
		window=$(grep '^window' "$TMP/$tap$k.out")
		echo "$tap$k (snaplen ${snaplens[$k]}, $want sent): $line; $window"
		set -- $line $window
		# delivered D own O caplen_ok C recv R drop X ifdrop I
		# window: delivered WD recv WR drop WX
		[ "$2" -eq "$want" ] && [ "$4" -eq "$want" ] && [ "$6" -eq "$want" ] &&
		    [ "${15}" -eq "$want" ] && [ "${17}" -eq "$want" ] &&
		    [ "${19}" -eq 0 ] || bad="$bad $tap$k"
	done
done
[ -z "$bad" ] || fail "captures without exactly their packets, snap lengths or balanced counts:$bad"
exit 0
