/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Compiles a pcap_setfilter() program (bpftrace-filter-compile.c) and
 * puts it in the capture probe's programs map, where the probe tail-calls
 * it (bpf/filter_decision.h).  Privileged: loads a BPF program.
 *
 * The program is given as struct filter_insn, the layout of <pcap/bpf.h>'s
 * struct bpf_insn: this file uses libbpf, whose <linux/bpf.h> defines
 * another struct bpf_insn.
 */
#ifndef BPFTRACE_FILTER_LOAD_H
#define BPFTRACE_FILTER_LOAD_H

#include <stddef.h>
#include <stdint.h>

#include <sys/types.h>

#include "bpf/filter_program.h"
#include "bpftrace-filter-target.h"

int	bpftrace_filter_load(const struct filter_target *t,
	    const struct filter_insn *insns, u_int len, uint32_t generation,
	    char *why, size_t whylen);

#endif /* BPFTRACE_FILTER_LOAD_H */
