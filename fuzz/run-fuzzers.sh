#!/bin/bash
# Runs the built fuzz targets, each for a bounded time:
#   fuzz/run-fuzzers.sh BUILD_DIR SECONDS CORPUS_DIR [TARGET...]
# (targets: every fuzz/fuzz_*.c unless named).  For each target, first
# replays fuzz/regressions/TARGET/* (inputs that once crashed it), then
# fuzzes from BUILD_DIR/seeds/TARGET, adding what it finds to
# CORPUS_DIR/TARGET (BUILD_DIR/corpus/TARGET is read too, when it is not
# CORPUS_DIR: what make fuzz learnt).  Prints runs and executions per
# second; on a crash or a sanitizer report, the report and the reproducer
# (BUILD_DIR/artifacts/TARGET/...), and fails.
src=$(cd "$(dirname "$0")" && pwd)
if [ $# -lt 3 ]; then
	echo "usage: $0 BUILD_DIR SECONDS CORPUS_DIR [TARGET...]" >&2
	exit 2
fi
bin=$1 seconds=$2 corpus_root=$3
shift 3
targets=${*:-$(cd "$src" && ls fuzz_*.c | sed 's/\.c$//')}
failed=""

# The longest input worth trying.  Requests: the broker reads one byte
# more than the longest valid one (a longer message is refused as
# truncated before it is parsed).  Policy: what the broker reads of the
# file.  Grant: the descriptor count and struct capture_grant, with room.
# Device names: well past the longest the grammar takes (3 * 128).  User
# records: the target's 5 bytes, the header and BPF_PCAP_MAX_LEN, with
# room.  NFLOG: metadata, lengths, a prefix and a payload past the 16-bit
# TLV.  Filters: a packet and more than FILTER_MAX_INSNS instructions.
max_len() {
	case $1 in
	fuzz_broker_request) echo $((24 + 1024 + 1)) ;;
	fuzz_broker_policy) echo 16383 ;;
	fuzz_tap_name) echo 1024 ;;
	fuzz_user_record) echo $((5 + 32 + 9216 + 64)) ;;
	fuzz_nflog) echo $((48 + 9 + 127 + 66000)) ;;
	fuzz_filter) echo $((11 + 1500 + 8 * 4200)) ;;
	fuzz_filter_compile) echo $((1 + 8 * 4200)) ;;
	*) echo 1024 ;;
	esac
}

# A sanitizer's or libFuzzer's report, or a target's broken promise
# (fuzz_promise.h), in a log: whatever the exit status.
report_start='^==[0-9]*==ERROR:\|runtime error:\|^ERROR: libFuzzer\|deadly signal\|^broken promise:'
reported() {
	grep -q "$report_start" "$1"
}

# Prints the report and the reproducer of a failed run.
report_failure() {
	local t=$1 log=$2 unit
	echo "FAILED: $t"
	if reported "$log"; then
		sed -n "/$report_start/,/^SUMMARY/p" "$log" | head -40
	else
		tail -20 "$log"
	fi | sed 's/^/    /'
	unit=$(sed -n 's/.*Test unit written to \(.*\)$/\1/p' "$log" | tail -1)
	[ -n "$unit" ] && echo "reproducer: $unit (replay: $bin/$t $unit)"
	echo "log: $log"
}

mkdir -p "$bin/logs"
for t in $targets; do
	if [ ! -x "$bin/$t" ]; then
		echo "FAILED: $t: $bin/$t is not built (make fuzz-build)"
		failed="$failed $t"
		continue
	fi
	corpus=$corpus_root/$t
	artifacts=$bin/artifacts/$t
	mkdir -p "$corpus" "$artifacts"

	regressions=$(ls "$src/regressions/$t/"* 2>/dev/null)
	if [ -n "$regressions" ]; then
		log=$bin/logs/$t.regressions.log
		# shellcheck disable=SC2086
		if ! "$bin/$t" -timeout=10 -artifact_prefix="$artifacts/" \
		    $regressions > "$log" 2>&1 || reported "$log"; then
			report_failure "$t" "$log"
			echo "regression input that failed again:" \
			    "$(sed -n 's/^Running: //p' "$log" | tail -1)"
			failed="$failed $t"
			continue
		fi
		echo "$t: $(echo "$regressions" | wc -l) regression inputs replayed"
	fi

	dict=""
	[ -f "$src/$t.dict" ] && dict=-dict=$src/$t.dict
	learnt=$bin/corpus/$t
	if [ ! -d "$learnt" ] || [ "$learnt" -ef "$corpus" ]; then
		learnt=""
	fi
	log=$bin/logs/$t.log
	# shellcheck disable=SC2086
	"$bin/$t" -max_total_time="$seconds" -max_len="$(max_len "$t")" \
	    -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
	    -artifact_prefix="$artifacts/" $dict \
	    "$corpus" "$bin/seeds/$t" $learnt > "$log" 2>&1
	rc=$?
	if [ $rc -ne 0 ] || reported "$log"; then
		report_failure "$t" "$log"
		failed="$failed $t"
		continue
	fi
	runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
	rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log")
	cov=$(grep -o 'cov: [0-9]* ft: [0-9]*' "$log" | tail -1)
	echo "$t: $runs runs in ${seconds} s ($rate/s), $cov," \
	    "corpus $(ls "$corpus" | wc -l) new + $(ls "$bin/seeds/$t" | wc -l) seeds"
done
if [ -n "$failed" ]; then
	echo "fuzzing failed:$failed"
	exit 1
fi
exit 0
