# darkstat on bpf:tc:veth_b (which drops to nobody after opening the
# capture) counts each host's traffic: 5 pings of 84 IP bytes each way are
# 420 bytes in and 420 out for 198.18.0.1 and for 198.18.0.2 on its hosts
# page (with each one's MAC address where the link type has them), and 10
# packets received in its pcap statistics at exit.
. "$(dirname "$0")/lib.sh"
need_program darkstat
ensure_kernel_fs
make_quiet_veth_pair

start_program darkstat "$NS_B" 60 darkstat -i bpf:tc:veth_b --no-daemon --verbose \
    -b 127.0.0.1 -p 8667 --no-dns
wait_attached darkstat "$NS_B" darkstat 2
wait_output darkstat "entering main loop" 20
ping_from "$NS_A" 198.18.0.2 5

# The hosts table, one "IP hostname [MAC] in out total last-seen" line a
# host.
cat > "$TMP/hosts.py" <<'PY'
import html, re, urllib.request
page = urllib.request.urlopen("http://127.0.0.1:8667/hosts/?full=yes", timeout=10).read().decode()
for row in re.findall(r"<tr[^>]*>(.*?)</tr>", page, re.S):
    cells = [html.unescape(re.sub(r"<[^>]*>", "", c)).strip()
             for c in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]
    if cells:
        print(" ".join(c.replace(",", "") or "-" for c in cells))
PY
hosts() {
	ip netns exec "$NS_B" timeout 15 /usr/bin/python3 "$TMP/hosts.py" > "$TMP/hosts.txt" 2>&1
}
counted() {
	hosts && grep -q '^198\.18\.0\.1 - \([0-9a-f:]* \)\?420 420 840 ' "$TMP/hosts.txt" &&
	    grep -q '^198\.18\.0\.2 - \([0-9a-f:]* \)\?420 420 840 ' "$TMP/hosts.txt"
}
poll 10 counted
cat "$TMP/hosts.txt"
stop_program darkstat
cat "$TMP/darkstat.err"
expect "hosts on darkstat's page" 2 "$(grep -c '^198\.18\.0\.[12] ' "$TMP/hosts.txt")"
for host in "198.18.0.1 $MAC_A" "198.18.0.2 $MAC_B"; do
	set -- $host
	line=$(grep "^${1//./\\.} - " "$TMP/hosts.txt")
	case $line in
	*:*) expect "$1: MAC, in, out, total bytes" "$2 420 420 840" "$(echo "$line" | cut -d' ' -f3-6)" ;;
	*) expect "$1: in, out, total bytes" "420 420 840" "$(echo "$line" | cut -d' ' -f3-5)" ;;
	esac
done
expect "darkstat's pcap statistics" "10 packets received, 0 packets dropped" \
    "$(grep -o '[0-9]* packets received, [0-9]* packets dropped' "$TMP/darkstat.err")"
exit 0
