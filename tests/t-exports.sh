# The built library is a drop-in for Debian's: same SONAME, and every
# symbol Debian's libpcap.so.0.8 exports is exported by ours too.
. "$(dirname "$0")/lib.sh"
ours=$LIBDIR/libpcap.so.0.8
theirs=$(ls /usr/lib/*/libpcap.so.0.8 2>/dev/null | head -1)
[ -n "$theirs" ] || skip "Debian's libpcap0.8 is not installed"
soname=$(objdump -p "$ours" | awk '/SONAME/ { print $2 }')
[ "$soname" = libpcap.so.0.8 ] || fail "SONAME is '$soname'"
exports() {
	objdump -T "$1" | awk '$2 == "g" && $4 != "*UND*" { print $NF }' | sort -u
}
exports "$theirs" > "$TMP/theirs"
exports "$ours" > "$TMP/ours"
missing=$(comm -23 "$TMP/theirs" "$TMP/ours")
[ -z "$missing" ] || fail "symbols Debian exports and we do not: $missing"
extra=$(comm -13 "$TMP/theirs" "$TMP/ours")
echo "$(wc -l < "$TMP/theirs") symbols checked; extra exports: ${extra:-none}"
[ -z "$extra" ] || fail "the module leaks symbols: $extra"
[ -e "$LIBDIR/libpcap.a" ] || fail "no static library"
# In the static library every global symbol is visible to the program it
# is linked into: the module's own carry its prefix (bpftrace_, or pcap_
# for libpcap's entry points), so none can collide with a program's.
unprefixed=$(nm -A -g --defined-only "$LIBDIR/libpcap.a" 2>/dev/null |
    awk '$1 ~ /bpftrace/ && $2 ~ /^[TDBRC]$/ { print $3 }' |
    grep -v '^bpftrace_\|^pcap_' | sort -u | tr '\n' ' ')
[ -z "$unprefixed" ] ||
    fail "module symbols without the bpftrace_ prefix in libpcap.a: $unprefixed"
exit 0
