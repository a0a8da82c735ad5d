/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer target: records that users' programs write with bpf_pcap()
 * (struct bpf_pcap_hdr and its bytes), checked and rendered in each link
 * type a handle can have (bpftrace-user-record.c), and for NFLOG rendered
 * on as the module does (bpftrace-nflog.c).  The input is
 *
 *   link type (1 byte: an index into link_types below)
 *   snap length (4 bytes, little-endian; taken modulo 300000)
 *   the record: what is left, in a buffer of its exact size
 *
 * The scratch buffer has the room the module gives it (snap length +
 * NFLOG_OVERHEAD + NFLOG_PREFIX_MAX + USER_RECORD_HEADER_ROOM, as
 * pcap-bpftrace.c allocates).  Besides the sanitizers' checks:
 *
 *   - a record is refused as malformed exactly when its header lies
 *     (magic, capture length beyond the record or above the packet
 *     length, packet length too large, protocol unknown)
 *   - a rendered packet lies inside the record or the scratch buffer, its
 *     captured length at most the snap length and the packet length
 *   - the same link type: the record's own bytes; Ethernet to RAW: the
 *     frame without its header; to LINUX_SLL/SLL2: the cooked header says
 *     the frame's protocol, source address, packet type (and for SLL2 the
 *     interface the id names), followed by the frame's payload; raw IP
 *     to the cooked headers: the IP version's protocol
 *   - NFLOG: the rendering decodes to the frame's protocol and the
 *     payload from the network header (fuzz_nflog_decode.h)
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/types.h>

#include "bpf/bpf_pcap.h"
#include "bpftrace-nflog.h"
#include "bpftrace-user-record.h"
#include "fuzz_nflog_decode.h"
#include "fuzz_promise.h"

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define SNAPLEN_LIMIT	300000
#define SCRATCH_ROOM	(NFLOG_OVERHEAD + NFLOG_PREFIX_MAX + \
			    USER_RECORD_HEADER_ROOM)

/* Every link type a handle reading user records can be switched to. */
static const int link_types[] = {
	RING_DLT_EN10MB, RING_DLT_RAW, RING_DLT_LINUX_SLL, RING_DLT_LINUX_SLL2,
	RING_DLT_IEEE802_11, RING_DLT_NFLOG, BPF_PCAP_RAW_LINKTYPE,
	BPF_PCAP_IPV4, BPF_PCAP_IPV6,
};

static uint16_t
be16(const unsigned char *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t
le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	    (uint32_t)p[3] << 24;
}

/* The header checks, restated from bpf_pcap.h's contract. */
static int
lies(const struct bpf_pcap_hdr *h, size_t rec_len)
{
	switch (h->protocol) {
	case BPF_PCAP_ETHERNET: case BPF_PCAP_RAW: case BPF_PCAP_RAW_LINKTYPE:
	case BPF_PCAP_IEEE802_11: case BPF_PCAP_IPV4: case BPF_PCAP_IPV6:
	case RING_DLT_LINUX_SLL: case RING_DLT_LINUX_SLL2:
		break;
	default:
		return 1;
	}
	return h->magic != BPF_PCAP_MAGIC ||
	    h->cap_len > rec_len - sizeof(*h) || h->cap_len > h->tot_len ||
	    h->tot_len > UINT32_MAX - USER_RECORD_HEADER_ROOM;
}

static int
inside(const unsigned char *p, uint32_t len, const unsigned char *start,
    size_t room)
{
	return p >= start && p <= start + room &&
	    len <= (size_t)(start + room - p);
}

static int
is_raw_ip(uint32_t protocol)
{
	return protocol == BPF_PCAP_RAW || protocol == BPF_PCAP_RAW_LINKTYPE ||
	    protocol == BPF_PCAP_IPV4 || protocol == BPF_PCAP_IPV6;
}

