#!/bin/sh
# The tap tests of the kernel matrix: one capture per tap family and
# mechanism with the system's tcpdump and the built library.  Runs the
# same inside a qemu guest (busybox /init) and natively on the host (in a
# network namespace).  POSIX sh: busybox ash must run it.
#
# Prints one line per test:
#   RESULT <test> <pass|fail|skip> <mechanism> <detail>
# and "GUEST-TESTS-DONE" at the end.  A kernel that refuses a mechanism
# (no kprobes, no BPF trampolines) gives "skip" with its reason.

TMPD=${TMPD:-/tmp/guest-taps}
rm -rf "$TMPD"
mkdir -p "$TMPD"
chmod 1777 "$TMPD"
# Slow under emulation: generous waits, all bounded.
WAIT_TENTHS=${WAIT_TENTHS:-300}
NS_A=gtaps-a-$$
NS_B=gtaps-b-$$
# By full path: busybox's sh would run its own, smaller, ip and tc applets.
IP=/usr/sbin/ip
TC=/usr/sbin/tc
IW=/usr/sbin/iw
# util-linux's setpriv (busybox's has no --bounding-set); the capture
# broker and tap_counts, where the image has them (the host run passes
# the built ones).
SETPRIV=/usr/bin/setpriv
BROKER=${BROKER:-/usr/sbin/pcap-bpftrace-broker}
TAP_COUNTS=${TAP_COUNTS:-/usr/bin/tap_counts}
# ethtool (TSO off for the GSO row), the build's NFLOG row printer and
# TCP stream (testprogs/).
ETHTOOL=${ETHTOOL:-/usr/sbin/ethtool}
NFLOG_ROWS=${NFLOG_ROWS:-/usr/bin/nflog_rows}
TCP_STREAM=${TCP_STREAM:-/usr/bin/tcp_stream}
# The object files of the bpf:object rows (the host run passes the
# build's).
OBJECTS=${OBJECTS:-/tests}
# The value the broker row gives kernel.unprivileged_bpf_disabled: 1 in
# guests; 2 on the host (the same refusal, but 1 could not be undone
# before the next boot).
UNPRIV_BPF_DISABLED=${UNPRIV_BPF_DISABLED:-1}
# Which groups of tests run: taps (all but Wi-Fi), wifi.
GUEST_TESTS=${GUEST_TESTS:-taps}

# The mechanism the kernel runs for a process, from its descriptors'
# fdinfo: program type, link type, attach type.
mechanism_of() {
	info=$(cat /proc/"$1"/fdinfo/* 2>/dev/null)
	prog=$(echo "$info" | sed -n 's/^prog_type:[[:space:]]*//p' | sort -u | head -1)
	attach=$(echo "$info" | sed -n 's/^attach_type:[[:space:]]*//p' | sort -u | head -1)
	links=$(echo "$info" | sed -n 's/^link_type:[[:space:]]*//p' | sort -u | tr '\n' ' ')
	case $prog in
	26)	case $attach in
		24) echo fentry ;;
		25) echo fexit ;;
		*) echo tp_btf ;;
		esac ;;
	17)	echo raw_tp ;;
	2)	echo kprobe ;;
	3)	case $links in *tcx*) echo tcx ;; *) echo clsact ;; esac ;;
	6)	echo xdp ;;
	"")	echo none ;;
	*)	echo "prog_type_$prog" ;;
	esac
}

# wait_started FILE PID: until tcpdump says it listens, up to WAIT_TENTHS
# tenths of a second; fails at once if it exits first.
wait_started() {
	i=0
	while [ $i -lt "$WAIT_TENTHS" ]; do
		grep -q "listening on" "$1" 2>/dev/null && return 0
		if ! kill -0 "$2" 2>/dev/null; then
			grep -q "listening on" "$1" 2>/dev/null
			return
		fi
		sleep 0.1
		i=$((i + 1))
	done
	return 1
}

# wait_exit PID: up to WAIT_TENTHS tenths of a second, then SIGINT.
wait_exit() {
	i=0
	while kill -0 "$1" 2>/dev/null && [ $i -lt "$WAIT_TENTHS" ]; do
		sleep 0.1
		i=$((i + 1))
	done
	kill -INT "$1" 2>/dev/null
	wait "$1" 2>/dev/null
}

result() {
	echo "RESULT $*"
}

