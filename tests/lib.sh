# Shared helpers of the test scripts.  Sourced; each test is its own
# process, so traps and namespaces are per test.
#
# Exit codes: 0 pass, 77 skip (with a printed reason), anything else fail.

TOP=$(cd "$(dirname "$0")/.." && pwd)
BUILD=$TOP/build
LIBDIR=$BUILD/lib
TESTPROGS=$BUILD/testprogs
PCAP_TESTPROGS=$BUILD/libpcap/testprogs
TMP=$(mktemp -d "${TMPDIR:-/tmp}/pcap-bpftrace-test.XXXXXX")
# tcpdump writes its files after dropping to user tcpdump.
chmod 0777 "$TMP"
NS_PREFIX=pbt$$
CLEANUPS=""

# Runs a command with the built library in place of the system's.
with_lib() {
	LD_LIBRARY_PATH=$LIBDIR "$@"
}

fail() {
	echo "FAIL: $*"
	exit 1
}

skip() {
	echo "SKIP: $*"
	exit 77
}

# Registers a command to run at exit, last registered first.
on_exit() {
	CLEANUPS="$*; $CLEANUPS"
}

run_cleanups() {
	eval "$CLEANUPS"
	rm -rf "$TMP"
}
trap run_cleanups EXIT
trap 'exit 1' INT TERM

ensure_kernel_fs() {
	mountpoint -q /sys/fs/bpf || mount -t bpf bpf /sys/fs/bpf 2>/dev/null || true
	mountpoint -q /sys/kernel/tracing ||
	    mount -t tracefs tracefs /sys/kernel/tracing 2>/dev/null || true
}

# A network namespace of the test's, with lo up; removed at exit.
add_namespace() {
	ip netns add "$1" || fail "ip netns add $1"
	on_exit "ip netns del $1 2>/dev/null"
	ip -n "$1" link set lo up
}

# link_namespaces NS_X IF_X ADDR_X NS_Y IF_Y ADDR_Y: a veth pair between
# two namespaces, addressed (ADDR with its prefix length) and up.
link_namespaces() {
	ip link add "$2" netns "$1" type veth peer name "$5" netns "$4" ||
	    fail "creating the veth pair $2 - $5"
	ip -n "$1" addr add "$3" dev "$2"
	ip -n "$4" addr add "$6" dev "$5"
	ip -n "$1" link set "$2" up
	ip -n "$4" link set "$5" up
}

# mac_of NS IF: the interface's Ethernet address.
mac_of() {
	ip -n "$1" -o link show "$2" | sed 's/.*link\/ether \([0-9a-f:]*\).*/\1/'
}

# Two hosts joined by a veth pair: $NS_A (198.18.0.1, veth_a) and
# $NS_B (198.18.0.2, veth_b).  Removed at exit.
make_veth_pair() {
	NS_A=${NS_PREFIX}a
	NS_B=${NS_PREFIX}b
	add_namespace "$NS_A"
	add_namespace "$NS_B"
	link_namespaces "$NS_A" veth_a 198.18.0.1/24 "$NS_B" veth_b 198.18.0.2/24
	IFINDEX_B=$(ip -n "$NS_B" -o link show veth_b | sed 's/:.*//')
	MAC_A=$(mac_of "$NS_A" veth_a)
	# Neighbour discovery is not what the tests look at.
	ip netns exec "$NS_A" ping -c 1 -W 2 198.18.0.2 >/dev/null 2>&1
}

# Every wait below is for an event, bounded generously: a loaded 2-core
# machine (other builds, valgrind) may take many seconds for what an idle
# one does at once, and a bound only costs time when something is wrong.
WAIT_BOUND=${WAIT_BOUND:-60}

# Addresses of this test's own on the veth pair, OWN_A on veth_a and
# OWN_B on veth_b (a /30 of 198.19.0.0/16 chosen by the test's pid), for
# the filters of kernel-wide taps: other tests running at the same time
# use 198.18.0.1 and .2 too.
add_own_addresses() {
	local base=$(( ($$ % 16384) * 4 ))
	OWN_A=198.19.$((base / 256)).$((base % 256 + 1))
	OWN_B=198.19.$((base / 256)).$((base % 256 + 2))
	ip -n "$NS_A" addr add "$OWN_A/30" dev veth_a
	ip -n "$NS_B" addr add "$OWN_B/30" dev veth_b
}

# wait_until PID COMMAND...: until COMMAND succeeds, at most $WAIT_BOUND s,
# or until PID has ended; the status is COMMAND's.
wait_until() {
	local pid=$1 i=0 t0=$SECONDS
	shift
	while ! "$@" && [ "$SECONDS" -lt $((t0 + WAIT_BOUND)) ] && kill -0 "$pid" 2>/dev/null; do
		sleep 0.1
		i=$((i + 1))
	done
	"$@"
}

