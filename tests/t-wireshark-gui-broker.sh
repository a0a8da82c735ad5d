#!/bin/bash
# The real Wireshark GUI (Debian's wireshark-qt) under Xvfb captures at
# bpf:tracepoint:skb:kfree_skb with -y NFLOG through the capture broker,
# with Debian's own dumpcap, as people run it (issue 13):
#
#  (a) a member of a group the broker admits.  On Debian the "wireshark"
#      group's dumpcap is root:wireshark 0754 with the file capabilities
#      cap_net_raw,cap_net_admin=eip, and 'make install' puts the library
#      in place of the package's libpcap.so.0.8; the broker listens at its
#      default socket.  That is what is mirrored here, for the Wireshark
#      process only, in a private mount namespace: a copy of
#      /usr/bin/dumpcap with exactly those file capabilities, owned by the
#      test's group, mounted over /usr/bin/dumpcap (the system's file is not
#      touched); the built library mounted over the system's libpcap file;
#      the test's broker directory at /run/pcap-bpftrace.  dumpcap is then
#      an AT_SECURE process: it ignores LD_LIBRARY_PATH and (secure_getenv)
#      PCAP_BPF_BROKER, so neither is set - the library and the default
#      socket are found where an installed system has them.  The group is
#      user nobody's supplementary group, made up by the test and known by
#      name only to the broker (a copy of /etc/group mounted in the
#      broker's own mount namespace; /etc/group itself is not touched).
#  (b) root.  Its dumpcap keeps only CAP_NET_RAW and CAP_NET_ADMIN when
#      started by root, so it goes through the broker too.  Here the
#      system's dumpcap, unchanged and without file capabilities, finds the
#      library through LD_LIBRARY_PATH and the broker through
#      PCAP_BPF_BROKER: the variables reach it through Wireshark.
#
# Each time: Wireshark runs in the drops' network namespace with
# -k -a duration:60 -w FILE; once the capture is running (the broker has
# logged the grant to the dumpcap that writes FILE, whose capabilities are
# checked), one TCP SYN with a sequence number of the test's is sent to a
# port an iptables rule drops; when it is in FILE the capture is stopped
# from the GUI (Ctrl+E; the autostop is the fallback), and tshark finds it
# in the saved file exactly once, with the NFLOG prefix
# 'skb:kfree_skb NETFILTER_DROP' and the in-device's index.  A screenshot
# of each window goes to build/artifacts/.
. "$(dirname "$0")/lib.sh"
ensure_kernel_fs

need() {
	command -v "$1" >/dev/null ||
	    skip "$1 is missing: install Debian's $2 (scripts/setup-debian.sh does)"
}
need wireshark wireshark-qt
need Xvfb xvfb
need xdotool xdotool
need xwd x11-apps
need setcap libcap2-bin
need tshark tshark
need python3 python3
need iptables iptables
[ -x /usr/bin/convert ] ||
    skip "/usr/bin/convert is missing: install Debian's imagemagick (scripts/setup-debian.sh does)"
[ -x "$BUILD/bin/pcap-bpftrace-broker" ] || fail "build/bin/pcap-bpftrace-broker is not built"

ARTIFACTS=$BUILD/artifacts
mkdir -p "$ARTIFACTS"
SHOT_PREFIX=$ARTIFACTS/t-wireshark-gui-broker
rm -f "$SHOT_PREFIX"-*.png

# Everything user nobody reads or runs: a copy anyone can read (the work
# tree may not be), as as_nobody makes.
SHARED=$TMP/shared
mkdir -p "$SHARED"
cp -L "$LIBDIR/libpcap.so.0.8" "$SHARED/"
chmod -R a+rX "$SHARED"
SYSTEM_LIBPCAP=$(readlink -f "$(ldd /usr/bin/dumpcap | awk '/libpcap\.so/ { print $3 }')")
[ -f "$SYSTEM_LIBPCAP" ] || fail "cannot find the libpcap /usr/bin/dumpcap loads"

make_veth_pair
# Wireshark and its dumpcaps run in $NS_B: anything of theirs left goes
# before the namespaces.
on_exit "kill \$(ip netns pids $NS_B) 2>/dev/null"

# --- the group and the broker ---------------------------------------------
GROUP=pbtcap$$
GID=$((200000 + $$ % 100000))
while getent group "$GID" >/dev/null; do GID=$((GID + 1)); done
cp /etc/group "$TMP/group"
echo "$GROUP:x:$GID:" >> "$TMP/group"
chmod 0644 "$TMP/group"
printf 'groups = %s\nfamilies = tracepoint raw_tracepoint kprobe fentry fexit tc\n' \
    "$GROUP" > "$TMP/broker.conf"
