# Helpers of the program tests (tests/programs/t-*.sh): tests/lib.sh with
# the paths of the work tree, and what the programs' tests share.  Each
# test drives a real program from Debian's archive, unchanged, with the
# built library (LD_LIBRARY_PATH), against a bpf: tap in namespaces it
# makes, and compares what the program reports with the traffic it sent.
. "$(dirname "$0")/../lib.sh"
# tests/lib.sh takes the top as the parent of the test's directory.
TOP=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=$TOP/build
LIBDIR=$BUILD/lib
TESTPROGS=$BUILD/testprogs
PCAP_TESTPROGS=$BUILD/libpcap/testprogs
PROGRAMS=$TOP/tests/programs

# make_veth_pair (tests/lib.sh) with nothing on the link but the test's
# traffic: no IPv6 (router and neighbour solicitations), permanent
# neighbour entries (no ARP).
make_quiet_veth_pair() {
	local ns
	make_veth_pair
	for ns in "$NS_A" "$NS_B"; do
		ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 \
		    net.ipv6.conf.default.disable_ipv6=1
	done
	MAC_B=$(ip -n "$NS_B" -o link show veth_b | sed 's/.*link\/ether \([0-9a-f:]*\).*/\1/')
	ip -n "$NS_A" neigh replace 198.18.0.2 lladdr "$MAC_B" dev veth_a nud permanent
	ip -n "$NS_B" neigh replace 198.18.0.1 lladdr "$MAC_A" dev veth_b nud permanent
}

# Gives the veth pair addresses no other test uses, 198.19.80.1 ($NS_A)
# and .2 ($NS_B), for captures at kernel-wide taps (tracepoints see every
# namespace's packets, other tests' 198.18.0.x ones too).
renumber_veth_pair() {
	ip -n "$NS_A" addr flush dev veth_a
	ip -n "$NS_B" addr flush dev veth_b
	ip -n "$NS_A" addr add 198.19.80.1/24 dev veth_a
	ip -n "$NS_B" addr add 198.19.80.2/24 dev veth_b
	ip -n "$NS_A" neigh replace 198.19.80.2 lladdr "$MAC_B" dev veth_a nud permanent
	ip -n "$NS_B" neigh replace 198.19.80.1 lladdr "$MAC_A" dev veth_b nud permanent
}

# As as_capture_user (tests/lib.sh), in NAMESPACE: an ordinary user holding
# CAP_BPF, CAP_PERFMON, CAP_NET_ADMIN and CAP_NET_RAW, as the Wireshark
# docs suggest running dumpcap: in_ns_as_capture_user NAMESPACE COMMAND...
in_ns_as_capture_user() {
	local ns=$1
	shift
	export TMP LIBDIR TESTPROGS
	export -f as_capture_user as_nobody
	ip netns exec "$ns" bash -c 'as_capture_user "$@"' as_capture_user "$@"
}

# Skips the test unless PROGRAM is installed; prints its package and version.
need_program() {
	local program=$1 path package
	path=$(command -v "$program") || skip "$program is not installed (scripts/setup-programs.sh)"
	package=$(dpkg -S "$(readlink -f "$path")" 2>/dev/null | sed 's/:.*//' | head -1)
	[ -n "$package" ] &&
	    echo "$program: $package $(dpkg-query -W -f='${Version}' "$package")"
	return 0
}

# Runs COMMAND... in NAMESPACE with the built library, in the foreground.
in_ns() {
	local ns=$1
	shift
	ip netns exec "$ns" env LD_LIBRARY_PATH="$LIBDIR" "$@"
}

# Starts a program in the background, bounded by SECONDS:
#   start_program NAME NAMESPACE SECONDS COMMAND...
# (stdout in $TMP/NAME.out, stderr in $TMP/NAME.err; the pid of timeout(1)
# in PID_NAME: the program itself is its child)
start_program() {
	local name=$1 ns=$2 seconds=$3
	shift 3
	timeout "$seconds" ip netns exec "$ns" env LD_LIBRARY_PATH="$LIBDIR" "$@" \
	    > "$TMP/$name.out" 2> "$TMP/$name.err" < /dev/null &
	eval "PID_$name=$!"
	on_exit "kill $! 2>/dev/null"
}

