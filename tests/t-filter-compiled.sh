#!/bin/bash
# The compiled filter (bpftrace-filter-compile.c, loaded by
# bpftrace-filter-load.c) decides exactly as libpcap's interpreter does,
# packet for packet, for every expression of tests/filters/expressions.txt
# (optimised, and unoptimised for a short snap length) and the
# hand-written programs of every instruction, over tcpdump's test
# captures: loaded into a stand-in for the capture probe (its decision,
# counters and delivery slot) as a tc, an XDP and a kernel-skb program,
# run with BPF_PROG_TEST_RUN, with the packet's bytes in the window,
# partly past it (read through bpf_skb_load_bytes, bpf_xdp_load_bytes,
# bpf_probe_read_kernel), and past what the source holds (rejected).
# Programs jumping backwards (protochain) must be refused.
. "$(dirname "$0")/lib.sh"
ensure_kernel_fs

captures=$BUILD/tcpdump-captures
"$TOP/scripts/fetch-tcpdump-captures.sh" "$captures" ||
    fail "could not fetch tcpdump's test captures"

expressions=$TOP/tests/filters/expressions.txt
for source in tc xdp kernel-skb; do
	"$TESTPROGS/filter_compile_check" -n 600 -p 8 -s "$source" \
	    "$expressions" "$captures"/*.pcap > "$TMP/check.out" 2>&1
	status=$?
	echo "$source: $(tail -1 "$TMP/check.out")"
	[ $status -eq 0 ] || { head -40 "$TMP/check.out";
	    fail "$source: the compiled filter and libpcap disagree"; }
done
exit 0
