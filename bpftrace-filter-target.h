/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What a filter compiler needs to know of one loaded capture probe: the
 * program type it must match (a tail call reaches only a program of the
 * caller's type and attach target), where the packet is read from, and
 * the descriptors of the maps the compiled program uses
 * (bpf/filter_decision.h).  The descriptors belong to the probe.
 */
#ifndef BPFTRACE_FILTER_TARGET_H
#define BPFTRACE_FILTER_TARGET_H

#include <stdint.h>

#include "bpf/filter_decision.h"

struct filter_target {
	enum filter_source source;
	int	prog_type;		/* enum bpf_prog_type */
	int	expected_attach_type;	/* enum bpf_attach_type */
	uint32_t attach_btf_id;		/* tracing types: the target's BTF id */
	int	attach_btf_obj_fd;	/* its module's BTF; -1: vmlinux */
	int	xdp_frags;		/* loaded with BPF_F_XDP_HAS_FRAGS */
	int	decision_map_fd;	/* per-CPU struct capture_decision */
	int	bss_map_fd;		/* the probe's .bss: the counters */
	uint32_t counters_offset;	/* of counters[] in .bss */
	int	programs_map_fd;	/* the tail-call slots */
	int	pass_verdict;		/* what the probe returns: go on */
};

#endif /* BPFTRACE_FILTER_TARGET_H */
