# tcpflow on bpf:tc:veth_b writes both directions of each TCP connection
# into its own file, byte for byte: 3 connections, 6 files.
. "$(dirname "$0")/lib.sh"
need_program tcpflow
ensure_kernel_fs
make_veth_pair
mkdir "$TMP/flows"

start_server server "$NS_B" serve-tcp 198.18.0.2 8080 reply-text
start_program tcpflow "$NS_B" 60 tcpflow -i bpf:tc:veth_b -o "$TMP/flows" tcp port 8080
wait_attached tcpflow "$NS_B" tcpflow 2
traffic "$NS_A" tcp 198.18.0.2 8080 3 tcpflow-marker || fail "the TCP client failed"

# tcpflow writes as the data come; stop it when all of it is there.
flows_complete() {
	[ "$(cat "$TMP"/flows/198.018.000.002.08080-* 2>/dev/null | grep -c '^reply-text$')" -ge 3 ] &&
	[ "$(cat "$TMP"/flows/*-198.018.000.002.08080 2>/dev/null | grep -c '^tcpflow-marker')" -ge 3 ]
}
poll 10 flows_complete
stop_program tcpflow
cat "$TMP/tcpflow.err"
ls -l "$TMP/flows"

expect "flow files" 6 "$(ls "$TMP/flows" | grep -c '^198\.018\.000\.00[12]\.')"
for i in 0 1 2; do
	file=$(grep -l "^tcpflow-marker $i\$" "$TMP"/flows/198.018.000.001.*-198.018.000.002.08080)
	[ -n "$file" ] || fail "no file holds what connection $i sent"
	[ "$(cat "$file")" = "tcpflow-marker $i" ] && [ "$(wc -c < "$file")" -eq 17 ] ||
	    fail "$file holds $(wc -c < "$file") bytes, not connection $i's 17: $(cat "$file")"
	port=$(basename "$file" | sed 's/^198\.018\.000\.001\.\([0-9]*\)-.*/\1/')
	reply=$TMP/flows/198.018.000.002.08080-198.018.000.001.$port
	[ "$(cat "$reply" 2>/dev/null)" = reply-text ] && [ "$(wc -c < "$reply")" -eq 11 ] ||
	    fail "the reply of connection $i ($reply) is not the 11 bytes sent: $(cat "$reply" 2>&1)"
done
exit 0
