#!/bin/bash
# Kill storm: 100 captures (STORM_CAPTURES) across every tap family this
# kernel allows, each SIGKILLed after a random delay (0 to 2 s: while the
# program starts, during activation, after its first packets), one after
# another; then nothing of theirs is left: no BPF program, link or map
# held by nothing (tests/unowned_bpf_objects.py: other suites run
# meanwhile, so totals are no measure), no tc filter or qdisc and no XDP
# program on the test's veths beyond what was there before, no new pin,
# no process left in the test's namespaces (clsact guardians, broker
# children).  The delays come from bash's RANDOM seeded with STORM_SEED
# (printed; set it to replay a run).
# Meanwhile a long-running capturing process of the test's own
# (testprogs/tap_cycle) opens, activates, reads a few packets from and
# closes handles across the families under valgrind: no definite leak,
# no memory error, as many descriptors open at its end as at its start.
# Under valgrind an activation costs seconds (4 s of CPU, 20 s on a
# machine loaded fourfold), so after each device's first handle it
# starts no new one past STORM_PARENT_SECONDS (100), and none past
# STORM_PARENT_HANDLES (100).
. "$(dirname "$0")/lib.sh"
ensure_kernel_fs
command -v bpftool >/dev/null || skip "bpftool is not installed"
command -v valgrind >/dev/null || skip "valgrind is not installed"
command -v python3 >/dev/null || skip "python3 is not installed"
captures=${STORM_CAPTURES:-100}
seed=${STORM_SEED:-$(( $(date +%s%N) % 32768 ))}
RANDOM=$seed
echo "seed $seed (STORM_SEED=$seed replays these delays)"

make_veth_pair
# Addresses of the test's own: the kernel-wide taps see other tests too.
net=198.19.$(( $$ % 100 + 100 ))
ip -n "$NS_A" addr add $net.1/24 dev veth_a
ip -n "$NS_B" addr add $net.2/24 dev veth_b
# Packets throughout (at most 6 minutes): kills land after first packets.
ip netns exec "$NS_A" ping -q -c 18000 -i 0.02 $net.2 >/dev/null 2>&1 &
on_exit "kill $! 2>/dev/null"

# A user's bpf_pcap() program (tp_btf, ring buffer) for bpf:prog and
# bpf:pinned, pinned in a BPF file system of the test's own.
bpffs=/run/pbt$$-bpffs
mkdir -p "$bpffs" && mount -t bpf bpf "$bpffs" && mkdir -p "$bpffs/pcap_tp" ||
    fail "cannot mount a BPF file system"
on_exit "umount $bpffs 2>/dev/null; rmdir $bpffs"

# What was there before: marks for the BPF objects, tc and XDP state of
# the veths, pins.
read -r mark_prog mark_link mark_map < <("$TOP/tests/unowned_bpf_objects.py" mark)
[ -n "$mark_map" ] || fail "cannot list BPF objects"
veth_state() {
	local ns dev
	for ns_dev in "$NS_A veth_a" "$NS_B veth_b"; do
		read -r ns dev <<< "$ns_dev"
		echo "== $dev qdiscs"; tc -n "$ns" qdisc show dev "$dev"
		echo "== $dev ingress filters"; tc -n "$ns" filter show dev "$dev" ingress
		echo "== $dev egress filters"; tc -n "$ns" filter show dev "$dev" egress
		echo "== $dev XDP"; ip -n "$ns" -d link show dev "$dev" | grep -o 'xdp[a-z]* .*' || true
	done
}
pins() {
	# Objects only: tc makes its directories (and ip, xdp: links to them)
	# in a BPF file system when it shows a BPF filter.
	find /sys/fs/bpf "$bpffs" -mindepth 1 -type f 2>/dev/null | sort
}
# System-wide totals, for the record only (other tests load and unload).
totals() {
	echo "programs $(bpftool prog show | grep -c '^[0-9]'), links $(bpftool link show |
	    grep -c '^[0-9]'), maps $(bpftool map show | grep -c '^[0-9]')"
}
echo "system-wide before: $(totals)"
veth_state > "$TMP/veth.before"
pins > "$TMP/pins.before"

ip netns exec "$NS_B" "$TESTPROGS/bpf_pcap_loader" "$TESTPROGS/pcap_tp.bpf.o" \
    veth_b "$bpffs/pcap_tp" > "$TMP/loader.out" 2>&1 &
LOADER=$!
on_exit "kill $LOADER 2>/dev/null"
wait_for_text "$TMP/loader.out" "^prog "
PROG_ID=$(awk '/^prog / { print $2; exit }' "$TMP/loader.out")
# The parent's own instance: a program's records go to one capture at a
# time (its bpf_pcap_conf is claimed), and the storm's are killed at random.
ip netns exec "$NS_B" "$TESTPROGS/bpf_pcap_loader" "$TESTPROGS/pcap_tp.bpf.o" \
    veth_b "$bpffs/pcap_tp_parent" > "$TMP/parent-loader.out" 2>&1 &
