#!/bin/sh
# Installs the programs that 'make check-programs' drives (tests/programs/):
# libpcap programs from Debian's archive and what their tests need.  Run
# as root after scripts/setup-debian.sh (which adds bookworm-backports).
# Quick when all is there already.
set -eu
export DEBIAN_FRONTEND=noninteractive

# From bookworm.  tmux shows the terminal programs' screens to the tests.
packages="ngrep tcpflow iftop p0f python3-scapy python3-pcapy sngrep tcpstat
	tshark tcpick dnstop darkstat softflowd pmacct tcptrack jnettop arpwatch
	httpry sipgrep tmux python3"
# suricata is not in bookworm itself; bookworm-backports has 7.0 (and the
# libhtp it needs).
backports="suricata libhtp2"

missing=""
for p in $packages $backports; do
	dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q "ok installed" ||
	    missing="$missing $p"
done
[ -z "$missing" ] && exit 0

apt-get update -q
# The daemons among them (suricata, darkstat, arpwatch, pmacct, softflowd)
# are tested, not run as services: nothing starts during the install.
policy=/usr/sbin/policy-rc.d
own_policy=no
if [ ! -e $policy ]; then
	printf '#!/bin/sh\nexit 101\n' > $policy
	chmod 0755 $policy
	own_policy=yes
fi
trap '[ $own_policy = no ] || rm -f $policy' EXIT
echo "wireshark-common wireshark-common/install-setuid boolean false" |
    debconf-set-selections
bpo=""
for p in $backports; do
	bpo="$bpo $p/bookworm-backports"
done
apt-get install -y -q --no-install-recommends $packages $bpo
