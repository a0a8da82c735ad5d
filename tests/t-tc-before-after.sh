# bpf:tc:IF:ingress:before sees what arrived at the hook, before a user's
# tc program that redirects one flow (pings of 100 bytes, sent back out
# of the interface); :after (the default) sees what survived it.  With tcpdump's filter applied, exact counts, tcx and clsact alike
# (clsact: priorities around the user's filter; refused when the user's
# filter holds the first priority).  tcpdump -D lists the two places at
# that hook only.
. "$(dirname "$0")/lib.sh"
ensure_kernel_fs
make_veth_pair
filter='icmp[icmptype] = icmp-echo and src host 198.18.0.1'
redirected=5
passed=3

# The user's program redirects echo requests of 100 bytes of data.
send_pings() {
	ip netns exec "$NS_A" ping -c $redirected -i 0.2 -W 1 -s 100 198.18.0.2 > /dev/null
	ip netns exec "$NS_A" ping -c $passed -i 0.2 198.18.0.2 > /dev/null ||
	    fail "the pings the user's program lets pass got no answer"
}

for attach in tcx clsact:100; do
	mechanism=${attach%%:*}
	ip netns exec "$NS_B" "$TESTPROGS/tc_user_program" \
	    "$TESTPROGS/tc_redirect_flow.bpf.o" veth_b ingress "$attach" \
	    > "$TMP/user.out" 2> "$TMP/user.err" &
	user=$!
	on_exit "kill $user 2>/dev/null"
	wait_for_text "$TMP/user.out" attached
	# The device list offers the two places where a hook has programs.
	list=$(ip netns exec "$NS_B" env LD_LIBRARY_PATH="$LIBDIR" tcpdump -D 2>&1)
	echo "$list" | grep "bpf:tc:"
	echo "$list" | grep -q "bpf:tc:veth_b:ingress:before (veth_b's tc ingress, before its first tc program: what arrived" &&
	    echo "$list" | grep -q "bpf:tc:veth_b:ingress:after (veth_b's tc ingress, after its last tc program: what survived" ||
	    fail "$attach: tcpdump -D does not offer veth_b's ingress before and after its program"
	echo "$list" | grep -q "bpf:tc:veth_b:egress:\|bpf:tc:lo:" &&
	    fail "$attach: tcpdump -D offers places at a hook without programs"
	export PCAP_BPF_MECHANISMS=$mechanism PCAP_BPF_DEBUG=1
	for place in before after default; do
		suffix=:$place
		[ $place = default ] && suffix=
		IN_NS=$NS_B start_tcpdump $place -ni "bpf:tc:veth_b:ingress$suffix" \
		    -U -w "$TMP/$place.pcap" "$filter"
	done
	unset PCAP_BPF_MECHANISMS PCAP_BPF_DEBUG
	send_pings
	wait_for_packets "$TMP/before.pcap" $((redirected + passed))
	wait_for_packets "$TMP/after.pcap" $passed
	wait_for_packets "$TMP/default.pcap" $passed
	# What the user's program redirected must not arrive late either.
	sleep 0.5
	for place in before after default; do
		kill -INT "$(eval echo \$PID_$place)"
		wait_tcpdump $place
		grep "attached:" "$TMP/$place.err"
	done
	before=$(packets_in "$TMP/before.pcap")
	before_redirected=$(packets_in "$TMP/before.pcap" greater 142)
	after=$(packets_in "$TMP/after.pcap")
	after_redirected=$(packets_in "$TMP/after.pcap" greater 142)
	default=$(packets_in "$TMP/default.pcap")
	echo "$mechanism: before $before ($before_redirected of the redirected flow)," \
	    "after $after ($after_redirected), default $default;" \
	    "sent $redirected redirected + $passed passed"
	[ "$before" -eq $((redirected + passed)) ] && [ "$before_redirected" -eq $redirected ] ||
	    fail "$mechanism: :before saw $before packets, $before_redirected of the redirected flow"
	[ "$after" -eq $passed ] && [ "$after_redirected" -eq 0 ] ||
	    fail "$mechanism: :after saw $after packets, $after_redirected of the redirected flow"
	[ "$default" -eq $passed ] ||
	    fail "$mechanism: the default place saw $default packets, not $passed"
	grep -q "attached: $mechanism, before" "$TMP/before.err" ||
	    fail "$mechanism: PCAP_BPF_DEBUG did not say before: $(cat "$TMP/before.err")"
	kill "$user"; wait "$user"
done

# clsact: a user's filter at priority 1 leaves no room before it.
ip netns exec "$NS_B" "$TESTPROGS/tc_user_program" \
    "$TESTPROGS/tc_redirect_flow.bpf.o" veth_b ingress clsact:1 \
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
