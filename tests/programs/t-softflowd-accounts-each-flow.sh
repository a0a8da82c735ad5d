# softflowd on bpf:tc:veth_b accounts each flow: 5 pings are two ICMP
# flows (requests, replies) of 5 packets and 420 IP bytes each, 10 packets
# processed; 'softflowctl expire-all' exports both (NetFlow, to a socket
# in the namespace).  softflowd's -i takes "[if_ndx:]interface", so a name
# with ':' in it needs the index in front: -i 0:bpf:tc:veth_b.
. "$(dirname "$0")/lib.sh"
need_program softflowd
ensure_kernel_fs
make_quiet_veth_pair

start_server collector "$NS_B" sink-udp 127.0.0.1 2055
ctl=$TMP/softflowd.ctl
start_program softflowd "$NS_B" 60 softflowd -i 0:bpf:tc:veth_b -d -c "$ctl" -n 127.0.0.1:2055
wait_attached softflowd "$NS_B" softflowd 2
ping_from "$NS_A" 198.18.0.2 5

softflowctl() {
	ip netns exec "$NS_B" timeout 10 softflowctl -c "$ctl" "$@"
}
poll 10 eval 'softflowctl statistics | grep -q "^Packets processed: 10$"'
softflowctl statistics > "$TMP/statistics.txt"
softflowctl dump-flows > "$TMP/flows.txt"
cat "$TMP/statistics.txt" "$TMP/flows.txt"
expect "packets processed" "Packets processed: 10" "$(grep '^Packets processed' "$TMP/statistics.txt")"
expect "active flows" "Number of active flows: 2" "$(grep '^Number of active flows' "$TMP/statistics.txt")"
grep -q '^ACTIVE seq:[0-9]* \[198\.18\.0\.1\]:0 <> \[198\.18\.0\.2\]:2048 proto:1 octets>:420 packets>:5 octets<:0 packets<:0 ' "$TMP/flows.txt" ||
    fail "no flow of the 5 echo requests (420 bytes)"
grep -q '^ACTIVE seq:[0-9]* \[198\.18\.0\.1\]:0 <> \[198\.18\.0\.2\]:0 proto:1 octets>:0 packets>:0 octets<:420 packets<:5 ' "$TMP/flows.txt" ||
    fail "no flow of the 5 echo replies (420 bytes)"

softflowctl expire-all > /dev/null
poll 10 eval 'softflowctl statistics | grep -q "^Flows exported: 2 "'
expect "flows exported" "Flows exported: 2 (2 records) in 1 packets (0 failures)" \
    "$(softflowctl statistics | grep '^Flows exported')"
softflowctl shutdown > /dev/null
# (It exits with status 1 after a shutdown, on any interface.)
wait_program softflowd 10
[ $? -ne 124 ] || fail "softflowd did not shut down"
cat "$TMP/softflowd.out" "$TMP/softflowd.err"
grep -q "Shutting down on user request" "$TMP/softflowd.out" "$TMP/softflowd.err" ||
    fail "softflowd did not end by the shutdown"
exit 0
