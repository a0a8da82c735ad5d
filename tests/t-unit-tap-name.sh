# The device-name parser, on its own (built with ASan and UBSan).
. "$(dirname "$0")/lib.sh"
"$TESTPROGS/tap_name_test" || fail "tap_name_test"
exit 0
