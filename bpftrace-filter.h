/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * pcap_setfilter() programs handed to the probe's in-kernel interpreter
 * through its memory-mapped filter area (bpf/filter_program.h).
 */
#ifndef BPFTRACE_FILTER_H
#define BPFTRACE_FILTER_H

#include <stddef.h>
#include <stdint.h>

#include <sys/types.h>
#include <pcap/bpf.h>

#include "bpf/filter_program.h"

int	bpftrace_kernel_filter_supports(const struct bpf_insn *insns, u_int len,
	    char *why, size_t whylen);
uint32_t bpftrace_kernel_filter_install(struct capture_filter *area,
	    const struct bpf_insn *insns, u_int len);

#endif /* BPFTRACE_FILTER_H */
