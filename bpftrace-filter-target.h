/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What a filter compiler needs to know of a loaded capture probe to build
 * a program the probe can tail-call (see bpf/filter_decision.h): the
 * program type and attach target its programs map accepts (the kernel
 * refuses a tail call into a program of another type, attach type,
 * attach target or XDP frags setting), where the packet's bytes come
 * from, the maps the compiled program reads and writes, and the value
 * that lets the packet go on.
 *
 * Filled by bpftrace_capture_probe_filter_target() (bpftrace-probe.h).
 * The descriptors belong to the probe: valid while it is open, not to be
 * closed by the caller.
 *
 * Plain C with fixed-size types, so that any part of the module may use it.
 */
#ifndef BPFTRACE_FILTER_TARGET_H
#define BPFTRACE_FILTER_TARGET_H

#include <stdint.h>

#include "bpf/filter_decision.h"

struct filter_target {
	/* enum filter_source (filter_decision.h): reads past the window */
	uint32_t	source;
	/* The probe's programs: enum bpf_prog_type, enum bpf_attach_type. */
	uint32_t	prog_type;
	uint32_t	expected_attach_type;
	/*
	 * Tracing types: the BTF id of the traced function or tracepoint,
	 * and the BTF object it is in (a module's; 0: vmlinux).  Else 0.
	 */
	uint32_t	attach_btf_id;
	int32_t		attach_btf_obj_fd;
	/*
	 * Tracing types at the user's XDP or tc program: that program
	 * (attach_btf_id is in its BTF); else 0.
	 */
	int32_t		attach_prog_fd;
	/* XDP: load with BPF_F_XDP_HAS_FRAGS, as the probe ("xdp.frags"). */
	uint32_t	xdp_frags;
	/* Per-CPU array, key 0: struct capture_decision, then the probe's. */
	int32_t		decision_map_fd;
	/*
	 * The probe's .bss and where in it counters[] lies: struct
	 * capture_counters [CAPTURE_COUNTER_SLOTS] (ring_record.h).
	 */
	int32_t		bss_map_fd;
	uint32_t	counters_offset;
	/*
	 * Prog array of FILTER_SLOTS: the compiled filter goes in
	 * FILTER_SLOT_COMPILED; FILTER_SLOT_DELIVER holds the delivery.
	 */
	int32_t		programs_map_fd;
	/* What lets the packet go on: tc -1 (TC_NEXT), XDP 2, tracing 0. */
	int32_t		pass_verdict;
	/*
	 * FILTER_SOURCE_KERNEL_SKB_PAGED: the tracing argument that is the
	 * skb, and bpf_dynptr_from_skb's BTF id in vmlinux.
	 */
	uint32_t	skb_arg_index;
	int32_t		dynptr_from_skb_id;
};

#endif /* BPFTRACE_FILTER_TARGET_H */
