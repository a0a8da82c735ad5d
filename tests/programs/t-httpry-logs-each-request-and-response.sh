# httpry on bpf:tc:veth_b logs each HTTP request and response: 3 GETs of
# /page-0..2 are 3 request lines and 3 "200 OK" lines, 6 HTTP packets
# parsed.  (Its log is written through stdio: stdbuf -oL makes the lines
# visible as they come, so the test can wait for them.)
. "$(dirname "$0")/lib.sh"
need_program httpry
ensure_kernel_fs
make_quiet_veth_pair

start_server server "$NS_B" serve-http 198.18.0.2 80
start_program httpry "$NS_B" 60 stdbuf -oL httpry -i bpf:tc:veth_b
wait_attached httpry "$NS_B" httpry 2
traffic "$NS_A" http 198.18.0.2 80 3 || fail "the HTTP client failed"

responses() {
	grep -c "	198\.18\.0\.2	198\.18\.0\.1	<	-	-	-	HTTP/1\.0	200	OK$" "$TMP/httpry.out"
}
poll 10 eval '[ "$(responses)" -ge 3 ]'
stop_program httpry
cat "$TMP/httpry.out" "$TMP/httpry.err"
for i in 0 1 2; do
	expect "requests logged for /page-$i" 1 \
	    "$(grep -c "	198\.18\.0\.1	198\.18\.0\.2	>	GET	198\.18\.0\.2	/page-$i	HTTP/1\.1	-	-$" "$TMP/httpry.out")"
done
expect "responses logged" 3 "$(responses)"
grep -q ', 6 http packets parsed$' "$TMP/httpry.out" "$TMP/httpry.err" ||
    fail "httpry does not report 6 HTTP packets parsed"
exit 0
