# The broker as systemd starts it: socket activation (the listening
# socket passed as descriptor 3, LISTEN_FDS), tried with
# systemd-socket-activate, since PID 1 here need not be systemd; a client
# without capabilities captures through it.  The unit files verify with
# systemd-analyze against the installed broker path.
. "$(dirname "$0")/lib.sh"
ensure_kernel_fs
command -v systemd-socket-activate >/dev/null || skip "systemd-socket-activate is not installed"
make_veth_pair
SOCK=$TMP/activated.sock
mkdir -p "$TMP/shared"
cp -L "$LIBDIR/libpcap.so.0.8" "$TESTPROGS/tap_counts" "$TMP/shared/"
chmod -R a+rX "$TMP/shared"
: > "$TMP/broker.conf"
ip netns exec "$NS_B" systemd-socket-activate --seqpacket -l "$SOCK" \
    "$TOP/build/bin/pcap-bpftrace-broker" --config "$TMP/broker.conf" \
    > "$TMP/activate.log" 2>&1 &
ACTIVATOR=$!
on_exit "kill $ACTIVATOR 2>/dev/null; pkill -f 'pcap-bpftrace-broker --config $TMP/broker.conf' 2>/dev/null"
wait_for_text "$TMP/activate.log" "Listening on"

ip netns exec "$NS_B" env LD_LIBRARY_PATH="$TMP/shared" PCAP_BPF_BROKER="$SOCK" \
    setpriv --inh-caps=-all --bounding-set=-all \
    "$TMP/shared/tap_counts" -i bpf:tc:veth_b:ingress -t 120000 -c 3 icmp > "$TMP/counts.out" 2>&1 &
client=$!
on_exit "kill $client 2>/dev/null"
wait_for_text "$TMP/counts.out" "ready"
ip netns exec "$NS_A" ping -c 3 -i 0.2 198.18.0.2 >/dev/null
wait $client
cat "$TMP/counts.out"
grep -q "matched 3 " "$TMP/counts.out" || fail "the socket-activated broker's capture did not see 3 echo requests"
pgrep -f "pcap-bpftrace-broker --config $TMP/broker.conf" >/dev/null ||
    fail "no broker was started by socket activation"

# The units, as installed, next to the system's own units (which they
# need: sockets.target, sysinit.target).
mkdir -p "$TMP/root/usr/sbin" "$TMP/root/lib/systemd"
cp -a /lib/systemd/system "$TMP/root/lib/systemd/"
cp "$TOP/build/bin/pcap-bpftrace-broker" "$TMP/root/usr/sbin/"
cp "$TOP/systemd/pcap-bpftrace-broker.socket" "$TOP/systemd/pcap-bpftrace-broker.service" \
    "$TMP/root/lib/systemd/system/"
out=$(systemd-analyze verify --root="$TMP/root" pcap-bpftrace-broker.socket \
    pcap-bpftrace-broker.service 2>&1) || fail "the units do not verify: $out"
echo "systemd-analyze verify: ${out:-clean}"
exit 0
