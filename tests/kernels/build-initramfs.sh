#!/bin/bash
# Builds the guest's initramfs: busybox, the system's tcpdump with its
# shared libraries (the built libpcap in place of Debian's), the built
# capture broker and tap_counts, the tap tests, and the kernel modules the
# tests need, from the kernel's own package.
#   build-initramfs.sh KERNEL_ROOT KERNEL_VERSION TOP OUT.cpio.gz
# For a guest of another architecture, GUEST_ARCH (Debian's name, e.g.
# arm64), GUEST_TRIPLE (aarch64-linux-gnu) and GUEST_BUILD (the
# cross-built build directory, tests/kernels/cross-build.sh) in the
# environment: the programs and libraries are then Debian's packages for
# that architecture (tests/kernels/guest-userland.sh).
set -euo pipefail
. "$(dirname "$0")/tree-path.sh"
kroot=$1 kver=$2 top=$3 out=$4
modules=${GUEST_MODULES:-veth sch_ingress cls_bpf ipip}
tests=${GUEST_TESTS:-taps}
arch=${GUEST_ARCH:-$(dpkg --print-architecture)}
triple=${GUEST_TRIPLE:-$(dpkg-architecture -qDEB_HOST_MULTIARCH)}
build=${GUEST_BUILD:-$top/build}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
r=$work/root
mkdir -p $r/bin $r/sbin $r/etc $r/proc $r/sys $r/dev $r/tmp $r/run/netns $r/tests \
    $r/usr/bin $r/usr/sbin $r/lib/modules

# Copies a file to the same path in the image, following symlinks.
copy_same_path() {
	mkdir -p "$r$(dirname "$1")"
	cp -L "$1" "$r$1"
}