mkdir -p "$TMP/run/pcap-bpftrace"
chmod 0755 "$TMP/run" "$TMP/run/pcap-bpftrace"
SOCK=$TMP/run/pcap-bpftrace/broker.sock
# In the host's network namespace, as the system's broker would be.
unshare --mount --propagation private sh -c \
    'mount --bind "$1" /etc/group && shift && exec "$@"' sh "$TMP/group" \
    "$BUILD/bin/pcap-bpftrace-broker" --foreground --socket "$SOCK" \
    --config "$TMP/broker.conf" > "$TMP/broker.log" 2>&1 &
BROKER_PID=$!
on_exit "kill $BROKER_PID 2>/dev/null"
wait_until $BROKER_PID test -S "$SOCK" ||
    fail "the broker did not start: $(cat "$TMP/broker.log")"

# Debian's dumpcap as the wireshark group has it (case a).
cp /usr/bin/dumpcap "$TMP/dumpcap"
chown "root:$GID" "$TMP/dumpcap"
chmod 0754 "$TMP/dumpcap"
setcap cap_net_raw,cap_net_admin=eip "$TMP/dumpcap" ||
    fail "setcap on a copy of dumpcap in $TMP"

# --- the display ------------------------------------------------------------
Xvfb -displayfd 3 -screen 0 1280x800x24 -nolisten tcp 3> "$TMP/display" \
    > "$TMP/xvfb.log" 2>&1 &
XVFB_PID=$!
on_exit "kill $XVFB_PID 2>/dev/null"
wait_until $XVFB_PID test -s "$TMP/display" ||
    fail "Xvfb did not start: $(cat "$TMP/xvfb.log")"
export DISPLAY=:$(cat "$TMP/display")
echo "Xvfb on $DISPLAY"

# The screen as a PNG, once two looks 0.2 s apart agree (the GUI has
# repainted; at most 5 s).
screenshot() {
	local i=0 a b=""
	while [ $i -lt 25 ]; do
		xwd -root -silent -display "$DISPLAY" > "$TMP/screen.xwd" || return 1
		a=$(md5sum < "$TMP/screen.xwd")
		[ "$a" = "$b" ] && break
		b=$a
		sleep 0.2
		i=$((i + 1))
	done
	/usr/bin/convert "xwd:$TMP/screen.xwd" "$1" && echo "screenshot: $1"
}

# --- the drop ---------------------------------------------------------------
PORT=$((20000 + $$ % 20000))
ip netns exec "$NS_B" iptables -A INPUT -p tcp --dport $PORT -j DROP ||
    fail "iptables in $NS_B"
on_exit "ip netns exec $NS_B iptables -D INPUT -p tcp --dport $PORT -j DROP 2>/dev/null"

