# capinfos on a pcapng file that dumpcap (as a capture user) wrote from
# bpf:xdp:veth_b: 5 echo requests received (XDP sees what arrives), one
# interface named after the tap, the packet and data sizes of 5 pings of
# 84 IP bytes in the file's link-layer header.
. "$(dirname "$0")/lib.sh"
need_program capinfos
need_program dumpcap
ensure_kernel_fs
make_quiet_veth_pair

in_ns_as_capture_user "$NS_B" timeout 60 dumpcap -i bpf:xdp:veth_b -c 5 -w "$TMP/xdp.pcapng" \
    > "$TMP/dumpcap.out" 2>&1 &
pid=$!
on_exit "kill $pid 2>/dev/null"
poll 20 has_links "$NS_B" dumpcap 1 ||
    { cat "$TMP/dumpcap.out"; fail "dumpcap did not attach its capture within 20 s"; }
wait_for_text "$TMP/dumpcap.out" "Capturing on"
ping_from "$NS_A" 198.18.0.2 5
poll 20 eval "! kill -0 $pid 2>/dev/null" || fail "dumpcap did not end after 5 packets"
wait $pid || fail "dumpcap failed: $(cat "$TMP/dumpcap.out")"
cat "$TMP/dumpcap.out"

capinfos "$TMP/xdp.pcapng" > "$TMP/capinfos.txt" 2>&1 || fail "capinfos failed: $(cat "$TMP/capinfos.txt")"
cat "$TMP/capinfos.txt"
field() {
	sed -n "s/^$1: *//p" "$TMP/capinfos.txt" | head -1
}
expect "file type" "Wireshark/... - pcapng" "$(field 'File type')"
expect "packets" 5 "$(field 'Number of packets')"
expect "interfaces" 1 "$(field 'Number of interfaces in file')"
grep -q '^ *Name = bpf:xdp:veth_b$' "$TMP/capinfos.txt" ||
    fail "the file's interface is not named bpf:xdp:veth_b"
case $(field 'File encapsulation') in
"Linux cooked-mode capture v1") header=16 ;;
"Linux cooked-mode capture v2") header=20 ;;
Ethernet) header=14 ;;
*) fail "unexpected encapsulation: $(field 'File encapsulation')" ;;
esac
expect "data size" "$((5 * (84 + header))) bytes" "$(field 'Data size')"
exit 0