PARENT_LOADER=$!
on_exit "kill $PARENT_LOADER 2>/dev/null"
wait_for_text "$TMP/parent-loader.out" "^prog "
PARENT_PROG_ID=$(awk '/^prog / { print $2; exit }' "$TMP/parent-loader.out")

# Brokers for a member of a group of the test's (tcx and clsact).
group=pbt$$
groupadd "$group" || fail "groupadd $group"
on_exit "groupdel $group 2>/dev/null"
gid=$(getent group "$group" | cut -d: -f3)
printf 'groups = %s\n' "$group" > "$TMP/broker.conf"
mkdir -p "$TMP/shared"
cp -L "$LIBDIR/libpcap.so.0.8" "$TESTPROGS/tap_counts" "$TMP/shared/"
chmod -R a+rX "$TMP/shared"
BROKERS=""
start_broker() {
	local name=$1
	shift
	ip netns exec "$NS_B" env "$@" "$TOP/build/bin/pcap-bpftrace-broker" --foreground \
	    --socket "$TMP/$name.sock" --config "$TMP/broker.conf" > "$TMP/$name.log" 2>&1 &
	BROKERS="$BROKERS $!"
	on_exit "kill $! 2>/dev/null"
	wait_for_text "$TMP/$name.log" "serving $TMP/$name.sock"
}
start_broker broker_tcx
start_broker broker_clsact PCAP_BPF_MECHANISMS=clsact

# The families: "NAME|HOW|DEVICE"; HOW is root (the system's tcpdump),
# clsact (root's tcpdump, PCAP_BPF_MECHANISMS=clsact) or a broker's name
# (tap_counts as a group member without capabilities).
families=(
	"tp_btf|root|bpf:tracepoint:net:netif_receive_skb"
	"raw_tp|root|bpf:raw_tracepoint:netif_receive_skb"
	"tracepoint-as-raw_tp|raw_tp|bpf:tracepoint:skb:kfree_skb"
	"tcx|root|bpf:tc:veth_b"
	"clsact|clsact|bpf:tc:veth_b"
	"xdp|root|bpf:xdp:veth_b"
	"joined-tc+xdp|root|bpf:tc:veth_b:egress+xdp:veth_b"
	"joined-tracepoints|root|bpf:tracepoint:net:netif_receive_skb+tracepoint:net:net_dev_queue"
	"joined-clsact+tracepoint|clsact,tp_btf|bpf:tc:veth_b:ingress+tracepoint:skb:kfree_skb"
	"prog|root|bpf:prog:$PROG_ID"
	"pinned|root|bpf:pinned:$bpffs/pcap_tp/packets"
	"object|root|bpf:object:$TESTPROGS/pcap_tp.bpf.o"
	"broker-tcx|broker_tcx|bpf:tc:veth_b"
	"broker-clsact|broker_clsact|bpf:tc:veth_b:ingress"
	"broker-tracepoint|broker_tcx|bpf:tracepoint:net:netif_receive_skb"
)

# start_capture HOW DEVICE OUT: in $NS_B, in the background, every step
# an exec, so that $! is the capturing process once it runs.
start_capture() {
	local how=$1 dev=$2 out=$3
	case $how in
	root)	ip netns exec "$NS_B" env LD_LIBRARY_PATH="$LIBDIR" \
		    /usr/bin/tcpdump -ni "$dev" -U -w "$out.pcap" > "$out" 2>&1 & ;;
	broker_*)
		ip netns exec "$NS_B" setpriv --reuid=65534 --regid=65534 --groups="$gid" \
		    --inh-caps=-all --bounding-set=-all env LD_LIBRARY_PATH="$TMP/shared" \
		    PCAP_BPF_BROKER="$TMP/$how.sock" "$TMP/shared/tap_counts" -i "$dev" \
		    -t 60000 "icmp" > "$out" 2>&1 & ;;
	*)	ip netns exec "$NS_B" env LD_LIBRARY_PATH="$LIBDIR" PCAP_BPF_MECHANISMS="$how" \
		    /usr/bin/tcpdump -ni "$dev" -U -w "$out.pcap" > "$out" 2>&1 & ;;
	esac
	CAPTURE=$!
}

# The long-running parent, during the storm: one handle after another,
# in A (an interface's XDP hook takes one capture: the storm has B's).
# Joined taps stand for their parts (tcx and XDP; two tracepoints).
parent_devices=(bpf:tc:veth_a+xdp:veth_a bpf:tracepoint:net:netif_receive_skb
    bpf:raw_tracepoint:netif_receive_skb "bpf:prog:$PARENT_PROG_ID"
    bpf:tracepoint:net:netif_receive_skb+tracepoint:skb:kfree_skb)
ip netns exec "$NS_A" env LD_LIBRARY_PATH="$LIBDIR" timeout 250 valgrind -q \
    --error-exitcode=9 --leak-check=full --errors-for-leak-kinds=definite \
    --suppressions="$TOP/tests/valgrind.supp" "$TESTPROGS/tap_cycle" \
    "${STORM_PARENT_HANDLES:-100}" 3 10000 "${STORM_PARENT_SECONDS:-100}" \
    "icmp or ip" "${parent_devices[@]}" > "$TMP/parent.out" 2>&1 &
