# Every parser of outside data under libFuzzer (ASan, UBSan), for a bounded
# time each: the broker's request, policy file and reply, device names,
# user records, NFLOG rendering, filter programs and the probe's
# interpreter against libpcap's (every FUZZ_TARGETS entry of the Makefile,
# fuzz/).  Inputs that once crashed a target (fuzz/regressions/) are
# replayed first.  Fails on any crash, sanitizer report or broken promise,
# naming the reproducer.  make fuzz runs the same targets longer.
# FUZZ_CHECK_SECONDS: seconds per target (default: 60 s shared among the
# targets, at least 3 each); FUZZ_CC: the clang to use.
. "$(dirname "$0")/lib.sh"

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
targets=$(fuzz_make fuzz-targets)
[ -n "$targets" ] || fail "make fuzz-targets lists no target"
count=$(echo "$targets" | wc -w)
# make check's budget: about a minute of fuzzing in all.
seconds=${FUZZ_CHECK_SECONDS:-$((60 / count > 3 ? 60 / count : 3))}
echo "$count targets, $seconds s each"

# shellcheck disable=SC2086
"$TOP/fuzz/run-fuzzers.sh" "$BUILD/fuzz" "$seconds" "$TMP/corpus" \
    $targets ||
    fail "a fuzz target crashed or a sanitizer reported:" \
    "the report and its reproducer are above"
exit 0
