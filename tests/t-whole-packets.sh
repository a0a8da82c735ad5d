# Whole packets at tracing taps: a TCP stream with segmentation offloads
# over a veth pair, written 64 KiB at a time, is seen at
# bpf:tracepoint:net:net_dev_queue (before GSO) as large packets kept
# whole (caplen == len) and byte for byte as bpf:tc:veth_a:egress sees
# them; with TSO off (software GSO in front of the device),
# net_dev_start_xmit sees each segment whole and as AF_PACKET does.  Then
# the same through bpf_skb_output() (the path of fentry and fexit taps,
# which the host may refuse), forced at the tracepoints: the kernel's
# copy into a perf array, in three link types, sending and receiving.
# Where the kernel keeps tp_btf programs from reading paged data, the
# taps show the linear part and the test says so and skips.
. "$(dirname "$0")/lib.sh"
ensure_kernel_fs
make_veth_pair
add_own_addresses
filter="tcp and src host $OWN_A and dst host $OWN_B"

# stream BYTES: BYTES from A to B over TCP in 64 KiB writes, within 20 s.
stream_program='
import socket, sys
addr, port, total = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
s = socket.create_connection((addr, port), timeout=20)
chunk = bytes(range(256)) * 256
sent = 0
while sent < total:
    s.sendall(chunk)
    sent += len(chunk)
s.shutdown(socket.SHUT_WR)
s.recv(1)
s.close()
'
sink_program='
import socket, sys
l = socket.socket()
l.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
l.bind((sys.argv[1], int(sys.argv[2])))
l.listen(1)
l.settimeout(20)
c, _ = l.accept()
c.settimeout(20)
while c.recv(1 << 20):
    pass
c.close()
'
stream() {
	ip netns exec "$NS_B" timeout 25 python3 -c "$sink_program" "$OWN_B" 5001 &
	local sink=$!
	sleep 0.5
	ip netns exec "$NS_A" timeout 25 python3 -c "$stream_program" "$OWN_B" 5001 "$1" ||
	    fail "the TCP stream did not complete"
	wait "$sink"
}

# lengths FILE: "caplen len" of each packet.
lengths() {
	python3 - "$1" <<'EOF'
import struct, sys
data = open(sys.argv[1], "rb").read()
end = "<" if data[:4] in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1") else ">"
at = 24
while at + 16 <= len(data):
    _, _, caplen, length = struct.unpack(end + "IIII", data[at:at + 16])
    print(caplen, length)
    at += 16 + caplen
EOF
}

# same_packets A B WHAT: the two captures hold the same packets, byte for
# byte (as sorted sets: two rings are read in their own order).
same_packets() {
	grep -q "^0 packets dropped by kernel" "$TMP/$1.err" &&
	    grep -q "^0 packets dropped by kernel" "$TMP/$2.err" ||
	    fail "$3: packets dropped: $(grep -h dropped "$TMP/$1.err" "$TMP/$2.err" | tr '\n' ' ')"
	hex_packets "$TMP/$1.pcap" | sort > "$TMP/$1.hex"
	hex_packets "$TMP/$2.pcap" | sort > "$TMP/$2.hex"
	echo "$3: $(wc -l < "$TMP/$1.hex") and $(wc -l < "$TMP/$2.hex") packets"
	cmp -s "$TMP/$1.hex" "$TMP/$2.hex" || {
		cat "$TMP/$1.err" "$TMP/$2.err"
		diff "$TMP/$1.hex" "$TMP/$2.hex" | cut -c 1-160 | head -6
		fail "$3: the packets differ"
	}
}

# set_tso NS IF 0|1: the legacy ethtool ioctl (ETHTOOL_STSO), as
# ethtool -K IF tso off|on does; ethtool(8) may not be installed.
set_tso() {
	ip netns exec "$1" python3 - "$2" "$3" <<'EOF'
import ctypes, fcntl, socket, struct, sys
value = ctypes.create_string_buffer(struct.pack("II", 0x1f, int(sys.argv[2])))
ifreq = struct.pack("16sP", sys.argv[1].encode(), ctypes.addressof(value))
ifreq += bytes(40 - len(ifreq))
fcntl.ioctl(socket.socket(), 0x8946, ifreq)	# SIOCETHTOOL
EOF
}

stop() {
	local name
	sleep 1
	for name in "$@"; do
		eval "kill -INT \$PID_$name"
	done
	for name in "$@"; do
		wait_tcpdump "$name"
	done
}

