/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The NFLOG renderer on its own (ASan/UBSan): header, TLV order, types,
 * lengths in host order, values in network order, padding, the prefix's
 * NUL, and the snap length cutting the payload, never the buffer.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>

#include "bpftrace-nflog.h"

static int failures;

#define CHECK(cond, what) do {						\
	if (!(cond)) {							\
		printf("FAIL line %d: %s\n", __LINE__, what);		\
		failures++;						\
	}								\
} while (0)

struct tlv {
	uint16_t type, len;
	const unsigned char *value;
};

/* Splits rendered TLVs; returns how many, -1 if they overrun caplen. */
static int
parse(const unsigned char *p, uint32_t caplen, struct tlv *out, int max)
{
	uint32_t at = 4;
	int n = 0;

	while (at + 4 <= caplen && n < max) {
		uint16_t len, type;

		memcpy(&len, p + at, 2);
		memcpy(&type, p + at + 2, 2);
		if (len < 4)
			return -1;
		out[n].type = type;
		out[n].len = (uint16_t)(len - 4);
		out[n].value = p + at + 4;
		n++;
		at += (len + 3u) & ~3u;
	}
	return n;
}

int
main(void)
{
	struct ring_packet_meta m;
	unsigned char payload[100], *out;
	struct tlv t[16];
	uint32_t caplen, wire, be;
	int n;

	memset(&m, 0, sizeof(m));
	memset(payload, 0x45, sizeof(payload));
	m.hw_protocol = htons(0x0800);
	m.ifindex = 7;
	m.mark = 0x1234;
	m.uid = 1000;
	m.gid = 100;
	m.flags = RING_META_HAS_SOCKET_IDS;
	out = malloc(262144 + NFLOG_OVERHEAD + NFLOG_PREFIX_MAX);

	caplen = bpftrace_nflog_render(&m, "skb:kfree_skb NETFILTER_DROP",
	    payload,
	    sizeof(payload), 1500, 65535, out, &wire);
	CHECK(out[0] == 2 && out[1] == 0 && out[2] == 0 && out[3] == 0,
	    "header: AF_INET, version 0, resource 0");
	bpftrace_nflog_set_resource_id(out, 0x0102);
	CHECK(out[2] == 1 && out[3] == 2 && out[0] == 2,
	    "resource id (the tap) in network byte order, nothing else moved");
	bpftrace_nflog_set_resource_id(out, 0);
	n = parse(out, caplen, t, 16);
	CHECK(n == 7, "seven TLVs");
	CHECK(t[0].type == 1 && t[0].len == 4 && t[0].value[0] == 0x08 &&
	    t[0].value[2] == 0, "packet header: protocol, hook PRE_ROUTING");
	CHECK(t[1].type == 10 && t[1].len == 29 &&
	    strcmp((const char *)t[1].value,
	        "skb:kfree_skb NETFILTER_DROP") == 0,
	    "prefix with its NUL");
	memcpy(&be, t[2].value, 4);
	CHECK(t[2].type == 4 && ntohl(be) == 7, "indev");
	memcpy(&be, t[3].value, 4);
	CHECK(t[3].type == 2 && ntohl(be) == 0x1234, "mark");
	memcpy(&be, t[4].value, 4);
	CHECK(t[4].type == 11 && ntohl(be) == 1000, "uid");
	memcpy(&be, t[5].value, 4);
	CHECK(t[5].type == 14 && ntohl(be) == 100, "gid");
	CHECK(t[6].type == 9 && t[6].len == 100 &&
	    memcmp(t[6].value, payload, 100) == 0, "payload");
	CHECK(caplen == (uint32_t)(t[6].value - out) + 100,
	    "caplen ends with the payload");
	CHECK(wire == caplen,
	    "the message is whole: its length is the captured one (the"
	    " packet's own is in its IP header)");

	m.packet_type = 4;	/* outgoing */
	m.flags = 0;
	m.mark = 0;
	m.hw_protocol = htons(0x86dd);
	caplen = bpftrace_nflog_render(&m, "x", payload, sizeof(payload), 100,
	    60, out,
	    &wire);
	n = parse(out, 60, t, 16);
	CHECK(out[0] == 10, "AF_INET6");
	CHECK(caplen == 60 && wire == 60,
	    "cut at the snap length inside the payload: still whole");
	CHECK(t[0].value[2] == 4, "hook POST_ROUTING for outgoing");
	CHECK(t[2].type == 5, "outdev for outgoing");
	CHECK(n == 4 && t[3].type == 9 && (uint32_t)(t[3].value - out) + t[3].len == 60,
	    "payload TLV length says what was captured");

	caplen = bpftrace_nflog_render(&m,
	    "a very long prefix that keeps going and going"
	    " and going past the one hundred and twenty-eight bytes NFLOG prefixes"
	    " get here, so it must be cut", payload, 0, 0, 10, out, &wire);
	CHECK(caplen == 10, "snap length shorter than the headers");
	{
		unsigned char *big = calloc(1, 70000);

		caplen = bpftrace_nflog_render(&m, "x", big, 70000, 70000,
		    262144, out,
		    &wire);
		n = parse(out, caplen, t, 16);
		CHECK(n == 4 && t[3].type == 9 && t[3].len == 0xffff - 4,
		    "payload TLV capped at 16 bits");
		free(big);
	}
	printf("%s\n", failures ? "FAILED" : "all passed");
	free(out);
	return failures != 0;
}
