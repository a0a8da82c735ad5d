/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Rendering a packet in the handle's link type: the link-layer header is
 * written into this CPU's decision (filter_decision.h), where the filter
 * reads it and from where it is copied into the ring; the packet's bytes
 * follow it from the offset this returns.
 *
 * Included by capture.bpf.c.
 */
#ifndef BPFTRACE_LINK_HEADER_H
#define BPFTRACE_LINK_HEADER_H

/*
 * Writes the link-layer header for link_type into out and sets
 * *copy_from.  Returns the header length, or -1 when the packet cannot be
 * shown in this link type.
 */
static __always_inline int
render_link_header(int source, void *ctx, const struct packet_layout *pl,
    __u32 link_type, __u8 *out, __u32 *copy_from)
{
	*copy_from = pl->network_offset;
	if (link_type == RING_DLT_IEEE802_11) {
		/* At 802.11 taps the frame starts at skb->data. */
		if (source != SOURCE_KERNEL_SKB)
			return -1;
		*copy_from = pl->data_offset;
		return 0;
	}
	if (!pl->network_packet)
		return -1;
	if (link_type == RING_DLT_LINUX_SLL) {
		/*
		 * The cooked header every libpcap program knows (the "any"
		 * device's default): no interface, the rest as SLL2.
		 */
		__u16 packet_type = swap16(pl->packet_type);
		__u16 arphrd = swap16(pl->arphrd);

		__builtin_memset(out, 0, RING_SLL_HEADER_LEN);
		__builtin_memcpy(out, &packet_type, 2);
		__builtin_memcpy(out + 2, &arphrd, 2);
		if (pl->ethernet) {
			out[5] = 6;	/* the source MAC */
			copy_packet_bytes(source, ctx, pl->head,
			    pl->mac_offset + 6, out + 6, 6);
		}
		__builtin_memcpy(out + 14, &pl->protocol, 2);
		return RING_SLL_HEADER_LEN;
	}
	if (link_type == RING_DLT_LINUX_SLL2) {
		__u32 ifindex = swap32((__u32)pl->ifindex);
		__u16 arphrd = swap16(pl->arphrd);

		__builtin_memset(out, 0, RING_SLL2_HEADER_LEN);
		__builtin_memcpy(out, &pl->protocol, 2);
		__builtin_memcpy(out + 4, &ifindex, 4);
		__builtin_memcpy(out + 8, &arphrd, 2);
		out[10] = pl->packet_type;
		if (pl->ethernet) {
			out[11] = 6;	/* the source MAC */
			copy_packet_bytes(source, ctx, pl->head,
			    pl->mac_offset + 6, out + 12, 6);
		}
		return RING_SLL2_HEADER_LEN;
	}
	if (link_type == RING_DLT_EN10MB) {
		if (pl->ethernet && pl->vlan_present) {
			/*
			 * Put back the tag the device took out, after the
			 * addresses, as AF_PACKET captures show it.
			 */
			__u16 tci = swap16(pl->vlan_tci);

			if (copy_packet_bytes(source, ctx, pl->head,
			    pl->mac_offset, out, 12) != 0)
				return -1;
			__builtin_memcpy(out + 12, &pl->vlan_proto, 2);
			__builtin_memcpy(out + 14, &tci, 2);
			*copy_from = pl->mac_offset + 12;
			return 16;
		}
		if (pl->ethernet) {
			/* The real header, tags in the frame included. */
			*copy_from = pl->mac_offset;
			return 0;
		}
		__builtin_memset(out, 0, RING_ETHER_HEADER_LEN);
		__builtin_memcpy(out + 12, &pl->protocol, 2);
		return RING_ETHER_HEADER_LEN;
	}
	if (link_type == RING_DLT_NFLOG) {
		/* Metadata, then the packet from its network header. */
		fill_packet_meta(source, pl, (struct ring_packet_meta *)out);
		return sizeof(struct ring_packet_meta);
	}
	if (link_type == RING_DLT_RAW) {
		if (pl->protocol != swap16(ETH_P_IP) &&
		    pl->protocol != swap16(ETH_P_IPV6))
			return -1;
		return 0;
	}
	return -1;
}

#endif /* BPFTRACE_LINK_HEADER_H */
