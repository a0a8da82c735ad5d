#!/bin/bash
# The probe's side of the compiled-filter contract (bpf/filter_decision.h),
# at a tc tap and an XDP tap, with a hand-written stand-in for a compiled
# filter put into the probe's programs map (testprogs/stub_filter.c):
# while filter.compiled_generation names the active program the probe
# tail-calls it instead of interpreting; what it accepts is delivered at
# the snap length it chose, through the delivery program; its rejects
# are counted; a stale generation or an empty slot brings the
# interpreter back.  Run with both ways of copying into the ring.
. "$(dirname "$0")/lib.sh"
ensure_kernel_fs
NS=${NS_PREFIX}c
add_namespace "$NS"
ip -n "$NS" link add idle0 type veth peer name idle1
ip -n "$NS" link set idle0 up
ip -n "$NS" link set idle1 up
for copy in reserve scratch; do
	for args in "bpf:tc:idle0" "-x bpf:xdp:idle0" "-x bpf:xdp:idle0:native"; do
		ip netns exec "$NS" env PCAP_BPF_RING_COPY=$copy \
		    "$TESTPROGS/compiled_stub" $args > "$TMP/out" 2>&1
		status=$?
		echo "$copy, $args: $(tail -1 "$TMP/out")"
		[ $status -eq 0 ] || { cat "$TMP/out"; fail "$copy, $args"; }
	done
done
exit 0
