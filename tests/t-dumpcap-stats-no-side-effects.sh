# Wireshark's main window runs 'dumpcap -S', which opens every listed
# device and reads its statistics; Wireshark probes each device's link
# types (dumpcap -L).  Through the capture broker (dumpcap started by
# root keeps only CAP_NET_RAW/CAP_NET_ADMIN, so it uses the broker) that
# must change nothing: no XDP program attached, no clsact qdisc or tc
# filter, no probe even loaded (so none runs for any packet, and no ring
# is allocated), while traffic flows, for 10 s.  (Captures through the
# broker: t-broker.sh.)  In a namespace of the test's own, with the
# broker serving it.
. "$(dirname "$0")/lib.sh"
ensure_kernel_fs
command -v dumpcap >/dev/null || skip "dumpcap is not installed"
make_veth_pair
SOCK=$TMP/broker.sock
mkdir -p "$TMP/shared"
cp -L "$LIBDIR/libpcap.so.0.8" "$TMP/shared/"
chmod -R a+rX "$TMP/shared"
: > "$TMP/broker.conf"
ip netns exec "$NS_B" "$TOP/build/bin/pcap-bpftrace-broker" --foreground \
    --socket "$SOCK" --config "$TMP/broker.conf" > "$TMP/broker.log" 2>&1 &
BROKER=$!
on_exit "kill $BROKER 2>/dev/null"
wait_for_text "$TMP/broker.log" "serving $SOCK"

stats_was=$(sysctl -n kernel.bpf_stats_enabled)
sysctl -qw kernel.bpf_stats_enabled=1
on_exit "sysctl -qw kernel.bpf_stats_enabled=$stats_was"

in_b() { ip netns exec "$NS_B" env LD_LIBRARY_PATH="$TMP/shared" PCAP_BPF_BROKER="$SOCK" "$@"; }

# Link types of an XDP tap, as Wireshark's capability probe asks them.
out=$(in_b dumpcap -L -i bpf:xdp:veth_b 2>&1) || fail "dumpcap -L: $out"
echo "$out" | grep -q "EN10MB" || fail "dumpcap -L lists no EN10MB: $out"

# dumpcap -S runs until stopped; it is looked at while it runs (the
# moments below only give it time to do something wrong: it must not).
in_b timeout $((WAIT_BOUND * 2)) dumpcap -S > "$TMP/stats.out" 2> "$TMP/stats.err" &
pid=$!
on_exit "kill $pid 2>/dev/null"
wait_for_text "$TMP/stats.out" "bpf:tc:veth_b"
ip netns exec "$NS_A" ping -c 20 -i 0.2 198.18.0.2 >/dev/null &
ping_pid=$!
sleep 2
xdp=$(ip -n "$NS_B" link show veth_b | grep -o 'xdp[a-z]*' || true)
qdisc=$(tc -n "$NS_B" qdisc show dev veth_b | grep clsact || true)
filters=$(tc -n "$NS_B" filter show dev veth_b ingress; tc -n "$NS_B" filter show dev veth_b egress)
children=$(pgrep -P "$BROKER" | wc -l)
wait $ping_pid
# The BPF objects the broker's children hold for dumpcap's devices.
held=$(for child in $(pgrep -P "$BROKER"); do
	for fd in /proc/$child/fd/*; do
		readlink "$fd"
	done
done | grep -c 'anon_inode:bpf' || true)
kill -0 $pid 2>/dev/null || fail "dumpcap -S ended before it was looked at: $(cat "$TMP/stats.err")"
kill $pid
wait $pid
devices=$(cut -f1 "$TMP/stats.out" | sort -u | grep -c '^bpf:')
echo "dumpcap -S: $devices bpf: devices open through $children broker children;" \
    "XDP '${xdp}', clsact '${qdisc}', filters '${filters}';" \
    "BPF programs and maps held: $held"
[ "$devices" -gt 2 ] || fail "dumpcap -S did not open the bpf: devices: $(head -5 "$TMP/stats.out")"
[ "$children" -gt 2 ] || fail "the broker served $children of dumpcap's devices"
[ -z "$xdp" ] || fail "dumpcap -S attached XDP to veth_b: $xdp"
[ -z "$qdisc" ] || fail "dumpcap -S created a clsact qdisc: $qdisc"
[ -z "$filters" ] || fail "dumpcap -S added tc filters: $filters"
[ "$held" -eq 0 ] || fail "the broker holds $held BPF objects for a statistics loop"
exit 0
