#!/bin/bash
# Cost of one executed classic instruction, compiled filter against the
# probe's interpreter (bench/filter_cost.c), at a tc tap on an idle veth.
. "$(dirname "$0")/lib.sh"
bench_veth_pair
echo "== filter cost per instruction (BPF_PROG_TEST_RUN, tc)"
LD_LIBRARY_PATH=$lib ip netns exec ${ns}b "$out/filter_cost" bpf:tc:vb
