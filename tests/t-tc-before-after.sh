# bpf:tc:IF:ingress:before sees what arrived at the hook, before a user's
# tc program that drops one flow; :after (the default) sees what survived
# it.  With tcpdump's filter applied, exact counts, tcx and clsact alike
# (clsact: priorities around the user's filter; refused when the user's
# filter holds the first priority).
. "$(dirname "$0")/lib.sh"
ensure_kernel_fs
make_veth_pair
filter='udp and src host 198.18.0.1'
dropped=5
passed=3

send_udp() {
	ip netns exec "$NS_A" bash -c '
		for i in $(seq '$dropped'); do echo drop > /dev/udp/198.18.0.2/7777; done
		for i in $(seq '$passed'); do echo pass > /dev/udp/198.18.0.2/7778; done
		# Not counted: another source address.
		echo other > /dev/udp/198.18.0.3/7778' 2>/dev/null
}

for attach in tcx clsact:100; do
	mechanism=${attach%%:*}
	ip netns exec "$NS_B" "$TESTPROGS/tc_user_program" \
	    "$TESTPROGS/tc_drop_flow.bpf.o" veth_b ingress "$attach" \
	    > "$TMP/user.out" 2> "$TMP/user.err" &
	user=$!
	on_exit "kill $user 2>/dev/null"
	wait_for_text "$TMP/user.out" attached
	export PCAP_BPF_MECHANISMS=$mechanism PCAP_BPF_DEBUG=1
	for place in before after default; do
		suffix=:$place
		[ $place = default ] && suffix=
		IN_NS=$NS_B start_tcpdump $place -ni "bpf:tc:veth_b:ingress$suffix" \
		    -U -w "$TMP/$place.pcap" "$filter"
	done
	unset PCAP_BPF_MECHANISMS PCAP_BPF_DEBUG
	send_udp
	wait_for_packets "$TMP/before.pcap" $((dropped + passed))
	wait_for_packets "$TMP/after.pcap" $passed
	wait_for_packets "$TMP/default.pcap" $passed
	# What the user's program dropped must not arrive late either.
	sleep 0.5
	for place in before after default; do
		kill -INT "$(eval echo \$PID_$place)"
		wait_tcpdump $place
		grep "attached:" "$TMP/$place.err"
	done
	before=$(packets_in "$TMP/before.pcap")
	before_dropped=$(packets_in "$TMP/before.pcap" udp dst port 7777)
	after=$(packets_in "$TMP/after.pcap")
	after_dropped=$(packets_in "$TMP/after.pcap" udp dst port 7777)
	default=$(packets_in "$TMP/default.pcap")
	echo "$mechanism: before $before ($before_dropped of the dropped flow)," \
	    "after $after ($after_dropped), default $default;" \
	    "sent $dropped dropped + $passed passed"
	[ "$before" -eq $((dropped + passed)) ] && [ "$before_dropped" -eq $dropped ] ||
	    fail "$mechanism: :before saw $before packets, $before_dropped of the dropped flow"
	[ "$after" -eq $passed ] && [ "$after_dropped" -eq 0 ] ||
	    fail "$mechanism: :after saw $after packets, $after_dropped of the dropped flow"
	[ "$default" -eq $passed ] ||
	    fail "$mechanism: the default place saw $default packets, not $passed"
	grep -q "attached: $mechanism, before" "$TMP/before.err" ||
	    fail "$mechanism: PCAP_BPF_DEBUG did not say before: $(cat "$TMP/before.err")"
	kill "$user"; wait "$user"
done

# clsact: a user's filter at priority 1 leaves no room before it.
ip netns exec "$NS_B" "$TESTPROGS/tc_user_program" \
    "$TESTPROGS/tc_drop_flow.bpf.o" veth_b ingress clsact:1 \
    > "$TMP/user.out" 2> "$TMP/user.err" &
user=$!
on_exit "kill $user 2>/dev/null"
wait_for_text "$TMP/user.out" attached
ip netns exec "$NS_B" env LD_LIBRARY_PATH="$LIBDIR" PCAP_BPF_MECHANISMS=clsact \
    timeout $WAIT_BOUND tcpdump -ni bpf:tc:veth_b:ingress:before -c 1 \
    > /dev/null 2> "$TMP/refused.err"
status=$?
cat "$TMP/refused.err"
[ $status -ne 0 ] && [ "$(wc -l < "$TMP/refused.err")" -eq 1 ] &&
    grep -q "priority 1, the first: nothing can run before it" "$TMP/refused.err" ||
    fail "clsact :before with a filter at priority 1: status $status, $(cat "$TMP/refused.err")"
kill "$user"; wait "$user"
exit 0
