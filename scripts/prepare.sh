#!/bin/sh
# Installs what is missing, configures and builds: the common first step
# of scripts/demo.sh and scripts/test.sh.  Run as root from anywhere.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
"$top/scripts/setup-debian.sh"
mountpoint -q /sys/fs/bpf || mount -t bpf bpf /sys/fs/bpf 2>/dev/null || true
mountpoint -q /sys/kernel/tracing ||
    mount -t tracefs tracefs /sys/kernel/tracing 2>/dev/null || true
[ -x configure ] && [ configure -nt configure.ac ] || autoconf
[ -f Makefile ] && [ Makefile -nt Makefile.in ] && [ Makefile -nt configure ] ||
    ./configure --quiet
make --no-print-directory -s all