ping_lo() {
	busybox ping -c 3 127.0.0.1 >/dev/null 2>&1
}

# TCP connection attempts to a closed port: the kernel answers with a
# reset and drops the SYN (no socket).
syn_to_closed_port() {
	for n in 1 2 3; do
		busybox nc -w 2 127.0.0.1 9 </dev/null >/dev/null 2>&1
	done
}

ping_b() {
	$IP netns exec $NS_A busybox ping -c 3 198.18.0.2 >/dev/null 2>&1
}

# No filter and no clsact qdisc of ours may stay on B's interface.
check_tc_clean() {
	left=$($IP netns exec $NS_B $TC filter show dev vb ingress; $IP netns exec $NS_B $TC filter show dev vb egress;
	    $IP netns exec $NS_B $TC qdisc show dev vb | grep clsact)
	[ -z "$left" ] || echo "left behind: $left" | tr '\n' ' '
}

# The probe's own count of packets its filter refused (PCAP_BPF_DEBUG=1).
check_rejected_in_kernel() {
	rejected=$(sed -n 's/.* passed, \([0-9]*\) rejected by the in-kernel filter.*/\1/p' "$err")
	[ "${rejected:-0}" -gt 0 ] ||
	    echo "no packet rejected in the kernel: $(grep 'passed,' "$err")"
}

# refused_by_kernel MESSAGE: whether every mechanism tried was refused for
# a lack of the kernel's (no BPF trampolines, no kprobes) or left out by
# PCAP_BPF_MECHANISMS.  A mechanism that failed otherwise (a program the
# verifier rejects, one refusal with no fallback tried) is the capture's
# failure, not the kernel's.
refused_by_kernel() {
	case $1 in
	*"refused every way to attach: "*)
		ways=${1#*refused every way to attach: } ;;
	*)	ways=${1#*: bpf:*: } ;;
	esac
	echo "$ways" | tr ';' '\n' | while read -r way; do
		case $way in
		"") ;;
		*"refuses BPF trampolines"*|*"no kprobe support"*|*"not in PCAP_BPF_MECHANISMS"*|*"no multi-buffer XDP"*) ;;
		*)	echo no ;;
		esac
	done | grep -q no && return 1
	# A function tap that tried fentry alone did not try its kprobe.
	case $1 in
	*"bpf:kprobe:"*"refuses BPF trampolines"*)
		case $1 in *"refused every way"*) ;; *) return 1 ;; esac ;;
	esac
	return 0
}

# wanted ROW: GUEST_ROWS (row names, space-separated) runs those alone.
wanted() {
	case " ${GUEST_ROWS:-$1} " in *" $1 "*) return 0 ;; esac
	return 1
}

# capture TEST DEVICE COUNT FILTER TRAFFIC EXPECT [NETNS [CHECK]]
# (PCAP_BPF_MECHANISMS in the environment limits the mechanisms;
# TCPDUMP_OPTIONS adds options, e.g. -y.)
capture() {
	wanted "$1" || return 0
	test=$1 device=$2 count=$3 filter=$4 traffic=$5 expect=$6 netns=$7 check=$8
	pcap=$TMPD/$test.pcap
	err=$TMPD/$test.err
	if [ -n "$netns" ]; then
		$IP netns exec "$netns" tcpdump -ni "$device" $TCPDUMP_OPTIONS -c "$count" \
		    -w "$pcap" "$filter" 2> "$err" &
	else
		tcpdump -ni "$device" $TCPDUMP_OPTIONS -c "$count" -w "$pcap" "$filter" 2> "$err" &
	fi
	pid=$!
	if ! wait_started "$err" $pid; then
		wait_exit $pid
		why=$(grep -v "^tcpdump: verbose" "$err" | head -2 | tr '\n' ' ')
		if refused_by_kernel "$why"; then
			result "$test" skip none "the kernel refuses: $why"
		else
			result "$test" fail none "tcpdump did not start: $why"
		fi
		return
	fi
	mech=$(mechanism_of $pid)
	$traffic
	wait_exit $pid
	got=$(tcpdump -nr "$pcap" 2>/dev/null | grep -c "$expect")
	# tcpdump drops to user tcpdump after activation; all later work
	# (filter, reads, stats) must go on without privileges.
	owner=$(ls -l "$pcap" 2>/dev/null | awk '{ print $3 }')
	left=""
	[ -n "$check" ] && left=$($check)
	if [ "$owner" != tcpdump ]; then
		result "$test" fail "$mech" "capture file owned by '$owner', not by the unprivileged tcpdump user"
	elif [ -n "$left" ]; then
		result "$test" fail "$mech" "$left"
	elif [ "$got" -ge "$count" ]; then
		result "$test" pass "$mech" "$got packets matching '$expect'"
	else
		result "$test" fail "$mech" "$got of $count packets matching '$expect'; $(tail -2 "$err" | tr '\n' ' ')"
	fi
}

