# suricata raises as many alerts on a bpf: tap as on the interface itself
# (AF_PACKET), and counts the same packets: an ICMP echo-request rule, 8
# pings over the namespace's loopback (lo against bpf:tc:lo: each packet
# once, as AF_PACKET shows loopback) and 8 over a veth (veth_b against
# bpf:tc:veth_b).  The four run side by side and see the same traffic.
. "$(dirname "$0")/lib.sh"
need_program suricata
ensure_kernel_fs
make_quiet_veth_pair
echo 'alert icmp any any -> any any (msg:"icmp echo request"; itype:8; sid:1000001; rev:1;)' \
    > "$TMP/test.rules"

devices="lo bpf:tc:lo veth_b bpf:tc:veth_b"
for dev in $devices; do
	name=$(echo "$dev" | tr -c 'a-z_\n' _)
	mkdir "$TMP/$name"
	# The command socket's path is global; four instances would share it.
	start_program "$name" "$NS_B" 120 suricata -S "$TMP/test.rules" -l "$TMP/$name" \
	    --pcap="$dev" -k none --set unix-command.enabled=no
done
for dev in $devices; do
	wait_output "$(echo "$dev" | tr -c 'a-z_\n' _)" "Engine started" 60
done
ping_from "$NS_B" 127.0.0.1 8
ping_from "$NS_A" 198.18.0.2 8

alerts() {
	grep -c 'icmp echo request' "$TMP/$1/fast.log" 2>/dev/null
}
all_alerts_in() {
	local dev
	for dev in $devices; do
		[ "$(alerts "$(echo "$dev" | tr -c 'a-z_\n' _)")" -ge 8 ] || return 1
	done
}
poll 20 all_alerts_in
for dev in $devices; do
	stop_program "$(echo "$dev" | tr -c 'a-z_\n' _)"
done

for dev in $devices; do
	name=$(echo "$dev" | tr -c 'a-z_\n' _)
	echo "--- suricata --pcap=$dev:"
	cat "$TMP/$name.out" "$TMP/$name.err"
	grep -i 'datalink' "$TMP/$name.out" "$TMP/$name.err" && fail "suricata on $dev complains about the link type"
	expect "suricata --pcap=$dev: alerts" 8 "$(alerts "$name")" "$TMP/$name/fast.log"
	# "device: lo: packets: 16, drops: 0 ..." at exit.
	packets=$(sed -n 's/.*device: .*: packets: \([0-9]*\),.*/\1/p' "$TMP/$name.out")
	expect "suricata --pcap=$dev: packets (8 requests, 8 replies)" 16 "$packets"
done
exit 0
