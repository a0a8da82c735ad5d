#!/bin/bash
# make check-kernels: the tap tests on Debian's own kernels booted under
# qemu (TCG) and natively on the host, as a matrix of kernels x tap
# families with the mechanism each used.  A test that fails on a kernel
# that supports it fails the target.
set -uo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
here=$top/tests/kernels
cache=${KERNEL_CACHE:-/var/cache/pcap-bpftrace/kernels}
# SUITE:METAPACKAGE:TEST GROUPS:MODULES[:ARCH], one kernel a line (ARCH:
# Debian's name, this machine's by default).  The generic kernels run only
# the Wi-Fi test (mac80211_hwsim radios); the cloud kernels, which have no
# Wi-Fi stack, everything else.  5.10 is Debian 11's kernel; the arm64
# guests run Debian's arm64 programs with the library cross-built.
kernels=${KERNELS:-"bookworm:linux-image-cloud-amd64:taps:veth sch_ingress cls_bpf ipip
bookworm-backports:linux-image-cloud-amd64:taps:veth sch_ingress cls_bpf ipip
bookworm:linux-image-amd64:wifi:mac80211_hwsim
bullseye:linux-image-cloud-amd64:taps:veth sch_ingress cls_bpf ipip
bookworm:linux-image-cloud-arm64:taps:veth sch_ingress cls_bpf ipip:arm64
bookworm-backports:linux-image-cloud-arm64:taps:veth sch_ingress cls_bpf ipip:arm64
bookworm:linux-image-arm64:wifi:mac80211_hwsim:arm64
bookworm-backports:linux-image-arm64:wifi:mac80211_hwsim:arm64"}
host_arch=$(dpkg --print-architecture)
out=$top/build/kernel-matrix.txt
logs=$top/build/kernel-logs
mkdir -p "$cache" "$logs"
results=$logs/results
: > "$results"
# Seconds per kernel (package, initramfs, boot and tests).
timings=$logs/timings
: > "$timings"

# record KERNEL LINES...: keeps the RESULT lines of one kernel.
record() {
	local kernel=$1 log=$2
	grep '^RESULT ' "$log" | sed "s/^RESULT /$kernel /" >> "$results"
	grep -q GUEST-TESTS-DONE "$log" ||
	    echo "$kernel tests fail none the run did not finish (log: $log)" >> "$results"
}

# boot ARCH KERNEL_ROOT VERSION INITRD LOG: one guest run, console to LOG.
# arm64: the virt board with the emulator's fullest CPU (its pointer
# authentication in the emulator's own cheap form, not the architected
# one, which costs much time under TCG).
boot() {
	local arch=$1 kroot=$2 kver=$3 initrd=$4 log=$5
	echo "booting $kver under qemu (TCG)..."
	case $arch in
	arm64)	set -- qemu-system-aarch64 -M virt -cpu max,pauth-impdef=on \
		    -append "console=ttyAMA0 panic=-1 quiet" ;;
	*)	set -- qemu-system-x86_64 -cpu "${QEMU_CPU:-max}" \
		    -append "console=ttyS0 panic=-1 quiet" ;;
	esac
	timeout 600 "$@" -accel tcg -smp 2 -m 1024 -nographic -no-reboot \
	    -kernel "$kroot/boot/vmlinuz-$kver" -initrd "$initrd" \
	    < /dev/null 2>&1 | tr -d '\r' > "$log"
}

# build_for ARCH: sets build to this tree's build, or a cross build
# (made once per run: not in a subshell, which would forget it).
declare -A cross_built
build_for() {
	local triple
	if [ "$1" = "$host_arch" ]; then
		build=$top/build
		return 0
	fi
	triple=$(dpkg-architecture -a "$1" -qDEB_HOST_MULTIARCH 2>/dev/null)
	if [ -z "${cross_built[$1]:-}" ]; then
		echo "cross-building for $1 ($triple)..." >&2
		cross_built[$1]=$("$here/cross-build.sh" "$triple" "$top" \
		    2> "$logs/cross-$1.log") || cross_built[$1]=failed
	fi
	build=${cross_built[$1]}
	[ "$build" != failed ]
}

# The host kernel, natively, in a namespace of its own.
host=$(uname -r)
ns=pbt-matrix-$$
ip netns add $ns && ip -n $ns link set lo up
# The broker row: the built broker and tap_counts; unprivileged bpf()
# disabled with 2, which (unlike 1) can be undone.
started=$SECONDS
# Its files in a directory of this run's own: two runs at once (two
# checkouts) must not share guest-taps.sh's default, which it empties at
# start.  Under /tmp: tcpdump writes there as its own user.
host_tmp=$(mktemp -d /tmp/guest-taps.XXXXXX)
ip netns exec $ns env LD_LIBRARY_PATH="$top/build/lib" GUEST_TESTS="taps wifi" \
    TMPD="$host_tmp" \
    BROKER="$top/build/bin/pcap-bpftrace-broker" \
    TAP_COUNTS="$top/build/testprogs/tap_counts" UNPRIV_BPF_DISABLED=2 \
    NFLOG_ROWS="$top/build/testprogs/nflog_rows" \
    TCP_STREAM="$top/build/testprogs/tcp_stream" \
    OBJECTS="$top/build/testprogs" \
    sh "$here/guest-taps.sh" \
    > "$logs/host.log" 2>&1
