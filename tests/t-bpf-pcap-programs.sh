#!/bin/bash
# Users' own programs that call bpf_pcap() (bpf/bpf_pcap.h), captured by
# the system's tcpdump through bpf:prog:ID and bpf:pinned:PATH: an XDP
# example writing to a perf event array, a tc example writing to a ring
# buffer, a tp_btf example writing raw IP; bytes compared with AF_PACKET's
# capture of the same traffic.  A hostile producer's malformed records are
# counted as drops, never delivered (and valgrind sees no error).  Errors
# name what was found instead.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-user-program.sh"
# A veth pair without IPv6 chatter (the captures compare the pings only)
# and a BPF file system of the test's own.
user_program_setup
# The tp_btf program sees every namespace's packets: ours are to and from
# addresses of this test's own.
add_own_addresses

# The pings carry a pattern of this run's: the tracepoint example sees
# every namespace's packets, other tests' pings between the same
# addresses among them.
PATTERN=$(printf 'c0de%04x' $(( $$ & 0xffff )))
pings() {
	ip netns exec "$NS_A" ping -c 5 -i 0.1 -s "${1:-56}" -p "$PATTERN" \
	    "$OWN_B" >/dev/null
}

# capture NAME DEVICE [tcpdump options]: tcpdump in B's namespace, 5 pings.
capture() {
	local name=$1 dev=$2
	shift 2
	IN_NS=$NS_B start_tcpdump "$name" -ni "$dev" -U -w "$TMP/$name.pcap" "$@"
}

# finish NAME: stops the capture once it holds the 5 echo requests every
# capture here sees (however busy the machine), and a moment later for
# any extra (a shorter moment can only miss an extra, not fail a good run).
finish() {
	local pid
	wait_for_packets "$TMP/$1.pcap" 5
	sleep 0.3
	eval "pid=\$PID_$1"
	kill -INT "$pid"
	wait_tcpdump "$1"
}

# same_packets OURS THEIRS WHAT: byte-identical packet lists.
same_packets() {
	hex_packets "$TMP/$1.pcap" > "$TMP/$1.txt"
	hex_packets "$TMP/$2.pcap" > "$TMP/$2.txt"
	echo "$3: $(wc -l < "$TMP/$1.txt") packets, AF_PACKET $(wc -l < "$TMP/$2.txt")"
	[ "$(wc -l < "$TMP/$2.txt")" -ge 5 ] || fail "$3: AF_PACKET saw too little"
	cmp -s "$TMP/$1.txt" "$TMP/$2.txt" || {
		diff "$TMP/$1.txt" "$TMP/$2.txt" | head; fail "$3: bytes differ from AF_PACKET's"; }
}

# XDP, perf event array, by program id; Ethernet frames as captured.
load pcap_xdp
listed=$(with_lib tcpdump -D 2>/dev/null | grep "bpf:prog:$ID ")
echo "tcpdump -D: $listed"
echo "$listed" | grep -q "program pcap_xdp emits with bpf_pcap()" ||
    fail "tcpdump -D does not list bpf:prog:$ID"
capture xdp "bpf:prog:$ID" -y EN10MB icmp
capture xdp_af veth_b -Q in icmp
pings
finish xdp; finish xdp_af
same_packets xdp xdp_af "bpf:prog:$ID (XDP, perf event array), EN10MB"
# LINUX_SLL2: the id is the interface, so tcpdump names it.
capture xdp_sll2 "bpf:prog:$ID" -y LINUX_SLL2 icmp
pings
finish xdp_sll2
python3 - "$TMP/xdp_sll2.pcap" "$IFINDEX_B" <<'PY' || fail "LINUX_SLL2 rendering of the XDP example"
import struct, sys
data, pos, n = open(sys.argv[1], "rb").read(), 24, 0
while pos + 16 <= len(data):
    caplen = struct.unpack_from("<I", data, pos + 8)[0]
    proto, ifindex, hatype, pkttype, halen = struct.unpack_from(">HxxIHBB", data, pos + 16)
    assert (proto, ifindex, hatype, pkttype, halen) == (0x0800, int(sys.argv[2]), 1, 0, 6), \
        (proto, ifindex, hatype, pkttype, halen)
    n += 1; pos += 16 + caplen
