/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * bpf_pcap() records into packets.  Conversions are made only where they
 * are exact: Ethernet to LINUX_SLL and LINUX_SLL2 (the Ethernet header
 * becomes the cooked header: protocol, source address, packet type from
 * the destination) and to RAW (IPv4/IPv6 frames lose their Ethernet
 * header), raw IP to the cooked headers.  Everything else of another
 * protocol than the link type is reported unconvertible.
 */
#include <string.h>
#include <arpa/inet.h>

#include <linux/types.h>

#include "bpf/bpf_pcap.h"
#include "bpftrace-user-record.h"

#define ETHER_HEADER_LEN	14
#define ETHERTYPE_IPV4		0x0800
#define ETHERTYPE_IPV6		0x86dd
#define ARPHRD_ETHER		1
#define ARPHRD_NONE		0xfffe
#define PACKET_HOST		0
#define PACKET_BROADCAST	1
#define PACKET_MULTICAST	2

static int
known_protocol(uint32_t protocol)
{
	switch (protocol) {
	case BPF_PCAP_ETHERNET:
	case BPF_PCAP_RAW:
	case BPF_PCAP_RAW_LINKTYPE:
	case BPF_PCAP_IEEE802_11:
	case BPF_PCAP_IPV4:
	case BPF_PCAP_IPV6:
	case RING_DLT_LINUX_SLL:
	case RING_DLT_LINUX_SLL2:
		return 1;
	}
	return 0;
}

static int
is_raw_ip(uint32_t protocol)
{
	return protocol == BPF_PCAP_RAW || protocol == BPF_PCAP_RAW_LINKTYPE ||
	    protocol == BPF_PCAP_IPV4 || protocol == BPF_PCAP_IPV6;
}

static void
put16(unsigned char *p, uint16_t v)
{
	p[0] = (unsigned char)(v >> 8);
	p[1] = (unsigned char)v;
}

static void
put32(unsigned char *p, uint32_t v)
{
	put16(p, (uint16_t)(v >> 16));
	put16(p + 2, (uint16_t)v);
}

/* The interface the record's id names, if it names one (else 0). */
static uint32_t
id_ifindex(const struct bpf_pcap_hdr *h)
{
	if ((h->flags & BPF_PCAP_F_ID_IS_IFINDEX) &&
	    (h->flags & BPF_PCAP_ID_MASK) <= 0xffffffffu)
		return (uint32_t)(h->flags & BPF_PCAP_ID_MASK);
	return 0;
}

static int
is_cooked(int link_type)
{
	return link_type == RING_DLT_LINUX_SLL ||
	    link_type == RING_DLT_LINUX_SLL2;
}

/*
 * Writes a LINUX_SLL or LINUX_SLL2 header (link_type) followed by payload
 * (at most snaplen bytes in all) into scratch.  Only SLL2 has room for
 * the interface.
 */
static void
render_cooked(int link_type, const struct bpf_pcap_hdr *h, uint16_t protocol,
    uint16_t hatype, uint8_t pkttype, const unsigned char *addr,
    const unsigned char *payload, uint32_t payload_cap, uint32_t payload_len,
    uint32_t snaplen, unsigned char *scratch, struct user_packet *out)
{
	uint32_t header, room;

	if (link_type == RING_DLT_LINUX_SLL2) {
		header = RING_SLL2_HEADER_LEN;
		memset(scratch, 0, header);
		put16(scratch, protocol);
		put32(scratch + 4, id_ifindex(h));
		put16(scratch + 8, hatype);
		scratch[10] = pkttype;
		if (addr != NULL) {
			scratch[11] = 6;
			memcpy(scratch + 12, addr, 6);
		}
	} else {
		header = RING_SLL_HEADER_LEN;
		memset(scratch, 0, header);
		put16(scratch, pkttype);
		put16(scratch + 2, hatype);
		if (addr != NULL) {
			put16(scratch + 4, 6);
			memcpy(scratch + 6, addr, 6);
		}
		put16(scratch + 14, protocol);
	}
	room = snaplen > header ? snaplen - header : 0;
	if (payload_cap > room)
		payload_cap = room;
	memcpy(scratch + header, payload, payload_cap);
	out->bytes = scratch;
	out->caplen = header + payload_cap;
	out->len = header + payload_len;
	if (out->caplen > snaplen)
		out->caplen = snaplen;
}

/* The packet type an Ethernet destination address says. */
static uint8_t
packet_type_of(const unsigned char *destination)
{
	if (memcmp(destination, "\xff\xff\xff\xff\xff\xff", 6) == 0)
		return PACKET_BROADCAST;
	return destination[0] & 1 ? PACKET_MULTICAST : PACKET_HOST;
}

/* NFLOG: the payload from the network header, and what is known of it. */
static int
as_nflog(const struct bpf_pcap_hdr *h, const unsigned char *bytes,
    struct user_packet *out)
{
	struct ring_packet_meta *m = &out->meta;

