#!/bin/sh
# The whole test suite on a fresh Debian 12 machine, as root:
# installs what is needed, builds, runs 'make check' and the kernel matrix
# ('make check-kernels': the tap tests on Debian's kernels under qemu).
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
"$top/scripts/prepare.sh"
cd "$top"
status=0
make --no-print-directory check || status=1
make --no-print-directory check-kernels || status=1
exit $status
