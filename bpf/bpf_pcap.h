/* SPDX-License-Identifier: (BSD-3-Clause OR GPL-2.0) */
/*
 * bpf_pcap(): emit a packet from your own BPF program so that any libpcap
 * program captures it, e.g. 'tcpdump -i bpf:prog:ID'.
 *
 *	#include "vmlinux.h"	(or <linux/bpf.h>: then no struct sk_buff *)
 *	#include <bpf/bpf_helpers.h>
 *	#include "bpf_pcap.h"
 *
 *	struct {
 *		__uint(type, BPF_MAP_TYPE_PERF_EVENT_ARRAY);	(or RINGBUF)
 *		__uint(key_size, sizeof(__u32));
 *		__uint(value_size, sizeof(__u32));
 *	} packets SEC(".maps");
 *
 *	SEC("xdp") int trace(struct xdp_md *ctx)
 *	{
 *		bpf_pcap(ctx, 0, &packets, BPF_PCAP_ETHERNET, 42);
 *		return XDP_PASS;
 *	}
 *
 * bpf_pcap(data, max_len, map, protocol, flags)
 *   data	struct xdp_md * (XDP), struct __sk_buff * (tc) or
 *		struct sk_buff * (BTF tracing: tp_btf, fentry, fexit)
 *   max_len	bytes to capture at most; 0: as many as the capture asks
 *		for (the snap length, through bpf_pcap_conf) or can take
 *   map	a BPF_MAP_TYPE_PERF_EVENT_ARRAY or BPF_MAP_TYPE_RINGBUF map;
 *		struct sk_buff * needs a ring buffer (perf output from a
 *		tracing program needs that program's context)
 *   protocol	what the first captured byte starts, a pcap-linktype(7)
 *		value: BPF_PCAP_ETHERNET (1), BPF_PCAP_RAW (12 or 101: IPv4
 *		or IPv6 by its version), BPF_PCAP_IEEE802_11 (105), ...
 *		For struct sk_buff *, Ethernet starts at the MAC header and
 *		raw IP at the network header.
 *   flags	the low 48 bits are an id of your choosing, shown by the
 *		capture; BPF_PCAP_F_ID_IS_IFINDEX says the id is an
 *		interface index.
 * Returns 0, or a negative error (no room in the map, nothing to capture,
 * or an interface the capture is not interested in).
 *
 * Each record is a struct bpf_pcap_hdr followed by cap_len bytes.  The
 * capture side fills the bpf_pcap_conf map (defined here) from the
 * handle's snap length and link type when it attaches, so the program
 * captures what the user asked for.
 *
 * Tracing programs see only the skb's linear data (struct sk_buff *): a
 * packet whose payload sits in page fragments is captured up to the end
 * of the linear part, with its full length in tot_len.
 */
#ifndef BPF_PCAP_H
#define BPF_PCAP_H

#define BPF_PCAP_MAGIC		0xb9f0cab1	/* first word of every record */

/* pcap-linktype(7) values for the protocol argument. */
#define BPF_PCAP_ETHERNET	1
#define BPF_PCAP_RAW		12
#define BPF_PCAP_RAW_LINKTYPE	101
#define BPF_PCAP_IEEE802_11	105
#define BPF_PCAP_IPV4		228
#define BPF_PCAP_IPV6		229

#define BPF_PCAP_ID_MASK	0xffffffffffffULL
#define BPF_PCAP_F_ID_IS_IFINDEX (1ULL << 48)

#ifndef BPF_PCAP_MAX_LEN
#define BPF_PCAP_MAX_LEN	9216	/* the most one record carries */
#endif

struct bpf_pcap_hdr {
	__u32	magic;		/* BPF_PCAP_MAGIC */
	__u32	protocol;	/* pcap-linktype(7) of the bytes */
	__u64	flags;		/* id (low 48 bits) and BPF_PCAP_F_* */
	__u64	ktime_ns;	/* bpf_ktime_get_ns() at capture */
	__u32	tot_len;	/* length of the packet */
	__u32	cap_len;	/* bytes that follow */
};

/* Filled by the capture side; all zero means "no wishes". */
struct bpf_pcap_conf {
	__u32	protocol;	/* link type the capture shows (information) */
	__u32	max_len;	/* snap length; 0: no limit */
	__u32	ifindex;	/* capture only this interface; 0: all */
	__u32	reserved;
};

