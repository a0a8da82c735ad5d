# tcptrack (in tmux, read off the screen) on bpf:tc:veth_b lists each TCP
# connection it saw open (-d), with its state: 3 connections, each CLOSED
# (kept on screen for 60 s, -r 60); 'q' quits it.
. "$(dirname "$0")/lib.sh"
need_program tcptrack
need_program tmux
ensure_kernel_fs
make_quiet_veth_pair

start_server server "$NS_B" serve-tcp 198.18.0.2 8080 reply-text
start_tmux tcptrack "$NS_B" "tcptrack -i bpf:tc:veth_b -d -r 60 port 8080; echo tcptrack exit status \$?"
wait_attached tcptrack "$NS_B" tcptrack 2
poll 10 eval 'tmux_screen tcptrack | grep -q "Connections"' ||
    { tmux_screen tcptrack; fail "tcptrack did not draw its screen"; }
traffic "$NS_A" tcp 198.18.0.2 8080 3 tcptrack-marker || fail "the TCP client failed"

closed() {
	tmux_screen tcptrack | grep -c '^ *198\.18\.0\.1:[0-9]*  *198\.18\.0\.2:8080  *CLOSED '
}
poll 10 eval '[ "$(closed)" -ge 3 ]'
tmux_screen tcptrack | grep -v '^ *$'
expect "connections listed CLOSED" 3 "$(closed)"
expect "connections listed" 3 "$(tmux_screen tcptrack | grep -c '^ *198\.18\.0\.1:[0-9]* ')"
tmux_screen tcptrack | grep -q 'Connections 1-3 of 3 ' || fail "tcptrack does not count 3 connections"
tmux_keys tcptrack q
poll 10 eval 'tmux_screen tcptrack | grep -q "tcptrack exit status"'
expect "tcptrack's exit" "tcptrack exit status 0" "$(tmux_screen tcptrack | grep -o 'tcptrack exit status [0-9]*')"
exit 0
