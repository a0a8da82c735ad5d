#!/bin/bash
# bpf:object:PATH[:SECTION]: the system's tcpdump loads a user's BPF
# object file (programs that call bpf_pcap()), attaches its programs by
# their SEC() names and captures what they emit, the filter applied; with
# :SECTION only that program is loaded and attached.  When tcpdump ends,
# by SIGINT or by SIGKILL, none of the programs, links and maps it held
# is left in the kernel.  Each way loading can fail gives one line naming
# what is missing, with its status, and leaves nothing behind.
. "$(dirname "$0")/lib.sh"
ensure_kernel_fs
command -v bpftool >/dev/null || skip "bpftool is not installed"
make_veth_pair
# The tracing programs see every namespace's packets: ours are between
# addresses of this test's own, with a pattern of this run's.
add_own_addresses
PATTERN=$(printf 'b0b0%04x' $(( $$ & 0xffff )))
FILTER="icmp and host $OWN_A and host $OWN_B"

# pings COUNT: echo requests from A to B's own address, 10 per second;
# and as many to B's shared address, which the filter must keep out.
pings() {
	ip netns exec "$NS_A" ping -c "$1" -i 0.1 -p "$PATTERN" "$OWN_B" >/dev/null &
	ip netns exec "$NS_A" ping -c "$1" -i 0.1 198.18.0.2 >/dev/null
	wait $!
}

# tcpdump_pid NAME: the tcpdump under the background capture NAME.
tcpdump_pid() {
	local pid p
	eval "pid=\$PID_$1"
	for p in $(process_tree "$pid"); do
		[ "$(cat /proc/"$p"/comm 2>/dev/null)" = tcpdump ] && echo "$p"
	done
}

