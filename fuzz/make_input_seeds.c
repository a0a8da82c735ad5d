/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Writes the seed corpora of the targets that read input from outside the
 * broker: make_input_seeds DIR makes DIR/fuzz_tap_name,
 * DIR/fuzz_user_record and DIR/fuzz_nflog, one file per seed, in each
 * target's input layout (see the target's opening comment).  Records and
 * metadata are built from the structs that define them (bpf/bpf_pcap.h,
 * bpf/ring_record.h), so that the seeds follow the layouts when they
 * change.  The filter programs' seeds are compiled by libpcap and
 * committed (fuzz/make-filter-seeds.sh).
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <arpa/inet.h>

#include <linux/types.h>

#include "bpf/bpf_pcap.h"
#include "bpf/ring_record.h"

static const char *dir;

#include "seed_files.h"

static void
put_le32(unsigned char *p, uint32_t v)
{
	p[0] = (unsigned char)v;
	p[1] = (unsigned char)(v >> 8);
	p[2] = (unsigned char)(v >> 16);
	p[3] = (unsigned char)(v >> 24);
}

/* Every family and option of the grammar, joined taps, and its edges. */
static const char *const devices[] = {
	"bpf:tracepoint:net:netif_receive_skb",
	"bpf:tracepoint:kfree_skb",
	"bpf:tracepoint:skb:kfree_skb:arg1",
	"bpf:tracepoint:consume_skb:arg12",
	"bpf:tracepoint:arg1",
	"bpf:raw_tracepoint:kfree_skb:arg2",
	"bpf:kprobe:ip_rcv",
	"bpf:fentry:ip_rcv:arg1",
	"bpf:fexit:ip_route_input_noref",
	"bpf:tc:eth0",
	"bpf:tc:veth-a.100:ingress",
	"bpf:tc:lo:egress",
	"bpf:xdp:eth0",
	"bpf:xdp:eth0:drop:redirect",
	"bpf:xdp:eth0:entry",
	"bpf:tc:eth0:ingress:prog=my_filter:shot:unspec",
	"bpf:tc:eth0:prog=42:entry",
	"bpf:prog:4294967295",
	"bpf:pinned:/sys/fs/bpf/myprog/packets",
	"bpf:object:/tmp/x.bpf.o",
	"bpf:object:x.bpf.o:tp_btf/netif_receive_skb",
	"bpf:object:/tmp/x.bpf.o:uprobe//usr/bin/a:main",
	"bpf:object:/tmp/x.bpf.o:",
	"bpf:object::xdp",
	"bpf:object:",
	"bpf:object:/tmp/x.bpf.o+tracepoint:kfree_skb",
	"bpf:object:/tmp/x\x1b[2J.o",
	"bpf:tracepoint:net:netif_receive_skb+tracepoint:skb:kfree_skb",
	"bpf:tc:eth0:ingress+xdp:eth0+kprobe:ip_rcv+fexit:f:arg3",
	"bpf:xdp:a+xdp:b+xdp:c+xdp:d+xdp:e+xdp:f+xdp:g+xdp:h",
	"bpf:xdp:a+xdp:b+xdp:c+xdp:d+xdp:e+xdp:f+xdp:g+xdp:h+xdp:i",
	"bpf:tracepoint:net:netif_receive_skb+prog:1",
	"bpf:tc:eth0++tc:eth1",
	"bpf:tc:",
	"bpf:",
	"bpf:tracepoint:arg0",
	"bpf:tracepoint:a:b:c:d",
	"bpf:tc:0123456789abcdef",
	"bpf:tc:..",
	"bpf:prog:4294967296",
	"bpf:pinned:relative",
	"bpf:nosuch:x",
	"bpf:tc:eth\x01" "0",
	"eth0",
	/* The capture's options (scope). */
	"bpf:tracepoint:skb:kfree_skb,netns=all",
	"bpf:tracepoint:skb:kfree_skb,netns=4026532249",
	"bpf:tracepoint:skb:kfree_skb,netns=/proc/4242/ns/net",
	"bpf:tracepoint:skb:kfree_skb,netns=blue,cgroup=system.slice/a.service",
	"bpf:tracepoint:net:netif_receive_skb+tracepoint:skb:kfree_skb,"
	    "cgroup=/sys/fs/cgroup/app,dev=eth0,netns=blue",
	"bpf:kprobe:ip_rcv,cgroup=12345,ifindex=2",
	"bpf:tracepoint:kfree_skb,dev=veth-a.100",
	"bpf:tracepoint:kfree_skb,netns=a+b",
	"bpf:tracepoint:kfree_skb,netns=all,netns=all",
	"bpf:tracepoint:kfree_skb,dev=eth0,ifindex=2",
	"bpf:tracepoint:kfree_skb,netns=0",
	"bpf:tracepoint:kfree_skb,netns=4294967296",
	"bpf:tracepoint:kfree_skb,cgroup=18446744073709551616",
	"bpf:tracepoint:kfree_skb,netns=a/b",
	"bpf:tracepoint:kfree_skb,netns=",
	"bpf:tracepoint:kfree_skb,,netns=all",
	"bpf:tracepoint:kfree_skb,",
	"bpf:tracepoint:kfree_skb,track",
	"bpf:tc:eth0,netns=all",
	"bpf:prog:1,cgroup=1",
};

