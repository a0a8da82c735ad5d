# Captures at a user's own XDP or tc program (fentry/fexit on it) up to
# where this host stops them: it refuses BPF trampolines, so the capture
# itself runs in the kernel matrix (tests/kernels/guest-taps.sh, rows
# xdp_prog* and tc_prog*).  Here: the program is found by name or id (a
# name two programs share lists their ids), each refusal is one line with
# its PCAP_ERROR_* code and leaves no BPF object, the user's programs stay
# attached, and tcpdump -D says that bpf:xdp: captures at the program.
. "$(dirname "$0")/lib.sh"
ensure_kernel_fs
make_veth_pair
T=$TESTPROGS/tap_activate

# expect DEVICE STATUS TEXT: tap_activate in B's namespace.  A target
# without packets for us is PCAP_ERROR_CAPTURE_NOTSUP, -13 (libpcap 1.10's
# PCAP_ERROR, -1, which has none).
expect() {
	out=$(ip netns exec "$NS_B" "$T" "$1" 2>&1)
	echo "$out"
	echo "$out" | grep -q "^status $2" || fail "$1: expected status $2"
	echo "$out" | grep -qF -- "$3" || fail "$1: message lacks '$3'"
	[ "$(echo "$out" | grep -c '^error ')" = 1 ] || fail "$1: not one error line"
	echo "$out" | grep -q "^bpf_fds 0" || fail "$1: BPF objects left after the failed activate"
}

expect bpf:tc:veth_b:ingress:prog=no_such_prog_pbt -5 \
    "no tc program named no_such_prog_pbt is loaded (bpftool prog lists them)"
expect bpf:tc:veth_b:ingress:shot -5 "entry and verdicts are a program's"
expect bpf:xdp:veth_b:pass "-1[3 ]" "veth_b has no XDP program of its own"

ip netns exec "$NS_B" tc qdisc add dev veth_b clsact &&
    ip netns exec "$NS_B" tc filter add dev veth_b ingress bpf da \
    obj "$TESTPROGS/tc_shoot_echo.bpf.o" sec tc ||
    fail "could not attach the user's tc program"
id=$(ip netns exec "$NS_B" tc filter show dev veth_b ingress | sed -n 's/.* id \([0-9]*\) name shoot_echo .*/\1/p')
[ -n "$id" ] || fail "no id for the user's tc program"
# Found by name and by id; refused where trampolines are.
for name in bpf:tc:veth_b:ingress:prog=shoot_echo bpf:tc:veth_b:ingress:prog=$id:shot; do
	out=$(ip netns exec "$NS_B" "$T" "$name" 2>&1)
	echo "$out"
	echo "$out" | grep -q "^status 0" && continue
	echo "$out" | grep -q "^error $name: at veth_b's tc program shoot_echo (id $id): fexit loading: .*(this kernel refuses BPF trampolines)$" ||
	    fail "$name: the refusal does not say where and why"
	echo "$out" | grep -q "^bpf_fds 0" || fail "$name: BPF objects left"
done
# An XDP program is no tc program.
ip -n "$NS_B" link set dev veth_b xdpgeneric obj "$TESTPROGS/xdp_drop_third.bpf.o" sec xdp ||
    fail "could not attach the user's XDP program"
xdp_id=$(ip -n "$NS_B" -d link show veth_b | sed -n 's/.*prog\/xdp id \([0-9]*\).*/\1/p')
expect "bpf:tc:veth_b:ingress:prog=$xdp_id" "-1[3 ]" "program $xdp_id is not a tc program"
# Two tc programs of one name: their ids, for the user to pick.
ip netns exec "$NS_B" tc filter add dev veth_b egress bpf da \
    obj "$TESTPROGS/tc_shoot_echo.bpf.o" sec tc 2>/dev/null ||
    ip netns exec "$NS_B" tc filter add dev veth_b ingress pref 2 bpf da \
    obj "$TESTPROGS/tc_shoot_echo.bpf.o" sec tc || fail "no second tc program"
expect bpf:tc:veth_b:ingress:prog=shoot_echo -5 "tc programs are named shoot_echo (ids "
out=$(ip netns exec "$NS_B" "$T" bpf:tc:veth_b:ingress:prog=shoot_echo 2>&1)
echo "$out" | grep -q "(ids [0-9]*, [0-9]*.*): name one by its id, prog=ID" ||
    fail "the ambiguous name does not list the ids"

# The device list: bpf:xdp:veth_b is at the user's program.
ip netns exec "$NS_B" env LD_LIBRARY_PATH="$LIBDIR" tcpdump -D > "$TMP/list" 2>&1
grep "bpf:xdp:veth_b " "$TMP/list" | grep -q "packets at veth_b's XDP program (id $xdp_id), after it, with its verdict" ||
    fail "tcpdump -D does not say bpf:xdp:veth_b captures at the program: $(grep bpf:xdp:veth_b "$TMP/list")"
ip -n "$NS_B" -d link show veth_b | grep -q "prog/xdp id $xdp_id" ||
    fail "the user's XDP program is gone"
exit 0
