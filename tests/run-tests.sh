#!/bin/bash
# Runs every tests/t-*.sh (or those named) and prints a summary line:
#   N passed, N failed, N skipped
# A test passes with exit 0, is skipped with 77 (its reason printed), and
# fails otherwise; the output of failed and skipped tests is shown.
# A first argument that is a directory under tests/ (programs: make
# check-programs) runs the t-*.sh there instead.
cd "$(dirname "$0")" || exit 1
if [ -n "${1:-}" ] && [ -d "$1" ]; then
	cd "$1" || exit 1
	shift
fi
tests=${*:-$(ls t-*.sh)}
pass=0 failed=0 skipped=0 failed_names=""
logdir=$(mktemp -d)
trap 'rm -rf "$logdir"' EXIT

for t in $tests; do
	start=$(date +%s)
	timeout 300 bash "$t" > "$logdir/$t.log" 2>&1
	rc=$?
	secs=$(( $(date +%s) - start ))
	case $rc in
	0)	pass=$((pass + 1)); echo "PASS $t (${secs}s)" ;;
	77)	skipped=$((skipped + 1)); echo "SKIP $t: $(grep '^SKIP' "$logdir/$t.log" | head -1)" ;;
	*)	failed=$((failed + 1)); failed_names="$failed_names $t"
		echo "FAIL $t (exit $rc, ${secs}s)"
		sed 's/^/    /' "$logdir/$t.log" | tail -40 ;;
	esac
done
[ -n "$failed_names" ] && echo "failed:$failed_names"
echo "$pass passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
