# tshark (through dumpcap, as a capture user: see t-live-tshark.sh) at the
# kernel-wide tap bpf:tracepoint:net:netif_receive_skb, run in a namespace:
# it lists the tap, and dissects each of 4 echo requests received by
# veth_b, with the ICMP sequence numbers, in order.  The replies, received
# by veth_a in the other namespace, are not its to see: a capture inside a
# namespace is scoped to it (README.bpftrace, Scope).
. "$(dirname "$0")/lib.sh"
need_program tshark
ensure_kernel_fs
make_quiet_veth_pair
renumber_veth_pair

in_ns_as_capture_user "$NS_B" timeout 30 tshark -D > "$TMP/list.txt" 2>&1
grep -q '\. bpf:tracepoint:net:netif_receive_skb\b' "$TMP/list.txt" ||
    { cat "$TMP/list.txt"; fail "tshark -D does not list bpf:tracepoint:net:netif_receive_skb"; }

in_ns_as_capture_user "$NS_B" timeout 60 tshark -i bpf:tracepoint:net:netif_receive_skb -c 4 \
    -f 'icmp and host 198.19.80.1' -T fields -e ip.src -e ip.dst -e icmp.type -e icmp.seq \
    > "$TMP/tshark.out" 2> "$TMP/tshark.err" &
pid=$!
on_exit "kill $pid 2>/dev/null"
poll 20 has_links "$NS_B" dumpcap 1 ||
    { cat "$TMP/tshark.err"; fail "dumpcap did not attach its capture within 20 s"; }
wait_for_text "$TMP/tshark.err" "Capturing on"
ping_from "$NS_A" 198.19.80.2 4
poll 20 eval "! kill -0 $pid 2>/dev/null" || fail "tshark did not see 4 packets: $(cat "$TMP/tshark.out")"
wait $pid || fail "tshark failed: $(cat "$TMP/tshark.err")"
cat "$TMP/tshark.out" "$TMP/tshark.err"

expected=$(for seq in 1 2 3 4; do
	printf '198.19.80.1\t198.19.80.2\t8\t%s\n' $seq
done)
[ "$(cat "$TMP/tshark.out")" = "$expected" ] ||
    fail "tshark did not dissect the 4 requests in order"
exit 0