	memset(m, 0, sizeof(*m));
	m->ifindex = id_ifindex(h);
	if (h->protocol == BPF_PCAP_ETHERNET) {
		if (h->cap_len < ETHER_HEADER_LEN)
			return USER_RECORD_UNCONVERTIBLE;
		memcpy(&m->hw_protocol, bytes + 12, 2);
		m->packet_type = packet_type_of(bytes);
		out->bytes = bytes + ETHER_HEADER_LEN;
		out->caplen = h->cap_len - ETHER_HEADER_LEN;
		out->len = h->tot_len - ETHER_HEADER_LEN;
	} else if (is_raw_ip(h->protocol) && h->cap_len >= 1 &&
	    (bytes[0] >> 4 == 4 || bytes[0] >> 4 == 6)) {
		m->hw_protocol = bytes[0] >> 4 == 4 ? htons(ETHERTYPE_IPV4) :
		    htons(ETHERTYPE_IPV6);
		out->bytes = bytes;
		out->caplen = h->cap_len;
		out->len = h->tot_len;
	} else {
		return USER_RECORD_UNCONVERTIBLE;
	}
	out->nflog = 1;
	return USER_RECORD_OK;
}

/*
 * Checks one record and renders it in link_type (a DLT_ value).  scratch
 * must hold snaplen + USER_RECORD_HEADER_ROOM bytes.
 */
int
bpftrace_user_record_render(const void *rec, size_t rec_len, int link_type,
    uint32_t snaplen, unsigned char *scratch, struct user_packet *out)
{
	struct bpf_pcap_hdr h;
	const unsigned char *bytes = (const unsigned char *)rec + sizeof(h);

	if (rec_len < sizeof(h))
		return USER_RECORD_MALFORMED;
	memcpy(&h, rec, sizeof(h));	/* the record may be unaligned */
	if (h.magic != BPF_PCAP_MAGIC || h.cap_len > rec_len - sizeof(h) ||
	    h.cap_len > h.tot_len || h.tot_len > UINT32_MAX - USER_RECORD_HEADER_ROOM ||
	    !known_protocol(h.protocol))
		return USER_RECORD_MALFORMED;
	out->ktime_ns = h.ktime_ns;
	out->id = h.flags & BPF_PCAP_ID_MASK;
	out->nflog = 0;

	if ((uint32_t)link_type == h.protocol ||
	    (link_type == RING_DLT_RAW && is_raw_ip(h.protocol))) {
		out->bytes = bytes;
		out->caplen = h.cap_len < snaplen ? h.cap_len : snaplen;
		out->len = h.tot_len;
		return USER_RECORD_OK;
	}
	if (link_type == RING_DLT_NFLOG)
		return as_nflog(&h, bytes, out);
	if (h.protocol == BPF_PCAP_ETHERNET) {
		uint16_t type;
		uint8_t pkttype;

		if (h.cap_len < ETHER_HEADER_LEN)
			return USER_RECORD_UNCONVERTIBLE;
		type = (uint16_t)(bytes[12] << 8 | bytes[13]);
		if (link_type == RING_DLT_RAW) {
			if (type != ETHERTYPE_IPV4 && type != ETHERTYPE_IPV6)
				return USER_RECORD_UNCONVERTIBLE;
			out->bytes = bytes + ETHER_HEADER_LEN;
			out->caplen = h.cap_len - ETHER_HEADER_LEN;
			if (out->caplen > snaplen)
				out->caplen = snaplen;
			out->len = h.tot_len - ETHER_HEADER_LEN;
			return USER_RECORD_OK;
		}
		if (!is_cooked(link_type))
			return USER_RECORD_UNCONVERTIBLE;
		pkttype = packet_type_of(bytes);
		render_cooked(link_type, &h, type, ARPHRD_ETHER, pkttype,
		    bytes + 6,
		    bytes + ETHER_HEADER_LEN, h.cap_len - ETHER_HEADER_LEN,
		    h.tot_len - ETHER_HEADER_LEN, snaplen, scratch, out);
		return USER_RECORD_OK;
	}
	if (is_raw_ip(h.protocol) && is_cooked(link_type)) {
		uint16_t type;

		if (h.cap_len < 1)
			return USER_RECORD_UNCONVERTIBLE;
		switch (bytes[0] >> 4) {
		case 4: type = ETHERTYPE_IPV4; break;
		case 6: type = ETHERTYPE_IPV6; break;
		default: return USER_RECORD_UNCONVERTIBLE;
		}
		render_cooked(link_type, &h, type, ARPHRD_NONE, PACKET_HOST,
		    NULL, bytes, h.cap_len, h.tot_len, snaplen, scratch, out);
		return USER_RECORD_OK;
	}
	return USER_RECORD_UNCONVERTIBLE;
}