print("LINUX_SLL2: %d packets, each with interface %s, host, IPv4" % (n, sys.argv[2]))
sys.exit(0 if n == 5 else 1)
PY
# The default, LINUX_SLL: Ethernet's source address and packet type.
capture xdp_sll "bpf:prog:$ID" icmp
pings
finish xdp_sll
python3 - "$TMP/xdp_sll.pcap" "$MAC_A" <<'PY' || fail "LINUX_SLL rendering of the XDP example"
import struct, sys
data, pos, n = open(sys.argv[1], "rb").read(), 24, 0
assert struct.unpack_from("<I", data, 20)[0] == 113, "link type is not LINUX_SLL"
mac = bytes.fromhex(sys.argv[2].replace(":", ""))
while pos + 16 <= len(data):
    caplen = struct.unpack_from("<I", data, pos + 8)[0]
    pkttype, hatype, halen, addr, proto = struct.unpack_from(">HHH8sH", data, pos + 16)
    assert (pkttype, hatype, halen, addr[:6], proto) == (0, 1, 6, mac, 0x0800), \
        (pkttype, hatype, halen, addr, proto)
    n += 1; pos += 16 + caplen
print("LINUX_SLL: %d packets, each to this host, from %s, IPv4" % (n, sys.argv[2]))
sys.exit(0 if n == 5 else 1)
PY
unload pcap_xdp

# tc, ring buffer: the pinned map, then the pinned program with -s 100
# (a ring buffer has one consumer position: one capture at a time).
load pcap_tc
capture tc_map "bpf:pinned:$bpffs/pcap_tc/packets" -y EN10MB icmp
capture tc_af veth_b -Q in icmp
pings 1000
finish tc_map; finish tc_af
same_packets tc_map tc_af "bpf:pinned:.../packets (tc, ring buffer), EN10MB"
capture tc_snap "bpf:pinned:$bpffs/pcap_tc/prog" -y EN10MB -s 100 icmp
pings 1000
finish tc_snap
conf=$(bpftool map dump pinned "$bpffs/pcap_tc/bpf_pcap_conf" 2>/dev/null | tr -d '\n')
echo "bpf_pcap_conf as the capture left it: $conf"
caps=$(tcpdump -r "$TMP/tc_snap.pcap" -nn -e 2>/dev/null | grep -c "length 1042")
[ "$caps" -ge 5 ] || fail "the -s 100 capture did not see the 1042-byte frames"
python3 - "$TMP/tc_snap.pcap" <<'PY' || fail "records longer than the 100-byte snap length the program was told"
import struct, sys
data = open(sys.argv[1], "rb").read()
pos, lens = 24, []
while pos + 16 <= len(data):
    caplen, wirelen = struct.unpack_from("<II", data, pos + 8)
    lens.append((caplen, wirelen)); pos += 16 + caplen
print("snap 100: caplen/len", sorted(set(lens)))
sys.exit(0 if lens and all(c <= 100 for c, w in lens) else 1)
PY
unload pcap_tc

# tp_btf, raw IP from the network header: equal to AF_PACKET's frames
# without their Ethernet header.
load pcap_tp
capture tp "bpf:prog:$ID" -y RAW "icmp and src host $OWN_A"
capture tp_af veth_b -Q in "icmp and src host $OWN_A"
pings
finish tp; finish tp_af
python3 - "$TMP/tp.pcap" "$TMP/tp_af.pcap" "$PATTERN" <<'PY' || fail "tp_btf raw IP records differ from AF_PACKET's frames"
import struct, sys
ours = bytes.fromhex(sys.argv[3]) * 2
def packets(path):
    data, pos, out = open(path, "rb").read(), 24, []
    while pos + 16 <= len(data):
        caplen = struct.unpack_from("<I", data, pos + 8)[0]
        packet = data[pos + 16:pos + 16 + caplen]; pos += 16 + caplen
        if ours in packet:
            out.append(packet)
    return out
