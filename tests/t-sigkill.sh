# A capture killed with SIGKILL leaves no program or link of ours in the
# kernel: every attachment is a bpf_link owned by a file descriptor.
# Also shows which mechanism each tracepoint family used.
. "$(dirname "$0")/lib.sh"
ensure_kernel_fs
command -v bpftool >/dev/null || skip "bpftool is not installed"
before=$(our_loaded_programs)
[ "$before" -eq 0 ] || fail "$before capture programs already loaded before the test"

for dev in bpf:tracepoint:skb:kfree_skb bpf:raw_tracepoint:kfree_skb; do
	start_tcpdump kill -ni "$dev" -w /dev/null
	progs=$(bpftool prog show | grep 'name capture_')
	echo "$dev: $progs"
	case $dev in
	*:tracepoint:*) echo "$progs" | grep -q "tracing  name capture_tp_btf" ||
	    fail "$dev is not a tp_btf program" ;;
	*) echo "$progs" | grep -q "raw_tracepoint  name capture_raw_tp" ||
	    fail "$dev is not a raw_tp program" ;;
	esac
	id=$(echo "$progs" | sed 's/:.*//')
	bpftool link show | grep -q "prog $id" || fail "no bpf_link holds program $id"
	# PID_kill is the timeout(1) around tcpdump: kill tcpdump itself.
	tcpdump_pid=$(pgrep -P "$PID_kill" tcpdump) || fail "no tcpdump under $PID_kill"
	kill -KILL "$tcpdump_pid"
	wait "$PID_kill" 2>/dev/null
	i=0
	while [ "$(our_loaded_programs)" -ne 0 ] && [ $i -lt 50 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	left=$(our_loaded_programs)
	[ "$left" -eq 0 ] || fail "$left capture programs left after SIGKILL"
	bpftool link show | grep -q "prog $id\b" && fail "link of program $id left"
	echo "$dev: program $id and its link gone with the process"
done
exit 0
