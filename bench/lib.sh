# Shared by the benchmarks: two namespaces joined by a veth pair, A
# (198.18.0.1, va) and B (198.18.0.2, vb), without IPv6 chatter, removed
# at exit.  Sourced; sets $top, $lib, $out, $ns, $tmp.
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
lib=$top/build/lib
out=$top/build/bench
ns=pbt-bench-$$
tmp=$(mktemp -d)
chmod 0755 "$tmp"
BENCH_CLEANUPS=""

bench_cleanup() {
	eval "$BENCH_CLEANUPS"
	ip netns del ${ns}a 2>/dev/null
	ip netns del ${ns}b 2>/dev/null
	rm -rf "$tmp"
}
trap bench_cleanup EXIT

bench_veth_pair() {
	ip netns add ${ns}a && ip netns add ${ns}b || exit 1
	ip link add va netns ${ns}a type veth peer name vb netns ${ns}b
	ip -n ${ns}a addr add 198.18.0.1/24 dev va
	ip -n ${ns}b addr add 198.18.0.2/24 dev vb
	ip netns exec ${ns}a sysctl -qw net.ipv6.conf.va.disable_ipv6=1
	ip netns exec ${ns}b sysctl -qw net.ipv6.conf.vb.disable_ipv6=1
	ip -n ${ns}a link set va up && ip -n ${ns}b link set vb up
	ip netns exec ${ns}a ping -c 1 -W 2 198.18.0.2 >/dev/null
}

# The kernel's BPF run-time statistics on while the benchmark runs, by a
# descriptor bench/bpf_stats_on holds (not kernel.bpf_stats_enabled,
# which tests elsewhere on the machine set and restore).
bench_bpf_stats() {
	"$out/bpf_stats_on" > "$tmp/stats_on" 2>&1 &
	BENCH_CLEANUPS="kill $! 2>/dev/null; $BENCH_CLEANUPS"
	bench_wait_listening "$tmp/stats_on" || { cat "$tmp/stats_on" >&2; exit 1; }
}

# The BPF programs and maps a process holds, by its descriptors: ids, one
# a line.  Other captures on this machine (other users' tests) have
# programs of the same names; the descriptors tell ours apart.
bench_fd_ids() {
	local pid=$1 kind=$2 f
	for f in /proc/$pid/fdinfo/*; do
		sed -n "s/^${kind}_id:[[:space:]]*\([0-9]*\)/\1/p" "$f" 2>/dev/null
	done | sort -un
}

# bpf_stats of the programs PID holds, summed: "run_time_ns run_cnt".
# Read while the process runs (its programs go with it).
bench_prog_stats() {
	local id t=0 c=0 line
	for id in $(bench_fd_ids "$1" prog); do
		line=$(bpftool prog show id "$id" 2>/dev/null |
		    awk '{ for (i = 1; i < NF; i++) { if ($i == "run_time_ns") t = $(i+1); if ($i == "run_cnt") c = $(i+1) } }
			END { print t + 0, c + 0 }')
		t=$((t + ${line% *}))
		c=$((c + ${line#* }))
	done
	echo "$t $c"
}

# The load of the machine, as uptime says it: other users' builds and
# tests share its CPUs.
bench_load() {
	echo "load: $(uptime | sed 's/.*load average/load average/'), $(nproc) CPUs online," \
	    "possible CPUs $(cat /sys/devices/system/cpu/possible)"
}

# Waits until FILE says the capture listens, at most 10 s.
bench_wait_listening() {
	local i
	for i in $(seq 100); do
		grep -q "listening on\|Capturing on\|^ready" "$1" 2>/dev/null && return 0
		sleep 0.1
	done
	return 1
}
