#!/bin/bash
# Writes fuzz/seeds/fuzz_filter/: filter programs as libpcap compiles them
# (tcpdump -ddd), each after a packet of its link type, in fuzz_filter's
# input layout (fuzz/fuzz_filter.c); and fuzz/seeds/fuzz_filter_compile/:
# the same programs in fuzz_filter_compile's (a packet source byte, then
# the program; one of them a whole filter request).  Run by hand when the layout changes;
# the output is committed, so that building the targets needs no tcpdump.
#   fuzz/make-filter-seeds.sh [TCPDUMP]
set -e
tcpdump=${1:-tcpdump}
out=$(cd "$(dirname "$0")" && pwd)/seeds/fuzz_filter
compile_out=${out}_compile
rm -rf "$out" "$compile_out"
mkdir -p "$out" "$compile_out"

# Little-endian bytes of a number, as printf escapes: le BYTES VALUE.
le() {
	local n=$1 v=$2 i
	for ((i = 0; i < n; i++)); do
		printf '\\x%02x' $(((v >> (8 * i)) & 255))
	done
}

# seed NAME LINKTYPE HEADER_LEN SNAPLEN PACKET_HEX EXPRESSION
seed() {
	local name=$1 link=$2 header=$3 snap=$4 packet=$5 expr=$6
	local bytes=$((${#packet} / 2)) code jt jf k n
	{
		printf "$(le 1 "$header")$(le 4 "$snap")$(le 4 $((bytes + 40)))$(le 2 "$bytes")"
		printf '%s' "$packet" | sed 's/../\\x&/g' | xargs -0 printf
		"$tcpdump" -ddd -y "$link" "$expr" | {
			read -r n
			while read -r code jt jf k; do
				printf "$(le 2 "$code")$(le 1 "$jt")$(le 1 "$jf")$(le 4 "$k")"
			done
		}
	} > "$out/$name"
	# The program alone, after a source byte: tc (1).
	{
		printf '\x01'
		tail -c +$((11 + bytes + 1)) "$out/$name"
	} > "$compile_out/$name"
}

# Ethernet, IPv4 198.18.0.1 > 198.18.0.2, TCP 80 > 80, SYN.
eth_tcp=ffffffffffff02000000000108004500003c1c46400040060000c6120001c6120002005000500000000000000000500220000000000047455420
# IPv6 in Ethernet, UDP.
eth_ip6=33330000000102000000000286dd6000000000081140fe80000000000000000000\
00000000000001ff020000000000000000000000000001303930390008000000
# LINUX_SLL2 header then IPv4 ICMP.
sll2_icmp=0800000000000002000100060200000000010000450000540000400040010000c6120001c61200020800f7ff00000000

seed tcp-port EN10MB 14 262144 "$eth_tcp" "tcp port 80"
seed host-udp EN10MB 14 262144 "$eth_tcp" "ip host 198.18.0.1 and udp"
seed broadcast-arp EN10MB 14 96 "$eth_tcp" "ether broadcast or arp"
seed tcp-syn EN10MB 14 262144 "$eth_tcp" "tcp[tcpflags] & tcp-syn != 0"
seed http-get EN10MB 14 262144 "$eth_tcp" \
    "tcp[((tcp[12:1] & 0xf0) >> 2):4] = 0x47455420"
seed vlan EN10MB 14 262144 "$eth_tcp" "vlan and ip"
seed greater EN10MB 14 100 "$eth_tcp" "greater 60"
seed ip6-udp EN10MB 14 262144 "$eth_ip6" "ip6 and udp port 12345"
seed sll2-icmp LINUX_SLL2 20 262144 "$sll2_icmp" "icmp and ip[2:2] > 50"
seed sll2-ifindex LINUX_SLL2 20 262144 "$sll2_icmp" "ifindex 2"
seed raw-net RAW 0 262144 "${sll2_icmp:40}" "net 198.18.0.0/15"
# More instructions than the probe runs (4097 and up): 800 hosts.
hosts="host 198.18.0.0"
for ((i = 1; i < 800; i++)); do
	hosts="$hosts or host 198.18.$((i / 256)).$((i % 256))"
done
seed too-long EN10MB 14 262144 "$eth_tcp" "$hosts"
# A whole filter request, as a client sends it (bpftrace-filter-channel.h):
# the magic "bptf", version 1, generation 2, the program of "udp".
{
	printf '\x01'
	printf "$(le 4 0x66747062)$(le 2 1)$(le 2 0)$(le 4 2)"
	"$tcpdump" -ddd -y EN10MB udp | {
		read -r n
		printf "$(le 4 "$n")"
		while read -r code jt jf k; do
			printf "$(le 2 "$code")$(le 1 "$jt")$(le 1 "$jf")$(le 4 "$k")"
		done
	}
} > "$compile_out/request-udp"
ls "$out" | wc -l
