#!/bin/bash
# The system's tcpdump with a filter on a bpf: tap: it sets the filter
# after dropping to user tcpdump without capabilities, and the filter still
# runs in the kernel: exactly the matching packets are delivered, ps_recv
# ("received by filter") counts only them, and the probe's counter shows
# the others rejected before reaching the ring.  Then -Q in composes with
# the filter, and a filter swapped with records waiting in the ring lets
# none through that fail the new filter.
. "$(dirname "$0")/lib.sh"
ensure_kernel_fs
make_veth_pair
# ps_recv also counts what arrives between activation and the filter: keep
# IPv6's router solicitations and MLD reports off the link.
ip netns exec "$NS_A" sysctl -qw net.ipv6.conf.veth_a.disable_ipv6=1
ip netns exec "$NS_B" sysctl -qw net.ipv6.conf.veth_b.disable_ipv6=1

# Five connection attempts to a closed port (SYN in, RST out) among pings
# and UDP that the filter must reject.
traffic() {
	ip netns exec "$NS_A" bash -c '
		for i in 1 2 3 4 5; do
			ping -c 1 -W 1 198.18.0.2
			echo x > /dev/udp/198.18.0.2/6667
			timeout 1 bash -c "echo > /dev/tcp/198.18.0.2/6666"
		done' >/dev/null 2>&1
}

# at_least N FILE: tcpdump (-l: a line per packet at once) has printed N
# packets to port 6666; a capture is stopped then, however busy the
# machine, and a moment later for any extra (a shorter moment can only
# miss an extra, not fail a good run).
at_least() {
	[ "$(grep -c 6666 "$2")" -ge "$1" ]
}
stop_at() {
	local name=$1 count=$2 pid
	eval "pid=\$PID_$name"
	wait_until "$pid" at_least "$count" "$TMP/$name.out"
	sleep 0.3
	kill -INT "$pid"
	wait_tcpdump "$name"
}

IN_NS=$NS_B PCAP_BPF_DEBUG=1 start_tcpdump all -l -ni bpf:tc:veth_b 'tcp port 6666'
pid=$(pgrep -P "$PID_all" tcpdump)
uid=$(awk '/^Uid:/ { print $2 }' /proc/$pid/status)
caps=$(awk '/^CapEff:/ { print $2 }' /proc/$pid/status)
echo "tcpdump runs as uid $uid ($(id -nu "$uid")), effective capabilities $caps"
[ "$(id -nu "$uid")" = tcpdump ] && [ "$caps" = 0000000000000000 ] ||
    fail "tcpdump did not drop its privileges before setting the filter"
traffic
stop_at all 10
cat "$TMP/all.out"
grep -v "6666" "$TMP/all.out" | grep . && fail "packets not matching 'tcp port 6666' were delivered"
syn=$(grep -c "> 198.18.0.2.6666: Flags \[S\]" "$TMP/all.out")
rst=$(grep -c "198.18.0.2.6666 > .*Flags \[R" "$TMP/all.out")
received=$(sed -n 's/^\([0-9]*\) packets\? received by filter/\1/p' "$TMP/all.err")
rejected=$(sed -n 's/.* passed, \([0-9]*\) rejected by the in-kernel filter.*/\1/p' "$TMP/all.err")
echo "delivered $syn SYN + $rst RST; received by filter: $received; rejected in the kernel: $rejected"
[ "$syn" -eq 5 ] && [ "$rst" -eq 5 ] || fail "expected 5 SYN and 5 RST"
[ "$received" -eq 10 ] || fail "ps_recv is $received, not the 10 matching packets"
# 5 echo requests and replies, 5 UDP datagrams (their ICMP errors are
# rate-limited).
[ "$rejected" -ge 15 ] || fail "only $rejected packets rejected in the kernel (expected >= 15)"

# The user-space fallback delivers the same packets; ps_recv then counts
# everything the probe saw.
IN_NS=$NS_B PCAP_BPF_FILTER=user PCAP_BPF_DEBUG=1 start_tcpdump user -l -ni bpf:tc:veth_b 'tcp port 6666'
traffic
stop_at user 10
n=$(grep -c "6666" "$TMP/user.out")
received=$(sed -n 's/^\([0-9]*\) packets\? received by filter/\1/p' "$TMP/user.err")
echo "PCAP_BPF_FILTER=user: $n packets delivered, received by filter: $received"
grep -q "filtering in user space: PCAP_BPF_FILTER=user" "$TMP/user.err" ||
    fail "no note that the filter runs in user space"
[ "$n" -eq 10 ] && [ "$(grep -v 6666 "$TMP/user.out" | grep -c .)" -eq 0 ] ||
    fail "user-space filtering delivered $n packets, expected the 10 matching"
[ "$received" -ge 25 ] || fail "ps_recv $received: with user-space filtering it counts every packet (>= 25)"

IN_NS=$NS_B start_tcpdump inbound -l -ni bpf:tc:veth_b -Q in 'tcp port 6666'
traffic
stop_at inbound 5
n=$(grep -c "6666" "$TMP/inbound.out")
echo "-Q in 'tcp port 6666': $n packets, $(grep -c "Flags \[S\]" "$TMP/inbound.out") SYN"
[ "$n" -eq 5 ] && ! grep -q "Flags \[R" "$TMP/inbound.out" ||
    fail "-Q in with the filter should deliver the 5 SYN only"

# Pings and UDP wait in the ring having passed 'icmp or udp'; the filter
# becomes 'udp' before they are read.
ip netns exec "$NS_B" env LD_LIBRARY_PATH="$LIBDIR" timeout $((WAIT_BOUND * 2)) \
    "$TESTPROGS/tap_filter_swap" bpf:tc:veth_b 'icmp or udp' 'udp' "$TMP/go" \
    > "$TMP/swap.out" 2> "$TMP/swap.err" &
swap_pid=$!
on_exit "kill $swap_pid 2>/dev/null"
wait_for_text "$TMP/swap.out" ready
traffic
touch "$TMP/go"
wait $swap_pid || { cat "$TMP/swap.err"; fail "tap_filter_swap failed"; }
cat "$TMP/swap.out"
grep -q "delivered 5, 0 failing the second filter" "$TMP/swap.out" ||
    fail "after the swap, expected the 5 UDP datagrams and nothing failing 'udp'"
exit 0