static void
tap_name_seeds(void)
{
	char name[32], longest[3 * 128 + 8];
	size_t i;

	for (i = 0; i < sizeof(devices) / sizeof(devices[0]); i++) {
		snprintf(name, sizeof(name), "name-%02zu", i);
		write_seed("fuzz_tap_name", name, devices[i],
		    strlen(devices[i]));
	}
	/* A name at the grammar's length limit, and one past it. */
	memcpy(longest, "bpf:kprobe:", 11);
	memset(longest + 11, 'f', 127);
	write_seed("fuzz_tap_name", "name-longest-function", longest, 11 + 127);
	write_seed("fuzz_tap_name", "name-function-too-long", longest,
	    11 + 128);
	/* An object path at the limit, with a section at the limit too. */
	memcpy(longest, "bpf:object:/", 12);
	memset(longest + 12, 'o', 126);
	longest[138] = ':';
	memset(longest + 139, 's', 127);
	write_seed("fuzz_tap_name", "name-longest-object", longest, 139 + 127);
	write_seed("fuzz_tap_name", "name-object-section-too-long", longest,
	    139 + 128);
}

/* A bpf_pcap() record: header and bytes, after the target's 5 bytes. */
static void
record_seed(const char *name, unsigned link_index, uint32_t snaplen,
    uint32_t magic, uint32_t protocol, uint64_t flags, uint32_t tot_len,
    uint32_t cap_len, const void *bytes, size_t len)
{
	static unsigned char buf[5 + sizeof(struct bpf_pcap_hdr) +
	    BPF_PCAP_MAX_LEN];
	struct bpf_pcap_hdr h;

	memset(&h, 0, sizeof(h));
	h.magic = magic;
	h.protocol = protocol;
	h.flags = flags;
	h.ktime_ns = 1234567890;
	h.tot_len = tot_len;
	h.cap_len = cap_len;
	buf[0] = (unsigned char)link_index;
	put_le32(buf + 1, snaplen);
	memcpy(buf + 5, &h, sizeof(h));
	memcpy(buf + 5 + sizeof(h), bytes, len);
	write_seed("fuzz_user_record", name, buf, 5 + sizeof(h) + len);
}

/* Frames worth rendering: Ethernet IPv4, IPv6, ARP; raw IPv4, IPv6. */
static const unsigned char ether_ipv4[] = {
	0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02, 0, 0, 0, 0, 1, 0x08, 0x00,
	0x45, 0, 0, 28, 0, 1, 0, 0, 64, 17, 0, 0, 198, 18, 0, 1, 198, 18, 0, 2,
	0x30, 0x39, 0x30, 0x39, 0, 8, 0, 0,
};
static const unsigned char ether_ipv6[] = {
	0x33, 0x33, 0, 0, 0, 1, 0x02, 0, 0, 0, 0, 2, 0x86, 0xdd,
	0x60, 0, 0, 0, 0, 0, 59, 64,
};
static const unsigned char ether_arp[] = {
	0x02, 0, 0, 0, 0, 3, 0x02, 0, 0, 0, 0, 4, 0x08, 0x06, 0, 1, 8, 0,
};
static const unsigned char raw_ipv4[] = {
	0x45, 0, 0, 20, 0, 1, 0, 0, 64, 6, 0, 0, 198, 18, 0, 1, 198, 19, 0, 1,
};
static const unsigned char raw_ipv6[] = { 0x60, 0, 0, 0, 0, 0, 59, 64 };

