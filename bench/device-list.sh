#!/bin/bash
# make bench, part 4: how long the device list takes.  The system's
# tcpdump -D, run N times (BENCH_LIST_RUNS, default 50) per row, wall
# time of the whole process as a user sees it: with Debian's libpcap (no
# bpf: taps) and the built one, as root and as nobody, then the same in a
# network namespace holding 50 veth interfaces (each interface adds a
# bpf:tc: and a bpf:xdp: tap to the list).  Per row: the median, the
# spread (fastest, 25th and 75th percentile, slowest) in milliseconds,
# and how many devices were listed.  Written to build/bench/device-list.csv.
. "$(dirname "$0")/lib.sh"
runs=${BENCH_LIST_RUNS:-50}
veths=50
mkdir -p "$out"
csv=$out/device-list.csv
# nobody cannot enter the work tree's directories (mktemp -d makes them
# 0700): the library goes to a copy anyone can read.
cp -L "$lib/libpcap.so.0.8" "$tmp/" && chmod a+r "$tmp/libpcap.so.0.8"

# The namespace is ${ns}a, which bench_cleanup removes, its veths with
# it, however this script ends.
ip netns add ${ns}a || exit 1
{
	for i in $(seq 1 $((veths / 2))); do
		echo "link add l$i type veth peer name r$i"
		echo "link set l$i up"
		echo "link set r$i up"
	done
} | ip -n ${ns}a -batch - || exit 1
ip -n ${ns}a link set lo up

# measure_list ROW COMMAND...: runs COMMAND $runs times (after one unmeasured
# run), prints and records the row.  $EPOCHREALTIME: no process is started
# to read the clock.
measure_list() {
	local row=$1 start end devices i
	shift
	devices=$("$@" 2>/dev/null | wc -l)
	for i in $(seq "$runs"); do
		start=$EPOCHREALTIME
		"$@" > /dev/null 2>&1
		end=$EPOCHREALTIME
		echo "$start $end"
	done | awk '{ printf "%.3f\n", ($2 - $1) * 1000 }' | sort -n > "$tmp/times"
	awk -v row="$row" -v devices="$devices" -v csv="$csv" '
	    { t[NR] = $1 }
	    END {
		n = NR
		med = n % 2 ? t[(n + 1) / 2] : (t[n / 2] + t[n / 2 + 1]) / 2
		q1 = t[int((n - 1) * 0.25) + 1]
		q3 = t[int((n - 1) * 0.75) + 1]
		printf "%-52s %7.1f %7.1f %7.1f %7.1f %7.1f %8d\n", row, med, t[1], q1, q3, t[n], devices
		printf "\"%s\",%d,%.3f,%.3f,%.3f,%.3f,%.3f,%d\n", row, n, med, t[1], q1, q3, t[n], devices >> csv
	    }' "$tmp/times"
}

nobody=(setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all
    --bounding-set=-all env LD_LIBRARY_PATH="$tmp")

echo "run,runs,median_ms,min_ms,p25_ms,p75_ms,max_ms,devices" > "$csv"
echo "== device list: tcpdump -D, $runs runs per row, milliseconds"
printf '%-52s %7s %7s %7s %7s %7s %8s\n' "" median min p25 p75 max devices
measure_list "Debian's libpcap" /usr/bin/tcpdump -D
measure_list "built library, root" env LD_LIBRARY_PATH="$lib" /usr/bin/tcpdump -D
measure_list "built library, nobody" "${nobody[@]}" /usr/bin/tcpdump -D
measure_list "Debian's libpcap, namespace with $veths veths" \
    ip netns exec ${ns}a /usr/bin/tcpdump -D
measure_list "built library, root, namespace with $veths veths" \
    ip netns exec ${ns}a env LD_LIBRARY_PATH="$lib" /usr/bin/tcpdump -D
measure_list "built library, nobody, namespace with $veths veths" \
    ip netns exec ${ns}a "${nobody[@]}" /usr/bin/tcpdump -D
