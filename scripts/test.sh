#!/bin/sh
# The whole test suite on a fresh Debian 12 machine, as root:
# installs what is needed, builds, runs 'make check'.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
"$top/scripts/prepare.sh"
cd "$top" && make --no-print-directory check
