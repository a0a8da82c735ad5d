# p0f on bpf:tc:veth_b fingerprints both ends of each TCP handshake: 3
# connections give 3 SYN and 3 SYN+ACK records in its log (-o), for 3
# client ports, the client recognised as Linux.
. "$(dirname "$0")/lib.sh"
need_program p0f
ensure_kernel_fs
make_quiet_veth_pair

start_server server "$NS_B" serve-tcp 198.18.0.2 8080 reply-text
start_program p0f "$NS_B" 60 p0f -i bpf:tc:veth_b -o "$TMP/p0f.log" 'tcp port 8080'
wait_attached p0f "$NS_B" p0f 2
traffic "$NS_A" tcp 198.18.0.2 8080 3 p0f-marker || fail "the TCP client failed"

records() {
	grep -c "] mod=$1|cli=198\.18\.0\.1/[0-9]*|srv=198\.18\.0\.2/8080|" "$TMP/p0f.log" 2>/dev/null
}
poll 10 eval '[ "$(records syn+ack)" -ge 3 ]'
stop_program p0f
cat "$TMP/p0f.log"
expect "SYN records" 3 "$(records syn)" "$TMP/p0f.err"
expect "SYN+ACK records" 3 "$(records syn+ack)" "$TMP/p0f.err"
expect "client ports" 3 "$(grep -o '] mod=syn|cli=198\.18\.0\.1/[0-9]*' "$TMP/p0f.log" | sort -u | wc -l)"
expect "SYNs from a client recognised as Linux" 3 \
    "$(grep '] mod=syn|' "$TMP/p0f.log" | grep -c '|os=Linux ')"
exit 0
