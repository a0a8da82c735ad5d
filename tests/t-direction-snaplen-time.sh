# -Q in/out, -s (with the true length kept), and micro- and nanosecond
# timestamps in real time, through the unchanged tcpdump.
. "$(dirname "$0")/lib.sh"
ensure_kernel_fs
make_veth_pair
# The tracepoints see every namespace's packets (other tests ping from
# 198.18.0.1 too): the filter names addresses of this test's own.
add_own_addresses
ping_a() { ip netns exec "$NS_A" ping -c 4 -i 0.2 -s 1000 "$OWN_B" >/dev/null; }
filter="icmp[icmptype] = icmp-echo and src host $OWN_A"

# The kfree_skb / consume_skb taps see both directions; net_dev_queue is
# a transmit path, so -Q in sees nothing there and -Q out everything.
start_tcpdump qout -ni bpf:tracepoint:net:net_dev_queue -Q out -c 2 -w "$TMP/out.pcap" "$filter"
start_tcpdump qin -ni bpf:tracepoint:net:net_dev_queue -Q in -w "$TMP/in.pcap" "$filter"
ping_a
wait_tcpdump qout
kill -INT "$PID_qin"; wait_tcpdump qin
n_out=$(tcpdump -er "$TMP/out.pcap" 2>/dev/null | grep -c " Out ")
n_in=$(tcpdump -r "$TMP/in.pcap" 2>/dev/null | wc -l)
echo "net_dev_queue: -Q out saw $n_out outgoing, -Q in saw $n_in"
[ "$n_out" -eq 2 ] || fail "-Q out on a transmit tap saw $n_out of 2"
[ "$n_in" -eq 0 ] || fail "-Q in on a transmit tap saw $n_in packets"

start_tcpdump qin2 -ni bpf:tracepoint:net:netif_receive_skb -Q in -c 2 -w "$TMP/in2.pcap" "$filter"
ping_a
wait_tcpdump qin2
[ "$(tcpdump -er "$TMP/in2.pcap" 2>/dev/null | grep -c " In ")" -eq 2 ] ||
    fail "-Q in on the receive tap did not see 2 inbound packets"

# -s 64: 64 bytes captured, the real length (LINUX_SLL's 16 + 1028) kept.
start_tcpdump snap -ni bpf:tracepoint:net:netif_receive_skb -s 64 -c 1 -w "$TMP/snap.pcap" "$filter"
ping_a
wait_tcpdump snap
lens=$(tshark -r "$TMP/snap.pcap" -T fields -e frame.cap_len -e frame.len 2>/dev/null)
echo "snaplen 64: $lens"
[ "$lens" = "$(printf '64\t1044')" ] || fail "caplen/len are '$lens', not 64/1044"

# -s 40 with a filter on payload bytes past the 40 kept (and past the
# bytes the probe looks at first): decided on the whole packet, as
# AF_PACKET's socket filter decides, and then cut to 40.  The pattern
# (-p) makes the bytes known; a filter on another value matches nothing.
ping_pattern() { ip netns exec "$NS_A" ping -c 4 -i 0.2 -s 1000 -p ab "$OWN_B" >/dev/null; }
start_tcpdump deep -ni bpf:tracepoint:net:netif_receive_skb -s 40 -c 2 -w "$TMP/deep.pcap" "$filter and icmp[200] = 0xab"
start_tcpdump shallow -ni bpf:tracepoint:net:netif_receive_skb -s 40 -w "$TMP/shallow.pcap" "$filter and icmp[200] = 0xac"
ping_pattern
wait_tcpdump deep
kill -INT "$PID_shallow"; wait_tcpdump shallow
lens=$(tshark -r "$TMP/deep.pcap" -T fields -e frame.cap_len -e frame.len 2>/dev/null)
echo "snaplen 40, filter on byte 236: $(echo $lens)"
[ "$lens" = "$(printf '40\t1044\n40\t1044')" ] ||
    fail "a filter past the snap length kept '$lens', not two of 40/1044"
n=$(tcpdump -r "$TMP/shallow.pcap" 2>/dev/null | wc -l)
[ "$n" -eq 0 ] || fail "a filter on a byte the packets do not have kept $n"

# Timestamps: nanosecond precision on request, and close to real time.
for precision in micro nano; do
	start_tcpdump ts$precision -ni bpf:tracepoint:net:netif_receive_skb \
	    --time-stamp-precision=$precision -c 1 -w "$TMP/$precision.pcap" "$filter"
	ping_a
	wait_tcpdump ts$precision
	now=$(date +%s)
	t=$(tshark -r "$TMP/$precision.pcap" -T fields -e frame.time_epoch 2>/dev/null)
	echo "$precision: $t (now $now)"
	sec=${t%.*}
	[ $((now - sec)) -ge 0 ] && [ $((now - sec)) -lt 30 ] ||
	    fail "$precision timestamp $t is not within 30 s of now ($now)"
	magic=$(od -An -tx4 -N4 "$TMP/$precision.pcap" | tr -d ' ')
	case $precision in
	micro) [ "$magic" = a1b2c3d4 ] || fail "micro file magic $magic" ;;
	nano) [ "$magic" = a1b23c4d ] || fail "nano file magic $magic"
	      frac=${t#*.}; [ "${frac#??????}" != 000 ] || fail "nanosecond digits all zero: $t" ;;
	esac
done
exit 0
