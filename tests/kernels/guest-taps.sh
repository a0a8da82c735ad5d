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
	2)	case $links in *kprobe_multi*) echo kprobe.multi ;; *) echo kprobe ;; esac ;;
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

# The same, by the filter compiled for the probe (PCAP_BPF_DEBUG=1).
check_compiled_and_rejected() {
	grep -q "filter compiled in 1 of 1 taps" "$err" ||
	    echo "the filter was not compiled: $(grep 'filter compiled' "$err")"
	check_rejected_in_kernel
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
		*"refuses BPF trampolines"*|*"no kprobe support"*|*"not in PCAP_BPF_MECHANISMS"*|*"no multi-buffer XDP"*|*"no kprobe.multi"*|*"needs attach cookies"*) ;;
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

# start_failure FILE: why tcpdump did not start, its own error line
# first (PCAP_BPF_DEBUG's and libbpf's lines come before it).
start_failure() {
	why=$(grep "^tcpdump: " "$1" | grep -v "^tcpdump: verbose" | head -2 | tr '\n' ' ')
	[ -n "$why" ] || why=$(grep -v "^tcpdump: verbose" "$1" | head -2 | tr '\n' ' ')
	echo "$why"
}

# started TEST PID: whether tcpdump (PID, its messages in $err) came up;
# if not, the row's result: skipped where the kernel refuses the tap.
started() {
	wait_started "$err" "$2" && return 0
	wait_exit "$2"
	why=$(start_failure "$err")
	if refused_by_kernel "$why"; then
		result "$1" skip none "the kernel refuses: $why"
	else
		result "$1" fail none "tcpdump did not start: $why"
	fi
	return 1
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
	started "$test" $pid || return
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

# verdict_capture TEST DEVICE FILTER: tcpdump in B's namespace at DEVICE
# (TCPDUMP_OPTIONS adds options) while 6 echo requests go to B, stopped
# a second after them; the capture in $TMPD/TEST.pcap.  Returns 1, with
# the row's result given, when tcpdump did not start.
verdict_capture() {
	test=$1
	pcap=$TMPD/$test.pcap
	err=$TMPD/$test.err
	$IP netns exec $NS_B tcpdump -ni "$2" $TCPDUMP_OPTIONS -w "$pcap" "$3" 2> "$err" &
	pid=$!
	started "$test" $pid || return 1
	mech=$(mechanism_of $pid)
	$IP netns exec $NS_A busybox ping -c 6 198.18.0.2 >/dev/null 2>&1
	sleep 1
	kill -INT $pid 2>/dev/null
	wait $pid 2>/dev/null
	return 0
}

# Each echo request of a capture, in order, as "SEQUENCE VERDICT": the
# verdict from the record's NFLOG prefix ("LABEL VERDICT"), which follows
# the sequence number at testprogs/xdp_drop_third.bpf.c (multiples of 3
# dropped).  testprogs/nflog_rows reads each record's sequence number and
# prefix (which may end with the process where the tap ran: ksoftirqd).
echo_verdicts() {
	"$NFLOG_ROWS" "$1" | busybox awk -v label="$2" \
	    '$4 != "-" && $5 == label { print $4, $6 }'
}

# The user's XDP program (testprogs/xdp_drop_third.bpf.c) on B's vb:
# bpf:xdp:vb attaches fexit to it.  Every request is seen with the verdict
# its sequence number calls for; :drop keeps the dropped ones alone;
# :entry (fentry) sees them all before the program; tcpdump's filter
# applies in the probe (one that excludes them gives none).
xdp_program_rows() {
	for row in xdp_prog xdp_prog_drop xdp_prog_entry xdp_prog_filter; do
		wanted $row && break
		row=""
	done
	[ -n "$row" ] || return 0
	if ! $IP -n $NS_B link set dev vb xdpgeneric obj "$OBJECTS/xdp_drop_third.bpf.o" sec xdp; then
		result xdp_prog fail none "could not attach testprogs/xdp_drop_third.bpf.o"
		return
	fi
	TCPDUMP_OPTIONS="-y NFLOG"
	if wanted xdp_prog && verdict_capture xdp_prog bpf:xdp:vb ""; then
		seen=$(echo_verdicts "$pcap" "xdp:vb")
		n=$(echo "$seen" | grep -c .)
		wrong=$(echo "$seen" | busybox awk '($1 % 3 == 0) != ($2 == "drop") || ($2 != "drop" && $2 != "pass")' | tr '\n' ',')
		drops=$(echo "$seen" | grep -c " drop$")
		if [ "$n" -ne 6 ] || [ -n "$wrong" ] || [ "$drops" -ne 2 ]; then
			result xdp_prog fail "$mech" "$n of 6 echo requests, $drops dropped, wrong verdicts: '$wrong'; seen: $(echo $seen)"
		else
			result xdp_prog pass "$mech" "6 echo requests, verdicts by sequence: $(echo $seen)"
		fi
	fi
	unset TCPDUMP_OPTIONS
	if wanted xdp_prog_drop && verdict_capture xdp_prog_drop bpf:xdp:vb:drop "icmp"; then
		seqs=$(tcpdump -nr "$pcap" 2>/dev/null | sed -n 's/.*echo request, id [0-9]*, seq \([0-9]*\).*/\1/p' | tr '\n' ' ')
		all=$(tcpdump -nr "$pcap" 2>/dev/null | grep -c .)
		if [ "$seqs" = "0 3 " ] && [ "$all" -eq 2 ]; then
			result xdp_prog_drop pass "$mech" "only the dropped requests: seq $seqs"
		else
			result xdp_prog_drop fail "$mech" "$all packets, requests of seq '$seqs', not exactly 0 and 3"
		fi
	fi
	if wanted xdp_prog_entry && verdict_capture xdp_prog_entry bpf:xdp:vb:entry "icmp[icmptype] = icmp-echo"; then
		n=$(tcpdump -nr "$pcap" 2>/dev/null | grep -c "198.18.0.1 > 198.18.0.2: ICMP echo request")
		if [ "$n" -eq 6 ] && [ "$mech" = fentry ]; then
			result xdp_prog_entry pass "$mech" "6 echo requests before the program"
		else
			result xdp_prog_entry fail "$mech" "$n of 6 echo requests"
		fi
	fi
	export PCAP_BPF_DEBUG=1
	if wanted xdp_prog_filter && verdict_capture xdp_prog_filter bpf:xdp:vb "not icmp"; then
		# IPv4's ICMP: "not icmp" lets ICMPv6 (neighbour discovery) by.
		n=$(tcpdump -nr "$pcap" 2>/dev/null | grep -c "IP .*: ICMP ")
		left=$(check_rejected_in_kernel)
		# Compiled by the filter keeper, loaded at the user's program.
		compiled=$(grep -c "filter compiled in 1 of 1 taps" "$err")
		[ "$compiled" -gt 0 ] || left="$left not compiled: $(grep "filter compiled" "$err")"
		if [ "$n" -eq 0 ] && [ -z "$left" ]; then
			result xdp_prog_filter pass "$mech" "no ICMP past 'not icmp', refused in the kernel by the compiled filter"
		else
			result xdp_prog_filter fail "$mech" "$n ICMP packets past 'not icmp'; $left"
		fi
	fi
	unset PCAP_BPF_DEBUG
	$IP -n $NS_B link set dev vb xdpgeneric off
}

# The user's tc program (testprogs/tc_shoot_echo.bpf.c) at B's vb ingress,
# a cls_bpf filter: it shoots the echo requests.  At prog=shoot_echo each
# is seen with the verdict shot; :shot keeps them (EN10MB, filtered), :ok
# none of them.
tc_program_rows() {
	wanted tc_prog || wanted tc_prog_shot || wanted tc_prog_ok || return 0
	if ! { $IP netns exec $NS_B $TC qdisc add dev vb clsact &&
	    $IP netns exec $NS_B $TC filter add dev vb ingress bpf da \
	    obj "$OBJECTS/tc_shoot_echo.bpf.o" sec tc; }; then
		result tc_prog fail none "could not attach testprogs/tc_shoot_echo.bpf.o"
		$IP netns exec $NS_B $TC qdisc del dev vb clsact 2>/dev/null
		return
	fi
	TCPDUMP_OPTIONS="-y NFLOG"
	if wanted tc_prog && verdict_capture tc_prog \
	    bpf:tc:vb:ingress:prog=shoot_echo ""; then
		seen=$(echo_verdicts "$pcap" "tc:vb:ingress")
		n=$(echo "$seen" | grep -c " shot$")
		if [ "$n" -eq 6 ] && [ "$(echo "$seen" | grep -c .)" -eq 6 ]; then
			result tc_prog pass "$mech" "6 echo requests, each shot: $(echo $seen)"
		else
			result tc_prog fail "$mech" "$n of 6 echo requests shot; seen: $(echo $seen)"
		fi
	fi
	unset TCPDUMP_OPTIONS
	if wanted tc_prog_shot && verdict_capture tc_prog_shot bpf:tc:vb:ingress:prog=shoot_echo:shot \
	    "icmp[icmptype] = icmp-echo"; then
		n=$(tcpdump -nr "$pcap" 2>/dev/null | grep -c "198.18.0.1 > 198.18.0.2: ICMP echo request")
		all=$(tcpdump -nr "$pcap" 2>/dev/null | grep -c .)
		if [ "$n" -eq 6 ] && [ "$all" -eq 6 ]; then
			result tc_prog_shot pass "$mech" "the 6 echo requests shot, as Ethernet frames"
		else
			result tc_prog_shot fail "$mech" "$n of 6 echo requests, $all packets"
		fi
	fi
	if wanted tc_prog_ok && verdict_capture tc_prog_ok bpf:tc:vb:ingress:prog=shoot_echo:ok "icmp"; then
		n=$(tcpdump -nr "$pcap" 2>/dev/null | grep -c "ICMP echo request")
		if [ "$n" -eq 0 ]; then
			result tc_prog_ok pass "$mech" "no echo request passed the program"
		else
			result tc_prog_ok fail "$mech" "$n echo requests with verdict ok"
		fi
	fi
	$IP netns exec $NS_B $TC qdisc del dev vb clsact
}

# A TCP stream with segmentation offloads over the veth pair (on by
# default on veth): busybox httpd in B sends a 2 MiB file written in large
# pieces, busybox wget in A fetches it; B's TCP hands the device packets
# of up to 64 KiB, their payload in page fragments.  Within WAIT_TENTHS.
offload_stream() {
	$IP netns exec $NS_A busybox timeout $((WAIT_TENTHS / 10)) \
	    busybox wget -q -O /dev/null http://198.18.0.2:8080/big \
	    >/dev/null 2>&1
}

# whole TEST DEVICE NETNS: during offload_stream, tap_counts at DEVICE (in
# NETNS) and at bpf:tc:vb:egress, both kernel-filtered to the stream,
# count the packets above 2000 bytes and those captured whole (caplen ==
# len).  Pass: the tap saw as many as tc egress, every one whole.  A tap
# that copies an skb's linear part only shows them cut to the headers:
# fail, saying so (tests/kernels/expected-failures lists where that is
# known).  Every wait is bounded: the stream is under timeout(1), the
# captures are told to stop (SIGTERM: they print their counts) once it
# has ended, and end on their own after -t; wait_exit bounds the rest.
whole() {
	wanted "$1" || return 0
	test=$1 device=$2 netns=$3
	out=$TMPD/$test.out ref=$TMPD/$test-tc.out
	flt="tcp and src host 198.18.0.2 and src port 8080"
	run_ms=$((WAIT_TENTHS * 100))
	# A ring that holds the whole stream: the counts must be exact.
	$IP netns exec $netns $TAP_COUNTS -i "$device" -B 8388608 -k -L 2000 \
	    -t $run_ms "$flt" > "$out" 2>&1 &
	pid=$!
	$IP netns exec $NS_B $TAP_COUNTS -i bpf:tc:vb:egress -B 8388608 -k \
	    -L 2000 -t $run_ms "$flt" > "$ref" 2>&1 &
	rpid=$!
	if ! wait_text "$out" "^ready" $pid || ! wait_text "$ref" "^ready" $rpid; then
		kill $pid $rpid 2>/dev/null
		wait_exit $pid
		wait_exit $rpid
		why=$(grep -hv "^ready" "$out" "$ref" | head -2 | tr '\n' ' ')
		if refused_by_kernel "$why"; then
			result "$test" skip none "the kernel refuses: $why"
		else
			result "$test" fail none "tap_counts did not start: $why"
		fi
		return
	fi
	mech=$(mechanism_of $pid)
	offload_stream
	sleep 1
	kill $pid $rpid 2>/dev/null
	wait_exit $pid
	wait_exit $rpid
	# delivered D matched M recv R drop X large N whole W cut C
	set -- $(grep "^delivered" "$out")
	large=${10:-0} whole=${12:-0} cut=${14:-0} drop=${8:-?}
	set -- $(grep "^delivered" "$ref")
	tc_large=${10:-0} tc_whole=${12:-0} tc_drop=${8:-?}
	counts="$device: $large above 2000 bytes, $whole whole, drop $drop; tc egress: $tc_large, $tc_whole whole, drop $tc_drop"
	if [ "$tc_large" -eq 0 ]; then
		result "$test" skip "$mech" "no packet above 2000 bytes at tc egress: no segmentation offload ($counts)"
	elif [ "$tc_whole" -ne "$tc_large" ] || [ "$tc_drop" != 0 ] || [ "$drop" != 0 ]; then
		result "$test" fail "$mech" "the reference is not whole or dropped: $counts"
	elif [ "$large" -ne "$tc_large" ]; then
		result "$test" fail "$mech" "not the same packets: $counts"
	elif [ "$whole" -ne "$large" ]; then
		result "$test" fail "$mech" "linear part only: $((large - whole)) packets above 2000 bytes cut to at most $cut bytes; $counts"
	else
		result "$test" pass "$mech" "$counts"
	fi
}

# The rows of whole(): B's httpd serves the stream, the taps see its
# packets before the device (net_dev_queue, dev_hard_start_xmit, in B)
# and as A's veth receives them (eth_type_trans, in A: veth hands the
# packet over unsegmented).
whole_rows() {
	wanted whole_tp_btf || wanted whole_fentry || wanted whole_fexit ||
	    return 0
	if [ ! -x "$TAP_COUNTS" ]; then
		result whole fail none "$TAP_COUNTS is missing"
		return
	fi
	mkdir -p "$TMPD/www"
	dd if=/dev/zero of="$TMPD/www/big" bs=65536 count=32 2>/dev/null
	$IP netns exec $NS_B busybox httpd -f -p 198.18.0.2:8080 \
	    -h "$TMPD/www" &
	hpid=$!
	whole whole_tp_btf bpf:tracepoint:net:net_dev_queue $NS_B
	whole whole_fentry bpf:fentry:dev_hard_start_xmit $NS_B
	whole whole_fexit bpf:fexit:eth_type_trans $NS_A
	kill $hpid 2>/dev/null
	wait $hpid 2>/dev/null
}

# The functions at which a pattern's capture saw the echo requests, in
# order.  No tshark here, and tcpdump does not print NFLOG prefixes:
# testprogs/nflog_rows reads each record's prefix ("kprobe:FUNCTION") and
# whether it is an echo request (libpcap compiles no IP filter for NFLOG:
# the requests are picked here).
pattern_path() {
	"$NFLOG_ROWS" "$1" | busybox awk '$4 != "-" && $5 ~ /^kprobe:/ {
	    sub(/^kprobe:/, "", $5); printf "%s ", $5 }'
}

