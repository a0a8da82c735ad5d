// SPDX-License-Identifier: (BSD-3-Clause OR GPL-2.0)
/*
 * The capture probe: runs at a kernel tap, finds the packet (struct sk_buff),
 * renders it in the handle's link type into a per-CPU scratch record and
 * hands the record to user space through a ring buffer.
 *
 * Rendering into scratch first, rather than reserving ring space up front,
 * is deliberate: the record size follows the packet (the ring holds many
 * small packets even with tcpdump's 256 KiB snaplen), and a later in-kernel
 * filter can run on the rendered bytes before any ring space is used.
 */
#include "kernel_types.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include "ring_record.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

/* Set by user space before load; frozen, so the verifier sees constants. */
const volatile __u32 skb_arg_index = 0;
const volatile __u32 snaplen = 262144;
const volatile __u32 tap_direction = RING_DIRECTION_INOUT;	/* known by tap */

/* Written by user space at any time through the mmapped .bss. */
struct capture_settings settings = { RING_DLT_LINUX_SLL2, RING_DIRECTION_INOUT };
struct capture_counters counters[CAPTURE_COUNTER_SLOTS];

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 1 << 21);	/* resized from the buffer size */
} ring SEC(".maps");

/*
 * One scratch record per CPU.  value_size and max_entries are set by user
 * space before load (record header + link header room + snaplen; number
 * of possible CPUs), so the value has no BTF type that would pin its size.  A program does not re-enter itself on one CPU, so a
 * slot is never shared by two runs at once.
 */
struct scratch_record {
	struct ring_record header;
	__u8 bytes[RING_LINK_HEADER_MAX + 64];
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, sizeof(struct scratch_record));
} scratch SEC(".maps");

#define ETH_P_IP	0x0800
#define ETH_P_IPV6	0x86DD
#define ARPHRD_ETHER	1
#define ARPHRD_LOOPBACK	772
#define ARPHRD_NONE	0xFFFE
#define PACKET_OUTGOING	4
#define HEADER_UNSET	0xFFFF

/* Where the packet lies in the skb, as offsets from skb->head. */
struct packet_layout {
	__u32	data_offset;	/* skb->data */
	__u32	linear_end;	/* end of the linear part */
	__u32	network_offset;	/* network header, or skb->data if unset */
	__u32	mac_offset;	/* MAC header; only if mac_valid */
	int	mac_valid;
	__u32	wire_len_from_network;
	unsigned char *head;
	__be16	protocol;
	int	ifindex;
	__u16	arphrd;
	__u8	packet_type;
};

static __always_inline __u16
swap16(__u16 v)
{
	return (__u16)((v >> 8) | (v << 8));
}

static __always_inline __u32
swap32(__u32 v)
{
	return ((v & 0xff) << 24) | ((v & 0xff00) << 8) |
	    ((v >> 8) & 0xff00) | (v >> 24);
}

/*
 * Reads the header offsets of the skb and decides which of them are valid.
 * Returns 0 when the skb holds no network packet (netlink, unix sockets).
 */
