#!/bin/sh
# Fetches the test captures shipped in Debian's tcpdump source package
# (tests/*.pcap, written by tcpdump's authors) into DIR, keeping those of
# Ethernet link type.  Used by the in-kernel filter's differential test.
#   usage: fetch-tcpdump-captures.sh DIR
set -eu
dest=$1
[ -f "$dest/.fetched" ] && exit 0
work=$(mktemp -d "${TMPDIR:-/tmp}/tcpdump-src.XXXXXX")
trap 'rm -rf "$work"' EXIT
(cd "$work" && apt-get source -q tcpdump >/dev/null 2>&1) || {
	echo "fetch-tcpdump-captures: 'apt-get source tcpdump' failed;" \
	    "deb-src entries are added by scripts/setup-debian.sh" >&2
	exit 1
}
rm -rf "$dest"
mkdir -p "$dest"
for f in "$work"/tcpdump-*/tests/*.pcap; do
	# Classic pcap files whose link type (bytes 20..23) is 1, Ethernet.
	case $(od -An -tx1 -j20 -N4 "$f" | tr -d ' ') in
	01000000|00000001) cp "$f" "$dest/" ;;
	esac
done
touch "$dest/.fetched"
