/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The capture probe's classic BPF interpreter (bpf/packet_filter.h),
 * compiled as ordinary C so that a fuzz target can run it next to
 * libpcap's own interpreter.  packet_filter.h is BPF C included by
 * capture.bpf.c after what it uses; here that is made of plain memory:
 *
 *   decision   the per-CPU decision map: one struct decision_record (as
 *              capture.bpf.c lays it out), the packet's first bytes in
 *              its window (probe_filter_record())
 *   filter     the memory-mapped program slots (struct capture_filter)
 *   snaplen    the load-time constant
 *
 * and the helpers it calls: bpf_map_lookup_elem() on that map,
 * bpf_loop(), which calls the step at most n times and stops when the step
 * returns 1, as the kernel's does, and copy_packet_bytes(), which reads
 * the bytes past the window from the packet (a kernel skb's head: plain
 * memory).  The interpreter itself is the file the probe is built from,
 * unchanged.
 */
#ifndef PROBE_FILTER_SHIM_H
#define PROBE_FILTER_SHIM_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <linux/types.h>

#include "bpf/filter_program.h"
#include "bpf/filter_decision.h"
#include "bpf/ring_record.h"

#ifndef __always_inline
#define __always_inline	inline __attribute__((always_inline))
#endif

/* As in packet_layout.h and capture.bpf.c. */
enum packet_source { SOURCE_KERNEL_SKB, SOURCE_TC, SOURCE_XDP };

struct decision_record {
	struct capture_decision d;
	struct ring_record header;
	__u8 body[RING_LINK_HEADER_MAX + DECISION_WINDOW];
	struct filter_state filter;
};

static struct decision_record *decision;	/* the map: one value */
static struct capture_filter filter;
static __u32 snaplen;

static void *
bpf_map_lookup_elem(void *map, const void *key)
{
	(void)key;
	return *(struct decision_record **)map;
}

static long
bpf_loop(__u32 n, long (*step)(__u64 index, void *ctx), void *ctx,
    __u64 flags)
{
	__u32 i;

	(void)flags;
	for (i = 0; i < n; i++)
		if (step(i, ctx) != 0)
			return (long)i + 1;
	return (long)n;
}

/* The packet past the window: a kernel skb's head, here plain memory. */
static long
copy_packet_bytes(int source, void *ctx, const unsigned char *head,
    __u32 from, void *dst, __u32 len)
{
	(void)source;
	(void)ctx;
	memcpy(dst, head + from, len);
	return 0;
}

/* BPF C: bpf_loop()'s callback has an index it does not need. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-parameter"
#include "bpf/packet_filter.h"
#pragma GCC diagnostic pop

/*
 * The map's value for a packet of available bytes at packet (which must
 * stay valid while the filter runs) behind a link header of header_len
 * bytes: the header, then the window, as the probe's entry program fills
 * them.  The caller frees it.
 */
static inline struct decision_record *
probe_filter_record(__u32 probe_snaplen, const __u8 *packet,
    __u32 available, __u32 header_len, __u32 wire_len)
{
	__u32 window = available < DECISION_WINDOW ? available :
	    DECISION_WINDOW;

	snaplen = probe_snaplen;
	decision = calloc(1, sizeof(*decision));
	if (decision == NULL)
		return NULL;
	memset(decision->d.window, 0x5a, header_len);
	memcpy(decision->d.window + header_len, packet, window);
	decision->d.head = (__u64)(uintptr_t)packet;
	decision->d.copy_from = 0;
	decision->d.header_len = header_len;
	decision->d.window_len = header_len + window;
	decision->d.filter_len = header_len + available;
	decision->d.wire_len = wire_len;
	return decision;
}

#endif /* PROBE_FILTER_SHIM_H */
