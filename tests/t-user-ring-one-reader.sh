#!/bin/bash
# A ring buffer map has one consumer position.  A user's program whose
# loader reads its own ring (libbpf's ring_buffer), captured at the same
# time with bpf:pinned: the capture must end with one line naming the
# device, the other reader and the fix, and nothing worse: no crash, no
# read beyond the mapping (tcpdump runs under valgrind), no hang, no
# garbage delivered.  The capture is stopped (SIGSTOP) while traffic flows
# so that the loader's reader laps it: its position then lies in a part
# of the ring the kernel has written over, mid-record.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-user-program.sh"
command -v valgrind >/dev/null || skip "valgrind is not installed"
user_program_setup

# A one-page ring (4 KiB: three 1000-byte pings fill it), read by the
# loader itself.
load pcap_tc ring=4096 consume
dev="bpf:pinned:$bpffs/pcap_tc/packets"

ip netns exec "$NS_B" env LD_LIBRARY_PATH="$LIBDIR" valgrind -q --vgdb=no \
    --error-exitcode=9 --suppressions="$TOP/tests/valgrind.supp" \
    /usr/bin/tcpdump -ni "$dev" -y EN10MB -U -w "$TMP/shared.pcap" \
    > "$TMP/tcpdump.out" 2> "$TMP/tcpdump.err" &
capture=$!
on_exit "kill -CONT $capture 2>/dev/null; kill $capture 2>/dev/null"
# valgrind starts slowly, the more so on a busy machine: a generous bound.
i=0
while ! grep -q "listening on" "$TMP/tcpdump.err" && [ $i -lt 600 ] &&
    kill -0 $capture 2>/dev/null; do
	sleep 0.1
	i=$((i + 1))
done
grep -q "listening on" "$TMP/tcpdump.err" || {
	cat "$TMP/tcpdump.err"; fail "tcpdump under valgrind did not start"; }

# Both read; then the capture stands still while the loader reads on,
# with sizes that do not divide the ring, then both are woken again.
pings 3 1000
kill -STOP $capture 2>/dev/null
for size in 1000 333 1200 77 555 901 64 1400 250 777; do
	pings 2 "$size"
done
kill -CONT $capture 2>/dev/null
for try in 1 2 3 4 5 6 7 8 9 10; do
	kill -0 $capture 2>/dev/null || break
	pings 2 444
done
# Bounded: 60 s more for tcpdump under valgrind to report and exit.
i=0
while kill -0 $capture 2>/dev/null && [ $i -lt 600 ]; do
	sleep 0.1
	i=$((i + 1))
done
if kill -0 $capture 2>/dev/null; then
	kill -INT $capture
	wait $capture
	cat "$TMP/tcpdump.err"
	fail "the capture did not end: the shared ring went unnoticed (or it hangs)"
fi
wait $capture
rc=$?
echo "--- tcpdump (exit $rc):"
cat "$TMP/tcpdump.err"
[ $rc -lt 128 ] || fail "tcpdump died of signal $((rc - 128)) reading a shared ring"
[ $rc -ne 9 ] || fail "valgrind found errors reading a shared ring"
errors=$(grep -c "$dev: another reader\|$dev: .*another reader?" "$TMP/tcpdump.err")
[ "$errors" -eq 1 ] ||
    fail "expected one line naming $dev and the other reader, saw $errors"
grep "$dev: " "$TMP/tcpdump.err" | grep -q "one reader: stop the other" ||
    fail "the message does not say what to do"
[ $rc -ne 0 ] || fail "tcpdump ended with status 0 after a read error"

# What was delivered is whole pings from A, nothing else.
bad=$(tcpdump -r "$TMP/shared.pcap" -nn 2>/dev/null |
    grep -v "198.18.0.1 > 198.18.0.2: ICMP echo request\|198.18.0.2 > 198.18.0.1: ICMP echo reply" |
    head -3)
[ -z "$bad" ] || fail "the capture delivered garbage: $bad"
echo "capture delivered $(tcpdump -r "$TMP/shared.pcap" 2>/dev/null | wc -l) packets"

# The program's own reader was not disturbed.
before=$(loader_records pcap_tc)
pings 3
wait_until $$ loader_has pcap_tc $((before + 3)) ||
    fail "the loader's own reader stopped receiving"
echo "the loader's reader received $(loader_records pcap_tc) records"
unload pcap_tc
exit 0
