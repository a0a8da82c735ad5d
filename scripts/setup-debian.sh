#!/bin/sh
# Installs everything the build, the demo and the tests need on a fresh
# Debian 12 machine (run as root).  Quick when all is there already.
set -eu
export DEBIAN_FRONTEND=noninteractive

packages="autoconf make gcc libc6-dev linux-libc-dev binutils clang llvm pkg-config
	dpkg-dev patch
	libbpf-dev libelf-dev zlib1g-dev bpftool
	bison flex libdbus-1-dev libbluetooth-dev
	libpcap0.8 tcpdump tshark
	wireshark-qt xvfb xdotool x11-apps imagemagick openssh-server libcap2-bin
	systemd
	iptables iproute2 iputils-ping procps util-linux python3 bc valgrind
	busybox-static kmod cpio xz-utils zstd iw ethtool
	libclang-rt-dev xdp-tools
	gcc-aarch64-linux-gnu libc6-dev-arm64-cross
	libbpf-dev:arm64 libelf-dev:arm64 zlib1g-dev:arm64"
# xdp-tools: xdpdump, the peer row of make bench (bench/capture-rounds.sh).
# libclang-rt-dev: clang's runtimes (libFuzzer, ASan, UBSan) for the fuzz
# targets (make fuzz, tests/t-fuzz.sh); clang only recommends it.
# busybox .. ethtool, and qemu below: the kernel matrix (make check-kernels)
# boots Debian's own kernels, from bullseye, bookworm and
# bookworm-backports, with a busybox initramfs.
# gcc-aarch64-linux-gnu .. zlib1g-dev:arm64: the library cross-built for
# the matrix's arm64 guest (tests/kernels/cross-build.sh), whose
# initramfs holds Debian's arm64 tcpdump (downloaded, not installed).
# bison .. libbluetooth-dev: libpcap0.8's own build dependencies, so that
# the drop-in library is configured as Debian's (dbus and bluetooth).
# wireshark-qt .. libcap2-bin: Wireshark's GUI under Xvfb (xdotool; xwd
# and convert for its screenshot; setcap for a copy of dumpcap as Debian's
# wireshark group has it) and sshdump to an sshd in a namespace
# (tests/t-wireshark-gui-broker.sh, tests/t-sshdump-remote-bpf.sh).
# systemd: systemd-socket-activate and systemd-analyze for the broker's
# socket activation and units (tests/t-broker-socket-activation.sh).

# deb-src entries: the libpcap source tree is a build input fetched with
# 'apt-get source'.
src_list=/etc/apt/sources.list.d/pcap-bpftrace-src.sources
need_update=no
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
	need_update=yes
fi
apt-cache showsrc libpcap0.8 2>/dev/null | grep -q '^Package:' || need_update=yes

# bookworm-backports: only for the 6.12 kernel package of the matrix (its
# priority keeps it from replacing anything installed).
bpo_list=/etc/apt/sources.list.d/pcap-bpftrace-backports.sources
if [ ! -f "$bpo_list" ]; then
	cat > "$bpo_list" <<'BPO'
Types: deb
URIs: http://deb.debian.org/debian
Suites: bookworm-backports
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
BPO
	need_update=yes
fi

# arm64 as a foreign architecture: the cross build's libraries, the arm64
# guest's kernel and programs.
if ! dpkg --print-foreign-architectures | grep -qx arm64; then
	dpkg --add-architecture arm64
	need_update=yes
fi

# bullseye: only for the matrix's 5.10 kernel package (apt-get download);
# pinned so that nothing of it is ever installed.
old_list=/etc/apt/sources.list.d/pcap-bpftrace-bullseye.sources
if [ ! -f "$old_list" ]; then
	cat > "$old_list" <<'OLD'
Types: deb
URIs: http://deb.debian.org/debian
Suites: bullseye
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
OLD
	cat > /etc/apt/preferences.d/pcap-bpftrace-bullseye <<'PIN'
Package: *
Pin: release n=bullseye
Pin-Priority: 1
PIN
	need_update=yes
fi

missing=""
for p in $packages; do
	dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q "ok installed" ||
	    missing="$missing $p"
done
if [ -n "$missing" ] || [ $need_update = yes ]; then
	# bullseye leaves the mirrors for the archive one day; then the
	# matrix reports its 5.10 kernel as not available, and nothing else
	# depends on it.
	apt-get update -q || {
		echo "setup-debian: apt-get update failed; again without bullseye" >&2
		rm -f "$old_list" /etc/apt/preferences.d/pcap-bpftrace-bullseye
		apt-get update -q
	}
fi
if [ -n "$missing" ]; then
	# tshark asks whether non-root users may capture; keep the default.
	echo "wireshark-common wireshark-common/install-setuid boolean false" |
	    debconf-set-selections
	apt-get install -y -q --no-install-recommends $missing
fi

# qemu from bookworm-backports (10.x): bookworm's 7.2 crashes the 6.12
# guest kernel under TCG in about half the boots (a double fault in the
# slab allocator during boot, with any CPU model), before any test runs.
case $(dpkg-query -W -f='${Version}' qemu-system-x86 2>/dev/null) in
1:[1-9][0-9].*) ;;
*)	apt-get install -y -q --no-install-recommends -t bookworm-backports \
	    qemu-system-x86 ;;
esac
# The arm64 guest, from the same qemu.
case $(dpkg-query -W -f='${Version}' qemu-system-arm 2>/dev/null) in
1:[1-9][0-9].*) ;;
*)	apt-get install -y -q --no-install-recommends -t bookworm-backports \
	    qemu-system-arm ;;
esac
