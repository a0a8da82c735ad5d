/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Translation of a pcap_setfilter() program (classic BPF) into an eBPF
 * program that the capture probe tail-calls (bpf/filter_decision.h).
 * Pure: no bpf() call, so that hostile programs can be fuzzed through it;
 * bpftrace-filter-load.c loads what it produces.
 *
 * The classic program is taken as struct filter_insn (the layout of
 * <pcap/bpf.h>'s struct bpf_insn), and the output is struct
 * bpftrace_ebpf_insn (the layout of <linux/bpf.h>'s struct bpf_insn):
 * both headers name their instruction struct bpf_insn, so neither can be
 * included here.
 */
#ifndef BPFTRACE_FILTER_COMPILE_H
#define BPFTRACE_FILTER_COMPILE_H

#include <stddef.h>
#include <stdint.h>

#include <sys/types.h>

#include "bpf/filter_decision.h"
#include "bpf/filter_program.h"
#include "bpftrace-filter-target.h"

/*
 * The longest translation: every eBPF jump offset (16 bits, signed) then
 * fits.  About 20 eBPF instructions per classic packet load; libpcap's
 * compiler writes programs far shorter than this allows.
 */
#define BPFTRACE_FILTER_EBPF_MAX	32767

struct bpftrace_ebpf_insn {
	uint8_t	code;
	uint8_t	dst_reg:4;
	uint8_t	src_reg:4;
	int16_t	off;
	int32_t	imm;
};

int	bpftrace_filter_code_known(uint16_t code);
int	bpftrace_filter_compile(const struct filter_target *t,
	    const struct filter_insn *insns, u_int len, uint32_t generation,
	    struct bpftrace_ebpf_insn *out, u_int *out_len,
	    char *why, size_t whylen);

#endif /* BPFTRACE_FILTER_COMPILE_H */
