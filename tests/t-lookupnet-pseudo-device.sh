# pcap_lookupnet() treats bpf: names as the pseudo-devices they are, as it
# treats "any": 0.0.0.0/0, no error (programs that ask it before compiling
# their filter start normally); a real interface still gets its network.
. "$(dirname "$0")/lib.sh"
out=$(with_lib python3 - <<'PY'
import ctypes, sys
pcap = ctypes.CDLL("libpcap.so.0.8")
err = ctypes.create_string_buffer(256)
for dev in (b"bpf:tc:lo", b"bpf:tracepoint:skb:kfree_skb", b"any", b"lo"):
    net, mask = ctypes.c_uint32(7), ctypes.c_uint32(7)
    rc = pcap.pcap_lookupnet(dev, ctypes.byref(net), ctypes.byref(mask), err)
    print("%s rc=%d net=%08x mask=%08x %s" % (dev.decode(), rc, net.value,
          mask.value, err.value.decode()))
PY
) || fail "python ctypes run failed: $out"
echo "$out"
for dev in bpf:tc:lo bpf:tracepoint:skb:kfree_skb any; do
	echo "$out" | grep -qx "$dev rc=0 net=00000000 mask=00000000 " ||
	    fail "pcap_lookupnet($dev) is not 0.0.0.0/0 without error"
done
echo "$out" | grep -q "^lo rc=0 net=0000007f mask=000000ff" ||
    fail "pcap_lookupnet(lo) lost its network"
exit 0