static __always_inline int
skb_packet_layout(struct sk_buff *skb, struct packet_layout *pl)
{
	unsigned char *data = BPF_CORE_READ(skb, data);
	__u32 len = BPF_CORE_READ(skb, len);
	__u32 data_len = BPF_CORE_READ(skb, data_len);
	__u16 network = BPF_CORE_READ(skb, network_header);
	__u16 mac = BPF_CORE_READ(skb, mac_header);
	struct net_device *dev = BPF_CORE_READ(skb, dev);
	__u8 version = 0;

	pl->head = BPF_CORE_READ(skb, head);
	if (!pl->head || !data || data_len > len)
		return 0;
	pl->data_offset = (__u32)(data - pl->head);
	pl->linear_end = pl->data_offset + (len - data_len);
	pl->protocol = BPF_CORE_READ(skb, protocol);

	/*
	 * A network header offset of 0 (or ~0) was never set: the head
	 * always has headroom in front of a real network header.
	 */
	if (network != 0 && network != HEADER_UNSET && network < pl->linear_end)
		pl->network_offset = network;
	else
		pl->network_offset = pl->data_offset;
	if (pl->protocol == 0) {
		if (network == 0 || network == HEADER_UNSET)
			return 0;
		bpf_probe_read_kernel(&version, 1, pl->head + network);
		if ((version >> 4) == 4)
			pl->protocol = swap16(ETH_P_IP);
		else if ((version >> 4) == 6)
			pl->protocol = swap16(ETH_P_IPV6);
		else
			return 0;
	}
	/* len counts from skb->data; the network header may lie on either side. */
	pl->wire_len_from_network = len + pl->data_offset - pl->network_offset;

	pl->mac_valid = mac != HEADER_UNSET && mac < pl->network_offset;
	pl->mac_offset = mac;

	if (dev) {
		pl->ifindex = BPF_CORE_READ(dev, ifindex);
		pl->arphrd = BPF_CORE_READ(dev, type);
	} else {
		pl->ifindex = BPF_CORE_READ(skb, skb_iif);
		pl->arphrd = ARPHRD_NONE;
	}

	/*
	 * Direction.  Taps on a transmit or receive path say so.  Elsewhere
	 * (kfree_skb, say) a received packet is one whose MAC header was set
	 * and then pulled by the driver (eth_type_trans); a packet on its way
	 * out has no MAC header yet, or skb->data still points at it.
	 */
	if (tap_direction == RING_DIRECTION_OUT)
		pl->packet_type = PACKET_OUTGOING;
	else if (tap_direction != RING_DIRECTION_IN &&
	    (mac == HEADER_UNSET || pl->data_offset <= mac))
		pl->packet_type = PACKET_OUTGOING;
	else
		pl->packet_type = BPF_CORE_READ_BITFIELD_PROBED(skb, pkt_type);
	return 1;
}

static __always_inline int
has_ethernet_header(const struct packet_layout *pl)
{
	return pl->mac_valid &&
	    (pl->arphrd == ARPHRD_ETHER || pl->arphrd == ARPHRD_LOOPBACK) &&
	    pl->network_offset - pl->mac_offset >= RING_ETHER_HEADER_LEN;
}

/*
 * Writes the link-layer header for link_type into out and says where the
 * bytes copied after it start.  Returns the header length, or -1 when the
 * packet cannot be shown in this link type.
 */
static __always_inline int
render_link_header(const struct packet_layout *pl, __u32 link_type,
    __u8 *out, __u32 *copy_from)
{
	*copy_from = pl->network_offset;
	if (link_type == RING_DLT_LINUX_SLL2) {
		__u32 ifindex = swap32((__u32)pl->ifindex);
		__u16 arphrd = swap16(pl->arphrd);

		__builtin_memset(out, 0, RING_SLL2_HEADER_LEN);
		__builtin_memcpy(out, &pl->protocol, 2);
		__builtin_memcpy(out + 4, &ifindex, 4);
		__builtin_memcpy(out + 8, &arphrd, 2);
		out[10] = pl->packet_type;
		if (has_ethernet_header(pl)) {
			out[11] = 6;	/* source MAC */
			bpf_probe_read_kernel(out + 12, 6,
			    pl->head + pl->mac_offset + 6);
		}
		return RING_SLL2_HEADER_LEN;
	}
	if (link_type == RING_DLT_EN10MB) {
		if (has_ethernet_header(pl)) {
			/* The real header, VLAN tags in the payload included. */
			*copy_from = pl->mac_offset;
			return 0;
		}
		__builtin_memset(out, 0, RING_ETHER_HEADER_LEN);
		__builtin_memcpy(out + 12, &pl->protocol, 2);
		return RING_ETHER_HEADER_LEN;
	}
	if (link_type == RING_DLT_RAW) {
		if (pl->protocol != swap16(ETH_P_IP) &&
		    pl->protocol != swap16(ETH_P_IPV6))
			return -1;
		return 0;
	}
	return -1;
}

static __always_inline struct capture_counters *
counter_slot(void)
{
	__u32 slot = bpf_get_smp_processor_id() % CAPTURE_COUNTER_SLOTS;

	return &counters[slot];
}

static __always_inline int
direction_wanted(__u8 packet_type)
{
	__u32 wanted = settings.direction;

	if (wanted == RING_DIRECTION_IN)
		return packet_type != PACKET_OUTGOING;
	if (wanted == RING_DIRECTION_OUT)
		return packet_type == PACKET_OUTGOING;
	return 1;
}