# The device list offers function taps exactly where the kernel has
# kprobes (the kprobe event source in sysfs), and each one it offers opens.
listing() {
	wanted listing || return 0
	list=$(tcpdump -D 2>&1)
	taps=$(echo "$list" | sed -n 's/^[0-9]*\.\(bpf:kprobe:[^ ]*\) .*/\1/p')
	n=$(echo $taps | wc -w)
	if [ ! -d /sys/bus/event_source/devices/kprobe ]; then
		if [ "$n" -eq 0 ]; then
			result listing pass none "no kprobes here, no function tap listed"
		else
			result listing fail none "no kprobes here, yet listed: $(echo $taps)"
		fi
		return
	fi
	if ! echo "$taps" | grep -q "^bpf:kprobe:ip_rcv$"; then
		result listing fail none "the kernel has kprobes, tcpdump -D lists: $(echo $taps)"
		return
	fi
	for dev in $taps; do
		# A file per tap: the previous one's "listening on" must not
		# count, nor may SIGINT reach tcpdump before its handler (a
		# background job starts with SIGINT ignored).
		err=$TMPD/listing-${dev##*:}.err
		tcpdump -ni "$dev" -w /dev/null 2> "$err" &
		pid=$!
		if ! wait_started "$err" $pid; then
			kill -INT $pid 2>/dev/null
			wait $pid 2>/dev/null
			result listing fail kprobe "listed $dev does not open: $(head -2 "$err" | tr '\n' ' ')"
			return
		fi
		kill -INT $pid
		wait $pid 2>/dev/null
	done
	result listing pass kprobe "$n kprobe taps listed, each opens"
}

# wait_text FILE TEXT PID: until FILE holds TEXT, up to WAIT_TENTHS
# tenths of a second; fails at once if PID exits first.
wait_text() {
	i=0
	while [ $i -lt "$WAIT_TENTHS" ]; do
		grep -q "$2" "$1" 2>/dev/null && return 0
		kill -0 "$3" 2>/dev/null || break
		sleep 0.1
		i=$((i + 1))
	done
	grep -q "$2" "$1" 2>/dev/null
}

# The broker's children: one serves each client while it holds a capture.
broker_children() {
	cat /proc/[0-9]*/stat 2>/dev/null | awk -v p="$1" '$4 == p { n++ } END { print n + 0 }'
}

# The capture broker: a client without capabilities (uid 0, its bounding
# set emptied by setpriv) captures at bpf:tc:vb through a broker in B's
# namespace, with unprivileged bpf() disabled.  On 6.1 that forbids the
# client every bpf() call, so the capture must run from the descriptors
# the broker handed over alone (memory mappings, poll).  The count must
# be exact (3 echo requests in, 3 replies out) and nothing may stay
# behind once the client ends (no tc filter or clsact qdisc; the broker
# child that held the capture gone).  The mechanism is the broker's log.
broker_row() {
	wanted broker || return 0
	sock=/run/gtaps-broker-$$.sock
	blog=$TMPD/broker.log
	out=$TMPD/broker-client.out
	for f in "$BROKER" "$TAP_COUNTS" "$SETPRIV"; do
		if [ ! -x "$f" ]; then
			result broker fail none "$f is missing"
			return
		fi
	done
	: > "$TMPD/broker.conf"
	rm -f "$sock"
	$IP netns exec $NS_B "$BROKER" --foreground --socket "$sock" \
	    --config "$TMPD/broker.conf" > "$blog" 2>&1 &
	bpid=$!
	if ! wait_text "$blog" "serving $sock" $bpid; then
		kill $bpid 2>/dev/null
		wait $bpid 2>/dev/null
		result broker fail none "the broker did not start: $(head -3 "$blog" | tr '\n' ' ')"
		return
	fi
	unpriv_was=$(cat /proc/sys/kernel/unprivileged_bpf_disabled)
	# 1 stays 1 (it cannot be changed); 2 becomes 1 when 1 is asked.
	[ "$unpriv_was" = 1 ] || [ "$unpriv_was" = "$UNPRIV_BPF_DISABLED" ] ||
	    echo "$UNPRIV_BPF_DISABLED" > /proc/sys/kernel/unprivileged_bpf_disabled
	unpriv=$(cat /proc/sys/kernel/unprivileged_bpf_disabled)
	# The client reads for a quarter of the wait after "ready".
	PCAP_BPF_BROKER=$sock $IP netns exec $NS_B $SETPRIV --inh-caps=-all \
	    --bounding-set=-all "$TAP_COUNTS" -i bpf:tc:vb -t $((WAIT_TENTHS * 25)) \
	    "icmp and host 198.18.0.2" > "$out" 2>&1 &
	cpid=$!
	why=""
	if wait_text "$out" "^ready" $cpid; then
		ping_b
	else
		why="the client did not start: $(head -3 "$out" | tr '\n' ' ')"
	fi
	i=0
	while kill -0 $cpid 2>/dev/null && [ $i -lt "$WAIT_TENTHS" ]; do
		sleep 0.1
		i=$((i + 1))
	done
	kill -KILL $cpid 2>/dev/null
	wait $cpid 2>/dev/null
	counts=$(grep "^delivered" "$out")
	matched=$(echo "$counts" | sed -n 's/.* matched \([0-9]*\) .*/\1/p')
	mech=$(sed -n 's/.*(tap_counts): capturing at bpf:tc:vb with \([^ ]*\).*/\1/p' "$blog" | head -1)
	# Nothing left: the clsact guardian and the broker's child go once
	# the client's descriptors are closed.
	i=0
	while :; do
		left=$(check_tc_clean)
		children=$(broker_children $bpid)
		[ "$children" -eq 0 ] || left="$left $children broker child(ren) still running"
		[ -z "$left" ] && break
		[ $i -ge "$WAIT_TENTHS" ] && break
		sleep 0.1
		i=$((i + 1))
	done
	kill $bpid 2>/dev/null
	wait $bpid 2>/dev/null
	# The broker leaves its socket file when it stops.
	rm -f "$sock"
	[ "$unpriv_was" = 0 ] && [ "$unpriv" = 2 ] &&
	    echo 0 > /proc/sys/kernel/unprivileged_bpf_disabled
	if [ -z "$why" ] && [ -z "$counts" ]; then
		why="the client gave no counts: $(tail -3 "$out" | tr '\n' ' ')"
	elif [ -z "$why" ] && [ "$matched" != 6 ]; then
		why="matched $matched of 6 (3 echo requests in, 3 replies out): $counts"
	elif [ -z "$why" ] && [ -z "$mech" ]; then
		why="the broker logged no capture: $(tail -3 "$blog" | tr '\n' ' ')"
	elif [ -z "$why" ] && [ -n "$left" ]; then
		why="after the client: $left"
	fi
	if [ -n "$why" ]; then
		result broker fail "${mech:-none}" "$why (unprivileged_bpf_disabled=$unpriv; broker: $(grep -v serving "$blog" | tail -2 | tr '\n' ' '))"
	else
		result broker pass "$mech" "uid 0 without capabilities, unprivileged_bpf_disabled=$unpriv: $counts"
	fi
}

# stop_capture PID: SIGINT now, then up to WAIT_TENTHS tenths of a
# second for it to end, then SIGKILL.
stop_capture() {
	kill -INT "$1" 2>/dev/null
	i=0
	while kill -0 "$1" 2>/dev/null && [ $i -lt "$WAIT_TENTHS" ]; do
		sleep 0.1
		i=$((i + 1))
	done
	kill -KILL "$1" 2>/dev/null
	wait "$1" 2>/dev/null
}

# 512 KiB over TCP from A to B in 64 KiB writes (both sides end within
# 20 s whatever happens).
tcp_stream_a_to_b() {
	$IP netns exec $NS_B "$TCP_STREAM" -l 5001 > "$TMPD/stream-recv.out" 2>&1 &
	rpid=$!
	sleep 1
	$IP netns exec $NS_A "$TCP_STREAM" 198.18.0.2 5001 512 \
	    > "$TMPD/stream-send.out" 2>&1
	wait $rpid 2>/dev/null
}

# Tracking through GSO (bpf/packet_track.h): with TSO off and GSO on at
# va, TCP's large skbs are split in software (validate_xmit_skb() ->
# __skb_gso_segment()) between net:net_dev_queue (the large skb) and
# net:net_dev_start_xmit (its segments, each at most the MTU).  Three
# captures of one TCP stream:
#  - plain and track: the in-kernel filter takes the large skbs alone
#    (greater 3000); with ,track the segments are captured at the later
#    tap too (rows of at most 1514 bytes), without it none is;
#  - ids (NFLOG, which libpcap filters in user space: unfiltered, every
#    packet followed): the segments at tap 1 carry their original's
#    identity (prefix pkt=ID), where, not followed, each would be a new
#    packet with an identity of its own (at least half of the large
#    packets, and 2, with all their segments).
# Where the kernel refuses the fexit program (the capture's debug line
# says so) the row is skipped.
tracked_gso_row() {
	wanted tracked_gso || return 0
	for f in "$ETHTOOL" "$NFLOG_ROWS" "$TCP_STREAM"; do
		if [ ! -x "$f" ]; then
			result tracked_gso fail none "$f is missing"
			return
		fi
	done
	if ! $IP netns exec $NS_A "$ETHTOOL" -K va tso off gso on >/dev/null 2>&1; then
		result tracked_gso fail none "ethtool -K va tso off gso on refused"
		return
	fi
	gtaps=bpf:tracepoint:net:net_dev_queue+tracepoint:net:net_dev_start_xmit
	gpids=""
	for t in plain track ids; do
		case $t in
		plain)	dev=$gtaps opts="" filter="greater 3000" ;;
		track)	dev=$gtaps,track opts="" filter="greater 3000" ;;
		ids)	dev=$gtaps,track opts="-y NFLOG" filter="" ;;
		esac
		PCAP_BPF_DEBUG=1 $IP netns exec $NS_A tcpdump -ni "$dev" $opts \
		    -s 128 -U -w "$TMPD/gso-$t.pcap" $filter \
		    2> "$TMPD/gso-$t.err" &
		gpid=$!
		gpids="$gpids $gpid"
		if ! wait_started "$TMPD/gso-$t.err" $gpid; then
			for gpid in $gpids; do
				stop_capture $gpid
			done
			result tracked_gso fail none "$t: tcpdump did not start: $(grep -v '^libbpf' "$TMPD/gso-$t.err" | head -2 | tr '\n' ' ')"
			return
		fi
		[ $t = plain ] && mech=$(mechanism_of $gpid)
	done
	tcp_stream_a_to_b
	sleep 1
	for gpid in $gpids; do
		stop_capture $gpid
	done
	$IP netns exec $NS_A "$ETHTOOL" -K va tso on >/dev/null 2>&1
	refused=$(grep "GSO segments are not followed" "$TMPD/gso-track.err")
	if [ -n "$refused" ]; then
		result tracked_gso skip "$mech" "$refused"
		return
	fi
	for t in plain track; do
		eval "${t}_big=\$(tcpdump -nr \"\$TMPD/gso-$t.pcap\" greater 3000 2>/dev/null | wc -l)"
		eval "${t}_small=\$(tcpdump -nr \"\$TMPD/gso-$t.pcap\" less 1600 2>/dev/null | wc -l)"
	done
	if ! "$NFLOG_ROWS" "$TMPD/gso-ids.pcap" > "$TMPD/gso-ids.rows" 2>&1; then
		result tracked_gso fail "$mech" "ids: $(head -1 "$TMPD/gso-ids.rows")"
		return
	fi
	# Rows are "tap identity IP-length".  A large packet at tap 0 is
	# followed at once by its segments at tap 1 (the transmit path
	# splits and sends them before it returns); it is whole when every
	# one of them (ceil((length - 52) / 1448): TCP with timestamps over
	# an MTU of 1500) carries its identity.  B's pure ACKs (52 bytes)
	# may come between.  Stale entries (skbs the kernel frees without a
	# tracepoint, whose address or head a new skb reuses) give some
	# segments an old identity, never a large packet's run of them.
	ids=$(awk '
	    $1 == 0 && $3 > 3000 { cur = $2; want = int(($3 - 52 + 1447) / 1448)
		got = 0; big++; next }
	    $1 == 1 && cur != "" && $3 > 52 {
		if ($2 == cur) { got++; if (got == want) { whole++; cur = "" } }
		else cur = "" }
	    END { print big + 0, whole + 0 }' "$TMPD/gso-ids.rows")
	set -- $ids
	followed=$(grep -h "GSO segments followed" "$TMPD/gso-track.err" | sed 's/.*tracking: //' | head -1)
	detail="$(cat "$TMPD/stream-send.out" "$TMPD/stream-recv.out" | tr '\n' ' '); plain: $plain_big large, $plain_small small; track: $track_big large, $track_small small ($followed); NFLOG: $2 of $1 large packets whole at tap 1 under their pkt=ID"
	# Where the filter is not run in the probe (no bpf_loop() and no
	# compiled filter: 5.10), every packet is followed and libpcap
	# filters the records: segments, not matching, are dropped there.
	userspace=$(grep -h "filtering in user space\|filtered in user space" "$TMPD/gso-track.err" | head -1)
	if [ -n "$userspace" ]; then
		detail="$detail; the segments of the filtered captures not checked: $userspace"
		track_small=2
	fi
	if [ "$plain_big" -ge 1 ] && [ "$plain_small" -eq 0 ] &&
	    [ "$track_big" -ge 1 ] && [ "$track_small" -ge 2 ] &&
	    [ "$2" -ge 2 ] && [ $(($2 * 2)) -ge "$1" ]; then
		result tracked_gso pass "$mech" "$detail"
	else
		result tracked_gso fail "$mech" "$detail"
	fi
}

