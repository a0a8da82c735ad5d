# dnstop (in tmux, read off the screen) on bpf:tc:veth_b counts each DNS
# query: 7 queries for q0..q6.example.test are 7 from 198.18.0.1, 7 for
# example.test, one for each third-level name; ^X quits it.
. "$(dirname "$0")/lib.sh"
need_program dnstop
need_program tmux
ensure_kernel_fs
make_quiet_veth_pair

start_tmux dnstop "$NS_B" "dnstop -l 3 bpf:tc:veth_b; echo dnstop exit status \$?"
wait_attached dnstop "$NS_B" dnstop 2
traffic "$NS_A" dns 198.18.0.2 7 example.test

screen_has() {
	tmux_screen dnstop | grep -q "$1"
}
# Waits for a line on dnstop's screen (it redraws every second).
wait_screen() {
	poll 10 screen_has "$1" && return 0
	tmux_screen dnstop
	fail "dnstop's screen did not show '$1'"
}
wait_screen '^Queries: .* 7 total'
tmux_screen dnstop | grep -v '^ *$'
wait_screen '^198\.18\.0\.1  *7  *100\.0  *100\.0'
tmux_keys dnstop 2
wait_screen '^example\.test  *7  *100\.0  *100\.0'
tmux_keys dnstop 3
wait_screen '^q6\.example\.test '
tmux_screen dnstop | grep -v '^ *$'
expect "third-level names counted once each" 7 \
    "$(tmux_screen dnstop | grep -c '^q[0-6]\.example\.test  *1 ')"
tmux_keys dnstop C-x
poll 10 screen_has "dnstop exit status"
expect "dnstop's exit" "dnstop exit status 0" "$(tmux_screen dnstop | grep -o 'dnstop exit status [0-9]*')"
exit 0