# held KIND PID: the ids of the BPF programs, maps or links (KIND prog,
# map, link) a process holds descriptors of.
held() {
	grep -h "^$1_id:" /proc/"$2"/fdinfo/* 2>/dev/null | awk '{ print $2 }' | sort -un
}

# program_names IDS...: the programs' names, sorted, on one line.
program_names() {
	local id
	for id in "$@"; do
		bpftool -j prog show id "$id" | python3 -c 'import json, sys; print(json.load(sys.stdin)["name"])'
	done | sort | tr '\n' ' '
}

# gone KIND IDS...: waits up to $WAIT_BOUND s until none of these objects
# exists (programs and maps go after an RCU grace period); says which
# remain.
gone() {
	local kind=$1 t0=$SECONDS id left
	shift
	while :; do
		left=""
		for id in "$@"; do
			bpftool "$kind" show id "$id" >/dev/null 2>&1 && left="$left $id"
		done
		[ -z "$left" ] && return 0
		[ "$SECONDS" -ge $((t0 + WAIT_BOUND)) ] && { echo "$kind still there:$left"; return 1; }
		sleep 0.2
	done
}

# capture NAME DEVICE: tcpdump with the test's filter; its programs,
# maps and links (ids) in PROGS_NAME, MAPS_NAME, LINKS_NAME.
capture() {
	local name=$1 dev=$2 pid
	start_tcpdump "$name" -ni "$dev" -U -w "$TMP/$name.pcap" "$FILTER"
	pid=$(tcpdump_pid "$name")
	[ -n "$pid" ] || fail "$name: no tcpdump process"
	eval "TCPDUMP_$name=$pid"
	eval "PROGS_$name=\"$(held prog "$pid" | tr '\n' ' ')\""
	eval "MAPS_$name=\"$(held map "$pid" | tr '\n' ' ')\""
	eval "LINKS_$name=\"$(held link "$pid" | tr '\n' ' ')\""
}

# finish NAME COUNT: once the capture holds COUNT packets, and a moment
# later for any extra, SIGINT; the count must be exact.
finish() {
	local pid n
	wait_for_packets "$TMP/$1.pcap" "$2"
	sleep 0.5
	eval "pid=\$TCPDUMP_$1"
	kill -INT "$pid"
	wait_tcpdump "$1"
	n=$(packets_in "$TMP/$1.pcap")
	echo "$1: $n packets (expected $2): $(tcpdump -r "$TMP/$1.pcap" -nn 2>/dev/null |
	    awk '{ print $3, $4, $5, $7, $8 }' | sort | uniq -c | tr -s ' \n' ' ')"
	[ "$n" -eq "$2" ] || fail "$1: $n packets captured, not $2"
	[ "$(packets_in "$TMP/$1.pcap" "not ($FILTER)")" -eq 0 ] ||
	    fail "$1: packets the filter should have kept out"
}

# nothing_left NAME: none of the capture's programs, maps, links remains.
nothing_left() {
	local progs maps links
	eval "progs=\$PROGS_$1 maps=\$MAPS_$1 links=\$LINKS_$1"
	# shellcheck disable=SC2086
	gone link $links && gone prog $progs && gone map $maps ||
	    fail "$1: BPF objects of the capture left after it ended"
	# shellcheck disable=SC2086
	echo "$1 ended: its $(echo $progs | wc -w) programs, $(echo $maps | wc -w) maps, $(echo $links | wc -w) links are gone"
}

# The example: one tp_btf program (received packets), every echo request
# and reply of ours once, nothing else.
OBJ=$TESTPROGS/pcap_object.bpf.o
capture tp "bpf:object:$TESTPROGS/pcap_tp.bpf.o"
# shellcheck disable=SC2086
echo "pcap_tp.bpf.o: programs held: $(program_names $PROGS_tp)"
pings 5
finish tp 10
nothing_left tp

# The whole object: every program attached, the one that emits nothing
# (raw_tp) too; received and queued: each packet twice.
capture all "bpf:object:$OBJ"
# shellcheck disable=SC2086
names=$(program_names $PROGS_all)
echo "pcap_object.bpf.o: programs $names, links $LINKS_all"
[ "$names" = "count_xmit pcap_queued pcap_received " ] ||
    fail "the whole object: programs held: $names"
# shellcheck disable=SC2086
[ "$(echo $LINKS_all | wc -w)" -eq 3 ] || fail "the whole object: links $LINKS_all, not 3"
pings 5
finish all 20
nothing_left all

# :SECTION: that program alone (by SEC() name), then by its own name.
capture queued "bpf:object:$OBJ:tp_btf/net_dev_queue"
# shellcheck disable=SC2086
names=$(program_names $PROGS_queued)
echo "pcap_object.bpf.o:tp_btf/net_dev_queue: programs $names, links $LINKS_queued"
[ "$names" = "pcap_queued " ] || fail ":tp_btf/net_dev_queue: programs held: $names"
# shellcheck disable=SC2086
[ "$(echo $LINKS_queued | wc -w)" -eq 1 ] || fail ":SECTION: links $LINKS_queued, not 1"
pings 5
finish queued 10
[ "$(packets_in "$TMP/queued.pcap" "icmp[icmptype] == icmp-echo")" -eq 5 ] ||
    fail ":tp_btf/net_dev_queue: not the 5 echo requests A sent"
nothing_left queued
capture received "bpf:object:$OBJ:pcap_received"
# shellcheck disable=SC2086
[ "$(program_names $PROGS_received)" = "pcap_received " ] ||
    fail ":pcap_received: programs held: $(program_names $PROGS_received)"
pings 3
finish received 6
nothing_left received

# SIGKILL: the links, programs and maps were held by descriptors only.
capture killed "bpf:object:$OBJ"
pings 2
wait_for_packets "$TMP/killed.pcap" 8
kill -KILL "$TCPDUMP_killed"
wait_tcpdump killed
nothing_left killed
# No discovery: objects are files the user names.
! with_lib tcpdump -D 2>/dev/null | grep -q "bpf:object" ||
    fail "tcpdump -D lists bpf:object devices"

# Errors: one line each, the status, nothing left behind.
T=$TESTPROGS/tap_activate
expect() {
	local device=$1 status=$2 text=$3
	shift 3
	out=$("$@" "$T" "$device" 2>&1)
	echo "$out" | grep '^error '
	echo "$out" | grep -q "^status $status" ||
	    fail "$device: expected status $status: $out"
	echo "$out" | grep -qF -- "$text" || fail "$device: message lacks '$text'"
	[ "$(echo "$out" | grep -c '^error ')" = 1 ] || fail "$device: not one error line"
	echo "$out" | sed -n '/^error /{n;p;}' | grep -q '^bpf_fds' ||
	    fail "$device: the message spans several lines"
	echo "$out" | grep -q "^bpf_fds 0" || fail "$device: BPF objects left after the failed activate"
}
echo "not an object" > "$TMP/text.o"
expect bpf:object:/nonexistent/x.bpf.o -5 "there is no file /nonexistent/x.bpf.o"
expect "bpf:object:$TMP" -1 "$TMP is not a file: name a BPF object file"
expect "bpf:object:$TMP/text.o" -1 "$TMP/text.o is not an ELF file"
expect bpf:object:/bin/true -1 "/bin/true is an ELF file but not a BPF object"
# A file another user could change is not loaded as root's.
cp "$OBJ" "$TMP/writable.o"
chmod 0666 "$TMP/writable.o"
expect "bpf:object:$TMP/writable.o" -8 \
    "$TMP/writable.o may be changed by other users (group or world writable): load only an object file that no one but you (or root) can write"
chmod 0644 "$TMP/writable.o"
chown 65534 "$TMP/writable.o"
expect "bpf:object:$TMP/writable.o" -8 "may be changed by its owner, another user"
expect "bpf:object:$TESTPROGS/xdp_pass.bpf.o" -1 \
    "no program in $TESTPROGS/xdp_pass.bpf.o emits with bpf_pcap(): it has no bpf_pcap_conf map"
expect "bpf:object:$OBJ:count_xmit" -1 \
    "no program of section 'count_xmit' in $OBJ emits with bpf_pcap()"
expect "bpf:object:$OBJ:nosuch" -5 "no program has the section or name 'nosuch'; the object's programs: pcap_received (tp_btf/netif_receive_skb), pcap_queued (tp_btf/net_dev_queue), count_xmit (raw_tp/net_dev_xmit)"
expect "bpf:object:$TESTPROGS/pcap_xdp.bpf.o" -1 \
    "program pcap_xdp (xdp) cannot be attached by its section name: SEC() names must say where (tp_btf/NAME, raw_tp/NAME, tracepoint/CAT/NAME, kprobe/FUNC...)"
expect "bpf:object:$TESTPROGS/pcap_refused.bpf.o" -1 \
    "the verifier refused program pcap_unbounded (tp_btf/netif_receive_skb): R2 unbounded memory access"
expect "bpf:object:$OBJ:" -5 "an empty section after the path"
expect $'bpf:object:/tmp/x\e[2J.o' -5 'bpf:object:/tmp/x\x1b[2J.o: a control character'
expect "bpf:object:/$(printf 'p%.0s' $(seq 130))" -5 "object path longer than 127 characters"
expect "bpf:object:$OBJ+tracepoint:skb:kfree_skb" -5 "cannot be joined with other taps"
# Without CAP_BPF and CAP_PERFMON: the object is readable, the load not
# allowed; the broker is not asked.
as_nobody true
cp "$OBJ" "$TMP/shared/"
chmod a+r "$TMP/shared/pcap_object.bpf.o"
T=$TMP/shared/tap_activate expect "bpf:object:$TMP/shared/pcap_object.bpf.o" -8 \
    "needs CAP_BPF and CAP_PERFMON (or root) in the capturing process; the capture broker does not load users' objects" \
    as_nobody
chmod a-r "$TMP/shared/pcap_object.bpf.o"
T=$TMP/shared/tap_activate expect "bpf:object:$TMP/shared/pcap_object.bpf.o" -8 \
    "cannot read $TMP/shared/pcap_object.bpf.o: Permission denied" as_nobody
exit 0