# tcpdump, iproute2's ip (namespaces, veth) and tc (to check that no filter
# is left behind), iw (Wi-Fi radios), util-linux's setpriv (a client
# without capabilities), the built capture broker and tap_counts (a client
# of it, linked with the built library), with their shared libraries.
broker=$build/bin/pcap-bpftrace-broker
tap_counts=$build/testprogs/tap_counts
nflog_rows=$build/testprogs/nflog_rows
tcp_stream=$build/testprogs/tcp_stream
mkdir -p $r/usr/lib/$triple
if [ "$arch" = "$(dpkg --print-architecture)" ]; then
	cp /bin/busybox $r/bin/busybox
	for prog in /usr/bin/tcpdump /usr/sbin/ip /usr/sbin/tc /usr/sbin/iw /usr/bin/setpriv \
	    /usr/sbin/ethtool $broker $tap_counts $nflog_rows $tcp_stream; do
		[ -x $prog ] || continue
		case $prog in
		$broker)	cp $prog $r/usr/sbin/pcap-bpftrace-broker ;;
		$tap_counts)	cp $prog $r/usr/bin/tap_counts ;;
		$nflog_rows)	cp $prog $r/usr/bin/nflog_rows ;;
		$tcp_stream)	cp $prog $r/usr/bin/tcp_stream ;;
		*)		copy_same_path $prog ;;
		esac
		LD_LIBRARY_PATH=$build/lib ldd $prog
	done | sed -n 's/.*=> \(\/[^ ]*\) .*/\1/p; s/^[[:space:]]*\(\/[^ ]*\) .*/\1/p' |
	    sort -u | while read -r lib; do
		case $lib in
		$build/lib/*)	;;	# the built library, below
		/*)	copy_same_path "$lib" ;;
		esac
	done
else
	# Debian's packages for the guest's architecture, unpacked in a
	# tree of their own; the dynamic loader, and the libraries the
	# programs need, at their paths in that tree.
	groot=${KERNEL_CACHE:-/var/cache/pcap-bpftrace/kernels}/userland-$arch
	libs=$("$top/tests/kernels/guest-userland.sh" "$arch" "$triple" "$groot" \
	    /usr/bin/tcpdump /sbin/ip /sbin/tc /sbin/iw /usr/bin/setpriv \
	    /sbin/ethtool -- \
	    "$build/lib/libpcap.so.0.8" "$broker" "$tap_counts" "$nflog_rows" \
	    "$tcp_stream")
	# copy_from_tree PATH [TO]: the tree's file at PATH, to TO (PATH).
	copy_from_tree() {
		mkdir -p "$r$(dirname "${2:-$1}")"
		cp "$(tree_path "$groot" "$1")" "$r${2:-$1}"
	}
	copy_from_tree /bin/busybox
	copy_from_tree /usr/bin/tcpdump
	copy_from_tree /usr/bin/setpriv
	copy_from_tree /sbin/ip /usr/sbin/ip
	copy_from_tree /sbin/tc /usr/sbin/tc
	copy_from_tree /sbin/iw /usr/sbin/iw
	copy_from_tree /sbin/ethtool /usr/sbin/ethtool
	cp "$broker" $r/usr/sbin/pcap-bpftrace-broker
	cp "$tap_counts" $r/usr/bin/tap_counts
	cp "$nflog_rows" $r/usr/bin/nflog_rows
	cp "$tcp_stream" $r/usr/bin/tcp_stream
	interp=$("$triple-readelf" -l "$(tree_path "$groot" /usr/bin/tcpdump)" |
	    sed -n 's/.*Requesting program interpreter: \(.*\)\]/\1/p')
	for lib in $libs $interp; do
		copy_from_tree "$lib"
	done
fi
# The built library, where Debian's would be.
cp -L "$build/lib/libpcap.so.0.8" $r/usr/lib/$triple/libpcap.so.0.8

# tcpdump drops to user tcpdump after activating.
cat > $r/etc/passwd <<'P'
root:x:0:0:root:/:/bin/sh
tcpdump:x:101:101:tcpdump:/nonexistent:/bin/false
P
cat > $r/etc/group <<'G'
root:x:0:
tcpdump:x:101:
G
cp "${GUEST_SCRIPT:-$top/tests/kernels/guest-taps.sh}" $r/tests/guest-taps.sh
# A user's object file for the bpf:object rows; a user's tc program for
# the tc_places row; a user's XDP and tc programs, to capture at with
# their verdicts.
cp "$top/build/testprogs/pcap_fentry.bpf.o" "$top/build/testprogs/tc_redirect_flow.bpf.o" \
    "$top/build/testprogs/xdp_drop_third.bpf.o" \
    "$top/build/testprogs/tc_shoot_echo.bpf.o" $r/tests/

# Kernel modules with their dependencies, uncompressed (busybox's modprobe
# reads plain .ko files), indexed by depmod for this image.
mkdir -p $r/lib/modules/$kver
for m in $modules; do
	modprobe -S "$kver" -d "$kroot" --show-depends "$m" 2>/dev/null |
	    sed -n 's/^insmod \([^ ]*\).*/\1/p' || true
done | sort -u | while read -r ko; do
	rel=${ko#$kroot}
	rel=${rel#/usr}
	mkdir -p "$r$(dirname "$rel")"
	case $ko in
	*.xz)	xz -dc "$ko" > "$r${rel%.xz}" ;;
	*.zst)	zstd -qdc "$ko" > "$r${rel%.zst}" ;;
	*)	cp "$ko" "$r$rel" ;;
	esac
done
depmod -b $r "$kver" 2>/dev/null || true

cat > $r/init <<INIT
#!/bin/busybox sh
/bin/busybox --install -s
export PATH=/usr/sbin:/usr/bin:/sbin:/bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mount -t tmpfs tmpfs /tmp
chmod 1777 /tmp
mount -t tmpfs tmpfs /run
mkdir -p /run/netns /var
ln -s /run /var/run
mount -t bpf bpf /sys/fs/bpf
mount -t tracefs tracefs /sys/kernel/tracing
ip link set lo up
for m in $modules; do modprobe \$m 2>/dev/null || echo "GUEST-NOTE no module \$m"; done
echo "GUEST-KERNEL \$(uname -r)"
GUEST_TESTS="$tests" GUEST_ROWS="${GUEST_ROWS:-}" WAIT_TENTHS=600 sh /tests/guest-taps.sh
poweroff -f
INIT
chmod +x $r/init
(cd $r && find . | cpio -o -H newc --quiet | gzip -1) > "$out"
