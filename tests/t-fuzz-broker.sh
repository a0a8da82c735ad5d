# The broker's parsers under libFuzzer (ASan, UBSan), for a bounded time
# each: a client's request and device name, the policy file, the broker's
# reply as a client reads it (fuzz/).  Inputs that once crashed a target
# (fuzz/regressions/) are replayed first.  Fails on any crash or sanitizer
# report, naming the reproducer.  make fuzz runs the same targets longer.
# FUZZ_CHECK_SECONDS: seconds per target (12); FUZZ_CC: the clang to use.
. "$(dirname "$0")/lib.sh"

seconds=${FUZZ_CHECK_SECONDS:-12}
fuzz_make() {
	make -s --no-print-directory -C "$TOP" ${FUZZ_CC:+FUZZ_CC="$FUZZ_CC"} \
	    "$@"
}

# The toolchain is the machine's business (scripts/setup-debian.sh):
# nothing is installed here.
if ! fuzz_make fuzz-toolchain > "$TMP/toolchain.log" 2>&1; then
	cat "$TMP/toolchain.log"
	# toolchain.sh's last line names what is missing.
	fail "cannot build the fuzz targets:" \
	    "$(grep -v '^make' "$TMP/toolchain.log" | tail -1)"
fi
if ! fuzz_make fuzz-build > "$TMP/build.log" 2>&1; then
	tail -30 "$TMP/build.log"
	fail "building the fuzz targets (make fuzz-build) failed"
fi

"$TOP/fuzz/run-fuzzers.sh" "$BUILD/fuzz" "$seconds" "$TMP/corpus" ||
    fail "a fuzz target crashed or a sanitizer reported:" \
    "the report and its reproducer are above"
exit 0
