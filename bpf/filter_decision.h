/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The contract between the capture probe (capture.bpf.c) and a compiled
 * filter (bpftrace-filter-compile.c): what the probe has decided about a
 * packet when it hands it to the filter, and where the filter leaves its
 * verdict.
 *
 * The probe renders the link-layer header and copies the first packet
 * bytes after it into this CPU's decision (the window), never the whole
 * packet: the filter reads the window, and bytes past it from the packet
 * itself, so a rejected packet costs the same whatever its size.  An
 * accepted packet is copied once, from the packet into the ring.
 *
 * The compiled filter is a program of the probe's own program type that
 * the probe reaches by a tail call through its programs map:
 *
 *   entry (attached) --tail call [FILTER_SLOT_COMPILED]--> compiled filter
 *   compiled filter, accepted --tail call [FILTER_SLOT_DELIVER]--> delivery
 *
 * The entry calls it only while filter.compiled_generation (filter_program.h)
 * names the active program; otherwise it runs the interpreter and delivers
 * itself, as it does for a packet followed since it matched (,track:
 * packet_track.h), which no filter sees.  On entry the compiled filter finds the context in R1 and this
 * CPU's decision at key 0 of the decision map (a per-CPU array whose value
 * starts with struct capture_decision).  It then either
 *   - rejects: adds 1 to counters[cpu % CAPTURE_COUNTER_SLOTS].rejected
 *     (ring_record.h, in the probe's .bss) and returns the tap's "go on"
 *     value (tc: -1, XDP: XDP_PASS, tracing: 0), or
 *   - accepts: stores the filter's return value in snap and its own
 *     generation in generation, then tail-calls FILTER_SLOT_DELIVER
 *     (returning "go on" if that fails).
 *
 * A load of size bytes at offset off of the rendered packet:
 *   off + size <= window_len: window[off ...], big-endian;
 *   off + size <= filter_len: the packet itself at
 *       copy_from + off - header_len (then off >= header_len):
 *       tc: bpf_skb_load_bytes(ctx, at, buf, size),
 *       XDP: bpf_xdp_load_bytes(ctx, at, buf, size),
 *       kernel skbs: bpf_probe_read_kernel(buf, size, head + at);
 *       a helper that fails rejects;
 *   otherwise the packet is rejected (libpcap's rule for loads past the
 *   end).  filter_len counts every byte the source holds, not only the
 *   snap length: a filter looking past a short snap length decides as
 *   AF_PACKET's socket filter would.
 *
 * Included by BPF C and by ordinary C, so it uses only fixed-size types.
 */
#ifndef BPFTRACE_FILTER_DECISION_H
#define BPFTRACE_FILTER_DECISION_H

#ifndef __bpf__
#include <linux/types.h>
#endif

#include "ring_record.h"

/* Packet bytes copied after the link header for the filter to read. */
#define DECISION_WINDOW		128

#define FILTER_SLOT_COMPILED	0
#define FILTER_SLOT_DELIVER	1
#define FILTER_SLOTS		2

/* Where the compiled filter reads packet bytes past the window. */
enum filter_source {
	FILTER_SOURCE_KERNEL_SKB,	/* bpf_probe_read_kernel from head */
	FILTER_SOURCE_TC,		/* bpf_skb_load_bytes */
	FILTER_SOURCE_XDP,		/* bpf_xdp_load_bytes */
	/*
	 * Kernel skbs whose paged data the probe reads (tp_btf): at
	 * at + size <= linear_end as FILTER_SOURCE_KERNEL_SKB, else (then
	 * at >= data_offset, or reject) bpf_dynptr_read() at at - data_offset
	 * of bpf_dynptr_from_skb() of the skb argument.
	 */
	FILTER_SOURCE_KERNEL_SKB_PAGED
};

struct capture_decision {
	__u64	head;		/* kernel skbs: skb->head */
	__u32	copy_from;	/* source offset of the byte after the header */
	__u32	header_len;	/* the rendered link header: window[0, header_len) */
	__u32	window_len;	/* header_len + the packet bytes in the window */
	__u32	filter_len;	/* header_len + every packet byte the source has */
	__u32	wire_len;	/* BPF_LEN: the packet's length on the wire */
	__u32	snap;		/* verdict: the filter's return value; 0 rejects */
	__u32	generation;	/* verdict: the program that decided; 0: none */
	/* FILTER_SOURCE_KERNEL_SKB_PAGED: head offsets of skb->data, linear end */
	__u32	data_offset;
	__u32	linear_end;
	/*
	 * Delivery through bpf_skb_output() (capture.bpf.c): header_len +
	 * every byte of the skb from copy_from, paged data included (what the
	 * record may hold; the filter still reads filter_len bytes).
	 */
	__u32	whole_len;
	__u8	window[RING_LINK_HEADER_MAX + DECISION_WINDOW];
};

#endif /* BPFTRACE_FILTER_DECISION_H */
