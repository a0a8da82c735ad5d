/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The capture probe's life: load the embedded BPF object with the
 * handle's settings, attach it to its tap by the first mechanism the
 * kernel accepts, expose the ring and the run-time knobs, and take
 * everything down again.
 */
#ifndef BPFTRACE_PROBE_H
#define BPFTRACE_PROBE_H

#include <stddef.h>
#include <stdint.h>

#include "bpf/filter_program.h"
#include "bpf/ring_record.h"
#include "bpftrace-filter-target.h"
#include "bpftrace-resolved-tap.h"
#include "bpftrace-scope.h"

struct capture_probe;

struct capture_probe_request {
	const char *device;		/* for messages */
	const struct resolved_tap *tap;
	uint32_t snaplen;
	size_t ring_bytes;		/* rounded up to a power of two */
	uint32_t link_type;		/* RING_DLT_* */
	uint16_t tap_index;		/* in the capture's records */
	int shared_ring_fd;		/* another probe's ring to write to;
					   -1: a ring of its own */
	int shared_perf_fd;		/* and perf array (skb_output); -1 */
	uint32_t netns_inode;		/* the reader's network namespace
					   (interface indexes); 0: unknown */
	struct probe_scope scope;	/* packets the probe may capture */
	/* scope.track_entries != 0: ,track (bpf/packet_track.h) */
	int shared_track_fd;		/* another probe's packets followed;
					   -1: its own */
	int track_free_tap;		/* the tap is where skbs are freed */
	int untrack_kfree_skb;		/* forget at skb:kfree_skb, */
	int untrack_consume_skb;	/* at skb:consume_skb (not taps) */
	int track_segments;		/* follow GSO segments (one probe) */
};

int	bpftrace_capture_probe_open(const struct capture_probe_request *req,
	    struct capture_probe **probe, char *err, size_t errlen);
int	bpftrace_capture_probe_ring_fd(const struct capture_probe *probe);
int	bpftrace_capture_probe_track_fd(const struct capture_probe *probe);
int	bpftrace_capture_probe_perf_fd(const struct capture_probe *probe);
int	bpftrace_capture_probe_skb_output(const struct capture_probe *probe);
size_t	bpftrace_capture_probe_ring_bytes(const struct capture_probe *probe);
void	bpftrace_capture_probe_close(struct capture_probe *probe);
/*
 * What a filter compiler needs to build a program the loaded probe can
 * tail-call (bpftrace-filter-target.h).  0, or an errno.
 */
int	bpftrace_capture_probe_filter_target(const struct capture_probe *probe,
	    struct filter_target *target);

struct tap_grant;
int	bpftrace_capture_probe_preflight(const struct resolved_tap *tap,
	    const char *device, char *err, size_t errlen);
int	bpftrace_capture_probe_export(struct capture_probe *probe,
	    struct tap_grant *grant);

#endif /* BPFTRACE_PROBE_H */
