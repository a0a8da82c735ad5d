/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * NFLOG rendering (pcap-linktype(7): LINKTYPE_NFLOG).  A 4-byte header
 * (address family, version 0, resource id: 0, or which of a capture's taps
 * saw the packet) and TLVs: 16-bit length and
 * type in host byte order, values in network byte order, each padded to 4
 * bytes.  The attributes are those of Linux's nfnetlink_log: packet header
 * (hardware protocol, hook), prefix, in or out interface, mark, uid, gid,
 * payload (from the network header), in the kernel's order.
 */
#include <string.h>
#include <arpa/inet.h>

#include "bpftrace-nflog.h"

#define NFULA_PACKET_HDR	1
#define NFULA_MARK		2
#define NFULA_IFINDEX_INDEV	4
#define NFULA_IFINDEX_OUTDEV	5
#define NFULA_PAYLOAD		9
#define NFULA_PREFIX		10
#define NFULA_UID		11
#define NFULA_SEQ_GLOBAL	13
#define NFULA_GID		14

#define NF_INET_PRE_ROUTING	0	/* the nearest hooks to a packet */
#define NF_INET_POST_ROUTING	4	/* received / sent */
#define PACKET_OUTGOING		4
#define FAMILY_INET		2
#define FAMILY_INET6		10
/* A TLV's length is 16 bits: the kernel's NFULNL_COPY_RANGE_MAX. */
#define PAYLOAD_TLV_MAX		(0xffff - 4)

struct tlv_writer {
	unsigned char *out;
	uint32_t used;
};

static void
put_tlv(struct tlv_writer *w, uint16_t type, const void *value, uint32_t len)
{
	uint16_t header[2] = { (uint16_t)(4 + len), type };
	uint32_t padded = (len + 3) & ~3u;

	memcpy(w->out + w->used, header, 4);
	memcpy(w->out + w->used + 4, value, len);
	memset(w->out + w->used + 4 + len, 0, padded - len);
	w->used += 4 + padded;
}

static void
put_be32(struct tlv_writer *w, uint16_t type, uint32_t value)
{
	uint32_t be = htonl(value);

	put_tlv(w, type, &be, 4);
}

/*
 * Writes the NFLOG packet into out (room: snaplen + NFLOG_OVERHEAD +
 * NFLOG_PREFIX_MAX) and returns its captured length, at most snaplen;
 * *wire_len gets the message's length.  The message is whole: its payload
 * attribute holds what was kept of the packet (the packet's own length is
 * in its IP header), as the kernel's nfnetlink_log sends a packet cut to
 * its copy range and libpcap's nflog: device reads it.  A frame length
 * beyond its TLVs makes Wireshark look for one more TLV past the captured
 * bytes, and it then dissects nothing of the payload.  Only headers longer
 * than the snap length leave the message cut.
 */
uint32_t
bpftrace_nflog_render(const struct ring_packet_meta *meta, const char *prefix,
    const unsigned char *payload, uint32_t payload_caplen,
    uint32_t payload_len, uint32_t snaplen, unsigned char *out,
    uint32_t *wire_len)
{
	struct tlv_writer w = { out, 4 };
	int outgoing = meta->packet_type == PACKET_OUTGOING;
	unsigned char packet_hdr[4];
	size_t prefix_len = strnlen(prefix, NFLOG_PREFIX_MAX - 1);
	char text[NFLOG_PREFIX_MAX];
	uint32_t header_len;

	out[0] = meta->hw_protocol == htons(0x0800) ? FAMILY_INET :
	    meta->hw_protocol == htons(0x86dd) ? FAMILY_INET6 : 0;
	out[1] = 0;		/* version */
	out[2] = out[3] = 0;	/* resource id */

	memcpy(packet_hdr, &meta->hw_protocol, 2);
	packet_hdr[2] = outgoing ? NF_INET_POST_ROUTING : NF_INET_PRE_ROUTING;
	packet_hdr[3] = 0;
	put_tlv(&w, NFULA_PACKET_HDR, packet_hdr, 4);
	memcpy(text, prefix, prefix_len);
	text[prefix_len] = '\0';
	put_tlv(&w, NFULA_PREFIX, text, (uint32_t)prefix_len + 1);
	if (meta->ifindex != 0)
		put_be32(&w,
		    outgoing ? NFULA_IFINDEX_OUTDEV : NFULA_IFINDEX_INDEV,
		    meta->ifindex);
	if (meta->mark != 0)
		put_be32(&w, NFULA_MARK, meta->mark);
	if (meta->flags & RING_META_HAS_SOCKET_IDS) {
		put_be32(&w, NFULA_UID, meta->uid);
		put_be32(&w, NFULA_GID, meta->gid);
	}
	/* ,track: the packet's identity, the same at every tap. */
	if (meta->flags & RING_META_TRACKED)
		put_be32(&w, NFULA_SEQ_GLOBAL, meta->track_id);

	/* The payload TLV: its length says what was captured. */
	header_len = w.used + 4;
	if (payload_caplen > PAYLOAD_TLV_MAX)
		payload_caplen = PAYLOAD_TLV_MAX;
	if (payload_caplen > payload_len)
		payload_caplen = payload_len;
	if (header_len >= snaplen)
		payload_caplen = 0;
	else if (payload_caplen > snaplen - header_len)
		payload_caplen = snaplen - header_len;
	*wire_len = header_len + payload_caplen;
	put_tlv(&w, NFULA_PAYLOAD, payload, payload_caplen);
	return header_len + payload_caplen < snaplen ?
	    header_len + payload_caplen : snaplen;
}

/*
 * The header's resource id (in the kernel, the nflog group: which rule
 * logged the packet; Wireshark's nflog.res_id): here which tap of a
 * joined capture saw the packet, counted from 0 in the order of the
 * name, so that one tap's packets are selected by a number
 * (tshark -2 -R 'nflog.res_id == 1') and a packet seen at several taps
 * reads as one per tap.  out is a rendering of bpftrace_nflog_render().
 */
void
bpftrace_nflog_set_resource_id(unsigned char *out, uint16_t id)
{
	out[2] = (unsigned char)(id >> 8);
	out[3] = (unsigned char)id;
}
