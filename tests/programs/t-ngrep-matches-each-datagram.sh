# ngrep on bpf:tc:veth_b prints each UDP datagram whose payload matches,
# and no other: 3 datagrams without the word, then 5 with it; ngrep stops
# by itself after 5 matches (-n 5).
. "$(dirname "$0")/lib.sh"
need_program ngrep
ensure_kernel_fs
make_veth_pair

start_program ngrep "$NS_B" 30 ngrep -d bpf:tc:veth_b -q -n 5 'ngrep-marker' udp port 5555
wait_attached ngrep "$NS_B" ngrep 2
traffic "$NS_A" udp 198.18.0.2 5555 3 other-text
traffic "$NS_A" udp 198.18.0.2 5555 5 ngrep-marker
wait_program ngrep 15 || fail "ngrep did not end after its 5th match: $(cat "$TMP/ngrep.out" "$TMP/ngrep.err")"
cat "$TMP/ngrep.out" "$TMP/ngrep.err"

headers=$(grep -c '^U 198\.18\.0\.1:[0-9]* -> 198\.18\.0\.2:5555' "$TMP/ngrep.out")
expect "datagrams printed" 5 "$headers" "$TMP/ngrep.out"
for i in 0 1 2 3 4; do
	grep -q "^  ngrep-marker $i\.  *$" "$TMP/ngrep.out" ||
	    fail "the payload of datagram $i is not printed"
done
# ngrep numbers every packet its filter passed: 3 without the word, then 5.
last=$(grep -o '^U .* #[0-9]*$' "$TMP/ngrep.out" | tail -1 | sed 's/.*#//')
expect "number of the last packet ngrep saw" 8 "$last"
! grep -q other-text "$TMP/ngrep.out" || fail "ngrep printed a datagram without the word"
exit 0
