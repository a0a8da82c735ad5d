# Two captures on one tc tap both see every packet, and stopping one does
# not disturb the other (tcx and clsact alike).
. "$(dirname "$0")/lib.sh"
ensure_kernel_fs
make_veth_pair
filter='icmp and host 198.18.0.1'

for mechanisms in tcx clsact; do
	for n in first second; do
		ip netns exec "$NS_B" env LD_LIBRARY_PATH="$LIBDIR" PCAP_BPF_MECHANISMS=$mechanisms \
		    timeout $((WAIT_BOUND * 2)) tcpdump -ni bpf:tc:veth_b -U -w "$TMP/$n.pcap" "$filter" \
		    2> "$TMP/$n.err" &
		eval "pid_$n=$!"
		on_exit "kill $! 2>/dev/null"
		wait_for_text "$TMP/$n.err" "listening on"
	done
	# Stopped once they hold what was sent: a packet queued but not yet
	# read when SIGINT comes is not written.
	ip netns exec "$NS_A" ping -c 3 -i 0.2 198.18.0.2 >/dev/null
	wait_for_packets "$TMP/first.pcap" 6
	kill -INT $pid_first; wait $pid_first
	ip netns exec "$NS_A" ping -c 3 -i 0.2 198.18.0.2 >/dev/null
	wait_for_packets "$TMP/second.pcap" 12
	kill -INT $pid_second; wait $pid_second
	first=$(tcpdump -r "$TMP/first.pcap" 2>/dev/null | grep -c "ICMP echo")
	second=$(tcpdump -r "$TMP/second.pcap" 2>/dev/null | grep -c "ICMP echo")
	echo "$mechanisms: first capture $first packets (stopped after 3 pings), second $second (6 pings)"
	[ "$first" -eq 6 ] || fail "$mechanisms: the first capture saw $first of 6"
	[ "$second" -eq 12 ] || fail "$mechanisms: the second capture saw $second of 12 after the first stopped"
done
exit 0
