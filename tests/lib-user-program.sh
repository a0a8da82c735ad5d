# Helpers of the tests of bpf:prog and bpf:pinned (a user's program that
# calls bpf_pcap()), sourced after lib.sh: a veth pair, a BPF file system
# of the test's own, and the example programs loaded as a user would
# (testprogs/bpf_pcap_loader).

# A veth pair ($NS_A 198.18.0.1 - $NS_B 198.18.0.2, IPv6 off) and a BPF
# file system at $bpffs.  'ip netns exec' mounts its own /sys: pins go to a
# BPF file system of the test's own (at a path without dots: libbpf turns
# them into '_').
user_program_setup() {
	ensure_kernel_fs
	make_veth_pair
	ip netns exec "$NS_A" sysctl -qw net.ipv6.conf.veth_a.disable_ipv6=1
	ip netns exec "$NS_B" sysctl -qw net.ipv6.conf.veth_b.disable_ipv6=1
	bpffs=/run/pbt$$-bpffs
	mkdir -p "$bpffs" && mount -t bpf bpf "$bpffs" ||
	    fail "cannot mount a BPF file system"
	on_exit "umount $bpffs 2>/dev/null; rmdir $bpffs"
}

# load NAME [LOADER OPTIONS]: loads testprogs/NAME.bpf.o on veth_b, pinned
# in $bpffs/NAME; its output in $TMP/NAME.loader, its pid in LOADER_NAME,
# the (first) program's id in ID.
load() {
	local name=$1
	shift
	mkdir -p "$bpffs/$name"
	# A name loaded again must not find the last loader's "prog".
	rm -f "$TMP/$name.loader"
	ip netns exec "$NS_B" "$TESTPROGS/bpf_pcap_loader" \
	    "$TESTPROGS/$name.bpf.o" veth_b "$bpffs/$name" "$@" \
	    > "$TMP/$name.loader" 2>&1 &
	eval "LOADER_$name=$!"
	on_exit "kill $! 2>/dev/null"
	wait_for_text "$TMP/$name.loader" "^prog "
	ID=$(awk '/^prog / { print $2; exit }' "$TMP/$name.loader")
}

unload() {
	local pid
	eval "pid=\$LOADER_$1"
	kill "$pid"
	wait "$pid" 2>/dev/null
}

# Records the loader's own reader has received so far.
loader_records() {
	grep -c '^record ' "$TMP/$1.loader"
}

# Whether the loader NAME's own reader has received COUNT records (for
# wait_until, which runs it again and again).
loader_has() {
	[ "$(loader_records "$1")" -ge "$2" ]
}

# Whether the capture file FILE holds COUNT packets (for wait_until).
capture_has() {
	[ "$(tcpdump -r "$1" 2>/dev/null | wc -l)" -ge "$2" ]
}

# pings COUNT [SIZE]: echo requests from A to B, 10 per second.
pings() {
	ip netns exec "$NS_A" ping -c "$1" -i 0.1 -s "${2:-56}" 198.18.0.2 \
	    >/dev/null
}

# A line of the configuration bpf_pcap_conf holds now, e.g. "0 100 0 0"
# (protocol, max_len, ifindex, reserved), of the program pinned in
# $bpffs/NAME.
conf_of() {
	bpftool -j map dump pinned "$bpffs/$1/bpf_pcap_conf" |
	    python3 -c 'import json, sys
v = json.load(sys.stdin)[0]["formatted"]["value"]
print(v["protocol"], v["max_len"], v["ifindex"], v["reserved"])'
}
