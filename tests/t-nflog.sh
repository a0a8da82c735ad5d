#!/bin/bash
# -y NFLOG: why, where, who.  Packets dropped by iptables in a namespace
# show "skb:kfree_skb NETFILTER_DROP" (the reason's name from the kernel's
# BTF), the interface they came in on, and for a drop in a process's
# sendmsg its comm/pid and the socket's uid/gid; a reset to a closed port
# shows its reason at tcp:tcp_send_reset.  Checked with tshark live and
# with tshark -r of a dumpcap pcapng.  Then several taps in one capture: a
# ping received, then dropped, shows both taps in order.
. "$(dirname "$0")/lib.sh"
ensure_kernel_fs
make_veth_pair
# Kernel-wide taps, other tests beside (some drop and ping from
# 198.18.0.1 too): the packets looked for are to addresses of our own.
add_own_addresses
command -v tshark >/dev/null || skip "tshark is not installed"
ip netns exec "$NS_B" iptables -A INPUT -p tcp --dport 6666 -j DROP ||
    fail "iptables in $NS_B"
ip netns exec "$NS_B" iptables -A INPUT -p icmp --icmp-type echo-request -j DROP
# In $NS_B, where the capture below runs: inside a namespace a capture
# sees that namespace's packets only (see Scope in README.bpftrace).
ip netns exec "$NS_B" iptables -A OUTPUT -p udp --dport 7777 -j DROP
fields="-T fields -E separator=| -e nflog.prefix -e nflog.ifindex_indev -e nflog.uid -e nflog.gid -e ip.src -e ip.dst -e tcp.dstport -e udp.dstport -e icmp.seq"

traffic() {
	ip netns exec "$NS_A" env B="$OWN_B" bash -c '
		timeout 1 bash -c "echo > /dev/tcp/$B/6666"
		timeout 1 bash -c "echo > /dev/tcp/$B/6667"
		ping -c 2 -i 0.3 -W 1 $B' >/dev/null 2>&1
	ip netns exec "$NS_B" setpriv --reuid=65534 --regid=65534 \
	    --clear-groups bash -c "echo x > /dev/udp/$OWN_A/7777" 2>/dev/null
}

# The NFLOG captures cannot be filtered (libpcap compiles no filter for
# NFLOG) and the taps are kernel-wide: on a busy machine they grow by tens
# of MB a second.  So each runs only as long as needed: from its attachment
# (an event) to a moment after the traffic, and is not polled (reading it
# back costs more than the wait).  Cut to 256 bytes: tp_btf taps copy
# whole packets, and other tests' 64 KiB GSO packets would fill the ring.
# dumpcap into pcapng, read back with tshark; in the drops' namespace, so
# that the in-device's index is given (see the joined taps below).
IN_NS=$NS_B as_capture_user timeout $((WAIT_BOUND * 2)) dumpcap -i bpf:tracepoint:skb:kfree_skb -y NFLOG -s 256 \
    -w "$TMP/drops.pcapng" > "$TMP/d.out" 2>&1 &
pid=$!
on_exit "kill $pid 2>/dev/null"
wait_for_text "$TMP/d.out" "Capturing on"
wait_attached $pid
# In process the probe runs from its attachment, in the link type
# activation gives (LINUX_SLL): records from before dumpcap's
# pcap_set_datalink() are of a former link type, dropped.  dumpcap
# writes its file's header once it has set it.
wait_until $pid test -s "$TMP/drops.pcapng" || fail "dumpcap wrote no header"
traffic
sleep 1
interrupt_capture $pid; wait $pid
tshark -r "$TMP/drops.pcapng" $fields 2>/dev/null | grep -F "|$OWN_A|$OWN_B|" > "$TMP/drops.txt"
cat "$TMP/drops.txt"
grep -q "^skb:kfree_skb NETFILTER_DROP|$IFINDEX_B|||$OWN_A|$OWN_B|6666||$" "$TMP/drops.txt" ||
    fail "the SYN dropped by iptables INPUT: no 'skb:kfree_skb NETFILTER_DROP' with indev $IFINDEX_B"
tshark -r "$TMP/drops.pcapng" $fields 2>/dev/null | grep -F "|$OWN_B|$OWN_A|" >> "$TMP/drops.txt"
grep -q "^skb:kfree_skb NETFILTER_DROP bash/[0-9]*||65534|65534|$OWN_B|$OWN_A||7777|$" "$TMP/drops.txt" ||
    fail "the datagram dropped by iptables OUTPUT: no prefix with bash/PID, uid and gid 65534"
grep -q "^skb:kfree_skb NO_SOCKET|$IFINDEX_B|||$OWN_A|$OWN_B|6667||$" "$TMP/drops.txt" ||
    fail "the SYN to a closed port: no 'skb:kfree_skb NO_SOCKET'"
[ "$(grep -c "^skb:kfree_skb NETFILTER_DROP|$IFINDEX_B|||$OWN_A|$OWN_B|||[12]$" "$TMP/drops.txt")" -eq 2 ] ||
    fail "the two echo requests dropped by iptables"

