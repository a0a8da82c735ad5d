/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The capture probe's classic BPF interpreter (bpf/packet_filter.h),
 * compiled as ordinary C so that a fuzz target can run it next to
 * libpcap's own interpreter.  packet_filter.h is BPF C included by
 * capture.bpf.c after three things it uses; here they are made of plain
 * memory:
 *
 *   scratch    the per-CPU array map of scratch records: one record, its
 *              packet room sized per run (probe_filter_record())
 *   filter     the memory-mapped program slots (struct capture_filter)
 *   snaplen    the load-time constant that sizes the packet room
 *
 * and the two helpers it calls: bpf_map_lookup_elem() on that map, and
 * bpf_loop(), which calls the step at most n times and stops when the step
 * returns 1, as the kernel's does.  The interpreter itself is the file the
 * probe is built from, unchanged.
 */
#ifndef PROBE_FILTER_SHIM_H
#define PROBE_FILTER_SHIM_H

#include <stdint.h>
#include <stdlib.h>
#include <linux/types.h>

#include "bpf/filter_program.h"
#include "bpf/ring_record.h"

#ifndef __always_inline
#define __always_inline	inline __attribute__((always_inline))
#endif

/* As in capture.bpf.c, the packet room sized at load time. */
struct scratch_record {
	struct filter_state filter;
	__u8 bytes[];
};

static struct scratch_record *scratch;	/* the map: one record */
static struct capture_filter filter;
static __u32 snaplen;

static void *
bpf_map_lookup_elem(void *map, const void *key)
{
	(void)key;
	return *(struct scratch_record **)map;
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

/* BPF C: bpf_loop()'s callback has an index it does not need. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-parameter"
#include "bpf/packet_filter.h"
#pragma GCC diagnostic pop

/*
 * The map's one scratch record, with room for the probe's snap length as
 * the probe's loader sizes the map's value; the caller frees it.
 */
static inline struct scratch_record *
probe_filter_record(__u32 probe_snaplen)
{
	snaplen = probe_snaplen;
	scratch = calloc(1, sizeof(struct scratch_record) +
	    RING_LINK_HEADER_MAX + (size_t)probe_snaplen);
	return scratch;
}

#endif /* PROBE_FILTER_SHIM_H */