# in_order "WANTED ..." "SEEN ...": whether the wanted functions appear
# in the seen ones in that order (others may come between).
in_order() {
	rest=" $2 "
	for f in $1; do
		case $rest in
		*" $f "*) rest=${rest#*" $f "}; rest=" $rest" ;;
		*) return 1 ;;
		esac
	done
	return 0
}

# pattern_row TEST PATTERN "ORDER": bpf:kprobe:PATTERN (one link with
# kprobe.multi, else a kprobe per function, as PCAP_BPF_MECHANISMS
# allows) as NFLOG during one ping over loopback: its echo request must
# be seen at the ORDER functions in that order, each record's prefix
# naming its function.
pattern_row() {
	wanted "$1" || return 0
	test=$1 pattern=$2 order=$3
	pcap=$TMPD/$test.pcap
	err=$TMPD/$test.err
	PCAP_BPF_DEBUG=1 tcpdump -ni "bpf:kprobe:$pattern" -y NFLOG -w "$pcap" \
	    2> "$err" &
	pid=$!
	started "$test" $pid || return
	mech=$(mechanism_of $pid)
	busybox ping -c 1 127.0.0.1 >/dev/null 2>&1
	sleep 1
	kill -INT $pid
	wait $pid 2>/dev/null
	path=$(pattern_path "$pcap")
	attached=$(sed -n 's/.*: \([0-9]* functions attached .*\)/\1/p' "$err" | head -1)
	if in_order "$order" "$path"; then
		result "$test" pass "$mech" "$attached; the echo request at: $path"
	else
		result "$test" fail "$mech" "not seen at '$order' in order; seen at: '$path' ($(tail -2 "$err" | tr '\n' ' '))"
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
	# Function patterns (bpftrace-function-pattern.h): the request's
	# way down and up again through IPv4's functions.
	pattern_row kprobe_pattern 'ip_*' "ip_output ip_rcv ip_local_deliver"
	PCAP_BPF_MECHANISMS=kprobe pattern_row kprobe_pattern_one_by_one \
	    'ip_rcv*' "ip_rcv ip_rcv_core"
	unset PCAP_BPF_MECHANISMS
	pattern_row kprobe_pattern_tracked 'ip_*,track' \
	    "ip_output ip_rcv ip_local_deliver"
	# The filter in the probe (the replies rejected there), compiled
	# for the pattern's program (kprobe.multi's attach type, or a
	# kprobe's); each request at ip_rcv and ip_rcv_core.
	PCAP_BPF_DEBUG=1 capture kprobe_pattern_filtered 'bpf:kprobe:ip_rcv*' 4 \
	    "$echo_requests" ping_lo "$request" "" check_compiled_and_rejected
	unset PCAP_BPF_DEBUG
	# Every function with an skb, where one link can hold them.
	PCAP_BPF_MECHANISMS=kprobe.multi PCAP_BPF_FUNCTIONS_MAX=100000 \
	    pattern_row kprobe_pattern_all '*' "ip_output ip_rcv ip_local_deliver"
	unset PCAP_BPF_FUNCTIONS_MAX PCAP_BPF_MECHANISMS
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
	tc_places_row
	tunnel_row
	xdp_program_rows
	tc_program_rows
	tracked_gso_row
	broker_row
	whole_rows
	$IP netns del $NS_A 2>/dev/null
	$IP netns del $NS_B 2>/dev/null
}

