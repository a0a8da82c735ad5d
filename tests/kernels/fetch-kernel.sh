#!/bin/sh
# Downloads and unpacks one of Debian's kernel packages, once per machine.
#   fetch-kernel.sh SUITE METAPACKAGE CACHE_DIR [ARCH]
# e.g. bookworm linux-image-cloud-amd64, bookworm-backports
# linux-image-cloud-amd64, bookworm linux-image-amd64 (the generic kernel,
# which has the Wi-Fi stack), bullseye linux-image-cloud-amd64 (5.10),
# bookworm linux-image-cloud-arm64 ... arm64 (a foreign architecture,
# through multiarch); prints the directory holding boot/ and lib/modules/.
set -eu
suite=$1
meta=$2
cache=$3
arch=${4:-$(dpkg --print-architecture)}
[ "$arch" = "$(dpkg --print-architecture)" ] || meta=$meta:$arch
if [ "$suite" = bookworm ]; then ref=$meta; else ref=$meta/$suite; fi
pkg=$(apt-cache depends "$ref" 2>/dev/null | sed -n 's/^ *Depends: \(linux-image-[^ ]*\)$/\1/p' | head -1)
if [ -z "$pkg" ]; then
	echo "fetch-kernel: no $meta in $suite (is $suite in the apt sources?" \
	    "scripts/setup-debian.sh adds it)" >&2
	exit 1
fi
root=$cache/${pkg%:*}
if [ ! -f "$root/.unpacked" ]; then
	mkdir -p "$cache/debs"
	(cd "$cache/debs" && ls "${pkg%:*}"_*.deb >/dev/null 2>&1 ||
	    apt-get download -q "$pkg" >/dev/null 2>&1) || {
		echo "fetch-kernel: apt-get download $pkg failed" >&2
		exit 1
	}
	rm -rf "$root"
	mkdir -p "$root"
	dpkg-deb -x "$(ls "$cache/debs/${pkg%:*}"_*.deb | head -1)" "$root"
	# The package's postinst would index the modules; do it here.
	for kver in $(ls "$root/lib/modules"); do
		depmod -b "$root" "$kver"
	done
	touch "$root/.unpacked"
fi
echo "$root"