ip netns del $ns
rm -rf "$host_tmp"
record "$host(host)" "$logs/host.log"
echo "$host(host) $((SECONDS - started))" >> "$timings"

while IFS=: read -r suite meta tests modules arch; do
	[ -n "$suite" ] || continue
	arch=${arch:-$host_arch}
	started=$SECONDS
	if ! kroot=$("$here/fetch-kernel.sh" "$suite" "$meta" "$cache" "$arch"); then
		echo "$suite/$meta $tests skip none kernel package not available" >> "$results"
		continue
	fi
	kver=$(ls "$kroot/lib/modules" | head -1)
	if ! build_for "$arch"; then
		echo "$kver all fail none the cross build failed (log: $logs/cross-$arch.log)" >> "$results"
		continue
	fi
	initrd=$logs/initrd-$kver.gz
	GUEST_TESTS=$tests GUEST_MODULES=$modules GUEST_ARCH=$arch GUEST_BUILD=$build \
	    GUEST_TRIPLE=$(dpkg-architecture -a "$arch" -qDEB_HOST_MULTIARCH 2>/dev/null) \
	    KERNEL_CACHE=$cache \
	    "$here/build-initramfs.sh" "$kroot" "$kver" "$top" "$initrd" < /dev/null \
	    2> "$logs/initrd-$kver.err" ||
	    { echo "$kver all fail none initramfs build failed: $(tail -1 "$logs/initrd-$kver.err")" >> "$results"; continue; }
	boot "$arch" "$kroot" "$kver" "$initrd" "$logs/$kver.log" < /dev/null
	if ! grep -q GUEST-TESTS-DONE "$logs/$kver.log" &&
	    grep -qE "Kernel panic|Oops" "$logs/$kver.log"; then
		# Keep the crash log, boot once more.
		mv "$logs/$kver.log" "$logs/$kver.crash.log"
		echo "$kver: the guest kernel crashed (see $logs/$kver.crash.log); booting again"
		boot "$arch" "$kroot" "$kver" "$initrd" "$logs/$kver.log" < /dev/null
	fi
	record "$kver" "$logs/$kver.log"
	echo "$kver $((SECONDS - started))" >> "$timings"
done <<KERNELS
$kernels
KERNELS

# Known failures (tests/kernels/expected-failures) become xfail, and such a
# row that passed xpass.
expected=$here/expected-failures
while read -r kernel test state rest; do
	mark=$state
	while read -r kpat tpat reason; do
		case $kpat in ""|"#"*) continue ;; esac
		# shellcheck disable=SC2254
		case $kernel in $kpat) ;; *) continue ;; esac
		case $test in $tpat) ;; *) continue ;; esac
		case $state in
		fail)	mark=xfail rest="$rest [expected for now: $reason]" ;;
		pass)	mark=xpass rest="$rest [listed as expected to fail: $reason]" ;;
		esac
		break
	done < "$expected"
	echo "$kernel $test $mark $rest"
done < "$results" > "$results.marked"
mv "$results.marked" "$results"

# The matrix: one row per kernel, one column per tap family.
families=$(awk '{ print $2 }' "$results" | awk '!seen[$0]++')
{
	printf '%-28s' kernel
	for f in $families; do printf ' %-22s' "$f"; done
	echo
	for k in $(awk '{ print $1 }' "$results" | awk '!seen[$0]++'); do
		printf '%-28s' "$k"
		for f in $families; do
			cell=$(awk -v k="$k" -v f="$f" '$1 == k && $2 == f { print $3 " " $4 }' "$results")
			printf ' %-22s' "${cell:--}"
		done
		echo
	done
	echo
	echo "details:"
	sed 's/^/  /' "$results"
	echo
	echo "seconds per kernel, and its rows passed/failed/skipped:"
	while read -r k secs; do
		printf '  %-34s %4ss  %s passed, %s failed, %s skipped, %s expected to fail\n' \
		    "$k" "$secs" \
		    "$(awk -v k="$k" '$1 == k && ($3 == "pass" || $3 == "xpass")' "$results" | wc -l)" \
		    "$(awk -v k="$k" '$1 == k && $3 == "fail"' "$results" | wc -l)" \
		    "$(awk -v k="$k" '$1 == k && $3 == "skip"' "$results" | wc -l)" \
		    "$(awk -v k="$k" '$1 == k && $3 == "xfail"' "$results" | wc -l)"
	done < "$timings"
} > "$out"
cat "$out"
pass=$(awk '$3 == "pass" || $3 == "xpass"' "$results" | wc -l)
fail=$(awk '$3 == "fail"' "$results" | wc -l)
skip=$(awk '$3 == "skip"' "$results" | wc -l)
xfail=$(awk '$3 == "xfail"' "$results" | wc -l)
xpass=$(awk '$3 == "xpass"' "$results" | wc -l)
[ "$xfail" -eq 0 ] && [ "$xpass" -eq 0 ] ||
    echo "expected to fail for now (tests/kernels/expected-failures): $xfail; passed all the same: $xpass"
echo "kernels: $pass passed, $fail failed, $skip skipped"
[ "$fail" -eq 0 ]
