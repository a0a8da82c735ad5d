#!/bin/bash
# t-filter-differential at an XDP tap: the compiled filter reading past
# the window through bpf_xdp_load_bytes().
FILTER_DIFF_TAPS=xdp FILTER_DIFF_SNAPS="full 96" \
    exec bash "$(dirname "$0")/t-filter-differential.sh"
