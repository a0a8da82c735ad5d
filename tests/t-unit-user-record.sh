# The bpf_pcap() record converter on its own (ASan and UBSan): good
# records in every conversion, malformed ones, 200000 random ones.
. "$(dirname "$0")/lib.sh"
"$TESTPROGS/user_record_test" || fail "user_record_test"
exit 0
