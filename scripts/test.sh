#!/bin/sh
# The whole test suite on a fresh Debian 12 machine, as root:
# installs what is needed, builds, runs 'make check', the kernel matrix
# ('make check-kernels': the tap tests on Debian's kernels under qemu) and
# the program suite ('make check-programs': real programs from Debian's
# archive against bpf: taps).
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
"$top/scripts/prepare.sh"
"$top/scripts/setup-programs.sh"
cd "$top"
status=0
make --no-print-directory check || status=1
make --no-print-directory check-kernels || status=1
make --no-print-directory check-programs || status=1
exit $status