# bpf:tc:vb:ingress:before and :after around a user's clsact filter (at
# priority 100) that redirects pings of 100 bytes back out of vb
# (testprogs/tc_redirect_flow.bpf.c):
# before sees 3 of them and 2 ordinary ones, after only the 2.  clsact on
# every kernel (a tcx capture would run ahead of any clsact filter).
tc_places_row() {
	wanted tc_places || return 0
	$IP netns exec $NS_B $TC qdisc add dev vb clsact 2>/dev/null
	if ! $IP netns exec $NS_B $TC filter add dev vb ingress prio 100 bpf da \
	    obj "$OBJECTS/tc_redirect_flow.bpf.o" sec tc 2> "$TMPD/places-user.err"; then
		result tc_places fail none "the user's filter: $(head -1 "$TMPD/places-user.err")"
		return
	fi
	for place in before after; do
		PCAP_BPF_MECHANISMS=clsact $IP netns exec $NS_B tcpdump \
		    -ni bpf:tc:vb:ingress:$place -U -w "$TMPD/$place.pcap" \
		    "icmp[icmptype] = icmp-echo" 2> "$TMPD/$place.err" &
		eval "pid_$place=\$!"
		if ! wait_started "$TMPD/$place.err" $!; then
			result tc_places fail none "tcpdump did not start: $(head -2 "$TMPD/$place.err" | tr '\n' ' ')"
			kill -INT $pid_before 2>/dev/null
			$IP netns exec $NS_B $TC qdisc del dev vb clsact
			return
		fi
	done
	mech=$(mechanism_of $pid_before)
	$IP netns exec $NS_A busybox ping -c 3 -s 100 -W 1 198.18.0.2 >/dev/null 2>&1
	ping_b_twice() { $IP netns exec $NS_A busybox ping -c 2 198.18.0.2 >/dev/null 2>&1; }
	ping_b_twice
	sleep 1
	kill -INT $pid_before $pid_after
	wait $pid_before $pid_after 2>/dev/null
	before=$(tcpdump -nr "$TMPD/before.pcap" 2>/dev/null | grep -c "ICMP echo request")
	before_redirected=$(tcpdump -nr "$TMPD/before.pcap" greater 142 2>/dev/null | grep -c "ICMP echo request")
	after=$(tcpdump -nr "$TMPD/after.pcap" 2>/dev/null | grep -c "ICMP echo request")
	after_redirected=$(tcpdump -nr "$TMPD/after.pcap" greater 142 2>/dev/null | grep -c "ICMP echo request")
	$IP netns exec $NS_B $TC qdisc del dev vb clsact
	detail="before $before ($before_redirected of the redirected flow), after $after ($after_redirected)"
	if [ "$before" = 5 ] && [ "$before_redirected" = 3 ] && [ "$after" = 2 ] && [ "$after_redirected" = 0 ]; then
		result tc_places pass "$mech" "$detail"
	else
		result tc_places fail "$mech" "$detail; expected 5 (3), 2 (0)"
	fi
}