# Starts a helper (a server, a collector) in the background without the
# built library: start_helper NAME NAMESPACE SECONDS COMMAND...
start_helper() {
	local name=$1 ns=$2 seconds=$3
	shift 3
	timeout "$seconds" ip netns exec "$ns" "$@" \
	    > "$TMP/$name.out" 2> "$TMP/$name.err" < /dev/null &
	eval "PID_$name=$!"
	on_exit "kill $! 2>/dev/null"
}

# Waits until a background program's output (stdout or stderr) holds TEXT,
# at most SECONDS (times POLL_SCALE): wait_output NAME TEXT SECONDS
wait_output() {
	local name=$1 text=$2 seconds=$3
	poll "$seconds" grep -q "$text" "$TMP/$name.out" "$TMP/$name.err" && return 0
	echo "--- $name stdout:"; cat "$TMP/$name.out" 2>/dev/null
	echo "--- $name stderr:"; cat "$TMP/$name.err" 2>/dev/null
	fail "'$text' did not appear in $name's output within $((seconds * POLL_SCALE)) s"
}

# Polls COMMAND... every 0.1 s until it succeeds, for at most SECONDS
# times POLL_SCALE (3): the SECONDS the tests give are what an idle
# machine needs with room to spare, and a loaded 2-core one (builds,
# other tests) may need several times that; the bound only costs time
# when something is wrong.
#   poll SECONDS COMMAND...   (returns 1 if it never did)
POLL_SCALE=${POLL_SCALE:-3}
poll() {
	local tenths=$(($1 * 10 * POLL_SCALE)) i=0
	shift
	while [ $i -lt $tenths ]; do
		"$@" && return 0
		sleep 0.1
		i=$((i + 1))
	done
	"$@"
}

# The pids of the processes named COMM (as ps shows it) in NAMESPACE.
pids_in_ns() {
	local ns=$1 comm=$2 pid
	for pid in $(pgrep -x "$comm"); do
		[ "$(ip netns identify "$pid" 2>/dev/null)" = "$ns" ] && echo "$pid"
	done
	return 0
}

# How many bpf links the processes named COMM in NAMESPACE hold (a tc tap
# in both directions is two, an XDP or tracepoint tap one).
links_held() {
	local ns=$1 comm=$2 pid n=0
	for pid in $(pids_in_ns "$ns" "$comm"); do
		n=$((n + $(ls -l "/proc/$pid/fd" 2>/dev/null | grep -c 'anon_inode:bpf_link')))
	done
	echo $n
}

has_links() {
	[ "$(links_held "$1" "$2")" -ge "$3" ]
}

# Waits until the program COMM in NAMESPACE has attached its capture (holds
# LINKS bpf links), at most 20 s; fails with the program's output if not.
# (The program is the one started as NAME, by start_program or start_tmux.)
wait_attached() {
	local name=$1 ns=$2 comm=$3 links=$4 pid
	eval "pid=\${PID_$name:-}"
	attached_or_ended() {
		has_links "$ns" "$comm" "$links" ||
		    { [ -n "$pid" ] && ! kill -0 "$pid" 2>/dev/null; }
	}
	poll 20 attached_or_ended
	has_links "$ns" "$comm" "$links" && return 0
	echo "--- $name stdout:"; cat "$TMP/$name.out" 2>/dev/null
	echo "--- $name stderr:"; cat "$TMP/$name.err" 2>/dev/null
	if [ -n "$pid" ] && ! kill -0 "$pid" 2>/dev/null; then
		wait "$pid"
		fail "$comm ended (status $?) before it was seen holding its capture ($links bpf links)"
	fi
	fail "$comm did not attach its capture (held $(links_held "$ns" "$comm") of $links bpf links) within 20 s"
}

