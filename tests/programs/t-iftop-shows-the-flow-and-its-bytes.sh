# iftop (in tmux, read off the screen) on bpf:tc:veth_b shows the one UDP
# flow sent and its exact cumulative bytes: 10 datagrams of 43 IP bytes
# (15 bytes of payload) are 430B received, nothing sent; 'q' quits it.
. "$(dirname "$0")/lib.sh"
need_program iftop
need_program tmux
ensure_kernel_fs
make_quiet_veth_pair

start_tmux iftop "$NS_B" "iftop -i bpf:tc:veth_b -n -N -P -f 'udp port 7000'; echo iftop exit status \$?"
wait_attached iftop "$NS_B" iftop 2
poll 10 eval 'tmux_screen iftop | grep -q "^TOTAL:"' ||
    { tmux_screen iftop; fail "iftop did not draw its screen"; }
traffic "$NS_A" udp 198.18.0.2 7000 10 iftop-marker

counted() {
	tmux_screen iftop | grep -q '^RX: *430B '
}
poll 10 counted
screen=$(tmux_screen iftop)
echo "$screen" | grep -v '^ *$'
echo "$screen" | grep -q '^RX: *430B ' ||
    fail "iftop's received total is not 430B: $(echo "$screen" | grep '^RX:')"
echo "$screen" | grep -q '^TX: *cum: *0B ' ||
    fail "iftop's sent total is not 0B: $(echo "$screen" | grep '^TX:')"
expect "flows shown" 1 "$(echo "$screen" | grep -c '^198\.18\.0\.2:7000  *=> 198\.18\.0\.1:[0-9]')"
tmux_keys iftop q
poll 10 eval 'tmux_screen iftop | grep -q "iftop exit status"'
expect "iftop's exit" "iftop exit status 0" "$(tmux_screen iftop | grep -o 'iftop exit status [0-9]*')"
exit 0
