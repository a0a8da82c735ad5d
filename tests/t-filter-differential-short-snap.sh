#!/bin/bash
# t-filter-differential at a tc tap with a 96-byte snap length: the
# compiled filter reads past what is captured, and its return value cuts.
FILTER_DIFF_SNAPS=96 exec bash "$(dirname "$0")/t-filter-differential.sh"
