/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A stand-in for the capture probe around a compiled filter: its decision
 * map, a .bss with the counters, a programs map whose delivery slot holds
 * a small program that records the verdict.  A filter is loaded into it
 * by bpftrace_filter_load(), as the module loads it into the probe, and
 * run with BPF_PROG_TEST_RUN on a packet.  Kept apart from the libpcap
 * side of the test because libbpf's and libpcap's headers both define
 * struct bpf_insn.
 */
#ifndef COMPILED_FILTER_RIG_H
#define COMPILED_FILTER_RIG_H

#include <stddef.h>
#include <stdint.h>

#include "bpf/filter_program.h"

enum rig_kind { RIG_TC, RIG_XDP, RIG_KERNEL_SKB };

/* What the probe would have found in the decision. */
struct rig_packet {
	const uint8_t *bytes;
	uint32_t len;		/* bytes, all in the source */
	uint32_t header_len;	/* window[0, header_len) is bytes[0, header_len) */
	uint32_t window_len;
	uint32_t filter_len;
	uint32_t wire_len;
};

struct rig_verdict {
	int	delivered;	/* times the delivery program ran */
	uint32_t snap;		/* what it found in the decision */
	uint32_t generation;
	uint64_t rejected;	/* counters[].rejected added by the run */
	int	returned_pass;	/* the run returned the tap's "go on" */
};

struct compiled_filter_rig;

struct compiled_filter_rig *rig_open(enum rig_kind kind, char *err,
	    size_t errlen);
const char *rig_name(const struct compiled_filter_rig *r);
int	rig_install(struct compiled_filter_rig *r,
	    const struct filter_insn *insns, unsigned int len,
	    uint32_t generation, char *why, size_t whylen);
int	rig_run(struct compiled_filter_rig *r, const struct rig_packet *p,
	    struct rig_verdict *v);
/* Makes the rig claim another packet source (to see a refusal). */
void	rig_claim_source(struct compiled_filter_rig *r, int source);
/* Mean nanoseconds of one run of the filter, over repeat runs. */
int	rig_time(struct compiled_filter_rig *r, const struct rig_packet *p,
	    unsigned int repeat, double *ns);
void	rig_close(struct compiled_filter_rig *r);

#endif
