# arpwatch (-d: reports to the terminal, no mail, no fork) on bpf:tc:veth_b
# learns each station from the ARP traffic: with the neighbour caches
# flushed, one ping makes veth_a and veth_b ask for each other, and
# arpwatch reports two new stations, each with its own MAC address.
. "$(dirname "$0")/lib.sh"
need_program arpwatch
ensure_kernel_fs
make_veth_pair
MAC_B=$(ip -n "$NS_B" -o link show veth_b | sed 's/.*link\/ether \([0-9a-f:]*\).*/\1/')

touch "$TMP/arp.dat"
start_program arpwatch "$NS_B" 60 arpwatch -d -i bpf:tc:veth_b -f "$TMP/arp.dat"
wait_attached arpwatch "$NS_B" arpwatch 2
# arpwatch says why it gives up only to syslog ("Link layer type N not
# ethernet or fddi"): here, that it ended is what can be seen.
kill -0 "$PID_arpwatch" 2>/dev/null ||
    fail "arpwatch ended after opening bpf:tc:veth_b (status $(wait "$PID_arpwatch"; echo $?))"
ip -n "$NS_A" neigh flush dev veth_a
ip -n "$NS_B" neigh flush dev veth_b
ping_from "$NS_A" 198.18.0.2 1

stations() {
	grep -c '^Subject: new station (198\.18\.0\.[12]) bpf:tc:veth_b$' "$TMP/arpwatch.out" 2>/dev/null
}
poll 10 eval '[ "$(stations)" -ge 2 ] || ! kill -0 $PID_arpwatch 2>/dev/null'
expect_running arpwatch
stop_program arpwatch
cat "$TMP/arpwatch.out" "$TMP/arpwatch.err"
expect "new stations reported" 2 "$(stations)"
grep -q "^ *ip address: 198\.18\.0\.1$" "$TMP/arpwatch.out" || fail "198.18.0.1 is not reported"
grep -q "^ *ip address: 198\.18\.0\.2$" "$TMP/arpwatch.out" || fail "198.18.0.2 is not reported"
grep -q "^ *ethernet address: $MAC_A$" "$TMP/arpwatch.out" || fail "veth_a's $MAC_A is not reported"
grep -q "^ *ethernet address: $MAC_B$" "$TMP/arpwatch.out" || fail "veth_b's $MAC_B is not reported"
exit 0
