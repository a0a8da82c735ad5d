# The module compiles against libpcap master's internal names through
# pcap-bpftrace-compat.h.  Needs a configured master tree in
# LIBPCAP_MASTER; CI machines have none, so there it is skipped.
. "$(dirname "$0")/lib.sh"
[ -n "${LIBPCAP_MASTER:-}" ] && [ -f "$LIBPCAP_MASTER/config.h" ] ||
    skip "no configured libpcap master tree (set LIBPCAP_MASTER=DIR)"
make -s -C "$TOP" check-master LIBPCAP_MASTER="$LIBPCAP_MASTER" || fail "does not compile against master"
exit 0