# 1. Before GSO: the packets TCP hands to the device, offloads on.
set_tso "$NS_A" veth_a 1 || fail "cannot turn TSO on"
IN_NS=$NS_A start_tcpdump queue -ni bpf:tracepoint:net:net_dev_queue -y EN10MB -s 0 -B 32768 -U -w "$TMP/queue.pcap" "$filter"
IN_NS=$NS_A start_tcpdump tc -ni bpf:tc:veth_a:egress -y EN10MB -s 0 -B 32768 -U -w "$TMP/tc.pcap" "$filter"
# A filter reading 3000 bytes into the payload (paged data): byte i of
# the stream is i % 256, so each packet above 4000 bytes matches if the
# filter reads the right bytes.  Compiled (the keeper, as root's tcpdump
# drops privileges first) and interpreted, both in the probe.
deep="greater 4000 and (tcp[((tcp[12] & 0xf0) >> 2) + 3000] - tcp[(tcp[12] & 0xf0) >> 2]) & 0xff = $((3000 % 256))"
PCAP_BPF_DEBUG=1 IN_NS=$NS_A start_tcpdump deep -Z tcpdump -ni bpf:tracepoint:net:net_dev_queue -s 64 -B 8192 -U -w "$TMP/deep.pcap" "$filter and $deep"
PCAP_BPF_FILTER=interpret IN_NS=$NS_A start_tcpdump deepi -ni bpf:tracepoint:net:net_dev_queue -s 64 -B 8192 -U -w "$TMP/deepi.pcap" "$filter and $deep"
stream $((2 << 20))
stop queue tc deep deepi
grep -q "filter compiled in 1 of 1 taps" "$TMP/deep.err" ||
    fail "the deep filter was not compiled: $(grep filter "$TMP/deep.err")"
n_deep=$(packets_in "$TMP/deep.pcap")
n_deepi=$(packets_in "$TMP/deepi.pcap")
n_4000=$(packets_in "$TMP/queue.pcap" greater 4000)
echo "filter 3000 bytes into the payload: compiled $n_deep, interpreted $n_deepi, of $n_4000 packets above 4000 bytes"
[ "$n_4000" -gt 0 ] && [ "$n_deep" -eq "$n_4000" ] && [ "$n_deepi" -eq "$n_4000" ] ||
    fail "the filter reading paged data decided wrongly"
lengths "$TMP/queue.pcap" > "$TMP/queue.len"
large=$(awk '$2 > 1514' "$TMP/queue.len" | wc -l)
cut_short=$(awk '$1 != $2' "$TMP/queue.len" | wc -l)
echo "net_dev_queue: $(wc -l < "$TMP/queue.len") packets, $large above 1514 bytes, $cut_short cut short"
[ "$large" -gt 0 ] || skip "no packet above 1514 bytes: no segmentation offload here"
if [ "$cut_short" -gt 0 ]; then
	uname -r | awk -F. '{ exit !($1 < 6 || ($1 == 6 && $2 < 12)) }' &&
	    skip "Linux $(uname -r): tp_btf programs read no paged data before 6.12"
	fail "net_dev_queue: $cut_short packets cut short"
fi
same_packets queue tc "net_dev_queue vs tc egress"

# 2. After software GSO: TSO off, so the device's segments are made in
# front of it from the packets above; each arrives whole at
# net_dev_start_xmit (paged data of the packet it was cut from).
set_tso "$NS_A" veth_a 0 || fail "cannot turn TSO off"
IN_NS=$NS_A start_tcpdump xmit -ni bpf:tracepoint:net:net_dev_start_xmit -y EN10MB -s 0 -B 32768 -U -w "$TMP/xmit.pcap" "$filter"
IN_NS=$NS_A start_tcpdump af -ni veth_a -Q out -s 0 -B 32768 -U -w "$TMP/af.pcap" "$filter"
stream $((1 << 20))
stop xmit af
lengths "$TMP/xmit.pcap" > "$TMP/xmit.len"
cut_short=$(awk '$1 != $2' "$TMP/xmit.len" | wc -l)
large=$(awk '$2 > 1514' "$TMP/xmit.len" | wc -l)
echo "net_dev_start_xmit: $(wc -l < "$TMP/xmit.len") segments, $large above 1514 bytes, $cut_short cut short"
[ "$large" -eq 0 ] || fail "net_dev_start_xmit saw $large unsegmented packets"
[ "$cut_short" -eq 0 ] || fail "net_dev_start_xmit: $cut_short segments cut short"
same_packets xmit af "net_dev_start_xmit vs AF_PACKET"

