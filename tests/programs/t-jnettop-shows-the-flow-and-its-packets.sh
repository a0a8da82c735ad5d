# jnettop (in tmux, read off the screen, counting packets: 'p') on
# bpf:tc:veth_b shows the one ICMP flow of 5 pings between the right
# addresses, with 5 packets each way and 10 in all; 'q' quits it.  (Which
# end it calls local is its guess: a tap has no address of its own.)
. "$(dirname "$0")/lib.sh"
need_program jnettop
need_program tmux
ensure_kernel_fs
make_quiet_veth_pair

# Its start-up warnings (an ioctl on each listed device) go to a file.
start_tmux jnettop "$NS_B" "jnettop -i bpf:tc:veth_b -n -x icmp 2> $TMP/jnettop.err; echo jnettop exit status \$?"
wait_attached jnettop "$NS_B" jnettop 2
poll 10 eval 'tmux_screen jnettop | grep -q "^LOCAL <-> REMOTE"' ||
    { tmux_screen jnettop; fail "jnettop did not draw its screen"; }
# (It redraws its header with the next packets.)
tmux_keys jnettop p
ping_from "$NS_A" 198.18.0.2 5

# The flow's line with its totals, under the line naming the pair.
counted() {
	tmux_screen jnettop | grep -q '^ 198\.18\.0\.[12]  .* 198\.18\.0\.[12]  .* 5p  *5p  *10p$'
}
poll 10 counted
tmux_screen jnettop | grep -v '^ *$'
tmux_screen jnettop | grep -q "\[b\]ps=pckts/s" || fail "jnettop did not switch to packets"
expect "flows shown" 1 "$(tmux_screen jnettop |
    grep -c '^\(198\.18\.0\.2 <-> 198\.18\.0\.1\|198\.18\.0\.1 <-> 198\.18\.0\.2\) ')"
counted || fail "jnettop does not show 5 packets each way for the flow: $(tmux_screen jnettop | grep '^ 198')"
tmux_screen jnettop | grep -A1 '^TOTAL' | grep -q ' 5p  *5p  *10p$' ||
    fail "jnettop's totals are not 5, 5 and 10 packets"
tmux_keys jnettop q
poll 10 eval 'tmux_screen jnettop | grep -q "jnettop exit status"'
expect "jnettop's exit" "jnettop exit status 0" "$(tmux_screen jnettop | grep -o 'jnettop exit status [0-9]*')"
exit 0
