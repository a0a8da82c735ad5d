# tcpick on bpf:tc:veth_b follows each TCP connection from SYN to CLOSED
# and prints both directions' payload (-yP): 3 connections are 3 sessions,
# each with its request and its reply.
. "$(dirname "$0")/lib.sh"
need_program tcpick
ensure_kernel_fs
make_quiet_veth_pair

start_server server "$NS_B" serve-tcp 198.18.0.2 8080 reply-text
start_program tcpick "$NS_B" 60 tcpick -i bpf:tc:veth_b -yP 'tcp port 8080'
wait_attached tcpick "$NS_B" tcpick 2
traffic "$NS_A" tcp 198.18.0.2 8080 3 tcpick-marker || fail "the TCP client failed"

closed() {
	grep -c '^[0-9]* *CLOSED *198\.18\.0\.1:[0-9]* > 198\.18\.0\.2:http-alt' "$TMP/tcpick.out"
}
poll 10 eval '[ "$(closed)" -ge 3 ]'
stop_program tcpick
cat "$TMP/tcpick.out" "$TMP/tcpick.err"
expect "connections seen to CLOSED" 3 "$(closed)"
expect "connections seen ESTABLISHED" 3 \
    "$(grep -c '^[0-9]* *ESTABLISHED *198\.18\.0\.1:[0-9]* > 198\.18\.0\.2:http-alt' "$TMP/tcpick.out")"
expect "sessions tcpick reports" "3 tcp sessions detected" "$(grep -o '[0-9]* tcp sessions detected' "$TMP/tcpick.out")"
for i in 0 1 2; do
	grep -q "^tcpick-marker $i\$" "$TMP/tcpick.out" || fail "the payload of connection $i is not printed"
done
expect "replies printed" 3 "$(grep -c '^reply-text$' "$TMP/tcpick.out")"
exit 0
