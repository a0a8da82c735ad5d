# An interface deleted under a tc or XDP capture ends the capture as on
# pcap-linux: pcap_loop() fails with "The interface disappeared", and
# tcpdump says so and exits non-zero, within a bound (it used to sleep
# for ever).  In process with tcx, clsact and XDP, and for a client of the
# capture broker without privileges; nothing is left loaded afterwards.
. "$(dirname "$0")/lib.sh"
ensure_kernel_fs
command -v bpftool >/dev/null || skip "bpftool is not installed"
make_veth_pair

# The programs a capture holds (tcpdump is the child of timeout(1), whose
# pid the caller has): other tests' captures may run meanwhile.
programs_of() {
	local child
	child=$(pgrep -P "$1" | head -1)
	[ -n "$child" ] && cat /proc/"$child"/fdinfo/* 2>/dev/null |
	    awk '/^prog_id:/ { print $2 }' | sort -u
}

# Whether none of the programs given is loaded any more.
none_loaded() {
	local id
	for id in "$@"; do
		bpftool prog show id "$id" >/dev/null 2>&1 && return 1
	done
	return 0
}

# check_ends NAME: the tcpdump started as NAME (pid in PID_NAME) must end
# once veth_b is deleted, non-zero, with pcap-linux's words; then the
# pair is made again for the next capture.
check_ends() {
	local name=$1 pid status
	eval "pid=\$PID_$name"
	ids=$(programs_of "$pid")
	[ -n "$ids" ] || fail "$name: no programs found in tcpdump's descriptors"
	# The capture works until then.
	ip netns exec "$NS_A" ping -c 2 -i 0.2 -q 198.18.0.2 >/dev/null 2>&1
	ip -n "$NS_B" link del veth_b || fail "deleting veth_b"
	wait_until "$pid" false
	if kill -0 "$pid" 2>/dev/null; then
		fail "$name: tcpdump still running 10 s after its interface was deleted: $(cat "$TMP/$name.err")"
	fi
	wait "$pid"
	status=$?
	echo "$name: exit status $status: $(grep -h disappeared "$TMP/$name.err")"
	[ "$status" -ne 124 ] || fail "$name: killed by timeout(1)"
	[ "$status" -ne 0 ] || [ "$name" = selpoll ] ||
	    fail "$name: tcpdump's exit status $status"
	grep -q "The interface disappeared" "$TMP/$name.err" ||
	    fail "$name: tcpdump did not say the interface disappeared: $(cat "$TMP/$name.err")"
	# Links and programs go with the process (programs after an RCU
	# grace period).
	wait_until 1 none_loaded $ids ||
	    fail "$name: programs $(echo $ids) left loaded"
	link_namespaces "$NS_A" veth_a 198.18.0.1/24 "$NS_B" veth_b 198.18.0.2/24
}

IN_NS=$NS_B start_tcpdump tcx -ni bpf:tc:veth_b
check_ends tcx
PCAP_BPF_MECHANISMS=clsact IN_NS=$NS_B start_tcpdump clsact -ni bpf:tc:veth_b
check_ends clsact
IN_NS=$NS_B start_tcpdump xdp -ni bpf:xdp:veth_b
check_ends xdp

# An application that polls the selectable descriptor (no timeout) learns
# it too: the descriptor becomes readable, pcap_dispatch() fails.
ip netns exec "$NS_B" env LD_LIBRARY_PATH="$LIBDIR" timeout 30 \
    stdbuf -oL "$PCAP_TESTPROGS/selpolltest" -q -p -n -i bpf:tc:veth_b \
    > "$TMP/selpoll.out" 2> "$TMP/selpoll.err" &
PID_selpoll=$!
on_exit "kill $PID_selpoll 2>/dev/null"
wait_for_text "$TMP/selpoll.out" "Listening on"
check_ends selpoll

# A client of the broker, without privileges: it holds only the
# descriptors the broker passed.
group=pbt$$
groupadd "$group" || fail "groupadd $group"
on_exit "groupdel $group 2>/dev/null"
gid=$(getent group "$group" | cut -d: -f3)
printf 'groups = %s\n' "$group" > "$TMP/broker.conf"
SOCK=$TMP/broker.sock
mkdir -p "$TMP/shared"
cp -L "$LIBDIR/libpcap.so.0.8" "$TMP/shared/"
chmod -R a+rX "$TMP/shared"
ip netns exec "$NS_B" "$TOP/build/bin/pcap-bpftrace-broker" --foreground \
    --socket "$SOCK" --config "$TMP/broker.conf" > "$TMP/broker.log" 2>&1 &
on_exit "kill $! 2>/dev/null"
wait_for_text "$TMP/broker.log" "serving $SOCK"
ip netns exec "$NS_B" setpriv --reuid=65534 --regid=65534 --groups="$gid" \
    --inh-caps=-all --bounding-set=-all env LD_LIBRARY_PATH="$TMP/shared" \
    PCAP_BPF_BROKER="$SOCK" timeout 30 /usr/bin/tcpdump -ni bpf:tc:veth_b \
    > "$TMP/client.out" 2> "$TMP/client.err" &
PID_client=$!
on_exit "kill $PID_client 2>/dev/null"
wait_for_text "$TMP/client.err" "listening on"
check_ends client
grep -q "capturing at bpf:tc:veth_b" "$TMP/broker.log" ||
    fail "the client did not capture through the broker: $(cat "$TMP/broker.log")"
exit 0
