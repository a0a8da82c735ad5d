/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What a dissector reads back from an NFLOG rendering
 * (bpftrace_nflog_render()): the fuzz targets that render NFLOG decode
 * their output with this, written from pcap-linktype(7)'s LINKTYPE_NFLOG
 * and Linux's nfnetlink_log attribute numbers, not from the renderer, and
 * compare it with what went in.
 */
#ifndef FUZZ_NFLOG_DECODE_H
#define FUZZ_NFLOG_DECODE_H

#include <stdint.h>
#include <string.h>
#include <arpa/inet.h>

#include "bpf/ring_record.h"
#include "fuzz_promise.h"

struct nflog_decoded {
	uint8_t family;
	uint16_t hw_protocol;		/* network byte order, as in meta */
	uint8_t hook;
	const char *prefix;		/* NULL: no prefix TLV */
	uint32_t prefix_len;		/* the TLV's value, its NUL included */
	uint32_t indev, outdev, mark, uid, gid;
	int has_uid, has_gid;
	uint32_t seq_global;		/* ,track: the packet's identity */
	int has_seq_global;
	const unsigned char *payload;	/* NULL: no payload TLV */
	uint32_t payload_len;		/* the TLV's value */
	uint32_t end;			/* bytes the TLVs take, padding in */
};

static inline uint32_t
nflog_be32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | p[3];
}

/*
 * Decodes a whole rendering of len bytes (not cut at the snap length):
 * TLVs in the kernel's order, each known, 4-byte values of 4 bytes, every
 * one inside len; the payload TLV last.
 */
static inline void
nflog_decode(const unsigned char *out, uint32_t len, struct nflog_decoded *d)
{
	static const uint16_t order[] = { 1, 10, 4, 5, 2, 11, 14, 13, 9 };
	uint32_t at = 4;
	size_t next = 0;

	memset(d, 0, sizeof(*d));
	if (len < 4 || out[1] != 0 || out[2] != 0 || out[3] != 0)
		promise_broken("NFLOG: header not version 0, resource 0");
	d->family = out[0];
	while (at < len) {
		uint16_t tlv_len, type;
		const unsigned char *v;
		uint32_t vlen;

		if (len - at < 4)
			promise_broken("NFLOG: a TLV header cut short");
		memcpy(&tlv_len, out + at, 2);
		memcpy(&type, out + at + 2, 2);
		if (tlv_len < 4 || tlv_len > len - at)
			promise_broken("NFLOG: a TLV's length beyond the packet");
		v = out + at + 4;
		vlen = tlv_len - 4u;
		while (next < sizeof(order) / sizeof(order[0]) &&
		    order[next] != type)
			next++;
		if (next == sizeof(order) / sizeof(order[0]))
			promise_broken("NFLOG: a TLV unknown or out of order");
		next++;
		if (type != 1 && type != 10 && type != 9 && vlen != 4)
			promise_broken("NFLOG: a 32-bit attribute of another size");
		switch (type) {
		case 1:		/* NFULA_PACKET_HDR */
			if (vlen != 4)
				promise_broken("NFLOG: packet header size");
			memcpy(&d->hw_protocol, v, 2);
			d->hook = v[2];
			break;
		case 10:	/* NFULA_PREFIX */
			d->prefix = (const char *)v;
			d->prefix_len = vlen;
			break;
		case 4: d->indev = nflog_be32(v); break;
		case 5: d->outdev = nflog_be32(v); break;
		case 2: d->mark = nflog_be32(v); break;
		case 11: d->uid = nflog_be32(v); d->has_uid = 1; break;
		case 14: d->gid = nflog_be32(v); d->has_gid = 1; break;
		case 13:	/* NFULA_SEQ_GLOBAL */
			d->seq_global = nflog_be32(v);
			d->has_seq_global = 1;
			break;
		case 9:		/* NFULA_PAYLOAD */
			d->payload = v;
			d->payload_len = vlen;
			break;
		}
		at += ((uint32_t)tlv_len + 3) & ~3u;
		if (type == 9)
			break;
	}
	if (d->payload == NULL)
		promise_broken("NFLOG: no payload TLV");
	d->end = at;
}

/*
 * Checks a decoded rendering against the metadata and prefix it was made
 * of; returns the payload bytes kept.
 */
static inline uint32_t
nflog_check(const struct nflog_decoded *d, const struct ring_packet_meta *m,
    const char *prefix)
{
	int outgoing = m->packet_type == 4;	/* PACKET_OUTGOING */
	size_t plen = strnlen(prefix, 127);

	if (d->family != (m->hw_protocol == htons(0x0800) ? 2 :
	    m->hw_protocol == htons(0x86dd) ? 10 : 0))
		promise_broken("NFLOG: address family");
	if (d->hw_protocol != m->hw_protocol || d->hook != (outgoing ? 4 : 0))
		promise_broken("NFLOG: packet header");
	if (d->prefix == NULL || d->prefix_len != plen + 1 ||
	    memcmp(d->prefix, prefix, plen) != 0 || d->prefix[plen] != '\0')
		promise_broken("NFLOG: prefix");
	if ((outgoing ? d->outdev : d->indev) != m->ifindex ||
	    (outgoing ? d->indev : d->outdev) != 0)
		promise_broken("NFLOG: interface");
	if (d->mark != m->mark)
		promise_broken("NFLOG: mark");
	if ((m->flags & RING_META_HAS_SOCKET_IDS) ? !d->has_uid ||
	    !d->has_gid || d->uid != m->uid || d->gid != m->gid :
	    d->has_uid || d->has_gid)
		promise_broken("NFLOG: uid or gid");
	if ((m->flags & RING_META_TRACKED) ? !d->has_seq_global ||
	    d->seq_global != m->track_id : d->has_seq_global)
		promise_broken("NFLOG: the packet's identity");
	return d->payload_len;
}

#endif /* FUZZ_NFLOG_DECODE_H */
