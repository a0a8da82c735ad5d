#!/bin/sh
# Whether CC can build libFuzzer targets with ASan and UBSan:
#   fuzz/toolchain.sh CC
# Prints what is missing, and how to get it, and fails when it cannot.
# Installs nothing (scripts/setup-debian.sh does).
cc=${1:-clang}
if ! command -v "$cc" >/dev/null 2>&1; then
	echo "fuzzing toolchain missing: no $cc (clang builds the fuzz targets;" \
	    "Debian: apt-get install clang, or run scripts/setup-debian.sh)"
	exit 1
fi
dir=$(mktemp -d "${TMPDIR:-/tmp}/fuzz-toolchain.XXXXXX") || exit 1
trap 'rm -rf "$dir"' EXIT
cat > "$dir/probe.c" <<'PROBE'
#include <stddef.h>
#include <stdint.h>
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return size > 0 && data[0] == 0;
}
PROBE
if "$cc" -fsanitize=fuzzer,address,undefined -o "$dir/probe" "$dir/probe.c" \
    > "$dir/log" 2>&1 && "$dir/probe" -runs=1 > "$dir/run.log" 2>&1; then
	exit 0
fi
major=$("$cc" -dumpversion 2>/dev/null | sed 's/\..*//')
runtime="libclang-rt-${major:-14}-dev"
echo "fuzzing toolchain missing: $cc cannot build or run a libFuzzer target" \
    "(-fsanitize=fuzzer,address,undefined):"
sed 's/^/    /' "$dir/log" "$dir/run.log" 2>/dev/null | tail -5
if grep -q 'clang_rt\.\(fuzzer\|asan\|ubsan\)' "$dir/log"; then
	echo "clang's runtime libraries (libFuzzer, ASan, UBSan) are missing:" \
	    "Debian package $runtime (scripts/setup-debian.sh installs it)"
elif ! "$cc" --version 2>/dev/null | grep -q clang; then
	echo "$cc is not clang: the fuzz targets need clang and" \
	    "libclang-rt-14-dev (Debian; scripts/setup-debian.sh installs them)"
else
	echo "Debian: clang and $runtime (scripts/setup-debian.sh installs them)"
fi
exit 1