#ifdef __bpf__

struct bpf_pcap_buffer {
	struct bpf_pcap_hdr hdr;
	__u8 data[BPF_PCAP_MAX_LEN];
};

/* Where ring-buffer records are assembled: one per CPU. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct bpf_pcap_buffer);
} bpf_pcap_scratch SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct bpf_pcap_conf);
} bpf_pcap_conf SEC(".maps");

/* The map's type, from its definition (__uint(type, ...)), at compile time. */
#define bpf_pcap_map_type(map)	(sizeof(*(map)->type) / sizeof(int))

/*
 * The number of bytes to capture of a packet of len bytes, after the
 * caller's and the capture's limits; 0 when ifindex is not wanted.
 */
static __always_inline __u32
bpf_pcap_cap_len(__u32 len, __u32 max_len, __u32 ifindex)
{
	__u32 zero = 0;
	struct bpf_pcap_conf *conf = bpf_map_lookup_elem(&bpf_pcap_conf, &zero);

	if (conf) {
		if (conf->ifindex != 0 && conf->ifindex != ifindex)
			return 0;
		if (conf->max_len != 0 && (max_len == 0 || conf->max_len < max_len))
			max_len = conf->max_len;
	}
	if (max_len != 0 && len > max_len)
		len = max_len;
	if (len > BPF_PCAP_MAX_LEN)
		len = BPF_PCAP_MAX_LEN;
	return len;
}

static __always_inline void
bpf_pcap_fill(struct bpf_pcap_hdr *hdr, __u32 protocol, __u64 flags,
    __u32 tot_len, __u32 cap_len)
{
	hdr->magic = BPF_PCAP_MAGIC;
	hdr->protocol = protocol;
	hdr->flags = flags;
	hdr->ktime_ns = bpf_ktime_get_ns();
	hdr->tot_len = tot_len;
	hdr->cap_len = cap_len;
}

/*
 * Perf event array from tc or XDP: the header from the stack, the packet
 * appended by the kernel straight from the context (no copy here).
 */
static __always_inline long
bpf_pcap_perf(void *ctx, void *map, __u32 protocol, __u64 flags,
    __u32 tot_len, __u32 cap_len)
{
	struct bpf_pcap_hdr hdr;

	bpf_pcap_fill(&hdr, protocol, flags, tot_len, cap_len);
	return bpf_perf_event_output(ctx, map,
	    BPF_F_CURRENT_CPU | ((__u64)cap_len << 32), &hdr, sizeof(hdr));
}

/* A ring buffer: the record is assembled in this CPU's scratch buffer. */
static __always_inline struct bpf_pcap_buffer *
bpf_pcap_buffer(void)
{
	__u32 zero = 0;

	return bpf_map_lookup_elem(&bpf_pcap_scratch, &zero);
}

static __always_inline long
bpf_pcap_ring(void *map, struct bpf_pcap_buffer *buf, __u32 protocol,
    __u64 flags, __u32 tot_len, __u32 cap_len)
{
	__u64 size = cap_len;

	asm volatile("" : "+r"(size));
	if (size > BPF_PCAP_MAX_LEN)
		return -7;	/* E2BIG */
	bpf_pcap_fill(&buf->hdr, protocol, flags, tot_len, cap_len);
	return bpf_ringbuf_output(map, buf, sizeof(buf->hdr) + size, 0);
}

/* Copies len bytes (1..BPF_PCAP_MAX_LEN) with a bound the verifier sees. */
#define bpf_pcap_copy(load, buf, len) ({				\
	__u64 last_ = (__u64)(len) - 1;					\
	long err_ = -22;						\
	asm volatile("" : "+r"(last_));					\
	if (last_ < BPF_PCAP_MAX_LEN)					\
		err_ = load((buf)->data, last_ + 1);			\
	err_; })