# 3. Through bpf_skb_output() (PCAP_BPF_SKB_OUTPUT=only keeps the tp_btf
# probe from its skb dynptr): the path of fentry and fexit taps and of
# tp_btf before 6.12, where the kernel copies the paged data into a perf
# array.  TSO on again: net_dev_queue as tc egress sees it, in EN10MB and,
# their link headers aside, LINUX_SLL (whose header replaces the
# Ethernet one: the copy skips it) and NFLOG (metadata before the
# packet: tc's packets are among NFLOG's, which are all of A's); the receiving side's netif_receive_skb (a received frame: its
# MAC header before skb->data) as AF_PACKET there.
set_tso "$NS_A" veth_a 1 || fail "cannot turn TSO on"
# ip_bytes FILE: the packets from their network header on, one line each.
ip_bytes() {
	tcpdump -r "$1" -nn -t -x 2>/dev/null |
	    awk '/^[^\t ]/ { if (p) print p; p = "" ; next } { p = p $0 } END { if (p) print p }' |
	    sed 's/0x[0-9a-f]*://g' | tr -d ' \t' | sort
}
export PCAP_BPF_SKB_OUTPUT=only
PCAP_BPF_DEBUG=1 IN_NS=$NS_A start_tcpdump oqueue -ni bpf:tracepoint:net:net_dev_queue -y EN10MB -s 0 -B 32768 -U -w "$TMP/oqueue.pcap" "$filter"
if ! grep -q "packets with paged data through bpf_skb_output()" "$TMP/oqueue.err"; then
	grep -q "the kernel refuses bpf_skb_output()" "$TMP/oqueue.err" &&
	    skip "Linux $(uname -r) refuses bpf_skb_output() at tp_btf"
	cat "$TMP/oqueue.err"
	fail "net_dev_queue: no bpf_skb_output() path"
fi
IN_NS=$NS_A start_tcpdump osll -ni bpf:tracepoint:net:net_dev_queue -y LINUX_SLL -s 0 -B 32768 -U -w "$TMP/osll.pcap" "$filter"
# (tcpdump filters no NFLOG: all of A's packets, the stream's among them.)
IN_NS=$NS_A start_tcpdump onflog -ni bpf:tracepoint:net:net_dev_queue -y NFLOG -s 0 -B 32768 -U -w "$TMP/onflog.pcap"
IN_NS=$NS_B start_tcpdump orecv -ni "bpf:tracepoint:net:netif_receive_skb,dev=veth_b" -y EN10MB -s 0 -B 32768 -U -w "$TMP/orecv.pcap" "$filter"
IN_NS=$NS_A start_tcpdump otc -ni bpf:tc:veth_a:egress -y EN10MB -s 0 -B 32768 -U -w "$TMP/otc.pcap" "$filter"
IN_NS=$NS_B start_tcpdump oaf -ni veth_b -Q in -s 0 -B 32768 -U -w "$TMP/oaf.pcap" "$filter"
unset PCAP_BPF_SKB_OUTPUT
stream $((2 << 20))
stop oqueue osll onflog orecv otc oaf
lengths "$TMP/oqueue.pcap" > "$TMP/oqueue.len"
large=$(awk '$2 > 1514' "$TMP/oqueue.len" | wc -l)
cut_short=$(awk '$1 != $2' "$TMP/oqueue.len" | wc -l)
echo "net_dev_queue through bpf_skb_output(): $(wc -l < "$TMP/oqueue.len") packets, $large above 1514 bytes, $cut_short cut short"
[ "$large" -gt 0 ] || skip "no packet above 1514 bytes: no segmentation offload here"
[ "$cut_short" -eq 0 ] || fail "net_dev_queue through bpf_skb_output(): $cut_short packets cut short"
same_packets oqueue otc "bpf_skb_output(): net_dev_queue vs tc egress"
same_packets orecv oaf "bpf_skb_output(): netif_receive_skb vs AF_PACKET on veth_b"
for name in osll onflog; do
	grep -q "^0 packets dropped by kernel" "$TMP/$name.err" ||
	    fail "$name: packets dropped: $(grep dropped "$TMP/$name.err")"
	ip_bytes "$TMP/$name.pcap" > "$TMP/$name.ip"
done
ip_bytes "$TMP/otc.pcap" > "$TMP/otc.ip"
cmp -s "$TMP/osll.ip" "$TMP/otc.ip" ||
    fail "bpf_skb_output(): LINUX_SLL's packets differ from tc egress's"
[ -z "$(comm -13 "$TMP/onflog.ip" "$TMP/otc.ip")" ] ||
    fail "bpf_skb_output(): NFLOG lacks packets tc egress has, or has them otherwise"
echo "bpf_skb_output(): LINUX_SLL and NFLOG: the same $(wc -l < "$TMP/otc.ip") packets as tc egress"
exit 0
