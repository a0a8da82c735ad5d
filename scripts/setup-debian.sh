#!/bin/sh
# Installs everything the build, the demo and the tests need on a fresh
# Debian 12 machine (run as root).  Idempotent: a second run only checks.
set -eu

stamp=/var/lib/pcap-bpftrace-setup.done
want_version=3
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want_version" ]; then
	exit 0
fi

export DEBIAN_FRONTEND=noninteractive

# deb-src entries: the libpcap source tree is a build input fetched with
# 'apt-get source'.  Added once, next to the machine's own deb entries.
src_list=/etc/apt/sources.list.d/pcap-bpftrace-src.sources
if [ ! -f "$src_list" ]; then
	cat > "$src_list" <<'SRC'
Types: deb-src
URIs: http://deb.debian.org/debian
Suites: bookworm bookworm-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb-src
URIs: http://deb.debian.org/debian-security
Suites: bookworm-security
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SRC
fi

apt-get update -q
apt-get install -y -q --no-install-recommends \
	autoconf automake make gcc clang llvm pkg-config dpkg-dev \
	libbpf-dev libelf-dev zlib1g-dev bpftool \
	bison flex \
	libpcap0.8 tcpdump tshark iptables iproute2 procps util-linux iputils-ping \
	python3
# libpcap's own build dependencies, so the drop-in library is configured
# like Debian's (dbus, bluetooth, rdma and netlink support).
apt-get build-dep -y -q libpcap0.8 || apt-get build-dep -y -q libpcap

echo "$want_version" > "$stamp"