static __always_inline long
bpf_pcap_tc(struct __sk_buff *skb, __u32 max_len, void *map, int map_type,
    __u32 protocol, __u64 flags)
{
	__u32 cap_len = bpf_pcap_cap_len(skb->len, max_len, skb->ifindex);
	struct bpf_pcap_buffer *buf;
	long err;

	if (cap_len == 0)
		return -61;	/* ENODATA */
	if (map_type == BPF_MAP_TYPE_PERF_EVENT_ARRAY)
		return bpf_pcap_perf(skb, map, protocol, flags, skb->len, cap_len);
	if (!(buf = bpf_pcap_buffer()))
		return -12;
#define BPF_PCAP_TC_LOAD(to, n) bpf_skb_load_bytes(skb, 0, to, n)
	err = bpf_pcap_copy(BPF_PCAP_TC_LOAD, buf, cap_len);
#undef BPF_PCAP_TC_LOAD
	if (err)
		return err;
	return bpf_pcap_ring(map, buf, protocol, flags, skb->len, cap_len);
}

static __always_inline long
bpf_pcap_xdp(struct xdp_md *xdp, __u32 max_len, void *map, int map_type,
    __u32 protocol, __u64 flags)
{
	__u32 len = bpf_xdp_get_buff_len(xdp);
	__u32 cap_len = bpf_pcap_cap_len(len, max_len, xdp->ingress_ifindex);
	struct bpf_pcap_buffer *buf;
	long err;

	if (cap_len == 0)
		return -61;
	if (map_type == BPF_MAP_TYPE_PERF_EVENT_ARRAY)
		return bpf_pcap_perf(xdp, map, protocol, flags, len, cap_len);
	if (!(buf = bpf_pcap_buffer()))
		return -12;
#define BPF_PCAP_XDP_LOAD(to, n) bpf_xdp_load_bytes(xdp, 0, to, n)
	err = bpf_pcap_copy(BPF_PCAP_XDP_LOAD, buf, cap_len);
#undef BPF_PCAP_XDP_LOAD
	if (err)
		return err;
	return bpf_pcap_ring(map, buf, protocol, flags, len, cap_len);
}

#ifdef __VMLINUX_H__	/* struct sk_buff is known (bpftool btf dump ... format c) */
/* A kernel skb from a BTF tracing program: its linear data. */
static __always_inline long
bpf_pcap_skb(struct sk_buff *skb, __u32 max_len, void *map, int map_type,
    __u32 protocol, __u64 flags)
{
	unsigned char *head = skb->head;
	unsigned char *data = skb->data;
	__u32 start = protocol == BPF_PCAP_ETHERNET ? skb->mac_header :
	    skb->network_header;
	__u32 from_data = (__u32)(data - head);
	__u32 tot_len, linear, cap_len, ifindex = 0;
	struct bpf_pcap_buffer *buf;
	long err;

	if (map_type != BPF_MAP_TYPE_RINGBUF)
		return -95;	/* EOPNOTSUPP: see the comment at the top */
	if (start == 0xffff || start > from_data + skb->len)
		start = from_data;	/* header not set: from skb->data */
	tot_len = skb->len + from_data - start;
	linear = skb->len - skb->data_len + from_data - start;
	if (skb->dev)
		ifindex = skb->dev->ifindex;
	cap_len = bpf_pcap_cap_len(linear, max_len, ifindex);
	if (cap_len == 0)
		return -61;
	if (!(buf = bpf_pcap_buffer()))
		return -12;
#define BPF_PCAP_SKB_LOAD(to, n) bpf_probe_read_kernel(to, n, head + start)
	err = bpf_pcap_copy(BPF_PCAP_SKB_LOAD, buf, cap_len);
#undef BPF_PCAP_SKB_LOAD
	if (err)
		return err;
	return bpf_pcap_ring(map, buf, protocol, flags, tot_len, cap_len);
}

#define BPF_PCAP_SKB_CASE	struct sk_buff *: bpf_pcap_skb,
#else
#define BPF_PCAP_SKB_CASE
#endif /* __VMLINUX_H__ */

#define bpf_pcap(data, max_len, map, protocol, flags)			\
	_Generic((data),						\
	    BPF_PCAP_SKB_CASE						\
	    struct xdp_md *: bpf_pcap_xdp,				\
	    struct __sk_buff *: bpf_pcap_tc)				\
	((data), (max_len), (map), bpf_pcap_map_type(map), (protocol), (flags))

#endif /* __bpf__ */
#endif /* BPF_PCAP_H */
