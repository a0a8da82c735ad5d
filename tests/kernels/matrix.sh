#!/bin/bash
# make check-kernels: the tap tests on Debian's own kernels booted under
# qemu (TCG) and natively on the host, as a matrix of kernels x tap
# families with the mechanism each used.  A test that fails on a kernel
# that supports it fails the target.
set -uo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
here=$top/tests/kernels
cache=${KERNEL_CACHE:-/var/cache/pcap-bpftrace/kernels}
# SUITE:METAPACKAGE:TEST GROUPS:MODULES, one kernel a line.  The generic
# kernel runs only the Wi-Fi test (mac80211_hwsim radios); the cloud
# kernels, which have no Wi-Fi stack, everything else.
kernels=${KERNELS:-"bookworm:linux-image-cloud-amd64:taps:veth sch_ingress cls_bpf
bookworm-backports:linux-image-cloud-amd64:taps:veth sch_ingress cls_bpf
bookworm:linux-image-amd64:wifi:mac80211_hwsim"}
out=$top/build/kernel-matrix.txt
logs=$top/build/kernel-logs
mkdir -p "$cache" "$logs"
results=$logs/results
: > "$results"

# record KERNEL LINES...: keeps the RESULT lines of one kernel.
record() {
	local kernel=$1 log=$2
	grep '^RESULT ' "$log" | sed "s/^RESULT /$kernel /" >> "$results"
	grep -q GUEST-TESTS-DONE "$log" ||
	    echo "$kernel tests fail none the run did not finish (log: $log)" >> "$results"
}

# boot KERNEL_ROOT VERSION INITRD LOG: one guest run, console to LOG.
boot() {
	echo "booting $2 under qemu (TCG)..."
	timeout 600 qemu-system-x86_64 -accel tcg -cpu "${QEMU_CPU:-max}" -smp 2 -m 1024 \
	    -nographic -no-reboot -kernel "$1/boot/vmlinuz-$2" \
	    -initrd "$3" -append "console=ttyS0 panic=-1 quiet" \
	    < /dev/null 2>&1 | tr -d '\r' > "$4"
}

# The host kernel, natively, in a namespace of its own.
host=$(uname -r)
ns=pbt-matrix-$$
ip netns add $ns && ip -n $ns link set lo up
# The broker row: the built broker and tap_counts; unprivileged bpf()
# disabled with 2, which (unlike 1) can be undone.
ip netns exec $ns env LD_LIBRARY_PATH="$top/build/lib" GUEST_TESTS="taps wifi" \
    BROKER="$top/build/bin/pcap-bpftrace-broker" \
    TAP_COUNTS="$top/build/testprogs/tap_counts" UNPRIV_BPF_DISABLED=2 \
    OBJECTS="$top/build/testprogs" \
    sh "$here/guest-taps.sh" \
    > "$logs/host.log" 2>&1
ip netns del $ns
record "$host(host)" "$logs/host.log"

while IFS=: read -r suite meta tests modules; do
	[ -n "$suite" ] || continue
	if ! kroot=$("$here/fetch-kernel.sh" "$suite" "$meta" "$cache"); then
		echo "$suite/$meta $tests skip none kernel package not available" >> "$results"
		continue
	fi
	kver=$(ls "$kroot/lib/modules" | head -1)
	initrd=$logs/initrd-$kver.gz
	GUEST_TESTS=$tests GUEST_MODULES=$modules \
	    "$here/build-initramfs.sh" "$kroot" "$kver" "$top" "$initrd" < /dev/null ||
	    { echo "$kver all fail none initramfs build failed" >> "$results"; continue; }
	boot "$kroot" "$kver" "$initrd" "$logs/$kver.log" < /dev/null
	if ! grep -q GUEST-TESTS-DONE "$logs/$kver.log" &&
	    grep -qE "Kernel panic|Oops" "$logs/$kver.log"; then
		# Keep the crash log, boot once more.
		mv "$logs/$kver.log" "$logs/$kver.crash.log"
		echo "$kver: the guest kernel crashed (see $logs/$kver.crash.log); booting again"
		boot "$kroot" "$kver" "$initrd" "$logs/$kver.log" < /dev/null
	fi
	record "$kver" "$logs/$kver.log"
done <<KERNELS
$kernels
KERNELS

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
} > "$out"
cat "$out"
pass=$(awk '$3 == "pass"' "$results" | wc -l)
fail=$(awk '$3 == "fail"' "$results" | wc -l)
skip=$(awk '$3 == "skip"' "$results" | wc -l)
echo "kernels: $pass passed, $fail failed, $skip skipped"
[ "$fail" -eq 0 ]
