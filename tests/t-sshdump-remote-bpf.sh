#!/bin/bash
# Remote capture at a bpf: tap with Wireshark's sshdump extcap (Debian's
# wireshark-common), as Wireshark runs it, from a "remote host" stood up in
# network namespaces (issue 13):
#
#   local ($NS_A, 198.18.0.1) --ssh--> remote ($NS_B, 198.18.0.2; sshd)
#   remote's lan0 (198.19.0.1) --- neighbour ($NS_C, lan_c, 198.19.0.2)
#
# The remote host runs sshd in the foreground (-D -f CONFIG) with a host
# key and an authorized key made here, and has the library installed as
# 'make install' installs it: in the sshd's own mount namespace the built
# library is mounted over the system's libpcap file (and a /run of the
# test's holds sshd's privilege separation directory); nothing of the
# system's is changed.  sshdump runs as user nobody in $NS_A and logs in as
# root (key only).
#
#  1. sshdump's own tcpdump command (--remote-interface bpf:tc:lan0,
#     --remote-filter icmp, --remote-count 8: sshdump runs
#     tcpdump -U -i 'bpf:tc:lan0' -w - -c 8 'icmp'), the remote host pings
#     its neighbour 4 times: the local file holds exactly the 4 echo
#     requests and 4 replies, in order, as Ethernet frames with lan0's and
#     the neighbour's MAC addresses, and sshdump ends by itself when the
#     remote tcpdump has its 8.
#  2. A command of one's own (--remote-capture-command), the tap's ingress
#     hook only: exactly the 4 replies.
. "$(dirname "$0")/lib.sh"
ensure_kernel_fs

