/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What a compiled filter must fit: the capture probe it is tail-called
 * from (its program type and attach point, its maps) and where its packet
 * bytes come from (bpf/filter_decision.h).  Filled in by the probe's
 * loader (bpftrace-probe.c), used by the filter compiler and loader
 * (bpftrace-filter-compile.c, bpftrace-filter-load.c).
 */
#ifndef BPFTRACE_FILTER_TARGET_H
#define BPFTRACE_FILTER_TARGET_H

#include <stdint.h>

#include "bpf/filter_decision.h"

struct filter_target {
	enum filter_source source;
	int	prog_type;		/* enum bpf_prog_type of the probe */
	int	expected_attach_type;	/* enum bpf_attach_type, or 0 */
	uint32_t attach_btf_id;		/* tracing programs: the traced type */
	int	attach_btf_obj_fd;	/* its module's BTF, or 0: vmlinux */
	int	xdp_frags;		/* the probe was loaded with XDP frags */
	int	decision_map_fd;	/* per-CPU array, key 0: the decision */
	int	bss_map_fd;		/* the probe's .bss */
	uint32_t counters_offset;	/* of counters[CAPTURE_COUNTER_SLOTS]
					   in .bss */
	int	programs_map_fd;	/* program array of FILTER_SLOTS */
	int	pass_verdict;		/* the tap's "go on" return value */
};

#endif /* BPFTRACE_FILTER_TARGET_H */
