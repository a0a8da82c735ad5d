# 'make install' lays out the drop-in library as Debian does (into a
# staging directory here; the live install diverts the package's file),
# with the capture broker, its systemd units and its policy file.
. "$(dirname "$0")/lib.sh"
make -s -C "$TOP" install DESTDIR="$TMP/root" > "$TMP/install.log" 2>&1 ||
    fail "make install: $(tail -5 "$TMP/install.log")"
dir=$(ls -d "$TMP"/root/usr/lib/*-linux-gnu 2>/dev/null | head -1)
[ -n "$dir" ] || fail "nothing installed under /usr/lib/<multiarch>"
[ "$(readlink "$dir/libpcap.so.0.8")" = "$(readlink "$LIBDIR/../libpcap/libpcap.so.0.8")" ] ||
    fail "libpcap.so.0.8 does not point at the built library"
cmp -s "$dir/$(readlink "$dir/libpcap.so.0.8")" "$LIBDIR/libpcap.so.0.8" ||
    fail "the installed library differs from the built one"
ls -l "$dir"
for f in usr/sbin/pcap-bpftrace-broker lib/systemd/system/pcap-bpftrace-broker.socket \
    lib/systemd/system/pcap-bpftrace-broker.service etc/pcap-bpftrace/broker.conf; do
	[ -e "$TMP/root/$f" ] || fail "make install did not install /$f"
done
[ -x "$TMP/root/usr/sbin/pcap-bpftrace-broker" ] || fail "the broker is not executable"
exit 0
