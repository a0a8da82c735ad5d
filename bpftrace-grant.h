/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The seam between the two halves of the bpf: capture source.  The
 * privileged half (bpftrace-activation.c: a device name -> resolved taps
 * -> loaded, attached probes) hands the unprivileged half
 * (bpftrace-capture-view.c: descriptors -> mapped ring and settings ->
 * packets) nothing but this: descriptors and plain numbers, which can
 * cross a Unix socket (SCM_RIGHTS) when the privileged half runs in the
 * capture broker.  Reading, filtering, statistics and closing then need no
 * bpf() call and no privilege.
 */
#ifndef BPFTRACE_GRANT_H
#define BPFTRACE_GRANT_H

#include <stdint.h>

#include "bpftrace-tap-name.h"

#define GRANT_LINKS_MAX		2	/* tcx ingress and egress */
#define GRANT_PROGS_MAX		2	/* tc ingress and egress */
/* Descriptors of one tap: maps, guardian pipes, links, programs. */
#define GRANT_TAP_FDS		(4 + GRANT_LINKS_MAX + GRANT_PROGS_MAX)
#define GRANT_REASON_ENUM_MAX	32

/*
 * One tap's probe.  Its .data map holds the settings, its .bss map the
 * counters and the filter, at the offsets given (so that a broker and a
 * library of other builds cannot disagree silently); both maps are
 * memory-mapped, read and written without system calls.
 */
struct tap_grant {
	int32_t data_fd;
	int32_t bss_fd;
	int32_t link_fds[GRANT_LINKS_MAX];	/* the attachments; -1: none */
	int32_t prog_fds[GRANT_PROGS_MAX];	/* the probe's programs, whose
					   fdinfo counts the runs the kernel
					   skipped (recursion_misses) */
	int32_t guardian_watch_fd;	/* clsact: see bpftrace-tc-guardian.h */
	int32_t guardian_done_fd;
	uint32_t data_size;		/* the maps' value sizes */
	uint32_t bss_size;
	uint32_t settings_offset;	/* struct capture_settings in .data */
	uint32_t counters_offset;	/* counters[CAPTURE_COUNTER_SLOTS] in .bss */
	uint32_t filter_offset;		/* struct capture_filter in .bss */
	uint32_t mechanism;		/* enum probe_mechanism */
	uint32_t ethernet_interface;	/* a tc or XDP tap of an Ethernet
					   (or loopback) interface */
	uint32_t ieee80211;		/* its packets are 802.11 frames */
	int32_t reason_arg_index;	/* -1: no drop/reset reason */
	char reason_enum[GRANT_REASON_ENUM_MAX];	/* its enum's name */
};

/* A whole capture: its taps write into the first tap's ring. */
struct capture_grant {
	int32_t ring_fd;
	uint64_t ring_bytes;		/* data size, a power of two of pages */
	int32_t perf_fd;		/* in process only: the perf array of
					   probes with skb_output; -1: none */
	uint32_t link_type;		/* the probes render this (RING_DLT_*)
					   until told otherwise: the default */
	uint32_t tap_count;
	struct tap_grant taps[TAPS_MAX];
};

void	bpftrace_capture_grant_init(struct capture_grant *g);
void	bpftrace_capture_grant_close(struct capture_grant *g);

#endif /* BPFTRACE_GRANT_H */
