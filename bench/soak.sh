#!/bin/bash
# make soak: one bpf:tc capture held open for a long run (30 minutes by
# default; bench/soak.sh SECONDS for another length) at a fixed packet
# rate, its filter replaced every minute (SOAK_INTERVAL seconds).  At the
# end, exactly:
#	offered = delivered + ps_drop + filtered out
# and the capturing process's RSS, sampled once a segment, as a series
# with a verdict on whether it stays flat.
#
# Namespaces A (198.18.0.1, va) and B (198.18.0.2, vb) of its own; static
# neighbour entries and no IPv6, so the only packets entering vb are the
# floods: UDP to port 9 (64-byte payload) and to port 10 (300 bytes), at
# SOAK_RATE/2 packets/s each (bench/udp_flood.c).  The capture
# (bench/filter_soak.c) runs in B at bpf:tc:vb:ingress.
#
# How each term is counted, independently of the capture where possible:
#   offered      packets entering vb, per destination port, by iptables
#                counters in B's raw PREROUTING chain (after tc ingress;
#                nothing drops in between), cross-checked with vb's
#                rx_packets;
#   filtered out per segment, the offered packets of the ports that
#                segment's filter does not take (the filters are chosen so
#                that each takes whole ports);
#   delivered    packets the capture's callback got (filter_soak);
#   ps_drop      pcap_stats() at the end.
# SOAK_BUFFER=BYTES sets the capture's ring size (pcap_set_buffer_size):
# a page or two makes the floods' bursts of 64 overflow it, so that
# ps_drop counts too.
# Each segment sends for SOAK_INTERVAL - 3 s, then stops: the swap happens
# on a quiet link after the ring was drained, so every packet met one
# filter only.  Each delivered packet is checked against its segment's
# filter as well (none may fail it).
. "$(dirname "$0")/lib.sh"
duration=${1:-1800}
interval=${SOAK_INTERVAL:-60}
rate=${SOAK_RATE:-4000}
flood=$out/udp_flood
soak=$out/filter_soak
[ -x "$flood" ] && [ -x "$soak" ] || { echo "soak: run 'make soak' (builds $flood, $soak)"; exit 2; }
[ "$interval" -ge 10 ] || { echo "soak: SOAK_INTERVAL must be at least 10 s"; exit 2; }
segments=$(( duration / interval ))
[ "$segments" -ge 1 ] || segments=1
send_secs=$(( interval - 3 ))
per_port=$(( rate / 2 ))

# Filters, taken in turn, and the ports each takes.
filters=("udp dst port 9" "udp dst port 10" "udp" "udp dst port 11"
    "greater 200" "udp and (dst port 9 or dst port 10)")
takes=("9" "10" "9 10" "" "10" "9 10")

bench_veth_pair
ip netns exec ${ns}a ip neigh replace 198.18.0.2 lladdr "$(ip -n ${ns}b -o link show vb |
    sed 's/.*link\/ether \([0-9a-f:]*\).*/\1/')" nud permanent dev va
ip netns exec ${ns}b ip neigh replace 198.18.0.1 lladdr "$(ip -n ${ns}a -o link show va |
    sed 's/.*link\/ether \([0-9a-f:]*\).*/\1/')" nud permanent dev vb
for rule in "-p udp --dport 9" "-p udp --dport 10" ""; do
	# shellcheck disable=SC2086
	ip netns exec ${ns}b iptables -w -t raw -A PREROUTING -i vb $rule ||
	    { echo "soak: iptables in namespace B failed"; exit 1; }
done

# "port9 port10 all" packets counted so far at vb's ingress.
offered_counts() {
	ip netns exec ${ns}b iptables -w -t raw -L PREROUTING -v -x -n |
	    awk '/dpt:9$/ { a = $1 } /dpt:10$/ { b = $1 }
		 $1 ~ /^[0-9]+$/ && !/dpt:/ { c = $1 } END { print a + 0, b + 0, c + 0 }'
}
rx_packets() {
	ip netns exec ${ns}b cat /sys/class/net/vb/statistics/rx_packets
}

ip netns exec ${ns}b env LD_LIBRARY_PATH="$lib" "$soak" ${SOAK_BUFFER:+-B "$SOAK_BUFFER"} bpf:tc:vb:ingress \
    "${filters[@]}" > "$tmp/soak.out" 2> "$tmp/soak.err" &
pid=$!
BENCH_CLEANUPS="kill $pid 2>/dev/null; $BENCH_CLEANUPS"
bench_wait_listening "$tmp/soak.out" || { cat "$tmp/soak.err"; echo "soak: the capture did not start"; exit 1; }
rx_start=$(rx_packets)
read -r c9 c10 call < <(offered_counts)
[ "$call" -eq 0 ] || echo "note: $call packets entered vb before the capture started"

echo "== soak: $duration s ($segments segments of $interval s), $rate packets/s, bpf:tc:vb:ingress," \
    "ring ${SOAK_BUFFER:-of the default size}, pid $pid"
printf '%-3s %-38s %9s %9s %9s %9s %7s %7s %9s\n' seg filter offered expected delivered \
    filtered drops failing rss-kB