# Waits until FILE contains TEXT (tcpdump's "listening on"), at most
# $WAIT_BOUND s.
wait_for_text() {
	local file=$1 text=$2 i=0 t0=$SECONDS
	while [ "$SECONDS" -lt $((t0 + WAIT_BOUND)) ]; do
		grep -q "$text" "$file" 2>/dev/null && return 0
		sleep 0.1
		i=$((i + 1))
	done
	echo "--- $file:"; cat "$file" 2>/dev/null
	fail "'$text' did not appear in $file within $WAIT_BOUND s"
}

# packets_in FILE [FILTER]: how many packets a capture file (written with
# -U, perhaps still growing) holds that match FILTER.
packets_in() {
	local file=$1
	shift
	tcpdump -r "$file" -nn "$@" 2>/dev/null | wc -l
}

# wait_for_packets FILE COUNT [FILTER]: until the capture file holds COUNT
# matching packets, at most $WAIT_BOUND s; the status says whether it
# does.  Before stopping a capture whose packets are counted: a packet
# the kernel has queued but the capture has not yet read is lost to a
# SIGINT.
wait_for_packets() {
	local file=$1 count=$2 i=0 t0=$SECONDS
	shift 2
	while [ "$(packets_in "$file" "$@")" -lt "$count" ] &&
	    [ "$SECONDS" -lt $((t0 + WAIT_BOUND)) ]; do
		sleep 0.1
		i=$((i + 1))
	done
	[ "$(packets_in "$file" "$@")" -ge "$count" ]
}

# Starts the system's tcpdump with the built library in the background:
#   [IN_NS=NAMESPACE] start_tcpdump NAME ARGS...
# (stderr in $TMP/NAME.err, pid in PID_NAME)
start_tcpdump() {
	local name=$1
	shift
	# A name used again must not find the last run's 'listening on': the
	# shell truncates the file only once the new process has started.
	rm -f "$TMP/$name.out" "$TMP/$name.err"
	# Not through with_lib: $! must be timeout(1) itself, tcpdump its
	# child (ip netns exec and env exec what they run).
	${IN_NS:+ip netns exec "$IN_NS"} env LD_LIBRARY_PATH="$LIBDIR" \
	    timeout $((WAIT_BOUND * 2)) /usr/bin/tcpdump "$@" \
	    > "$TMP/$name.out" 2> "$TMP/$name.err" &
	eval "PID_$name=$!"
	on_exit "kill $! 2>/dev/null"
	wait_for_text "$TMP/$name.err" "listening on"
}

# Waits for a background tcpdump to end (-c, or a signal), at most
# $WAIT_BOUND s.
wait_tcpdump() {
	local name=$1 pid i=0 t0=$SECONDS
	eval "pid=\$PID_$name"
	while kill -0 "$pid" 2>/dev/null && [ "$SECONDS" -lt $((t0 + WAIT_BOUND)) ]; do
		sleep 0.1
		i=$((i + 1))
	done
	if kill -0 "$pid" 2>/dev/null; then
		echo "tcpdump $name still running after $WAIT_BOUND s: interrupting it"
		kill -INT "$pid"
	fi
	wait "$pid" 2>/dev/null
	return 0
}

# The packets of a capture file, one line of hex bytes each (no times).
hex_packets() {
	tcpdump -r "$1" -nn -t -xx 2>/dev/null |
	    awk '/^[^\t ]/ { if (p) print p; p = "" ; next } { p = p $0 } END { if (p) print p }' |
	    tr -s ' \t' ' '
}

# Programs of ours (capture_*) that are loaded in the kernel right now.
our_loaded_programs() {
	bpftool prog show 2>/dev/null | grep -c 'name capture_' || true
}

# Waits up to $WAIT_BOUND s for our programs to leave the kernel (links
# and filters go first; the programs follow after an RCU grace period).
wait_programs_gone() {
	local i=0 t0=$SECONDS
	while [ "$(our_loaded_programs)" -ne 0 ] && [ "$SECONDS" -lt $((t0 + WAIT_BOUND)) ]; do
		sleep 0.1
		i=$((i + 1))
	done
	[ "$(our_loaded_programs)" -eq 0 ]
}