# tshark live at tcp:tcp_send_reset, where the kernel gives it a reason.
if bpftool btf dump file /sys/kernel/btf/vmlinux 2>/dev/null | grep -q "ENUM 'sk_rst_reason'"; then
	IN_NS=$NS_B as_capture_user timeout $((WAIT_BOUND * 2)) tshark -i bpf:tracepoint:tcp:tcp_send_reset -y NFLOG \
	    -c 1 $fields -f "" > "$TMP/rst.txt" 2> "$TMP/rst.err" &
	pid=$!
	wait_for_text "$TMP/rst.err" "Capturing on"
	wait_attached $pid
	ip netns exec "$NS_A" timeout 1 bash -c "echo > /dev/tcp/198.18.0.2/6667" 2>/dev/null
	wait $pid
	cat "$TMP/rst.txt"
	grep -q "^tcp:tcp_send_reset NO_SOCKET|$IFINDEX_B|||198.18.0.1|198.18.0.2|6667||$" "$TMP/rst.txt" ||
	    fail "tcp:tcp_send_reset: no 'NO_SOCKET' reason for the SYN to a closed port"
else
	echo "note: this kernel's tcp_send_reset carries no reason (enum sk_rst_reason); not checked"
fi

# Two taps in one capture: each echo request received, then dropped.
both=bpf:tracepoint:net:netif_receive_skb+tracepoint:skb:kfree_skb
as_capture_user timeout $((WAIT_BOUND * 2)) dumpcap -i "$both" -y NFLOG -s 256 -w "$TMP/both.pcapng" \
    > "$TMP/b.out" 2>&1 &
pid=$!
wait_for_text "$TMP/b.out" "Capturing on"
# Both taps (loaded and attached one after the other), and the link type
# set (as above).
wait_attached $pid 2
wait_until $pid test -s "$TMP/both.pcapng" || fail "dumpcap wrote no header"
# Kernel-wide taps on a busy machine fill the ring before dumpcap first
# reads it, and a packet sent then is dropped: wait (a little, a quiet
# machine has nothing to count) until dumpcap has counted packets.
for i in $(seq 50); do
	grep -q "Packets:" "$TMP/b.out" && break
	sleep 0.1
done
ip netns exec "$NS_A" ping -c 2 -i 0.3 -W 1 "$OWN_B" >/dev/null 2>&1
sleep 1
interrupt_capture $pid; wait $pid
tshark -r "$TMP/both.pcapng" $fields -Y "icmp.type == 8 and ip.src == $OWN_A" 2>/dev/null |
    cut -d'|' -f1,2,9 > "$TMP/both.txt"
cat "$TMP/both.txt"
# Captured from this namespace: no in-device index (it would name one of
# this namespace's interfaces).
printf 'net:netif_receive_skb||1\nskb:kfree_skb NETFILTER_DROP||1\nnet:netif_receive_skb||2\nskb:kfree_skb NETFILTER_DROP||2\n' > "$TMP/both.want"
cmp -s "$TMP/both.txt" "$TMP/both.want" ||
    fail "$both: expected each echo request received, then dropped, in order, with no in-device index from another namespace"

# Limits and mistakes: one line each.
check_error() {
	local dev=$1 text=$2 out
	out=$(with_lib "$TESTPROGS/tap_activate" "$dev" 2>&1)
	echo "$dev: $(echo "$out" | grep ^error)"
	echo "$out" | grep -q -- "$text" || fail "$dev: expected '$text'"
}
nine=bpf:tc:lo$(printf '+tc:lo%.0s' 1 2 3 4 5 6 7 8)
check_error "$nine" "at most 8 taps in one capture"
check_error "bpf:tc:lo++tc:lo" "an empty tap between '+'s"
check_error "bpf:tc:lo+prog:1" "cannot be joined with other taps"
check_error "bpf:tc:lo+tracepoint:skb:kfre_skb" "bpf:tracepoint:skb:kfree_skb"
# A joined capture failing at its second tap after the first attached with
# clsact: a clean failure, and nothing left on the interface.
out=$(ip netns exec "$NS_B" env LD_LIBRARY_PATH="$LIBDIR" PCAP_BPF_MECHANISMS=clsact,tp_btf \
    "$TESTPROGS/tap_activate" "bpf:tc:lo+tracepoint:skb:nosuch" 2>&1)
rc=$?
echo "clsact tap + failing tap: exit $rc, $(echo "$out" | grep ^error)"
[ $rc -eq 1 ] || fail "a failed joined activation should exit 1 (status), not $rc: $out"
left=$(ip netns exec "$NS_B" tc filter show dev lo ingress; ip netns exec "$NS_B" tc filter show dev lo egress)
[ -z "$left" ] || fail "filters left on lo after a failed activation: $left"
out=$(with_lib tcpdump -i bpf:tc:lo -y NFLOG -c 1 icmp 2>&1)
echo "tcpdump -y NFLOG icmp: $out" | head -2
echo "$out" | grep -q "NFLOG link-layer type filtering not implemented" ||
    fail "expected libpcap's refusal to compile filters for NFLOG"
exit 0