offered=0 filtered=0 expected_total=0 bad=0 drops_before=0
rss_series=""
for k in $(seq 0 $((segments - 1))); do
	f=$(( k % ${#filters[@]} ))
	start=$(date +%s)
	ip netns exec ${ns}a "$flood" 198.18.0.2 9 $(( per_port * send_secs )) 64 \
	    $(( send_secs + 20 )) "$per_port" > "$tmp/f9.out" &
	f9=$!
	ip netns exec ${ns}a "$flood" 198.18.0.2 10 $(( per_port * send_secs )) 300 \
	    $(( send_secs + 20 )) "$per_port" > "$tmp/f10.out"
	wait $f9
	# The last packets leave the backlog; then the counters stand still.
	prev=-1
	for i in $(seq 50); do
		cur=$(rx_packets)
		[ "$cur" = "$prev" ] && break
		prev=$cur
		sleep 0.2
	done
	read -r n9 n10 nall < <(offered_counts)
	d9=$(( n9 - c9 )) d10=$(( n10 - c10 )) dall=$(( nall - call ))
	c9=$n9 c10=$n10 call=$nall
	rss=$(awk '/^VmRSS:/ { print $2 }' /proc/$pid/status)
	rss_series="$rss_series $rss"
	kill -USR1 $pid
	for i in $(seq 300); do
		grep -q "^filter $((k + 1)) set" "$tmp/soak.out" && break
		kill -0 $pid 2>/dev/null || break
		sleep 0.1
	done
	line=$(grep "^segment $k " "$tmp/soak.out")
	[ -n "$line" ] || { cat "$tmp/soak.err"; echo "soak: no report of segment $k"; exit 1; }
	read -r delivered failing drops < <(echo "$line" |
	    awk '{ for (i = 1; i < NF; i++) { if ($i == "delivered") d = $(i+1);
	        if ($i == "failing") f = $(i+1); if ($i == "drop") x = $(i+1) } } END { print d, f, x }')
	exp=0
	for port in ${takes[$f]}; do
		[ "$port" = 9 ] && exp=$(( exp + d9 ))
		[ "$port" = 10 ] && exp=$(( exp + d10 ))
	done
	seg_drops=$(( drops - drops_before ))
	drops_before=$drops
	offered=$(( offered + dall ))
	filtered=$(( filtered + dall - exp ))
	expected_total=$(( expected_total + exp ))
	mark=""
	if [ $(( delivered + seg_drops )) -ne "$exp" ] || [ "$failing" -ne 0 ] ||
	    [ "$dall" -ne $(( d9 + d10 )) ]; then
		mark="  <- delivered + drops != expected, a failing packet or a stranger"
		bad=1
	fi
	printf '%-3s %-38s %9s %9s %9s %9s %7s %7s %9s%s\n' "$k" "\"${filters[$f]}\"" "$dall" "$exp" \
	    "$delivered" "$(( dall - exp ))" "$seg_drops" "$failing" "$rss" "$mark"
	# The next segment starts on the minute.
	left=$(( start + interval - $(date +%s) ))
	[ "$left" -gt 0 ] && [ "$k" -lt $((segments - 1)) ] && sleep "$left"
done
rx_end=$(rx_packets)
kill -USR2 $pid
wait $pid
rc=$?
total=$(grep '^total ' "$tmp/soak.out")
[ $rc -eq 0 ] && [ -n "$total" ] || { cat "$tmp/soak.err"; echo "soak: the capture ended with status $rc"; exit 1; }
read -r delivered recv drop < <(echo "$total" | awk '{ print $3, $5, $7 }')

echo
echo "offered (iptables, vb ingress)  $offered   (vb rx_packets: $(( rx_end - rx_start )))"
echo "delivered (callback)            $delivered"
echo "ps_drop                         $drop"
echo "filtered out (by port)          $filtered"
echo "ps_recv                         $recv   (offered - filtered out: $(( offered - filtered )))"
sum=$(( delivered + drop + filtered ))
if [ "$offered" -eq "$sum" ] && [ "$recv" -eq $(( offered - filtered )) ] && [ $bad -eq 0 ]; then
	echo "accounting: offered $offered = delivered $delivered + ps_drop $drop + filtered $filtered: exact"
else
	echo "accounting: offered $offered != delivered $delivered + ps_drop $drop + filtered $filtered = $sum" \
	    "(or ps_recv $recv != $(( offered - filtered )), or a segment above is marked): NOT EXACT"
	bad=1
fi

# RSS: the first sample includes the warm-up (first ring pages touched,
# first filter compiled); flat means the later samples do not climb.
echo
echo "RSS of the capturing process per segment (kB):$rss_series"
python3 - $rss_series <<'PY'
import sys
s = [int(x) for x in sys.argv[1:]]
later = s[1:] if len(s) > 2 else s
growth = later[-1] - later[0]
n = len(later)
if n > 1:
    mx = (n - 1) / 2
    my = sum(later) / n
    slope = sum((i - mx) * (v - my) for i, v in enumerate(later)) / sum((i - mx) ** 2 for i in range(n))
else:
    slope = 0.0
flat = growth <= max(256, later[0] // 100) and slope <= 16
print("RSS after warm-up: first %d kB, last %d kB, growth %+d kB, slope %+.1f kB/segment, max %d kB: %s"
      % (later[0], later[-1], growth, slope, max(later),
         "flat" if flat else "NOT FLAT (growth > max(256 kB, 1%) or slope > 16 kB/segment)"))
sys.exit(0 if flat else 1)
PY
[ $? -eq 0 ] || bad=1
exit $bad
