# tshark (through dumpcap) captures live from a bpf: tap into pcapng and
# reads it back dissected.  dumpcap started as root keeps only
# CAP_NET_RAW and CAP_NET_ADMIN, too little to load a BPF probe, so it
# runs here as the Wireshark docs suggest for capture: as an ordinary user
# holding the capabilities it needs (here CAP_BPF and CAP_PERFMON too).
. "$(dirname "$0")/lib.sh"
ensure_kernel_fs
make_veth_pair
# The tracepoint sees every namespace's packets: filter on our own.
add_own_addresses
command -v tshark >/dev/null || skip "tshark is not installed"

as_capture_user timeout $((WAIT_BOUND * 2)) tshark -i bpf:tracepoint:net:netif_receive_skb -c 3 \
    -w "$TMP/live.pcapng" -f "icmp and src host $OWN_A" > "$TMP/t.out" 2>&1 &
pid=$!
on_exit "kill $pid 2>/dev/null"
wait_for_text "$TMP/t.out" "Capturing on"
wait_attached $pid
ip netns exec "$NS_A" ping -c 5 -i 0.2 "$OWN_B" >/dev/null
wait $pid || fail "tshark failed: $(cat "$TMP/t.out")"
cat "$TMP/t.out"
out=$(tshark -r "$TMP/live.pcapng" -T fields -e frame.interface_name -e ip.src \
    -e icmp.type 2>/dev/null)
echo "$out"
[ "$(echo "$out" | grep -c "^bpf:tracepoint:net:netif_receive_skb	$OWN_A	8$")" -eq 3 ] ||
    fail "the pcapng does not hold 3 echo requests from the bpf: interface"

# As root, dumpcap's own privilege drop is reported, naming what is missing.
out=$(with_lib timeout $WAIT_BOUND tshark -i bpf:tracepoint:net:netif_receive_skb -c 1 2>&1)
echo "$out" | grep -q "needs CAP_BPF and CAP_PERFMON" ||
    fail "root dumpcap failure does not name the missing capabilities: $out"
exit 0
