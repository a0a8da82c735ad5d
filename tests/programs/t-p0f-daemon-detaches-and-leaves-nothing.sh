# p0f -d (daemon mode) on bpf:tc:veth_b: the command returns at once, the
# daemon runs in its own session and fingerprints the traffic, and once it
# is killed nothing is left: no process, no tc filter, no clsact qdisc.
# With the default mechanism (tcx links on this kernel) and with clsact
# filters (PCAP_BPF_MECHANISMS=clsact, the mechanism of kernels before
# 6.6), whose clean-up is the guardian's.
. "$(dirname "$0")/lib.sh"
need_program p0f
ensure_kernel_fs
make_quiet_veth_pair

start_server server "$NS_B" serve-tcp 198.18.0.2 8080 reply-text

tc_filters() {
	ip netns exec "$NS_B" tc filter show dev veth_b ingress
	ip netns exec "$NS_B" tc filter show dev veth_b egress
}

for mechanisms in default clsact; do
	echo "--- mechanisms: $mechanisms"
	log=$TMP/p0f-$mechanisms.log
	# Bounded: a parent that waits for its daemon would be killed at 20 s.
	setting=PCAP_BPF_MECHANISMS=$mechanisms
	[ $mechanisms = default ] && setting=PCAP_BPF_MECHANISMS_UNSET=1
	in_ns "$NS_B" env "$setting" \
	    timeout 20 p0f -d -i bpf:tc:veth_b -o "$log" 'tcp port 8080' > "$TMP/p0f.out" 2>&1
	status=$?
	cat "$TMP/p0f.out"
	daemon=$(sed -n 's/.*Daemon process created, PID \([0-9]*\).*/\1/p' "$TMP/p0f.out")
	[ -n "$daemon" ] && on_exit "kill $daemon 2>/dev/null"
	[ $status -ne 124 ] || fail "$mechanisms: p0f -d did not return within 20 s"
	expect "$mechanisms: exit status of p0f -d" 0 $status
	[ -n "$daemon" ] || fail "$mechanisms: p0f -d did not say which process is the daemon"
	kill -0 "$daemon" 2>/dev/null || fail "$mechanisms: the daemon $daemon is not running"
	expect "$mechanisms: session of the daemon" "$daemon" "$(ps -o sid= -p "$daemon" | tr -d ' ')"

	if [ $mechanisms = clsact ]; then
		expect "$mechanisms: tc filters while the daemon runs (ingress, egress)" 2 \
		    "$(tc_filters | grep -c 'capture_tc')"
	else
		# Distinct links (tcx ingress and egress), however many
		# descriptors of each the capture keeps.
		expect "$mechanisms: bpf links the daemon holds" 2 \
		    "$(for fd in /proc/$daemon/fd/*; do
			[ "$(readlink "$fd")" = "anon_inode:bpf_link" ] &&
			    sed -n 's/^link_id:[[:space:]]*//p' "/proc/$daemon/fdinfo/${fd##*/}"
		    done | sort -u | wc -l)"
	fi
	traffic "$NS_A" tcp 198.18.0.2 8080 3 p0f-marker || fail "the TCP client failed"
	poll 10 eval '[ "$(grep -c "] mod=syn+ack|" "$log" 2>/dev/null)" -ge 3 ]'
	expect "$mechanisms: SYN records of the daemon" 3 "$(grep -c '] mod=syn|cli=198\.18\.0\.1/' "$log")" "$log"
	expect "$mechanisms: SYN+ACK records of the daemon" 3 "$(grep -c '] mod=syn+ack|cli=198\.18\.0\.1/' "$log")" "$log"

	kill -TERM "$daemon"
	poll 10 eval "! kill -0 $daemon 2>/dev/null" || fail "$mechanisms: the daemon did not end on SIGTERM"
	# The guardian (clsact) removes the filters when the daemon is gone.
	poll 10 eval '[ -z "$(pids_in_ns "$NS_B" p0f)" ] && [ -z "$(tc_filters)" ]'
	expect "$mechanisms: p0f processes left" "" "$(pids_in_ns "$NS_B" p0f)"
	expect "$mechanisms: tc filters left on veth_b" "" "$(tc_filters)"
	expect "$mechanisms: clsact qdisc left on veth_b" "" \
	    "$(ip netns exec "$NS_B" tc qdisc show dev veth_b | grep clsact)"
done
exit 0
