# A clsact capture SIGKILLed in the middle of attaching leaves nothing
# behind: the guardian that removes its filters and qdisc must exist
# before the first change to the interface, whatever point the kill
# comes at.  strace holds tcpdump at chosen points (its guardian not yet
# forked; its clsact qdisc made but no filter on it yet) so that the
# kill lands there on any machine, busy or not:
#  - the guardian's fork delayed by 3 s, the kill once the filter shows
#    (before the fix: qdisc and filter stayed, with their program);
#  - every netlink request of tcpdump held 1 s on its return, the kill
#    once the qdisc shows, before any filter is attached (before the
#    fix: the empty qdisc stayed);
#  - the same kill as the first, on a clsact qdisc the user added by
#    hand: it stays, and only the capture's filters go;
#  - a clsact qdisc the user adds after the capture found none (and
#    marked the one it was about to create as ours) but before it
#    creates it: it stays too, once the capture has ended.
# Each time: no filter and none of the capture's programs may be left,
# and no clsact qdisc but the user's.
. "$(dirname "$0")/lib.sh"
ensure_kernel_fs
command -v strace >/dev/null || skip "strace is not installed"
command -v bpftool >/dev/null || skip "bpftool is not installed"
make_veth_pair

qdisc_left() { ip netns exec "$NS_B" tc qdisc show dev veth_b | grep clsact; }
filters() {
	ip netns exec "$NS_B" tc filter show dev veth_b ingress
	ip netns exec "$NS_B" tc filter show dev veth_b egress
}
filter_shows() { filters | grep -q capture_tc; }
qdisc_shows() { [ -n "$(qdisc_left)" ]; }
nothing_left() {
	[ -z "$(filters)" ] || return 1
	if [ -n "$USER_QDISC" ]; then [ -n "$(qdisc_left)" ]; else [ -z "$(qdisc_left)" ]; fi
}
USER_QDISC=

# kill_during NAME WAIT_FOR STRACE-OPTIONS...: starts tcpdump at
# bpf:tc:veth_b under strace, waits until WAIT_FOR holds, kills tcpdump
# with SIGKILL there, and checks that everything goes.
kill_during() {
	local name=$1 ready=$2 st tcpdump ids
	shift 2
	ip netns exec "$NS_B" env LD_LIBRARY_PATH="$LIBDIR" \
	    PCAP_BPF_MECHANISMS=clsact timeout $((WAIT_BOUND * 2)) \
	    strace -f -o /dev/null "$@" \
	    /usr/bin/tcpdump -ni bpf:tc:veth_b -w /dev/null \
	    > "$TMP/$name.out" 2>&1 &
	st=$!
	on_exit "kill $st 2>/dev/null"
	wait_until "$st" "$ready" ||
	    { cat "$TMP/$name.out"; fail "$name: tcpdump did not get there within $WAIT_BOUND s"; }
	tcpdump=$(pgrep -x tcpdump -P "$(pgrep -x strace -P "$st")") ||
	    fail "$name: no tcpdump under strace"
	ids=$(programs_of "$tcpdump")
	[ -n "$ids" ] || fail "$name: tcpdump holds no BPF program"
	echo "$name: killing tcpdump with $(filters | grep -c capture_tc) filter(s) on, programs" $ids
	kill -KILL "$tcpdump"
	# strace holds its other tracees (the guardian) no more: killed, it
	# lets them go at once (SIGTERM would keep them until strace ends).
	kill -KILL "$(pgrep -x strace -P "$st")" 2>/dev/null
	wait "$st" 2>/dev/null
	wait_until $$ nothing_left ||
	    fail "$name: left after SIGKILL: $(qdisc_left) $(filters)"
	programs_gone $ids || fail "$name: the capture's programs stayed loaded"
	echo "$name: no filter, no program left; clsact qdisc: ${USER_QDISC:-none}"
}

kill_during guardian-fork filter_shows -e trace=clone,clone3 \
    -e inject=clone,clone3:delay_enter=3000000:when=1
kill_during qdisc-made qdisc_shows -e trace=sendto,sendmsg \
    -e inject=sendto,sendmsg:delay_exit=1000000