/* A cooked header: what it must say, and the payload after it. */
static void
check_cooked(int link_type, const struct bpf_pcap_hdr *h,
    const unsigned char *bytes, const struct user_packet *out,
    uint32_t snaplen)
{
	int sll2 = link_type == RING_DLT_LINUX_SLL2;
	uint32_t header = sll2 ? RING_SLL2_HEADER_LEN : RING_SLL_HEADER_LEN;
	const unsigned char *c = out->bytes, *payload;
	uint16_t protocol, hatype;
	uint32_t payload_cap, payload_len, kept;
	uint8_t pkttype;

	if (h->protocol == BPF_PCAP_ETHERNET) {
		protocol = be16(bytes + 12);
		hatype = 1;
		pkttype = memcmp(bytes, "\xff\xff\xff\xff\xff\xff", 6) == 0 ?
		    1 : (bytes[0] & 1) ? 2 : 0;
		payload = bytes + 14;
		payload_cap = h->cap_len - 14;
		payload_len = h->tot_len - 14;
	} else {
		protocol = bytes[0] >> 4 == 4 ? 0x0800 : 0x86dd;
		hatype = 0xfffe;
		pkttype = 0;
		payload = bytes;
		payload_cap = h->cap_len;
		payload_len = h->tot_len;
	}
	if (out->len != header + payload_len)
		promise_broken("cooked: packet length");
	kept = payload_cap < (snaplen > header ? snaplen - header : 0) ?
	    payload_cap : snaplen > header ? snaplen - header : 0;
	if (out->caplen != (header + kept < snaplen ? header + kept : snaplen))
		promise_broken("cooked: captured length");
	if (out->caplen < header)
		return;		/* -s below the header: nothing more to see */
	if (sll2) {
		uint32_t ifindex = (h->flags & BPF_PCAP_F_ID_IS_IFINDEX) &&
		    (h->flags & BPF_PCAP_ID_MASK) <= 0xffffffffu ?
		    (uint32_t)(h->flags & BPF_PCAP_ID_MASK) : 0;

		if (be16(c) != protocol || be16(c + 8) != hatype ||
		    c[10] != pkttype ||
		    ((uint32_t)be16(c + 4) << 16 | be16(c + 6)) != ifindex)
			promise_broken("SLL2: header fields");
		if (hatype == 1 ? c[11] != 6 || memcmp(c + 12, bytes + 6, 6) :
		    c[11] != 0)
			promise_broken("SLL2: address");
	} else {
		if (be16(c) != pkttype || be16(c + 2) != hatype ||
		    be16(c + 14) != protocol)
			promise_broken("SLL: header fields");
		if (hatype == 1 ? be16(c + 4) != 6 ||
		    memcmp(c + 6, bytes + 6, 6) : be16(c + 4) != 0)
			promise_broken("SLL: address");
	}
	if (memcmp(c + header, payload, out->caplen - header) != 0)
		promise_broken("cooked: payload bytes changed");
}

