#!/bin/sh
# The tap tests of the kernel matrix: one capture per tap family with the
# system's tcpdump and the built library, on loopback traffic.  Runs the
# same inside a qemu guest (busybox /init) and natively on the host (in a
# network namespace).  POSIX sh: busybox ash must run it.
#
# Prints one line per test:
#   RESULT <tap family> <pass|fail|skip> <mechanism> <detail>
# and "GUEST-TESTS-DONE" at the end.

TMPD=${TMPD:-/tmp/guest-taps}
rm -rf "$TMPD"
mkdir -p "$TMPD"
chmod 1777 "$TMPD"
# Slow under emulation: generous waits, all bounded.
WAIT_TENTHS=${WAIT_TENTHS:-300}

# The program type behind a process's BPF descriptors, from fdinfo: what
# the kernel actually runs, whatever the library meant to load.
mechanism_of() {
	types=$(cat /proc/"$1"/fdinfo/* 2>/dev/null | sed -n 's/^prog_type:[[:space:]]*//p' | sort -u)
	case $types in
	26) echo tp_btf ;;
	17) echo raw_tp ;;
	"") echo none ;;
	*) echo "prog_type_$types" ;;
	esac
}

# wait_text FILE TEXT: up to WAIT_TENTHS tenths of a second.
wait_text() {
	i=0
	while [ $i -lt "$WAIT_TENTHS" ]; do
		grep -q "$2" "$1" 2>/dev/null && return 0
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

# capture FAMILY DEVICE COUNT FILTER TRAFFIC EXPECT
capture() {
	family=$1 device=$2 count=$3 filter=$4 traffic=$5 expect=$6
	pcap=$TMPD/$family.pcap
	err=$TMPD/$family.err
	tcpdump -ni "$device" -c "$count" -w "$pcap" "$filter" 2> "$err" &
	pid=$!
	if ! wait_text "$err" "listening on"; then
		wait_exit $pid
		result "$family" fail none "tcpdump did not start: $(head -2 "$err" | tr '\n' ' ')"
		return
	fi
	mech=$(mechanism_of $pid)
	$traffic
	wait_exit $pid
	got=$(tcpdump -nr "$pcap" 2>/dev/null | grep -c "$expect")
	# tcpdump drops to user tcpdump after activation; all later work
	# (filter, reads, stats) must go on without privileges.
	owner=$(ls -l "$pcap" 2>/dev/null | awk '{ print $3 }')
	if [ "$owner" != tcpdump ]; then
		result "$family" fail "$mech" "capture file owned by '$owner', not by the unprivileged tcpdump user"
	elif [ "$got" -ge "$count" ]; then
		result "$family" pass "$mech" "$got packets matching '$expect'"
	else
		result "$family" fail "$mech" "$got of $count packets matching '$expect'; $(tail -2 "$err" | tr '\n' ' ')"
	fi
}

echo_requests="icmp[icmptype] = icmp-echo and host 127.0.0.1"
capture tracepoint bpf:tracepoint:net:netif_receive_skb 2 "$echo_requests" \
    ping_lo "127.0.0.1 > 127.0.0.1: ICMP echo request"
capture raw_tracepoint bpf:raw_tracepoint:netif_receive_skb 2 "$echo_requests" \
    ping_lo "127.0.0.1 > 127.0.0.1: ICMP echo request"
capture tracepoint_drop bpf:tracepoint:skb:kfree_skb 2 "tcp dst port 9 and host 127.0.0.1" \
    syn_to_closed_port "127.0.0.1\.[0-9]* > 127.0.0.1.9: Flags \[S\]"
echo GUEST-TESTS-DONE