PARENT=$!
on_exit "kill $PARENT 2>/dev/null"

declare -A phases
self_ended=""
start=$(date +%s)
for i in $(seq 0 $((captures - 1))); do
	IFS='|' read -r name how dev <<< "${families[$(( i % ${#families[@]} ))]}"
	delay=$(( RANDOM % 2000 ))
	out=$TMP/c$i
	start_capture "$how" "$dev" "$out"
	sleep "$(printf '%d.%03d' $((delay / 1000)) $((delay % 1000)))"
	if kill -KILL $CAPTURE 2>/dev/null; then
		if [ "$(stat -c %s "$out.pcap" 2>/dev/null || echo 0)" -gt 24 ]; then
			phase=packets
		elif grep -q "listening on\|^ready" "$out"; then
			phase=listening
		else
			phase=starting
		fi
	else
		phase=ended
		self_ended="$self_ended
  capture $i ($name, $dev, $delay ms): $(tail -1 "$out")"
	fi
	wait $CAPTURE 2>/dev/null
	phases[$name]="${phases[$name]:-} $phase"
	echo "capture $i $name: killed after $delay ms, $phase" | tee -a "$TMP/storm.log"
done 2> "$TMP/storm.err"	# the shell's notes on killed jobs
echo "storm of $captures captures: $(( $(date +%s) - start )) s"
for name in "${!phases[@]}"; do
	# shellcheck disable=SC2086
	echo "  $name:$(echo ${phases[$name]} | tr ' ' '\n' | sort | uniq -c | tr -s ' \n' ' ')"
done | sort

# The parent ends on its own (handle count or time budget).
wait $PARENT
parent_rc=$?
grep -v "WARNING: unhandled eBPF command" "$TMP/parent.out" > "$TMP/parent.txt"
grep -v "^handle" "$TMP/parent.txt"
handles=$(grep -c "^handle" "$TMP/parent.txt")
for dev in "${parent_devices[@]}"; do
	echo "  parent, $dev: $(grep -c "^handle [0-9]* $dev: [0-9]* packets" "$TMP/parent.txt") handles"
done

# The user's program goes, then the brokers; what is left must go too.
kill $LOADER $PARENT_LOADER
wait $LOADER $PARENT_LOADER 2>/dev/null
for b in $BROKERS; do kill $b; wait $b 2>/dev/null; done
i=0
while [ -n "$(ip netns pids "$NS_B")" ] && [ $i -lt 300 ]; do
	sleep 0.1; i=$((i + 1))
done
left=$(ip netns pids "$NS_B")
[ -z "$left" ] || echo "processes left in $NS_B: $(ps -o pid=,comm= -p "$(echo $left | tr ' ' ',')")"
# clsact guardians remove their filters and qdisc when their capture is gone.
i=0
while ! veth_state | cmp -s - "$TMP/veth.before" && [ $i -lt 300 ]; do
	sleep 0.1; i=$((i + 1))
done
veth_state > "$TMP/veth.after"
echo "checking BPF objects created since the mark (prog $mark_prog, link $mark_link, map $mark_map)"
objects=$("$TOP/tests/unowned_bpf_objects.py" check "$mark_prog" "$mark_link" "$mark_map" 30)
objects_rc=$?
echo "$objects"
pins > "$TMP/pins.after"
echo "system-wide after: $(totals)"

problems=""
[ -z "$left" ] || problems="$problems
processes left in the test's namespace: $left"
cmp -s "$TMP/veth.before" "$TMP/veth.after" || problems="$problems
tc or XDP state of the veths changed:
$(diff "$TMP/veth.before" "$TMP/veth.after")
clsact captures killed before they listened (a window before the guardian?):
$(grep -E '^capture [0-9]+ (clsact|joined-clsact|broker-clsact).*starting' "$TMP/storm.log")"
[ $objects_rc -eq 0 ] || problems="$problems
BPF objects held by nothing (leaked)"
cmp -s "$TMP/pins.before" "$TMP/pins.after" || problems="$problems
pins changed:
$(diff "$TMP/pins.before" "$TMP/pins.after")"
[ -z "$self_ended" ] || problems="$problems
captures that ended before their SIGKILL:$self_ended"
[ $parent_rc -ne 9 ] || problems="$problems
valgrind found memory errors or definite leaks in the long-running parent:
$(grep -v '^handle' "$TMP/parent.txt" | head -40)"
[ $parent_rc -eq 0 ] || [ $parent_rc -eq 9 ] || problems="$problems
the long-running parent failed (exit $parent_rc):
$(grep -v ' packets, ' "$TMP/parent.txt" | head -20)"
[ "$handles" -ge ${#parent_devices[@]} ] || problems="$problems
the long-running parent got through $handles handles only (not each device once)"
[ -z "$problems" ] || fail "after the storm (seed $seed):$problems"
echo "nothing left after $captures SIGKILLed captures; the parent's $handles handles: no leak, descriptors balanced"
exit 0