/* NFLOG: rendered on as deliver_user_record() does, then decoded. */
static void
check_nflog(const struct bpf_pcap_hdr *h, const unsigned char *bytes,
    const struct user_packet *pkt, uint32_t snaplen, unsigned char *scratch)
{
	const unsigned char *payload = h->protocol == BPF_PCAP_ETHERNET ?
	    bytes + 14 : bytes;
	struct nflog_decoded d;
	char prefix[NFLOG_PREFIX_MAX];
	uint32_t caplen, wire_len, kept;

	if (pkt->bytes != payload ||
	    pkt->caplen != h->cap_len - (uint32_t)(payload - bytes) ||
	    pkt->len != h->tot_len - (uint32_t)(payload - bytes))
		promise_broken("NFLOG: payload is not from the network header");
	if (pkt->meta.hw_protocol != htons(h->protocol == BPF_PCAP_ETHERNET ?
	    be16(bytes + 12) : bytes[0] >> 4 == 4 ? 0x0800 : 0x86dd))
		promise_broken("NFLOG: hardware protocol");
	snprintf(prefix, sizeof(prefix), "bpf:prog:1 id %llu",
	    (unsigned long long)pkt->id);
	caplen = bpftrace_nflog_render(&pkt->meta, prefix, pkt->bytes,
	    pkt->caplen, pkt->len, snaplen, scratch, &wire_len);
	if (caplen > snaplen || wire_len < caplen)
		promise_broken("NFLOG: lengths");
	nflog_decode(scratch, snaplen + SCRATCH_ROOM, &d);
	kept = nflog_check(&d, &pkt->meta, prefix);
	if (memcmp(d.payload, payload, kept) != 0)
		promise_broken("NFLOG: payload bytes changed");
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct bpf_pcap_hdr h;
	struct user_packet out;
	unsigned char *rec, *scratch;
	const unsigned char *bytes;
	uint32_t snaplen;
	size_t rec_len;
	int link_type, status;

	if (size < 5)
		return 0;
	link_type = link_types[data[0] % (sizeof(link_types) /
	    sizeof(link_types[0]))];
	snaplen = le32(data + 1) % SNAPLEN_LIMIT;
	rec_len = size - 5;
	rec = malloc(rec_len + 1);	/* malloc(0) may give NULL */
	memcpy(rec, data + 5, rec_len);
	scratch = malloc((size_t)snaplen + SCRATCH_ROOM);
	bytes = rec + sizeof(h);

	memset(&out, 0xa5, sizeof(out));
	status = bpftrace_user_record_render(rec, rec_len, link_type, snaplen,
	    scratch, &out);
	if (rec_len >= sizeof(h))
		memcpy(&h, rec, sizeof(h));
	if (rec_len < sizeof(h) || lies(&h, rec_len)) {
		if (status != USER_RECORD_MALFORMED)
			promise_broken("a lying record accepted");
		goto done;
	}
	if (status == USER_RECORD_MALFORMED)
		promise_broken("a sound record refused as malformed");
	if (status == USER_RECORD_UNCONVERTIBLE)
		goto done;
	if (status != USER_RECORD_OK)
		promise_broken("unknown status");
	if (out.ktime_ns != h.ktime_ns ||
	    out.id != (h.flags & BPF_PCAP_ID_MASK))
		promise_broken("time stamp or id changed");
	if (!inside(out.bytes, out.caplen, bytes, h.cap_len) &&
	    !inside(out.bytes, out.caplen, scratch, snaplen + SCRATCH_ROOM))
		promise_broken("packet outside the record and the scratch");
	if (out.caplen > out.len)
		promise_broken("captured length above the packet length");
	if (link_type == RING_DLT_NFLOG) {
		if (!out.nflog)
			promise_broken("NFLOG not flagged for rendering");
		check_nflog(&h, bytes, &out, snaplen, scratch);
		goto done;
	}
	if (out.nflog)
		promise_broken("NFLOG flagged for another link type");
	if (out.caplen > snaplen)
		promise_broken("captured length beyond the snap length");
	if ((uint32_t)link_type == h.protocol ||
	    (link_type == RING_DLT_RAW && is_raw_ip(h.protocol))) {
		if (out.bytes != bytes || out.len != h.tot_len ||
		    out.caplen != (h.cap_len < snaplen ? h.cap_len : snaplen))
			promise_broken("same link type: not the record's bytes");
	} else if (link_type == RING_DLT_RAW) {
		uint16_t type = be16(bytes + 12);

		if (h.protocol != BPF_PCAP_ETHERNET ||
		    (type != 0x0800 && type != 0x86dd))
			promise_broken("RAW from what is not Ethernet IP");
		if (out.bytes != bytes + 14 || out.len != h.tot_len - 14)
			promise_broken("RAW: not the frame without its header");
	} else if (link_type == RING_DLT_LINUX_SLL ||
	    link_type == RING_DLT_LINUX_SLL2) {
		if (out.bytes != scratch)
			promise_broken("cooked: not rendered in the scratch");
		check_cooked(link_type, &h, bytes, &out, snaplen);
	} else {
		promise_broken("converted into a link type it cannot be");
	}
done:
	free(scratch);
	free(rec);
	return 0;
}
