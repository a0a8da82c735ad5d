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

struct filter_target {
	uint32_t	source;		/* enum filter_source (filter_decision.h):
					   how bytes past the window are read */
	uint32_t	prog_type;	/* enum bpf_prog_type of the probe's
					   programs */
	uint32_t	expected_attach_type;	/* enum bpf_attach_type they
						   were loaded with */
	uint32_t	attach_btf_id;	/* tracing types: the BTF id of the
					   traced function or tracepoint;
					   else 0 */
	int32_t		attach_btf_obj_fd;	/* tracing types: the BTF
						   object holding that id (a
						   module's); 0: vmlinux */
	uint32_t	xdp_frags;	/* XDP: load with BPF_F_XDP_HAS_FRAGS */
	int32_t		decision_map_fd;	/* per-CPU array, key 0:
						   struct capture_decision */
	int32_t		bss_map_fd;	/* the probe's .bss (counters) */
	uint32_t	counters_offset;	/* of counters[] in .bss:
						   struct capture_counters
						   [CAPTURE_COUNTER_SLOTS] */
	int32_t		programs_map_fd;	/* prog array of FILTER_SLOTS:
						   the compiled filter goes in
						   FILTER_SLOT_COMPILED */
	int32_t		pass_verdict;	/* what the compiled filter returns to
					   let the packet go on: tc -1 (TC_NEXT),
					   XDP 2 (XDP_PASS), tracing 0 */
};

#endif /* BPFTRACE_FILTER_TARGET_H */