# One SYN, no retransmission (a raw socket): its sequence number marks it
# among whatever else the kernel drops meanwhile (the tap is system-wide).
cat > "$TMP/syn.py" <<'EOF'
import socket, struct, sys
src, dst = sys.argv[1], sys.argv[2]
sport, dport, seq = int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
def csum(b):
    s = sum(struct.unpack('!%dH' % (len(b) // 2), b))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff
tcp = struct.pack('!HHIIBBHHH', sport, dport, seq, 0, 5 << 4, 0x02, 64240, 0, 0)
pseudo = socket.inet_aton(src) + socket.inet_aton(dst) + \
    struct.pack('!BBH', 0, socket.IPPROTO_TCP, len(tcp))
tcp = tcp[:16] + struct.pack('!H', csum(pseudo + tcp)) + tcp[18:]
s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_TCP)
s.sendto(tcp, (dst, 0))
EOF

# Waits (at most SECONDS) until FILE, as it grows, holds the SYN's ports
# and sequence number: reads only what was added since the last look
# (other drops may make the file large).
cat > "$TMP/follow.py" <<'EOF'
import struct, sys, time
path, sport, dport, seq, seconds = sys.argv[1], int(sys.argv[2]), \
    int(sys.argv[3]), int(sys.argv[4]), float(sys.argv[5])
needle = struct.pack('!HHI', sport, dport, seq)
end = time.monotonic() + seconds
with open(path, 'rb') as f:
    tail = b''
    while time.monotonic() < end:
        chunk = f.read(1 << 20)
        if not chunk:
            time.sleep(0.1)
            continue
        if needle in tail + chunk:
            sys.exit(0)
        tail = chunk[-(len(needle) - 1):]
sys.exit(1)
EOF

# --- one Wireshark run --------------------------------------------------------
# The dumpcap (named dumpcap) whose command line writes FILE.
capture_dumpcap() {
	local p
	for p in $(pgrep -x dumpcap); do
		tr '\0' ' ' 2>/dev/null < "/proc/$p/cmdline" | grep -qF -- " $1 " &&
		    { echo "$p"; return 0; }
	done
	return 1
}

# The visible top-level window of Wireshark (the largest).
wireshark_window() {
	local w best="" area=0 geo a
	for w in $(xdotool search --onlyvisible --class wireshark 2>/dev/null); do
		geo=$(xdotool getwindowgeometry "$w" 2>/dev/null | sed -n 's/.*Geometry: //p')
		a=$(( ${geo%x*} * ${geo#*x} )) 2>/dev/null || continue
		[ "$a" -gt "$area" ] && { best=$w; area=$a; }
	done
	[ -n "$best" ] && echo "$best"
}

FAILED=""
bad() {
	echo "FAIL ($CASE): $*"
	FAILED="$FAILED $CASE"
}

# Ends Wireshark (and the dumpcaps it started), at most 10 s.
end_wireshark() {
	local i=0
	pkill -P "$1" 2>/dev/null
	kill "$1" 2>/dev/null
	while kill -0 "$1" 2>/dev/null && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
	kill -0 "$1" 2>/dev/null && kill -9 "$1"
	wait "$1" 2>/dev/null
	return 0
}

# run_case NAME WANT_UID COMMAND...: COMMAND starts Wireshark (exec all the
# way, so that $! is Wireshark).  A failure is reported, and the next case
# still runs.
run_case() {
	local name=$1 want_uid=$2 file=$TMP/$1.pcapng log=$TMP/$1.wireshark.log
	local ws dpid i seq found win status title how fields want
	shift 2
	CASE=$name
	seq=$(( (RANDOM << 15 | RANDOM) + 1 ))
	echo "=== $name: $*"
	"$@" wireshark -i bpf:tracepoint:skb:kfree_skb -y NFLOG -k \
	    -a duration:60 -a filesize:1000000 -w "$file" -Y "tcp.seq_raw == $seq" \
	    > "$log" 2>&1 &
	ws=$!
	on_exit "end_wireshark $ws"

	# The capture runs once the broker has handed the dumpcap writing
	# FILE its grant (GUI start-up, the interface list and the probes of
	# every listed device come first: up to 120 s).
	dpid=""
	i=0
	while [ $i -lt 1200 ]; do
		if ! kill -0 $ws 2>/dev/null; then
			cat "$log"
			bad "Wireshark ended before capturing"
			return 1
		fi
		if grep -q "Error message from child" "$log" 2>/dev/null; then
			screenshot "$SHOT_PREFIX-$name-failed.png"
			echo "--- the dumpcaps Wireshark ran (seen every 0.1 s):"
			sort -un "$TMP/$name.dumpcaps"
			echo "--- broker log (last 10 lines):"; tail -10 "$TMP/broker.log"
			echo "--- Wireshark:"; cat "$log"
			bad "the capture did not start: $(grep -o 'Error message from child.*' "$log" | head -1)"
			end_wireshark $ws
			return 1
		fi
		ps -o pid=,args= --ppid $ws | grep dumpcap >> "$TMP/$name.dumpcaps"
		[ -n "$dpid" ] || dpid=$(capture_dumpcap "$file")
		[ -n "$dpid" ] && [ -s "$file" ] &&
		    grep -q "pid $dpid (dumpcap): capturing at bpf:tracepoint:skb:kfree_skb with" "$TMP/broker.log" &&
		    break
		sleep 0.1
		i=$((i + 1))
	done
	if [ $i -ge 1200 ]; then
		screenshot "$SHOT_PREFIX-$name-failed.png"
		tail -10 "$TMP/broker.log"; cat "$log"
		bad "no capture through the broker within 120 s (dumpcap: ${dpid:-none})"
		end_wireshark $ws
		return 1
	fi
	grep "pid $dpid (dumpcap): capturing at" "$TMP/broker.log"
	# Through the broker, not in process: dumpcap lacked CAP_BPF and
	# CAP_PERFMON (it drops all capabilities once the device is open).
	status=$(grep '^Uid:' "/proc/$dpid/status")
	echo "dumpcap $dpid: $status"
	if ! echo "$status" | grep -q "^Uid:	$want_uid	"; then
		bad "dumpcap runs as $status, not uid $want_uid"
		end_wireshark $ws
		return 1
	fi

	ip netns exec "$NS_A" python3 "$TMP/syn.py" 198.18.0.1 198.18.0.2 40000 $PORT $seq ||
	    fail "sending the SYN"
	if ! python3 "$TMP/follow.py" "$file" 40000 $PORT $seq 20; then
		screenshot "$SHOT_PREFIX-$name-failed.png"
		bad "the dropped SYN did not reach $file within 20 s"
		end_wireshark $ws
		return 1
	fi

	# Stop from the GUI, as a user would (Capture > Stop, Ctrl+E).
	win=$(wireshark_window)
	[ -n "$win" ] || fail "no Wireshark window"
	xdotool windowmove "$win" 0 0 windowsize "$win" 1280 800
	xdotool windowfocus "$win"
	xdotool key ctrl+e
	how="Ctrl+E"
	i=0
	while kill -0 "$dpid" 2>/dev/null && [ $i -lt 700 ]; do
		[ $i -eq 100 ] && how="the 60 s autostop (Ctrl+E did not stop it)"
		sleep 0.1
		i=$((i + 1))
	done
	if kill -0 "$dpid" 2>/dev/null; then
		bad "dumpcap $dpid still capturing after 70 s"
		end_wireshark $ws
		return 1
	fi
	echo "capture stopped by $how"
	# The window shows the file once the capture has stopped.
	i=0
	while [ $i -lt 150 ]; do
		title=$(xdotool getwindowname "$win" 2>/dev/null)
		case $title in
		"Capturing from"*|"") ;;
		*)	break ;;
		esac
		sleep 0.1
		i=$((i + 1))
	done
	echo "window title: $title"
	# The packet selected, the columns as wide as their text (View >
	# Resize Columns), for the picture.
	xdotool windowfocus "$win"
	xdotool key ctrl+Home ctrl+shift+r
	screenshot "$SHOT_PREFIX-$name.png" || bad "no screenshot"
	end_wireshark $ws

	# The saved file, read with tshark.
	if [ "$(capinfos -E "$file" 2>/dev/null | sed -n 's/^File encapsulation: *//p')" != "NFLOG" ]; then
		bad "$file is not an NFLOG capture: $(capinfos -E "$file" 2>&1)"
		return 1
	fi
	fields=$(tshark -r "$file" -Y "tcp.seq_raw == $seq" -T fields -E separator='|' \
	    -e nflog.prefix -e nflog.ifindex_indev -e ip.src -e ip.dst -e tcp.dstport \
	    -e tcp.flags.str 2>/dev/null)
	echo "$file: $fields"
	want="skb:kfree_skb NETFILTER_DROP|$IFINDEX_B|198.18.0.1|198.18.0.2|$PORT|··········S·"
	if [ "$fields" != "$want" ]; then
		bad "expected the one dropped SYN as '$want'"
		return 1
	fi
	echo "$name: $(capinfos -c -M "$file" 2>/dev/null | sed -n 's/^Number of packets: *//p') packets in all, the SYN once"
}

# A profile whose packet list shows the NFLOG prefix (for the picture).
wireshark_home() {
	mkdir -p "$1/.config/wireshark" "$1.xdg"
	cat > "$1/.config/wireshark/preferences" <<-'EOF'
	gui.column.format: "No.", "%m", "Time", "%t", "Source", "%s", "Destination", "%d", "Protocol", "%p", "NFLOG prefix", "%Cus:nflog.prefix:0:R", "Info", "%i"
	EOF
	chown -R "$2" "$1" "$1.xdg"
	chmod 0700 "$1.xdg"
}

# (a) user nobody in the admitted group, Debian's dumpcap with file
# capabilities, the library and the broker where an installed system has
# them.
wireshark_home "$TMP/home-member" 65534:65534
run_case member 65534 \
    ip netns exec "$NS_B" unshare --mount --propagation private sh -c '
	mount --bind "$1" /run && mount --bind "$2" "$3" &&
	mount --bind "$4" /usr/bin/dumpcap && shift 4 && exec "$@"' sh \
    "$TMP/run" "$SHARED/libpcap.so.0.8" "$SYSTEM_LIBPCAP" "$TMP/dumpcap" \
    setpriv --reuid=65534 --regid=65534 --groups="$GID" \
    env -i PATH=/usr/bin:/bin LANG=C.UTF-8 DISPLAY="$DISPLAY" \
    HOME="$TMP/home-member" XDG_RUNTIME_DIR="$TMP/home-member.xdg"

# (b) root, the system's dumpcap, the library and the broker from the
# environment.
wireshark_home "$TMP/home-root" 0:0
run_case root 0 \
    ip netns exec "$NS_B" env -i PATH=/usr/bin:/bin LANG=C.UTF-8 \
    DISPLAY="$DISPLAY" HOME="$TMP/home-root" XDG_RUNTIME_DIR="$TMP/home-root.xdg" \
    LD_LIBRARY_PATH="$SHARED" PCAP_BPF_BROKER="$SOCK"

echo "broker grants in all: $(grep -c "capturing at" "$TMP/broker.log")"
[ -z "$FAILED" ] || fail "failed:$FAILED"
exit 0
