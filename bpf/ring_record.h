/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The contract between the capture probe (capture.bpf.c) and the user-space
 * reader (bpftrace-ring.c, pcap-bpftrace.c): what one ring-buffer record
 * holds, and the knobs user space may change while a capture runs.
 *
 * Included by BPF C and by ordinary C, so it uses only fixed-size types.
 */
#ifndef BPFTRACE_RING_RECORD_H
#define BPFTRACE_RING_RECORD_H

#ifdef __bpf__
/* The BPF side gets the __u* types from its own kernel_types.h. */
#else
#include <linux/types.h>
#endif

/*
 * One captured packet.  The rendered packet (link-layer header first, in
 * the link type named by link_type) follows the header directly.
 */
struct ring_record {
	__u64	timestamp_ns;	/* CLOCK_MONOTONIC, from bpf_ktime_get_ns() */
	__u32	packet_len;	/* length on the wire, link header included */
	__u32	captured_len;	/* bytes that follow this header */
	__u16	link_type;	/* DLT_ value the bytes are rendered in */
	__u16	tap_index;	/* which tap of the capture saw it */
	__u32	filter_generation;	/* in-kernel filter it passed; 0: none
					   (see filter_program.h) */
};

/* Link types the probe can render; the values are libpcap's DLT_ values. */
#define RING_DLT_EN10MB		1
#define RING_DLT_RAW		12
#define RING_DLT_LINUX_SLL	113
#define RING_DLT_LINUX_SLL2	276
#define RING_DLT_IEEE802_11	105
#define RING_DLT_NFLOG		239

#define RING_SLL_HEADER_LEN	16
#define RING_SLL2_HEADER_LEN	20
#define RING_ETHER_HEADER_LEN	14
/* Room reserved in front of the packet bytes for any link header. */
#define RING_LINK_HEADER_MAX	64

/*
 * NFLOG records carry this block, then the packet from its network
 * header; user space turns both into NFLOG's header and TLVs
 * (bpftrace-nflog.c), adding the prefix text it knows: the tap's name,
 * the drop reason's name, the process.
 */
#define RING_META_HAS_SOCKET_IDS	0x01	/* uid, gid are known */
#define RING_META_IN_TASK		0x02	/* pid, comm are the process's */
#define RING_META_HAS_REASON		0x04
#define RING_META_TRACKED		0x08	/* ,track: track_id is set */
#define RING_META_HAS_VERDICT		0x20	/* at the user's XDP or tc
						   program: verdict is set */
#define RING_META_FUNCTION		0x10	/* function_id is set */

struct ring_packet_meta {
	__u32	ifindex;
	__u32	mark;
	__u32	uid;
	__u32	gid;
	__u32	pid;
	__u32	reason;		/* the tap's reason argument */
	__be16	hw_protocol;
	__u8	packet_type;	/* PACKET_* */
	__u8	flags;		/* RING_META_* */
	char	comm[16];
	__u32	track_id;	/* RING_META_TRACKED: the packet's identity */
	__s32	verdict;	/* RING_META_HAS_VERDICT: what the user's
				   program returned (XDP_*, TC_ACT_*) */
	__u32	function_id;	/* RING_META_FUNCTION: a kprobe pattern's
				   function that saw the packet, by its
				   BTF id in vmlinux */
};

/*
 * A kprobe pattern's functions share one program; each attachment's
 * cookie tells it which function it runs for (the BTF id, which the
 * reader turns into the name) and which register holds the skb.
 */
#define FUNCTION_COOKIE(btf_id, skb_arg) \
	((__u64)(skb_arg) << 32 | (__u64)(__u32)(btf_id))
#define FUNCTION_COOKIE_BTF_ID(cookie)	((__u32)(cookie))
#define FUNCTION_COOKIE_SKB_ARG(cookie)	((__u32)((cookie) >> 32))

/* Directions, numbered as libpcap's pcap_direction_t. */
#define RING_DIRECTION_INOUT	0
#define RING_DIRECTION_IN	1
#define RING_DIRECTION_OUT	2

/*
 * Knobs user space writes through the memory-mapped .bss while the probe
 * runs.  A plain store is enough: no bpf() call, so they keep working after
 * the application has dropped its privileges.
 */
struct capture_settings {
	__u32	link_type;	/* RING_DLT_* */
	__u32	direction;	/* RING_DIRECTION_* */
	__u32	wakeup_bytes;	/* wake the reader once this much waits, */
	__u32	reader_idle;	/* or whenever the reader may be asleep
				   with nothing else to wake it (see
				   wakeup_flags() in capture.bpf.c) */
	__u64	wakeup_interval_ns;	/* or this long after the last wakeup;
					   wakeup_bytes 0: for every record
					   (immediate mode) */
	__u32	skb_output;	/* 1: kernel skbs go whole into the perf
				   array (a probe loaded with skb_output,
				   once user space reads the array) */
	__u32	reserved;
};

/*
 * A perf sample of a probe delivering through bpf_skb_output() (the raw
 * bytes): this, the record header, meta_len bytes of the record (the
 * rendered link header, and any bytes before skb->data: a received
 * frame's MAC header), then bytes of the skb from skb->data, the first
 * skip of which are not the record's (those the link header replaced).
 * captured_len = meta_len + skb bytes - skip.
 */
struct skb_output_prefix {
	__u32	meta_len;
	__u32	skip;
};

/*
 * A record that only wakes the reader: the header, captured_len 0, this
 * link type.  Not a packet; the reader passes over it.
 */
#define RING_WAKEUP_ONLY	0

/*
 * Counters, one cache line per slot; a CPU adds into slot (cpu % slots)
 * with atomic adds, so the sums are exact however many CPUs share a slot.
 */
#define CAPTURE_COUNTER_SLOTS	64

struct capture_counters {
	__u64	received;	/* passed direction, link type and filter */
	__u64	dropped;	/* of those, no room in the ring */
	__u64	rejected;	/* refused by the in-kernel filter */
	__u64	tracked;	/* ,track: packets that began to be followed
				   (entries inserted, clones included) */
	__u64	untracked;	/* entries removed when the packet was freed */
	__u64	segments;	/* GSO segments followed (in tracked too) */
	__u64	segments_missed; /* GSO segments not followed: past the
				   bound, or the map refused them */
	__u64	padding[1];
};

/*
 * A capture scoped to a cgroup (bpftrace-scope.h) finds it among the
 * first this many levels of the packet's socket's cgroup, from the root.
 */
#define SCOPE_CGROUP_LEVELS	16

#endif /* BPFTRACE_RING_RECORD_H */
