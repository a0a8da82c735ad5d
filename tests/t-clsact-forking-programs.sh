# clsact captures (tc before Linux 6.6, forced here) in programs that fork:
# nothing the capture leaves running blocks them.
#  - tcpdump -G 1 -z CMD forks and execs CMD for each finished file: it
#    still exits at once after -c, and the filters go;
#  - $(tcpdump ...) in a shell returns when tcpdump does (the guardian
#    holds none of tcpdump's descriptors, the command-substitution pipe
#    included), and the filters go;
#  - a capture closed by its only process is clean when pcap_close()
#    returns, with no wait at all.
#  - a daemon (opens, forks, the parent exits: p0f -d does so; here a
#    Python program through ctypes) shares the capture with its child:
#    the parent exits at once, the child goes on capturing, and the
#    filters go when the child ends.
. "$(dirname "$0")/lib.sh"
ensure_kernel_fs
make_veth_pair
export PCAP_BPF_MECHANISMS=clsact

filters() {
	ip netns exec "$NS_B" tc filter show dev veth_b ingress
	ip netns exec "$NS_B" tc filter show dev veth_b egress
}
# The guardian of a forked capture removes the filters when the last
# holder is gone: asynchronously, within 10 s however busy the machine.
wait_clean() {
	local i=0
	while [ -n "$(filters)" ] && [ $i -lt 100 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	[ -z "$(filters)" ] || fail "$1: filters left on veth_b: $(filters)"
	ip netns exec "$NS_B" tc qdisc show dev veth_b | grep -q clsact &&
	    fail "$1: the clsact qdisc the capture created is left"
	return 0
}
pings() { ip netns exec "$NS_A" ping -c "$1" -i 0.2 198.18.0.2 >/dev/null; }

mkdir -p "$TMP/rot" && chmod 0777 "$TMP/rot"
IN_NS=$NS_B start_tcpdump rot -ni bpf:tc:veth_b:ingress -c 6 -G 1 -z /bin/true \
    -w "$TMP/rot/part-%s.pcap" icmp
pings 6
wait_tcpdump rot
kill -0 "$PID_rot" 2>/dev/null && fail "tcpdump -z did not end after -c 6"
n=$(cat "$TMP"/rot/part-*.pcap | wc -c)
echo "tcpdump -G 1 -z: $(ls "$TMP/rot" | wc -l) files, $n bytes"
[ "$n" -gt 0 ] || fail "tcpdump -G -z wrote nothing"
wait_clean "tcpdump -z"

cat > "$TMP/daemon.py" <<'PY'
import ctypes, os, sys, time
pcap = ctypes.CDLL("libpcap.so.0.8")
err = ctypes.create_string_buffer(256)
class Program(ctypes.Structure):
    _fields_ = [("bf_len", ctypes.c_uint), ("bf_insns", ctypes.c_void_p)]
pcap.pcap_open_live.restype = ctypes.c_void_p
p = pcap.pcap_open_live(b"bpf:tc:veth_b:ingress", 262144, 0, 100, err)
if not p:
    sys.exit("open: " + err.value.decode())
# Echo requests only: not the neighbour discovery that may come with them.
prog = Program()
if pcap.pcap_compile(ctypes.c_void_p(p), ctypes.byref(prog), b"icmp", 1,
                     0xffffffff) != 0 or \
        pcap.pcap_setfilter(ctypes.c_void_p(p), ctypes.byref(prog)) != 0:
    sys.exit("filter failed")
if os.fork() == 0:
    os.setsid()
    seen = [0]
    cb = ctypes.CFUNCTYPE(None, ctypes.c_void_p, ctypes.c_void_p, ctypes.c_void_p)(
        lambda u, h, b: seen.__setitem__(0, seen[0] + 1))
    end = time.time() + 20
    while seen[0] < 3 and time.time() < end:
        pcap.pcap_dispatch(ctypes.c_void_p(p), -1, cb, None)
    open(sys.argv[1], "w").write("%d\n" % seen[0])
    os._exit(0)	# no pcap_close(): the kernel and the guardian clean up
sys.exit(0)	# the parent: libpcap's atexit closes its copy
PY
start=$(date +%s)
ip netns exec "$NS_B" env LD_LIBRARY_PATH="$LIBDIR" timeout 15 \
    python3 "$TMP/daemon.py" "$TMP/daemon.count" || fail "the daemon's parent failed"
echo "daemon: the parent exited after $(( $(date +%s) - start )) s"
[ -n "$(filters)" ] || fail "the daemon's parent took the child's filters with it"
pings 3
i=0
while [ ! -s "$TMP/daemon.count" ] && [ $i -lt 150 ]; do sleep 0.1; i=$((i + 1)); done
echo "daemon: the child saw $(cat "$TMP/daemon.count" 2>/dev/null) packets"
[ "$(cat "$TMP/daemon.count" 2>/dev/null)" = 3 ] || fail "the daemon's child did not capture the 3 echo requests"
wait_clean "the daemon"

# The substitution returns when tcpdump ends; bounded, so a hang fails.
(sleep 1; pings 2) &
out=$(timeout 15 ip netns exec "$NS_B" env LD_LIBRARY_PATH="$LIBDIR" \
    tcpdump -ni bpf:tc:veth_b -c 2 icmp 2>&1)
rc=$?
echo "\$(tcpdump -c 2): exit $rc"
[ $rc -eq 0 ] || fail "\$(tcpdump ...) did not return by itself (exit $rc): $out"
echo "$out" | grep -q "2 packets captured" || fail "\$(tcpdump ...) captured: $out"
wait

# One process, no fork: clean when it has exited.
(sleep 1; pings 1) &
ip netns exec "$NS_B" env LD_LIBRARY_PATH="$LIBDIR" timeout 15 \
    tcpdump -ni bpf:tc:veth_b -c 1 icmp >/dev/null 2>&1 || fail "tcpdump -c 1"
left=$(filters)
[ -z "$left" ] || fail "filters left right after pcap_close(): $left"
wait
exit 0
