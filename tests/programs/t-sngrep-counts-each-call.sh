# sngrep without its interface (-N) on bpf:xdp:veth_b counts one dialog per
# SIP call: 4 INVITEs with 4 Call-IDs are "Dialog count: 4", and the
# packets it saves (-O) are those 4 INVITEs.
. "$(dirname "$0")/lib.sh"
need_program sngrep
ensure_kernel_fs
make_quiet_veth_pair

start_program sngrep "$NS_B" 60 sngrep -d bpf:xdp:veth_b -N -c -O "$TMP/sip.pcap" port 5060
wait_attached sngrep "$NS_B" sngrep 1
traffic "$NS_A" sip 198.18.0.2 4 || fail "sending the INVITEs failed"

last_count() {
	tr '\r' '\n' < "$TMP/sngrep.out" | sed -n 's/^Dialog count: \([0-9]*\)$/\1/p' | tail -1
}
poll 10 eval '[ "$(last_count)" = 4 ]'
stop_program sngrep
cat "$TMP/sngrep.err"
expect "sngrep's dialog count" 4 "$(last_count)"
tcpdump -nr "$TMP/sip.pcap" > "$TMP/saved.txt" 2>&1
cat "$TMP/saved.txt"
expect "INVITEs in the file sngrep saved" 4 \
    "$(grep -c '198\.18\.0\.1\.5060 > 198\.18\.0\.2\.5060: SIP: INVITE sip:bob@198\.18\.0\.2 SIP/2\.0' "$TMP/saved.txt")"
expect "packets in the file sngrep saved" 4 "$(grep -c '^[0-9]' "$TMP/saved.txt")"
exit 0