SSHDUMP=
for d in /usr/lib/*/wireshark/extcap; do
	[ -x "$d/sshdump" ] && SSHDUMP=$d/sshdump
done
[ -n "$SSHDUMP" ] ||
    skip "sshdump is missing: install Debian's wireshark-common (scripts/setup-debian.sh does)"
[ -x /usr/sbin/sshd ] ||
    skip "/usr/sbin/sshd is missing: install Debian's openssh-server (scripts/setup-debian.sh does)"
command -v ssh-keygen >/dev/null ||
    skip "ssh-keygen is missing: install Debian's openssh-client (scripts/setup-debian.sh does)"
command -v tshark >/dev/null ||
    skip "tshark is missing: install Debian's tshark (scripts/setup-debian.sh does)"
[ -x /usr/bin/tcpdump ] ||
    skip "tcpdump is missing: install Debian's tcpdump (scripts/setup-debian.sh does)"

SYSTEM_LIBPCAP=$(readlink -f "$(ldd /usr/bin/tcpdump | awk '/libpcap\.so/ { print $3 }')")
[ -f "$SYSTEM_LIBPCAP" ] || fail "cannot find the libpcap /usr/bin/tcpdump loads"

make_veth_pair
NS_C=${NS_PREFIX}c
add_namespace "$NS_C"
# The remote host's LAN.
link_namespaces "$NS_B" lan0 198.19.0.1/24 "$NS_C" lan_c 198.19.0.2/24
MAC_LAN0=$(mac_of "$NS_B" lan0)
MAC_LAN_C=$(mac_of "$NS_C" lan_c)
# Anything left running on the remote host or its neighbour (a session's
# tcpdump when the test fails) goes before the namespaces.
on_exit "kill \$(ip netns pids $NS_B; ip netns pids $NS_C) 2>/dev/null"

# --- the remote host --------------------------------------------------------
SSH=$TMP/ssh
mkdir -p "$SSH" "$TMP/remote-run/sshd" "$TMP/remote-lib"
chmod 0755 "$SSH" "$TMP/remote-run" "$TMP/remote-run/sshd" "$TMP/remote-lib"
cp -L "$LIBDIR/libpcap.so.0.8" "$TMP/remote-lib/"
chmod 0644 "$TMP/remote-lib/libpcap.so.0.8"
ssh-keygen -q -t ed25519 -N '' -C remote-host -f "$SSH/host_key" ||
    fail "ssh-keygen (host key)"
ssh-keygen -q -t ed25519 -N '' -C capture-user -f "$SSH/user_key" ||
    fail "ssh-keygen (user key)"
cp "$SSH/user_key.pub" "$SSH/authorized_keys"
chown 65534:65534 "$SSH/user_key"
# StrictModes no: the keys lie under the test's directory, which is
# world-writable (tcpdump writes there after dropping privileges).
cat > "$SSH/sshd_config" <<EOF
ListenAddress 198.18.0.2:22
HostKey $SSH/host_key
AuthorizedKeysFile $SSH/authorized_keys
PermitRootLogin prohibit-password
PubkeyAuthentication yes
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
StrictModes no
PidFile none
PrintMotd no
LogLevel VERBOSE
EOF
ip netns exec "$NS_B" unshare --mount --propagation private sh -c '
	mount --bind "$1" /run && mount --bind "$2" "$3" && shift 3 && exec "$@"' sh \
    "$TMP/remote-run" "$TMP/remote-lib/libpcap.so.0.8" "$SYSTEM_LIBPCAP" \
    /usr/sbin/sshd -D -e -f "$SSH/sshd_config" > "$TMP/sshd.log" 2>&1 &
SSHD_PID=$!
on_exit "kill $SSHD_PID 2>/dev/null"
i=0
until [ -n "$(ip netns exec "$NS_B" ss -Hltn 'sport = :22')" ]; do
	kill -0 $SSHD_PID 2>/dev/null && [ $i -lt 100 ] ||
	    fail "sshd did not start: $(cat "$TMP/sshd.log")"
	sleep 0.1
	i=$((i + 1))
done
echo "remote host: sshd on 198.18.0.2:22 in $NS_B"

# The local user's side: the key, and the remote host's key as known.
HOME_L=$TMP/home-local
mkdir -p "$HOME_L/.ssh"
echo "198.18.0.2 $(cut -d' ' -f1,2 "$SSH/host_key.pub")" > "$HOME_L/.ssh/known_hosts"
chown -R 65534:65534 "$HOME_L"
chmod 0700 "$HOME_L" "$HOME_L/.ssh"

# --- captures ---------------------------------------------------------------
# capture NAME SSHDUMP-OPTIONS...: runs sshdump into $TMP/NAME.pcap in the
# background (pid in SSHDUMP_PID) and waits for the remote tcpdump's file
# header to arrive (written once the capture is open and filtered).
capture() {
	local name=$1 i=0
	shift
	ip netns exec "$NS_A" setpriv --reuid=65534 --regid=65534 --clear-groups \
	    env -i PATH=/usr/bin:/bin HOME="$HOME_L" \
	    "$SSHDUMP" --extcap-interface sshdump --capture --fifo "$TMP/$name.pcap" \
	    --remote-host 198.18.0.2 --remote-port 22 --remote-username root \
	    --sshkey "$SSH/user_key" --log-level debug "$@" \
	    > "$TMP/$name.log" 2>&1 &
	SSHDUMP_PID=$!
	on_exit "kill $SSHDUMP_PID 2>/dev/null"
	while [ "$(stat -c %s "$TMP/$name.pcap" 2>/dev/null || echo 0)" -lt 24 ]; do
		if ! kill -0 $SSHDUMP_PID 2>/dev/null || [ $i -ge 300 ]; then
			echo "--- sshdump:"; cat "$TMP/$name.log"
			echo "--- sshd:"; cat "$TMP/sshd.log"
			fail "$name: no capture file header from the remote tcpdump within 30 s"
		fi
		sleep 0.1
		i=$((i + 1))
	done
	grep -o 'Running:.*' "$TMP/$name.log" | sed "s/^/$name: sshdump /"
}

# Waits (at most 30 s) for sshdump to end by itself, and checks its status.
wait_sshdump() {
	local name=$1 i=0 rc
	while kill -0 $SSHDUMP_PID 2>/dev/null && [ $i -lt 300 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	if kill -0 $SSHDUMP_PID 2>/dev/null; then
		echo "--- sshdump:"; cat "$TMP/$name.log"
		fail "$name: sshdump still running 30 s after the traffic (the remote tcpdump did not get its packets)"
	fi
	wait $SSHDUMP_PID
	rc=$?
	grep -E '^tcpdump: |packets (captured|received|dropped)' "$TMP/$name.log" | sed "s/^/$name: remote /"
	[ $rc -eq 0 ] || { cat "$TMP/$name.log"; fail "$name: sshdump exited with $rc"; }
}

ping_neighbour() {
	ip netns exec "$NS_B" ping -c 4 -i 0.2 -W 2 198.19.0.2 > "$TMP/ping.out" 2>&1
	grep -q "4 received" "$TMP/ping.out" ||
	    fail "the remote host's ping: $(cat "$TMP/ping.out")"
}

fields="-T fields -E separator=| -e icmp.type -e icmp.seq -e ip.src -e ip.dst -e eth.src -e eth.dst"

# same_packets NAME WHAT: NAME's local file holds exactly NAME.want.
same_packets() {
	tshark -r "$TMP/$1.pcap" $fields > "$TMP/$1.txt" 2>/dev/null
	cat "$TMP/$1.txt"
	cmp -s "$TMP/$1.txt" "$TMP/$1.want" || {
		diff "$TMP/$1.want" "$TMP/$1.txt"
		fail "$1: expected exactly $2"
	}
	echo "$1: $(wc -l < "$TMP/$1.txt") packets, as expected"
}

# 1. sshdump's own tcpdump command line.
capture options --remote-interface bpf:tc:lan0 \
    --remote-capture-command-select tcpdump --remote-filter icmp --remote-count 8
ping_neighbour
wait_sshdump options
[ "$(capinfos -E "$TMP/options.pcap" | sed -n 's/^File encapsulation: *//p')" = "Ethernet" ] ||
    fail "options: the file is not Ethernet: $(capinfos -E "$TMP/options.pcap" 2>&1)"
: > "$TMP/options.want"
for seq in 1 2 3 4; do
	echo "8|$seq|198.19.0.1|198.19.0.2|$MAC_LAN0|$MAC_LAN_C" >> "$TMP/options.want"
	echo "0|$seq|198.19.0.2|198.19.0.1|$MAC_LAN_C|$MAC_LAN0" >> "$TMP/options.want"
done
same_packets options "the 4 echo requests and their replies, in order"

# 2. A command of one's own: the ingress hook only.
capture command \
    --remote-capture-command "tcpdump -i bpf:tc:lan0:ingress -U -w - -c 4 icmp"
ping_neighbour
wait_sshdump command
: > "$TMP/command.want"
for seq in 1 2 3 4; do
	echo "0|$seq|198.19.0.2|198.19.0.1|$MAC_LAN_C|$MAC_LAN0" >> "$TMP/command.want"
done
same_packets command "the 4 echo replies"

grep -c "Accepted publickey for root" "$TMP/sshd.log" | sed 's/^/remote host: logins: /'
exit 0
