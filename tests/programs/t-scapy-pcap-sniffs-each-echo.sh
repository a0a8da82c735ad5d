# scapy with conf.use_pcap = True sniffs on bpf:tc:veth_b what a user's
# script would: 4 pings give 4 echo requests and 4 replies, in order,
# dissected down to the ICMP sequence numbers.
. "$(dirname "$0")/lib.sh"
need_program scapy
ensure_kernel_fs
make_quiet_veth_pair

cat > "$TMP/sniff.py" <<'PY'
import sys
from scapy.all import ICMP, IP, conf, sniff
conf.use_pcap = True
packets = sniff(iface=sys.argv[1], filter="icmp", count=int(sys.argv[2]), timeout=30,
                started_callback=lambda: print("sniffing", flush=True))
for p in packets:
    print(p[IP].src, p[IP].dst, p[ICMP].type, p[ICMP].seq)
PY
start_program scapy "$NS_B" 60 /usr/bin/python3 "$TMP/sniff.py" bpf:tc:veth_b 8
wait_attached scapy "$NS_B" python3 2
wait_output scapy sniffing 20
ping_from "$NS_A" 198.18.0.2 4
wait_program scapy 20 || fail "scapy's sniff() did not return: $(cat "$TMP/scapy.err")"
cat "$TMP/scapy.out" "$TMP/scapy.err"

expected=$(for seq in 1 2 3 4; do
	echo "198.18.0.1 198.18.0.2 8 $seq"
	echo "198.18.0.2 198.18.0.1 0 $seq"
done)
[ "$(grep '^198' "$TMP/scapy.out")" = "$expected" ] ||
    fail "scapy did not sniff the 4 requests and 4 replies in order"
exit 0
