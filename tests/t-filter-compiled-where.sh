#!/bin/bash
# A compiled filter is loaded by whoever holds the privilege when the
# application sets its filter, and goes with the capture:
#  - root's tcpdump (Debian's drops to user tcpdump between
#    pcap_activate() and pcap_setfilter()): the filter keeper forked at
#    activation loads it; at a tc tap and at a tracepoint (tp_btf);
#  - a broker client (a group member, no capability): the broker's child;
#  - PCAP_BPF_FILTER=interpret: nothing compiled, the same packets;
#  - each run captures exactly the packets the filter names;
#  - after tcpdump ends, and after SIGKILL, no compiled filter program
#    and no keeper process is left.
. "$(dirname "$0")/lib.sh"
ensure_kernel_fs
command -v bpftool >/dev/null || skip "bpftool is not installed"
id tcpdump >/dev/null 2>&1 || skip "no user tcpdump (Debian's tcpdump drops to it)"
make_veth_pair
add_own_addresses

# Compiled filter programs loaded right now, by id.
filter_programs() {
	bpftool prog show 2>/dev/null | awk '/name pcap_filter/ { sub(":", "", $1); print $1 }' | sort -n
}
# Processes that are forks of a tcpdump started here: the keeper keeps
# the name.
keepers() {
	local p
	for p in $(pgrep -x tcpdump); do
		tr '\0' ' ' < /proc/"$p"/cmdline 2>/dev/null | grep -q -- "$TMP/" && echo "$p"
	done
}
wait_clean() {
	local what=$1 t0=$SECONDS left
	while :; do
		left="$(comm -13 "$TMP/filters-before" <(filter_programs) | tr '\n' ' ')$(keepers | sed 's/^/keeper /' | tr '\n' ' ')"
		[ -z "$left" ] && return 0
		[ "$SECONDS" -ge $((t0 + WAIT_BOUND)) ] && fail "$what: left: $left"
		sleep 0.1
	done
}
filter_programs > "$TMP/filters-before"

pings() { ip netns exec "$NS_A" ping -c "$1" -i 0.2 "$OWN_B" >/dev/null; }
noise() {
	local i
	for i in 1 2 3 4 5; do
		ip netns exec "$NS_A" bash -c "echo x > /dev/udp/$OWN_B/9" 2>/dev/null
	done
}

# tcpdump as root, as Debian runs it: it drops to user tcpdump before
# pcap_setfilter().  -c 3: ends once three echo requests came.
root_tcpdump() {
	local name=$1 device=$2
	shift 2
	PCAP_BPF_DEBUG=1 IN_NS=$NS_B start_tcpdump "$name" -Z tcpdump -nn -c 3 \
	    -w "$TMP/$name.pcap" -i "$device" "$@" "icmp[icmptype] == 8 and src $OWN_A"
	noise
	pings 3
	noise
	wait_tcpdump "$name"
	n=$(tcpdump -r "$TMP/$name.pcap" -nn 2>/dev/null | grep -c "$OWN_A > $OWN_B: ICMP echo request")
	all=$(tcpdump -r "$TMP/$name.pcap" -nn 2>/dev/null | wc -l)
	echo "$name: $n echo requests of $all packets"
	[ "$n" -eq 3 ] && [ "$all" -eq 3 ] || fail "$name: $n echo requests of $all packets, want 3 of 3"
}
export PCAP_BPF_BROKER=$TMP/no-broker.sock

for device in bpf:tc:veth_b:ingress bpf:tracepoint:net:netif_receive_skb; do
	name=root_${device//[:-]/_}
	root_tcpdump "$name" "$device"
	grep -q "filter compiled in 1 of 1 taps" "$TMP/$name.err" ||
	    fail "$name: the keeper did not compile the filter: $(grep filter "$TMP/$name.err")"
	wait_clean "$name"
done

# The interpreter alone: the same packets, nothing compiled.
PCAP_BPF_FILTER=interpret root_tcpdump interpreted bpf:tc:veth_b:ingress
grep -q "filter compiled" "$TMP/interpreted.err" &&
    fail "PCAP_BPF_FILTER=interpret compiled: $(grep filter "$TMP/interpreted.err")"
wait_clean interpreted

# SIGKILL after the filter is in: the keeper ends with its connection.
PCAP_BPF_DEBUG=1 IN_NS=$NS_B start_tcpdump killed -Z tcpdump -nn -w "$TMP/killed.pcap" \
    -i bpf:tc:veth_b:ingress "icmp and src $OWN_A"
wait_for_text "$TMP/killed.err" "filter compiled in 1 of 1 taps"
# tcpdump and its keeper (a fork of it, which init adopted).
[ "$(keepers | wc -l)" -eq 2 ] || fail "tcpdump and its keeper: $(keepers | wc -l) processes"
pkill -KILL -P "$PID_killed" -x tcpdump
wait_clean "SIGKILLed tcpdump"

# A broker client: the broker's child compiles.
broker_group "$TESTPROGS/tap_counts"
ip netns exec "$NS_B" "$TOP/build/bin/pcap-bpftrace-broker" --foreground \
    --socket "$SOCK" --config "$TMP/broker.conf" > "$TMP/broker.log" 2>&1 &
broker=$!
on_exit "kill $broker 2>/dev/null"
wait_for_text "$TMP/broker.log" "serving $SOCK"
ip netns exec "$NS_B" setpriv --reuid=65534 --regid=65534 --groups="$gid" \
    --inh-caps=-all --bounding-set=-all env LD_LIBRARY_PATH="$TMP/shared" \
    PCAP_BPF_BROKER="$SOCK" PCAP_BPF_DEBUG=1 "$TMP/shared/tap_counts" \
    -i bpf:tc:veth_b:ingress -t 120000 -c 3 -k "icmp and src $OWN_A" \
    > "$TMP/member.out" 2>&1 &
member=$!
on_exit "kill $member 2>/dev/null"
wait_for_text "$TMP/member.out" "ready"
noise
pings 3
noise
wait $member
cat "$TMP/member.out" | grep -v "^ready"
grep -q "filter compiled in 1 of 1 taps" "$TMP/member.out" ||
    fail "the broker did not compile the member's filter: $(grep filter "$TMP/member.out")"
grep -q "delivered 3 matched 3 recv 3 drop 0" "$TMP/member.out" ||
    fail "the member's capture: $(tail -1 "$TMP/member.out")"
wait_clean "broker client"
exit 0