USER_QDISC="the user's, kept"
ip netns exec "$NS_B" tc qdisc add dev veth_b clsact || fail "tc qdisc add by hand"
on_exit "ip netns exec $NS_B tc qdisc del dev veth_b clsact 2>/dev/null"
kill_during users-qdisc filter_shows -e trace=clone,clone3 \
    -e inject=clone,clone3:delay_enter=3000000:when=1

# The user's qdisc comes between the capture's look and its creating one:
# every netlink request of tcpdump is held 2 s before the kernel sees it
# (less than the 3 s a netlink answer may take),
# and the qdisc added once the guardian runs (its look came first).
ip netns exec "$NS_B" tc qdisc del dev veth_b clsact
guardian_runs() {
	[ "$(ip netns pids "$NS_B" | xargs -r ps -o comm= -p | grep -cx tcpdump)" -ge 2 ]
}
ip netns exec "$NS_B" env LD_LIBRARY_PATH="$LIBDIR" \
    PCAP_BPF_MECHANISMS=clsact timeout $((WAIT_BOUND * 2)) \
    strace -f -o /dev/null -e trace=sendto,sendmsg \
    -e inject=sendto,sendmsg:delay_enter=2000000 \
    /usr/bin/tcpdump -ni bpf:tc:veth_b -w /dev/null > "$TMP/late.out" 2>&1 &
st=$!
on_exit "kill $st 2>/dev/null"
wait_until "$st" guardian_runs || fail "late-qdisc: no guardian within $WAIT_BOUND s"
qdisc_shows && fail "late-qdisc: the capture made its qdisc before its guardian ran"
ip netns exec "$NS_B" tc qdisc add dev veth_b clsact || fail "tc qdisc add by hand"
tracer=$(pgrep -x strace -P "$st")
tcpdump=$(pgrep -x tcpdump -P "$tracer") || fail "late-qdisc: no tcpdump under strace"
on_exit "kill $tcpdump 2>/dev/null"
# Let tcpdump and its guardian go on at full speed.
kill -KILL "$tracer"
wait "$st" 2>/dev/null
wait_for_text "$TMP/late.out" "listening on"
filter_shows || fail "late-qdisc: the capture attached no filter"
kill -INT "$tcpdump"
wait_until $$ eval '! kill -0 $tcpdump 2>/dev/null' || fail "late-qdisc: tcpdump did not end"
wait_until $$ nothing_left ||
    fail "late-qdisc: filters left, or the user's qdisc gone: [$(qdisc_left)] [$(filters)]"
echo "late-qdisc: no filter left; clsact qdisc: $USER_QDISC"

# A guardian that dies as it starts (here every dup2() fails, as when it
# cannot set up its descriptors): the capture must not attach anything
# unguarded.  It fails with the reason and leaves nothing (before the
# fix: tcpdump ran with nothing to remove its filters after a SIGKILL).
ip netns exec "$NS_B" tc qdisc del dev veth_b clsact 2>/dev/null
USER_QDISC=
ip netns exec "$NS_B" env LD_LIBRARY_PATH="$LIBDIR" \
    PCAP_BPF_MECHANISMS=clsact timeout $((WAIT_BOUND * 2)) \
    strace -f -o /dev/null -e trace=dup2 -e inject=dup2:error=EMFILE \
    /usr/bin/tcpdump -ni bpf:tc:veth_b -c 1 -w /dev/null > "$TMP/dead-guardian.out" 2>&1
status=$?
echo "dead-guardian: tcpdump exit $status: $(grep -v '^+++\|^---' "$TMP/dead-guardian.out" | head -2)"
grep -q "listening on" "$TMP/dead-guardian.out" &&
    fail "dead-guardian: tcpdump captured without a guardian"
grep -q "the clsact guardian did not start (it exited at once)" "$TMP/dead-guardian.out" ||
    fail "dead-guardian: no reason given: $(cat "$TMP/dead-guardian.out")"
wait_until $$ nothing_left || fail "dead-guardian: left: $(qdisc_left) $(filters)"
echo "dead-guardian: refused, nothing left"
exit 0
