#!/bin/sh
# Builds the library, the capture broker and the test programs for
# another architecture with Debian's cross toolchain (the kernel matrix's
# arm64 guest), from a copy of this tree, once per change of the sources.
#   cross-build.sh TRIPLE TOP
# e.g. aarch64-linux-gnu; prints the copy's build directory (lib/, bin/,
# testprogs/).  The cross compiler and the target's libbpf, libelf and
# zlib come from scripts/setup-debian.sh (multiarch).
set -eu
triple=$1
top=$2
dir=$top/build/cross-$triple
src=$dir/src
if ! command -v "$triple-gcc" >/dev/null; then
	echo "cross-build: no $triple-gcc (scripts/setup-debian.sh installs it)" >&2
	exit 1
fi
# The tree's files (tracked, and new ones not ignored), as they are now.
mkdir -p "$src"
(cd "$top" && git ls-files -co --exclude-standard -z) > "$dir/files"
(cd "$top" && xargs -0 cp --parents -p -t "$src") < "$dir/files"
cd "$src"
[ -x configure ] && [ configure -nt configure.ac ] || autoconf
if [ ! -f Makefile ] || [ Makefile -ot Makefile.in ] || [ Makefile -ot configure ]; then
	# The library's source as the native build fetched it.
	./configure --quiet --host="$triple" \
	    --with-libpcap-src="$top/build/libpcap-src" >&2
fi
make --no-print-directory -s all >&2
echo "$src/build"