static __always_inline void
capture_skb(struct sk_buff *skb)
{
	struct packet_layout pl = {};
	struct scratch_record *rec;
	__u32 cpu = bpf_get_smp_processor_id();
	__u32 link_type = settings.link_type;
	__u32 copy_from, available, wire_len;
	__u64 header_len, copy_len;	/* 64-bit: no truncation the verifier loses */
	int rendered;

	if (!skb || !skb_packet_layout(skb, &pl))
		return;
	if (!direction_wanted(pl.packet_type))
		return;
	rec = bpf_map_lookup_elem(&scratch, &cpu);
	if (!rec)
		return;
	rendered = render_link_header(&pl, link_type, rec->bytes, &copy_from);
	if (rendered < 0)
		return;
	header_len = rendered;

	available = pl.linear_end > copy_from ? pl.linear_end - copy_from : 0;
	wire_len = pl.wire_len_from_network + (pl.network_offset - copy_from) +
	    header_len;
	copy_len = available;
	if (copy_len + header_len > snaplen)
		copy_len = snaplen > header_len ? snaplen - header_len : 0;
	/*
	 * Keep the bounds check in the code the verifier sees: clang would
	 * otherwise fold it into the one above.
	 */
	asm volatile("" : "+r"(copy_len));
	if (copy_len > snaplen)
		return;
	if (header_len > RING_LINK_HEADER_MAX)
		return;
	if (copy_len > 0 &&
	    bpf_probe_read_kernel(rec->bytes + header_len, copy_len,
	    pl.head + copy_from) != 0)
		return;

	rec->header.timestamp_ns = bpf_ktime_get_ns();
	rec->header.packet_len = wire_len;
	rec->header.captured_len = header_len + copy_len;
	rec->header.link_type = link_type;
	rec->header.tap_index = 0;
	rec->header.reserved = 0;

	struct capture_counters *c = counter_slot();

	__sync_fetch_and_add(&c->received, 1);
	if (bpf_ringbuf_output(&ring, rec,
	    sizeof(rec->header) + header_len + copy_len, 0) != 0)
		__sync_fetch_and_add(&c->dropped, 1);
}

/*
 * Loads the 64-bit context word at a constant byte offset.  Written in
 * assembly because the verifier only accepts context loads whose offset
 * is part of the load instruction, and clang may otherwise add the offset
 * to the pointer first.
 */
#define CONTEXT_WORD(ctx, offset) ({					\
	__u64 word_;							\
	asm volatile("%0 = *(u64 *)(%1 + " #offset ")"		\
	    : "=r"(word_) : "r"(ctx));					\
	word_; })

/*
 * Reads argument skb_arg_index of the tracepoint.  The index is a frozen
 * constant, so the verifier walks only the one case that applies.
 */
static __always_inline struct sk_buff *
skb_argument(void *ctx)
{
	__u64 word = 0;

	switch (skb_arg_index) {
	case 0: word = CONTEXT_WORD(ctx, 0); break;
	case 1: word = CONTEXT_WORD(ctx, 8); break;
	case 2: word = CONTEXT_WORD(ctx, 16); break;
	case 3: word = CONTEXT_WORD(ctx, 24); break;
	case 4: word = CONTEXT_WORD(ctx, 32); break;
	case 5: word = CONTEXT_WORD(ctx, 40); break;
	case 6: word = CONTEXT_WORD(ctx, 48); break;
	case 7: word = CONTEXT_WORD(ctx, 56); break;
	case 8: word = CONTEXT_WORD(ctx, 64); break;
	case 9: word = CONTEXT_WORD(ctx, 72); break;
	case 10: word = CONTEXT_WORD(ctx, 80); break;
	case 11: word = CONTEXT_WORD(ctx, 88); break;
	}
	return (struct sk_buff *)word;
}

/* BTF-typed tracepoint; the attach target is set by user space. */
SEC("tp_btf")
int
capture_tp_btf(__u64 *ctx)
{
	capture_skb(skb_argument(ctx));
	return 0;
}

/* The same for kernels without tp_btf, and for raw_tracepoint: taps. */
SEC("raw_tp")
int
capture_raw_tp(__u64 *ctx)
{
	capture_skb(skb_argument(ctx));
	return 0;
}