static void
user_record_seeds(void)
{
	static const struct {
		const char *name;
		uint32_t protocol;
		const unsigned char *bytes;
		size_t len;
	} frames[] = {
		{ "ether-ipv4", BPF_PCAP_ETHERNET, ether_ipv4,
		    sizeof(ether_ipv4) },
		{ "ether-ipv6", BPF_PCAP_ETHERNET, ether_ipv6,
		    sizeof(ether_ipv6) },
		{ "ether-arp", BPF_PCAP_ETHERNET, ether_arp, sizeof(ether_arp) },
		{ "raw-ipv4", BPF_PCAP_IPV4, raw_ipv4, sizeof(raw_ipv4) },
		{ "raw-ipv6", BPF_PCAP_RAW, raw_ipv6, sizeof(raw_ipv6) },
	};
	static unsigned char big[BPF_PCAP_MAX_LEN];
	uint64_t ifindex = BPF_PCAP_F_ID_IS_IFINDEX | 7;
	char name[64];
	size_t f;
	unsigned link;

	/* Each frame in each link type (the target's link_types[]), whole. */
	for (f = 0; f < sizeof(frames) / sizeof(frames[0]); f++)
		for (link = 0; link < 9; link++) {
			snprintf(name, sizeof(name), "%s-link%u",
			    frames[f].name, link);
			record_seed(name, link, 262144, BPF_PCAP_MAGIC,
			    frames[f].protocol, link % 2 ? ifindex : 42,
			    (uint32_t)frames[f].len + 100,
			    (uint32_t)frames[f].len, frames[f].bytes,
			    frames[f].len);
		}
	/* Snap lengths below the cooked header, at it, just above. */
	record_seed("snap-1", 3, 1, BPF_PCAP_MAGIC, BPF_PCAP_ETHERNET, 0,
	    sizeof(ether_ipv4), sizeof(ether_ipv4), ether_ipv4,
	    sizeof(ether_ipv4));
	record_seed("snap-20", 3, 20, BPF_PCAP_MAGIC, BPF_PCAP_ETHERNET,
	    ifindex, sizeof(ether_ipv4), sizeof(ether_ipv4), ether_ipv4,
	    sizeof(ether_ipv4));
	record_seed("snap-21", 2, 17, BPF_PCAP_MAGIC, BPF_PCAP_IPV6, 0,
	    sizeof(raw_ipv6), sizeof(raw_ipv6), raw_ipv6, sizeof(raw_ipv6));
	/* The most one record carries. */
	memcpy(big, ether_ipv4, sizeof(ether_ipv4));
	record_seed("largest", 5, 262144, BPF_PCAP_MAGIC, BPF_PCAP_ETHERNET, 0,
	    65535, sizeof(big), big, sizeof(big));
	/* Records that lie, as testprogs/pcap_hostile.bpf.c writes them. */
	record_seed("lie-magic", 0, 262144, 0xdeadbeef, BPF_PCAP_ETHERNET, 0,
	    sizeof(ether_ipv4), sizeof(ether_ipv4), ether_ipv4,
	    sizeof(ether_ipv4));
	record_seed("lie-cap-beyond-record", 0, 262144, BPF_PCAP_MAGIC,
	    BPF_PCAP_ETHERNET, 0, 4000, 4000, ether_ipv4, sizeof(ether_ipv4));
	record_seed("lie-tot-below-cap", 0, 262144, BPF_PCAP_MAGIC,
	    BPF_PCAP_ETHERNET, 0, 10, sizeof(ether_ipv4), ether_ipv4,
	    sizeof(ether_ipv4));
	record_seed("lie-tot-huge", 3, 262144, BPF_PCAP_MAGIC,
	    BPF_PCAP_ETHERNET, 0, UINT32_MAX, sizeof(ether_ipv4), ether_ipv4,
	    sizeof(ether_ipv4));
	record_seed("lie-protocol", 0, 262144, BPF_PCAP_MAGIC, 147, 0,
	    sizeof(ether_ipv4), sizeof(ether_ipv4), ether_ipv4,
	    sizeof(ether_ipv4));
	record_seed("lie-not-ip", 1, 262144, BPF_PCAP_MAGIC, BPF_PCAP_RAW, 0,
	    sizeof(ether_arp), sizeof(ether_arp), ether_arp,
	    sizeof(ether_arp));
	record_seed("short-ether", 2, 262144, BPF_PCAP_MAGIC,
	    BPF_PCAP_ETHERNET, 0, 13, 13, ether_ipv4, 13);
	record_seed("header-only", 5, 262144, BPF_PCAP_MAGIC,
	    BPF_PCAP_IPV4, 0, 0, 0, "", 0);
}

