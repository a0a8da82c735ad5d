# pmacctd on bpf:tc:veth_b, its memory plugin read with the pmacct client,
# accounts each host pair and protocol: 5 pings are 5 packets and 420 IP
# bytes each way, 3 UDP datagrams of 44 IP bytes are 3 packets and 132.
. "$(dirname "$0")/lib.sh"
need_program pmacctd
need_program pmacct
ensure_kernel_fs
make_quiet_veth_pair

start_server sink "$NS_B" sink-udp 198.18.0.2 9999
pipe=$TMP/pmacct.pipe
start_program pmacctd "$NS_B" 60 pmacctd -i bpf:tc:veth_b -P memory -p "$pipe" \
    -c src_host,dst_host,proto
wait_attached pmacctd "$NS_B" pmacctd 2
wait_output pmacctd "waiting for data on" 20
ping_from "$NS_A" 198.18.0.2 5
traffic "$NS_A" udp 198.18.0.2 9999 3 pmacct-marker

# "SRC DST PROTOCOL PACKETS BYTES" lines.
table() {
	ip netns exec "$NS_B" timeout 10 pmacct -p "$pipe" -s 2>&1 | awk '/^198/ { print $1, $2, $3, $4, $5 }' | sort
}
expected="198.18.0.1 198.18.0.2 icmp 5 420
198.18.0.1 198.18.0.2 udp 3 132
198.18.0.2 198.18.0.1 icmp 5 420"
poll 10 eval '[ "$(table)" = "$expected" ]'
seen=$(table)
echo "$seen"
stop_program pmacctd
[ "$seen" = "$expected" ] || fail "pmacct's table is not the traffic sent"
exit 0
