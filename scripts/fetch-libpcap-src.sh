#!/bin/sh
# Fetches the Debian source of the installed libpcap0.8 (the version the
# drop-in library replaces) into DIR, with Debian's patches applied.
#   usage: fetch-libpcap-src.sh DIR
set -eu
dest=$1
version=$(dpkg-query -W -f='${Version}' libpcap0.8 2>/dev/null || true)
if [ -z "$version" ]; then
	echo "fetch-libpcap-src: libpcap0.8 is not installed;" \
	    "run scripts/setup-debian.sh or pass --with-libpcap-src=DIR" >&2
	exit 1
fi
work=$(mktemp -d "${TMPDIR:-/tmp}/libpcap-src.XXXXXX")
trap 'rm -rf "$work"' EXIT
(cd "$work" && apt-get source -q "libpcap0.8=$version" >/dev/null) || {
	echo "fetch-libpcap-src: 'apt-get source libpcap0.8=$version' failed;" \
	    "deb-src entries are added by scripts/setup-debian.sh" >&2
	exit 1
}
tree=$(find "$work" -mindepth 1 -maxdepth 1 -type d -name 'libpcap-*' | head -1)
rm -rf "$dest"
mkdir -p "$(dirname "$dest")"
cp -a "$tree" "$dest"
echo "$version" > "$dest/.debian-version"
