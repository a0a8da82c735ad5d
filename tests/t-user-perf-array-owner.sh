#!/bin/bash
# A perf event array has one reader per CPU slot.  A user's program whose
# loader reads its own perf event array (libbpf's perf_buffer): a capture
# of it is refused with one line naming the device, the array and the fix,
# and the program's own reader keeps receiving, during and after the
# attempt.  Without a reader, captures take the empty slots and leave them
# empty: a second capture after the first is not refused, and the
# program's own reader started afterwards receives.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-user-program.sh"
user_program_setup

# owner_receives WHAT: 3 pings reach the loader's own reader.
owner_receives() {
	local before
	before=$(loader_records pcap_xdp)
	pings 3
	wait_until $$ loader_has pcap_xdp $((before + 3)) ||
	    fail "the program's own reader stopped receiving $1" \
	    "($((before)) records before, $(loader_records pcap_xdp) after)"
	echo "the program's own reader receives $1:" \
	    "$(( $(loader_records pcap_xdp) - before )) records for 3 pings"
}

# An XDP program writing to a perf event array, with its own reader.
load pcap_xdp consume
dev="bpf:prog:$ID"
owner_receives "before any capture"
ip netns exec "$NS_B" env LD_LIBRARY_PATH="$LIBDIR" timeout 20 \
    /usr/bin/tcpdump -ni "$dev" -y EN10MB -c 3 -w "$TMP/taken.pcap" icmp \
    > /dev/null 2> "$TMP/taken.err" &
capture=$!
on_exit "kill $capture 2>/dev/null"
# Until it is refused (it ends), or listens, having taken the slots.
wait_until $capture grep -q "listening on" "$TMP/taken.err" 2>/dev/null
owner_receives "while a capture tries to open"
wait $capture
rc=$?
echo "capture (exit $rc): $(cat "$TMP/taken.err")"
[ $rc -ne 0 ] && [ $rc -ne 124 ] ||
    fail "the capture took the slots of the program's own reader (exit $rc)"
[ "$(grep -c "$dev: perf event array packets already has a reader" "$TMP/taken.err")" -eq 1 ] ||
    fail "the refusal is not one line naming $dev and the array"
grep -q "one reader: stop the other" "$TMP/taken.err" ||
    fail "the refusal does not say what to do"
owner_receives "after the capture ended"
unload pcap_xdp

# Without a reader: two captures one after the other, then the owner's.
load pcap_xdp
dev="bpf:prog:$ID"
for n in 1 2; do
	IN_NS=$NS_B start_tcpdump free$n -ni "$dev" -y EN10MB -U \
	    -w "$TMP/free$n.pcap" icmp
	pings 3
	wait_until $$ capture_has "$TMP/free$n.pcap" 3
	eval "kill -INT \$PID_free$n"
	wait_tcpdump free$n
	got=$(tcpdump -r "$TMP/free$n.pcap" 2>/dev/null | wc -l)
	echo "capture $n of the array without a reader: $got packets"
	[ "$got" -ge 3 ] || { cat "$TMP/free$n.err"; fail "capture $n saw $got of 3 pings"; }
done
kill -USR1 "$LOADER_pcap_xdp"
wait_for_text "$TMP/pcap_xdp.loader" "reader started"
owner_receives "started after two captures"
unload pcap_xdp
exit 0
