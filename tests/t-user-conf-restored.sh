#!/bin/bash
# bpf_pcap_conf (the snap length a user's program is told to capture)
# belongs to a capture while it runs: a capture with -s 100 must leave
# it as it found it, so the program's own records are whole again
# afterwards; a second capture of the same program is refused with one
# line while the first runs (and the first is not disturbed); a capture
# killed with SIGKILL leaves its setting, which the next capture takes
# over and puts back to "no wishes" (all zero) when it ends.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-user-program.sh"
user_program_setup

load pcap_tc
dev="bpf:pinned:$bpffs/pcap_tc/prog"
[ "$(conf_of pcap_tc)" = "0 0 0 0" ] ||
    fail "bpf_pcap_conf before any capture: $(conf_of pcap_tc)"

# conf_is WHAT EXPECTED: max_len and whether a claim is there.
conf_is() {
	local what=$1 want=$2 conf
	conf=$(conf_of pcap_tc)
	echo "bpf_pcap_conf $what: $conf"
	set -- $conf
	[ "$2 $(( $4 != 0 ))" = "$want" ] ||
	    fail "bpf_pcap_conf $what: max_len and claim '$2 $(( $4 != 0 ))', expected '$want'"
}

IN_NS=$NS_B start_tcpdump snap -ni "$dev" -y EN10MB -s 100 -U \
    -w "$TMP/snap.pcap" icmp
conf_is "during a -s 100 capture" "100 1"

# The second capture of the program: refused, one line, the first goes on.
ip netns exec "$NS_B" env LD_LIBRARY_PATH="$LIBDIR" timeout 30 \
    /usr/bin/tcpdump -ni "$dev" -s 200 -c 1 -w /dev/null \
    > /dev/null 2> "$TMP/second.err"
rc=$?
echo "second capture (exit $rc): $(cat "$TMP/second.err")"
[ $rc -ne 0 ] || fail "a second capture of the program was not refused"
[ "$(grep -c "$dev: another capture (process [0-9]*) is reading" "$TMP/second.err")" -eq 1 ] ||
    fail "the second capture's refusal is not one line naming the device and the other capture"
conf_is "after the second capture was refused" "100 1"
pings 5 1000
wait_until $$ capture_has "$TMP/snap.pcap" 5
kill -INT "$PID_snap"
wait_tcpdump snap
caps=$(tcpdump -r "$TMP/snap.pcap" -nn 2>/dev/null | grep -c "length 1008")
[ "$caps" -ge 5 ] || fail "the -s 100 capture did not see the 1000-byte pings ($caps)"
python3 - "$TMP/snap.pcap" <<'PY' || fail "records longer than the capture's 100-byte snap length"
import struct, sys
data = open(sys.argv[1], "rb").read()
pos, lens = 24, []
while pos + 16 <= len(data):
    caplen = struct.unpack_from("<I", data, pos + 8)[0]
    lens.append(caplen); pos += 16 + caplen
print("snap 100: caplens", sorted(set(lens)))
sys.exit(0 if lens and all(c <= 100 for c in lens) else 1)
PY
conf_is "after the capture ended" "0 0"
[ "$(conf_of pcap_tc)" = "0 0 0 0" ] || fail "bpf_pcap_conf not as found: $(conf_of pcap_tc)"

# The program's own reader gets whole records again: 1000-byte pings are
# 1042-byte frames (the example sees them at ingress), 1074-byte records
# with bpf_pcap()'s header.
kill -USR1 "$LOADER_pcap_tc"
wait_for_text "$TMP/pcap_tc.loader" "reader started"
before=$(loader_records pcap_tc)
pings 3 1000
wait_until $$ loader_has pcap_tc $((before + 3)) ||
    fail "the program's own reader received nothing after the capture"
sizes=$(grep '^record ' "$TMP/pcap_tc.loader" | tail -n +$((before + 1)) | sort | uniq -c | tr -s ' \n' ' ')
echo "the program's own reader after the capture: $sizes"
[ "$(grep '^record ' "$TMP/pcap_tc.loader" | tail -n +$((before + 1)) | grep -c '^record 1074$')" -ge 3 ] ||
    fail "the program's own records are truncated after the capture ended: $sizes"
unload pcap_tc

# A capture killed with SIGKILL cannot restore anything; the next one
# takes its claim over and leaves "no wishes".
load pcap_tc
IN_NS=$NS_B start_tcpdump killed -ni "$dev" -s 100 -U -w /dev/null
# $PID_killed is timeout(1); tcpdump is its child.
victim=$(pgrep -P "$PID_killed")
[ -n "$victim" ] || fail "no tcpdump under timeout $PID_killed"
kill -KILL "$victim"
wait "$PID_killed" 2>/dev/null
conf_is "after a capture was killed" "100 1"
IN_NS=$NS_B start_tcpdump next -ni "$dev" -s 300 -U -w /dev/null
conf_is "during the next capture" "300 1"
kill -INT "$PID_next"
wait_tcpdump next
[ "$(conf_of pcap_tc)" = "0 0 0 0" ] ||
    fail "bpf_pcap_conf after the capture that took over: $(conf_of pcap_tc)"
echo "bpf_pcap_conf after the capture that took over: $(conf_of pcap_tc)"
unload pcap_tc
exit 0