run_taps() {
	listing
	echo_requests="icmp[icmptype] = icmp-echo and host 127.0.0.1"
	request="127.0.0.1 > 127.0.0.1: ICMP echo request"

	capture tracepoint bpf:tracepoint:net:netif_receive_skb 2 "$echo_requests" ping_lo "$request"
	PCAP_BPF_MECHANISMS=raw_tp capture tracepoint_raw_tp_fallback \
	    bpf:tracepoint:net:netif_receive_skb 2 "$echo_requests" ping_lo "$request"
	unset PCAP_BPF_MECHANISMS
	capture raw_tracepoint bpf:raw_tracepoint:netif_receive_skb 2 "$echo_requests" ping_lo "$request"
	capture tracepoint_drop bpf:tracepoint:skb:kfree_skb 2 "tcp dst port 9 and host 127.0.0.1" \
	    syn_to_closed_port "127.0.0.1\.[0-9]* > 127.0.0.1.9: Flags \[S\]"
	# NFLOG (the probe's metadata path) and two taps sharing one ring.
	TCPDUMP_OPTIONS="-y NFLOG" capture tracepoint_drop_nflog bpf:tracepoint:skb:kfree_skb 2 "" \
	    syn_to_closed_port "127.0.0.1\.[0-9]* > 127.0.0.1.9: Flags \[S\]"
	unset TCPDUMP_OPTIONS
	capture two_taps bpf:tracepoint:net:netif_receive_skb+tracepoint:skb:kfree_skb 4 \
	    "tcp dst port 9 and host 127.0.0.1" syn_to_closed_port \
	    "127.0.0.1\.[0-9]* > 127.0.0.1.9: Flags \[S\]"
	# Scoped (bpftrace-scope.h): this namespace and the root cgroup,
	# which every socket is in; the echo requests leave with ping's.
	# Loads the probe's scope checks, which an unscoped probe's frozen
	# constants leave out of the verifier's walk.
	mkdir -p "$TMPD/cg"
	if mount -t cgroup2 cgroup2 "$TMPD/cg" 2>/dev/null; then
		capture tracepoint_scoped \
		    "bpf:tracepoint:net:net_dev_queue,netns=/proc/self/ns/net,cgroup=$TMPD/cg,dev=lo" \
		    2 "$echo_requests" ping_lo "$request"
		umount "$TMPD/cg"
	else
		result tracepoint_scoped skip none "no cgroup2 file system"
	fi
	capture kprobe bpf:kprobe:ip_rcv 2 "$echo_requests" ping_lo "$request"
	# Tracking (bpf/packet_track.h): the probes' lookups, a function tap
	# and a tap where skbs are freed, and the hidden program at
	# kfree_skb, through the verifier; each request at both taps.
	capture tracked "bpf:kprobe:ip_rcv+tracepoint:skb:consume_skb,track" 4 \
	    "$echo_requests" ping_lo "$request"
	PCAP_BPF_MECHANISMS=kprobe capture kprobe_as_kprobe bpf:kprobe:ip_rcv 2 \
	    "$echo_requests" ping_lo "$request"
	unset PCAP_BPF_MECHANISMS
	capture fentry bpf:fentry:ip_rcv 2 "$echo_requests" ping_lo "$request"
	# After eth_type_trans() the frame is a received one (its MAC header
	# pulled); LINUX_SLL2 prints the direction on every line.
	TCPDUMP_OPTIONS="-y LINUX_SLL2" capture fexit bpf:fexit:eth_type_trans 2 \
	    "$echo_requests" ping_lo "In  IP $request"
	unset TCPDUMP_OPTIONS
	# A user's object file (bpf:object, testprogs/pcap_fentry.bpf.c): its
	# fentry program emits what ip_rcv() receives, its kprobe program
	# counts; :SECTION loads and attaches the first alone.
	capture object "bpf:object:$OBJECTS/pcap_fentry.bpf.o" 2 "$echo_requests" \
	    ping_lo "$request"
	capture object_section "bpf:object:$OBJECTS/pcap_fentry.bpf.o:fentry/ip_rcv" 2 \
	    "$echo_requests" ping_lo "$request"

	# tc and XDP on a veth pair between two namespaces.
	$IP netns add $NS_A && $IP netns add $NS_B &&
	$IP link add va netns $NS_A type veth peer name vb netns $NS_B &&
	$IP -n $NS_A addr add 198.18.0.1/24 dev va && $IP -n $NS_B addr add 198.18.0.2/24 dev vb &&
	$IP -n $NS_A link set va up && $IP -n $NS_B link set vb up &&
	$IP -n $NS_A link set lo up && $IP -n $NS_B link set lo up || echo "GUEST-NOTE veth setup failed"
	ping_b
	icmp_b="icmp and host 198.18.0.2"
	capture tc bpf:tc:vb 4 "$icmp_b" ping_b "ICMP echo" $NS_B check_tc_clean
	PCAP_BPF_MECHANISMS=clsact capture tc_as_clsact bpf:tc:vb 4 "$icmp_b" ping_b \
	    "ICMP echo" $NS_B check_tc_clean
	unset PCAP_BPF_MECHANISMS
	# The filter, set after tcpdump dropped its privileges, runs in the
	# probe: the echo replies never reach the ring.
	PCAP_BPF_DEBUG=1 capture filter_in_kernel bpf:tc:vb 2 "icmp[icmptype] = icmp-echo" \
	    ping_b "198.18.0.1 > 198.18.0.2: ICMP echo request" $NS_B check_rejected_in_kernel
	unset PCAP_BPF_DEBUG
	capture xdp bpf:xdp:vb 2 "icmp[icmptype] = icmp-echo" ping_b \
	    "198.18.0.1 > 198.18.0.2: ICMP echo request" $NS_B
	tracked_gso_row
	broker_row
	$IP netns del $NS_A 2>/dev/null
	$IP netns del $NS_B 2>/dev/null
}

# Two mac80211_hwsim radios: wlan1 joins an IBSS (it sends beacons),
# wlan0 scans; the beacons reach ieee80211_scan_rx() on wlan0's side.
scan_wlan0() {
	$IW dev wlan0 scan >/dev/null 2>&1
	$IW dev wlan0 scan >/dev/null 2>&1
}

run_wifi() {
	if [ ! -d /sys/class/net/wlan0 ] || [ ! -d /sys/class/net/wlan1 ]; then
		result wifi skip none "no mac80211_hwsim radios in this kernel"
		return
	fi
	$IW dev wlan1 set type ibss && $IP link set wlan1 up &&
	    $IW dev wlan1 ibss join pbt-ibss 2412 fixed-freq 02:11:22:33:44:55 &&
	    $IP link set wlan0 up || echo "GUEST-NOTE wifi setup failed"
	sleep 3		# the IBSS starts beaconing
	# Beacons and probe responses of the IBSS, as 802.11 frames.
	TCPDUMP_OPTIONS="-y IEEE802_11" capture wifi bpf:kprobe:ieee80211_scan_rx 1 "" \
	    scan_wlan0 "(pbt-ibss)"
}

for group in $GUEST_TESTS; do
	run_$group
done
echo GUEST-TESTS-DONE