# programs_of PID: the BPF programs a process holds (through program or
# link descriptors), by id: its own, whatever else runs on the machine.
programs_of() {
	grep -h '^prog_id:' /proc/"$1"/fdinfo/* 2>/dev/null | awk '{ print $2 }' | sort -un
}

# programs_gone IDS...: waits up to $WAIT_BOUND s until none of these
# programs is loaded any more; the status says whether.
programs_gone() {
	local i=0 t0=$SECONDS id left
	while :; do
		left=""
		for id in "$@"; do
			bpftool prog show id "$id" >/dev/null 2>&1 && left="$left $id"
		done
		[ -z "$left" ] && return 0
		[ "$SECONDS" -ge $((t0 + WAIT_BOUND)) ] && { echo "programs still loaded:$left"; return 1; }
		sleep 0.1
		i=$((i + 1))
	done
}

# process_tree PID: PID and its descendants.
process_tree() {
	local child
	echo "$1"
	for child in $(pgrep -P "$1"); do
		process_tree "$child"
	done
}

# holds_bpf_link PID: whether PID or a descendant holds a bpf_link, as a
# capture at a tracing, tcx or XDP tap does once attached.
holds_bpf_link() {
	[ "$(bpf_links_held "$1")" -ge "${2:-1}" ]
}

# bpf_links_held PID: how many BPF links the process tree under PID holds
# (distinct link ids: a filter keeper it forked holds copies).
bpf_links_held() {
	local p
	for p in $(process_tree "$1"); do
		sed -n 's/^link_id:[[:space:]]*//p' /proc/"$p"/fdinfo/* 2>/dev/null
	done | sort -u | wc -l
}

# interrupt_capture PID: SIGINT to the capturing program (dumpcap, tshark,
# tcpdump) under PID.  A background subshell ignores SIGINT, so the
# signal must go to the program itself.
interrupt_capture() {
	local p
	for p in $(process_tree "$1"); do
		case $(cat /proc/"$p"/comm 2>/dev/null) in
		dumpcap|tshark|tcpdump) kill -INT "$p" 2>/dev/null ;;
		esac
	done
}

# wait_attached PID [LINKS]: until the capture under PID is attached
# (holds LINKS bpf_links, 1 if not given), at most $WAIT_BOUND s: for
# programs whose 'capturing' line may come before the attachment (dumpcap
# through the broker attaches at the first use; dumpcap prints it before
# it opens the device), instead of a fixed sleep.  A joined capture's taps
# are loaded and attached one after the other: give their number, or a
# packet may pass the later taps before they attach.
wait_attached() {
	wait_until "$1" holds_bpf_link "$1" "${2:-1}" ||
	    fail "the capture under $1 did not attach ${2:-1} link(s) within $WAIT_BOUND s"
}

# As an ordinary user holding what capturing from a bpf: tap needs, as the
# Wireshark docs suggest running dumpcap.
as_capture_user() {
	NOBODY_CAPS=+bpf,+perfmon,+net_admin,+net_raw as_nobody "$@"
}

# Runs a command as user nobody, without capabilities (or with those in
# $NOBODY_CAPS, e.g. +bpf,+perfmon), with the built library; in network
# namespace $IN_NS if set.  The work
# tree may lie in a directory only root can enter (mktemp -d makes them
# 0700), so the library and test programs go to a copy anyone can read.
as_nobody() {
	local caps=${NOBODY_CAPS:--all} ambient="" bounding=-all
	if [ ! -d "$TMP/shared" ]; then
		mkdir -p "$TMP/shared"
		cp -L "$LIBDIR/libpcap.so.0.8" "$TESTPROGS/tap_activate" "$TMP/shared/"
		chmod -R a+rX "$TMP/shared"
	fi
	if [ "$caps" != -all ]; then
		ambient="--ambient-caps=$caps"
		bounding="-all,$caps"
	fi
	${IN_NS:+ip netns exec "$IN_NS"} \
	    setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps="$caps" \
	    $ambient --bounding-set="$bounding" env HOME="$TMP" \
	    LD_LIBRARY_PATH="$TMP/shared" "$@"
}

# broker_group PROGRAM...: a group the test's own broker admits ($group,
# $gid), its policy file ($TMP/broker.conf) and socket path ($SOCK); the
# library and the programs given copied where its members may read them
# ($TMP/shared).  The group is removed at exit.
broker_group() {
	group=pbt$$
	groupadd "$group" || fail "groupadd $group"
	on_exit "groupdel $group 2>/dev/null"
	gid=$(getent group "$group" | cut -d: -f3)
	printf 'groups = %s\n' "$group" > "$TMP/broker.conf"
	SOCK=$TMP/broker.sock
	mkdir -p "$TMP/shared"
	cp -L "$LIBDIR/libpcap.so.0.8" "$@" "$TMP/shared/"
	chmod -R a+rX "$TMP/shared"
}
