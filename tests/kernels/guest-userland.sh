#!/bin/bash
# The programs of a foreign-architecture guest (busybox, tcpdump, ip, tc,
# iw, setpriv) and the shared libraries that they and the cross-built
# library, broker and tap_counts need: Debian's packages for ARCH,
# downloaded with apt (multiarch) and unpacked into one root tree, once
# per machine.
#   guest-userland.sh ARCH TRIPLE ROOT PROGRAM... -- BUILT...
# e.g. arm64 aarch64-linux-gnu; the PROGRAMs are the tree's programs (their
# path in ROOT, e.g. /usr/bin/tcpdump), the BUILT files cross-built ELF
# files (wherever the checkout is: told apart by the separator, never by
# where a path points).  Prints the tree's path of every library they need,
# libraries of libraries included.  A library's package is the one that
# holds the same library on this machine (dpkg -S).
set -euo pipefail
. "$(dirname "$0")/tree-path.sh"
arch=$1 triple=$2 root=$3
shift 3
debs=$root.debs
mkdir -p "$root" "$debs"

# unpack PACKAGE: downloads (once) and unpacks PACKAGE for ARCH.
unpack() {
	[ -f "$root/.pkg-$1" ] && return 0
	(cd "$debs" && ls "$1"_*_"$arch".deb >/dev/null 2>&1 ||
	    apt-get download -q "$1:$arch" >/dev/null 2>&1) || {
		echo "guest-userland: apt-get download $1:$arch failed" \
		    "(scripts/setup-debian.sh adds the architecture)" >&2
		exit 1
	}
	dpkg-deb -x "$(ls "$debs/$1"_*_"$arch".deb | head -1)" "$root"
	touch "$root/.pkg-$1"
}

# The program packages ("util-linux" for setpriv; libpcap0.8 is replaced
# by the built library).
for p in busybox-static tcpdump iproute2 util-linux iw ethtool; do
	unpack "$p"
done

# locate SONAME: its path in the tree, if there.
locate() {
	for d in /lib/$triple /usr/lib/$triple /lib /usr/lib; do
		tree_path "$root" "$d/$1" >/dev/null && { echo "$d/$1"; return 0; }
	done
	return 1
}

# package_of SONAME: the package that holds SONAME on this machine.  dpkg
# knows a file by the path it was shipped at: the linker cache's path, its
# target, or either without /usr (merged /usr).
package_of() {
	local here
	here=$(ldconfig -p | sed -n "s/^[[:space:]]*$1 (.*) => //p" | head -1)
	[ -n "$here" ] || return 0
	for p in "$here" "$(readlink -f "$here")"; do
		for q in "$p" "${p#/usr}"; do
			dpkg -S "$q" 2>/dev/null | sed -n 's/^\([^:]*\):[^ ]*: .*/\1/p' |
			    head -1 | grep . && return 0
		done
	done
	return 0
}

# Breadth first over DT_NEEDED; a soname not in the tree fetches the
# package that holds it here.
queue=""
built=false
for f in "$@"; do
	if [ "$f" = -- ]; then
		built=true
		continue
	fi
	if ! $built; then
		f=$(tree_path "$root" "$f") || {
			echo "guest-userland: no $f in the $arch packages" >&2
			exit 1
		}
	elif [ ! -f "$f" ]; then
		echo "guest-userland: no cross-built $f (tests/kernels/cross-build.sh)" >&2
		exit 1
	fi
	queue="$queue $f"
done
seen=" "
while [ -n "${queue// /}" ]; do
	next=""
	for f in $queue; do
		for so in $("$triple-readelf" -d "$f" 2>/dev/null |
		    sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p'); do
			[ "$so" = libpcap.so.0.8 ] && continue
			case $seen in *" $so "*) continue ;; esac
			seen="$seen$so "
			if ! path=$(locate "$so"); then
				pkg=$(package_of "$so")
				if [ -z "$pkg" ]; then
					echo "guest-userland: no package on this machine holds $so" >&2
					exit 1
				fi
				unpack "$pkg"
				path=$(locate "$so") || {
					echo "guest-userland: $pkg:$arch has no $so" >&2
					exit 1
				}
			fi
			echo "$path"
			next="$next $(tree_path "$root" "$path")"
		done
	done
	queue=$next
done
