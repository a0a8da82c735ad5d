#!/bin/bash
# t-filter-differential with the probe's interpreter instead of the
# compiled filter (PCAP_BPF_FILTER=interpret), at the tc and the XDP tap,
# 20 frames of each capture: the same verdicts.
FILTER_DIFF_MODE=interpreted FILTER_DIFF_TAPS="tc xdp" FILTER_DIFF_SNAPS="full 96" FILTER_DIFF_FRAMES=20 \
    exec bash "$(dirname "$0")/t-filter-differential.sh"
