# tcpstat on bpf:tc:veth_b counts each packet once, and each protocol: 5
# pings (10 ICMP packets) and one UDP datagram per round below add up to
# exactly 10 + rounds packets, all IPv4, 10 ICMP, one UDP a round.
# tcpstat prints its statistics on demand (SIGUSR1, interval -1) when the
# next packet arrives, before counting that one; so each round sends a
# SIGUSR1 and a datagram (to a listening socket: no ICMP back), until a
# line shows every packet before the round's datagram; SIGINT then prints
# the rest, that datagram.  (tcpstat decodes IP only behind Ethernet
# headers: on "any", LINUX_SLL, its per-protocol counts stay 0.)
. "$(dirname "$0")/lib.sh"
need_program tcpstat
ensure_kernel_fs
make_quiet_veth_pair

start_server sink "$NS_B" sink-udp 198.18.0.2 9999
start_program tcpstat "$NS_B" 90 tcpstat -i bpf:tc:veth_b -F \
    -o 'packets=%n ipv4=%I icmp=%C udp=%U\n' -- -1
wait_attached tcpstat "$NS_B" tcpstat 2
ping_from "$NS_A" 198.18.0.2 5

total() {
	sed -n "s/.*\<${1:-packets}=\([0-9]*\).*/\1/p" "$TMP/tcpstat.out" | awk '{ s += $1 } END { print s + 0 }'
}
pid=$(pids_in_ns "$NS_B" tcpstat)
round=0
while [ $round -lt 10 ]; do
	kill -USR1 $pid
	traffic "$NS_A" udp 198.18.0.2 9999 1 sentinel
	round=$((round + 1))
	poll 5 eval '[ "$(total)" -ge $((10 + round - 1)) ]' && break
done
stop_program tcpstat
cat "$TMP/tcpstat.out" "$TMP/tcpstat.err"
expect "packets counted (10 ICMP, $round UDP)" $((10 + round)) "$(total)"
expect "IPv4 packets counted" $((10 + round)) "$(total ipv4)"
expect "ICMP packets counted" 10 "$(total icmp)"
expect "UDP packets counted" $round "$(total udp)"
exit 0