/* NFLOG: metadata, snap and packet lengths, prefix, payload. */
static void
nflog_seed(const char *name, const struct ring_packet_meta *m,
    uint32_t snaplen, uint32_t packet_len, const char *prefix,
    const void *payload, size_t payload_len)
{
	static unsigned char buf[sizeof(struct ring_packet_meta) + 9 + 128 +
	    70000];
	size_t prefix_len = strlen(prefix), at = 0;

	memcpy(buf, m, sizeof(*m));
	at = sizeof(*m);
	put_le32(buf + at, snaplen);
	put_le32(buf + at + 4, packet_len);
	buf[at + 8] = (unsigned char)prefix_len;
	at += 9;
	memcpy(buf + at, prefix, prefix_len);
	at += prefix_len;
	memcpy(buf + at, payload, payload_len);
	write_seed("fuzz_nflog", name, buf, at + payload_len);
}

static void
nflog_seeds(void)
{
	static unsigned char big[66000];
	char prefix[200];
	struct ring_packet_meta m;

	memset(&m, 0, sizeof(m));
	m.hw_protocol = htons(0x0800);
	m.ifindex = 2;
	nflog_seed("ipv4-in", &m, 262144, sizeof(raw_ipv4), "bpf:tc:eth0",
	    raw_ipv4, sizeof(raw_ipv4));
	m.hw_protocol = htons(0x86dd);
	m.packet_type = 4;	/* PACKET_OUTGOING */
	m.mark = 0x1234;
	m.flags = RING_META_HAS_SOCKET_IDS | RING_META_IN_TASK;
	m.uid = 1000;
	m.gid = 1000;
	memcpy(m.comm, "curl", 5);
	nflog_seed("ipv6-out-socket", &m, 262144, 1500,
	    "bpf:tracepoint:skb:kfree_skb NO_SOCKET curl/1234", raw_ipv6,
	    sizeof(raw_ipv6));
	/* Snap lengths inside the header, and a payload past 16 bits. */
	nflog_seed("snap-1", &m, 1, sizeof(raw_ipv6), "p", raw_ipv6,
	    sizeof(raw_ipv6));
	nflog_seed("snap-header", &m, 60, sizeof(raw_ipv6), "", raw_ipv6,
	    sizeof(raw_ipv6));
	memcpy(big, raw_ipv4, sizeof(raw_ipv4));
	m.hw_protocol = htons(0x0806);
	nflog_seed("payload-65535-plus", &m, 262144, sizeof(big), "big", big,
	    sizeof(big));
	/* The longest prefix (the target cuts it at 127, unterminated). */
	memset(prefix, 'x', 150);
	prefix[150] = '\0';
	nflog_seed("prefix-longest", &m, 262144, 2, prefix, "\x45\x00", 2);
	/* A packet length below the captured one: a lie. */
	nflog_seed("lie-length", &m, 262144, 3, "lie", raw_ipv4,
	    sizeof(raw_ipv4));
}

int
main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: make_input_seeds DIR\n");
		return 2;
	}
	dir = argv[1];
	tap_name_seeds();
	user_record_seeds();
	nflog_seeds();
	return 0;
}