# Fails unless the background program NAME still runs, with its exit
# status (128 + N: killed by signal N) and output if it ended.
expect_running() {
	local name=$1 pid status
	eval "pid=\$PID_$name"
	kill -0 "$pid" 2>/dev/null && return 0
	wait "$pid"
	status=$?
	echo "--- $name stdout:"; cat "$TMP/$name.out" 2>/dev/null
	echo "--- $name stderr:"; cat "$TMP/$name.err" 2>/dev/null
	[ $status -gt 128 ] && [ $status -ne 255 ] &&
	    fail "$name was killed by SIG$(kill -l $((status - 128)))"
	fail "$name ended with status $status"
}

# Ends a background program with SIGNAL (default INT) and waits for it, at
# most 10 s (then KILL): stop_program NAME [SIGNAL]
stop_program() {
	local name=$1 signal=${2:-INT} pid child
	eval "pid=\$PID_$name"
	child=$(pgrep -P "$pid")
	kill -"$signal" ${child:-$pid} 2>/dev/null
	poll 10 eval "! kill -0 $pid 2>/dev/null" ||
	    { echo "$name still running 10 s after SIG$signal: killing it"; kill -KILL ${child:-$pid}; }
	wait "$pid" 2>/dev/null
	return 0
}

# Waits for a background program to end by itself, at most SECONDS;
# returns its exit status (124 and a kill if it did not end).
wait_program() {
	local name=$1 seconds=$2 pid
	eval "pid=\$PID_$name"
	if ! poll "$seconds" eval "! kill -0 $pid 2>/dev/null"; then
		echo "$name still running after $seconds s: interrupting it"
		kill -INT "$(pgrep -P "$pid")" 2>/dev/null
		wait "$pid"
		return 124
	fi
	wait "$pid"
}

# Fails unless SEEN equals EXPECTED: expect WHAT EXPECTED SEEN [DETAILS FILE]
expect() {
	local what=$1 expected=$2 seen=$3 file=${4:-}
	echo "$what: expected $expected, saw $seen"
	[ "$seen" = "$expected" ] && return 0
	[ -n "$file" ] && { echo "--- $file:"; cat "$file"; }
	fail "$what: expected $expected, saw $seen"
}

# The traffic generator and servers (tests/programs/traffic.py).
traffic() {
	local ns=$1
	shift
	timeout 30 ip netns exec "$ns" /usr/bin/python3 "$PROGRAMS/traffic.py" "$@"
}

# Starts a server of traffic.py in NAMESPACE and waits until it listens:
#   start_server NAME NAMESPACE serve-tcp|serve-http|sink-udp ARGS...
start_server() {
	local name=$1 ns=$2
	shift 2
	start_helper "$name" "$ns" 120 /usr/bin/python3 "$PROGRAMS/traffic.py" "$@"
	wait_for_text "$TMP/$name.out" "ready"
}

# ping from NAMESPACE: COUNT echo requests to ADDRESS, 50 ms apart, each
# answered; fails otherwise.
ping_from() {
	local ns=$1 address=$2 count=$3
	timeout 30 ip netns exec "$ns" ping -n -q -c "$count" -i 0.05 -W 5 "$address" \
	    > "$TMP/ping.out" 2>&1 ||
	    { cat "$TMP/ping.out"; fail "ping $address from $ns failed"; }
	grep -q "$count packets transmitted, $count received" "$TMP/ping.out" ||
	    { cat "$TMP/ping.out"; fail "not every echo request to $address was answered"; }
}

# A terminal program in tmux (its own server, 200x50), in NAMESPACE:
#   start_tmux NAME NAMESPACE COMMAND...   (screen: tmux_screen NAME)
start_tmux() {
	local name=$1 ns=$2
	shift 2
	tmux -S "$TMP/tmux.$name" new-session -d -x 200 -y 50 \
	    "timeout --foreground 120 ip netns exec $ns env LD_LIBRARY_PATH=$LIBDIR TERM=xterm $*; sleep 30" ||
	    fail "tmux did not start"
	on_exit "tmux -S $TMP/tmux.$name kill-server 2>/dev/null"
}

tmux_screen() {
	tmux -S "$TMP/tmux.$1" capture-pane -p -t 0
}

tmux_keys() {
	local name=$1
	shift
	tmux -S "$TMP/tmux.$name" send-keys -t 0 "$@"
}
