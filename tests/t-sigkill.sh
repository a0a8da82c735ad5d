# A capture killed with SIGKILL leaves no program or link of ours in the
# kernel: every attachment is a bpf_link owned by a file descriptor
# (tracepoints, tcx, XDP), and clsact filters (Linux before 6.6) are
# removed by the capture's guardian process.
# Also shows which mechanism each tracepoint family used.
# Other captures may run on the machine meanwhile (other tests): only the
# programs the killed process held are looked at (programs_of).
. "$(dirname "$0")/lib.sh"
ensure_kernel_fs
command -v bpftool >/dev/null || skip "bpftool is not installed"

for dev in bpf:tracepoint:skb:kfree_skb bpf:raw_tracepoint:kfree_skb; do
	start_tcpdump kill -ni "$dev" -w /dev/null
	# PID_kill is the timeout(1) around tcpdump: kill tcpdump itself.
	tcpdump_pid=$(pgrep -P "$PID_kill" tcpdump) || fail "no tcpdump under $PID_kill"
	# The attached program and its delivery program (tail-called).
	ids=$(programs_of "$tcpdump_pid")
	[ -n "$ids" ] || fail "$dev: tcpdump holds no BPF program"
	id=""
	for i in $ids; do
		bpftool prog show id "$i" | head -1 | grep -q "name capture_" && id=$i
	done
	[ -n "$id" ] || fail "$dev: none of tcpdump's programs ($ids) is a capture program"
	progs=$(bpftool prog show id "$id" | head -1)
	echo "$dev: $progs"
	case $dev in
	*:tracepoint:*) echo "$progs" | grep -q "tracing  name capture_tp_btf" ||
	    fail "$dev is not a tp_btf program" ;;
	*) echo "$progs" | grep -q "raw_tracepoint  name capture_raw_tp" ||
	    fail "$dev is not a raw_tp program" ;;
	esac
	bpftool link show | grep -q "prog $id\b" || fail "no bpf_link holds program $id"
	kill -KILL "$tcpdump_pid"
	wait "$PID_kill" 2>/dev/null
	programs_gone $ids || fail "$dev: programs $ids left after SIGKILL"
	bpftool link show | grep -q "prog $id\b" && fail "link of program $id left"
	echo "$dev: program $id and its link gone with the process"
done
# tc (tcx links) and XDP (an XDP link), on a veth in a namespace.
make_veth_pair
for dev in bpf:tc:veth_b bpf:xdp:veth_b; do
	# A file per capture: the previous one's 'listening on' must not
	# count for this one (the shell truncates a reused file only once
	# the background process has started).
	err=$TMP/$(echo "$dev" | tr ':' '_').err
	ip netns exec "$NS_B" env LD_LIBRARY_PATH="$LIBDIR" tcpdump -ni "$dev" \
	    -w /dev/null 2> "$err" &
	pid=$!
	on_exit "kill $pid 2>/dev/null"
	wait_for_text "$err" "listening on"
	ids=$(programs_of $pid)
	links=$(bpftool link show)
	for id in $ids; do
		# Delivery programs are tail-called, not attached.
		bpftool prog show id "$id" | head -1 | grep -q "name deliver_" && continue
		line=$(echo "$links" | grep "prog $id\b" || true)
		echo "$dev: program $id: ${line:-no link}"
		case $dev in
		# bookworm's bpftool names tcx links by number (11)
		*tc*) echo "$line" | grep -qE "type 11|tcx" || fail "$dev: program $id not on a tcx link" ;;
		*) echo "$line" | grep -q "xdp" || fail "$dev: program $id not on an XDP link" ;;
		esac
	done
	[ -n "$ids" ] || fail "$dev: no capture program loaded"
	kill -KILL $pid
	wait $pid 2>/dev/null
	programs_gone $ids || fail "$dev: programs left after SIGKILL"
	echo "$dev: nothing left after SIGKILL"
done
# clsact (forced; the mechanism of kernels before 6.6) is no bpf_link: its
# guardian process removes the filters and the qdisc when tcpdump dies.
ip netns exec "$NS_B" env LD_LIBRARY_PATH="$LIBDIR" PCAP_BPF_MECHANISMS=clsact \
    tcpdump -ni bpf:tc:veth_b -w /dev/null 2> "$TMP/clsact.err" &
pid=$!
on_exit "kill $pid 2>/dev/null"
wait_for_text "$TMP/clsact.err" "listening on"
ids=$(programs_of $pid)
tc -n "$NS_B" qdisc show dev veth_b | grep -q clsact || fail "clsact: no clsact qdisc"
tc -n "$NS_B" filter show dev veth_b ingress | grep -q capture_tc || fail "clsact: no filter"
kill -KILL $pid
wait $pid 2>/dev/null
# The guardian removes them, asynchronously.
i=0 t0=$SECONDS
while { tc -n "$NS_B" qdisc show dev veth_b | grep -q clsact; } &&
    [ "$SECONDS" -lt $((t0 + WAIT_BOUND)) ]; do
	sleep 0.1
	i=$((i + 1))
done
left=$(tc -n "$NS_B" filter show dev veth_b ingress; tc -n "$NS_B" filter show dev veth_b egress;
    tc -n "$NS_B" qdisc show dev veth_b | grep clsact)
[ -z "$left" ] || fail "clsact: left after SIGKILL: $left"
programs_gone $ids || fail "clsact: programs left after SIGKILL"
echo "bpf:tc:veth_b (clsact): filters and qdisc gone after SIGKILL"
exit 0
