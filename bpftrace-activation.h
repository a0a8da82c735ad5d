/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The privileged half of the bpf: capture source: a device name and the
 * capture's parameters in, the taps resolved (bpftrace_capture_prepare()); then
 * the probes loaded and attached, out as a grant of descriptors
 * (bpftrace-grant.h: bpftrace_capture_start()).  Runs in the capturing process when it
 * holds the capabilities, and in the capture broker for it otherwise.
 * Everything in the request is treated as untrusted.
 */
#ifndef BPFTRACE_ACTIVATION_H
#define BPFTRACE_ACTIVATION_H

#include <stddef.h>
#include <stdint.h>

#include "bpftrace-filter-target.h"
#include "bpftrace-grant.h"

#define CAPTURE_DEVICE_MAX	1024	/* a whole name, taps joined */

struct capture_request {
	const char *device;		/* the whole bpf: name, taps joined */
	uint32_t snaplen;
	uint64_t ring_bytes;		/* 0: the default */
	uint32_t netns_inode;		/* the reader's network namespace */
	uint32_t families_allowed;	/* bit (1 << enum tap_family) each */
	int perf_reader;		/* the reader is this process, which
					   can open perf events: the probes
					   may deliver paged data through a
					   perf array (grant->perf_fd) */
};

/* The resolved taps, then their probes, kept by whoever activated. */
struct capture_holding;

int	bpftrace_capture_prepare(const struct capture_request *req,
	    struct capture_grant *grant, struct capture_holding **holding,
	    char *err, size_t errlen);
int	bpftrace_capture_start(struct capture_holding *holding,
	    struct capture_grant *grant, char *err, size_t errlen);
void	bpftrace_capture_holding_release(struct capture_holding *holding);
int	bpftrace_capture_filter_targets(const struct capture_holding *holding,
	    struct filter_target *targets, int max);

#define CAPTURE_DEFAULT_RING_BYTES	(2 * 1024 * 1024)

#endif /* BPFTRACE_ACTIVATION_H */
