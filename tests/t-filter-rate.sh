# The filter keeper compiles a bounded number of filters for a process
# that has dropped its privileges (bpftrace-filter-channel.c): a burst of
# 64, then 16 a second.  A process setting its filter 300 times without
# pause (under a millisecond each here; over 50 ms each would be needed to
# stay within the rate) gets 64 compiled and the rest interpreted, every
# pcap_setfilter() succeeding; after two seconds' pause the next one is
# compiled again.  The broker's child answers with the same code.
. "$(dirname "$0")/lib.sh"
ensure_kernel_fs
out=$TMP/storm.out
PCAP_BPF_DEBUG=1 PCAP_BPF_BROKER=$TMP/no-broker.sock \
    "$TESTPROGS/filter_storm" bpf:tracepoint:net:netif_receive_skb 65534 300 2 \
    > "$out" 2>&1 || fail "filter_storm: $(tail -3 "$out")"
grep -q "^set 301 filters" "$out" || fail "not every filter was set: $(tail -3 "$out")"
compiled=$(grep -c "filter compiled in 1 of 1 taps" "$out")
limited=$(grep -c "filter compiled in 0 of 1 taps: more than 64 filter changes" "$out")
echo "301 filters set: $compiled compiled, $limited interpreted past the rate"
[ "$compiled" -ge 65 ] || fail "only $compiled filters compiled, want the burst of 64 and the one after the pause"
[ "$limited" -ge 1 ] || fail "no filter was refused compilation: no rate limit"
[ $((compiled + limited)) -eq 301 ] || fail "$((301 - compiled - limited)) filters neither compiled nor limited: $(grep "compiled in 0" "$out" | grep -v "more than" | head -2)"
grep "filter compiled in" "$out" | tail -1 | grep -q "1 of 1 taps" ||
    fail "the filter set after the pause was not compiled"
exit 0