ping_tunnel() {
	$IP netns exec $NS_A busybox ping -c 3 198.18.201.2 >/dev/null 2>&1
}

# Tracking into a tunnel's encapsulation, at a function tap (which the
# host, without kprobes or BPF trampolines, cannot give), through ipip
# (which the host's kernel lacks; t-track-tunnel.sh tests VXLAN there):
# the filter names the inner echo requests, which iptunnel_xmit()
# receives (in vmlinux: 5.10 has no BTF of modules, ip_tunnel_xmit()'s).
# Each is seen 3 times: at net_dev_queue on tun_a, at iptunnel_xmit()
# and, encapsulated there in the same skb ("IP 198.18.0.1 > 198.18.0.2:
# IP 198.18.201.1 > ..."), at net_dev_queue on va.  Without tracking the
# third row never comes: 6, not 9, rows.
tunnel_row() {
	wanted tracked_tunnel || return 0
	if ! $IP -n $NS_A link add tun_a type ipip local 198.18.0.1 \
	    remote 198.18.0.2 2>/dev/null; then
		result tracked_tunnel skip none "no ipip devices in this kernel"
		return
	fi
	$IP -n $NS_B link add tun_b type ipip local 198.18.0.2 remote 198.18.0.1 &&
	$IP -n $NS_A addr add 198.18.201.1 peer 198.18.201.2 dev tun_a &&
	$IP -n $NS_B addr add 198.18.201.2 peer 198.18.201.1 dev tun_b &&
	$IP -n $NS_A link set tun_a up && $IP -n $NS_B link set tun_b up ||
	    echo "GUEST-NOTE ipip setup failed"
	ping_tunnel
	capture tracked_tunnel \
	    "bpf:kprobe:iptunnel_xmit+tracepoint:net:net_dev_queue,track" 9 \
	    "icmp[icmptype] = icmp-echo and dst host 198.18.201.2" ping_tunnel \
	    "198.18.201.1 > 198.18.201.2: ICMP echo request"
	$IP -n $NS_A link del tun_a
	$IP -n $NS_B link del tun_b
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
