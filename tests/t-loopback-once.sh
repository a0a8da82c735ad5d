# Loopback taps show each packet once, as AF_PACKET does: every packet on
# lo passes the egress hook and comes back in at ingress, and bpf:tc:lo
# keeps the incoming copy.  Outgoing copies are there when asked for
# (-Q out, or the :egress hook named).  In a namespace of the test's own,
# so that no other traffic on lo counts.
. "$(dirname "$0")/lib.sh"
ensure_kernel_fs
NS=${NS_PREFIX}lo
add_namespace "$NS"
pings=4
filter='icmp and host 127.0.0.1'

for c in "af lo" "tc bpf:tc:lo" "tc_out bpf:tc:lo -Q out" \
    "tc_egress bpf:tc:lo:egress" "tc_sll2 bpf:tc:lo -y LINUX_SLL2"; do
	set -- $c
	name=$1
	shift
	IN_NS=$NS start_tcpdump "$name" --immediate-mode -U -ni "$@" -w "$TMP/$name.pcap" "$filter"
done
ip netns exec "$NS" ping -c $pings -i 0.2 127.0.0.1 >/dev/null || fail "ping on lo"

count() { tcpdump -r "$TMP/$1.pcap" 2>/dev/null | wc -l; }
# Each capture has written what it will write once it holds every packet
# (at most $WAIT_BOUND s, however busy the machine); then a last look for
# extras (a shorter look can only miss an extra, not fail a good run).
for name in af tc tc_out tc_egress tc_sll2; do
	wait_for_packets "$TMP/$name.pcap" $((2 * pings))
done
sleep 0.3
for name in af tc tc_out tc_egress tc_sll2; do
	eval "kill -INT \$PID_$name"
	wait_tcpdump "$name"
done
echo "AF_PACKET on lo: $(count af); bpf:tc:lo: $(count tc);" \
    "-Q out: $(count tc_out); :egress: $(count tc_egress); SLL2: $(count tc_sll2)"
[ "$(count af)" -eq $((2 * pings)) ] || fail "AF_PACKET saw $(count af), not $((2 * pings))"
[ "$(count tc)" -eq "$(count af)" ] || fail "bpf:tc:lo saw $(count tc) packets where AF_PACKET saw $(count af)"
[ "$(count tc_out)" -eq $((2 * pings)) ] || fail "bpf:tc:lo -Q out saw $(count tc_out), not $((2 * pings))"
[ "$(count tc_egress)" -eq $((2 * pings)) ] || fail "bpf:tc:lo:egress saw $(count tc_egress), not $((2 * pings))"
# Both in lo's own link type (EN10MB, the default at an Ethernet-like
# interface's taps), byte for byte.
tcpdump -r "$TMP/af.pcap" -nn -t -xx 2>/dev/null > "$TMP/af.hex"
tcpdump -r "$TMP/tc.pcap" -nn -t -xx 2>/dev/null > "$TMP/tc.hex"
cmp -s "$TMP/af.hex" "$TMP/tc.hex" || {
	diff "$TMP/af.hex" "$TMP/tc.hex" | head; fail "bpf:tc:lo's packets differ from AF_PACKET's on lo"; }
n_in=$(ip netns exec "$NS" tcpdump -nr "$TMP/tc_sll2.pcap" 2>/dev/null | grep -c "^[0-9:.]* lo    In  IP")
[ "$n_in" -eq $((2 * pings)) ] || fail "SLL2 on bpf:tc:lo: $n_in of $((2 * pings)) packets are lo In"
# The hidden copies are not counted as received either.
grep -q "^$((2 * pings)) packets received by filter" "$TMP/tc.err" ||
    fail "bpf:tc:lo's statistics: $(grep 'received by filter' "$TMP/tc.err")"
exit 0
