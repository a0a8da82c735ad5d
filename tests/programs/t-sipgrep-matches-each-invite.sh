# sipgrep on bpf:tc:veth_b prints each SIP message whose From: matches
# (-f alice): 4 INVITEs, each with its Call-ID; it stops by itself after 4
# matches (-n 4).
. "$(dirname "$0")/lib.sh"
need_program sipgrep
ensure_kernel_fs
make_quiet_veth_pair

start_program sipgrep "$NS_B" 60 sipgrep -d bpf:tc:veth_b -C -l -n 4 -f alice
wait_attached sipgrep "$NS_B" sipgrep 2
traffic "$NS_A" sip 198.18.0.2 4 || fail "sending the INVITEs failed"
wait_program sipgrep 15 || fail "sipgrep did not end after its 4th match: $(cat "$TMP/sipgrep.out" "$TMP/sipgrep.err")"
cat "$TMP/sipgrep.out" "$TMP/sipgrep.err"

expect "messages printed" 4 "$(grep -c '^U [0-9/]* [0-9:.]* 198\.18\.0\.1:5060 -> 198\.18\.0\.2:5060$' "$TMP/sipgrep.out")"
expect "INVITEs printed" 4 "$(grep -c '^INVITE sip:bob@198\.18\.0\.2 SIP/2\.0\.$' "$TMP/sipgrep.out")"
for i in 0 1 2 3; do
	grep -q "^Call-ID: call-$i@test\.invalid\.$" "$TMP/sipgrep.out" || fail "the INVITE of call $i is not printed"
done
exit 0
