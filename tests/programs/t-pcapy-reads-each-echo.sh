# python3-pcapy, as a user's script uses it: bpf:tc:veth_b is in
# findalldevs(), open_live() and setfilter() work, and next() returns each
# of 4 echo requests and 4 replies, which the script finds the IP header of
# from datalink().  (pcapy's loop() does not call back with Debian 12's
# Python, on any device: the script reads with next().)
. "$(dirname "$0")/lib.sh"
need_program python3
/usr/bin/python3 -c 'import pcapy' 2>/dev/null || skip "python3-pcapy is not installed"
echo "python3-pcapy $(dpkg-query -W -f='${Version}' python3-pcapy)"
ensure_kernel_fs
make_quiet_veth_pair

cat > "$TMP/read.py" <<'PY'
import socket, struct, sys
import pcapy
device, count = sys.argv[1], int(sys.argv[2])
print("listed" if device in pcapy.findalldevs() else "not listed")
capture = pcapy.open_live(device, 65535, False, 100)
capture.setfilter("icmp")
ip_offset = {pcapy.DLT_EN10MB: 14, pcapy.DLT_LINUX_SLL: 16, 276: 20, pcapy.DLT_RAW: 0}
link = capture.datalink()
print("datalink", link, "reading", flush=True)
seen = 0
while seen < count:
    header, data = capture.next()
    if header is None or not data:
        continue
    ip = data[ip_offset[link]:]
    print(socket.inet_ntoa(ip[12:16]), socket.inet_ntoa(ip[16:20]), ip[20],
          struct.unpack("!H", ip[26:28])[0], header.getlen(), flush=True)
    seen += 1
PY
start_program pcapy "$NS_B" 60 /usr/bin/python3 "$TMP/read.py" bpf:tc:veth_b 8
wait_attached pcapy "$NS_B" python3 2
wait_output pcapy reading 20
ping_from "$NS_A" 198.18.0.2 4
wait_program pcapy 20 || fail "the pcapy script did not read 8 packets: $(cat "$TMP/pcapy.out" "$TMP/pcapy.err")"
cat "$TMP/pcapy.out" "$TMP/pcapy.err"

grep -q '^listed$' "$TMP/pcapy.out" || fail "pcapy.findalldevs() does not list bpf:tc:veth_b"
# ping's 64 bytes of ICMP, in 84 of IP, in the link type's header.
expected=$(for seq in 1 2 3 4; do
	echo "198.18.0.1 198.18.0.2 8 $seq"
	echo "198.18.0.2 198.18.0.1 0 $seq"
done)
[ "$(grep '^198' "$TMP/pcapy.out" | cut -d' ' -f1-4)" = "$expected" ] ||
    fail "pcapy did not return the 4 requests and 4 replies in order"
link=$(sed -n 's/^datalink \([0-9]*\) .*/\1/p' "$TMP/pcapy.out")
case $link in 1) header=14 ;; 113) header=16 ;; 276) header=20 ;; *) header=0 ;; esac
expect "packet lengths of 84 IP bytes in link type $link" 8 \
    "$(grep '^198' "$TMP/pcapy.out" | grep -c " $((84 + header))\$")"
exit 0
