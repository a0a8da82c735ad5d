# The NFLOG renderer on its own (ASan and UBSan): layout, order, lengths,
# the snap length.
. "$(dirname "$0")/lib.sh"
"$TESTPROGS/nflog_test" || fail "nflog_test"
exit 0
