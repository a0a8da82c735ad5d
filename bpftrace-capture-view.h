/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The unprivileged half of the bpf: capture source: a grant's descriptors
 * (bpftrace-grant.h) turned into the mapped knobs and counters of each
 * tap's probe.  Nothing here calls bpf() or needs a privilege; closing a
 * view is what ends the capture (its links go with the last descriptor,
 * clsact filters with the guardian's watched pipe).
 */
#ifndef BPFTRACE_CAPTURE_VIEW_H
#define BPFTRACE_CAPTURE_VIEW_H

#include <stddef.h>
#include <stdint.h>

#include "bpf/filter_program.h"
#include "bpf/ring_record.h"
#include "bpftrace-grant.h"
#include "bpftrace-tc-guardian.h"

/* A probe's counters summed over its slots. */
struct capture_totals {
	uint64_t received;	/* passed the filter (ps_recv) */
	uint64_t dropped;	/* of those, no room in the ring (ps_drop) */
	uint64_t rejected;	/* refused by the in-kernel filter */
	uint64_t skipped;	/* runs the kernel skipped (its recursion
				   guard: the probe's tap hit again on a CPU
				   where it was running); packets unseen */
	uint64_t tracked;	/* ,track: entries made (packets followed) */
	uint64_t untracked;	/* entries removed when the skb was freed */
	uint64_t segments;	/* GSO segments followed (in tracked) */
	uint64_t segments_missed; /* GSO segments not followed */
};

struct tap_view {
	void *data_map;
	size_t data_len;
	void *bss_map;
	size_t bss_len;
	struct capture_settings *settings;	/* in data_map */
	const struct capture_counters *counters; /* in bss_map */
	struct capture_filter *filter;		/* in bss_map */
	int data_fd;
	int bss_fd;
	int link_fds[GRANT_LINKS_MAX];
	int prog_fds[GRANT_PROGS_MAX];
	struct tc_guardian guardian;
	uint32_t mechanism;		/* enum probe_mechanism */
};

int	bpftrace_capture_grant_verify(const struct capture_grant *g, char *err,
	    size_t errlen);
void	bpftrace_tap_view_init(struct tap_view *v);
int	bpftrace_tap_view_open(struct tap_view *v, struct tap_grant *g,
	    char *err,
	    size_t errlen);
void	bpftrace_tap_view_counters(const struct tap_view *v,
	    struct capture_totals *t);
void	bpftrace_tap_view_close(struct tap_view *v);

#endif /* BPFTRACE_CAPTURE_VIEW_H */