raw, frames = packets(sys.argv[1]), packets(sys.argv[2])
print("tp_btf raw IP: %d packets, AF_PACKET %d" % (len(raw), len(frames)))
sys.exit(0 if len(frames) >= 5 and raw == [f[14:] for f in frames] else 1)
PY
# NFLOG shows the program's 48-bit id (0x1234 in the example) in the prefix.
capture tp_nflog "bpf:prog:$ID" -y NFLOG
pings
finish tp_nflog
prefixes=$(tshark -r "$TMP/tp_nflog.pcap" -T fields -e nflog.prefix \
    -Y "icmp.type == 8 and ip.src == $OWN_A" 2>/dev/null | sort | uniq -c)
echo "NFLOG prefixes: $prefixes"
echo "$prefixes" | grep -q "^ *5 prog:$ID id 4660$" ||
    fail "NFLOG rendering of bpf_pcap() records: expected 5 echo requests with 'prog:$ID id 4660'"
unload pcap_tp

# The hostile producer: 6 malformed records and 1 good one per packet.
load pcap_hostile
ip netns exec "$NS_B" valgrind -q --error-exitcode=9 --leak-check=full \
    --errors-for-leak-kinds=definite --suppressions="$TOP/tests/valgrind.supp" \
    "$TESTPROGS/tap_counts" -i "bpf:prog:$ID" -t 180000 -c 5 icmp > "$TMP/hostile.out" 2>&1 &
vg=$!
on_exit "kill $vg 2>/dev/null"
WAIT_BOUND=180 wait_for_text "$TMP/hostile.out" ready
pings
wait $vg
rc=$?
cat "$TMP/hostile.out"
[ $rc -ne 9 ] || fail "valgrind found errors reading malformed records"
read -r delivered matched recv drop < <(sed -n 's/delivered \([0-9]*\) matched \([0-9]*\) recv \([0-9]*\) drop \([0-9]*\).*/\1 \2 \3 \4/p' "$TMP/hostile.out")
[ "$delivered" -eq 5 ] && [ "$matched" -eq 5 ] && [ "$recv" -eq $((7 * delivered)) ] && [ "$drop" -eq $((6 * delivered)) ] ||
    fail "hostile records: expected the 5 echo requests delivered, 35 records read, 30 dropped"
unload pcap_hostile

# Errors: one line each, naming what was found.
err() {
	ip netns exec "$NS_B" env LD_LIBRARY_PATH="$LIBDIR" "$TESTPROGS/tap_activate" "$1" 2>&1
}
check_error() {
	local dev=$1 text=$2 out
	out=$(err "$dev")
	echo "$dev: $out"
	echo "$out" | grep -q -- "$text" || fail "$dev: expected '$text'"
}
check_error bpf:prog:4294967295 "no BPF program with id 4294967295"
check_error bpf:prog:abc "'abc' is not a program id"
check_error "bpf:pinned:$bpffs/nothing" "nothing is pinned at"
check_error bpf:pinned:relative/path "is not an absolute path"
ip -n "$NS_B" link set dev veth_b xdpgeneric obj "$TESTPROGS/xdp_pass.bpf.o" sec xdp.frags ||
    fail "loading xdp_pass"
on_exit "ip -n $NS_B link set dev veth_b xdpgeneric off 2>/dev/null"
pass_id=$(ip -n "$NS_B" -d link show veth_b | sed -n 's/.*prog\/xdp id \([0-9]*\).*/\1/p' | head -1)
check_error "bpf:prog:$pass_id" "has no perf event array or ring buffer map"
exit 0
